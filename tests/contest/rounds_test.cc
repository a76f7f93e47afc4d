// Contest rounds beyond one round's flow: live standings, advancers to the
// next round, entering a region's secretaries, concurrent retries, hostile
// input. The same binary as contest_test.cc (its environment).
#include <functional>
#include <mutex>
#include <set>
#include <thread>

#include "common/time/date.h"
#include "services/contest/spec.h"
#include "tests/contest/fixture.h"
#include "tests/support/hostile.h"

namespace touyan::testing {
namespace {

TEST_F(ContestTest, LiveStandingsFollowTheScoresUntilTheRoundCloses) {
  const auto v = VillagesOf("150924");
  const std::string county = Personnel()->Token(Role::kCountyOperator, "150924000000", "xinghe");
  const std::string a = MakeSecretary(8401, v[0]), b = MakeSecretary(8402, v[1]);
  // Before judging there is nothing to watch.
  {
    cv1::Round draft = NewRound(county, "live-draft", "150924");
    cv1::WatchStandingsRequest req;
    req.set_round_id(draft.id());
    auto ctx = WithToken(county);
    auto reader = contest().WatchStandings(ctx.get(), req);
    cv1::Standings st;
    EXPECT_FALSE(reader->Read(&st));
    EXPECT_EQ(OutcomeOf(reader->Finish()).reason, "WRONG_STATE");
  }
  Judging judging = StartJudging(county, "live", "150924", {a, b}, 1);
  const cv1::Round& round = judging.round;
  const cv1::Entry& eb = judging.entries[1];
  const cv1::Judge& j = judging.judges[0];

  cv1::WatchStandingsRequest req;
  req.set_round_id(round.id());
  auto ctx = WithToken(county);
  auto reader = contest().WatchStandings(ctx.get(), req);
  cv1::Standings st;
  ASSERT_TRUE(reader->Read(&st));  // the standings now
  EXPECT_EQ(st.scores(), 0);
  ASSERT_EQ(st.entries_size(), 2);
  EXPECT_FALSE(st.final());
  ASSERT_EQ(Score(county, "live-s1", round, j, eb, "rural_governance", 77).code,
            grpc::StatusCode::OK);
  ASSERT_TRUE(reader->Read(&st));  // an update after the score
  EXPECT_EQ(st.scores(), 1);
  EXPECT_EQ(st.entries(0).entry_id(), eb.id());
  EXPECT_DOUBLE_EQ(st.entries(0).total(), 77);
  ASSERT_EQ(Advance(county, "live-close", round, cv1::ROUND_STATE_CLOSED).code,
            grpc::StatusCode::OK);
  ASSERT_TRUE(reader->Read(&st));
  EXPECT_TRUE(st.final());
  EXPECT_EQ(st.state(), cv1::ROUND_STATE_CLOSED);
  EXPECT_FALSE(reader->Read(&st));
  grpc::Status s = reader->Finish();
  EXPECT_TRUE(s.ok()) << s.error_message();
  // Another county may not watch.
  auto other = WithToken(siziwang_);
  auto denied = contest().WatchStandings(other.get(), req);
  EXPECT_FALSE(denied->Read(&st));
  EXPECT_EQ(denied->Finish().error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(ContestTest, AdvancersMoveFromTheCountyFinalToTheCityFinal) {
  const auto v = VillagesOf("150925");
  const std::string county =
      Personnel()->Token(Role::kCountyOperator, "150925000000", "liangcheng");
  const std::string a = MakeSecretary(8501, v[0]), b = MakeSecretary(8502, v[1]);
  Judging judging = StartJudging(county, "pr", "150925", {a, b}, 1);  // advance_top_n = 1
  const cv1::Round& final_round = judging.round;
  const cv1::Judge& j = judging.judges[0];
  cv1::SubmitScoresResponse stored;
  ASSERT_TRUE(Batch(county, "pr-scores", final_round,
                    {S(j, judging.entries[0], "rural_governance", 70),
                     S(j, judging.entries[1], "rural_governance", 90)},
                    &stored)
                  .ok());
  ClosePublish(county, "pr", final_round);

  // The city final.
  cv1::CreateContestRequest cc;
  cc.set_request_id("pr-city");
  cc.mutable_contest()->set_level(cv1::LEVEL_CITY);
  cc.mutable_contest()->set_region_code("150900000000");
  cc.mutable_contest()->set_year(2023);
  cc.mutable_contest()->set_title("全市擂台比武");
  cc.mutable_contest()->add_fields(cv1::FIELD_VILLAGE);
  cc.mutable_contest()->add_fields(cv1::FIELD_COMMUNITY);
  cv1::Contest city_contest;
  ASSERT_TRUE(contest().CreateContest(WithToken(city_).get(), cc, &city_contest).ok());
  cv1::CreateRoundRequest cr;
  cr.set_request_id("pr-city-round");
  cr.mutable_round()->set_contest_id(city_contest.id());
  cr.mutable_round()->set_name("市级决赛");
  cv1::Round city_round;
  ASSERT_TRUE(contest().CreateRound(WithToken(city_).get(), cr, &city_round).ok());
  ASSERT_EQ(Advance(city_, "pr-city-open", city_round, cv1::ROUND_STATE_OPEN).code,
            grpc::StatusCode::OK);

  cv1::PromoteAdvancersRequest pr;
  pr.set_request_id("pr-promote");
  pr.set_from_round_id(final_round.id());
  pr.set_to_round_id(city_round.id());
  cv1::PromoteAdvancersResponse promoted;
  EXPECT_EQ(contest().PromoteAdvancers(WithToken(county).get(), pr, &promoted).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);  // the city's round is the city's to fill
  grpc::Status s = contest().PromoteAdvancers(WithToken(city_).get(), pr, &promoted);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(promoted.entries_size(), 1);
  EXPECT_EQ(promoted.entries(0).cadre_id(), b);  // the county's winner
  EXPECT_EQ(promoted.entries(0).report().title(), "述职报告");
  EXPECT_EQ(promoted.entries(0).round_id(), city_round.id());
  pr.set_request_id("pr-promote-again");
  ASSERT_TRUE(contest().PromoteAdvancers(WithToken(city_).get(), pr, &promoted).ok());
  EXPECT_EQ(promoted.entries_size(), 0);  // entered already
}

TEST_F(ContestTest, EnterSecretariesEntersARegionsSecretariesOfTheContestsFieldsOnce) {
  const auto v = VillagesOf("150981");  // 丰镇市
  const std::string county = Personnel()->Token(Role::kCountyOperator, "150981000000", "fengzhen");
  const std::string a = MakeSecretary(8701, v[0]), b = MakeSecretary(8702, v[1]);
  // A school's secretary: the contest covers villages and communities only.
  pv1::CreatePartyOrgRequest org;
  org.set_request_id("es-school");
  org.mutable_party_org()->set_name("丰镇市第一中学党支部");
  org.mutable_party_org()->set_kind(pv1::PARTY_ORG_KIND_SCHOOL);
  org.mutable_party_org()->set_region_code("150981000000");
  pv1::PartyOrg school;
  ASSERT_TRUE(stub().CreatePartyOrg(WithToken(city_).get(), org, &school).ok());
  MakeSecretaryOf(NewCadre(8703, v[2]), school.id(), pv1::POSITION_KIND_BRANCH_SECRETARY);

  const cv1::Round round = NewRound(county, "es", "150981");
  cv1::EnterSecretariesRequest req;
  req.set_request_id("es-enter");
  req.set_round_id(round.id());
  req.set_panel("A");
  cv1::EnterSecretariesResponse got;
  EXPECT_EQ(OutcomeOf(contest().EnterSecretaries(WithToken(county).get(), req, &got)).code,
            grpc::StatusCode::FAILED_PRECONDITION);  // a DRAFT round takes no entries
  ASSERT_EQ(Advance(county, "es-open", round, cv1::ROUND_STATE_OPEN).code, grpc::StatusCode::OK);
  const std::string other = Personnel()->Token(Role::kCountyOperator, "150902000000", "jining");
  EXPECT_EQ(OutcomeOf(contest().EnterSecretaries(WithToken(other).get(), req, &got)).code,
            grpc::StatusCode::PERMISSION_DENIED);
  cv1::EnterSecretariesRequest wide = req;
  wide.set_request_id("es-wide");
  wide.set_panel(std::string(21, 'A'));
  EXPECT_EQ(OutcomeOf(contest().EnterSecretaries(WithToken(county).get(), wide, &got)).field,
            "panel");

  grpc::Status s = contest().EnterSecretaries(WithToken(county).get(), req, &got);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(got.entered(), 2);
  EXPECT_EQ(got.already_entered(), 0);
  cv1::ListEntriesRequest le;
  le.set_round_id(round.id());
  cv1::ListEntriesResponse entries;
  ASSERT_TRUE(contest().ListEntries(WithToken(county).get(), le, &entries).ok());
  std::set<std::string> entered;
  for (const auto& e : entries.entries()) {
    entered.insert(e.cadre_id());
    EXPECT_EQ(e.panel(), "A");
    EXPECT_EQ(e.report().title(), "述职报告");
    EXPECT_FALSE(e.party_org_id().empty());
  }
  EXPECT_EQ(entered, (std::set<std::string>{a, b}));
  // A retry answers the same; a new request enters nobody twice.
  ASSERT_TRUE(contest().EnterSecretaries(WithToken(county).get(), req, &got).ok());
  EXPECT_EQ(got.entered(), 2);
  req.set_request_id("es-enter-again");
  ASSERT_TRUE(contest().EnterSecretaries(WithToken(county).get(), req, &got).ok());
  EXPECT_EQ(got.entered(), 0);
  EXPECT_EQ(got.already_entered(), 2);
}

TEST_F(ContestTest, SixteenClientsWithOneRequestIdApplyOnce) {
  const auto v = VillagesOf("150926");
  const std::string county = Personnel()->Token(Role::kCountyOperator, "150926000000", "qianqi");
  const std::string a = MakeSecretary(8601, v[0]), b = MakeSecretary(8602, v[1]);
  Judging judging = StartJudging(county, "race", "150926", {a, b}, 1);
  const cv1::Round& round = judging.round;
  const cv1::Entry &ea = judging.entries[0], &eb = judging.entries[1];
  const cv1::Judge& j = judging.judges[0];

  auto race = [](const std::function<grpc::Status()>& call) {
    std::vector<grpc::Status> out(16);
    std::vector<std::thread> threads;
    for (int i = 0; i < 16; ++i) threads.emplace_back([&, i] { out[i] = call(); });
    for (auto& t : threads) t.join();
    return out;
  };
  // One score batch, sent by 16 clients at once (streams beyond the
  // server's stream slots are RESOURCE_EXHAUSTED and retried, as clients do).
  std::vector<cv1::Score> scores = {S(j, ea, "rural_governance", 90),
                                    S(j, eb, "rural_governance", 60)};
  for (const auto& s : race([&] {
         cv1::SubmitScoresResponse r;
         grpc::Status st;
         for (int attempt = 0; attempt < 200; ++attempt) {
           st = Batch(county, "race-batch", round, scores, &r);
           if (st.error_code() != grpc::StatusCode::RESOURCE_EXHAUSTED) break;
           std::this_thread::sleep_for(std::chrono::milliseconds(10));
         }
         return st;
       })) {
    EXPECT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_EQ(Contest()->Count("SELECT count(*) FROM contest.score_sheets WHERE round_id = " +
                             round.id().substr(7)),
            2);
  EXPECT_EQ(
      Contest()->Count("SELECT count(*) FROM contest.idempotency WHERE request_id = 'race-batch'"),
      1);

  ClosePublish(county, "race", round);

  // Outcomes, converted by 16 clients at once: each designation once in personnel.
  cv1::ConvertOutcomesRequest oc;
  oc.set_request_id("race-outcomes");
  oc.set_round_id(round.id());
  auto* top = oc.add_rules();
  top->set_kind(cv1::OUTCOME_KIND_STRONGEST_BRANCH);
  top->set_n(1);
  auto* bottom = oc.add_rules();
  bottom->set_kind(cv1::OUTCOME_KIND_RECTIFICATION_TARGET);
  bottom->set_n(1);
  bottom->set_instructor("旗委组织部派驻指导员");
  *bottom->mutable_rectification_deadline() = ToDate(absl::CivilDay(2024, 6, 30));
  std::vector<std::string> firsts(16);
  int i = 0;
  std::mutex mu;
  for (const auto& s : race([&] {
         cv1::ConvertOutcomesResponse r;
         grpc::Status st = contest().ConvertOutcomes(WithToken(county).get(), oc, &r);
         std::lock_guard<std::mutex> l(mu);
         if (st.ok() && r.outcomes_size() > 0) firsts[i++] = r.outcomes(0).designation_id();
         return st;
       })) {
    EXPECT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_EQ(
      Personnel()->Count(
          "SELECT count(*) FROM personnel.designations WHERE source LIKE 'contest/outcomes/%' "
          "AND county_code = '150926'"),
      2);
  for (int k = 1; k < i; ++k) EXPECT_EQ(firsts[k], firsts[0]);
}

// Hostile values in every string and number field of contest's main
// mutations (tests/support/hostile.h): stored verbatim and read back
// identical, or refused naming the field; never INTERNAL.
TEST_F(ContestTest, HostileInputIsStoredVerbatimOrRefusedNamingTheField) {
  cv1::CreateContestRequest cc;
  auto* c = cc.mutable_contest();
  c->set_level(cv1::LEVEL_COUNTY);
  c->set_region_code("150902000000");
  c->set_year(2023);
  c->set_title("擂台比武");
  c->add_fields(cv1::FIELD_VILLAGE);
  const std::string op = jining_;
  HostileSweep::SweepMutation<cv1::Contest>(
      cc, "contest.", {"id", "county_code"},
      [&](const cv1::CreateContestRequest& r, cv1::Contest* a) {
        return contest().CreateContest(WithToken(op).get(), r, a);
      },
      HostileSweep::ReadById(contest(), &cv1::ContestService::Stub::GetContest, op));

  cv1::Round round = NewRound(jining_, "hostile", "150902");
  cv1::AddJudgeRequest judge;
  judge.mutable_judge()->set_round_id(round.id());
  judge.mutable_judge()->set_name("评委");
  judge.mutable_judge()->set_panel("A");
  HostileSweep::SweepMutation<cv1::Judge>(judge, "judge.", {"id", "county_code", "party_org_id"},
                                          [&](const cv1::AddJudgeRequest& r, cv1::Judge* a) {
                                            return contest().AddJudge(WithToken(op).get(), r, a);
                                          });
}

TEST_F(ContestTest, TownshipRoundsConvertAmongARulesFieldsWithAnInstructorForTheLast) {
  const auto v = VillagesOf("150902205");  // v[0] is a community (社区), then villages
  ASSERT_EQ(v[0], "150902205005");
  const std::string community = MakeSecretary(8801, v[0]), x = MakeSecretary(8802, v[1]),
                    y = MakeSecretary(8803, v[2]), z = MakeSecretary(8804, v[3]);
  Judging j = StartJudging(jining_, "tw", "150902205", {community, x, y, z}, 1);
  EXPECT_EQ(j.entries[0].field(), cv1::FIELD_COMMUNITY);
  EXPECT_EQ(j.entries[1].field(), cv1::FIELD_VILLAGE);
  std::vector<cv1::Score> scores;
  const int points[] = {95, 90, 80, 70};  // the community leads, z is last
  for (const char* d : {"rural_governance", "collective_economy", "practical_deeds"}) {
    for (int i = 0; i < 4; ++i) scores.push_back(S(j.judges[0], j.entries[i], d, points[i]));
  }
  cv1::SubmitScoresResponse stored;
  ASSERT_TRUE(Batch(jining_, "tw-scores", j.round, scores, &stored).ok());
  ClosePublish(jining_, "tw", j.round);

  // The contest's rounds listed (a second one added): in creation order,
  // page by page to the end, by state; another county sees the published
  // one only, and nothing of a contest it cannot see.
  cv1::CreateRoundRequest cr;
  cr.set_request_id("tw-round-2");
  cr.mutable_round()->set_contest_id(j.round.contest_id());
  cr.mutable_round()->set_name("镇级复赛");
  cv1::Round second;
  ASSERT_TRUE(contest().CreateRound(WithToken(jining_).get(), cr, &second).ok());
  cv1::ListRoundsRequest lr;
  lr.set_contest_id(j.round.contest_id());
  lr.set_page_size(1);
  std::vector<std::string> listed_rounds;
  do {
    cv1::ListRoundsResponse page;
    ASSERT_TRUE(contest().ListRounds(WithToken(township_).get(), lr, &page).ok());
    for (const auto& x : page.rounds()) listed_rounds.push_back(x.id());
    lr.set_page_token(page.next_page_token());
  } while (!lr.page_token().empty());
  EXPECT_EQ(listed_rounds, (std::vector<std::string>{j.round.id(), second.id()}));
  lr.set_page_size(0);
  lr.set_state(cv1::ROUND_STATE_PUBLISHED);
  cv1::ListRoundsResponse rounds;
  ASSERT_TRUE(contest().ListRounds(WithToken(jining_).get(), lr, &rounds).ok());
  ASSERT_EQ(rounds.rounds_size(), 1);
  EXPECT_FALSE(rounds.rounds(0).results_digest().empty());
  lr.clear_state();
  ASSERT_TRUE(contest().ListRounds(WithToken(siziwang_).get(), lr, &rounds).ok());
  ASSERT_EQ(rounds.rounds_size(), 1);
  EXPECT_EQ(rounds.rounds(0).id(), j.round.id());
  lr.set_contest_id("150902-999999");
  EXPECT_EQ(OutcomeOf(contest().ListRounds(WithToken(siziwang_).get(), lr, &rounds)).code,
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(OutcomeOf(contest().ListRounds(WithToken(jining_).get(), lr, &rounds)).code,
            grpc::StatusCode::NOT_FOUND);
  lr.clear_contest_id();
  EXPECT_EQ(OutcomeOf(contest().ListRounds(WithToken(jining_).get(), lr, &rounds)).field,
            "contest_id");

  // Model villages among villages only; the last gets an instructor.
  cv1::ConvertOutcomesRequest oc;
  oc.set_request_id("tw-outcomes-bad");
  oc.set_round_id(j.round.id());
  auto* top = oc.add_rules();
  top->set_kind(cv1::OUTCOME_KIND_MODEL_VILLAGE);
  top->set_n(1);
  top->add_fields(cv1::FIELD_VILLAGE);
  auto* bottom = oc.add_rules();
  bottom->set_kind(cv1::OUTCOME_KIND_RECTIFICATION_TARGET);
  bottom->set_n(1);
  cv1::ConvertOutcomesResponse out;
  Outcome o = OutcomeOf(contest().ConvertOutcomes(WithToken(jining_).get(), oc, &out));
  EXPECT_EQ(o.code, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(o.field, "rules[1].instructor") << o;
  bottom->set_instructor("镇党委组织委员");
  o = OutcomeOf(contest().ConvertOutcomes(WithToken(jining_).get(), oc, &out));
  EXPECT_EQ(o.field, "rules[1].rectification_deadline") << o;
  *bottom->mutable_rectification_deadline() = ToDate(absl::CivilDay(2024, 6, 30));
  top->set_instructor("镇党委组织委员");
  o = OutcomeOf(contest().ConvertOutcomes(WithToken(jining_).get(), oc, &out));
  EXPECT_EQ(o.reason, "NOT_A_RECTIFICATION") << o;
  top->clear_instructor();
  // Support (项目、资金) goes with the top, named and dated; not to rectification.
  auto* project = top->add_support();
  project->set_kind(pv1::SUPPORT_KIND_PROJECT);
  project->set_amount_fen(50'000'000);
  project->set_title("村集体经济产业项目");
  *project->mutable_granted_on() = ToDate(absl::CivilDay(2023, 12, 15));
  auto* funds = top->add_support();
  *funds = *project;
  funds->set_kind(pv1::SUPPORT_KIND_FUNDS);
  funds->set_amount_fen(0);
  funds->set_title("党建示范创建经费");
  o = OutcomeOf(contest().ConvertOutcomes(WithToken(jining_).get(), oc, &out));
  EXPECT_EQ(o.field, "rules[0].support[1].amount_fen") << o;
  funds->set_amount_fen(20'000'000);
  *bottom->add_support() = *funds;
  o = OutcomeOf(contest().ConvertOutcomes(WithToken(jining_).get(), oc, &out));
  EXPECT_EQ(o.field, "rules[1].support") << o;
  bottom->clear_support();
  EXPECT_EQ(Personnel()->Count("SELECT count(*) FROM personnel.designations WHERE "
                               "source LIKE 'contest/outcomes/%' AND county_code = '150902'"),
            0);  // nothing half-written
  EXPECT_EQ(Contest()->Count("SELECT count(*) FROM contest.outcomes WHERE county_code = '150902'"),
            0);

  oc.set_request_id("tw-outcomes");
  // Sent with a W3C trace context: the trace goes on into personnel.
  const std::string trace = "4bf92f3577b34da6a3ce929d0e0e4736";
  auto traced = WithToken(jining_);
  traced->AddMetadata("traceparent", "00-" + trace + "-00f067aa0ba902b7-01");
  grpc::Status s = contest().ConvertOutcomes(traced.get(), oc, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  // Every row the request left, in both services, names its trace.
  auto rows_of_trace = [&](const std::string& schema, const std::string& collection) {
    return absl::StrCat("SELECT count(*) FROM ", schema, ".audit_log WHERE trace_id = '", trace,
                        "' AND resource LIKE '", collection, "/%'");
  };
  EXPECT_EQ(Contest()->Count(rows_of_trace("contest", "rounds")), 1);
  EXPECT_GE(Personnel()->Count(rows_of_trace("personnel", "designations")), 2);
  EXPECT_EQ(Personnel()->Count(rows_of_trace("personnel", "support-entries")), 2);
  ASSERT_EQ(out.outcomes_size(), 2);
  EXPECT_EQ(out.outcomes(0).kind(), cv1::OUTCOME_KIND_MODEL_VILLAGE);
  EXPECT_EQ(out.outcomes(0).cadre_id(), x);  // the best village, not the community before it
  EXPECT_EQ(out.outcomes(0).rank(), 2);
  EXPECT_EQ(out.outcomes(1).cadre_id(), z);
  EXPECT_EQ(out.outcomes(1).instructor(), "镇党委组织委员");
  cv1::ConvertOutcomesResponse again;
  ASSERT_TRUE(contest().ConvertOutcomes(WithToken(jining_).get(), oc, &again).ok());
  EXPECT_EQ(again.SerializeAsString(), out.SerializeAsString());

  pv1::ListDesignationsRequest ld;
  ld.set_region_code("150902205000");
  pv1::ListDesignationsResponse listed;
  ASSERT_TRUE(stub().ListDesignations(WithToken(jining_).get(), ld, &listed).ok());
  ASSERT_EQ(listed.designations_size(), 2);
  for (const auto& d : listed.designations()) {
    if (d.kind() == pv1::DESIGNATION_KIND_RECTIFICATION_TARGET) {
      EXPECT_EQ(d.party_org_id(), OrgOf(v[3]));
      EXPECT_EQ(d.instructor(), "镇党委组织委员");
      EXPECT_EQ(d.rectification_deadline().year(), 2024);
    } else {
      EXPECT_EQ(d.kind(), pv1::DESIGNATION_KIND_MODEL_VILLAGE);
      EXPECT_EQ(d.party_org_id(), OrgOf(v[1]));
    }
  }

  // The model village's support ledger: one entry per grant, written once
  // though the conversion was answered twice.
  pv1::ListSupportRequest ls;
  ls.set_region_code("150902205000");
  ls.set_year(2023);
  pv1::ListSupportResponse ledger;
  ASSERT_TRUE(stub().ListSupport(WithToken(jining_).get(), ls, &ledger).ok());
  ASSERT_EQ(ledger.entries_size(), 2);
  int64_t fen = 0;
  for (const auto& e : ledger.entries()) {
    EXPECT_EQ(e.party_org_id(), OrgOf(v[1]));
    EXPECT_EQ(e.designation_id(), out.outcomes(0).designation_id());
    EXPECT_EQ(e.designation_kind(), pv1::DESIGNATION_KIND_MODEL_VILLAGE);
    fen += e.amount_fen();
  }
  EXPECT_EQ(fen, 70'000'000);

  // Directly: not to a rectification target, not with a bad amount, not in
  // another county; another county's operator does not see the ledger.
  pv1::RecordSupportRequest rs;
  rs.set_request_id("tw-support-direct");
  rs.mutable_entry()->set_designation_id(out.outcomes(1).designation_id());
  rs.mutable_entry()->set_kind(pv1::SUPPORT_KIND_FUNDS);
  rs.mutable_entry()->set_amount_fen(1'000'000);
  rs.mutable_entry()->set_title("整顿经费");
  *rs.mutable_entry()->mutable_granted_on() = ToDate(absl::CivilDay(2023, 12, 20));
  pv1::SupportEntry entry;
  o = OutcomeOf(stub().RecordSupport(WithToken(jining_).get(), rs, &entry));
  EXPECT_EQ(o.reason, "NOT_A_COMMENDATION") << o;
  EXPECT_EQ(o.field, "entry.designation_id");
  rs.mutable_entry()->set_designation_id(out.outcomes(0).designation_id());
  rs.mutable_entry()->set_amount_fen(-5);
  EXPECT_EQ(OutcomeOf(stub().RecordSupport(WithToken(jining_).get(), rs, &entry)).field,
            "entry.amount_fen");
  rs.mutable_entry()->set_amount_fen(1'000'000);
  EXPECT_EQ(OutcomeOf(stub().RecordSupport(WithToken(siziwang_).get(), rs, &entry)).code,
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(stub().RecordSupport(WithToken(jining_).get(), rs, &entry).ok());
  EXPECT_EQ(entry.recorded_by(), "jining-op");
  ls.set_page_size(2);
  ASSERT_TRUE(stub().ListSupport(WithToken(jining_).get(), ls, &ledger).ok());
  ASSERT_FALSE(ledger.next_page_token().empty());
  ls.set_page_token(ledger.next_page_token());
  ASSERT_TRUE(stub().ListSupport(WithToken(jining_).get(), ls, &ledger).ok());
  ASSERT_EQ(ledger.entries_size(), 1);
  EXPECT_EQ(ledger.entries(0).id(), entry.id());
  EXPECT_TRUE(ledger.next_page_token().empty());
  ls.clear_page_token();
  ls.set_region_code("150902000000");
  EXPECT_EQ(OutcomeOf(stub().ListSupport(WithToken(siziwang_).get(), ls, &ledger)).code,
            grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace touyan::testing
