#include "common/audit/audit.h"

#include "google/protobuf/util/json_util.h"

namespace touyan::audit {

std::vector<db::Statement> Statements() {
  return {{"touyan_audit",
           "INSERT INTO audit_log (county_code, subject, role, method, resource, request_id, "
           "before, after) VALUES ($1, $2, $3, $4, $5, NULLIF($6, ''), "
           "NULLIF($7, '')::jsonb, NULLIF($8, '')::jsonb)"}};
}

std::string ToJson(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions opts;
  opts.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(m, &out, opts);
  return out;
}

void RecordJson(db::Tx& tx, const auth::Principal& principal, const Entry& e,
                const std::string& after_json) {
  tx.exec_prepared("touyan_audit", e.county_code, principal.subject,
                   std::string(auth::RoleName(principal.role)), e.method, e.resource,
                   e.request_id, e.before ? ToJson(*e.before) : std::string(), after_json);
}

void Record(db::Tx& tx, const auth::Principal& principal, const Entry& e) {
  RecordJson(tx, principal, e, e.after ? ToJson(*e.after) : std::string());
}

}  // namespace touyan::audit
