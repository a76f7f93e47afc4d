#include "common/grpc/grpc_status.h"

#include "common/status/status.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace touyan {
namespace {

// The message goes out three times (grpc-message, and twice inside
// grpc-status-details-bin): an echoed hostile value must not push the
// trailers past gRPC's metadata limits (8 KiB, above which peers start
// refusing them). Cut at a character boundary.
constexpr size_t kMaxMessageBytes = 512;

std::string Bounded(absl::string_view message) {
  if (message.size() <= kMaxMessageBytes) return std::string(message);
  size_t cut = kMaxMessageBytes;
  while (cut > 0 && (static_cast<unsigned char>(message[cut]) & 0xC0) == 0x80) --cut;
  return std::string(message.substr(0, cut)) + "…";
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  std::string message = Bounded(status.message());
  google::rpc::Status rpc;
  rpc.set_code(static_cast<int>(status.code()));
  rpc.set_message(message);
  if (auto field = FieldOf(status)) {
    google::rpc::BadRequest bad;
    auto* v = bad.add_field_violations();
    v->set_field(*field);
    v->set_description(message);
    rpc.add_details()->PackFrom(bad);
  }
  google::rpc::ErrorInfo info;
  info.set_reason(ReasonOf(status));
  info.set_domain(kErrorDomain);
  rpc.add_details()->PackFrom(info);
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), message,
                      rpc.SerializeAsString());
}

ErrorDetails DetailsOf(const grpc::Status& status) {
  ErrorDetails out;
  google::rpc::Status rpc;
  if (!rpc.ParseFromString(status.error_details())) return out;
  for (const auto& any : rpc.details()) {
    google::rpc::BadRequest bad;
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&bad) && bad.field_violations_size() > 0 && out.field.empty()) {
      out.field = bad.field_violations(0).field();
    } else if (any.UnpackTo(&info)) {
      out.reason = info.reason();
    }
  }
  return out;
}

}  // namespace touyan
