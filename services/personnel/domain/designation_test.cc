#include "services/personnel/domain/designation.h"

#include "common/status/status.h"
#include "common/time/date.h"
#include "gtest/gtest.h"

namespace touyan::personnel {
namespace {

const absl::CivilDay kToday(2023, 11, 1);

v1::Designation Make(v1::DesignationKind kind) {
  v1::Designation d;
  d.set_kind(kind);
  d.set_year(2023);
  d.set_source("contest/outcomes/150902-7");
  return d;
}

TEST(DesignationRulesTest, ARectificationTargetCannotBeCommendedTheSameYear) {
  using K = v1::DesignationKind;
  EXPECT_EQ(ReasonOf(CheckDesignationConflict(v1::DESIGNATION_KIND_RECTIFICATION_TARGET,
                                              {v1::DESIGNATION_KIND_DEMONSTRATION_SITE})),
            "DESIGNATION_CONFLICT");
  EXPECT_EQ(ReasonOf(CheckDesignationConflict(v1::DESIGNATION_KIND_DEMONSTRATION_SITE,
                                              {v1::DESIGNATION_KIND_RECTIFICATION_TARGET})),
            "DESIGNATION_CONFLICT");
  EXPECT_TRUE(CheckDesignationConflict(
                  v1::DESIGNATION_KIND_DEMONSTRATION_SITE,
                  {v1::DESIGNATION_KIND_MODEL_VILLAGE, v1::DESIGNATION_KIND_STRONGEST_BRANCH})
                  .ok());
  EXPECT_TRUE(
      CheckDesignationConflict(v1::DESIGNATION_KIND_RECTIFICATION_TARGET, std::vector<K>{}).ok());
}

TEST(DesignationRulesTest, NewDesignationsAreChecked) {
  EXPECT_TRUE(ValidateNewDesignation(Make(v1::DESIGNATION_KIND_STRONGEST_BRANCH),
                                     v1::PARTY_ORG_KIND_ENTERPRISE, kToday)
                  .ok());
  EXPECT_EQ(ReasonOf(ValidateNewDesignation(Make(v1::DESIGNATION_KIND_MODEL_VILLAGE),
                                            v1::PARTY_ORG_KIND_ENTERPRISE, kToday)),
            "VILLAGES_ONLY");
  v1::Designation d = Make(v1::DESIGNATION_KIND_DEMONSTRATION_SITE);
  d.set_year(1999);
  EXPECT_EQ(FieldOf(ValidateNewDesignation(d, v1::PARTY_ORG_KIND_VILLAGE, kToday)).value_or(""),
            "designation.year");
  d = Make(v1::DESIGNATION_KIND_DEMONSTRATION_SITE);
  d.set_source("");
  EXPECT_EQ(FieldOf(ValidateNewDesignation(d, v1::PARTY_ORG_KIND_VILLAGE, kToday)).value_or(""),
            "designation.source");
  d = Make(v1::DESIGNATION_KIND_DEMONSTRATION_SITE);
  d.set_instructor("张三");
  EXPECT_EQ(FieldOf(ValidateNewDesignation(d, v1::PARTY_ORG_KIND_VILLAGE, kToday)).value_or(""),
            "designation.instructor");
  d = Make(v1::DESIGNATION_KIND_UNSPECIFIED);
  EXPECT_EQ(FieldOf(ValidateNewDesignation(d, v1::PARTY_ORG_KIND_VILLAGE, kToday)).value_or(""),
            "designation.kind");
}

TEST(DesignationRulesTest, RectificationsCloseOnceAndOnlyThem) {
  v1::Designation r = Make(v1::DESIGNATION_KIND_RECTIFICATION_TARGET);
  google::type::Date day = ToDate(absl::CivilDay(2023, 10, 1));
  EXPECT_TRUE(ValidateClose(r, day, "整顿合格", kToday).ok());
  EXPECT_EQ(FieldOf(ValidateClose(r, day, "", kToday)).value_or(""), "result");
  EXPECT_EQ(FieldOf(ValidateClose(r, ToDate(absl::CivilDay(2024, 1, 1)), "x", kToday)).value_or(""),
            "closed_on");
  *r.mutable_closed_on() = day;
  EXPECT_EQ(ReasonOf(ValidateClose(r, day, "x", kToday)), "ALREADY_CLOSED");
  EXPECT_EQ(
      ReasonOf(ValidateClose(Make(v1::DESIGNATION_KIND_DEMONSTRATION_SITE), day, "x", kToday)),
      "NOT_A_RECTIFICATION");
  v1::Designation revoked = Make(v1::DESIGNATION_KIND_RECTIFICATION_TARGET);
  revoked.set_revoked(true);
  EXPECT_EQ(ReasonOf(ValidateRevoke(revoked, "重复")), "REVOKED");
  EXPECT_EQ(ReasonOf(ValidateAssignInstructor(revoked, "李四", day)), "REVOKED");
  EXPECT_EQ(FieldOf(ValidateAssignInstructor(Make(v1::DESIGNATION_KIND_RECTIFICATION_TARGET),
                                             "李四", google::type::Date()))
                .value_or(""),
            "rectification_deadline");
}

TEST(DesignationRulesTest, TermsEndOnceBetweenStartAndToday) {
  v1::Position p;
  *p.mutable_term_start() = ToDate(absl::CivilDay(2021, 1, 1));
  google::type::Date day = ToDate(absl::CivilDay(2023, 5, 1));
  EXPECT_TRUE(ValidateEnd(p, day, v1::POSITION_END_REASON_ADJUSTMENT, kToday).ok());
  EXPECT_EQ(FieldOf(ValidateEnd(p, day, v1::POSITION_END_REASON_UNSPECIFIED, kToday)).value_or(""),
            "reason");
  EXPECT_EQ(FieldOf(ValidateEnd(p, ToDate(absl::CivilDay(2020, 5, 1)),
                                v1::POSITION_END_REASON_ADJUSTMENT, kToday))
                .value_or(""),
            "ended_on");
  EXPECT_EQ(FieldOf(ValidateEnd(p, ToDate(absl::CivilDay(2024, 5, 1)),
                                v1::POSITION_END_REASON_ADJUSTMENT, kToday))
                .value_or(""),
            "ended_on");
  *p.mutable_ended_on() = day;
  EXPECT_EQ(ReasonOf(ValidateEnd(p, day, v1::POSITION_END_REASON_ADJUSTMENT, kToday)),
            "ALREADY_ENDED");
}

}  // namespace
}  // namespace touyan::personnel
