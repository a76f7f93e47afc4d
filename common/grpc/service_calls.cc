#include "common/grpc/service_calls.h"

#include <algorithm>
#include <vector>

namespace touyan {
namespace {

struct Allowed {
  absl::string_view caller, callee;
  std::vector<absl::string_view> methods;
};

// caller → callee: the methods its code calls (PersonnelClient's mapping:
// GetCadres is BatchGetCadres, Secretaries ListSecretaries, SecretaryPost
// ListPositions, GoodSecretaries ListGoodSecretaries, Anonymised ListCadres:
// the maintenance of the services that copy cadres' names).
const std::vector<Allowed>& Table() {
  static const auto* table = new std::vector<Allowed>{
      {"training", "personnel", {"GetCadre", "BatchGetCadres", "ListSecretaries", "ListCadres"}},
      {"contest",
       "personnel",
       {"GetCadre", "GetPartyOrg", "ListSecretaries", "ListPositions", "AddDesignation",
        "AssignInstructor", "RecordSupport", "ListCadres"}},
      {"incentive",
       "personnel",
       {"GetCadre", "BatchGetCadres", "GetPartyOrg", "ListSecretaries", "ListPositions",
        "ListGoodSecretaries", "EndPosition", "ExportPersonalData", "ListCadres"}},
      {"incentive", "training", {"ListUncovered", "ExportPersonalData"}},
      {"incentive", "contest", {"BatchGetCadreResults", "ExportPersonalData"}},
  };
  return *table;
}

}  // namespace

bool ServiceMayCall(absl::string_view caller, absl::string_view callee, absl::string_view method) {
  for (const Allowed& a : Table()) {
    if (a.caller == caller && a.callee == callee) {
      return std::find(a.methods.begin(), a.methods.end(), method) != a.methods.end();
    }
  }
  return false;
}

}  // namespace touyan
