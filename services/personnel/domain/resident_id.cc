#include "services/personnel/domain/resident_id.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace touyan::personnel {
namespace {

constexpr char kField[] = "resident_id";

// Province-level codes of GB/T 2260.
bool KnownProvince(int p) {
  static const std::set<int> kProvinces = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34,
                                           35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
                                           53, 54, 61, 62, 63, 64, 65, 71, 81, 82};
  return kProvinces.contains(p);
}

}  // namespace

char ResidentIdCheckChar(absl::string_view first17) {
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static constexpr char kChars[] = "10X98765432";
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (first17[i] - '0') * kWeights[i];
  return kChars[sum % 11];
}

std::string NormalizeResidentId(absl::string_view id) { return absl::AsciiStrToUpper(id); }

absl::StatusOr<ResidentIdInfo> ParseResidentId(absl::string_view raw, absl::CivilDay today) {
  std::string id = NormalizeResidentId(raw);
  if (id.size() != 18) {
    return InvalidField(kField, absl::StrCat("must be 18 characters, got ", id.size()),
                        "WRONG_LENGTH");
  }
  for (int i = 0; i < 17; ++i) {
    if (!absl::ascii_isdigit(id[i])) {
      return InvalidField(kField, "the first 17 characters must be digits", "NOT_DIGITS");
    }
  }
  if (!absl::ascii_isdigit(id[17]) && id[17] != 'X') {
    return InvalidField(kField, "the last character must be a digit or X", "NOT_DIGITS");
  }
  int province = (id[0] - '0') * 10 + (id[1] - '0');
  if (!KnownProvince(province) || id.substr(2, 4) == "0000") {
    return InvalidField(kField, absl::StrCat("region prefix ", id.substr(0, 6), " is not a region"),
                        "BAD_REGION");
  }
  int y = 0, m = 0, d = 0;
  (void)absl::SimpleAtoi(id.substr(6, 4), &y);
  (void)absl::SimpleAtoi(id.substr(10, 2), &m);
  (void)absl::SimpleAtoi(id.substr(12, 2), &d);
  absl::CivilDay birth(y, m, d);
  if (birth.year() != y || birth.month() != m || birth.day() != d) {
    return InvalidField(kField, absl::StrCat("birth date ", id.substr(6, 8), " is not a date"),
                        "BAD_BIRTH_DATE");
  }
  if (birth < absl::CivilDay(1900, 1, 1) || birth > today) {
    return InvalidField(kField, absl::StrCat("birth date ", id.substr(6, 8), " is impossible"),
                        "BAD_BIRTH_DATE");
  }
  if (ResidentIdCheckChar(id) != id[17]) {
    return InvalidField(kField, "check character does not match (mistyped digit?)", "BAD_CHECKSUM");
  }
  return ResidentIdInfo{id.substr(0, 6), birth, (id[16] - '0') % 2 == 1};
}

}  // namespace touyan::personnel
