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
// The township a village (or township) code lies in: "150902001001" → "150902001000".
std::string TownshipOf(absl::string_view code);

}  // namespace touyan

#endif  // TOUYAN_COMMON_IDS_REGION_H_
