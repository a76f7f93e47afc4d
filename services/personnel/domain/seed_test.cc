#include "services/personnel/domain/seed.h"

#include "common/status/status.h"
#include "gtest/gtest.h"

namespace touyan::personnel {
namespace {

using auth::Role;

TEST(SeedPipelineTest, EachLevelTakesItsOwnStep) {
  EXPECT_TRUE(
      CheckSeedStep(SeedStep::kNominate, v1::SEED_STAGE_UNSPECIFIED, Role::kTownshipOperator).ok());
  EXPECT_TRUE(
      CheckSeedStep(SeedStep::kSelect, v1::SEED_STAGE_NOMINATED, Role::kTownshipOperator).ok());
  EXPECT_TRUE(
      CheckSeedStep(SeedStep::kExamine, v1::SEED_STAGE_SELECTED, Role::kCountyOperator).ok());
  EXPECT_EQ(
      ReasonOf(CheckSeedStep(SeedStep::kExamine, v1::SEED_STAGE_SELECTED, Role::kTownshipOperator)),
      "WRONG_LEVEL");
  EXPECT_EQ(
      CheckSeedStep(SeedStep::kExamine, v1::SEED_STAGE_SELECTED, Role::kTownshipOperator).code(),
      absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(
      ReasonOf(CheckSeedStep(SeedStep::kNominate, v1::SEED_STAGE_UNSPECIFIED, Role::kAuditor)),
      "WRONG_LEVEL");
  EXPECT_EQ(
      ReasonOf(CheckSeedStep(SeedStep::kSelect, v1::SEED_STAGE_UNSPECIFIED, Role::kCityOrgDept)),
      "WRONG_LEVEL");
}

TEST(SeedPipelineTest, StepsFollowTheStages) {
  EXPECT_EQ(
      ReasonOf(CheckSeedStep(SeedStep::kExamine, v1::SEED_STAGE_NOMINATED, Role::kCountyOperator)),
      "WRONG_STAGE")
      << "the county examines only what the township selected";
  EXPECT_EQ(
      ReasonOf(CheckSeedStep(SeedStep::kSelect, v1::SEED_STAGE_REJECTED, Role::kCountyOperator)),
      "WRONG_STAGE");
  EXPECT_EQ(StageAfter(SeedStep::kSelect, true), v1::SEED_STAGE_SELECTED);
  EXPECT_EQ(StageAfter(SeedStep::kSelect, false), v1::SEED_STAGE_REJECTED);
  EXPECT_EQ(StageAfter(SeedStep::kExamine, true), v1::SEED_STAGE_APPROVED);
  EXPECT_EQ(StageAfter(SeedStep::kExamine, false), v1::SEED_STAGE_REJECTED);
}

TEST(ReturneeTest, OnlyTheSixOrigins) {
  EXPECT_TRUE(ValidateReturneeOrigin(v1::ORIGIN_VETERAN).ok());
  EXPECT_TRUE(ValidateReturneeOrigin(v1::ORIGIN_COLLEGE_GRADUATE).ok());
  EXPECT_EQ(FieldOf(ValidateReturneeOrigin(v1::ORIGIN_LOCAL)).value_or(""),
            "returnee.person.origin");
  EXPECT_FALSE(ValidateReturneeOrigin(v1::ORIGIN_UNSPECIFIED).ok());
}

}  // namespace
}  // namespace touyan::personnel
