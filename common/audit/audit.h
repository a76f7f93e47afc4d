// The audit trail: who, when, which method, which resource, before and after,
// written in the same transaction as the change (CallContext::Audit collects
// entries; the mutation's last statement writes them).
#ifndef TOUYAN_COMMON_AUDIT_AUDIT_H_
#define TOUYAN_COMMON_AUDIT_AUDIT_H_

#include <string>
#include <string_view>
#include <vector>

#include "google/protobuf/message.h"

namespace touyan::audit {

struct Entry {
  std::string county_code = {};
  std::string resource = {};  // "cadres/150902-42"
  const google::protobuf::Message* before = nullptr;  // null for a creation
  const google::protobuf::Message* after = nullptr;   // null for a deletion
};

std::string ToJson(const google::protobuf::Message& m);

}  // namespace touyan::audit

#endif  // TOUYAN_COMMON_AUDIT_AUDIT_H_
