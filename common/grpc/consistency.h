// Read-your-writes for clients of services that read on replicas: a
// session remembers the newest consistency token its calls were given
// (trailing metadata `touyan-consistency-token`) and sends it with every
// call, so that a read after a write is served by a replica only once it
// has replayed that write. touyanctl, the scenario and the benchmarks use
// one session per process; services calling each other do not need one
// (their reads follow writes of other callers).
#ifndef TOUYAN_COMMON_GRPC_CONSISTENCY_H_
#define TOUYAN_COMMON_GRPC_CONSISTENCY_H_

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/client_interceptor.h>

#include <atomic>
#include <memory>
#include <string>

#include "absl/strings/string_view.h"

namespace touyan {

class ConsistencySession {
 public:
  // Keeps `token` if it is newer than the one held (malformed ones are
  // ignored: a server that reads on no replica sends none).
  void Saw(absl::string_view token);
  // The newest token seen, or "" before any.
  std::string Token() const;

  // The interceptor that makes the calls of a channel part of this session
  // (grpc::experimental::CreateCustomChannelWithInterceptors).
  static std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface> Interceptor(
      std::shared_ptr<ConsistencySession> session);

 private:
  std::atomic<uint64_t> newest_{0};
};

}  // namespace touyan

#endif  // TOUYAN_COMMON_GRPC_CONSISTENCY_H_
