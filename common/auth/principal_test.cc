#include "common/auth/principal.h"

#include "common/status/status.h"
#include "gtest/gtest.h"

namespace touyan::auth {
namespace {

TEST(PrincipalTest, RegionPrefixStripsTheLevelsBelow) {
  EXPECT_EQ(*RegionPrefix("150000000000"), "15");
  EXPECT_EQ(*RegionPrefix("150900000000"), "1509");
  EXPECT_EQ(*RegionPrefix("150929000000"), "150929");
  EXPECT_EQ(*RegionPrefix("150929101000"), "150929101");
  EXPECT_EQ(*RegionPrefix("150929101201"), "150929101201");
  EXPECT_EQ(*RegionPrefix("000000000000"), "");
  EXPECT_FALSE(RegionPrefix("15092910120").ok());
  EXPECT_FALSE(RegionPrefix("15092910120x").ok());
}

TEST(PrincipalTest, ScopesCoverTheirRegionsOnly) {
  Principal county = *Principal::Make("a", Role::kCountyOperator, "150929000000");
  EXPECT_TRUE(county.Covers("150929101201"));
  EXPECT_TRUE(county.Covers("150929"));
  EXPECT_FALSE(county.Covers("150902001001"));
  EXPECT_FALSE(county.Covers("150902"));
  EXPECT_EQ(county.CheckCovers("150902001001").code(), absl::StatusCode::kPermissionDenied);

  Principal township = *Principal::Make("t", Role::kTownshipOperator, "150929101000");
  EXPECT_TRUE(township.Covers("150929101201"));
  EXPECT_FALSE(township.Covers("150929102201"));
  EXPECT_FALSE(township.Covers("150929")) << "a township does not cover its whole county";
  EXPECT_EQ(township.RlsCountyPrefix(), "150929");

  Principal city = *Principal::Make("c", Role::kCityOrgDept, "150900000000");
  EXPECT_TRUE(city.Covers("150902"));
  EXPECT_EQ(city.RlsCountyPrefix(), "1509");
}

TEST(PrincipalTest, AuditorsReadButNeverWrite) {
  Principal auditor = *Principal::Make("x", Role::kAuditor, "150900000000");
  EXPECT_TRUE(auditor.CheckCovers("150902001001").ok());
  EXPECT_EQ(auditor.CheckWrite("150902001001").code(), absl::StatusCode::kPermissionDenied);
  EXPECT_FALSE(auditor.SeesResidentIds());
}

TEST(PrincipalTest, RoleAndScopeMustFit) {
  EXPECT_FALSE(Principal::Make("a", Role::kCountyOperator, "150900000000").ok());
  EXPECT_FALSE(Principal::Make("a", Role::kTownshipOperator, "150929000000").ok());
  EXPECT_FALSE(Principal::Make("a", Role::kCityOrgDept, "150929000000").ok());
  EXPECT_FALSE(Principal::Make("", Role::kCityOrgDept, "150900000000").ok());
  EXPECT_TRUE(Principal::Make("a", Role::kCityOrgDept, "150000000000").ok());
}

}  // namespace
}  // namespace touyan::auth

namespace touyan::auth {
namespace {

TEST(PrincipalTest, ADeploymentNarrowsBroaderScopesAndRefusesOthers) {
  Principal city = *Principal::Make("city", Role::kCityOrgDept, "150900000000");
  auto narrowed = city.NarrowTo("150902000000");
  ASSERT_TRUE(narrowed.ok());
  EXPECT_EQ(narrowed->scope_prefix, "150902");
  EXPECT_EQ(narrowed->role, Role::kCityOrgDept);
  EXPECT_FALSE(narrowed->Covers("150929000000"));

  Principal township = *Principal::Make("t", Role::kTownshipOperator, "150902001000");
  EXPECT_EQ(township.NarrowTo("150902000000")->scope_prefix, "150902001");

  Principal other = *Principal::Make("o", Role::kCountyOperator, "150929000000");
  absl::StatusOr<Principal> refused = other.NarrowTo("150902000000");
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ReasonOf(refused.status()), "OUTSIDE_DEPLOYMENT");
  // The nation-wide deployment keeps everyone as they are.
  EXPECT_EQ(other.NarrowTo("000000000000")->scope_prefix, "150929");
}

}  // namespace
}  // namespace touyan::auth
