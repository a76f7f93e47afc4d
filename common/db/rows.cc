#include "common/db/rows.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status/status.h"
#include "common/time/date.h"

namespace touyan {

absl::StatusOr<Keyset> Keyset::Parse(const std::string& cursor) {
  Keyset k;
  if (cursor.empty()) return k;
  std::vector<std::string> parts = absl::StrSplit(cursor, ':');
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[1], &k.id)) {
    return InvalidField("page_token", "is corrupt", "BAD_PAGE_TOKEN");
  }
  k.county = parts[0];
  return k;
}

absl::Status NotFound(absl::string_view field, absl::string_view what, absl::string_view id) {
  return WithReason(WithField(absl::NotFoundError(absl::StrCat(what, " ", id, " does not exist")),
                              field),
                    "NOT_FOUND");
}

std::optional<google::type::Date> DateFromIso(absl::string_view text) {
  absl::CivilDay d;
  if (text.empty() || !ParseIsoDate(text, &d)) return std::nullopt;
  return ToDate(d);
}

std::string IntArray(const std::vector<int>& v) { return absl::StrCat("{", absl::StrJoin(v, ","), "}"); }

std::string IntArray64(const std::vector<int64_t>& v) {
  return absl::StrCat("{", absl::StrJoin(v, ","), "}");
}

std::string DigitArray(const std::vector<std::string>& v) {
  return absl::StrCat("{", absl::StrJoin(v, ","), "}");
}

}  // namespace touyan
