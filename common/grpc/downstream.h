// Calls from one Touyan service to another, over mutual TLS. A call carries
// the caller's own bearer token (so the called service applies the caller's
// scope; none for a service's background work) and a
// deadline: the caller's, capped by the downstream timeout. A service that is
// down or too slow becomes UNAVAILABLE (reason DOWNSTREAM_UNAVAILABLE) naming
// it; its other errors pass through with their code, message and reason.
#ifndef TOUYAN_COMMON_GRPC_DOWNSTREAM_H_
#define TOUYAN_COMMON_GRPC_DOWNSTREAM_H_

#include <google/protobuf/repeated_ptr_field.h>
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/auth/principal.h"

namespace touyan {

class Downstream {
 public:
  // `target` is a gRPC target ("personnel:50051", "dns:///personnel-headless:50051").
  // The channel reconnects quickly (backoff capped at one second) so that a
  // restarted service is used again within a second or two; one connection
  // attempt (TCP, TLS and HTTP/2 handshakes) is given up to `timeout`.
  // `credentials`: TLS with this service's own certificate (tls.h).
  Downstream(std::string name, const std::string& target, absl::Duration timeout,
             std::shared_ptr<grpc::ChannelCredentials> credentials);

  const std::string& name() const { return name_; }
  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }

  // Calls `method` on `stub` for `principal` until min(deadline, now + timeout).
  template <typename Resp, typename Req, typename Stub>
  absl::StatusOr<Resp> Call(const auth::Principal& principal, absl::Time deadline, Stub& stub,
                            grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                            const Req& request) const {
    grpc::ClientContext ctx;
    Prepare(ctx, principal, deadline);
    Resp out;
    grpc::Status s = (stub.*method)(&ctx, request, &out);
    if (!s.ok()) return FromDownstream(s);
    return out;
  }

  // Every item of a list, page after page (1,000 a page): `items` picks them
  // out of each answer.
  template <typename Item, typename Resp, typename Req, typename Stub>
  absl::StatusOr<std::vector<Item>> AllPages(
      const auth::Principal& principal, absl::Time deadline, Stub& stub,
      grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*), Req request,
      google::protobuf::RepeatedPtrField<Item>* (Resp::*items)()) const {
    std::vector<Item> out;
    request.set_page_size(1000);
    do {
      absl::StatusOr<Resp> page = Call(principal, deadline, stub, method, request);
      if (!page.ok()) return page.status();
      for (Item& x : *((*page).*items)()) out.push_back(std::move(x));
      request.set_page_token(page->next_page_token());
    } while (!request.page_token().empty());
    return out;
  }

 private:
  void Prepare(grpc::ClientContext& ctx, const auth::Principal& principal,
               absl::Time deadline) const;
  absl::Status FromDownstream(const grpc::Status& s) const;

  std::string name_;
  absl::Duration timeout_;
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace touyan

#endif  // TOUYAN_COMMON_GRPC_DOWNSTREAM_H_
