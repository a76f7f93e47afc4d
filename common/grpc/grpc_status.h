// The one place absl::Status becomes grpc::Status: canonical code, message,
// and google.rpc.Status details with BadRequest (the field) and ErrorInfo.
#ifndef TOUYAN_COMMON_GRPC_GRPC_STATUS_H_
#define TOUYAN_COMMON_GRPC_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include <string>

#include "absl/status/status.h"

namespace touyan {

inline constexpr char kErrorDomain[] = "touyan";

grpc::Status ToGrpcStatus(const absl::Status& status);

// Client side (tests, touyanctl): the details a Touyan server attached.
struct ErrorDetails {
  std::string field;   // first BadRequest field violation, if any
  std::string reason;  // ErrorInfo reason, if any
};
ErrorDetails DetailsOf(const grpc::Status& status);

}  // namespace touyan

#endif  // TOUYAN_COMMON_GRPC_GRPC_STATUS_H_
