// What one Touyan service may ask another. A call that comes with a Touyan
// service's client certificate (spiffe://touyan/<service>) may reach only the
// methods that service's code calls; anything else is PERMISSION_DENIED,
// whatever token it forwards. The one table, kept beside the typed clients
// that make those calls (services/personnel/client/, incentive's stubs).
#ifndef TOUYAN_COMMON_GRPC_SERVICE_CALLS_H_
#define TOUYAN_COMMON_GRPC_SERVICE_CALLS_H_

#include "absl/strings/string_view.h"

namespace touyan {

// Whether service `caller` may call `method` (its short name, "GetCadre") of
// service `callee` ("personnel").
bool ServiceMayCall(absl::string_view caller, absl::string_view callee, absl::string_view method);

}  // namespace touyan

#endif  // TOUYAN_COMMON_GRPC_SERVICE_CALLS_H_
