// The audit trail: who, when, which method, which resource, before and after,
// written in the same transaction as the change (CallContext::Audit collects
// entries; the mutation's last statement writes them). Each county's rows
// form a hash chain (common migration 003_audit_chain.sql); AuditService
// reads and verifies it. Personal values are minimised when written:
// resident IDs and phone numbers masked, counselling notes withheld.
#ifndef TOUYAN_COMMON_AUDIT_AUDIT_H_
#define TOUYAN_COMMON_AUDIT_AUDIT_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/string_view.h"
#include "common/db/pool.h"
#include "google/protobuf/message.h"

namespace touyan::audit {

struct Entry {
  std::string county_code = {};
  std::string resource = {};                          // "cadres/150902-42"
  const google::protobuf::Message* before = nullptr;  // null for a creation
  const google::protobuf::Message* after = nullptr;   // null for a deletion
};

// `m` as JSON (proto field names).
std::string ToJson(const google::protobuf::Message& m);
// ToJson with its personal values minimised (MaskPersonal): what the trail
// stores.
std::string MaskedJson(const google::protobuf::Message& m);

// "150102199003071234" → "150102********1234" (anything else: all stars).
std::string MaskResidentId(absl::string_view id);
// "13812345678" → "138****5678" (shorter than 7: all stars).
std::string MaskPhone(absl::string_view phone);
// Rewrites a JSON document in place: every member named resident_id or
// phone masked, every one named notes (counselling) replaced by
// "[withheld: N characters]", at any depth.
std::string MaskPersonal(const std::string& json);

// The statements AuditService prepares on every connection.
std::vector<db::Statement> Statements();

}  // namespace touyan::audit

#endif  // TOUYAN_COMMON_AUDIT_AUDIT_H_
