#include "common/audit/audit.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"

namespace touyan::audit {
namespace {

size_t Utf8Length(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

void Mask(nlohmann::json& j) {
  if (j.is_array()) {
    for (auto& x : j) Mask(x);
    return;
  }
  if (!j.is_object()) return;
  for (auto& [key, value] : j.items()) {
    if (value.is_string() && key == "resident_id") {
      value = MaskResidentId(value.get<std::string>());
    } else if (value.is_string() && key == "phone") {
      value = MaskPhone(value.get<std::string>());
    } else if (value.is_string() && key == "notes") {
      value = absl::StrCat("[withheld: ", Utf8Length(value.get<std::string>()), " characters]");
    } else {
      Mask(value);
    }
  }
}

}  // namespace

std::string MaskResidentId(absl::string_view id) {
  if (id.size() != 18) return std::string(id.size(), '*');
  return absl::StrCat(id.substr(0, 6), std::string(8, '*'), id.substr(14));
}

std::string MaskPhone(absl::string_view phone) {
  if (phone.size() < 7) return std::string(phone.size(), '*');
  return absl::StrCat(phone.substr(0, 3), std::string(phone.size() - 7, '*'),
                      phone.substr(phone.size() - 4));
}

std::string MaskPersonal(const std::string& json) {
  nlohmann::json j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return json;
  Mask(j);
  return j.dump();
}

std::string ToJson(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions opts;
  opts.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(m, &out, opts);
  return out;
}

std::string MaskedJson(const google::protobuf::Message& m) { return MaskPersonal(ToJson(m)); }

std::vector<db::Statement> Statements() {
  constexpr char kColumns[] =
      "SELECT county_code, seq, (extract(epoch FROM at) * 1000000)::bigint, subject, role, method, "
      "resource, coalesce(request_id, ''), coalesce(before::text, ''), coalesce(after::text, ''), "
      "encode(hash, 'hex'), id, coalesce(trace_id, '') FROM audit_log ";
  constexpr char kFilters[] =
      "AND ($2 = '' OR subject = $2) AND ($3 = '' OR method = $3) "
      "AND at >= $4::timestamptz AND at < $5::timestamptz AND id > $6 ORDER BY id LIMIT $7";
  return {
      {"touyan_audit_list",
       absl::StrCat(kColumns, "WHERE starts_with(county_code, $1) ", kFilters)},
      // The history of one resource: by its index.
      {"touyan_audit_history",
       absl::StrCat(kColumns, "WHERE resource = $8 AND starts_with(county_code, $1) ", kFilters)},
      {"touyan_audit_head",
       "SELECT seq, hash, retained_from FROM audit_chain WHERE county_code = $1"},
      {"touyan_audit_maintain", "SELECT audit_maintain(make_interval(secs => $1))"},
      // The records of concurrent calls in one statement (db::GroupWrite),
      // without waiting for the WAL flush (synchronous_commit off for this
      // statement's own transaction): a read should not pay a disk flush. A
      // database crash may lose the last fraction of a second of records;
      // the audit rows of changes commit with their change, unaffected.
      {"touyan_access_record",
       "INSERT INTO access_log (county_code, subject, role, method, resource, fields, trace_id) "
       "SELECT x.county_code, x.subject, x.role, x.method, x.resource, x.fields, "
       "nullif(x.trace_id, '') FROM jsonb_to_recordset($1::jsonb) AS x(county_code text, "
       "subject text, role text, method text, resource text, fields text, trace_id text), "
       "(SELECT set_config('synchronous_commit', 'off', true)) AS async"},
      {"touyan_access_list",
       "SELECT county_code, (extract(epoch FROM at) * 1000000)::bigint, subject, role, method, "
       "resource, "
       "fields, id, coalesce(trace_id, '') FROM access_log WHERE starts_with(county_code, $1) AND "
       "($2 = '' OR resource = "
       "$2) "
       "AND ($3 = '' OR subject = $3) AND at >= $4::timestamptz AND at < $5::timestamptz AND id > "
       "$6 "
       "ORDER BY id LIMIT $7"},
      {"touyan_audit_chain",
       "SELECT seq, prev_hash, hash, audit_canonical(a) FROM audit_log a "
       "WHERE county_code = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4"},
  };
}

}  // namespace touyan::audit
