#include "common/db/rows.h"

#include <charconv>
#include <cmath>
#include <memory>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status/status.h"
#include "common/time/date.h"
#include "google/protobuf/util/json_util.h"

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

std::optional<google::type::Date> DateFromIso(absl::string_view text) {
  absl::CivilDay d;
  if (text.empty() || !ParseIsoDate(text, &d)) return std::nullopt;
  return ToDate(d);
}

std::string IntArray(const std::vector<int>& v) {
  return absl::StrCat("{", absl::StrJoin(v, ","), "}");
}

std::string IntArray64(const std::vector<int64_t>& v) {
  return absl::StrCat("{", absl::StrJoin(v, ","), "}");
}

std::string DigitArray(const std::vector<std::string>& v) {
  return absl::StrCat("{", absl::StrJoin(v, ","), "}");
}

void AppendJsonString(std::string* out, absl::string_view s) {
  *out += '"';
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      *out += '\\';
      *out += static_cast<char>(c);
    } else if (c < 0x20) {
      absl::StrAppend(out, "\\u00", absl::Hex(c, absl::kZeroPad2));
    } else {
      *out += static_cast<char>(c);
    }
  }
  *out += '"';
}

void AppendJsonNumber(std::string* out, double v) {
  if (std::isnan(v)) {
    *out += "\"NaN\"";
  } else if (std::isinf(v)) {
    *out += v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
  } else {
    char buf[32];
    out->append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
  }
}

std::string JsonStrings(const google::protobuf::RepeatedPtrField<std::string>& v) {
  std::string out = "[";
  for (const std::string& x : v) {
    if (out.size() > 1) out += ',';
    AppendJsonString(&out, x);
  }
  return out + "]";
}

std::string ToJson(const google::protobuf::Message& m) {
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(m, &out);
  return out;
}

absl::Status MergeFromJson(absl::string_view json, google::protobuf::Message& m) {
  std::unique_ptr<google::protobuf::Message> part(m.New());
  auto s = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), part.get());
  if (!s.ok())
    return absl::InternalError(absl::StrCat("stored row does not parse: ", s.ToString()));
  m.MergeFrom(*part);
  return absl::OkStatus();
}

}  // namespace touyan
