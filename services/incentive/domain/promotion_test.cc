#include "services/incentive/domain/promotion.h"

#include "common/status/status.h"
#include "gtest/gtest.h"

namespace touyan::incentive {
namespace {

TEST(Promotion, EachUnmetConditionIsNamedAndTheFirstUnmetWins) {
  const v1::ChannelRule civil = DefaultRule(v1::CHANNEL_CIVIL_SERVICE);
  PromotionFacts f{.years_in_post = 2, .last_grade = v1::GRADE_COMPETENT, .age = 40};
  EXPECT_TRUE(CheckEligible(civil, f).ok());
  f.age = 41;
  EXPECT_EQ(ReasonOf(CheckEligible(civil, f)), "ABOVE_MAX_AGE");
  EXPECT_TRUE(CheckEligible(DefaultRule(v1::CHANNEL_TOWNSHIP_DEPUTY), f).ok());  // 45 there
  f.last_grade = v1::GRADE_BASICALLY_COMPETENT;
  EXPECT_EQ(ReasonOf(CheckEligible(civil, f)), "BELOW_MIN_GRADE");
  f.last_grade.reset();
  EXPECT_EQ(ReasonOf(CheckEligible(civil, f)), "NO_ASSESSMENT");
  f.years_in_post = 1;
  absl::Status s = CheckEligible(civil, f);
  EXPECT_EQ(ReasonOf(s), "BELOW_MIN_YEARS_IN_POST");
  EXPECT_NE(s.message().find("CHANNEL_CIVIL_SERVICE needs 2 full years"), std::string::npos);
  // Zeros leave a condition out.
  v1::ChannelRule open;
  open.set_channel(v1::CHANNEL_PUBLIC_INSTITUTION);
  EXPECT_TRUE(CheckEligible(open, f).ok());
  f.last_grade = v1::GRADE_EXCELLENT;
  open.set_min_grade(v1::GRADE_EXCELLENT);
  EXPECT_TRUE(CheckEligible(open, f).ok());
  open.set_eligible_only(true);  // a confirmed eligibility proposal
  EXPECT_EQ(ReasonOf(CheckEligible(open, f)), "NOT_ELIGIBLE");
  f.eligible = true;
  EXPECT_TRUE(CheckEligible(open, f).ok());
}

TEST(Promotion, FullYearsCountOnlyCompletedYears) {
  EXPECT_EQ(FullYears(absl::CivilDay(2021, 1, 15), absl::CivilDay(2023, 1, 14)), 1);
  EXPECT_EQ(FullYears(absl::CivilDay(2021, 1, 15), absl::CivilDay(2023, 1, 15)), 2);
  EXPECT_EQ(FullYears(absl::CivilDay(1980, 12, 31), absl::CivilDay(2023, 12, 1)), 42);
}

TEST(Promotion, APolicyIsCheckedFieldByFieldAndFilledWithDefaults) {
  const absl::CivilDay today(2023, 6, 1);
  v1::PromotionPolicy p;
  p.set_region_code("150900000000");
  p.set_year(2023);
  EXPECT_EQ(FieldOf(ValidatePolicy(p, today)), "rules");
  v1::ChannelRule* r = p.add_rules();
  r->set_channel(v1::CHANNEL_CIVIL_SERVICE);
  r->set_min_years_in_post(3);
  r->set_max_age(35);
  EXPECT_TRUE(ValidatePolicy(p, today).ok());
  r->set_max_age(10);
  EXPECT_EQ(FieldOf(ValidatePolicy(p, today)), "rules[0].max_age");
  r->set_max_age(35);
  r->set_min_grade(v1::GRADE_INCOMPETENT);
  EXPECT_EQ(FieldOf(ValidatePolicy(p, today)), "rules[0].min_grade");
  r->set_min_grade(v1::GRADE_UNSPECIFIED);
  *p.add_rules() = *r;
  EXPECT_EQ(FieldOf(ValidatePolicy(p, today)), "rules[1].channel");
  p.mutable_rules()->RemoveLast();
  p.set_region_code("150902000000");
  EXPECT_EQ(FieldOf(ValidatePolicy(p, today)), "region_code");
  p.set_region_code("150900000000");

  const v1::PromotionPolicy all = WithDefaults(p);
  ASSERT_EQ(all.rules_size(), 3);
  EXPECT_EQ(RuleOf(all, v1::CHANNEL_CIVIL_SERVICE).min_years_in_post(), 3);
  EXPECT_EQ(RuleOf(all, v1::CHANNEL_TOWNSHIP_DEPUTY).max_age(), 45);
}

}  // namespace
}  // namespace touyan::incentive
