// Incentive's records: overdue cases and wellbeing alerts, the promotion
// report, hostile input. Same binary as incentive_test.cc (its environment).
#include "tests/incentive/fixture.h"

namespace touyan::testing {
namespace {

TEST_F(IncentiveTest, OverdueCasesAndWellbeingAlertsListExactlyTheSeededCases) {
  const auto v = VillagesOf("150902004");
  const std::string x = MakeSecretary(9501, v[0]), y = MakeSecretary(9502, v[1]),
                    z = MakeSecretary(9503, v[2]);

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
    EXPECT_EQ(Call(&iv1::IncentiveService::Stub::RaiseFlag, jining_, req, &out).code,
              StatusCode::OK);
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
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::AddFollowUp, jining_, fu, &after).code,
            StatusCode::OK);
  EXPECT_TRUE(after.rectified());
  // One case alone, as the list shows it (overdue computed); another
  // county's and a missing one refused.
  auto get_case = [&](const std::string& token, const std::string& id) {
    iv1::SupervisionCase out;
    Outcome o = GetById(&iv1::IncentiveService::Stub::GetCase, token, id, &out);
    return std::pair{o, out};
  };
  auto [found, one] = get_case(auditor_, overdue.id());
  ASSERT_EQ(found.code, StatusCode::OK);
  EXPECT_TRUE(one.overdue());
  EXPECT_EQ(one.cadre_id(), x);
  EXPECT_EQ(get_case(siziwang_, overdue.id()).first.code, StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(get_case(jining_, overdue.id().substr(0, 7) + "999999").first.code,
            StatusCode::NOT_FOUND);
  EXPECT_EQ(after.follow_ups_size(), 1);
  fu.set_request_id("case-rectified-fu-2");
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::AddFollowUp, jining_, fu).reason, "CASE_CLOSED");
  iv1::ListCasesRequest cases;
  cases.set_region_code("150902004000");
  cases.set_overdue_only(true);
  iv1::ListCasesResponse listed;
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::ListCases, jining_, cases, &listed).code,
            StatusCode::OK);
  ASSERT_EQ(listed.cases_size(), 1);
  EXPECT_EQ(listed.cases(0).id(), overdue.id());
  cases.set_region_code("150902000000");
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::ListCases, siziwang_, cases).code,
            StatusCode::PERMISSION_DENIED);

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
  check_in("ci-2", y, -60, 2);                                       // low, talked 10 days later
  talk("ci-2-talk", y, -50);
  check_in("ci-3", z, -10, 1);  // low, 30 days not over yet
  check_in("ci-4", z, -60, 4);  // not low
  const iv1::WellbeingCheckIn alert2 =
      check_in("ci-5", y, -100, 2);  // low, talked 50 days later: too late
  talk("ci-5-talk", y, -45);
  EXPECT_TRUE(alert1.low());
  {  // A check-in reads back by id, in its county.
    iv1::WellbeingCheckIn read;
    ASSERT_EQ(GetById(&iv1::IncentiveService::Stub::GetCheckIn, jining_, alert1.id(), &read).code,
              StatusCode::OK);
    EXPECT_EQ(read.DebugString(), alert1.DebugString());
    EXPECT_EQ(GetById(&iv1::IncentiveService::Stub::GetCheckIn, siziwang_, alert1.id()).code,
              StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(GetById(&iv1::IncentiveService::Stub::GetCheckIn, jining_, "150902-999999").code,
              StatusCode::NOT_FOUND);
    iv1::ListCheckInsRequest list;
    list.set_cadre_id(x);
    iv1::ListCheckInsResponse listed;
    ASSERT_EQ(Call(&iv1::IncentiveService::Stub::ListCheckIns, jining_, list, &listed).code,
              StatusCode::OK);
    ASSERT_EQ(listed.check_ins_size(), 1);
    EXPECT_EQ(listed.check_ins(0).DebugString(), alert1.DebugString());
    list.set_region_code("150902000000");
    EXPECT_EQ(Call(&iv1::IncentiveService::Stub::ListCheckIns, siziwang_, list).code,
              StatusCode::PERMISSION_DENIED);
  }
  std::vector<iv1::WellbeingAlert> alerts = AllAlerts(jining_, "150902004000");  // paged one by one
  ASSERT_EQ(alerts.size(), 2u);
  std::set<std::string> ids = {alerts[0].check_in().id(), alerts[1].check_in().id()};
  EXPECT_EQ(ids, (std::set<std::string>{alert1.id(), alert2.id()}));
  for (const auto& a : alerts) EXPECT_GT(a.days_without_follow_up(), 30);
  EXPECT_TRUE(AllAlerts(city_, "150929000000").empty());
}

TEST_F(IncentiveTest, PromotionsAreReportedPerChannel) {
  const auto v = VillagesOf("150902005");
  // 2022: a city that sets no conditions on any channel (these secretaries
  // are 63 and never assessed).
  iv1::SetPromotionPolicyRequest open;
  open.set_request_id("promo-open-2022");
  open.mutable_policy()->set_region_code("150900000000");
  open.mutable_policy()->set_year(2022);
  for (int ch = 1; ch <= 3; ++ch) {
    open.mutable_policy()->add_rules()->set_channel(static_cast<iv1::Channel>(ch));
  }
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::SetPromotionPolicy, city_, open).code,
            StatusCode::OK);
  const int counts[] = {2, 1, 1};  // township deputy, civil service, public institution
  int seq = 9600;
  for (int ch = 0; ch < 3; ++ch) {
    for (int i = 0; i < counts[ch]; ++i, ++seq) {
      iv1::RecordPromotionRequest req;
      req.set_request_id(absl::StrCat("promo-", seq));
      req.mutable_promotion()->set_cadre_id(MakeSecretary(seq, v[seq - 9600]));
      req.mutable_promotion()->set_channel(static_cast<iv1::Channel>(ch + 1));
      req.mutable_promotion()->set_year(2022);
      req.mutable_promotion()->set_post("副镇长");
      *req.mutable_promotion()->mutable_effective_on() = ToDate(absl::CivilDay(2022, 9, 1));
      req.mutable_promotion()->set_last_grade(iv1::GRADE_EXCELLENT);  // output only: ignored
      req.mutable_promotion()->set_age(30);
      iv1::Promotion made;
      ASSERT_EQ(Call(&iv1::IncentiveService::Stub::RecordPromotion, jining_, req, &made).code,
                StatusCode::OK);
      EXPECT_EQ(made.last_grade(), iv1::GRADE_UNSPECIFIED);  // never assessed
      EXPECT_EQ(made.age(), 62);
      ASSERT_EQ(Call(&iv1::IncentiveService::Stub::RecordPromotion, jining_, req).code,
                StatusCode::OK);  // retry
    }
  }
  iv1::RecordPromotionRequest bad;
  bad.set_request_id("promo-bad");
  bad.mutable_promotion()->set_cadre_id("150902-1");
  bad.mutable_promotion()->set_channel(iv1::CHANNEL_CIVIL_SERVICE);
  bad.mutable_promotion()->set_year(2023);
  bad.mutable_promotion()->set_post("科员");
  *bad.mutable_promotion()->mutable_effective_on() = ToDate(absl::CivilDay(2022, 9, 1));
  EXPECT_EQ(Call(&iv1::IncentiveService::Stub::RecordPromotion, jining_, bad).field,
            "promotion.effective_on");
  iv1::PromotionReportRequest report;
  report.set_year(2022);
  report.set_region_code("150902005000");
  iv1::PromotionReportResponse got;
  ASSERT_EQ(Call(&iv1::IncentiveService::Stub::PromotionReport, auditor_, report, &got).code,
            StatusCode::OK);
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
      [&](const iv1::RecordCareRequest& r, iv1::CareRecord* a) {
        return incentive().RecordCare(WithToken(city).get(), r, a);
      },
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
      [&](const iv1::RaiseFlagRequest& r, iv1::SupervisionCase* a) {
        return incentive().RaiseFlag(WithToken(op).get(), r, a);
      },
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
      [&](const iv1::RecordInputRequest& r, iv1::AssessmentInput* a) {
        return incentive().RecordInput(WithToken(op).get(), r, a);
      });

  iv1::DecideExitMeasureRequest measure;
  auto* em = measure.mutable_measure();
  em->set_cadre_id(cadre);
  em->set_kind(iv1::MEASURE_KIND_ADMONITION);
  em->set_grounds("依据");
  *em->mutable_decided_on() = Day(-1);
  em->set_deciding_body("区委组织部");
  HostileSweep::SweepMutation<iv1::ExitMeasure>(
      measure, "measure.",
      {"id", "county_code", "cadre_name", "appeal", "appeal_decision", "position_id"},
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
      promo, "promotion.",
      {"id", "county_code", "cadre_name", "position_id", "party_org_id", "years_in_post", "age",
       "policy_version"},
      [&](const iv1::RecordPromotionRequest& r, iv1::Promotion* a) {
        return incentive().RecordPromotion(WithToken(op).get(), r, a);
      });

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
      [&](const iv1::CheckInRequest& r, iv1::WellbeingCheckIn* a) {
        return incentive().CheckIn(WithToken(op).get(), r, a);
      });

  iv1::SetSchemeRequest scheme;
  *scheme.mutable_scheme() = ExampleScheme("150902", 2024);
  HostileSweep::SweepMutation<iv1::Scheme>(
      scheme, "scheme.", {},
      [&](const iv1::SetSchemeRequest& r, iv1::Scheme* a) {
        return incentive().SetScheme(WithToken(op).get(), r, a);
      },
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
      [&](const iv1::OpenEvaluationRequest& r, iv1::Evaluation* a) {
        return incentive().OpenEvaluation(WithToken(op).get(), r, a);
      },
      HostileSweep::ReadById(incentive(), &iv1::IncentiveService::Stub::GetEvaluation, op));
}

}  // namespace
}  // namespace touyan::testing
