// Mapping rows to API messages, shared by every service's repository: the
// keyset pages of county-keyed tables, dates, timestamps, and NOT_FOUND.
#ifndef TOUYAN_COMMON_DB_ROWS_H_
#define TOUYAN_COMMON_DB_ROWS_H_

#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/status/status.h"
#include "google/protobuf/message.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "google/type/date.pb.h"

namespace touyan {

// A timestamptz column as microseconds since the epoch, in SQL.
#define TOUYAN_MICROS(col) "(extract(epoch FROM " col ") * 1000000)::bigint"

// A row's entity tag (AIP-154), in SQL: the transaction that wrote its
// current version (`xmin`), which every committed change of the row renews
// and a row lock does not. A resource of several rows renews its main row
// whenever a part changes. `tbl` is the table's alias ("c") or name.
#define TOUYAN_ETAG(tbl) "('e' || " tbl ".xmin::text)"
// The same for a row this transaction writes, where the row's own xmin
// cannot be read (RETURNING of a partitioned table): this transaction's id,
// which every row it writes carries (Touyan opens no subtransactions).
#define TOUYAN_ETAG_OF_THIS_TRANSACTION "('e' || xid(pg_current_xact_id())::text)"

template <typename T>
struct PageOf {
  std::vector<T> items;
  std::string next_cursor;  // empty on the last page
};

// The keyset position of county-keyed rows, ordered by (county_code, id):
// a page cursor "150902:42"; empty before the first page.
struct Keyset {
  std::string county;
  int64_t id = 0;
  // Returns INVALID_ARGUMENT naming page_token if `cursor` is not one.
  static absl::StatusOr<Keyset> Parse(const std::string& cursor);
};

// The keyset cursor of a county-keyed id: "150902-42" → "150902:42".
inline std::string KeysetCursor(const std::string& id) {
  return id.substr(0, 6) + ":" + (id.size() > 7 ? id.substr(7) : std::string());
}

namespace rows_internal {
template <typename R>
struct Item {
  using type = R;
};
template <typename R>
struct Item<absl::StatusOr<R>> {
  using type = R;
};
}  // namespace rows_internal

// One page of items from rows fetched with LIMIT size + 1: the extra row
// only tells that another page follows. `from_row` returns the item or a
// StatusOr of it (the first error ends the page); the cursor comes from the
// item's county-keyed id (by default id()).
template <typename FromRow, typename T = typename rows_internal::Item<
                                std::invoke_result_t<FromRow, const pqxx::row&>>::type>
absl::StatusOr<PageOf<T>> KeysetPage(const pqxx::result& rows, int size, FromRow from_row,
                                     const std::string& (T::*id)() const = &T::id) {
  PageOf<T> out;
  for (const auto& row : rows) {
    if (static_cast<int>(out.items.size()) == size) {
      out.next_cursor = KeysetCursor((out.items.back().*id)());
      break;
    }
    absl::StatusOr<T> item = from_row(row);
    if (!item.ok()) return item.status();
    out.items.push_back(*std::move(item));
  }
  return out;
}

// A date from Postgres' ISO date text; nullopt for "" (SQL NULL).
std::optional<google::type::Date> DateFromIso(absl::string_view text);
// Array literal for a list of small integers: {1,3}.
std::string IntArray(const std::vector<int>& v);
std::string IntArray64(const std::vector<int64_t>& v);
// Array literal for strings of digits only (region codes, validated before).
std::string DigitArray(const std::vector<std::string>& v);

// A JSON array of strings, for `json_array_elements_text($n::json)`: text
// arrays go to Postgres as JSON so that any character survives.
std::string JsonStrings(const google::protobuf::RepeatedPtrField<std::string>& v);
// Appends `s` as a JSON string (quoted, escaped).
void AppendJsonString(std::string* out, absl::string_view s);
// Appends `v` as a JSON number: the shortest text that reads back as the
// same double ("NaN", "Infinity" and "-Infinity" quoted, as proto3 JSON has
// them).
void AppendJsonNumber(std::string* out, double v);
// A message as proto3 JSON (the stored form of jsonb columns).
std::string ToJson(const google::protobuf::Message& m);
// Messages as one JSON array, for jsonb_array_elements: many rows in one statement.
template <typename M>
std::string ToJsonArray(const std::vector<M>& all) {
  std::string out = "[";
  for (size_t i = 0; i < all.size(); ++i) {
    if (i > 0) out += ",";
    out += ToJson(all[i]);
  }
  return out + "]";
}
// Merges proto3 JSON (as Postgres' json_build_object makes it, with the
// message's JSON field names) into `m`; INTERNAL if it does not parse.
absl::Status MergeFromJson(absl::string_view json, google::protobuf::Message& m);

}  // namespace touyan

#endif  // TOUYAN_COMMON_DB_ROWS_H_
