#include "tests/incentive/fixture.h"
#include "tests/support/exported.h"

namespace touyan::testing {
namespace {

const auto* const kEnv = ::testing::AddGlobalTestEnvironment(new CallerEnvironment(
    {training::TrainingSpec(), contest::ContestSpec(), incentive::IncentiveSpec()},
    "touyan_test_incentive"));

TEST_F(IncentiveTest, AnAssessmentFromKnownInputsEqualsTheHandComputedScoreAndGrade) {
  const std::vector<std::string> v = {"150902105202",
                                      "150902105203"};  // 村民委员会: training covers them
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
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::SetScheme, siziwang_, set).code,
            StatusCode::PERMISSION_DENIED);
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
  ASSERT_EQ(Input("in-a4", a, iv1::INPUT_KIND_ANNUAL_REVIEW, 90).code, StatusCode::OK);
  ASSERT_EQ(Input("in-b1", b, iv1::INPUT_KIND_DAILY_MANAGEMENT, 95).code, StatusCode::OK);
  ASSERT_EQ(Input("in-b3", b, iv1::INPUT_KIND_ANNUAL_REVIEW, 95).code, StatusCode::OK);
  o = Input("in-bad", a, iv1::INPUT_KIND_ANNUAL_REVIEW, 101);
  EXPECT_EQ(o.field, "input.value") << o;
  // Stars come from the contest's bands, never typed in.
  o = Input("in-stars", a, iv1::INPUT_KIND_STAR_RATING, 5);
  EXPECT_EQ(o.field, "input.kind") << o;
  EXPECT_EQ(o.reason, "STARS_FROM_CONTEST");
  EXPECT_EQ(Input("in-other", a, iv1::INPUT_KIND_ANNUAL_REVIEW, 50, siziwang_).code,
            StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Input("in-auditor", a, iv1::INPUT_KIND_ANNUAL_REVIEW, 50, auditor_).code,
            StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Incentive()->Count("SELECT count(*) FROM incentive.records WHERE kind = 1"), 5);
  {  // An input reads back by id as its cadre's list shows it.
    iv1::ListInputsRequest list;
    list.set_cadre_id(a);
    iv1::ListInputsResponse inputs;
    ASSERT_EQ(Call(&iv1::IncentiveService::Stub::ListInputs, jining_, list, &inputs).code,
              StatusCode::OK);
    ASSERT_EQ(inputs.inputs_size(), 3);
    iv1::AssessmentInput read;
    ASSERT_EQ(
        GetById(&iv1::IncentiveService::Stub::GetInput, auditor_, inputs.inputs(2).id(), &read)
            .code,
        StatusCode::OK);
    EXPECT_EQ(read.DebugString(), inputs.inputs(2).DebugString());
    EXPECT_EQ(read.value(), 90);
    EXPECT_EQ(GetById(&iv1::IncentiveService::Stub::GetInput, siziwang_, read.id()).code,
              StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(GetById(&iv1::IncentiveService::Stub::GetInput, jining_, "150902-999999").code,
              StatusCode::NOT_FOUND);
  }

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
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::OpenEvaluation, jining_, open, &ev).code,
            StatusCode::OK);
  {  // Listed by village region and year, in the county only.
    iv1::ListEvaluationsRequest list;
    list.set_region_code(v[0]);
    list.set_year(2023);
    iv1::ListEvaluationsResponse evs;
    ASSERT_EQ(Call(&iv1::IncentiveService::Stub::ListEvaluations, jining_, list, &evs).code,
              StatusCode::OK);
    ASSERT_EQ(evs.evaluations_size(), 1);
    EXPECT_EQ(evs.evaluations(0).DebugString(), ev.DebugString());
    list.set_year(2022);
    ASSERT_EQ(Call(&iv1::IncentiveService::Stub::ListEvaluations, jining_, list, &evs).code,
              StatusCode::OK);
    EXPECT_EQ(evs.evaluations_size(), 0);
    EXPECT_EQ(Call(&iv1::IncentiveService::Stub::ListEvaluations, siziwang_, list).code,
              StatusCode::PERMISSION_DENIED);
  }
  iv1::IssueVoterCodesRequest issue;
  issue.set_evaluation_id(ev.id());
  issue.set_count(5);
  o = Call(&iv1::IncentiveService::Stub::IssueVoterCodes, jining_, issue);
  EXPECT_EQ(o.reason, "TOO_MANY_CODES") << o;  // more codes than voters
  issue.set_count(4);
  iv1::IssueVoterCodesResponse codes;
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::IssueVoterCodes, jining_, issue, &codes).code,
            StatusCode::OK);
  ASSERT_EQ(codes.codes_size(), 4);
  // The township runs the meeting; another township's operator may not.
  const std::string baihaizi =
      Incentive()->Token(Role::kTownshipOperator, "150902105000", "baihaizi-op");
  {
    iv1::CastBallotRequest ballot;
    ballot.set_evaluation_id(ev.id());
    ballot.set_voter_code(codes.codes(0));
    for (const std::string& c : {a, b}) {
      auto* x = ballot.add_choices();
      x->set_cadre_id(c);
      x->set_choice(iv1::CHOICE_SATISFIED);
    }
    EXPECT_EQ(Call(&iv1::IncentiveService::Stub::CastBallot, township_, ballot).code,
              StatusCode::PERMISSION_DENIED);
  }
  const iv1::Choice S = iv1::CHOICE_SATISFIED, B = iv1::CHOICE_BASICALLY_SATISFIED,
                    D = iv1::CHOICE_DISSATISFIED;
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
      EXPECT_EQ(Call(&iv1::IncentiveService::Stub::CastBallot, baihaizi, partial).reason,
                "MISSING_CHOICE");
    }
    iv1::CastBallotResponse cast;
    ASSERT_EQ(Call(&iv1::IncentiveService::Stub::CastBallot, baihaizi, ballot, &cast).code,
              StatusCode::OK);
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
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::CloseEvaluation, jining_, close, &closed).code,
            StatusCode::OK);
  ASSERT_EQ(closed.tallies_size(), 2);
  EXPECT_TRUE(closed.tallies(0).quorum_met());
  EXPECT_DOUBLE_EQ(closed.tallies(0).score(), 90);  // (3 × 100 + 60) / 4
  EXPECT_TRUE(closed.tallies(1).failed());          // 3 of 4 dissatisfied
  close.set_request_id("eval-close-again");
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::CloseEvaluation, jining_, close).reason,
            "EVALUATION_CLOSED");

  // No ballot can be traced to its code: the codes are gone (deleted when
  // used), nothing stored holds a code or its hash, ballots carry no time,
  // voter or code, and neither ballots nor codes were kept for replay.
  EXPECT_EQ(Incentive()->Count("SELECT count(*) FROM incentive.voter_codes"), 0);
  EXPECT_EQ(Incentive()->Count(
                "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'incentive' "
                "AND table_name = 'ballots' AND column_name NOT IN "
                "('county_code', 'evaluation_id', 'id', 'choices')"),
            0);
  EXPECT_EQ(
      Incentive()->Count("SELECT count(*) FROM incentive.idempotency WHERE method LIKE '%Ballot%' "
                         "OR method LIKE '%VoterCodes%'"),
      0);
  for (const std::string& code : codes.codes()) {
    const std::string needle = "'%" + code + "%'";
    for (const char* table : {"ballots", "evaluations", "audit_log", "records"}) {
      EXPECT_EQ(Incentive()->Count(absl::StrCat("SELECT count(*) FROM incentive.", table,
                                                " t WHERE t::text LIKE ", needle)),
                0)
          << table;
    }
    EXPECT_EQ(Incentive()->Count(
                  "SELECT count(*) FROM incentive.idempotency WHERE position(convert_to('" + code +
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
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::ComputeAssessments, jining_, compute, &done).code,
            StatusCode::OK);
  EXPECT_EQ(done.assessed(), 2);

  iv1::GetAssessmentRequest get;
  get.set_cadre_id(a);
  get.set_year(2023);
  iv1::Assessment ra;
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::GetAssessment, auditor_, get, &ra).code,
            StatusCode::OK);
  // a: daily 85 × 0.8 (training not completed) = 68 → 20.4; contest rank 1
  // of 2 → 100 → 25; stars from the round's band (the best 34 %: 5) → 100
  // → 10; review 90 → 18; democratic 90 → 13.5.
  EXPECT_DOUBLE_EQ(Part(ra, "daily_management").value(), 68);
  EXPECT_DOUBLE_EQ(Part(ra, "contest").value(), 100);
  EXPECT_DOUBLE_EQ(Part(ra, "stars").points(), 10);
  EXPECT_NE(Part(ra, "stars").explanation().find("县级决赛"), std::string::npos);
  EXPECT_DOUBLE_EQ(Part(ra, "democratic").points(), 13.5);
  EXPECT_DOUBLE_EQ(ra.score(), 86.9);
  EXPECT_EQ(ra.grade(), iv1::GRADE_COMPETENT);
  EXPECT_NE(Part(ra, "daily_management").explanation().find("not completed"), std::string::npos);
  get.set_cadre_id(b);
  iv1::Assessment rb;
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::GetAssessment, jining_, get, &rb).code,
            StatusCode::OK);
  // b: 95 × .8 = 76 → 22.8; rank 2 of 2 → 50 → 12.5; outside the round's
  // only star band → 0 stars → 0; 95 → 19; democratic 25 → 3.75: 58.05, and
  // 3 of 4 dissatisfied → incompetent whatever the score.
  EXPECT_DOUBLE_EQ(Part(rb, "stars").value(), 0);
  EXPECT_DOUBLE_EQ(rb.score(), 58.05);
  EXPECT_TRUE(rb.failed_democratic());
  EXPECT_EQ(rb.grade(), iv1::GRADE_INCOMPETENT);
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::GetAssessment, siziwang_, get).code,
            StatusCode::PERMISSION_DENIED);

  // Recomputing is deterministic; a retry replays.
  compute.set_request_id("assess-2");
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::ComputeAssessments, jining_, compute, &done).code,
            StatusCode::OK);
  iv1::Assessment again;
  get.set_cadre_id(a);
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::GetAssessment, jining_, get, &again).code,
            StatusCode::OK);
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
    ASSERT_EQ(Call(&iv1::IncentiveService::Stub::ListAssessments, city_, list, &page).code,
              StatusCode::OK);
    seen += page.assessments_size();
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());
  EXPECT_EQ(seen, 2);
  list.set_region_code("150929000000");
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::ListAssessments, jining_, list).code,
            StatusCode::PERMISSION_DENIED);

  // The results as a workbook, read with openpyxl, against the API: ranked
  // by score, points and totals as numbers, the grade in Chinese.
  iv1::ExportAssessmentsRequest ex;
  ex.set_region_code("150902000000");
  ex.set_year(2023);
  auto ctx = WithToken(jining_);
  auto reader = incentive().ExportAssessments(ctx.get(), ex);
  Exported x = ReadExport(*reader);
  ASSERT_EQ(x.end.code, StatusCode::OK) << x.end;
  EXPECT_EQ(x.filename, "assessments-150902-2023.xlsx");
  nlohmann::json wb = ReadWorkbook(x.bytes);
  ASSERT_TRUE(wb.is_object()) << "openpyxl could not read the workbook";
  const nlohmann::json& sheet = wb["sheets"]["2023年度考核"];
  EXPECT_EQ(sheet["freeze"], "A2");
  const nlohmann::json& rows = sheet["rows"];
  ASSERT_GE(rows.size(), 3u);
  EXPECT_EQ(rows[0][1], "书记姓名");
  EXPECT_EQ(rows[0][9], "总分");
  for (int i = 1; i <= 2; ++i) {
    iv1::GetAssessmentRequest get;
    get.set_cadre_id(rows[i][2].get<std::string>());
    get.set_year(2023);
    iv1::Assessment api;
    ASSERT_EQ(Call(&iv1::IncentiveService::Stub::GetAssessment, jining_, get, &api).code,
              StatusCode::OK);
    EXPECT_EQ(rows[i][0], i);
    EXPECT_EQ(rows[i][1], api.cadre_name());
    EXPECT_DOUBLE_EQ(rows[i][9].get<double>(), api.score());
    EXPECT_EQ(sheet["types"][i][9], "n") << "a number, not text";
    double sum = 0;
    for (int c = 4; c < 9; ++c) sum += rows[i][c].is_null() ? 0 : rows[i][c].get<double>();
    EXPECT_NEAR(sum, api.score(), 0.011) << "the components add up to the total";
    EXPECT_EQ(rows[i][11], api.failed_democratic() ? "是" : "否");
  }
  EXPECT_GE(rows[1][9].get<double>(), rows[2][9].get<double>()) << "ranked by score";
  // Another county's results, a bad year: refused before any byte.
  ex.set_region_code("150929000000");
  auto other_ctx = WithToken(jining_);
  auto other = incentive().ExportAssessments(other_ctx.get(), ex);
  EXPECT_EQ(ReadExport(*other).end.code, StatusCode::PERMISSION_DENIED);
  ex.set_region_code("");
  ex.set_year(1990);
  auto bad_ctx = WithToken(jining_);
  auto bad = incentive().ExportAssessments(bad_ctx.get(), ex);
  Exported refused = ReadExport(*bad);
  EXPECT_EQ(refused.end.field, "year");
  EXPECT_EQ(refused.chunks, 0);
}

TEST_F(IncentiveTest, TheCareAwardPaysTheOrganisationOrThePersonExactlyOnceWithinBudget) {
  const auto v = VillagesOf("150902205");
  const std::string staff = QualifiedSecretary(9201, v[0], pv1::ESTABLISHMENT_STATUS_AGENCY);
  const std::string farmer = QualifiedSecretary(9202, v[1], pv1::ESTABLISHMENT_STATUS_NONE);
  for (const std::string& cadre : {staff, farmer}) ConfirmGood(NominateGood(cadre));

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
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::PayCareAwards, siziwang_, pay).code,
            StatusCode::PERMISSION_DENIED);
  pay.set_request_id("pay-by-auditor");
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::PayCareAwards, auditor_, pay).code,
            StatusCode::PERMISSION_DENIED);

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
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::ListAwards, jining_, list, &awards).code,
            StatusCode::OK);
  ASSERT_EQ(awards.awards_size(), 2);
  for (const auto& aw : awards.awards()) {
    EXPECT_EQ(aw.amount_fen(), 1'000'000);
    if (aw.cadre_id() ==
        staff) {  // on the establishment: the village's organisation, and priorities
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
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::GetLedger, jining_, ledger_req, &ledger).code,
            StatusCode::OK);
  ASSERT_EQ(ledger.counties_size(), 1);
  EXPECT_EQ(ledger.counties(0).to_persons(), 1);
  EXPECT_EQ(ledger.counties(0).to_party_orgs(), 1);
  EXPECT_EQ(ledger.total_fen(), 2'000'000);
  EXPECT_EQ(ledger.remaining_fen(), 0);

  // The ledger as a workbook (openpyxl), against ListAwards: amounts in yuan
  // as numbers, the recipient and priorities in Chinese, the pay date a date.
  iv1::ExportAwardsRequest ex;
  ex.set_year(2023);
  auto ex_ctx = WithToken(jining_);
  auto ex_reader = incentive().ExportAwards(ex_ctx.get(), ex);
  Exported x = ReadExport(*ex_reader);
  ASSERT_EQ(x.end.code, StatusCode::OK) << x.end;
  EXPECT_EQ(x.filename, "care-awards-150902-2023.xlsx");
  nlohmann::json wb = ReadWorkbook(x.bytes);
  ASSERT_TRUE(wb.is_object()) << "openpyxl could not read the workbook";
  const nlohmann::json& sheet = wb["sheets"]["关爱奖励台账"];
  EXPECT_EQ(sheet["freeze"], "A2");
  const nlohmann::json& rows = sheet["rows"];
  ASSERT_GE(rows.size(), 3u);
  for (int i = 0; i < 2; ++i) {
    const iv1::Award& aw = awards.awards(i);
    const nlohmann::json& row = rows[i + 1];
    EXPECT_EQ(row[3], aw.cadre_id());
    EXPECT_EQ(row[5], aw.recipient() == iv1::RECIPIENT_PARTY_ORG ? "村党组织" : "书记本人");
    EXPECT_EQ(row[6], aw.recipient_id());
    EXPECT_DOUBLE_EQ(row[7].get<double>(), aw.amount_fen() / 100.0);
    EXPECT_EQ(sheet["types"][i + 1][7], "n");
    EXPECT_EQ(row[8], aw.priority_promotion() ? "是" : "否");
    EXPECT_EQ(sheet["types"][i + 1][13], "d") << "the pay date is a date";
  }
  EXPECT_EQ(rows.back()[0], "共 2 笔，合计 20000.00 元（发放日期为北京时间）。");
  // Paying again finds everyone paid.
  pay.set_request_id("pay-later");
  iv1::PayCareAwardsResponse later;
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::PayCareAwards, jining_, pay, &later).code,
            StatusCode::OK);
  EXPECT_EQ(later.paid(), 0);
  EXPECT_EQ(later.already_paid(), 2);

  // A reversal (冲销): never a deletion. From the version read; by who may
  // write the budget's region; the ledger shows it and the budget has the
  // amount again; the cadre is not paid a second time.
  const iv1::Award& wrong = awards.awards(0);
  ASSERT_EQ(wrong.state(), iv1::AWARD_STATE_PAID);
  iv1::ReverseAwardRequest rev;
  rev.set_request_id("reverse-1");
  rev.set_id(wrong.id());
  rev.set_reason("经核查不符合发放条件，予以冲销");
  iv1::Award reversed;
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::ReverseAward, siziwang_, rev, &reversed).code,
            StatusCode::PERMISSION_DENIED);
  rev.set_etag("e1");
  o = Call(&iv1::IncentiveService::Stub::ReverseAward, jining_, rev, &reversed);
  EXPECT_EQ(o.code, StatusCode::ABORTED) << o;
  EXPECT_EQ(o.field, "etag");
  rev.set_etag(wrong.etag());
  rev.clear_reason();
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::ReverseAward, jining_, rev, &reversed).field,
            "reason");
  rev.set_reason("经核查不符合发放条件，予以冲销");
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::ReverseAward, jining_, rev, &reversed).code,
            StatusCode::OK);
  EXPECT_EQ(reversed.state(), iv1::AWARD_STATE_REVERSED);
  EXPECT_EQ(reversed.reverse_reason(), "经核查不符合发放条件，予以冲销");
  EXPECT_EQ(reversed.amount_fen(), wrong.amount_fen()) << "the payment stays on record";
  EXPECT_NE(reversed.etag(), wrong.etag());
  iv1::Award got;
  ASSERT_EQ(GetById(&iv1::IncentiveService::Stub::GetAward, auditor_, wrong.id(), &got).code,
            StatusCode::OK);
  EXPECT_EQ(got.etag(), reversed.etag());
  EXPECT_EQ(got.state(), iv1::AWARD_STATE_REVERSED);
  EXPECT_EQ(GetById(&iv1::IncentiveService::Stub::GetAward, siziwang_, wrong.id(), &got).code,
            StatusCode::PERMISSION_DENIED);
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::GetLedger, jining_, ledger_req, &ledger).code,
            StatusCode::OK);
  EXPECT_EQ(ledger.counties(0).awards(), 2);
  EXPECT_EQ(ledger.counties(0).reversals(), 1);
  EXPECT_EQ(ledger.counties(0).reversed_fen(), 1'000'000);
  EXPECT_EQ(ledger.total_fen(), 1'000'000);
  EXPECT_EQ(ledger.remaining_fen(), 1'000'000);
  EXPECT_EQ(Incentive()->Count("SELECT count(*) FROM incentive.awards"), 2);
  pay.set_request_id("pay-after-reversal");
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::PayCareAwards, jining_, pay, &later).code,
            StatusCode::OK);
  EXPECT_EQ(later.paid(), 0);
  // The workbook carries the reversal entry under the payment, in minus.
  auto rev_ctx = WithToken(jining_);
  auto rev_reader = incentive().ExportAwards(rev_ctx.get(), ex);
  Exported rx = ReadExport(*rev_reader);
  ASSERT_EQ(rx.end.code, StatusCode::OK) << rx.end;
  nlohmann::json rwb = ReadWorkbook(rx.bytes);
  const nlohmann::json& rrows = rwb["sheets"]["关爱奖励台账"]["rows"];
  bool entry = false;
  for (const auto& row : rrows) {
    if (row.size() > 14 && row[3] == wrong.cadre_id() && row[7].is_number() &&
        row[7].get<double>() < 0) {
      EXPECT_DOUBLE_EQ(row[7].get<double>(), -wrong.amount_fen() / 100.0);
      EXPECT_EQ(row[14], "冲销：经核查不符合发放条件，予以冲销");
      entry = true;
    }
  }
  EXPECT_TRUE(entry) << rwb.dump();
  EXPECT_EQ(rrows.back()[0], "共 2 笔，冲销 1 笔，合计 10000.00 元（发放日期为北京时间）。");

  // Publicity: a good secretary may be interviewed as one; a cadre who is
  // not is refused until elected as a delegate.
  iv1::ArrangeInterviewRequest iv;
  iv.set_request_id("interview-1");
  iv.mutable_interview()->set_cadre_id(farmer);
  iv.mutable_interview()->set_basis(iv1::BASIS_GOOD_SECRETARY);
  iv.mutable_interview()->set_outlet("乌兰察布日报");
  iv.mutable_interview()->set_topic("头雁风采");
  *iv.mutable_interview()->mutable_on() = ToDate(absl::CivilDay(2023, 12, 20));
  iv1::Interview arranged;
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::ArrangeInterview, jining_, iv, &arranged).code,
            StatusCode::OK);
  iv1::Interview got_interview;
  ASSERT_EQ(
      GetById(&iv1::IncentiveService::Stub::GetInterview, auditor_, arranged.id(), &got_interview)
          .code,
      StatusCode::OK);
  EXPECT_EQ(got_interview.outlet(), "乌兰察布日报");
  iv.set_request_id("interview-2");
  iv.mutable_interview()->set_basis(iv1::BASIS_PEOPLES_CONGRESS);
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::ArrangeInterview, jining_, iv).reason,
            "NOT_ELIGIBLE");
  iv1::RecommendDelegateRequest rec;
  rec.set_request_id("delegate-1");
  rec.mutable_delegate()->set_cadre_id(farmer);
  rec.mutable_delegate()->set_body(iv1::BODY_PEOPLES_CONGRESS);
  rec.mutable_delegate()->set_congress_region_code("150902000000");
  rec.mutable_delegate()->set_year(2023);
  rec.mutable_delegate()->set_reason("群众基础好");
  iv1::Delegate d;
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::RecommendDelegate, jining_, rec, &d).code,
            StatusCode::OK);
  EXPECT_EQ(d.status(), iv1::DELEGATE_STATUS_RECOMMENDED);
  iv1::DecideDelegateRequest decide;
  decide.set_request_id("delegate-1-elected");
  decide.set_id(d.id());
  decide.set_status(iv1::DELEGATE_STATUS_ELECTED);
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::DecideDelegate, jining_, decide, &d).code,
            StatusCode::OK);
  EXPECT_EQ(d.status(), iv1::DELEGATE_STATUS_ELECTED);
  iv1::Delegate got_delegate;
  ASSERT_EQ(
      GetById(&iv1::IncentiveService::Stub::GetDelegate, auditor_, d.id(), &got_delegate).code,
      StatusCode::OK);
  EXPECT_EQ(got_delegate.status(), iv1::DELEGATE_STATUS_ELECTED);
  EXPECT_EQ(
      GetById(&iv1::IncentiveService::Stub::GetDelegate, siziwang_, d.id(), &got_delegate).code,
      StatusCode::PERMISSION_DENIED);
  decide.set_request_id("delegate-1-again");
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::DecideDelegate, jining_, decide).reason,
            "WRONG_STATE");
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
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::DecideExitMeasure, jining_, talk, &admonition).code,
            StatusCode::OK);
  EXPECT_FALSE(admonition.removes());
  iv1::EnforceExitMeasureRequest enforce;
  enforce.set_request_id("enforce-talk");
  enforce.set_id(admonition.id());
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::EnforceExitMeasure, jining_, enforce).reason,
            "NOT_REMOVING");

  req.set_request_id("exit-adjust");
  iv1::ExitMeasure adjust;
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::DecideExitMeasure, jining_, req, &adjust).code,
            StatusCode::OK);
  EXPECT_TRUE(adjust.removes());
  EXPECT_FALSE(adjust.position_id().empty());
  EXPECT_EQ(adjust.state(), iv1::MEASURE_STATE_DECIDED);
  iv1::ExitMeasure got_measure;
  ASSERT_EQ(
      GetById(&iv1::IncentiveService::Stub::GetExitMeasure, jining_, adjust.id(), &got_measure)
          .code,
      StatusCode::OK);
  EXPECT_EQ(got_measure.state(), iv1::MEASURE_STATE_DECIDED);
  EXPECT_EQ(got_measure.position_id(), adjust.position_id());
  EXPECT_EQ(got_measure.kind(), iv1::MEASURE_KIND_ORG_ADJUSTMENT);
  enforce.set_request_id("enforce-early");
  enforce.set_id(adjust.id());
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::EnforceExitMeasure, jining_, enforce).reason,
            "APPEAL_WINDOW_OPEN");
  iv1::AppealExitMeasureRequest appeal;
  appeal.set_request_id("exit-appeal");
  appeal.set_id(adjust.id());
  appeal.set_appeal("请求复核考核结果");
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::AppealExitMeasure, jining_, appeal).code,
            StatusCode::OK);
  iv1::DecideExitAppealRequest decide;
  decide.set_request_id("exit-appeal-decided");
  decide.set_id(adjust.id());
  decide.set_granted(false);
  decide.set_decision("复核维持原决定");
  iv1::ExitMeasure upheld;
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::DecideExitAppeal, jining_, decide, &upheld).code,
            StatusCode::OK);
  EXPECT_EQ(upheld.state(), iv1::MEASURE_STATE_UPHELD);

  pv1::CountAdjustmentsRequest count;
  count.set_year((Today() - 1).year());  // the post ends yesterday
  count.set_region_code("150902000000");
  pv1::CountAdjustmentsResponse before;
  ASSERT_TRUE(stub().CountAdjustments(WithToken(city_).get(), count, &before).ok());
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::EnforceExitMeasure, siziwang_, enforce).code,
            StatusCode::PERMISSION_DENIED);
  // The day the post ends: given, never before the decision or in the future.
  enforce.set_request_id("enforce-future");
  *enforce.mutable_effective_on() = Day(1);
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::EnforceExitMeasure, jining_, enforce).field,
            "effective_on");
  enforce.set_request_id("enforce-before");
  *enforce.mutable_effective_on() = Day(-6);
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::EnforceExitMeasure, jining_, enforce).reason,
            "BEFORE_DECISION");
  *enforce.mutable_effective_on() = Day(-1);
  enforce.set_request_id("enforce");
  iv1::ExitMeasure done;
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::EnforceExitMeasure, jining_, enforce, &done).code,
            StatusCode::OK);
  EXPECT_EQ(done.state(), iv1::MEASURE_STATE_ENFORCED);
  // A retry replays; another request is refused.
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::EnforceExitMeasure, jining_, enforce, &done).code,
            StatusCode::OK);
  enforce.set_request_id("enforce-twice");
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::EnforceExitMeasure, jining_, enforce).reason,
            "ALREADY_ENFORCED");

  // Personnel: the post ended by the exit measure, counted as an adjustment.
  pv1::ListPositionsRequest positions;
  positions.set_cadre_id(cadre);
  pv1::ListPositionsResponse got;
  ASSERT_TRUE(stub().ListPositions(WithToken(city_).get(), positions, &got).ok());
  ASSERT_EQ(got.positions_size(), 1);
  EXPECT_EQ(got.positions(0).id(), adjust.position_id());
  EXPECT_EQ(got.positions(0).end_reason(), pv1::POSITION_END_REASON_EXIT_MEASURE);
  EXPECT_EQ(got.positions(0).ended_on().SerializeAsString(), Day(-1).SerializeAsString());
  EXPECT_EQ(done.enforced_on().SerializeAsString(), Day(-1).SerializeAsString());
  pv1::CountAdjustmentsResponse after;
  ASSERT_TRUE(stub().CountAdjustments(WithToken(city_).get(), count, &after).ok());
  EXPECT_EQ(after.total(), before.total() + 1);
}

}  // namespace
}  // namespace touyan::testing
