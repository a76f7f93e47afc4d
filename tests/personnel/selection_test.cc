// Precise profiles, the candidate search and the good-secretary selection —
// through gRPC on real Postgres, with confirmations racing for the quotas.
#include <atomic>

#include "absl/strings/str_format.h"
#include "common/time/date.h"
#include "tests/personnel/fixture.h"
#include "tests/support/exported.h"

namespace touyan::testing {
namespace {

static auto* const kEnv =
    ::testing::AddGlobalTestEnvironment(new PersonnelEnvironment("touyan_test_selection"));

using grpc::StatusCode;

class SelectionTest : public PersonnelTest {
 protected:
  // A cadre born on 1 January of `birth_year`, with `education`.
  std::string NewCadreBorn(int seq, const std::string& village, int birth_year,
                           pv1::Education education = pv1::EDUCATION_BACHELOR) {
    pv1::Cadre c = NewCadre(seq, village);
    std::string first17 =
        absl::StrFormat("%s%04d0101%03d", village.substr(0, 6), birth_year, seq % 1000);
    c.set_resident_id(first17 + personnel::ResidentIdCheckChar(first17));
    c.clear_birth_date();
    c.clear_gender();
    c.set_education(education);
    pv1::Cadre out;
    grpc::Status s = Create(city_, absl::StrCat("sel-cadre-", seq, "-", village), c, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out.id();
  }

  void MakeSecretary(const std::string& cadre, const std::string& village) {
    pv1::CreatePositionRequest req;
    req.set_request_id("sel-pos-" + cadre);
    req.mutable_position()->set_cadre_id(cadre);
    req.mutable_position()->set_party_org_id(OrgOf(village));
    req.mutable_position()->set_kind(pv1::POSITION_KIND_DUAL_ROLE);
    *req.mutable_position()->mutable_term_start() = ToDate(absl::CivilDay(2021, 1, 1));
    pv1::Position p;
    grpc::Status s = stub().CreatePosition(WithToken(city_).get(), req, &p);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  void Evaluate(const std::string& cadre, int year, std::array<int, 5> scores) {
    for (int c = 0; c < 5; ++c) {
      pv1::RecordEvaluationRequest req;
      req.set_request_id(absl::StrCat("sel-eval-", cadre, "-", year, "-", c));
      req.mutable_evaluation()->set_cadre_id(cadre);
      req.mutable_evaluation()->set_criterion(static_cast<pv1::Criterion>(c + 1));
      req.mutable_evaluation()->set_score(scores[c]);
      req.mutable_evaluation()->set_evaluator("旗委组织部考察组");
      *req.mutable_evaluation()->mutable_evaluated_on() = ToDate(absl::CivilDay(year, 6, 1));
      req.mutable_evaluation()->set_evidence("年度考察");
      pv1::Evaluation e;
      grpc::Status s = stub().RecordEvaluation(WithToken(city_).get(), req, &e);
      ASSERT_TRUE(s.ok()) << s.error_message();
    }
  }
  // A current secretary meeting all five conditions in `year`.
  std::string Qualified(int seq, const std::string& village, int year) {
    std::string id = NewCadreBorn(seq, village, 1980);
    MakeSecretary(id, village);
    Evaluate(id, year, {85, 80, 90, 88, 92});
    return id;
  }
  pv1::Profile ProfileOf(const std::string& cadre, int year) {
    pv1::GetProfileRequest req;
    req.set_cadre_id(cadre);
    req.set_year(year);
    pv1::Profile p;
    grpc::Status s = stub().GetProfile(WithToken(auditor_).get(), req, &p);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return p;
  }
  Outcome Nominate(const std::string& round, const std::string& cadre, pv1::Nomination* out,
                   const std::string& token) {
    pv1::NominateGoodSecretaryRequest req;
    req.set_request_id("sel-nom-" + round + "-" + cadre);
    req.set_round_id(round);
    req.set_cadre_id(cadre);
    req.set_reason("带领群众发展集体经济");
    return OutcomeOf(stub().NominateGoodSecretary(WithToken(token).get(), req, out));
  }
};

TEST_F(SelectionTest, AProfileFollowsEvaluationsAndTheYearsThresholds) {
  const std::string village = "150929103201";
  std::string id = NewCadreBorn(1, village, 1975);
  Evaluate(id, 2021, {80, 80, 80, 80, 55});
  pv1::Profile p = ProfileOf(id, 2021);
  EXPECT_FALSE(p.all_met());
  ASSERT_EQ(p.unmet_size(), 1);
  EXPECT_EQ(p.unmet(0), pv1::CRITERION_SATISFACTION);
  EXPECT_DOUBLE_EQ(p.criteria(4).mean_score(), 55);
  EXPECT_EQ(p.criteria(4).min_score(), 60);
  EXPECT_FALSE(ProfileOf(id, 2020).all_met()) << "no evaluations in 2020";

  pv1::SetProfileThresholdsRequest set;
  set.set_request_id("sel-thr-1");
  set.mutable_thresholds()->set_year(2021);
  for (int c = 1; c <= 5; ++c) {
    auto* t = set.mutable_thresholds()->add_thresholds();
    t->set_criterion(static_cast<pv1::Criterion>(c));
    t->set_min_score(c == 5 ? 50 : 70);
  }
  pv1::ProfileThresholds out;
  EXPECT_EQ(OutcomeOf(stub().SetProfileThresholds(WithToken(siziwang_).get(), set, &out)).code,
            StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(stub().SetProfileThresholds(WithToken(city_).get(), set, &out).ok());
  EXPECT_TRUE(ProfileOf(id, 2021).all_met());
  pv1::GetProfileThresholdsRequest get;
  get.set_year(2020);
  ASSERT_TRUE(stub().GetProfileThresholds(WithToken(jining_).get(), get, &out).ok());
  EXPECT_EQ(out.thresholds(2).min_score(), 60) << "a year without thresholds uses 60";

  pv1::RecordEvaluationRequest bad;
  bad.set_request_id("sel-eval-bad");
  bad.mutable_evaluation()->set_cadre_id(id);
  bad.mutable_evaluation()->set_criterion(pv1::CRITERION_CAPABILITY);
  bad.mutable_evaluation()->set_score(120);
  pv1::Evaluation e;
  EXPECT_EQ(OutcomeOf(stub().RecordEvaluation(WithToken(city_).get(), bad, &e)).field,
            "evaluation.score");
  bad.mutable_evaluation()->set_score(90);
  bad.mutable_evaluation()->set_evaluator("x");
  *bad.mutable_evaluation()->mutable_evaluated_on() = ToDate(absl::CivilDay(2021, 1, 1));
  EXPECT_EQ(OutcomeOf(stub().RecordEvaluation(WithToken(jining_).get(), bad, &e)).code,
            StatusCode::PERMISSION_DENIED);

  // An evaluation reads back by id, in the cadre's county only.
  bad.set_request_id("sel-eval-good");
  bad.mutable_evaluation()->set_evidence("述职测评");
  ASSERT_TRUE(stub().RecordEvaluation(WithToken(city_).get(), bad, &e).ok());
  using Stub = pv1::PersonnelService::Stub;
  pv1::Evaluation read;
  ASSERT_EQ(GetById(stub(), &Stub::GetEvaluation, siziwang_, e.id(), &read).code, StatusCode::OK);
  EXPECT_EQ(read.DebugString(), e.DebugString());
  EXPECT_EQ(GetById(stub(), &Stub::GetEvaluation, jining_, e.id()).code,
            StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(GetById(stub(), &Stub::GetEvaluation, siziwang_, "150929-999999").code,
            StatusCode::NOT_FOUND);
  // The cadre's evaluations of 2021: the five by Evaluate and this one, to
  // the last page.
  pv1::ListEvaluationsRequest list;
  list.set_cadre_id(id);
  list.set_year(2021);
  list.set_page_size(4);
  std::vector<pv1::Evaluation> all;
  for (int pages = 0; pages < 5; ++pages) {
    pv1::ListEvaluationsResponse page;
    ASSERT_TRUE(stub().ListEvaluations(WithToken(auditor_).get(), list, &page).ok());
    for (const auto& x : page.evaluations()) all.push_back(x);
    if (page.next_page_token().empty()) break;
    list.set_page_token(page.next_page_token());
  }
  ASSERT_EQ(all.size(), 6u);
  EXPECT_EQ(all.back().DebugString(), e.DebugString());
  list.Clear();
  list.set_cadre_id(id);
  list.set_year(2020);
  pv1::ListEvaluationsResponse none;
  ASSERT_TRUE(stub().ListEvaluations(WithToken(siziwang_).get(), list, &none).ok());
  EXPECT_EQ(none.evaluations_size(), 0);
  EXPECT_EQ(OutcomeOf(stub().ListEvaluations(WithToken(jining_).get(), list, &none)).code,
            StatusCode::PERMISSION_DENIED);
}

TEST_F(SelectionTest, SelectionRoundsAreListedByCityAndYearToTheLastPage) {
  for (int year : {2019, 2020}) {
    pv1::CreateSelectionRoundRequest create;
    create.set_request_id(absl::StrCat("sel-list-round-", year));
    create.mutable_round()->set_year(year);
    create.mutable_round()->set_region_code("150900000000");
    create.mutable_round()->set_total_quota(10 + year % 10);
    auto* q = create.mutable_round()->add_quotas();
    q->set_county_code("150902");
    q->set_quota(3);
    pv1::SelectionRound round;
    ASSERT_TRUE(stub().CreateSelectionRound(WithToken(city_).get(), create, &round).ok());
  }
  // One at a time, as a county reads them: every round of the city, in year
  // order, each with its quotas; the last page has no token.
  pv1::ListSelectionRoundsRequest list;
  list.set_region_code("150900000000");
  list.set_page_size(1);
  std::vector<pv1::SelectionRound> all;
  for (int pages = 0; pages < 20; ++pages) {
    pv1::ListSelectionRoundsResponse page;
    ASSERT_TRUE(stub().ListSelectionRounds(WithToken(jining_).get(), list, &page).ok());
    ASSERT_LE(page.rounds_size(), 1);
    for (const auto& r : page.rounds()) all.push_back(r);
    if (page.next_page_token().empty()) break;
    list.set_page_token(page.next_page_token());
  }
  ASSERT_GE(all.size(), 2u);
  for (size_t i = 1; i < all.size(); ++i) EXPECT_LT(all[i - 1].year(), all[i].year());
  EXPECT_EQ(all[0].id(), "150900-2019");
  EXPECT_EQ(all[0].total_quota(), 19);
  ASSERT_EQ(all[0].quotas_size(), 1);
  EXPECT_EQ(all[0].quotas(0).county_code(), "150902");

  list.Clear();
  list.set_year(2020);
  pv1::ListSelectionRoundsResponse one;
  ASSERT_TRUE(stub().ListSelectionRounds(WithToken(auditor_).get(), list, &one).ok());
  ASSERT_EQ(one.rounds_size(), 1);
  EXPECT_EQ(one.rounds(0).id(), "150900-2020");
  list.set_region_code("150902000000");
  EXPECT_EQ(OutcomeOf(stub().ListSelectionRounds(WithToken(auditor_).get(), list, &one)).field,
            "region_code");
}

TEST_F(SelectionTest, TheCandidateSearchAppliesEveryCondition) {
  const std::string village = "150929104201";
  const int year = 2022;
  const int this_year = static_cast<int>(absl::ToCivilYear(absl::Now(), ChinaTime()).year());
  std::string young_graduate = NewCadreBorn(11, village, this_year - 40);
  std::string older = NewCadreBorn(12, village, this_year - 50);
  std::string young_primary = NewCadreBorn(13, village, this_year - 40, pv1::EDUCATION_PRIMARY);
  std::string young_unproven = NewCadreBorn(14, village, this_year - 41);
  for (const auto& id : {young_graduate, older, young_primary})
    Evaluate(id, year, {90, 90, 90, 90, 90});
  Evaluate(young_unproven, year, {90, 90, 30, 90, 90});

  pv1::SearchCadresRequest req;
  req.set_region_code(village);
  req.set_max_age(44);
  req.set_min_education(pv1::EDUCATION_JUNIOR_COLLEGE);
  req.set_all_conditions_met(true);
  req.set_profile_year(year);
  pv1::SearchCadresResponse resp;
  ASSERT_TRUE(stub().SearchCadres(WithToken(siziwang_).get(), req, &resp).ok());
  ASSERT_EQ(resp.cadres_size(), 1);
  EXPECT_EQ(resp.cadres(0).id(), young_graduate);

  req.set_all_conditions_met(false);
  req.clear_profile_year();
  ASSERT_TRUE(stub().SearchCadres(WithToken(siziwang_).get(), req, &resp).ok());
  EXPECT_EQ(resp.cadres_size(), 2) << "age and education only";
  req.set_region_code("150902000000");
  EXPECT_EQ(stub().SearchCadres(WithToken(siziwang_).get(), req, &resp).error_code(),
            StatusCode::PERMISSION_DENIED);
  req.set_region_code(village);
  req.set_all_conditions_met(true);
  EXPECT_EQ(OutcomeOf(stub().SearchCadres(WithToken(siziwang_).get(), req, &resp)).field,
            "profile_year");
}

TEST_F(SelectionTest, NomineesMustBeSecretariesMeetingAllFiveConditions) {
  pv1::CreateSelectionRoundRequest create;
  create.set_request_id("sel-round-2022");
  create.mutable_round()->set_year(2022);
  create.mutable_round()->set_region_code("150900000000");
  create.mutable_round()->set_total_quota(5);
  auto* q = create.mutable_round()->add_quotas();
  q->set_county_code("150929");
  q->set_quota(5);
  pv1::SelectionRound round;
  EXPECT_EQ(OutcomeOf(stub().CreateSelectionRound(WithToken(siziwang_).get(), create, &round)).code,
            StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(stub().CreateSelectionRound(WithToken(city_).get(), create, &round).ok());
  EXPECT_EQ(round.id(), "150900-2022");
  create.set_request_id("sel-round-2022-again");
  EXPECT_EQ(OutcomeOf(stub().CreateSelectionRound(WithToken(city_).get(), create, &round)).reason,
            "ROUND_EXISTS");

  const auto villages = VillagesOf("150929200");
  std::string weak = NewCadreBorn(21, villages[0], 1980);
  MakeSecretary(weak, villages[0]);
  Evaluate(weak, 2022, {90, 40, 90, 90, 50});
  pv1::Nomination n;
  Outcome o = Nominate("150900-2022", weak, &n, siziwang_);
  EXPECT_EQ(o.code, StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(o.reason, "CONDITIONS_NOT_MET");
  pv1::NominateGoodSecretaryRequest weak_req;
  weak_req.set_request_id("sel-nom-weak-message");
  weak_req.set_round_id("150900-2022");
  weak_req.set_cadre_id(weak);
  grpc::Status refused = stub().NominateGoodSecretary(WithToken(siziwang_).get(), weak_req, &n);
  EXPECT_NE(refused.error_message().find("CRITERION_CAPABILITY"), std::string::npos)
      << refused.error_message();
  EXPECT_NE(refused.error_message().find("CRITERION_SATISFACTION"), std::string::npos);
  EXPECT_EQ(refused.error_message().find("CRITERION_PERFORMANCE"), std::string::npos)
      << "met ones are not named";

  std::string not_secretary = NewCadreBorn(22, villages[1], 1980);
  Evaluate(not_secretary, 2022, {90, 90, 90, 90, 90});
  EXPECT_EQ(Nominate("150900-2022", not_secretary, &n, siziwang_).reason, "NOT_A_SECRETARY");

  std::string good = Qualified(23, villages[2], 2022);
  EXPECT_EQ(Nominate("150900-2022", good, &n, jining_).code, StatusCode::PERMISSION_DENIED);
  ASSERT_EQ(Nominate("150900-2022", good, &n, siziwang_).code, StatusCode::OK);
  EXPECT_EQ(n.status(), pv1::NOMINATION_STATUS_NOMINATED);
  EXPECT_EQ(n.party_org_id(), OrgOf(villages[2]));
  EXPECT_EQ(Nominate("150900-2099", good, &n, siziwang_).code, StatusCode::NOT_FOUND);
  pv1::NominateGoodSecretaryRequest again;
  again.set_request_id("sel-nom-again");
  again.set_round_id("150900-2022");
  again.set_cadre_id(good);
  EXPECT_EQ(OutcomeOf(stub().NominateGoodSecretary(WithToken(siziwang_).get(), again, &n)).reason,
            "ALREADY_NOMINATED");
}

TEST_F(SelectionTest, ConcurrentConfirmationsNeverExceedAQuotaOrTheTotal) {
  pv1::CreateSelectionRoundRequest create;
  create.set_request_id("sel-round-2023");
  create.mutable_round()->set_year(2023);
  create.mutable_round()->set_region_code("150900000000");
  create.mutable_round()->set_total_quota(3);
  for (auto [county, quota] : {std::pair{"150929", 2}, std::pair{"150902", 2}}) {
    auto* q = create.mutable_round()->add_quotas();
    q->set_county_code(county);
    q->set_quota(quota);
  }
  pv1::SelectionRound round;
  ASSERT_TRUE(stub().CreateSelectionRound(WithToken(city_).get(), create, &round).ok());

  std::vector<std::string> nominations;
  const auto siziwang = VillagesOf("150929201"), jining = VillagesOf("150902205");
  for (int i = 0; i < 4; ++i) {
    pv1::Nomination n;
    ASSERT_EQ(Nominate("150900-2023", Qualified(40 + i, siziwang[i], 2023), &n, siziwang_).code,
              StatusCode::OK);
    nominations.push_back(n.id());
  }
  for (int i = 0; i < 2; ++i) {
    pv1::Nomination n;
    ASSERT_EQ(Nominate("150900-2023", Qualified(50 + i, jining[i], 2023), &n, jining_).code,
              StatusCode::OK);
    nominations.push_back(n.id());
  }

  pv1::ConfirmGoodSecretaryRequest confirm;
  confirm.set_request_id("sel-confirm-by-county");
  confirm.set_id(nominations[0]);
  pv1::Nomination n;
  EXPECT_EQ(OutcomeOf(stub().ConfirmGoodSecretary(WithToken(siziwang_).get(), confirm, &n)).code,
            StatusCode::PERMISSION_DENIED);

  std::atomic<int> confirmed{0}, refused{0};
  std::vector<std::thread> threads;
  for (size_t i = 0; i < nominations.size(); ++i) {
    threads.emplace_back([&, i] {
      pv1::ConfirmGoodSecretaryRequest req;
      req.set_request_id("sel-confirm-" + std::to_string(i));
      req.set_id(nominations[i]);
      pv1::Nomination out;
      Outcome o = OutcomeOf(stub().ConfirmGoodSecretary(WithToken(city_).get(), req, &out));
      if (o.code == StatusCode::OK) ++confirmed;
      if (o.code == StatusCode::FAILED_PRECONDITION) ++refused;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(confirmed.load(), 3) << "the total";
  EXPECT_EQ(refused.load(), 3);
  EXPECT_LE(
      svc().Count("SELECT count(*) FROM personnel.nominations WHERE year = 2023 AND status = 2 "
                  "AND county_code = '150929'"),
      2);
  EXPECT_EQ(
      svc().Count("SELECT count(*) FROM personnel.nominations WHERE year = 2023 AND status = 2"),
      3);

  pv1::ListGoodSecretariesRequest list;
  list.set_year(2023);
  list.set_status(pv1::NOMINATION_STATUS_CONFIRMED);
  pv1::ListGoodSecretariesResponse good;
  ASSERT_TRUE(stub().ListGoodSecretaries(WithToken(auditor_).get(), list, &good).ok());
  EXPECT_EQ(good.nominations_size(), 3);
  for (const auto& g : good.nominations()) {
    EXPECT_FALSE(g.party_org_id().empty());
    EXPECT_NE(g.establishment(), pv1::ESTABLISHMENT_STATUS_UNSPECIFIED);
    EXPECT_EQ(g.confirmed_by(), "city");
  }
  pv1::GetSelectionRoundRequest get;
  get.set_id("150900-2023");
  ASSERT_TRUE(stub().GetSelectionRound(WithToken(city_).get(), get, &round).ok());
  EXPECT_EQ(round.confirmed(), 3);
  ASSERT_TRUE(stub().ListGoodSecretaries(WithToken(jining_).get(), list, &good).ok());
  for (const auto& g : good.nominations()) EXPECT_EQ(g.county_code(), "150902");

  // The public notice (公示) as a PDF, its text read back with pdftotext:
  // every confirmed secretary with their county, the period, the contact.
  pv1::PrintGoodSecretaryNoticeRequest pr;
  pr.set_year(2023);
  *pr.mutable_notice_start() = ToDate(absl::CivilDay(2023, 12, 20));
  pr.set_contact("市委组织部干部科（电话 0474-1234567）");
  pr.set_issuer("中共乌兰察布市委组织部");
  auto print = [&](const std::string& token) {
    auto ctx = WithToken(token);
    auto reader = stub().PrintGoodSecretaryNotice(ctx.get(), pr);
    return ReadExport(*reader);
  };
  Exported x = print(city_);
  ASSERT_EQ(x.end.code, StatusCode::OK) << x.end;
  EXPECT_EQ(x.content_type, "application/pdf");
  EXPECT_EQ(x.filename, "good-secretaries-1509-2023-notice.pdf");
  // TOUYAN_TEST_NOTICE_PDF=FILE keeps the notice (the README's picture).
  if (const char* keep = std::getenv("TOUYAN_TEST_NOTICE_PDF")) {
    std::ofstream(keep, std::ios::binary) << x.bytes;
  }
  const std::string text = PdfText(x.bytes);
  ASSERT_FALSE(text.empty()) << "pdftotext could not read the notice";
  EXPECT_NE(text.find("2023年度乡村振兴担当作为好支书拟表彰人选公示"), std::string::npos) << text;
  ASSERT_TRUE(stub().ListGoodSecretaries(WithToken(city_).get(), list, &good).ok());
  for (const auto& g : good.nominations()) {
    EXPECT_NE(text.find(g.cadre_name()), std::string::npos) << g.cadre_name() << "\n" << text;
  }
  // Three confirmed within quotas of two: both counties are on the list.
  EXPECT_NE(text.find("四子王旗"), std::string::npos) << text;
  EXPECT_NE(text.find("集宁区"), std::string::npos) << text;
  EXPECT_NE(text.find("2023年12月20日至2023年12月24日（5 天）"), std::string::npos) << text;
  EXPECT_NE(text.find("0474-1234567"), std::string::npos);
  EXPECT_NE(text.find("中共乌兰察布市委组织部"), std::string::npos);
  // Bad fields, another county's region, and nothing to announce.
  pr.set_notice_days(31);
  Exported bad = print(city_);
  EXPECT_EQ(bad.end.field, "notice_days");
  EXPECT_EQ(bad.chunks, 0);
  pr.set_notice_days(5);
  pr.clear_contact();
  EXPECT_EQ(print(city_).end.field, "contact");
  pr.set_contact("市委组织部");
  pr.set_region_code("150929000000");
  EXPECT_EQ(print(jining_).end.code, StatusCode::PERMISSION_DENIED);
  pr.set_year(2022);
  pr.clear_region_code();
  EXPECT_EQ(print(city_).end.reason, "NOTHING_CONFIRMED");
}

TEST_F(SelectionTest, AWithdrawnNominationFreesItsQuotaAndMayBeMadeAgain) {
  pv1::CreateSelectionRoundRequest create;
  create.set_request_id("sel-round-2024");
  create.mutable_round()->set_year(2024);
  create.mutable_round()->set_region_code("150900000000");
  create.mutable_round()->set_total_quota(1);
  auto* q = create.mutable_round()->add_quotas();
  q->set_county_code("150929");
  q->set_quota(1);
  pv1::SelectionRound round;
  grpc::Status made = stub().CreateSelectionRound(WithToken(city_).get(), create, &round);
  ASSERT_TRUE(made.ok()) << made.error_message();
  const auto villages = VillagesOf("150929202");
  pv1::Nomination a, b;
  ASSERT_EQ(Nominate("150900-2024", Qualified(60, villages[0], 2024), &a, siziwang_).code,
            StatusCode::OK);
  ASSERT_EQ(Nominate("150900-2024", Qualified(61, villages[1], 2024), &b, siziwang_).code,
            StatusCode::OK);
  auto confirm = [&](const std::string& request_id, const std::string& id, pv1::Nomination* out) {
    pv1::ConfirmGoodSecretaryRequest req;
    req.set_request_id(request_id);
    req.set_id(id);
    return OutcomeOf(stub().ConfirmGoodSecretary(WithToken(city_).get(), req, out));
  };
  auto withdraw = [&](const std::string& request_id, const std::string& id, const std::string& etag,
                      const std::string& reason, pv1::Nomination* out, const std::string& token) {
    pv1::WithdrawGoodSecretaryRequest req;
    req.set_request_id(request_id);
    req.set_id(id);
    req.set_reason(reason);
    req.set_etag(etag);
    return OutcomeOf(stub().WithdrawGoodSecretary(WithToken(token).get(), req, out));
  };
  pv1::Nomination confirmed, out;
  ASSERT_EQ(confirm("w-confirm-a", a.id(), &confirmed).code, StatusCode::OK);
  EXPECT_EQ(confirm("w-confirm-b", b.id(), &out).code, StatusCode::FAILED_PRECONDITION)
      << "the quota of one is taken";

  // An objection during the notice: the city withdraws the confirmed one.
  const std::string objection = "公示期间收到实名反映，经核实不符合条件";
  EXPECT_EQ(withdraw("w-1", a.id(), "", objection, &out, siziwang_).reason, "ROLE_NOT_ALLOWED")
      << "the county may not undo the city's confirmation";
  EXPECT_EQ(withdraw("w-1", a.id(), "", objection, &out, jining_).code,
            StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(withdraw("w-2", a.id(), "", "", &out, city_).field, "reason");
  Outcome stale = withdraw("w-3", a.id(), a.etag(), objection, &out, city_);
  EXPECT_EQ(stale.code, StatusCode::ABORTED) << "read before the confirmation: " << stale;
  EXPECT_EQ(stale.field, "etag");
  pv1::Nomination withdrawn;
  ASSERT_EQ(withdraw("w-4", a.id(), confirmed.etag(), objection, &withdrawn, city_).code,
            StatusCode::OK);
  EXPECT_EQ(withdrawn.status(), pv1::NOMINATION_STATUS_WITHDRAWN);
  EXPECT_EQ(withdrawn.withdraw_reason(), objection);
  EXPECT_EQ(withdrawn.withdrawn_by(), "city");
  EXPECT_TRUE(withdrawn.has_withdraw_time());
  ASSERT_EQ(withdraw("w-4", a.id(), confirmed.etag(), objection, &out, city_).code, StatusCode::OK);
  EXPECT_EQ(out.etag(), withdrawn.etag()) << "the retry answers as the first call did";
  EXPECT_EQ(confirm("w-confirm-a-again", a.id(), &out).reason, "WITHDRAWN");
  pv1::GetNominationRequest get;
  get.set_id(a.id());
  ASSERT_TRUE(stub().GetNomination(WithToken(auditor_).get(), get, &out).ok());
  EXPECT_EQ(out.status(), pv1::NOMINATION_STATUS_WITHDRAWN);
  EXPECT_EQ(out.etag(), withdrawn.etag());
  EXPECT_EQ(stub().GetNomination(WithToken(jining_).get(), get, &out).error_code(),
            StatusCode::PERMISSION_DENIED);
  get.set_id("150929-999999");
  EXPECT_EQ(stub().GetNomination(WithToken(siziwang_).get(), get, &out).error_code(),
            StatusCode::NOT_FOUND);

  // The quota is free again; the list shows the withdrawal.
  ASSERT_EQ(confirm("w-confirm-b-2", b.id(), &out).code, StatusCode::OK);
  pv1::ListGoodSecretariesRequest list;
  list.set_year(2024);
  list.set_status(pv1::NOMINATION_STATUS_WITHDRAWN);
  pv1::ListGoodSecretariesResponse listed;
  ASSERT_TRUE(stub().ListGoodSecretaries(WithToken(auditor_).get(), list, &listed).ok());
  ASSERT_EQ(listed.nominations_size(), 1);
  EXPECT_EQ(listed.nominations(0).id(), a.id());

  // Nominated again (say, the objection was unfounded): the same record, open.
  pv1::NominateGoodSecretaryRequest again;
  again.set_request_id("sel-nom-again");
  again.set_round_id("150900-2024");
  again.set_cadre_id(a.cadre_id());
  again.set_reason("复核后重新推荐");
  ASSERT_TRUE(stub().NominateGoodSecretary(WithToken(siziwang_).get(), again, &out).ok());
  EXPECT_EQ(out.id(), a.id());
  EXPECT_EQ(out.status(), pv1::NOMINATION_STATUS_NOMINATED);
  EXPECT_TRUE(out.withdraw_reason().empty());
  // An open nomination the county withdraws itself.
  ASSERT_EQ(withdraw("w-5", a.id(), out.etag(), "本人申请", &out, siziwang_).code, StatusCode::OK);
  EXPECT_EQ(out.status(), pv1::NOMINATION_STATUS_WITHDRAWN);
}

}  // namespace
}  // namespace touyan::testing
