// touyan.audit.v1.AuditService: the audit trail of the service it runs in,
// served by every Touyan server on its API port (Server registers it). For
// auditors and the city organisation department, within their scope.
#ifndef TOUYAN_COMMON_GRPC_AUDIT_SERVICE_H_
#define TOUYAN_COMMON_GRPC_AUDIT_SERVICE_H_

#include "common/grpc/runtime.h"
#include "touyan/audit/v1/audit.grpc.pb.h"

namespace touyan {

class AuditService final : public audit::v1::AuditService::CallbackService {
 public:
  explicit AuditService(Runtime& rt) : rt_(rt) {}

  grpc::ServerUnaryReactor* ListAuditEvents(grpc::CallbackServerContext* ctx,
                                            const audit::v1::ListAuditEventsRequest* req,
                                            audit::v1::ListAuditEventsResponse* resp) override;
  grpc::ServerUnaryReactor* VerifyAuditChain(grpc::CallbackServerContext* ctx,
                                             const audit::v1::VerifyAuditChainRequest* req,
                                             audit::v1::VerifyAuditChainResponse* resp) override;
  grpc::ServerUnaryReactor* ListAccessRecords(grpc::CallbackServerContext* ctx,
                                              const audit::v1::ListAccessRecordsRequest* req,
                                              audit::v1::ListAccessRecordsResponse* resp) override;

 private:
  absl::StatusOr<audit::v1::ListAuditEventsResponse> DoListAuditEvents(
      CallContext& call, const audit::v1::ListAuditEventsRequest& r);
  absl::StatusOr<audit::v1::VerifyAuditChainResponse> DoVerifyAuditChain(
      CallContext& call, const audit::v1::VerifyAuditChainRequest& r);

  absl::StatusOr<audit::v1::ListAccessRecordsResponse> DoListAccessRecords(
      CallContext& call, const audit::v1::ListAccessRecordsRequest& r);

  Runtime& rt_;
};

}  // namespace touyan

#endif  // TOUYAN_COMMON_GRPC_AUDIT_SERVICE_H_
