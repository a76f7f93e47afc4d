#include "services/incentive/domain/consequences.h"

#include "common/status/status.h"
#include "gtest/gtest.h"

namespace touyan::incentive {
namespace {

v1::Assessment Result(v1::Grade grade, std::optional<double> democratic) {
  v1::Assessment a;
  a.set_cadre_id("150902-1");
  a.set_year(2023);
  a.set_grade(grade);
  a.set_score(55.5);
  v1::Component* c = a.add_components();
  c->set_name("democratic");
  c->set_missing(!democratic);
  c->set_value(democratic.value_or(0));
  return a;
}

TEST(Consequences, TouyansDefaultsAndWhatEachResultCallsFor) {
  const v1::ConsequencePolicy d = WithDefaults({});
  ASSERT_EQ(d.exit_grades_size(), 1);
  EXPECT_EQ(d.exit_grades(0), v1::GRADE_INCOMPETENT);
  EXPECT_EQ(d.democratic_min(), 60);
  EXPECT_EQ(d.eligible_grades(0), v1::GRADE_EXCELLENT);

  std::vector<v1::Proposal> p = CalledFor(d, Result(v1::GRADE_INCOMPETENT, 80));
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].kind(), v1::PROPOSAL_KIND_EXIT_STEP);
  EXPECT_EQ(p[0].basis(), "grade GRADE_INCOMPETENT");
  EXPECT_EQ(p[0].score(), 55.5);

  // A low democratic score alone, and both together in one proposal.
  p = CalledFor(d, Result(v1::GRADE_COMPETENT, 59.99));
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].basis(), "democratic score 59.99 below 60.00");
  p = CalledFor(d, Result(v1::GRADE_INCOMPETENT, 10));
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].basis(), "grade GRADE_INCOMPETENT; democratic score 10.00 below 60.00");
  // No evaluation is not a low score; 60 is not below 60.
  EXPECT_TRUE(CalledFor(d, Result(v1::GRADE_COMPETENT, std::nullopt)).empty());
  EXPECT_TRUE(CalledFor(d, Result(v1::GRADE_COMPETENT, 60)).empty());

  p = CalledFor(d, Result(v1::GRADE_EXCELLENT, 95));
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].kind(), v1::PROPOSAL_KIND_ELIGIBILITY);
  // An excellent grade with a low democratic score leads to the exit step only.
  p = CalledFor(d, Result(v1::GRADE_EXCELLENT, 30));
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].kind(), v1::PROPOSAL_KIND_EXIT_STEP);
}

TEST(Consequences, ACitysPolicyReplacesTheDefaults) {
  v1::ConsequencePolicy p;
  p.add_exit_grades(v1::GRADE_INCOMPETENT);
  p.add_exit_grades(v1::GRADE_BASICALLY_COMPETENT);
  p.set_democratic_min(0);  // off
  p.add_eligible_grades(v1::GRADE_EXCELLENT);
  p.add_eligible_grades(v1::GRADE_COMPETENT);
  p = WithDefaults(p);
  EXPECT_EQ(CalledFor(p, Result(v1::GRADE_BASICALLY_COMPETENT, 90))[0].kind(),
            v1::PROPOSAL_KIND_EXIT_STEP);
  EXPECT_EQ(CalledFor(p, Result(v1::GRADE_COMPETENT, 10))[0].kind(), v1::PROPOSAL_KIND_ELIGIBILITY);
}

TEST(Consequences, APolicyIsCheckedFieldByField) {
  const absl::CivilDay today(2023, 12, 1);
  v1::ConsequencePolicy p;
  p.set_region_code("150900000000");
  p.set_year(2023);
  EXPECT_TRUE(ValidateConsequencePolicy(p, today).ok());
  p.set_region_code("150902000000");
  EXPECT_EQ(FieldOf(ValidateConsequencePolicy(p, today)), "region_code");
  p.set_region_code("150900000000");
  p.add_exit_grades(v1::GRADE_INCOMPETENT);
  p.add_exit_grades(v1::GRADE_INCOMPETENT);
  EXPECT_EQ(FieldOf(ValidateConsequencePolicy(p, today)), "exit_grades[1]");
  p.clear_exit_grades();
  p.add_exit_grades(v1::GRADE_INCOMPETENT);
  p.add_eligible_grades(v1::GRADE_INCOMPETENT);
  EXPECT_EQ(FieldOf(ValidateConsequencePolicy(p, today)), "eligible_grades[0]");
  p.clear_eligible_grades();
  p.set_democratic_min(101);
  EXPECT_EQ(FieldOf(ValidateConsequencePolicy(p, today)), "democratic_min");
}

TEST(Consequences, TheLadderGoesOneStepAboveTheHighestTaken) {
  EXPECT_EQ(NextStep({}), v1::MEASURE_KIND_ADMONITION);
  EXPECT_EQ(NextStep({v1::MEASURE_KIND_ADMONITION}), v1::MEASURE_KIND_ORG_ADJUSTMENT);
  EXPECT_EQ(NextStep({v1::MEASURE_KIND_ORG_ADJUSTMENT, v1::MEASURE_KIND_ADMONITION}),
            v1::MEASURE_KIND_PERSUADED_RESIGNATION);
  EXPECT_EQ(NextStep({v1::MEASURE_KIND_ORDERED_RESIGNATION}), v1::MEASURE_KIND_ORDERED_RESIGNATION);
}

}  // namespace
}  // namespace touyan::incentive
