// What a 12-digit region code says by its significant digits (province 2,
// city 4, county 6, township 9, village 12), for every service.
#ifndef TOUYAN_COMMON_IDS_REGION_H_
#define TOUYAN_COMMON_IDS_REGION_H_

#include <string>

#include "absl/strings/string_view.h"

namespace touyan {

enum class Level { kInvalid, kProvince, kCity, kCounty, kTownship, kVillage };
Level LevelOf(absl::string_view code);
// "150902001000" → "150902001" (the region and everything below it); the
// code itself if it is not one.
std::string PrefixOf(absl::string_view code);
// The county part of a region prefix (at most its first six digits), the
// bound of its rows' county_code: "150902001" → "150902", "15" → "15".
//
// SQL compares a code column with a prefix as a range, `col >= $n AND col <
// ($n || ':')` (':' is the character after '9'; code columns are COLLATE
// "C"; "" selects every code). The generic plan of a range reads the
// prefix's keys by index, so a county's page costs the same in a province
// of any size; `col LIKE $n || '%'` (a pattern from a parameter) is planned
// as a scan of the whole table. bench/scale's plan check finds such scans.
inline std::string CountyPrefix(absl::string_view prefix) {
  return std::string(prefix.substr(0, 6));
}
// The township a village (or township) code lies in: "150902001001" → "150902001000".
std::string TownshipOf(absl::string_view code);

}  // namespace touyan

#endif  // TOUYAN_COMMON_IDS_REGION_H_
