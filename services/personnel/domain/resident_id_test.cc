#include "services/personnel/domain/resident_id.h"

#include "common/status/status.h"
#include "gtest/gtest.h"

namespace touyan::personnel {
namespace {

const absl::CivilDay kToday(2023, 6, 1);

// A valid ID for a man born 1985-03-07 in 集宁区 (150902).
std::string Valid() {
  std::string first17 = "15090219850307123";
  return first17 + ResidentIdCheckChar(first17);
}

std::string ReasonOf(absl::string_view id) {
  absl::StatusOr<ResidentIdInfo> r = ParseResidentId(id, kToday);
  EXPECT_FALSE(r.ok()) << id;
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldOf(r.status()).value_or(""), "resident_id");
  return touyan::ReasonOf(r.status());
}

TEST(ResidentIdTest, KnownGoodNumberParses) {
  // The standard's own example: 11010519491231002X, a woman born 1949-12-31.
  absl::StatusOr<ResidentIdInfo> r = ParseResidentId("11010519491231002X", kToday);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->birth_date, absl::CivilDay(1949, 12, 31));
  EXPECT_FALSE(r->male);
  EXPECT_EQ(r->region, "110105");
  EXPECT_TRUE(ParseResidentId("11010519491231002x", kToday).ok()) << "lower-case x";
  absl::StatusOr<ResidentIdInfo> v = ParseResidentId(Valid(), kToday);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->male);
}

TEST(ResidentIdTest, RefusesEachKindOfMistake) {
  std::string id = Valid();
  EXPECT_EQ(ReasonOf(id.substr(0, 17)), "WRONG_LENGTH");
  EXPECT_EQ(ReasonOf(id + "1"), "WRONG_LENGTH");
  std::string typo = id;
  typo[15] = typo[15] == '9' ? '8' : '9';  // a sequence digit
  EXPECT_EQ(ReasonOf(typo), "BAD_CHECKSUM");
  std::string letters = id;
  letters[3] = 'A';
  EXPECT_EQ(ReasonOf(letters), "NOT_DIGITS");
  std::string feb30 = "15090219850230123";
  EXPECT_EQ(ReasonOf(feb30 + ResidentIdCheckChar(feb30)), "BAD_BIRTH_DATE");
  std::string future = "15090220300101123";
  EXPECT_EQ(ReasonOf(future + ResidentIdCheckChar(future)), "BAD_BIRTH_DATE");
  std::string region = "99090219850307123";
  EXPECT_EQ(ReasonOf(region + ResidentIdCheckChar(region)), "BAD_REGION");
}

TEST(ResidentIdTest, MaskKeepsRegionAndTail) {
  EXPECT_EQ(MaskResidentId("11010519491231002X"), "110105********002X");
  EXPECT_EQ(MaskResidentId("123"), "***");
}

}  // namespace
}  // namespace touyan::personnel
