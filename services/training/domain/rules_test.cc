#include "services/training/domain/rules.h"

#include "common/status/status.h"
#include "common/time/date.h"
#include "gtest/gtest.h"

namespace touyan::training {
namespace {

v1::TrainingClass ValidClass() {
  v1::TrainingClass c;
  c.set_tier(v1::TIER_COUNTY);
  c.set_region_code("150902000000");
  c.set_title("集宁区村党组织书记集中培训班");
  c.set_theme("乡村振兴");
  c.set_year(2023);
  c.add_formats(v1::FORMAT_LECTURE);
  c.set_venue("集宁区委党校");
  c.set_capacity(120);
  auto* a = c.add_segments();
  *a->mutable_start_date() = ToDate(absl::CivilDay(2023, 6, 10));
  auto* b = c.add_segments();
  *b->mutable_start_date() = ToDate(absl::CivilDay(2023, 5, 1));
  *b->mutable_end_date() = ToDate(absl::CivilDay(2023, 5, 3));
  return c;
}

TEST(Completion, ReachesTheShareOfSegments) {
  // 5 segments at 80%: 4 attended completes.
  EXPECT_EQ(EvaluateCompletion(5, 4, 4, 80), v1::COMPLETION_COMPLETED);
  EXPECT_EQ(EvaluateCompletion(5, 3, 3, 80), v1::COMPLETION_IN_PROGRESS);
  // Two missed of five: even attending the rest gives 3/5 = 60%.
  EXPECT_EQ(EvaluateCompletion(5, 1, 3, 80), v1::COMPLETION_NOT_COMPLETED);
  EXPECT_EQ(EvaluateCompletion(5, 3, 5, 80), v1::COMPLETION_NOT_COMPLETED);
  // 3 segments at 80%: 3 of 3 needed (2/3 = 66.7%).
  EXPECT_EQ(EvaluateCompletion(3, 2, 3, 80), v1::COMPLETION_NOT_COMPLETED);
  EXPECT_EQ(EvaluateCompletion(3, 3, 3, 80), v1::COMPLETION_COMPLETED);
  EXPECT_EQ(EvaluateCompletion(1, 0, 0, 100), v1::COMPLETION_IN_PROGRESS);
  EXPECT_EQ(EvaluateCompletion(1, 0, 1, 100), v1::COMPLETION_NOT_COMPLETED);
}

TEST(Completion, LateCountsExcusedDoesNot) {
  EXPECT_TRUE(Attended(v1::ATTENDANCE_STATUS_PRESENT));
  EXPECT_TRUE(Attended(v1::ATTENDANCE_STATUS_LATE));
  EXPECT_FALSE(Attended(v1::ATTENDANCE_STATUS_EXCUSED));
  EXPECT_FALSE(Attended(v1::ATTENDANCE_STATUS_ABSENT));
}

TEST(Class, SegmentsAreNumberedInDateOrderAndRuleDefaults) {
  v1::TrainingClass c = ValidClass();
  ASSERT_TRUE(NormalizeClass(c, 2027).ok());
  ASSERT_EQ(c.segments_size(), 2);
  EXPECT_EQ(c.segments(0).number(), 1);
  EXPECT_EQ(c.segments(0).start_date().month(), 5);
  EXPECT_EQ(c.segments(1).end_date().day(), 10);  // one-day segment
  EXPECT_EQ(c.completion_min_percent(), 80);
}

TEST(Class, TierMustMatchTheOrganisingRegion) {
  v1::TrainingClass c = ValidClass();
  c.set_tier(v1::TIER_TOWNSHIP);
  absl::Status s = NormalizeClass(c, 2027);
  EXPECT_EQ(FieldOf(s).value_or(""), "region_code") << s;
  c = ValidClass();
  c.set_tier(v1::TIER_CITY);
  c.set_region_code("150900000000");
  EXPECT_TRUE(NormalizeClass(c, 2027).ok());
}

TEST(Class, BadFieldsAreNamed) {
  struct Case {
    void (*mutate)(v1::TrainingClass&);
    const char* field;
  } cases[] = {
      {[](v1::TrainingClass& c) { c.set_capacity(0); }, "capacity"},
      {[](v1::TrainingClass& c) { c.clear_formats(); }, "formats"},
      {[](v1::TrainingClass& c) { c.add_formats(v1::FORMAT_LECTURE); }, "formats[1]"},
      {[](v1::TrainingClass& c) { c.clear_segments(); }, "segments"},
      {[](v1::TrainingClass& c) { c.set_completion_min_percent(101); }, "completion_min_percent"},
      {[](v1::TrainingClass& c) { c.set_theme(""); }, "theme"},
      {[](v1::TrainingClass& c) { c.set_year(1999); }, "year"},
      {[](v1::TrainingClass& c) { c.add_formats(v1::FORMAT_PEER_LECTURE); }, "lecturer_cadre_ids"},
      {[](v1::TrainingClass& c) {
         *c.mutable_segments(0)->mutable_end_date() = ToDate(absl::CivilDay(2023, 6, 1));
       },
       "segments[0].end_date"},
  };
  for (const Case& k : cases) {
    v1::TrainingClass c = ValidClass();
    k.mutate(c);
    absl::Status s = NormalizeClass(c, 2027);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << k.field;
    EXPECT_EQ(FieldOf(s).value_or(""), k.field) << s;
  }
}

TEST(Trainee, KindsInPersonnelNeedACadre) {
  v1::Trainee t;
  t.set_kind(v1::TRAINEE_KIND_VILLAGE_SECRETARY);
  EXPECT_EQ(FieldOf(ValidateTrainee(t)).value_or(""), "cadre_id");
  t.set_cadre_id("150902-7");
  EXPECT_TRUE(ValidateTrainee(t).ok());
  EXPECT_EQ(PersonKey(t), "cadre:150902-7");

  v1::Trainee farmer;
  farmer.set_kind(v1::TRAINEE_KIND_FARMER_HERDER);
  farmer.set_name("巴特尔");
  EXPECT_EQ(FieldOf(ValidateTrainee(farmer)).value_or(""), "region_code");
  farmer.set_region_code("150902001001");
  EXPECT_TRUE(ValidateTrainee(farmer).ok());
  EXPECT_EQ(PersonKey(farmer), "person:150902001001:巴特尔");
}

TEST(Regions, LevelsAndTownships) {
  EXPECT_EQ(LevelOf("150900000000"), Level::kCity);
  EXPECT_EQ(LevelOf("150902000000"), Level::kCounty);
  EXPECT_EQ(LevelOf("150902001000"), Level::kTownship);
  EXPECT_EQ(LevelOf("150902001001"), Level::kVillage);
  EXPECT_EQ(LevelOf("15090200100"), Level::kInvalid);
  EXPECT_EQ(TownshipOf("150902001001"), "150902001000");
}

TEST(PracticeTask, QuotasMustLieInTheRegionOnce) {
  v1::PracticeTask t;
  t.set_region_code("150902000000");
  t.set_title("庭院经济");
  t.set_year(2023);
  t.set_unit("户");
  auto* q = t.add_quotas();
  q->set_village_code("150902001001");
  q->set_quantity(30);
  q->set_responsible_name("张三");
  EXPECT_TRUE(ValidatePracticeTask(t, 2027).ok());
  *t.add_quotas() = *q;
  EXPECT_EQ(FieldOf(ValidatePracticeTask(t, 2027)).value_or(""), "quotas[1].village_code");
  t.mutable_quotas(1)->set_village_code("150903001001");
  EXPECT_EQ(FieldOf(ValidatePracticeTask(t, 2027)).value_or(""), "quotas[1].village_code");
  t.mutable_quotas(1)->set_village_code("150902001002");
  t.mutable_quotas(1)->set_quantity(0);
  EXPECT_EQ(FieldOf(ValidatePracticeTask(t, 2027)).value_or(""), "quotas[1].quantity");
}

TEST(PracticeTask, PatchTouchesOnlyNamedFields) {
  v1::PracticeTask current, patch;
  current.set_title("old");
  current.set_unit("户");
  patch.set_title("new");
  patch.set_unit("亩");
  ASSERT_TRUE(ApplyTaskPatch(patch, {"title"}, current).ok());
  EXPECT_EQ(current.title(), "new");
  EXPECT_EQ(current.unit(), "户");
  EXPECT_EQ(FieldOf(ApplyTaskPatch(patch, {"status"}, current)).value_or(""), "update_mask");
}

TEST(Reschedule, SegmentsKeepTheirNumbersAndOrder) {
  v1::TrainingClass c;
  c.set_id("150902-1");
  c.set_year(2023);
  for (int day : {10, 20, 30}) {
    v1::Segment* s = c.add_segments();
    s->set_number(c.segments_size());
    *s->mutable_start_date() = ToDate(absl::CivilDay(2023, 5, day));
  }
  auto check = [&](int number, absl::CivilDay from, absl::CivilDay to) {
    return CheckReschedule(c, number, ToDate(from), ToDate(to));
  };
  EXPECT_TRUE(check(2, absl::CivilDay(2023, 5, 25), absl::CivilDay(2023, 5, 26)).ok());
  EXPECT_TRUE(check(2, absl::CivilDay(2023, 5, 10), absl::CivilDay(2023, 5, 10)).ok())
      << "the same day as its neighbour keeps the order";
  EXPECT_EQ(ReasonOf(check(2, absl::CivilDay(2023, 5, 9), absl::CivilDay(2023, 5, 9))),
            "SEGMENT_ORDER");
  EXPECT_EQ(ReasonOf(check(2, absl::CivilDay(2023, 5, 31), absl::CivilDay(2023, 5, 31))),
            "SEGMENT_ORDER");
  EXPECT_TRUE(check(3, absl::CivilDay(2023, 7, 1), absl::CivilDay(2023, 7, 2)).ok());
  EXPECT_EQ(FieldOf(check(3, absl::CivilDay(2023, 7, 2), absl::CivilDay(2023, 7, 1))).value_or(""),
            "end_date");
  EXPECT_EQ(FieldOf(check(4, absl::CivilDay(2023, 7, 2), absl::CivilDay(2023, 7, 2))).value_or(""),
            "segment_number");
  EXPECT_EQ(FieldOf(check(3, absl::CivilDay(2025, 7, 2), absl::CivilDay(2025, 7, 2))).value_or(""),
            "start_date");
  EXPECT_EQ(FieldOf(CheckReschedule(c, 1, {}, {})).value_or(""), "start_date");
  EXPECT_TRUE(CheckNotCancelled(c, "class_id").ok());
  c.set_state(v1::CLASS_STATE_CANCELLED);
  EXPECT_EQ(ReasonOf(CheckNotCancelled(c, "class_id")), "CLASS_CANCELLED");
}

}  // namespace
}  // namespace touyan::training
