#include "common/ids/region.h"

#include "absl/strings/str_cat.h"
#include "common/auth/principal.h"

namespace touyan {

Level LevelOf(absl::string_view code) {
  absl::StatusOr<std::string> prefix = auth::RegionPrefix(code);
  if (!prefix.ok()) return Level::kInvalid;
  switch (prefix->size()) {
    case 2:
      return Level::kProvince;
    case 4:
      return Level::kCity;
    case 6:
      return Level::kCounty;
    case 9:
      return Level::kTownship;
    case 12:
      return Level::kVillage;
    default:
      return Level::kInvalid;
  }
}

std::string PrefixOf(absl::string_view code) {
  absl::StatusOr<std::string> prefix = auth::RegionPrefix(code);
  return prefix.ok() ? *prefix : std::string(code);
}

std::string TownshipOf(absl::string_view code) { return absl::StrCat(code.substr(0, 9), "000"); }

}  // namespace touyan
