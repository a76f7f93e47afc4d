// Resource ids: "<6-digit county code>-<number>", e.g. "150902-42". The
// county comes first so that a call can be checked against the caller's
// scope before any query, and so that every key carries the county
// (partitioning, Citus distribution).
#ifndef TOUYAN_COMMON_IDS_RESOURCE_ID_H_
#define TOUYAN_COMMON_IDS_RESOURCE_ID_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace touyan {

struct ResourceId {
  std::string county_code;
  int64_t number = 0;

  std::string ToString() const;
  // Returns INVALID_ARGUMENT naming `field` if `text` is not an id.
  static absl::StatusOr<ResourceId> Parse(absl::string_view field, absl::string_view text);
};

// The county (first 6 digits) of a 12-digit region code.
inline std::string CountyOf(absl::string_view region_code) {
  return std::string(region_code.substr(0, 6));
}

}  // namespace touyan

#endif  // TOUYAN_COMMON_IDS_RESOURCE_ID_H_
