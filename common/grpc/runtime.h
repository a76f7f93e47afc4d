// What every service's handlers run on: the worker pool whose workers lease
// database connections, authentication, paging, metrics and the clock. A
// handler is a plain function `absl::StatusOr<Resp>(CallContext&, const Req&)`;
// Runtime::Unary bridges it to gRPC's callback API.
#ifndef TOUYAN_COMMON_GRPC_RUNTIME_H_
#define TOUYAN_COMMON_GRPC_RUNTIME_H_

#include <atomic>
#include "absl/strings/string_view.h"
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <grpcpp/grpcpp.h>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/audit/audit.h"
#include "common/auth/jwt.h"
#include "common/crypto/keyring.h"
#include "common/db/pool.h"
#include "common/db/transaction.h"
#include "common/grpc/downstream.h"
#include "common/grpc/grpc_status.h"
#include "common/grpc/tls.h"
#include "common/grpc/worker_pool.h"
#include "common/idempotency/idempotency.h"
#include "common/metrics/metrics.h"
#include "common/status/status.h"
#include "common/paging/page_token.h"
#include "common/time/clock.h"

namespace touyan {

struct RuntimeOptions {
  std::string service;  // "personnel"
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
  TlsConfig tls;  // this service's certificate, shown to the services it calls
  std::string scope;  // the region this deployment serves; empty = every region
  std::shared_ptr<const crypto::Keyring> keys;  // data keys (--data-keys-file); null = none
};

class Runtime;

// One call: who is calling, until when, and database access in the caller's
// row-level security scope.
class CallContext {
 public:
  CallContext(Runtime& rt, auth::Principal principal, absl::Time deadline, std::string method)
      : rt_(rt), principal_(std::move(principal)), deadline_(deadline), method_(std::move(method)) {}

  const auth::Principal& principal() const { return principal_; }
  absl::Time deadline() const { return deadline_; }
  const std::string& method() const { return method_; }
  const Clock& clock() const;
  const paging::Pager& pager() const;
  Metrics& metrics();
  db::Scope scope() const;
  // The data keys personal values are sealed with; null when the service
  // was given none (it holds no such values).
  const crypto::Keyring* keys() const;

  // Runs read-only `body` in the caller's scope (autocommit statements).
  template <typename T>
  absl::StatusOr<T> Read(absl::FunctionRef<absl::StatusOr<T>(db::Tx&)> body) {
    ASSIGN_OR_RETURN(db::Lease * lease, Lease());
    return db::Collect<T>(
        [&](auto step) { return db::RunRead(*lease, scope(), deadline_, step); }, body);
  }

  // A mutation: checks the caller may write, claims `request_id`, runs `body`
  // and stores its response for replay, all in one transaction. A retry with
  // the same id returns the stored response without running `body`.
  template <typename Resp>
  absl::StatusOr<Resp> Mutate(const google::protobuf::Message& request,
                              const std::string& request_id,
                              absl::FunctionRef<absl::StatusOr<Resp>(db::Tx&)> body) {
    Resp out;
    RETURN_IF_ERROR(MutateInto(request, request_id, out,
                               [&](db::Tx& tx, google::protobuf::Message& m) -> absl::Status {
                                 ASSIGN_OR_RETURN(static_cast<Resp&>(m), body(tx));
                                 return absl::OkStatus();
                               }));
    return out;
  }

  // Mutate for a response whose type the caller knows only at run time:
  // `out` is filled by `body` (it may hold the caller's draft; a body run
  // again after a serialization failure sees what the last run left), or
  // from the stored answer on a retry.
  absl::Status MutateInto(const google::protobuf::Message& request, const std::string& request_id,
                          google::protobuf::Message& out,
                          absl::FunctionRef<absl::Status(db::Tx&, google::protobuf::Message&)> body);

  // A write that leaves nothing for retries: no request_id is claimed and
  // the response is not stored (secret ballots, one-time codes). The body
  // must be safe to refuse on a second attempt.
  template <typename T>
  absl::StatusOr<T> WriteOnce(absl::FunctionRef<absl::StatusOr<T>(db::Tx&)> body) {
    if (!principal_.CanWrite()) return principal_.CheckWrite("");
    ASSIGN_OR_RETURN(db::Lease * lease, Lease());
    return db::Collect<T>([&](auto step) { return db::RunTransaction(*lease, scope(), deadline_, step); },
                          body);
  }

  // Records that this call returns personal `fields` ("resident_id,phone",
  // "notes") of `resource` ("cadres/150902-42") unmasked. The records are
  // written when the handler succeeds, before the answer leaves: a call whose
  // records cannot be written fails (AuditService.ListAccessRecords).
  void RecordAccess(const std::string& county_code, const std::string& resource, const std::string& fields);
  // Writes the recorded accesses (Runtime::Unary calls it).
  absl::Status FlushAccess();

  // Records an audit entry of the running mutation. Entries are written with
  // the mutation's stored answer, in one statement at its end (same
  // transaction); a mutation that fails writes none.
  void Audit(const audit::Entry& entry);

  // The connection leased for this call (acquired on first use, kept until
  // the call ends): for work that spans several steps, such as imports.
  absl::StatusOr<db::Lease*> Lease();

 private:
  // Writes the pending audit entries and stores `response` for replay.
  void FinishMutation(db::Tx& tx, const std::string& request_id,
                      const google::protobuf::Message& response);

  Runtime& rt_;
  auth::Principal principal_;
  absl::Time deadline_;
  std::string method_;
  std::optional<db::Lease> lease_;
  std::string pending_audit_;  // JSON objects, comma-separated
  std::string pending_access_;  // likewise
};

template <typename Req, typename Resp>
using UnaryHandler = std::function<absl::StatusOr<Resp>(CallContext&, const Req&)>;

// A client-streaming call: messages arrive in order on worker threads; the
// sink may keep state (an open transaction) between them.
template <typename Req, typename Resp>
class StreamSink {
 public:
  virtual ~StreamSink() = default;
  // Returns false to stop reading early (a replayed request_id).
  virtual absl::StatusOr<bool> OnMessage(CallContext& call, const Req& message) = 0;
  virtual absl::StatusOr<Resp> OnFinish(CallContext& call) = 0;
};

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
  bool queued = workers_->Submit([this, ctx, req, resp, reactor, method, start, deadline,
                                  handler = std::move(handler),
                                  p = *std::move(principal)]() mutable {
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
  ClientStreamReactor(Runtime& rt, grpc::CallbackServerContext* ctx, Resp* resp,
                      const char* method, std::unique_ptr<StreamSink<Req, Resp>> sink)
      : rt_(rt), ctx_(ctx), resp_(resp), method_(method), sink_(std::move(sink)),
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
