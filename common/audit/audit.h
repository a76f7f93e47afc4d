// The audit trail: who, when, which method, which resource, before and after,
// written in the same transaction as the change.
#ifndef TOUYAN_COMMON_AUDIT_AUDIT_H_
#define TOUYAN_COMMON_AUDIT_AUDIT_H_

#include <string>
#include <string_view>
#include <vector>

#include <pqxx/pqxx>

#include "common/auth/principal.h"
#include "common/db/pool.h"
#include "google/protobuf/message.h"

namespace touyan::audit {

std::vector<db::Statement> Statements();

struct Entry {
  std::string county_code = {};
  std::string method = {};    // CallContext::Audit fills it in
  std::string resource = {};  // "cadres/150902-42"
  std::string request_id = {};
  const google::protobuf::Message* before = nullptr;  // null for a creation
  const google::protobuf::Message* after = nullptr;   // null for a deletion
};

void Record(db::Tx& tx, const auth::Principal& principal, const Entry& entry);

// For summaries (bulk imports): `after_json` is a JSON object.
void RecordJson(db::Tx& tx, const auth::Principal& principal, const Entry& entry,
                const std::string& after_json);

std::string ToJson(const google::protobuf::Message& m);

}  // namespace touyan::audit

#endif  // TOUYAN_COMMON_AUDIT_AUDIT_H_
