#include "common/ids/resource_id.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace touyan {

std::string ResourceId::ToString() const { return absl::StrCat(county_code, "-", number); }

absl::StatusOr<ResourceId> ResourceId::Parse(absl::string_view field, absl::string_view text) {
  if (text.empty()) return InvalidField(field, "is required", "REQUIRED");
  ResourceId id;
  bool ok =
      text.size() > 7 && text.size() <= 26 && text[6] == '-' &&
      std::all_of(text.begin(), text.begin() + 6, [](char c) { return absl::ascii_isdigit(c); }) &&
      absl::ascii_isdigit(text[7]) && absl::SimpleAtoi(text.substr(7), &id.number) && id.number > 0;
  if (!ok) {
    return InvalidField(field, absl::StrCat("'", text, "' is not an id such as 150902-42"),
                        "MALFORMED_ID");
  }
  id.county_code = std::string(text.substr(0, 6));
  return id;
}

}  // namespace touyan
