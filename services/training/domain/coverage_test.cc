#include "services/training/domain/coverage.h"

#include "gtest/gtest.h"

namespace touyan::training {
namespace {

TEST(Coverage, CountsPerCountyAndTownshipAndListsTheMissing) {
  std::vector<SecretaryRef> s = {
      {"150902-1", "甲", "150902-11", "150902001001"},
      {"150902-2", "乙", "150902-12", "150902001002"},
      {"150902-3", "丙", "150902-13", "150902002001"},
      {"150903-4", "丁", "150903-14", "150903001001"},
  };
  CoverageResult r = ComputeCoverage(s, {"150902-1", "150903-4", "150999-9"});
  EXPECT_EQ(r.summary.secretaries(), 4);
  EXPECT_EQ(r.summary.covered(), 2);
  EXPECT_EQ(r.summary.missing(), 2);
  EXPECT_DOUBLE_EQ(r.summary.rate(), 0.5);
  ASSERT_EQ(r.summary.counties_size(), 2);
  EXPECT_EQ(r.summary.counties(0).region_code(), "150902000000");
  EXPECT_EQ(r.summary.counties(0).missing(), 2);
  EXPECT_EQ(r.summary.counties(1).covered(), 1);
  ASSERT_EQ(r.summary.townships_size(), 3);
  EXPECT_EQ(r.summary.townships(0).region_code(), "150902001000");
  EXPECT_EQ(r.summary.townships(0).secretaries(), 2);
  EXPECT_EQ(r.summary.townships(0).missing(), 1);
  ASSERT_EQ(r.missing.size(), 2u);
  EXPECT_EQ(r.missing[0].cadre_id(), "150902-2");
  EXPECT_EQ(r.missing[0].township_code(), "150902001000");
  EXPECT_EQ(r.missing[1].cadre_id(), "150902-3");
  EXPECT_EQ(r.missing[1].township_code(), "150902002000");
  // Units add up to the summary.
  int64_t sum = 0;
  for (const auto& t : r.summary.townships()) sum += t.covered() + t.missing();
  EXPECT_EQ(sum, r.summary.secretaries());
}

TEST(Coverage, NobodyToTrainIsFullCoverage) {
  CoverageResult r = ComputeCoverage({}, {});
  EXPECT_EQ(r.summary.secretaries(), 0);
  EXPECT_DOUBLE_EQ(r.summary.rate(), 1.0);
  EXPECT_TRUE(r.missing.empty());
}

}  // namespace
}  // namespace touyan::training
