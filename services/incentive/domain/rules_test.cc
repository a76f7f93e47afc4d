// The incentive rules without a database: weights and bands, the ballot
// tally, the care award rule, the exit ladder, and request checks.
#include "services/incentive/domain/rules.h"

#include "common/status/status.h"
#include "common/time/date.h"
#include "gtest/gtest.h"
#include "services/incentive/domain/example_scheme.h"

namespace touyan::incentive {
namespace {

v1::Scheme Scheme() { return ExampleScheme("150902", 2023); }

const v1::Component& Part(const v1::Assessment& a, const std::string& name) {
  for (const auto& c : a.components()) {
    if (c.name() == name) return c;
  }
  static v1::Component none;
  ADD_FAILURE() << "no component " << name;
  return none;
}

TEST(SchemeTest, WeightsMustSumTo100AndBandsDescend) {
  v1::Scheme s = Scheme();
  ASSERT_TRUE(NormalizeScheme(s).ok());
  EXPECT_EQ(s.quorum_percent(), 67);  // the default
  s.mutable_weights()->set_contest(26);
  absl::Status st = NormalizeScheme(s);
  EXPECT_EQ(FieldOf(st), "weights");
  EXPECT_EQ(ReasonOf(st), "BAD_WEIGHTS");
  s = Scheme();
  s.mutable_weights()->set_stars(-5);
  EXPECT_EQ(FieldOf(NormalizeScheme(s)), "weights.stars");
  s = Scheme();
  s.set_competent_min(95);
  EXPECT_EQ(ReasonOf(NormalizeScheme(s)), "BAD_BANDS");
  s = Scheme();
  s.set_training_theme("");
  EXPECT_EQ(FieldOf(NormalizeScheme(s)), "training_theme");
  s = Scheme();
  s.set_county_code("150900");
  EXPECT_EQ(FieldOf(NormalizeScheme(s)), "county_code");
  s = Scheme();
  s.set_quorum_percent(101);
  EXPECT_EQ(FieldOf(NormalizeScheme(s)), "quorum_percent");
}

TEST(AssessTest, AKnownCaseByHand) {
  // daily: mean(80, 90) = 85, trained → 85 × 0.8 + 100 × 0.2 = 88
  // contest: rank 1 of 2 → 100; stars 4 → 80; annual review 90;
  // democratic: (3 × 100 + 1 × 60) / 4 = 90
  // score = 88 × .30 + 100 × .25 + 80 × .10 + 90 × .20 + 90 × .15 = 90.9
  Inputs in;
  in.daily = {80, 90};
  in.trained = true;
  in.contest = Inputs::Contest{1, 2, "县级决赛", 4};
  in.annual_review = 90;
  in.democratic = Votes{3, 1, 0};
  v1::Assessment a = Assess(Scheme(), in);
  EXPECT_DOUBLE_EQ(Part(a, "daily_management").value(), 88);
  EXPECT_DOUBLE_EQ(Part(a, "daily_management").points(), 26.4);
  EXPECT_DOUBLE_EQ(Part(a, "contest").value(), 100);
  EXPECT_DOUBLE_EQ(Part(a, "stars").value(), 80);
  EXPECT_DOUBLE_EQ(Part(a, "democratic").value(), 90);
  EXPECT_DOUBLE_EQ(Part(a, "democratic").points(), 13.5);
  EXPECT_DOUBLE_EQ(a.score(), 90.9);
  EXPECT_EQ(a.grade(), v1::GRADE_EXCELLENT);
  EXPECT_FALSE(a.failed_democratic());
  EXPECT_EQ(Part(a, "contest").explanation(), "rank 1 of 2 in 县级决赛");

  // Not trained: daily 85 × 0.8 = 68 → 20.4 points; score 84.9, competent.
  in.trained = false;
  a = Assess(Scheme(), in);
  EXPECT_DOUBLE_EQ(a.score(), 84.9);
  EXPECT_EQ(a.grade(), v1::GRADE_COMPETENT);
  // Deterministic: the same inputs, the same result, byte for byte.
  EXPECT_EQ(Assess(Scheme(), in).SerializeAsString(), a.SerializeAsString());
}

TEST(AssessTest, MissingInputsCountZeroAndAreMarked) {
  v1::Assessment a = Assess(Scheme(), Inputs{});
  EXPECT_DOUBLE_EQ(a.score(), 0);
  EXPECT_EQ(a.grade(), v1::GRADE_INCOMPETENT);
  for (const auto& c : a.components()) EXPECT_TRUE(c.missing()) << c.name();
  // Bands are inclusive lower bounds: exactly 75 is competent.
  Inputs in;
  in.annual_review = 100;
  in.daily = {100};
  v1::Scheme s = Scheme();
  s.set_training_share(0);
  s.mutable_weights()->set_daily_management(55);
  s.mutable_weights()->set_annual_review(20);
  s.mutable_weights()->set_contest(0);
  s.mutable_weights()->set_stars(10);
  s.mutable_weights()->set_democratic(15);
  a = Assess(s, in);
  EXPECT_DOUBLE_EQ(a.score(), 75);
  EXPECT_EQ(a.grade(), v1::GRADE_COMPETENT);
}

TEST(AssessTest, OverHalfDissatisfiedFailsWhateverTheScore) {
  Inputs in;
  in.daily = {100};
  in.trained = true;
  in.contest = Inputs::Contest{1, 10, "x", 5};
  in.annual_review = 100;
  in.democratic = Votes{4, 0, 5};  // 5 of 9 dissatisfied
  v1::Assessment a = Assess(Scheme(), in);
  EXPECT_GT(a.score(), 90);
  EXPECT_TRUE(a.failed_democratic());
  EXPECT_EQ(a.grade(), v1::GRADE_INCOMPETENT);
  in.democratic = Votes{5, 0, 5};  // exactly half: not over
  a = Assess(Scheme(), in);
  EXPECT_FALSE(a.failed_democratic());
  EXPECT_NE(a.grade(), v1::GRADE_INCOMPETENT);
  // The threshold is the scheme's: over 40 % fails, over 60 % only.
  v1::Scheme strict = Scheme();
  strict.set_dissatisfied_fail_percent(40);
  EXPECT_TRUE(Assess(strict, in).failed_democratic());
  in.democratic = Votes{4, 0, 5};
  v1::Scheme lenient = Scheme();
  lenient.set_dissatisfied_fail_percent(60);
  EXPECT_FALSE(Assess(lenient, in).failed_democratic());
}

TEST(TallyTest, QuorumScoreAndTheMajorityRule) {
  v1::Tally t = TallyOf(Votes{6, 2, 2}, 10, 15, 67, 50);  // 15 × 67% = 10.05 → 11 needed
  EXPECT_FALSE(t.quorum_met());
  EXPECT_FALSE(t.failed());
  t = TallyOf(Votes{6, 2, 2}, 10, 15, 66, 50);  // 9.9 → 10
  EXPECT_TRUE(t.quorum_met());
  EXPECT_DOUBLE_EQ(t.score(), 72);  // (600 + 120) / 10
  t = TallyOf(Votes{2, 2, 6}, 10, 10, 67, 50);
  EXPECT_TRUE(t.failed());
  EXPECT_FALSE(TallyOf(Votes{}, 0, 10, 67, 50).quorum_met());
  EXPECT_FALSE(TallyOf(Votes{2, 2, 6}, 10, 10, 67, 60).failed());  // 60 % is not over 60 %
  EXPECT_TRUE(TallyOf(Votes{2, 3, 5}, 10, 10, 67, 40).failed());
}

TEST(CareRuleTest, OrganisationForTheEstablishedPersonOtherwise) {
  v1::Award a;
  ASSERT_TRUE(ApplyCareRule(true, "150902-7", "150902-3", a).ok());
  EXPECT_EQ(a.recipient(), v1::RECIPIENT_PARTY_ORG);
  EXPECT_EQ(a.recipient_id(), "150902-3");
  EXPECT_EQ(a.amount_fen(), 1'000'000);
  EXPECT_TRUE(a.priority_promotion() && a.priority_rank() && a.priority_honours());
  v1::Award b;
  ASSERT_TRUE(ApplyCareRule(false, "150902-8", "150902-4", b).ok());
  EXPECT_EQ(b.recipient(), v1::RECIPIENT_PERSON);
  EXPECT_EQ(b.recipient_id(), "150902-8");
  EXPECT_EQ(b.amount_fen(), 1'000'000);
  EXPECT_FALSE(b.priority_promotion() || b.priority_rank() || b.priority_honours());
  v1::Award c;
  EXPECT_EQ(ReasonOf(ApplyCareRule(true, "150902-9", "", c)), "NO_PARTY_ORG");
}

TEST(LadderTest, StepsInOrderOrWithAReason) {
  using K = v1::MeasureKind;
  EXPECT_TRUE(CheckLadder(v1::MEASURE_KIND_ADMONITION, {}, "").ok());
  absl::Status s = CheckLadder(v1::MEASURE_KIND_ORG_ADJUSTMENT, {}, "");
  EXPECT_EQ(ReasonOf(s), "LADDER_STEP_SKIPPED");
  EXPECT_EQ(FieldOf(s), "measure.skip_reason");
  EXPECT_TRUE(CheckLadder(v1::MEASURE_KIND_ORG_ADJUSTMENT, {v1::MEASURE_KIND_ADMONITION}, "").ok());
  EXPECT_EQ(ReasonOf(CheckLadder(v1::MEASURE_KIND_ORDERED_RESIGNATION,
                                 {v1::MEASURE_KIND_ADMONITION}, "")),
            "LADDER_STEP_SKIPPED");
  EXPECT_TRUE(
      CheckLadder(v1::MEASURE_KIND_ORDERED_RESIGNATION, {K::MEASURE_KIND_ADMONITION}, "严重违纪")
          .ok());
  EXPECT_TRUE(Removes(v1::MEASURE_KIND_ORG_ADJUSTMENT));
  EXPECT_FALSE(Removes(v1::MEASURE_KIND_ADMONITION));
}

TEST(ValidateTest, FieldsAreNamed) {
  const absl::CivilDay today(2023, 12, 1);
  v1::SupervisionCase c;
  c.set_cadre_id("150902-1");
  c.set_kind(v1::FLAG_KIND_SLOW_ACTION);
  c.set_reminder("限期整改");
  *c.mutable_raised_on() = ToDate(absl::CivilDay(2023, 10, 1));
  *c.mutable_rectify_by() = ToDate(absl::CivilDay(2023, 9, 1));
  EXPECT_EQ(FieldOf(ValidateCase(c, today)), "rectify_by");
  *c.mutable_rectify_by() = ToDate(absl::CivilDay(2023, 11, 1));
  EXPECT_TRUE(ValidateCase(c, today).ok());
  c.set_reminder(std::string("\xff\xfe"));
  EXPECT_EQ(FieldOf(ValidateCase(c, today)), "reminder");

  v1::WellbeingCheckIn w;
  w.set_cadre_id("150902-1");
  *w.mutable_on() = ToDate(today);
  w.set_mind(3);
  w.set_body(3);
  w.set_work(6);
  w.set_life(3);
  EXPECT_EQ(FieldOf(ValidateCheckIn(w, today)), "work");
  w.set_work(2);
  EXPECT_TRUE(ValidateCheckIn(w, today).ok());
  EXPECT_TRUE(IsLow(w));
  w.set_work(3);
  EXPECT_FALSE(IsLow(w));

  v1::CareRecord care;
  care.set_cadre_id("150902-1");
  care.set_kind(v1::CARE_KIND_TALK);
  *care.mutable_on() = ToDate(today);
  care.set_summary("谈心谈话");
  care.set_aid_fen(100);
  EXPECT_EQ(ReasonOf(ValidateCare(care, today)), "NOT_AID");

  v1::CastBallotRequest b;
  b.set_evaluation_id("150902-1");
  b.set_voter_code("ABCDEFGHJK");
  b.add_choices()->set_cadre_id("150902-2");
  EXPECT_EQ(FieldOf(ValidateBallot(b)), "choices[0].choice");

  v1::AssessmentInput in;
  in.set_cadre_id("150902-1");
  in.set_year(2023);
  in.set_kind(v1::INPUT_KIND_STAR_RATING);  // stars come from the contest
  in.set_value(5);
  *in.mutable_recorded_on() = ToDate(today);
  EXPECT_EQ(FieldOf(ValidateInput(in, today)), "kind");
  EXPECT_EQ(ReasonOf(ValidateInput(in, today)), "STARS_FROM_CONTEST");
  in.set_kind(v1::INPUT_KIND_ANNUAL_REVIEW);
  in.set_value(101);
  EXPECT_EQ(FieldOf(ValidateInput(in, today)), "value");
  in.set_value(100);
  EXPECT_TRUE(ValidateInput(in, today).ok());
  *in.mutable_recorded_on() = ToDate(today + 1);
  EXPECT_EQ(ReasonOf(ValidateInput(in, today)), "IN_FUTURE");
}

}  // namespace
}  // namespace touyan::incentive
