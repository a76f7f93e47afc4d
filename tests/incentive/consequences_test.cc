// The consequences of the assessment: a city's policy, the proposals of a
// county's year, nothing done before an operator decides, the decision's
// effect (a supervision case and the next exit step, or an eligibility the
// promotion channels read) and the chain read back per cadre. Siziwang's
// 2023, which no other test of this binary assesses.
#include "tests/incentive/fixture.h"

namespace touyan::testing {
namespace {

constexpr int64_t kBorn1988 = 10'227'500;  // 35 on 1 December 2023

class ConsequencesTest : public IncentiveTest {
 protected:
  void Inputs(const std::string& tag, const std::string& cadre, double value) {
    for (auto kind : {iv1::INPUT_KIND_DAILY_MANAGEMENT, iv1::INPUT_KIND_ANNUAL_REVIEW}) {
      ASSERT_EQ(
          Input(absl::StrCat("cq-", tag, "-", kind, "-", cadre), cadre, kind, value, siziwang_)
              .code,
          StatusCode::OK);
    }
  }
  Outcome Propose(const std::string& rid, iv1::ProposeConsequencesResponse* out,
                  const std::string& token = "") {
    iv1::ProposeConsequencesRequest req;
    req.set_request_id(rid);
    req.set_county_code("150929");
    req.set_year(2023);
    return Call(&iv1::IncentiveService::Stub::ProposeConsequences,
                token.empty() ? siziwang_ : token, req, out);
  }
  // The cadre's proposals of 2023 (every state).
  std::vector<iv1::Proposal> ProposalsOf(const std::string& cadre) {
    iv1::ListProposalsRequest req;
    req.set_cadre_id(cadre);
    req.set_year(2023);
    iv1::ListProposalsResponse resp;
    EXPECT_EQ(Call(&iv1::IncentiveService::Stub::ListProposals, siziwang_, req, &resp).code,
              StatusCode::OK);
    return {resp.proposals().begin(), resp.proposals().end()};
  }
  iv1::DecideProposalRequest Decision(const std::string& rid, const std::string& id, bool confirm) {
    iv1::DecideProposalRequest req;
    req.set_request_id(rid);
    req.set_id(id);
    req.set_confirm(confirm);
    req.set_reason(confirm ? "考核不称职，依规处理" : "已调查核实，情况特殊");
    req.set_deciding_body("四子王旗委组织部");
    *req.mutable_decided_on() = ToDate(absl::CivilDay(2024, 1, 10));
    return req;
  }
  iv1::ListExitMeasuresResponse MeasuresOf(const std::string& cadre) {
    iv1::ListExitMeasuresRequest req;
    req.set_cadre_id(cadre);
    iv1::ListExitMeasuresResponse resp;
    EXPECT_EQ(Call(&iv1::IncentiveService::Stub::ListExitMeasures, siziwang_, req, &resp).code,
              StatusCode::OK);
    return resp;
  }
  iv1::ListCasesResponse CasesOf(const std::string& cadre) {
    iv1::ListCasesRequest req;
    req.set_cadre_id(cadre);
    iv1::ListCasesResponse resp;
    EXPECT_EQ(Call(&iv1::IncentiveService::Stub::ListCases, siziwang_, req, &resp).code,
              StatusCode::OK);
    return resp;
  }
};

TEST_F(ConsequencesTest, ResultsLeadToProposalsAndOnlyADecisionLeadsToAnEffect) {
  const auto v = VillagesOf("150929");
  ASSERT_GE(v.size(), 5u);
  // weak and spared: incompetent; repeat: incompetent, admonished before;
  // lifted: incompetent until a later review; best: excellent.
  const std::string weak = MakeSecretary(kBorn1988 + 1, v[0]);
  const std::string spared = MakeSecretary(kBorn1988 + 2, v[1]);
  const std::string repeat = MakeSecretary(kBorn1988 + 3, v[2]);
  const std::string lifted = MakeSecretary(kBorn1988 + 4, v[3]);
  const std::string best = MakeSecretary(kBorn1988 + 5, v[4]);

  iv1::SetSchemeRequest scheme;
  scheme.set_request_id("cq-scheme");
  *scheme.mutable_scheme() = DailyAndReviewScheme("150929");
  scheme.mutable_scheme()->set_dissatisfied_fail_percent(101);
  Outcome o = Call(&iv1::IncentiveService::Stub::SetScheme, siziwang_, scheme);
  EXPECT_EQ(o.field, "scheme.dissatisfied_fail_percent") << o;
  scheme.mutable_scheme()->set_dissatisfied_fail_percent(0);
  iv1::Scheme stored;
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::SetScheme, siziwang_, scheme, &stored).code,
            StatusCode::OK);
  EXPECT_EQ(stored.dissatisfied_fail_percent(), 50);  // Touyan's default
  for (const auto& c : {weak, spared, repeat, lifted}) Inputs("a", c, 30);
  Inputs("a", best, 95);

  // Propose before any result: refused, naming what to do first.
  iv1::ProposeConsequencesResponse proposed;
  o = Propose("cq-too-early", &proposed);
  EXPECT_EQ(o.reason, "NO_ASSESSMENTS") << o;
  Compute(siziwang_, "150929", "cq-compute-1");

  // repeat's history: an admonition talk before.
  iv1::DecideExitMeasureRequest talk;
  talk.set_request_id("cq-talk-repeat");
  talk.mutable_measure()->set_cadre_id(repeat);
  talk.mutable_measure()->set_kind(iv1::MEASURE_KIND_ADMONITION);
  talk.mutable_measure()->set_grounds("工作推进缓慢");
  *talk.mutable_measure()->mutable_decided_on() = ToDate(absl::CivilDay(2023, 6, 1));
  talk.mutable_measure()->set_deciding_body("四子王旗委组织部");
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::DecideExitMeasure, siziwang_, talk).code,
            StatusCode::OK);

  // The policy: Touyan's defaults until the city sets one; only the city;
  // a grade cannot lead both ways.
  iv1::GetConsequencePolicyRequest get;
  get.set_region_code("150900000000");
  get.set_year(2023);
  iv1::ConsequencePolicy policy;
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::GetConsequencePolicy, siziwang_, get, &policy).code,
            StatusCode::OK);
  EXPECT_EQ(policy.version(), 0);
  EXPECT_EQ(policy.democratic_min(), 60);
  iv1::SetConsequencePolicyRequest set;
  set.set_request_id("cq-policy");
  set.mutable_policy()->set_region_code("150900000000");
  set.mutable_policy()->set_year(2023);
  set.mutable_policy()->add_exit_grades(iv1::GRADE_INCOMPETENT);
  set.mutable_policy()->add_eligible_grades(iv1::GRADE_INCOMPETENT);
  o = Call(&iv1::IncentiveService::Stub::SetConsequencePolicy, city_, set);
  EXPECT_EQ(o.field, "policy.eligible_grades[0]") << o;
  set.mutable_policy()->clear_eligible_grades();
  set.mutable_policy()->add_eligible_grades(iv1::GRADE_EXCELLENT);
  set.mutable_policy()->set_democratic_min(50);
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::SetConsequencePolicy, siziwang_, set).code,
            StatusCode::PERMISSION_DENIED);
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::SetConsequencePolicy, city_, set, &policy).code,
            StatusCode::OK);
  EXPECT_EQ(policy.version(), 1);
  EXPECT_EQ(Incentive()->Count("SELECT count(*) FROM incentive.audit_log WHERE resource = "
                               "'consequence-policies/150900000000/2023'"),
            1);

  // Proposals: another county may not; a retry answers the same; a second
  // run adds nothing.
  EXPECT_EQ(Propose("cq-by-jining", nullptr, jining_).code, StatusCode::PERMISSION_DENIED);
  ASSERT_EQ(Propose("cq-propose-1", &proposed).code, StatusCode::OK);
  EXPECT_EQ(proposed.proposed(), 5);
  EXPECT_EQ(proposed.policy_version(), 1);
  iv1::ProposeConsequencesResponse again;
  ASSERT_EQ(Propose("cq-propose-1", &again).code, StatusCode::OK);
  EXPECT_EQ(again.SerializeAsString(), proposed.SerializeAsString());
  ASSERT_EQ(Propose("cq-propose-2", &again).code, StatusCode::OK);
  EXPECT_EQ(again.proposed(), 0);
  EXPECT_EQ(again.kept(), 5);

  std::vector<iv1::Proposal> p = ProposalsOf(weak);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].kind(), iv1::PROPOSAL_KIND_EXIT_STEP);
  EXPECT_EQ(p[0].state(), iv1::PROPOSAL_STATE_PENDING);
  EXPECT_EQ(p[0].grade(), iv1::GRADE_INCOMPETENT);
  EXPECT_DOUBLE_EQ(p[0].score(), 30);
  EXPECT_EQ(p[0].basis(), "grade GRADE_INCOMPETENT");
  EXPECT_EQ(p[0].measure_kind(), iv1::MEASURE_KIND_ADMONITION);
  const std::string weak_proposal = p[0].id();
  EXPECT_EQ(ProposalsOf(repeat)[0].measure_kind(), iv1::MEASURE_KIND_ORG_ADJUSTMENT);
  EXPECT_EQ(ProposalsOf(best)[0].kind(), iv1::PROPOSAL_KIND_ELIGIBILITY);

  // Nothing happens without a decision: no case, no measure, and a measure
  // decided beside the pending proposal is refused.
  EXPECT_EQ(CasesOf(weak).cases_size(), 0);
  EXPECT_EQ(MeasuresOf(weak).measures_size(), 0);
  talk.set_request_id("cq-talk-weak");
  talk.mutable_measure()->set_cadre_id(weak);
  o = Call(&iv1::IncentiveService::Stub::DecideExitMeasure, siziwang_, talk);
  EXPECT_EQ(o.code, StatusCode::FAILED_PRECONDITION) << o;
  EXPECT_EQ(o.reason, "PROPOSAL_PENDING");
  EXPECT_EQ(o.field, "measure.cadre_id");

  // The pending proposals of the county, page by page to the end.
  iv1::ListProposalsRequest list;
  list.set_region_code("150929000000");
  list.set_state(iv1::PROPOSAL_STATE_PENDING);
  list.set_kind(iv1::PROPOSAL_KIND_EXIT_STEP);
  list.set_page_size(2);
  std::set<std::string> pending;
  do {
    iv1::ListProposalsResponse page;
    ASSERT_EQ(Call(&iv1::IncentiveService::Stub::ListProposals, siziwang_, list, &page).code,
              StatusCode::OK);
    for (const auto& x : page.proposals()) pending.insert(x.cadre_id());
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());
  EXPECT_EQ(pending, (std::set<std::string>{weak, spared, repeat, lifted}));
  list.clear_page_token();
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::ListProposals, jining_, list).code,
            StatusCode::PERMISSION_DENIED);

  // Bad decisions: no reason, no deciding body, another county.
  iv1::DecideProposalRequest d = Decision("cq-decide-weak", weak_proposal, true);
  d.clear_reason();
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::DecideProposal, siziwang_, d).field, "reason");
  d = Decision("cq-decide-weak", weak_proposal, true);
  d.clear_deciding_body();
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::DecideProposal, siziwang_, d).field,
            "deciding_body");
  d = Decision("cq-decide-weak", weak_proposal, true);
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::DecideProposal, jining_, d).code,
            StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(CasesOf(weak).cases_size(), 0);

  // Confirmed: the case and the admonition in the same decision; a retry
  // replays; a second decision is refused.
  iv1::Proposal decided;
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::DecideProposal, siziwang_, d, &decided).code,
            StatusCode::OK);
  EXPECT_EQ(decided.state(), iv1::PROPOSAL_STATE_CONFIRMED);
  EXPECT_EQ(decided.decided_by(), "siziwang-op");
  ASSERT_FALSE(decided.case_id().empty());
  ASSERT_FALSE(decided.measure_id().empty());
  iv1::Proposal replay;
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::DecideProposal, siziwang_, d, &replay).code,
            StatusCode::OK);
  EXPECT_EQ(replay.SerializeAsString(), decided.SerializeAsString());
  d.set_request_id("cq-decide-weak-again");
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::DecideProposal, siziwang_, d).reason,
            "ALREADY_DECIDED");
  iv1::ListCasesResponse cases = CasesOf(weak);
  ASSERT_EQ(cases.cases_size(), 1);
  EXPECT_EQ(cases.cases(0).id(), decided.case_id());
  EXPECT_EQ(cases.cases(0).kind(), iv1::FLAG_KIND_ASSESSMENT);
  EXPECT_EQ(cases.cases(0).rectify_by().month(), 4);  // 90 days after 10 January
  iv1::ListExitMeasuresResponse measures = MeasuresOf(weak);
  ASSERT_EQ(measures.measures_size(), 1);
  EXPECT_EQ(measures.measures(0).id(), decided.measure_id());
  EXPECT_EQ(measures.measures(0).kind(), iv1::MEASURE_KIND_ADMONITION);
  EXPECT_EQ(measures.measures(0).state(), iv1::MEASURE_STATE_DECIDED);
  EXPECT_NE(measures.measures(0).grounds().find("grade GRADE_INCOMPETENT"), std::string::npos);

  // The next step follows the cadre's history: repeat, admonished before,
  // is adjusted out of the post (enforced through the exit procedure).
  iv1::Proposal adjusted;
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::DecideProposal, siziwang_,
                 Decision("cq-decide-repeat", ProposalsOf(repeat)[0].id(), true), &adjusted)
                .code,
            StatusCode::OK);
  EXPECT_EQ(adjusted.measure_kind(), iv1::MEASURE_KIND_ORG_ADJUSTMENT);
  measures = MeasuresOf(repeat);
  ASSERT_EQ(measures.measures_size(), 2);
  const iv1::ExitMeasure& adjustment = measures.measures(1);
  EXPECT_EQ(adjustment.id(), adjusted.measure_id());
  EXPECT_TRUE(adjustment.removes());
  EXPECT_FALSE(adjustment.position_id().empty());
  iv1::EnforceExitMeasureRequest enforce;
  enforce.set_request_id("cq-enforce-repeat");
  enforce.set_id(adjustment.id());
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::EnforceExitMeasure, siziwang_, enforce).code,
            StatusCode::OK);

  // Rejected with a reason: no effect, not proposed again, and the county
  // may then decide a measure of its own.
  iv1::Proposal rejected;
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::DecideProposal, siziwang_,
                 Decision("cq-reject-spared", ProposalsOf(spared)[0].id(), false), &rejected)
                .code,
            StatusCode::OK);
  EXPECT_EQ(rejected.state(), iv1::PROPOSAL_STATE_REJECTED);
  EXPECT_EQ(rejected.decision_reason(), "已调查核实，情况特殊");
  EXPECT_TRUE(rejected.case_id().empty());
  EXPECT_EQ(CasesOf(spared).cases_size(), 0);
  talk.set_request_id("cq-talk-spared");
  talk.mutable_measure()->set_cadre_id(spared);
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::DecideExitMeasure, siziwang_, talk).code,
            StatusCode::OK);

  // A recomputed result: lifted's later review makes it competent; its
  // pending proposal is withdrawn and cannot be decided; the decided ones stay.
  ASSERT_EQ(Input("cq-lifted-review", lifted, iv1::INPUT_KIND_ANNUAL_REVIEW, 100, siziwang_).code,
            StatusCode::OK);
  ASSERT_EQ(Input("cq-lifted-daily", lifted, iv1::INPUT_KIND_DAILY_MANAGEMENT, 100, siziwang_).code,
            StatusCode::OK);
  Compute(siziwang_, "150929", "cq-compute-2");
  ASSERT_EQ(Propose("cq-propose-3", &again).code, StatusCode::OK);
  EXPECT_EQ(again.withdrawn(), 1);
  EXPECT_EQ(again.proposed(), 0);
  p = ProposalsOf(lifted);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].state(), iv1::PROPOSAL_STATE_WITHDRAWN);
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::DecideProposal, siziwang_,
                 Decision("cq-decide-lifted", p[0].id(), true))
                .reason,
            "PROPOSAL_WITHDRAWN");
  EXPECT_EQ(ProposalsOf(weak)[0].state(), iv1::PROPOSAL_STATE_CONFIRMED);

  // Excellent: a confirmed eligibility ranks best among the candidates of a
  // promotion channel and is flagged there.
  iv1::Proposal eligible;
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::DecideProposal, siziwang_,
                 Decision("cq-confirm-best", ProposalsOf(best)[0].id(), true), &eligible)
                .code,
            StatusCode::OK);
  EXPECT_TRUE(eligible.measure_id().empty());
  iv1::ListPromotionCandidatesRequest cand;
  cand.set_region_code("150929000000");
  cand.set_year(2023);
  cand.set_channel(iv1::CHANNEL_TOWNSHIP_DEPUTY);
  iv1::ListPromotionCandidatesResponse candidates;
  ASSERT_EQ(
      Call(&iv1::IncentiveService::Stub::ListPromotionCandidates, siziwang_, cand, &candidates)
          .code,
      StatusCode::OK);
  ASSERT_GE(candidates.candidates_size(), 1);
  EXPECT_EQ(candidates.candidates(0).cadre_id(), best);
  EXPECT_TRUE(candidates.candidates(0).eligible());
}

}  // namespace
}  // namespace touyan::testing
