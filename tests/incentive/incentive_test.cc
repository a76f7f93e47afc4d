// The incentive service through its gRPC API, with personnel, training and
// contest running beside it (it reads all three), each on real Postgres.
#include <array>
#include <atomic>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/str_format.h"
#include "common/time/date.h"
#include "services/contest/spec.h"
#include "services/incentive/domain/example_scheme.h"
#include "services/incentive/spec.h"
#include "services/personnel/domain/resident_id.h"
#include "services/training/spec.h"
#include "tests/contest/fixture.h"
#include "tests/support/hostile.h"
#include "touyan/incentive/v1/incentive.grpc.pb.h"
#include "touyan/privacy/v1/privacy.grpc.pb.h"
#include "touyan/training/v1/training.grpc.pb.h"

namespace touyan::testing {
namespace {

namespace iv1 = ::touyan::incentive::v1;
namespace tv1 = ::touyan::training::v1;
using incentive::ExampleScheme;
using grpc::StatusCode;

const auto* const kEnv = ::testing::AddGlobalTestEnvironment(new CallerEnvironment(
    {training::TrainingSpec(), contest::ContestSpec(), incentive::IncentiveSpec()}, "touyan_test_incentive"));
ServiceUnderTest* Incentive() { return Caller(); }

// The services' "today" (China time), and days from it.
absl::CivilDay Today() { return absl::ToCivilDay(absl::Now(), absl::FixedTimeZone(8 * 3600)); }
google::type::Date Day(int from_today) { return ToDate(Today() + from_today); }

class IncentiveTest : public ContestTest {
 protected:
  iv1::IncentiveService::Stub& incentive() {
    if (!incentive_) incentive_ = iv1::IncentiveService::NewStub(Incentive()->channel());
    return *incentive_;
  }

  // Calls an incentive method as `token`; the outcome, and the answer in `out`.
  template <typename Req, typename Resp>
  Outcome Call(grpc::Status (iv1::IncentiveService::Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
               const std::string& token, const Req& req, Resp* out = nullptr) {
    Resp ignored;
    return OutcomeOf((incentive().*method)(WithToken(token).get(), req, out ? out : &ignored));
  }

  Outcome Input(const std::string& rid, const std::string& cadre, iv1::InputKind kind, double value,
                const std::string& token = "") {
    iv1::RecordInputRequest req;
    req.set_request_id(rid);
    req.mutable_input()->set_cadre_id(cadre);
    req.mutable_input()->set_year(2023);
    req.mutable_input()->set_kind(kind);
    req.mutable_input()->set_value(value);
    *req.mutable_input()->mutable_recorded_on() = ToDate(absl::CivilDay(2023, 11, 1));
    return Call(&iv1::IncentiveService::Stub::RecordInput, token.empty() ? jining_ : token, req);
  }

  // A cadre with `establishment`, made branch secretary of `village` and
  // evaluated so that it meets all five conditions in 2023.
  std::string QualifiedSecretary(int seq, const std::string& village, pv1::EstablishmentStatus establishment) {
    pv1::Cadre c = NewCadre(seq, village);
    c.set_establishment(establishment);
    const std::string id = MakeSecretary(c, village, pv1::POSITION_KIND_DUAL_ROLE);
    const std::array<int, 5> scores = {85, 80, 90, 88, 92};
    for (int k = 0; k < 5; ++k) {
      pv1::RecordEvaluationRequest req;
      req.set_request_id(absl::StrCat("inc-eval-", seq, "-", k));
      req.mutable_evaluation()->set_cadre_id(id);
      req.mutable_evaluation()->set_criterion(static_cast<pv1::Criterion>(k + 1));
      req.mutable_evaluation()->set_score(scores[k]);
      req.mutable_evaluation()->set_evaluator("旗委组织部考察组");
      *req.mutable_evaluation()->mutable_evaluated_on() = ToDate(absl::CivilDay(2023, 6, 1));
      req.mutable_evaluation()->set_evidence("年度考察");
      pv1::Evaluation e;
      grpc::Status s = stub().RecordEvaluation(WithToken(city_).get(), req, &e);
      EXPECT_TRUE(s.ok()) << s.error_message();
    }
    return id;
  }

  std::vector<iv1::WellbeingAlert> AllAlerts(const std::string& token, const std::string& region) {
    std::vector<iv1::WellbeingAlert> out;
    iv1::ListWellbeingAlertsRequest req;
    req.set_region_code(region);
    req.set_page_size(1);
    do {
      iv1::ListWellbeingAlertsResponse page;
      EXPECT_EQ(Call(&iv1::IncentiveService::Stub::ListWellbeingAlerts, token, req, &page).code, StatusCode::OK);
      for (const auto& a : page.alerts()) out.push_back(a);
      req.set_page_token(page.next_page_token());
    } while (!req.page_token().empty() && out.size() < 100);
    return out;
  }

 private:
  std::unique_ptr<iv1::IncentiveService::Stub> incentive_;
};

const iv1::Component& Part(const iv1::Assessment& a, const std::string& name) {
  for (const auto& c : a.components()) {
    if (c.name() == name) return c;
  }
  static iv1::Component none;
  ADD_FAILURE() << "no component " << name;
  return none;
}

TEST_F(IncentiveTest, AnAssessmentFromKnownInputsEqualsTheHandComputedScoreAndGrade) {
  const std::vector<std::string> v = {"150902105202", "150902105203"};  // 村民委员会: training covers them
  const std::string a = MakeSecretary(9101, v[0]), b = MakeSecretary(9102, v[1]);

  // The scheme: bad weights are refused naming the field; a county operator
  // sets its own county's, not another's.
  iv1::SetSchemeRequest set;
  set.set_request_id("scheme-jining-2023");
  *set.mutable_scheme() = ExampleScheme("150902", 2023);
  set.mutable_scheme()->mutable_weights()->set_contest(50);
  Outcome o = Call(&iv1::IncentiveService::Stub::SetScheme, jining_, set);
  EXPECT_EQ(o.code, StatusCode::INVALID_ARGUMENT) << o;
  EXPECT_EQ(o.field, "scheme.weights");
  *set.mutable_scheme() = ExampleScheme("150902", 2023);
  set.set_request_id("scheme-by-siziwang");
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::SetScheme, siziwang_, set).code, StatusCode::PERMISSION_DENIED);
  set.set_request_id("scheme-jining-2023");
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::SetScheme, jining_, set).code, StatusCode::OK);

  // Contest: a ranks 1, b ranks 2 of 2 in a published county final.
  Judging j = StartJudging(jining_, "inc", "150902", {a, b}, 1);
  std::vector<cv1::Score> scores;
  for (const char* d : {"rural_governance", "collective_economy", "practical_deeds"}) {
    scores.push_back(S(j.judges[0], j.entries[0], d, 90));
    scores.push_back(S(j.judges[0], j.entries[1], d, 70));
  }
  cv1::SubmitScoresResponse stored;
  ASSERT_TRUE(Batch(jining_, "inc-scores", j.round, scores, &stored).ok());
  ClosePublish(jining_, "inc", j.round);

  // Inputs entered here.
  ASSERT_EQ(Input("in-a1", a, iv1::INPUT_KIND_DAILY_MANAGEMENT, 80).code, StatusCode::OK);
  ASSERT_EQ(Input("in-a2", a, iv1::INPUT_KIND_DAILY_MANAGEMENT, 90).code, StatusCode::OK);
  ASSERT_EQ(Input("in-a3", a, iv1::INPUT_KIND_STAR_RATING, 4).code, StatusCode::OK);
  ASSERT_EQ(Input("in-a4", a, iv1::INPUT_KIND_ANNUAL_REVIEW, 90).code, StatusCode::OK);
  ASSERT_EQ(Input("in-b1", b, iv1::INPUT_KIND_DAILY_MANAGEMENT, 95).code, StatusCode::OK);
  ASSERT_EQ(Input("in-b2", b, iv1::INPUT_KIND_STAR_RATING, 5).code, StatusCode::OK);
  ASSERT_EQ(Input("in-b3", b, iv1::INPUT_KIND_ANNUAL_REVIEW, 95).code, StatusCode::OK);
  o = Input("in-bad", a, iv1::INPUT_KIND_STAR_RATING, 7);
  EXPECT_EQ(o.field, "input.value") << o;
  EXPECT_EQ(Input("in-other", a, iv1::INPUT_KIND_ANNUAL_REVIEW, 50, siziwang_).code, StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Input("in-auditor", a, iv1::INPUT_KIND_ANNUAL_REVIEW, 50, auditor_).code, StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Incentive()->Count("SELECT count(*) FROM incentive.records WHERE kind = 1"), 7);

  // Democratic evaluation at a's village: 4 voters, 3 needed (67%).
  iv1::OpenEvaluationRequest open;
  open.set_request_id("eval-open");
  open.mutable_evaluation()->set_village_code(v[0]);
  open.mutable_evaluation()->set_year(2023);
  *open.mutable_evaluation()->mutable_meeting_date() = ToDate(absl::CivilDay(2023, 12, 10));
  open.mutable_evaluation()->add_cadre_ids(a);
  open.mutable_evaluation()->add_cadre_ids(b);
  open.mutable_evaluation()->set_electorate(4);
  iv1::Evaluation ev;
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::OpenEvaluation, jining_, open, &ev).code, StatusCode::OK);
  iv1::IssueVoterCodesRequest issue;
  issue.set_evaluation_id(ev.id());
  issue.set_count(5);
  o = Call(&iv1::IncentiveService::Stub::IssueVoterCodes, jining_, issue);
  EXPECT_EQ(o.reason, "TOO_MANY_CODES") << o;  // more codes than voters
  issue.set_count(4);
  iv1::IssueVoterCodesResponse codes;
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::IssueVoterCodes, jining_, issue, &codes).code, StatusCode::OK);
  ASSERT_EQ(codes.codes_size(), 4);
  // The township runs the meeting; another township's operator may not.
  const std::string baihaizi = Incentive()->Token(Role::kTownshipOperator, "150902105000", "baihaizi-op");
  {
    iv1::CastBallotRequest ballot;
    ballot.set_evaluation_id(ev.id());
    ballot.set_voter_code(codes.codes(0));
    for (const std::string& c : {a, b}) {
      auto* x = ballot.add_choices();
      x->set_cadre_id(c);
      x->set_choice(iv1::CHOICE_SATISFIED);
    }
    EXPECT_EQ(Call(&iv1::IncentiveService::Stub::CastBallot, township_, ballot).code, StatusCode::PERMISSION_DENIED);
  }
  const iv1::Choice S = iv1::CHOICE_SATISFIED, B = iv1::CHOICE_BASICALLY_SATISFIED, D = iv1::CHOICE_DISSATISFIED;
  const std::vector<std::pair<iv1::Choice, iv1::Choice>> votes = {{S, D}, {S, D}, {S, D}, {B, S}};
  for (size_t i = 0; i < votes.size(); ++i) {
    iv1::CastBallotRequest ballot;
    ballot.set_evaluation_id(ev.id());
    ballot.set_voter_code(codes.codes(static_cast<int>(i)));
    auto* ca = ballot.add_choices();
    ca->set_cadre_id(a);
    ca->set_choice(votes[i].first);
    auto* cb = ballot.add_choices();
    cb->set_cadre_id(b);
    cb->set_choice(votes[i].second);
    if (i == 0) {  // a ballot missing a cadre is refused and does not use the code
      iv1::CastBallotRequest partial = ballot;
      partial.mutable_choices()->RemoveLast();
      EXPECT_EQ(Call(&iv1::IncentiveService::Stub::CastBallot, baihaizi, partial).reason, "MISSING_CHOICE");
    }
    iv1::CastBallotResponse cast;
    ASSERT_EQ(Call(&iv1::IncentiveService::Stub::CastBallot, baihaizi, ballot, &cast).code, StatusCode::OK);
    EXPECT_EQ(cast.ballots(), static_cast<int>(i + 1));
    // The same code again is refused, the count unchanged.
    o = Call(&iv1::IncentiveService::Stub::CastBallot, baihaizi, ballot);
    EXPECT_EQ(o.code, StatusCode::FAILED_PRECONDITION) << o;
    EXPECT_EQ(o.reason, "BALLOT_CODE_INVALID");
    EXPECT_EQ(o.field, "voter_code");
  }
  EXPECT_EQ(Incentive()->Count("SELECT count(*) FROM incentive.ballots"), 4);
  iv1::CloseEvaluationRequest close;
  close.set_request_id("eval-close");
  close.set_id(ev.id());
  iv1::Evaluation closed;
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::CloseEvaluation, jining_, close, &closed).code, StatusCode::OK);
  ASSERT_EQ(closed.tallies_size(), 2);
  EXPECT_TRUE(closed.tallies(0).quorum_met());
  EXPECT_DOUBLE_EQ(closed.tallies(0).score(), 90);  // (3 × 100 + 60) / 4
  EXPECT_TRUE(closed.tallies(1).failed());          // 3 of 4 dissatisfied
  close.set_request_id("eval-close-again");
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::CloseEvaluation, jining_, close).reason, "EVALUATION_CLOSED");

  // No ballot can be traced to its code: the codes are gone (deleted when
  // used), nothing stored holds a code or its hash, ballots carry no time,
  // voter or code, and neither ballots nor codes were kept for replay.
  EXPECT_EQ(Incentive()->Count("SELECT count(*) FROM incentive.voter_codes"), 0);
  EXPECT_EQ(Incentive()->Count("SELECT count(*) FROM information_schema.columns WHERE table_schema = 'incentive' "
                               "AND table_name = 'ballots' AND column_name NOT IN "
                               "('county_code', 'evaluation_id', 'id', 'choices')"),
            0);
  EXPECT_EQ(Incentive()->Count("SELECT count(*) FROM incentive.idempotency WHERE method LIKE '%Ballot%' "
                               "OR method LIKE '%VoterCodes%'"),
            0);
  for (const std::string& code : codes.codes()) {
    const std::string needle = "'%" + code + "%'";
    for (const char* table : {"ballots", "evaluations", "audit_log", "records"}) {
      EXPECT_EQ(Incentive()->Count(absl::StrCat("SELECT count(*) FROM incentive.", table, " t WHERE t::text LIKE ",
                                                needle)),
                0)
          << table;
    }
    EXPECT_EQ(Incentive()->Count("SELECT count(*) FROM incentive.idempotency WHERE position(convert_to('" + code +
                                 "', 'UTF8') IN response) > 0"),
              0);
  }

  // Compute: training (both uncovered on the theme), contest, inputs, votes.
  iv1::ComputeAssessmentsRequest compute;
  compute.set_request_id("assess-1");
  compute.set_county_code("150902");
  compute.set_year(2023);
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::ComputeAssessments, siziwang_, compute).code,
            StatusCode::PERMISSION_DENIED);
  iv1::ComputeAssessmentsResponse done;
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::ComputeAssessments, jining_, compute, &done).code, StatusCode::OK);
  EXPECT_EQ(done.assessed(), 2);

  iv1::GetAssessmentRequest get;
  get.set_cadre_id(a);
  get.set_year(2023);
  iv1::Assessment ra;
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::GetAssessment, auditor_, get, &ra).code, StatusCode::OK);
  // a: daily 85 × 0.8 (training not completed) = 68 → 20.4; contest rank 1
  // of 2 → 100 → 25; stars 4 → 80 → 8; review 90 → 18; democratic 90 → 13.5.
  EXPECT_DOUBLE_EQ(Part(ra, "daily_management").value(), 68);
  EXPECT_DOUBLE_EQ(Part(ra, "contest").value(), 100);
  EXPECT_DOUBLE_EQ(Part(ra, "stars").points(), 8);
  EXPECT_DOUBLE_EQ(Part(ra, "democratic").points(), 13.5);
  EXPECT_DOUBLE_EQ(ra.score(), 84.9);
  EXPECT_EQ(ra.grade(), iv1::GRADE_COMPETENT);
  EXPECT_NE(Part(ra, "daily_management").explanation().find("not completed"), std::string::npos);
  get.set_cadre_id(b);
  iv1::Assessment rb;
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::GetAssessment, jining_, get, &rb).code, StatusCode::OK);
  // b: 95 × .8 = 76 → 22.8; rank 2 of 2 → 50 → 12.5; 5 stars → 10; 95 → 19;
  // democratic 25 → 3.75: 68.05 (basically competent by the bands), but 3 of
  // 4 dissatisfied → incompetent.
  EXPECT_DOUBLE_EQ(rb.score(), 68.05);
  EXPECT_TRUE(rb.failed_democratic());
  EXPECT_EQ(rb.grade(), iv1::GRADE_INCOMPETENT);
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::GetAssessment, siziwang_, get).code, StatusCode::PERMISSION_DENIED);

  // Recomputing is deterministic; a retry replays.
  compute.set_request_id("assess-2");
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::ComputeAssessments, jining_, compute, &done).code, StatusCode::OK);
  iv1::Assessment again;
  get.set_cadre_id(a);
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::GetAssessment, jining_, get, &again).code, StatusCode::OK);
  again.clear_compute_time();
  ra.clear_compute_time();
  EXPECT_EQ(again.SerializeAsString(), ra.SerializeAsString());
  EXPECT_EQ(Incentive()->Count("SELECT count(*) FROM incentive.assessments"), 2);

  // Listing by grade, paged to the end.
  iv1::ListAssessmentsRequest list;
  list.set_year(2023);
  list.set_region_code("150902000000");
  list.set_page_size(1);
  int seen = 0;
  do {
    iv1::ListAssessmentsResponse page;
    ASSERT_EQ(Call(&iv1::IncentiveService::Stub::ListAssessments, city_, list, &page).code, StatusCode::OK);
    seen += page.assessments_size();
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());
  EXPECT_EQ(seen, 2);
  list.set_region_code("150929000000");
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::ListAssessments, jining_, list).code, StatusCode::PERMISSION_DENIED);
}

TEST_F(IncentiveTest, TheCareAwardPaysTheOrganisationOrThePersonExactlyOnceWithinBudget) {
  const auto v = VillagesOf("150902205");
  const std::string staff = QualifiedSecretary(9201, v[0], pv1::ESTABLISHMENT_STATUS_AGENCY);
  const std::string farmer = QualifiedSecretary(9202, v[1], pv1::ESTABLISHMENT_STATUS_NONE);
  pv1::CreateSelectionRoundRequest round;
  round.set_request_id("inc-selection-2023");
  round.mutable_round()->set_year(2023);
  round.mutable_round()->set_region_code("150900000000");
  round.mutable_round()->set_total_quota(100);
  auto* q = round.mutable_round()->add_quotas();
  q->set_county_code("150902");
  q->set_quota(10);
  pv1::SelectionRound made;
  ASSERT_TRUE(stub().CreateSelectionRound(WithToken(city_).get(), round, &made).ok());
  for (const std::string& cadre : {staff, farmer}) {
    pv1::NominateGoodSecretaryRequest nom;
    nom.set_request_id("inc-nom-" + cadre);
    nom.set_round_id(made.id());
    nom.set_cadre_id(cadre);
    nom.set_reason("带领群众发展集体经济");
    pv1::Nomination n;
    grpc::Status s = stub().NominateGoodSecretary(WithToken(jining_).get(), nom, &n);
    ASSERT_TRUE(s.ok()) << s.error_message();
    pv1::ConfirmGoodSecretaryRequest confirm;
    confirm.set_request_id("inc-confirm-" + cadre);
    confirm.set_id(n.id());
    s = stub().ConfirmGoodSecretary(WithToken(city_).get(), confirm, &n);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  iv1::PayCareAwardsRequest pay;
  pay.set_request_id("pay-no-budget");
  pay.set_region_code("150902000000");
  pay.set_year(2023);
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::PayCareAwards, jining_, pay).reason, "NO_BUDGET");
  iv1::SetBudgetRequest budget;
  budget.set_request_id("budget-1");
  budget.mutable_budget()->set_region_code("150902000000");
  budget.mutable_budget()->set_year(2023);
  budget.mutable_budget()->set_programme(iv1::PROGRAMME_CARE);
  budget.mutable_budget()->set_amount_fen(1'500'000);  // 15,000 yuan: one award
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::SetBudget, jining_, budget).code, StatusCode::OK);
  pay.set_request_id("pay-short");
  Outcome o = Call(&iv1::IncentiveService::Stub::PayCareAwards, jining_, pay);
  EXPECT_EQ(o.code, StatusCode::FAILED_PRECONDITION) << o;
  EXPECT_EQ(o.reason, "BUDGET_EXCEEDED");
  EXPECT_EQ(Incentive()->Count("SELECT count(*) FROM incentive.awards"), 0);  // all or nothing

  budget.set_request_id("budget-2");
  budget.mutable_budget()->set_amount_fen(2'000'000);
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::SetBudget, jining_, budget).code, StatusCode::OK);
  // Another county, an auditor: refused.
  pay.set_request_id("pay-by-siziwang");
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::PayCareAwards, siziwang_, pay).code, StatusCode::PERMISSION_DENIED);
  pay.set_request_id("pay-by-auditor");
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::PayCareAwards, auditor_, pay).code, StatusCode::PERMISSION_DENIED);

  // 12 concurrent runs (8 request ids, 4 of them sent twice): paid once.
  std::atomic<int> paid{0}, ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 12; ++i) {
    threads.emplace_back([&, i] {
      iv1::PayCareAwardsRequest req = pay;
      req.set_request_id(absl::StrCat("pay-", i % 8));
      iv1::PayCareAwardsResponse resp;
      Outcome r = Call(&iv1::IncentiveService::Stub::PayCareAwards, jining_, req, &resp);
      if (r.code == StatusCode::OK) {
        ++ok;
        if (i < 8) paid += resp.paid();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 12);
  EXPECT_EQ(paid.load(), 2);  // across the distinct runs
  EXPECT_EQ(Incentive()->Count("SELECT count(*) FROM incentive.awards"), 2);
  EXPECT_EQ(Incentive()->Count("SELECT sum(amount_fen) FROM incentive.awards"), 2'000'000);

  iv1::ListAwardsRequest list;
  list.set_year(2023);
  iv1::ListAwardsResponse awards;
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::ListAwards, jining_, list, &awards).code, StatusCode::OK);
  ASSERT_EQ(awards.awards_size(), 2);
  for (const auto& aw : awards.awards()) {
    EXPECT_EQ(aw.amount_fen(), 1'000'000);
    if (aw.cadre_id() == staff) {  // on the establishment: the village's organisation, and priorities
      EXPECT_EQ(aw.recipient(), iv1::RECIPIENT_PARTY_ORG);
      EXPECT_EQ(aw.recipient_id(), OrgOf(v[0]));
      EXPECT_TRUE(aw.priority_promotion() && aw.priority_rank() && aw.priority_honours());
    } else {
      EXPECT_EQ(aw.cadre_id(), farmer);
      EXPECT_EQ(aw.recipient(), iv1::RECIPIENT_PERSON);
      EXPECT_EQ(aw.recipient_id(), farmer);
      EXPECT_FALSE(aw.priority_promotion());
    }
  }
  iv1::GetLedgerRequest ledger_req;
  ledger_req.set_region_code("150902000000");
  ledger_req.set_year(2023);
  iv1::Ledger ledger;
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::GetLedger, jining_, ledger_req, &ledger).code, StatusCode::OK);
  ASSERT_EQ(ledger.counties_size(), 1);
  EXPECT_EQ(ledger.counties(0).to_persons(), 1);
  EXPECT_EQ(ledger.counties(0).to_party_orgs(), 1);
  EXPECT_EQ(ledger.total_fen(), 2'000'000);
  EXPECT_EQ(ledger.remaining_fen(), 0);
  // Paying again finds everyone paid.
  pay.set_request_id("pay-later");
  iv1::PayCareAwardsResponse later;
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::PayCareAwards, jining_, pay, &later).code, StatusCode::OK);
  EXPECT_EQ(later.paid(), 0);
  EXPECT_EQ(later.already_paid(), 2);

  // Publicity: a good secretary may be interviewed as one; a cadre who is
  // not is refused until elected as a delegate.
  iv1::ArrangeInterviewRequest iv;
  iv.set_request_id("interview-1");
  iv.mutable_interview()->set_cadre_id(farmer);
  iv.mutable_interview()->set_basis(iv1::BASIS_GOOD_SECRETARY);
  iv.mutable_interview()->set_outlet("乌兰察布日报");
  iv.mutable_interview()->set_topic("头雁风采");
  *iv.mutable_interview()->mutable_on() = ToDate(absl::CivilDay(2023, 12, 20));
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::ArrangeInterview, jining_, iv).code, StatusCode::OK);
  iv.set_request_id("interview-2");
  iv.mutable_interview()->set_basis(iv1::BASIS_PEOPLES_CONGRESS);
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::ArrangeInterview, jining_, iv).reason, "NOT_ELIGIBLE");
  iv1::RecommendDelegateRequest rec;
  rec.set_request_id("delegate-1");
  rec.mutable_delegate()->set_cadre_id(farmer);
  rec.mutable_delegate()->set_body(iv1::BODY_PEOPLES_CONGRESS);
  rec.mutable_delegate()->set_congress_region_code("150902000000");
  rec.mutable_delegate()->set_year(2023);
  rec.mutable_delegate()->set_reason("群众基础好");
  iv1::Delegate d;
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::RecommendDelegate, jining_, rec, &d).code, StatusCode::OK);
  EXPECT_EQ(d.status(), iv1::DELEGATE_STATUS_RECOMMENDED);
  iv1::DecideDelegateRequest decide;
  decide.set_request_id("delegate-1-elected");
  decide.set_id(d.id());
  decide.set_status(iv1::DELEGATE_STATUS_ELECTED);
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::DecideDelegate, jining_, decide, &d).code, StatusCode::OK);
  EXPECT_EQ(d.status(), iv1::DELEGATE_STATUS_ELECTED);
  decide.set_request_id("delegate-1-again");
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::DecideDelegate, jining_, decide).reason, "WRONG_STATE");
  iv.set_request_id("interview-3");
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::ArrangeInterview, jining_, iv).code, StatusCode::OK);
}

TEST_F(IncentiveTest, ARemovingExitMeasureEndsThePositionInPersonnelAfterDueProcess) {
  const auto v = VillagesOf("150902002");
  const std::string cadre = MakeSecretary(9301, v[0]);
  iv1::DecideExitMeasureRequest req;
  req.set_request_id("exit-adjust-early");
  auto* m = req.mutable_measure();
  m->set_cadre_id(cadre);
  m->set_kind(iv1::MEASURE_KIND_ORG_ADJUSTMENT);
  m->set_grounds("连续两年考核基本称职，整改不力");
  *m->mutable_decided_on() = Day(-5);
  m->set_deciding_body("集宁区委组织部");
  m->set_cadre_statement("本人无异议");
  m->set_appeal_window_days(10);
  Outcome o = Call(&iv1::IncentiveService::Stub::DecideExitMeasure, jining_, req);
  EXPECT_EQ(o.reason, "LADDER_STEP_SKIPPED") << o;  // no admonition talk first
  EXPECT_EQ(o.field, "measure.skip_reason");
  iv1::DecideExitMeasureRequest talk = req;
  talk.set_request_id("exit-talk");
  talk.mutable_measure()->set_kind(iv1::MEASURE_KIND_ADMONITION);
  talk.mutable_measure()->set_appeal_window_days(0);
  iv1::ExitMeasure admonition;
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::DecideExitMeasure, jining_, talk, &admonition).code, StatusCode::OK);
  EXPECT_FALSE(admonition.removes());
  iv1::EnforceExitMeasureRequest enforce;
  enforce.set_request_id("enforce-talk");
  enforce.set_id(admonition.id());
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::EnforceExitMeasure, jining_, enforce).reason, "NOT_REMOVING");

  req.set_request_id("exit-adjust");
  iv1::ExitMeasure adjust;
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::DecideExitMeasure, jining_, req, &adjust).code, StatusCode::OK);
  EXPECT_TRUE(adjust.removes());
  EXPECT_FALSE(adjust.position_id().empty());
  EXPECT_EQ(adjust.state(), iv1::MEASURE_STATE_DECIDED);
  enforce.set_request_id("enforce-early");
  enforce.set_id(adjust.id());
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::EnforceExitMeasure, jining_, enforce).reason, "APPEAL_WINDOW_OPEN");
  iv1::AppealExitMeasureRequest appeal;
  appeal.set_request_id("exit-appeal");
  appeal.set_id(adjust.id());
  appeal.set_appeal("请求复核考核结果");
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::AppealExitMeasure, jining_, appeal).code, StatusCode::OK);
  iv1::DecideExitAppealRequest decide;
  decide.set_request_id("exit-appeal-decided");
  decide.set_id(adjust.id());
  decide.set_granted(false);
  decide.set_decision("复核维持原决定");
  iv1::ExitMeasure upheld;
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::DecideExitAppeal, jining_, decide, &upheld).code, StatusCode::OK);
  EXPECT_EQ(upheld.state(), iv1::MEASURE_STATE_UPHELD);

  pv1::CountAdjustmentsRequest count;
  count.set_year(Today().year());
  count.set_region_code("150902000000");
  pv1::CountAdjustmentsResponse before;
  ASSERT_TRUE(stub().CountAdjustments(WithToken(city_).get(), count, &before).ok());
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::EnforceExitMeasure, siziwang_, enforce).code,
            StatusCode::PERMISSION_DENIED);
  enforce.set_request_id("enforce");
  iv1::ExitMeasure done;
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::EnforceExitMeasure, jining_, enforce, &done).code, StatusCode::OK);
  EXPECT_EQ(done.state(), iv1::MEASURE_STATE_ENFORCED);
  // A retry replays; another request is refused.
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::EnforceExitMeasure, jining_, enforce, &done).code, StatusCode::OK);
  enforce.set_request_id("enforce-twice");
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::EnforceExitMeasure, jining_, enforce).reason, "ALREADY_ENFORCED");

  // Personnel: the post ended by the exit measure, counted as an adjustment.
  pv1::ListPositionsRequest positions;
  positions.set_cadre_id(cadre);
  pv1::ListPositionsResponse got;
  ASSERT_TRUE(stub().ListPositions(WithToken(city_).get(), positions, &got).ok());
  ASSERT_EQ(got.positions_size(), 1);
  EXPECT_EQ(got.positions(0).id(), adjust.position_id());
  EXPECT_EQ(got.positions(0).end_reason(), pv1::POSITION_END_REASON_EXIT_MEASURE);
  EXPECT_TRUE(IsSet(got.positions(0).ended_on()));
  pv1::CountAdjustmentsResponse after;
  ASSERT_TRUE(stub().CountAdjustments(WithToken(city_).get(), count, &after).ok());
  EXPECT_EQ(after.total(), before.total() + 1);
}

TEST_F(IncentiveTest, CounsellingNotesAreReadOnlyByTheCityAndTheOwner) {
  const auto v = VillagesOf("150902003");
  const std::string cadre = MakeSecretary(9401, v[0]);
  iv1::RecordCareRequest care;
  care.set_request_id("care-counsel");
  care.mutable_record()->set_cadre_id(cadre);
  care.mutable_record()->set_kind(iv1::CARE_KIND_COUNSELLING);
  *care.mutable_record()->mutable_on() = Day(-3);
  care.mutable_record()->set_summary("心理疏导一次");
  care.mutable_record()->set_notes("家庭变故，情绪低落，建议每月跟进");
  iv1::CareRecord made;
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::RecordCare, jining_, care, &made).code, StatusCode::OK);
  EXPECT_EQ(made.owner(), "jining-op");
  EXPECT_EQ(made.notes(), care.record().notes());
  care.set_request_id("care-talk");
  care.mutable_record()->set_kind(iv1::CARE_KIND_TALK);
  care.mutable_record()->set_summary("谈心谈话");
  care.mutable_record()->set_notes("工作压力大");
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::RecordCare, jining_, care).code, StatusCode::OK);

  auto notes_seen_by = [&](const std::string& token) {
    iv1::ListCareRequest list;
    list.set_cadre_id(cadre);
    iv1::ListCareResponse resp;
    EXPECT_EQ(Call(&iv1::IncentiveService::Stub::ListCare, token, list, &resp).code, StatusCode::OK);
    std::vector<std::string> out;
    for (const auto& r : resp.records()) {
      out.push_back(absl::StrCat(iv1::CareKind_Name(r.kind()), ":", r.notes(), r.notes_hidden() ? ":hidden" : ""));
    }
    return out;
  };
  const std::vector<std::string> full = {"CARE_KIND_COUNSELLING:家庭变故，情绪低落，建议每月跟进",
                                         "CARE_KIND_TALK:工作压力大"};
  const std::vector<std::string> hidden = {"CARE_KIND_COUNSELLING::hidden", "CARE_KIND_TALK:工作压力大"};
  EXPECT_EQ(notes_seen_by(city_), full);
  EXPECT_EQ(notes_seen_by(jining_), full);  // the owner
  EXPECT_EQ(notes_seen_by(auditor_), hidden);
  EXPECT_EQ(notes_seen_by(Incentive()->Token(Role::kCountyOperator, "150902000000", "another-op")), hidden);
  // At rest the counselling note is sealed: neither its record, nor the
  // answer stored for retries, nor the audit trail holds it in plaintext.
  for (const char* table : {"records", "idempotency", "audit_log"}) {
    EXPECT_EQ(Incentive()->Count(absl::StrCat("SELECT count(*) FROM incentive.", table,
                                              " x WHERE x::text LIKE '%家庭变故%' OR x::text LIKE '%",
                                              absl::BytesToHexString("家庭变故"), "%'")),
              0)
        << table;
  }
  EXPECT_EQ(Incentive()->Count("SELECT count(*) FROM incentive.records WHERE restricted_sealed IS NOT NULL"), 1);
  // Each read of the counselling notes is recorded; reads that hid them are not.
  EXPECT_EQ(Incentive()->Count("SELECT count(*) FROM incentive.access_log WHERE resource = 'care/" + made.id() +
                               "' AND fields = 'notes'"),
            2);
  EXPECT_EQ(Incentive()->Count("SELECT count(*) FROM incentive.access_log WHERE resource = 'care/" + made.id() +
                               "' AND subject IN ('auditor', 'another-op')"),
            0);
  iv1::ListCareRequest other;
  other.set_region_code("150902000000");
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::ListCare, siziwang_, other).code, StatusCode::PERMISSION_DENIED);
  // Bad input names the field and writes nothing.
  const int64_t records = Incentive()->Count("SELECT count(*) FROM incentive.records");
  care.set_request_id("care-bad");
  care.mutable_record()->set_summary(std::string("坏\0字", 7));
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::RecordCare, jining_, care).field, "record.summary");
  care.mutable_record()->set_summary("ok");
  care.mutable_record()->set_aid_fen(-1);
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::RecordCare, jining_, care).field, "record.aid_fen");
  EXPECT_EQ(Incentive()->Count("SELECT count(*) FROM incentive.records"), records);
}

TEST_F(IncentiveTest, APersonalInformationRequestGathersEveryServiceInOneCall) {
  const auto v = VillagesOf("150902007");
  pv1::Cadre person = NewCadre(9801, v[0]);
  person.set_phone("13904710001");
  const std::string cadre = MakeSecretary(person, v[0], pv1::POSITION_KIND_BRANCH_SECRETARY);
  iv1::RecordCareRequest care;
  care.set_request_id("care-export");
  care.mutable_record()->set_cadre_id(cadre);
  care.mutable_record()->set_kind(iv1::CARE_KIND_COUNSELLING);
  *care.mutable_record()->mutable_on() = Day(-2);
  care.mutable_record()->set_summary("心理疏导");
  care.mutable_record()->set_notes("夜不能寐，需要陪伴");
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::RecordCare, jining_, care).code, StatusCode::OK);

  auto privacy = privacy::v1::PrivacyService::NewStub(Incentive()->channel());
  auto export_as = [&](const std::string& token, const std::string& id, privacy::v1::PersonalDataExport* out) {
    privacy::v1::ExportPersonalDataRequest req;
    req.set_cadre_id(id);
    return privacy->ExportPersonalData(WithToken(token).get(), req, out);
  };
  privacy::v1::PersonalDataExport out;
  grpc::Status s = export_as(jining_, cadre, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.cadre_id(), cadre);
  std::map<std::string, std::string> sections;
  for (const auto& x : out.sections()) sections[x.service() + "/" + x.kind()] = x.json();
  // One call, every service: what each holds, opened.
  for (const char* kind : {"personnel/cadres", "personnel/positions", "personnel/seeds", "personnel/evaluations",
                           "training/enrolments", "training/attendance", "contest/entries", "contest/results",
                           "incentive/records", "incentive/assessments", "incentive/awards"}) {
    EXPECT_TRUE(sections.count(kind)) << kind;
  }
  const std::string& cadres = sections["personnel/cadres"];
  EXPECT_NE(cadres.find(person.resident_id()), std::string::npos) << cadres;
  EXPECT_NE(cadres.find("13904710001"), std::string::npos) << cadres;
  EXPECT_NE(cadres.find(person.name()), std::string::npos);
  EXPECT_EQ(cadres.find("_sealed"), std::string::npos) << "sealed values are opened";
  EXPECT_EQ(cadres.find("resident_id_index"), std::string::npos) << "blind indexes are left out";
  EXPECT_NE(sections["personnel/positions"].find("\"kind\":1"), std::string::npos) << sections["personnel/positions"];
  EXPECT_NE(sections["incentive/records"].find("夜不能寐，需要陪伴"), std::string::npos) << sections["incentive/records"];
  // Recorded as reads of the person's data, by each service that answered.
  EXPECT_EQ(Incentive()->Count("SELECT count(*) FROM incentive.access_log WHERE resource = 'cadres/" + cadre +
                               "' AND fields = 'export' AND subject = 'jining-op'"),
            1);
  EXPECT_EQ(Personnel()->Count("SELECT count(*) FROM personnel.access_log WHERE resource = 'cadres/" + cadre +
                               "' AND fields = 'export'"),
            1);
  // Who may ask, and about whom.
  EXPECT_EQ(OutcomeOf(export_as(auditor_, cadre, &out)).reason, "ROLE_NOT_ALLOWED");
  Outcome o = OutcomeOf(export_as(siziwang_, cadre, &out));
  EXPECT_EQ(o.code, StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(o.field, "cadre_id");
  EXPECT_EQ(OutcomeOf(export_as(jining_, "150902-987654321", &out)).code, StatusCode::NOT_FOUND);
  o = OutcomeOf(export_as(jining_, "not-an-id", &out));
  EXPECT_EQ(o.code, StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(o.field, "cadre_id");
}

// A departed cadre's record anonymised by personnel leaves no copy of their
// name in the other services: each one's maintenance asks personnel which
// records were anonymised and replaces its copies (audited); a published
// round's digest still verifies.
TEST_F(IncentiveTest, ADepartedCadresNameLeavesTheCopiesEveryServiceKept) {
  const auto v = VillagesOf("150902008");
  ASSERT_GE(v.size(), 2u);
  const pv1::Cadre person = NewCadre(9901, v[0]);
  const std::string gone = MakeSecretary(person, v[0], pv1::POSITION_KIND_BRANCH_SECRETARY);
  const pv1::Cadre other = NewCadre(9902, v[1]);
  const std::string stays = MakeSecretary(other, v[1], pv1::POSITION_KIND_BRANCH_SECRETARY);

  // Training: both enrolled in a class.
  auto training = tv1::TrainingService::NewStub(Service("training")->channel());
  tv1::CreateClassRequest cc;
  cc.set_request_id("anon-class");
  tv1::TrainingClass& c = *cc.mutable_training_class();
  c.set_tier(tv1::TIER_COUNTY);
  c.set_region_code("150902000000");
  c.set_title("村党组织书记培训班");
  c.set_theme("基层治理");
  c.set_year(static_cast<int>(Today().year()));
  c.add_formats(tv1::FORMAT_LECTURE);
  c.set_venue("旗县委党校");
  c.set_venue_kind(tv1::VENUE_KIND_COUNTY_PARTY_SCHOOL);
  c.set_capacity(10);
  c.set_completion_min_percent(60);
  *c.add_segments()->mutable_start_date() = Day(-10);
  c.mutable_segments(0)->set_title("第1段");
  tv1::TrainingClass cls;
  grpc::Status s = training->CreateClass(WithToken(jining_).get(), cc, &cls);
  ASSERT_TRUE(s.ok()) << s.error_message();
  for (const std::string& id : {gone, stays}) {
    tv1::EnrolRequest enrol;
    enrol.set_request_id("anon-enrol-" + id);
    enrol.set_class_id(cls.id());
    enrol.mutable_trainee()->set_kind(tv1::TRAINEE_KIND_VILLAGE_SECRETARY);
    enrol.mutable_trainee()->set_cadre_id(id);
    tv1::Enrolment e;
    s = training->Enrol(WithToken(jining_).get(), enrol, &e);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // Contest: both entered on panel A; the departing cadre also judges panel B.
  cv1::Round round = NewRound(jining_, "anon", "150902");
  ASSERT_EQ(Advance(jining_, "anon-open", round, cv1::ROUND_STATE_OPEN).code, StatusCode::OK);
  std::vector<cv1::Entry> entries(2);
  ASSERT_EQ(Enter(jining_, "anon-e0", round, gone, &entries[0]).code, StatusCode::OK);
  ASSERT_EQ(Enter(jining_, "anon-e1", round, stays, &entries[1]).code, StatusCode::OK);
  for (const cv1::Entry& e : entries) ASSERT_EQ(Assign(jining_, "anon-p" + e.id(), e, "A").code, StatusCode::OK);
  cv1::Judge judge, cadre_judge;
  ASSERT_EQ(AddJudge(jining_, "anon-j", round, "评委甲", "A", &judge).code, StatusCode::OK);
  ASSERT_EQ(AddJudge(jining_, "anon-jc", round, person.name(), "B", &cadre_judge, "", gone).code, StatusCode::OK);
  ASSERT_EQ(Advance(jining_, "anon-judge", round, cv1::ROUND_STATE_JUDGING).code, StatusCode::OK);
  std::vector<cv1::Score> scores;
  for (const char* d : {"rural_governance", "collective_economy", "practical_deeds"}) {
    scores.push_back(S(judge, entries[0], d, 90));
    scores.push_back(S(judge, entries[1], d, 80));
  }
  cv1::SubmitScoresResponse stored;
  ASSERT_TRUE(Batch(jining_, "anon-scores", round, scores, &stored).ok());
  ClosePublish(jining_, "anon", round);
  const cv1::Results published = Results(jining_, round);
  ASSERT_EQ(published.entries_size(), 2);

  // Incentive: a record of each.
  ASSERT_EQ(Input("anon-in-0", gone, iv1::INPUT_KIND_DAILY_MANAGEMENT, 80).code, StatusCode::OK);
  ASSERT_EQ(Input("anon-in-1", stays, iv1::INPUT_KIND_DAILY_MANAGEMENT, 85).code, StatusCode::OK);

  // Before: nothing to follow.
  for (const char* name : {"training", "contest", "incentive"}) {
    absl::StatusOr<int64_t> n = Service(name)->server().AnonymiseDeparted();
    ASSERT_TRUE(n.ok()) << name << ": " << n.status();
  }
  // The cadre's post ended in 2021: past the five years, personnel anonymises.
  pv1::ListPositionsRequest lp;
  lp.set_cadre_id(gone);
  pv1::ListPositionsResponse posts;
  ASSERT_TRUE(stub().ListPositions(WithToken(city_).get(), lp, &posts).ok());
  ASSERT_EQ(posts.positions_size(), 1);
  pv1::EndPositionRequest end;
  end.set_request_id("anon-end");
  end.set_id(posts.positions(0).id());
  *end.mutable_ended_on() = ToDate(absl::CivilDay(2021, 6, 30));
  end.set_reason(pv1::POSITION_END_REASON_TERM_END);
  pv1::Position ended;
  s = stub().EndPosition(WithToken(city_).get(), end, &ended);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_GE(*Personnel()->server().AnonymiseDeparted(), 1);
  pv1::Cadre after;
  ASSERT_TRUE(Get(city_, gone, &after).ok());
  ASSERT_TRUE(after.anonymised());

  // Each service follows: the enrolment; the entry, the judge and the
  // result; the record — 5 rows, and nothing the next time.
  std::map<std::string, int64_t> changed;
  for (const char* name : {"training", "contest", "incentive"}) {
    absl::StatusOr<int64_t> n = Service(name)->server().AnonymiseDeparted();
    ASSERT_TRUE(n.ok()) << name << ": " << n.status();
    changed[name] = *n;
    EXPECT_EQ(*Service(name)->server().AnonymiseDeparted(), 0) << name << ": once";
  }
  EXPECT_EQ(changed, (std::map<std::string, int64_t>{{"contest", 3}, {"incentive", 1}, {"training", 1}}));

  // Read back through each API: the name personnel's record keeps; the
  // other cadre's copies untouched.
  tv1::ListEnrolmentsRequest le;
  le.set_class_id(cls.id());
  tv1::ListEnrolmentsResponse enrolled;
  ASSERT_TRUE(training->ListEnrolments(WithToken(jining_).get(), le, &enrolled).ok());
  std::map<std::string, std::string> trainees;
  for (const auto& e : enrolled.enrolments()) trainees[e.trainee().cadre_id()] = e.trainee().name();
  EXPECT_EQ(trainees, (std::map<std::string, std::string>{{gone, after.name()}, {stays, other.name()}}));
  const cv1::Results now = Results(jining_, round);
  EXPECT_EQ(now.digest(), published.digest()) << "the digest covers ids, scores and ranks, not names";
  std::map<std::string, std::string> ranked;
  for (const auto& r : now.entries()) ranked[r.cadre_id()] = r.cadre_name();
  EXPECT_EQ(ranked, (std::map<std::string, std::string>{{gone, after.name()}, {stays, other.name()}}));

  // What still holds the name: only the audit trail and the answers kept for
  // retries, which leave first (--audit-retention and
  // --idempotency-retention are shorter than --departed-retention).
  for (const std::string& table : TablesHolding(person.name())) {
    EXPECT_TRUE(absl::StrContains(table, ".audit_log") || absl::EndsWith(table, ".idempotency")) << table;
  }
  EXPECT_FALSE(TablesHolding(other.name()).empty());
  // Each service's change is in its audit trail.
  for (const char* name : {"training", "contest", "incentive"}) {
    EXPECT_GE(Service(name)->Count(absl::StrCat("SELECT count(*) FROM ", name,
                                                ".audit_log WHERE method = 'AnonymiseDeparted' AND subject = '",
                                                name, "-maintenance'")),
              1)
        << name;
  }
}

TEST_F(IncentiveTest, OverdueCasesAndWellbeingAlertsListExactlyTheSeededCases) {
  const auto v = VillagesOf("150902004");
  const std::string x = MakeSecretary(9501, v[0]), y = MakeSecretary(9502, v[1]), z = MakeSecretary(9503, v[2]);

  auto flag = [&](const std::string& rid, const std::string& cadre, int raised, int due) {
    iv1::RaiseFlagRequest req;
    req.set_request_id(rid);
    auto* c = req.mutable_supervision_case();
    c->set_cadre_id(cadre);
    c->set_kind(iv1::FLAG_KIND_SLOW_ACTION);
    c->set_reminder("提醒：村集体经济项目进度滞后");
    *c->mutable_raised_on() = Day(raised);
    *c->mutable_rectify_by() = Day(due);
    iv1::SupervisionCase out;
    EXPECT_EQ(Call(&iv1::IncentiveService::Stub::RaiseFlag, jining_, req, &out).code, StatusCode::OK);
    return out;
  };
  const iv1::SupervisionCase overdue = flag("case-overdue", x, -40, -10);
  const iv1::SupervisionCase rectified = flag("case-rectified", y, -40, -10);
  flag("case-future", z, -5, 20);
  EXPECT_TRUE(overdue.overdue());
  iv1::AddFollowUpRequest fu;
  fu.set_request_id("case-rectified-fu");
  fu.set_case_id(rectified.id());
  *fu.mutable_follow_up()->mutable_on() = Day(-12);
  fu.mutable_follow_up()->set_note("项目已复工");
  fu.mutable_follow_up()->set_rectified(true);
  iv1::SupervisionCase after;
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::AddFollowUp, jining_, fu, &after).code, StatusCode::OK);
  EXPECT_TRUE(after.rectified());
  EXPECT_EQ(after.follow_ups_size(), 1);
  fu.set_request_id("case-rectified-fu-2");
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::AddFollowUp, jining_, fu).reason, "CASE_CLOSED");
  iv1::ListCasesRequest cases;
  cases.set_region_code("150902004000");
  cases.set_overdue_only(true);
  iv1::ListCasesResponse listed;
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::ListCases, jining_, cases, &listed).code, StatusCode::OK);
  ASSERT_EQ(listed.cases_size(), 1);
  EXPECT_EQ(listed.cases(0).id(), overdue.id());
  cases.set_region_code("150902000000");
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::ListCases, siziwang_, cases).code, StatusCode::PERMISSION_DENIED);

  auto check_in = [&](const std::string& rid, const std::string& cadre, int day, int low_axis) {
    iv1::CheckInRequest req;
    req.set_request_id(rid);
    auto* c = req.mutable_check_in();
    c->set_cadre_id(cadre);
    *c->mutable_on() = Day(day);
    c->set_mind(low_axis);
    c->set_body(4);
    c->set_work(4);
    c->set_life(4);
    iv1::WellbeingCheckIn out;
    EXPECT_EQ(Call(&iv1::IncentiveService::Stub::CheckIn, jining_, req, &out).code, StatusCode::OK);
    return out;
  };
  auto talk = [&](const std::string& rid, const std::string& cadre, int day) {
    iv1::RecordCareRequest req;
    req.set_request_id(rid);
    req.mutable_record()->set_cadre_id(cadre);
    req.mutable_record()->set_kind(iv1::CARE_KIND_TALK);
    *req.mutable_record()->mutable_on() = Day(day);
    req.mutable_record()->set_summary("谈心谈话");
    EXPECT_EQ(Call(&iv1::IncentiveService::Stub::RecordCare, jining_, req).code, StatusCode::OK);
  };
  const iv1::WellbeingCheckIn alert1 = check_in("ci-1", x, -60, 1);  // low, nothing since
  check_in("ci-2", y, -60, 2);                                        // low, talked 10 days later
  talk("ci-2-talk", y, -50);
  check_in("ci-3", z, -10, 1);                                        // low, 30 days not over yet
  check_in("ci-4", z, -60, 4);                                        // not low
  const iv1::WellbeingCheckIn alert2 = check_in("ci-5", y, -100, 2);  // low, talked 50 days later: too late
  talk("ci-5-talk", y, -45);
  EXPECT_TRUE(alert1.low());
  std::vector<iv1::WellbeingAlert> alerts = AllAlerts(jining_, "150902004000");  // paged one by one
  ASSERT_EQ(alerts.size(), 2u);
  std::set<std::string> ids = {alerts[0].check_in().id(), alerts[1].check_in().id()};
  EXPECT_EQ(ids, (std::set<std::string>{alert1.id(), alert2.id()}));
  for (const auto& a : alerts) EXPECT_GT(a.days_without_follow_up(), 30);
  EXPECT_TRUE(AllAlerts(city_, "150929000000").empty());
}

TEST_F(IncentiveTest, PromotionsAreReportedPerChannel) {
  const auto v = VillagesOf("150902005");
  const int counts[] = {2, 1, 1};  // township deputy, civil service, public institution
  int seq = 9600;
  for (int ch = 0; ch < 3; ++ch) {
    for (int i = 0; i < counts[ch]; ++i, ++seq) {
      iv1::RecordPromotionRequest req;
      req.set_request_id(absl::StrCat("promo-", seq));
      req.mutable_promotion()->set_cadre_id(MakeSecretary(seq, v[seq - 9600]));
      req.mutable_promotion()->set_channel(static_cast<iv1::Channel>(ch + 1));
      req.mutable_promotion()->set_year(2023);
      req.mutable_promotion()->set_post("副镇长");
      *req.mutable_promotion()->mutable_effective_on() = ToDate(absl::CivilDay(2023, 9, 1));
      ASSERT_EQ(Call(&iv1::IncentiveService::Stub::RecordPromotion, jining_, req).code, StatusCode::OK);
      ASSERT_EQ(Call(&iv1::IncentiveService::Stub::RecordPromotion, jining_, req).code, StatusCode::OK);  // retry
    }
  }
  iv1::RecordPromotionRequest bad;
  bad.set_request_id("promo-bad");
  bad.mutable_promotion()->set_cadre_id("150902-1");
  bad.mutable_promotion()->set_channel(iv1::CHANNEL_CIVIL_SERVICE);
  bad.mutable_promotion()->set_year(2023);
  bad.mutable_promotion()->set_post("科员");
  *bad.mutable_promotion()->mutable_effective_on() = ToDate(absl::CivilDay(2022, 9, 1));
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::RecordPromotion, jining_, bad).field, "promotion.effective_on");
  iv1::PromotionReportRequest report;
  report.set_year(2023);
  report.set_region_code("150902005000");
  iv1::PromotionReportResponse got;
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::PromotionReport, auditor_, report, &got).code, StatusCode::OK);
  ASSERT_EQ(got.totals_size(), 3);
  for (int ch = 0; ch < 3; ++ch) EXPECT_EQ(got.totals(ch).promotions(), counts[ch]) << ch;
}

// Hostile values in every string and number field of incentive's mutations
// (tests/support/hostile.h): stored verbatim and read back identical, or
// refused naming the field; never INTERNAL.
TEST_F(IncentiveTest, HostileInputIsStoredVerbatimOrRefusedNamingTheField) {
  const auto v = VillagesOf("150902006");
  const std::string cadre = MakeSecretary(9701, v[0]);
  const std::string city = city_, op = jining_;
  // Care records and cases are read back from the cadre's list.
  iv1::ListCareRequest cares;
  cares.set_cadre_id(cadre);
  cares.set_page_size(1000);
  iv1::ListCasesRequest cases;
  cases.set_cadre_id(cadre);
  cases.set_page_size(1000);

  iv1::RecordCareRequest care;
  care.mutable_record()->set_cadre_id(cadre);
  care.mutable_record()->set_kind(iv1::CARE_KIND_COUNSELLING);
  *care.mutable_record()->mutable_on() = Day(-1);
  care.mutable_record()->set_summary("心理疏导");
  care.mutable_record()->set_notes("记录");
  HostileSweep::SweepMutation<iv1::CareRecord>(
      care, "record.", {"id", "county_code", "cadre_name", "owner"},
      [&](const iv1::RecordCareRequest& r, iv1::CareRecord* a) { return incentive().RecordCare(WithToken(city).get(), r, a); },
      HostileSweep::ReadListed(incentive(), &iv1::IncentiveService::Stub::ListCare, cares, city));

  iv1::RaiseFlagRequest flag;
  auto* c = flag.mutable_supervision_case();
  c->set_cadre_id(cadre);
  c->set_kind(iv1::FLAG_KIND_POOR_STATE);
  c->set_reminder("提醒");
  *c->mutable_raised_on() = Day(-10);
  *c->mutable_rectify_by() = Day(10);
  HostileSweep::SweepMutation<iv1::SupervisionCase>(
      flag, "supervision_case.", {"id", "county_code", "cadre_name"},
      [&](const iv1::RaiseFlagRequest& r, iv1::SupervisionCase* a) { return incentive().RaiseFlag(WithToken(op).get(), r, a); },
      HostileSweep::ReadListed(incentive(), &iv1::IncentiveService::Stub::ListCases, cases, op));

  // The rest answer with the record as stored.
  iv1::RecordInputRequest input;
  input.mutable_input()->set_cadre_id(cadre);
  input.mutable_input()->set_year(2023);
  input.mutable_input()->set_kind(iv1::INPUT_KIND_ANNUAL_REVIEW);
  input.mutable_input()->set_value(80);
  *input.mutable_input()->mutable_recorded_on() = Day(-1);
  input.mutable_input()->set_note("备注");
  HostileSweep::SweepMutation<iv1::AssessmentInput>(
      input, "input.", {"id", "county_code", "cadre_name", "recorded_by"},
      [&](const iv1::RecordInputRequest& r, iv1::AssessmentInput* a) { return incentive().RecordInput(WithToken(op).get(), r, a); });

  iv1::DecideExitMeasureRequest measure;
  auto* em = measure.mutable_measure();
  em->set_cadre_id(cadre);
  em->set_kind(iv1::MEASURE_KIND_ADMONITION);
  em->set_grounds("依据");
  *em->mutable_decided_on() = Day(-1);
  em->set_deciding_body("区委组织部");
  HostileSweep::SweepMutation<iv1::ExitMeasure>(
      measure, "measure.", {"id", "county_code", "cadre_name", "appeal", "appeal_decision", "position_id"},
      [&](const iv1::DecideExitMeasureRequest& r, iv1::ExitMeasure* a) {
        return incentive().DecideExitMeasure(WithToken(op).get(), r, a);
      });

  iv1::RecordPromotionRequest promo;
  promo.mutable_promotion()->set_cadre_id(cadre);
  promo.mutable_promotion()->set_channel(iv1::CHANNEL_PUBLIC_INSTITUTION);
  promo.mutable_promotion()->set_year(2023);
  promo.mutable_promotion()->set_post("事业编制");
  *promo.mutable_promotion()->mutable_effective_on() = ToDate(absl::CivilDay(2023, 3, 1));
  HostileSweep::SweepMutation<iv1::Promotion>(
      promo, "promotion.", {"id", "county_code", "cadre_name"},
      [&](const iv1::RecordPromotionRequest& r, iv1::Promotion* a) { return incentive().RecordPromotion(WithToken(op).get(), r, a); });

  iv1::RecommendDelegateRequest delegate;
  delegate.mutable_delegate()->set_cadre_id(cadre);
  delegate.mutable_delegate()->set_body(iv1::BODY_PARTY_CONGRESS);
  delegate.mutable_delegate()->set_congress_region_code("150902000000");
  delegate.mutable_delegate()->set_year(2023);
  delegate.mutable_delegate()->set_reason("理由");
  HostileSweep::SweepMutation<iv1::Delegate>(
      delegate, "delegate.", {"id", "county_code", "cadre_name"},
      [&](const iv1::RecommendDelegateRequest& r, iv1::Delegate* a) {
        return incentive().RecommendDelegate(WithToken(op).get(), r, a);
      });

  iv1::CheckInRequest check;
  check.mutable_check_in()->set_cadre_id(cadre);
  *check.mutable_check_in()->mutable_on() = Day(-1);
  for (auto set : {&iv1::WellbeingCheckIn::set_mind, &iv1::WellbeingCheckIn::set_body,
                   &iv1::WellbeingCheckIn::set_work, &iv1::WellbeingCheckIn::set_life}) {
    (check.mutable_check_in()->*set)(3);
  }
  HostileSweep::SweepMutation<iv1::WellbeingCheckIn>(
      check, "check_in.", {"id", "county_code", "cadre_name"},
      [&](const iv1::CheckInRequest& r, iv1::WellbeingCheckIn* a) { return incentive().CheckIn(WithToken(op).get(), r, a); });

  iv1::SetSchemeRequest scheme;
  *scheme.mutable_scheme() = ExampleScheme("150902", 2024);
  HostileSweep::SweepMutation<iv1::Scheme>(
      scheme, "scheme.", {},
      [&](const iv1::SetSchemeRequest& r, iv1::Scheme* a) { return incentive().SetScheme(WithToken(op).get(), r, a); },
      [&](const iv1::Scheme& a, iv1::Scheme* stored) {
        iv1::GetSchemeRequest get;
        get.set_county_code(a.county_code());
        get.set_year(a.year());
        return incentive().GetScheme(WithToken(op).get(), get, stored);
      });

  iv1::OpenEvaluationRequest eval;
  eval.mutable_evaluation()->set_village_code(v[0]);
  eval.mutable_evaluation()->set_year(2023);
  *eval.mutable_evaluation()->mutable_meeting_date() = Day(-1);
  eval.mutable_evaluation()->add_cadre_ids(cadre);
  eval.mutable_evaluation()->set_electorate(30);
  HostileSweep::SweepMutation<iv1::Evaluation>(
      eval, "evaluation.", {"id", "county_code"},
      [&](const iv1::OpenEvaluationRequest& r, iv1::Evaluation* a) { return incentive().OpenEvaluation(WithToken(op).get(), r, a); },
      HostileSweep::ReadById(incentive(), &iv1::IncentiveService::Stub::GetEvaluation, op));
}

}  // namespace
}  // namespace touyan::testing
