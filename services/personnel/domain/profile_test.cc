#include "services/personnel/domain/profile.h"

#include "common/status/status.h"
#include "common/time/date.h"
#include "gtest/gtest.h"

namespace touyan::personnel {
namespace {

const absl::CivilDay kToday(2023, 11, 1);

TEST(ProfileTest, EachCriterionNeedsEvidenceAndTheThreshold) {
  std::array<Tally, kCriteria> t{};
  t[0] = {2, 150};  // mean 75
  t[1] = {3, 179};  // mean 59.67: below 60
  t[2] = {1, 60};   // exactly 60: met
  t[3] = {4, 360};
  // t[4]: no evaluation at all
  v1::Profile p = ComputeProfile("150902-1", 2023, t, DefaultThresholds());
  ASSERT_EQ(p.criteria_size(), 5);
  EXPECT_DOUBLE_EQ(p.criteria(0).mean_score(), 75.0);
  EXPECT_TRUE(p.criteria(0).met());
  EXPECT_FALSE(p.criteria(1).met());
  EXPECT_TRUE(p.criteria(2).met());
  EXPECT_FALSE(p.criteria(4).met());
  EXPECT_EQ(p.criteria(4).evaluations(), 0);
  EXPECT_FALSE(p.all_met());
  ASSERT_EQ(p.unmet_size(), 2);
  EXPECT_EQ(p.unmet(0), v1::CRITERION_CAPABILITY);
  EXPECT_EQ(p.unmet(1), v1::CRITERION_SATISFACTION);
  absl::Status s = CheckAllConditionsMet(p);
  EXPECT_EQ(ReasonOf(s), "CONDITIONS_NOT_MET");
  EXPECT_NE(s.message().find("CRITERION_CAPABILITY"), std::string::npos);
  EXPECT_NE(s.message().find("CRITERION_SATISFACTION"), std::string::npos);

  Thresholds lenient = DefaultThresholds();
  lenient[1] = 50;
  t[4] = {1, 90};
  EXPECT_TRUE(ComputeProfile("150902-1", 2023, t, lenient).all_met());
}

TEST(ProfileTest, ThresholdsNeedAllFiveOnce) {
  v1::ProfileThresholds t;
  t.set_year(2023);
  for (int c = 1; c <= 5; ++c) {
    auto* x = t.add_thresholds();
    x->set_criterion(static_cast<v1::Criterion>(c));
    x->set_min_score(70);
  }
  EXPECT_TRUE(ValidateThresholds(t, kToday).ok());
  EXPECT_EQ(ToThresholds(t)[4], 70);
  t.mutable_thresholds(4)->set_criterion(v1::CRITERION_CAPABILITY);
  EXPECT_EQ(FieldOf(ValidateThresholds(t, kToday)).value_or(""),
            "thresholds.thresholds[4].criterion");
  t.mutable_thresholds(4)->set_criterion(v1::CRITERION_SATISFACTION);
  t.mutable_thresholds(0)->set_min_score(101);
  EXPECT_EQ(FieldOf(ValidateThresholds(t, kToday)).value_or(""),
            "thresholds.thresholds[0].min_score");
  t.mutable_thresholds()->RemoveLast();
  t.mutable_thresholds(0)->set_min_score(1);
  EXPECT_EQ(FieldOf(ValidateThresholds(t, kToday)).value_or(""), "thresholds.thresholds");
}

TEST(ProfileTest, EvaluationsAreChecked) {
  v1::Evaluation e;
  e.set_criterion(v1::CRITERION_PERFORMANCE);
  e.set_score(88);
  e.set_evaluator("旗委组织部");
  *e.mutable_evaluated_on() = ToDate(absl::CivilDay(2023, 5, 1));
  EXPECT_TRUE(ValidateEvaluation(e, kToday).ok());
  e.set_score(101);
  EXPECT_EQ(FieldOf(ValidateEvaluation(e, kToday)).value_or(""), "evaluation.score");
  e.set_score(-1);
  EXPECT_EQ(FieldOf(ValidateEvaluation(e, kToday)).value_or(""), "evaluation.score");
  e.set_score(50);
  *e.mutable_evaluated_on() = ToDate(absl::CivilDay(2024, 5, 1));
  EXPECT_EQ(FieldOf(ValidateEvaluation(e, kToday)).value_or(""), "evaluation.evaluated_on");
}

TEST(SelectionTest, QuotaArithmetic) {
  EXPECT_TRUE(CheckQuota("150902", 10, 9, 100, 99).ok());
  EXPECT_EQ(ReasonOf(CheckQuota("150902", 10, 10, 100, 50)), "COUNTY_QUOTA_FULL");
  EXPECT_EQ(ReasonOf(CheckQuota("150902", 0, 0, 100, 0)), "COUNTY_QUOTA_FULL");
  EXPECT_EQ(ReasonOf(CheckQuota("150902", 10, 3, 100, 100)), "TOTAL_QUOTA_FULL");
}

TEST(SelectionTest, RoundsBelongToACityAndItsCounties) {
  v1::SelectionRound r;
  r.set_year(2023);
  r.set_region_code("150900000000");
  r.set_total_quota(100);
  auto* q = r.add_quotas();
  q->set_county_code("150902");
  q->set_quota(12);
  EXPECT_TRUE(ValidateRound(r, kToday).ok());
  q->set_county_code("150102");
  EXPECT_EQ(FieldOf(ValidateRound(r, kToday)).value_or(""), "round.quotas[0].county_code");
  q->set_county_code("150902");
  q->set_quota(101);
  EXPECT_EQ(FieldOf(ValidateRound(r, kToday)).value_or(""), "round.quotas[0].quota");
  q->set_quota(1);
  r.set_region_code("150902000000");
  EXPECT_EQ(FieldOf(ValidateRound(r, kToday)).value_or(""), "round.region_code");
}

}  // namespace
}  // namespace touyan::personnel
