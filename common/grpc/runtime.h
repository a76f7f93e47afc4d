// What every service's handlers run on: the worker pool whose workers lease
// database connections, authentication, paging, metrics and the clock. A
// handler is a plain function `absl::StatusOr<Resp>(CallContext&, const Req&)`;
// Runtime::Unary bridges it to gRPC's callback API.
#ifndef TOUYAN_COMMON_GRPC_RUNTIME_H_
#define TOUYAN_COMMON_GRPC_RUNTIME_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/audit/audit.h"
#include "common/auth/jwt.h"
#include "common/call/call_context.h"
#include "common/crypto/keyring.h"
#include "common/db/pool.h"
#include "common/db/transaction.h"
#include "common/grpc/downstream.h"
#include "common/grpc/grpc_status.h"
#include "common/grpc/tls.h"
#include "common/grpc/worker_pool.h"
#include "common/idempotency/idempotency.h"
#include "common/metrics/metrics.h"
#include "common/paging/page_token.h"
#include "common/status/status.h"
#include "common/time/clock.h"

namespace touyan {

struct RuntimeOptions {
  std::string service;   // "personnel"
  db::PoolOptions pool;  // pool.size = workers + stream_slots
  int workers = 4;
  int stream_slots = 2;  // client-streaming imports that may run at once
  int max_queued = 4096;
  auth::TokenConfig tokens;
  std::string page_key;
  absl::Duration default_deadline = absl::Seconds(30);
  const Clock* clock = &Clock::Real();
  std::map<std::string, std::string> downstream_targets;  // service name → gRPC target
  absl::Duration downstream_timeout = absl::Seconds(5);
  TlsConfig tls;      // this service's certificate, shown to the services it calls
  std::string scope;  // the region this deployment serves; empty = every region
  std::shared_ptr<const crypto::Keyring> keys;  // data keys (--data-keys-file); null = none
};

template <typename Req, typename Resp>
using UnaryHandler = std::function<absl::StatusOr<Resp>(CallContext&, const Req&)>;

class Runtime {
 public:
  explicit Runtime(RuntimeOptions options);
  ~Runtime();

  const RuntimeOptions& options() const { return options_; }
  db::ConnectionPool& pool() { return pool_; }
  Metrics& metrics() { return metrics_; }
  const paging::Pager& pager() const { return pager_; }
  const Clock& clock() const { return *options_.clock; }
  const crypto::Keyring* keys() const { return options_.keys.get(); }
  // The client of a service this one calls (named in ServiceSpec::calls).
  const Downstream& downstream(const std::string& name) const;

  // Authenticates a call of `method` (its short name): from the
  // `authorization: Bearer …` metadata, and from the peer's certificate when
  // it names a Touyan service, which may call only the methods it needs
  // (service_calls.h). A service's call without a token (its own background
  // work) acts as a read-only principal of this deployment's scope.
  absl::StatusOr<auth::Principal> Authenticate(const grpc::ServerContextBase& ctx,
                                               absl::string_view method) const;
  // The client's deadline, or now + `fallback` if it set none.
  absl::Time DeadlineOf(const grpc::ServerContextBase& ctx, absl::Duration fallback) const;

  template <typename Req, typename Resp>
  grpc::ServerUnaryReactor* Unary(grpc::CallbackServerContext* ctx, const Req* req, Resp* resp,
                                  const char* method, UnaryHandler<Req, Resp> handler);

  template <typename Req, typename Resp>
  grpc::ServerReadReactor<Req>* ClientStream(grpc::CallbackServerContext* ctx, Resp* resp,
                                             const char* method,
                                             std::unique_ptr<StreamSink<Req, Resp>> sink);

  // One structured log line per call.
  void LogCall(const char* method, const absl::Status& status, absl::Duration took,
               const std::string& subject, absl::string_view request_id);
  void UpdatePoolGauges();

  WorkerPool& workers() { return *workers_; }
  bool TakeStreamSlot();
  void ReturnStreamSlot();

 private:
  const RuntimeOptions options_;
  db::ConnectionPool pool_;
  Metrics metrics_;
  paging::Pager pager_;
  mutable auth::TokenVerifier verifier_;
  std::map<std::string, std::unique_ptr<Downstream>> downstreams_;
  std::atomic<int> streams_{0};
  std::unique_ptr<WorkerPool> workers_;  // last: joined first
};

// ----------------------------------------------------------------- bridges

template <typename Req>
absl::string_view RequestIdOf(const Req& req) {
  if constexpr (requires { req.request_id(); }) {
    return req.request_id();
  } else {
    return {};
  }
}

template <typename Req, typename Resp>
grpc::ServerUnaryReactor* Runtime::Unary(grpc::CallbackServerContext* ctx, const Req* req,
                                         Resp* resp, const char* method,
                                         UnaryHandler<Req, Resp> handler) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  const absl::Time start = absl::Now();
  absl::StatusOr<auth::Principal> principal = Authenticate(*ctx, method);
  if (!principal.ok()) {
    LogCall(method, principal.status(), absl::Now() - start, "", RequestIdOf(*req));
    reactor->Finish(ToGrpcStatus(principal.status()));
    return reactor;
  }
  absl::Time deadline = DeadlineOf(*ctx, options_.default_deadline);
  bool queued =
      workers_->Submit([this, ctx, req, resp, reactor, method, start, deadline,
                        handler = std::move(handler), p = *std::move(principal)]() mutable {
        const std::string subject = p.subject;
        absl::Status status;
        if (ctx->IsCancelled()) {
          status = absl::CancelledError("the caller cancelled");
        } else if (absl::Now() >= deadline) {
          status = absl::DeadlineExceededError("the deadline passed while the call waited");
        } else {
          try {
            CallContext call(*this, std::move(p), deadline, method);
            absl::StatusOr<Resp> r = handler(call, *req);
            status = r.ok() ? call.FlushAccess() : r.status();
            if (status.ok()) *resp = *std::move(r);
          } catch (const std::exception& e) {
            status = db::FromException(e);
          }
          UpdatePoolGauges();
        }
        LogCall(method, status, absl::Now() - start, subject, RequestIdOf(*req));
        reactor->Finish(ToGrpcStatus(status));
      });
  if (!queued) {
    absl::Status busy = absl::ResourceExhaustedError("the server is overloaded; retry later");
    LogCall(method, busy, absl::Now() - start, "", RequestIdOf(*req));
    reactor->Finish(ToGrpcStatus(busy));
  }
  return reactor;
}

template <typename Req, typename Resp>
class ClientStreamReactor final : public grpc::ServerReadReactor<Req> {
 public:
  ClientStreamReactor(Runtime& rt, grpc::CallbackServerContext* ctx, Resp* resp, const char* method,
                      std::unique_ptr<StreamSink<Req, Resp>> sink)
      : rt_(rt),
        ctx_(ctx),
        resp_(resp),
        method_(method),
        sink_(std::move(sink)),
        start_(absl::Now()) {
    absl::StatusOr<auth::Principal> p = rt_.Authenticate(*ctx, method);
    if (!p.ok()) {
      Complete(p.status());
      return;
    }
    if (!rt_.TakeStreamSlot()) {
      Complete(absl::ResourceExhaustedError("too many imports are running; retry later"));
      return;
    }
    has_slot_ = true;
    subject_ = p->subject;
    // Imports run as long as the client streams, unless it set a deadline.
    call_ = std::make_unique<CallContext>(rt_, *std::move(p), rt_.DeadlineOf(*ctx, absl::Hours(1)),
                                          method);
    this->StartRead(&message_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      if (ctx_->IsCancelled()) {
        Submit([this] { Complete(absl::CancelledError("the caller cancelled the import")); });
        return;
      }
      Submit([this] { FinishImport(); });
      return;
    }
    if (request_id_.empty()) request_id_ = std::string(RequestIdOf(message_));
    Submit([this] {
      absl::StatusOr<bool> more = Guard([&] { return sink_->OnMessage(*call_, message_); });
      if (!more.ok()) {
        Complete(more.status());
      } else if (*more) {
        this->StartRead(&message_);
      } else {
        FinishImport();
      }
    });
  }

  void OnDone() override { delete this; }

 private:
  template <typename F>
  auto Guard(F f) -> decltype(f()) {
    try {
      return f();
    } catch (const std::exception& e) {
      return db::FromException(e);
    }
  }
  void Submit(std::function<void()> task) {
    if (!rt_.workers().Submit(std::move(task))) {
      Complete(absl::ResourceExhaustedError("the server is overloaded; retry later"));
    }
  }
  void FinishImport() {
    absl::StatusOr<Resp> r = Guard([&] { return sink_->OnFinish(*call_); });
    if (r.ok()) *resp_ = *std::move(r);
    Complete(r.status());
  }
  // Releases the sink (rolling back anything uncommitted) and the connection
  // on this thread, then ends the call.
  void Complete(const absl::Status& status) {
    sink_.reset();
    call_.reset();
    if (has_slot_) rt_.ReturnStreamSlot();
    has_slot_ = false;
    rt_.UpdatePoolGauges();
    rt_.LogCall(method_, status, absl::Now() - start_, subject_, request_id_);
    this->Finish(ToGrpcStatus(status));
  }

  Runtime& rt_;
  grpc::CallbackServerContext* ctx_;
  Resp* resp_;
  const char* method_;
  std::unique_ptr<StreamSink<Req, Resp>> sink_;
  std::unique_ptr<CallContext> call_;
  Req message_;
  std::string subject_, request_id_;
  bool has_slot_ = false;
  absl::Time start_;
};

template <typename Req, typename Resp>
grpc::ServerReadReactor<Req>* Runtime::ClientStream(grpc::CallbackServerContext* ctx, Resp* resp,
                                                    const char* method,
                                                    std::unique_ptr<StreamSink<Req, Resp>> sink) {
  return new ClientStreamReactor<Req, Resp>(*this, ctx, resp, method, std::move(sink));
}

}  // namespace touyan

#endif  // TOUYAN_COMMON_GRPC_RUNTIME_H_
