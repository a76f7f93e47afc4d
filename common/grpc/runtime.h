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
#include "common/db/group_write.h"
#include "common/db/pool.h"
#include "common/db/transaction.h"
#include "common/grpc/downstream.h"
#include "common/grpc/event_hub.h"
#include "common/grpc/grpc_status.h"
#include "common/grpc/tls.h"
#include "common/grpc/worker_pool.h"
#include "common/idempotency/idempotency.h"
#include "common/log/trace.h"
#include "common/metrics/metrics.h"
#include "common/paging/page_token.h"
#include "common/status/status.h"
#include "common/time/clock.h"

namespace touyan {

struct RuntimeOptions {
  std::string service;   // "personnel"
  db::PoolOptions pool;  // pool.size = workers + stream_slots + inline_calls
  int workers = 4;
  // Unary calls that may run at once on the gRPC threads that received them
  // (no hand-off to a worker); the rest go to the workers. gRPC's threads
  // are the process's: servers in one process (the tests) share the count.
  int inline_calls = 0;
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
  int max_watchers = 256;  // server-streaming calls (change streams) that may run at once
  // Reads on replicas: the read URL (--database-read-url; empty = all on the
  // primary) and how stale they may be.
  std::string read_url;
  db::ReplicaOptions replica;
};

// The metadata key of consistency tokens: sent back (trailing metadata) by a
// call whose change committed, on a service that reads on replicas; sent by
// a client with its reads to see that change.
inline constexpr char kConsistencyTokenKey[] = "touyan-consistency-token";

template <typename Req, typename Resp>
using UnaryHandler = std::function<absl::StatusOr<Resp>(CallContext&, const Req&)>;

// Checks a server-streaming request and opens its source (or refuses).
template <typename Req, typename Resp>
using StreamOpener =
    std::function<absl::StatusOr<std::unique_ptr<StreamSource<Resp>>>(CallContext&, const Req&)>;

class Runtime {
 public:
  explicit Runtime(RuntimeOptions options);
  ~Runtime();

  const RuntimeOptions& options() const { return options_; }
  db::ConnectionPool& pool() { return pool_; }
  // Reads on replicas; null when the service has no read URL.
  db::ReadRouter* reads() { return reads_.get(); }
  Metrics& metrics() { return metrics_; }
  // The records of personal data read, joined across concurrent calls.
  db::GroupWrite& access_writes() { return access_writes_; }
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
  // The call's trace: the client's `traceparent` continued, or a new one;
  // also sent back to the client as `traceparent` response metadata.
  static log::Trace TraceOf(grpc::CallbackServerContext& ctx);
  // The consistency token the client sent (0: none); INVALID_ARGUMENT if it
  // is not one.
  static absl::StatusOr<db::Lsn> ConsistencyTokenOf(const grpc::ServerContextBase& ctx);
  // Sends `call`'s consistency token, if it has one, as trailing metadata.
  static void SendConsistencyToken(grpc::CallbackServerContext& ctx, CallContext& call);
  // The client's deadline, or now + `fallback` if it set none.
  absl::Time DeadlineOf(const grpc::ServerContextBase& ctx, absl::Duration fallback) const;

  template <typename Req, typename Resp>
  grpc::ServerUnaryReactor* Unary(grpc::CallbackServerContext* ctx, const Req* req, Resp* resp,
                                  const char* method, UnaryHandler<Req, Resp> handler);

  template <typename Req, typename Resp>
  grpc::ServerReadReactor<Req>* ClientStream(grpc::CallbackServerContext* ctx, Resp* resp,
                                             const char* method,
                                             std::unique_ptr<StreamSink<Req, Resp>> sink);

  template <typename Req, typename Resp>
  grpc::ServerWriteReactor<Resp>* ServerStream(grpc::CallbackServerContext* ctx, const Req* req,
                                               const char* method, StreamOpener<Req, Resp> open);

  // One structured log line per call.
  void LogCall(const char* method, const absl::Status& status, absl::Duration took,
               const std::string& subject, absl::string_view request_id);
  void UpdatePoolGauges();
  // Unary calls run on the gRPC thread that received them so far.
  int64_t calls_inline() const { return calls_inline_.load(std::memory_order_relaxed); }

  WorkerPool& workers() { return *workers_; }
  // Unary calls running on gRPC's threads now, in this process.
  static std::atomic<int>& InlineRunning();
  // Runs `task` on a worker with `trace` as the thread's trace; false if the
  // queue is full.
  bool SubmitTraced(const log::Trace& trace, std::function<void()> task) {
    return workers_->Submit([trace, task = std::move(task)] {
      log::TraceScope scope(trace);
      task();
    });
  }
  bool TakeStreamSlot();
  void ReturnStreamSlot();
  bool TakeWatchSlot();
  void ReturnWatchSlot();
  EventHub& events() { return *events_; }
  // After a call whose changes committed: wakes the change streams of the
  // counties under `county_prefix`.
  void Changed(const std::string& county_prefix) { events_->Changed(county_prefix); }

 private:
  const RuntimeOptions options_;
  db::ConnectionPool pool_;
  std::unique_ptr<db::ConnectionPool> read_pool_;
  std::unique_ptr<db::ReadRouter> reads_;
  db::GroupWrite access_writes_;
  Metrics metrics_;
  paging::Pager pager_;
  mutable auth::TokenVerifier verifier_;
  std::map<std::string, std::unique_ptr<Downstream>> downstreams_;
  std::atomic<int> streams_{0};
  std::atomic<int> watchers_{0};
  std::atomic<int64_t> calls_inline_{0};
  prometheus::Counter* inline_counter_ = nullptr;  // touyan_calls_inline_total
  std::unique_ptr<WorkerPool> workers_;
  std::unique_ptr<EventHub> events_;  // last: stopped first, before the workers it wakes
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
  log::Trace trace = TraceOf(*ctx);
  log::TraceScope scope(trace);
  absl::StatusOr<auth::Principal> principal = Authenticate(*ctx, method);
  if (!principal.ok()) {
    LogCall(method, principal.status(), absl::Now() - start, "", RequestIdOf(*req));
    reactor->Finish(ToGrpcStatus(principal.status()));
    return reactor;
  }
  absl::StatusOr<db::Lsn> token = ConsistencyTokenOf(*ctx);
  if (!token.ok()) {
    LogCall(method, token.status(), absl::Now() - start, principal->subject, RequestIdOf(*req));
    reactor->Finish(ToGrpcStatus(token.status()));
    return reactor;
  }
  absl::Time deadline = DeadlineOf(*ctx, options_.default_deadline);
  auto run = [this, ctx, req, resp, reactor, method, start, deadline, trace, token = *token,
              handler = std::move(handler), p = *std::move(principal)]() mutable {
    log::TraceScope scope(trace);
    const std::string subject = p.subject;
    absl::Status status;
    if (ctx->IsCancelled()) {
      status = absl::CancelledError("the caller cancelled");
    } else if (absl::Now() >= deadline) {
      status = absl::DeadlineExceededError("the deadline passed while the call waited");
    } else {
      try {
        CallContext call(*this, std::move(p), deadline, method);
        call.set_consistency_token(token);
        absl::StatusOr<Resp> r = handler(call, *req);
        status = r.ok() ? call.FlushAccess() : r.status();
        if (status.ok()) *resp = *std::move(r);
        if (call.changed()) {
          SendConsistencyToken(*ctx, call);
          Changed(call.principal().RlsCountyPrefix());
        }
      } catch (const std::exception& e) {
        status = db::FromException(e);
      }
      UpdatePoolGauges();
    }
    LogCall(method, status, absl::Now() - start, subject, RequestIdOf(*req));
    reactor->Finish(ToGrpcStatus(status));
  };
  // While fewer than --inline-calls run so in this process, the call runs
  // here, on the gRPC thread that received it: request in, query out, row
  // in, response out on one thread. The others go to the workers, so that
  // gRPC keeps threads free for the network (on 2 cores, two calls held on
  // its threads cost a third of the peak rate; one cost nothing measurable:
  // bench/ab). A call held here that calls another service in the same
  // process finds the slot taken, and that service's handler goes to its
  // workers.
  std::atomic<int>& running = InlineRunning();
  if (running.fetch_add(1, std::memory_order_acq_rel) < options_.inline_calls) {
    calls_inline_.fetch_add(1, std::memory_order_relaxed);
    inline_counter_->Increment();
    run();
    running.fetch_sub(1, std::memory_order_acq_rel);
    return reactor;
  }
  running.fetch_sub(1, std::memory_order_acq_rel);
  if (!workers_->Submit(std::move(run))) {
    absl::Status busy = absl::ResourceExhaustedError("the server is overloaded; retry later");
    LogCall(method, busy, absl::Now() - start, "", RequestIdOf(*req));
    reactor->Finish(ToGrpcStatus(busy));
  }
  return reactor;
}

// Runs `f`, a libpqxx exception becoming its status (db::FromException).
template <typename F>
auto Guarded(F f) -> decltype(f()) {
  try {
    return f();
  } catch (const std::exception& e) {
    return db::FromException(e);
  }
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
        start_(absl::Now()),
        trace_(Runtime::TraceOf(*ctx)) {
    log::TraceScope scope(trace_);
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
      absl::StatusOr<bool> more = Guarded([&] { return sink_->OnMessage(*call_, message_); });
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
  void Submit(std::function<void()> task) {
    if (!rt_.SubmitTraced(trace_, std::move(task))) {
      Complete(absl::ResourceExhaustedError("the server is overloaded; retry later"));
    }
  }
  void FinishImport() {
    absl::StatusOr<Resp> r = Guarded([&] { return sink_->OnFinish(*call_); });
    if (r.ok()) {
      *resp_ = *std::move(r);
      call_->MarkChanged();  // a sink commits its own transactions
      Runtime::SendConsistencyToken(*ctx_, *call_);
    }
    Complete(r.status());
  }
  // Releases the sink (rolling back anything uncommitted) and the connection
  // on this thread, then ends the call.
  void Complete(const absl::Status& status) {
    sink_.reset();
    if (call_ && status.ok()) rt_.Changed(call_->principal().RlsCountyPrefix());
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
  log::Trace trace_;
};

template <typename Req, typename Resp>
grpc::ServerReadReactor<Req>* Runtime::ClientStream(grpc::CallbackServerContext* ctx, Resp* resp,
                                                    const char* method,
                                                    std::unique_ptr<StreamSink<Req, Resp>> sink) {
  return new ClientStreamReactor<Req, Resp>(*this, ctx, resp, method, std::move(sink));
}

// A server-streaming call driven by a StreamSource: each step on a worker
// thread; between steps, while the client reads or the source waits for a
// change, no thread and no connection is held.
template <typename Req, typename Resp>
class ServerStreamReactor final : public grpc::ServerWriteReactor<Resp> {
 public:
  ServerStreamReactor(Runtime& rt, grpc::CallbackServerContext* ctx, const Req* req,
                      const char* method, StreamOpener<Req, Resp> open)
      : rt_(rt),
        ctx_(ctx),
        req_(req),
        method_(method),
        start_(absl::Now()),
        trace_(Runtime::TraceOf(*ctx)) {
    log::TraceScope scope(trace_);
    absl::StatusOr<auth::Principal> p = rt_.Authenticate(*ctx, method);
    if (!p.ok()) {
      Complete(p.status());
      return;
    }
    if (!rt_.TakeWatchSlot()) {
      Complete(absl::ResourceExhaustedError(
          "the server serves as many streams as it may (--max-watchers); retry later"));
      return;
    }
    has_slot_ = true;
    principal_ = *std::move(p);
    absl::StatusOr<db::Lsn> token = Runtime::ConsistencyTokenOf(*ctx);
    if (!token.ok()) {
      Complete(token.status());
      return;
    }
    token_ = *token;
    // Streams run until the client cancels, unless it set a deadline.
    deadline_ = rt_.DeadlineOf(*ctx, absl::InfiniteDuration());
    Submit([this, open = std::move(open)] {
      absl::StatusOr<std::unique_ptr<StreamSource<Resp>>> s =
          Guarded([&]() -> absl::StatusOr<std::unique_ptr<StreamSource<Resp>>> {
            CallContext call = Call();
            absl::StatusOr<std::unique_ptr<StreamSource<Resp>>> opened = open(call, *req_);
            if (!opened.ok()) return opened;
            RETURN_IF_ERROR(call.FlushAccess());  // personal data read: recorded first
            return opened;
          });
      if (!s.ok()) return Complete(s.status());
      source_ = *std::move(s);
      Pump();
    });
  }

  void OnWriteDone(bool ok) override {
    if (!ok) return Complete(absl::CancelledError("the stream broke off"));
    Submit([this] { Pump(); });
  }

  void OnCancel() override {
    bool finish = false;
    {
      absl::MutexLock l(&mu_);
      cancelled_ = true;
      if (waiting_ && rt_.events().Cancel(ticket_)) {
        waiting_ = false;
        finish = true;
      }
    }
    if (finish) Complete(absl::CancelledError("the caller cancelled"));
  }

  void OnDone() override { delete this; }

 private:
  CallContext Call() {
    CallContext call(rt_, principal_, std::min(deadline_, absl::Now() + absl::Seconds(30)),
                     method_);
    call.set_consistency_token(token_);
    return call;
  }
  void Submit(std::function<void()> task) {
    if (!rt_.SubmitTraced(trace_, std::move(task))) {
      Complete(absl::ResourceExhaustedError("the server is overloaded; retry later"));
    }
  }
  // One step: the next message, the end, or a wait for a change.
  void Pump() {
    if (Cancelled()) return Complete(absl::CancelledError("the caller cancelled"));
    if (absl::Now() >= deadline_)
      return Complete(absl::DeadlineExceededError("the deadline passed"));
    message_.Clear();
    absl::StatusOr<typename StreamSource<Resp>::Next> next =
        Guarded([&]() -> absl::StatusOr<typename StreamSource<Resp>::Next> {
          CallContext call = Call();
          absl::StatusOr<typename StreamSource<Resp>::Next> n = source_->Produce(call, message_);
          if (!n.ok()) return n;
          RETURN_IF_ERROR(call.FlushAccess());
          return n;
        });
    rt_.UpdatePoolGauges();
    if (!next.ok()) return Complete(next.status());
    switch (*next) {
      case StreamSource<Resp>::Next::kMessage:
        this->StartWrite(&message_);
        return;
      case StreamSource<Resp>::Next::kEnd:
        return Complete(absl::OkStatus());
      case StreamSource<Resp>::Next::kWait: {
        {
          absl::MutexLock l(&mu_);
          if (!cancelled_) {
            waiting_ = true;
            ticket_ = rt_.events().Wait(source_->WaitPrefix(), [this](uint64_t position) {
              {
                absl::MutexLock l(&mu_);
                waiting_ = false;
              }
              // Reads after a wake see the change that woke the stream.
              token_ = std::max(token_, position);
              Submit([this] { Pump(); });
            });
            return;
          }
        }
        return Complete(absl::CancelledError("the caller cancelled"));
      }
    }
  }
  bool Cancelled() {
    absl::MutexLock l(&mu_);
    return cancelled_;
  }
  void Complete(const absl::Status& status) {
    source_.reset();
    if (has_slot_) rt_.ReturnWatchSlot();
    has_slot_ = false;
    rt_.LogCall(method_, status, absl::Now() - start_, principal_.subject, "");
    this->Finish(ToGrpcStatus(status));
  }

  Runtime& rt_;
  grpc::CallbackServerContext* ctx_;
  const Req* req_;
  const char* method_;
  auth::Principal principal_;
  absl::Time deadline_ = absl::InfiniteFuture();
  db::Lsn token_ = 0;
  std::unique_ptr<StreamSource<Resp>> source_;
  Resp message_;
  bool has_slot_ = false;
  absl::Time start_;
  log::Trace trace_;
  absl::Mutex mu_;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  bool waiting_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t ticket_ ABSL_GUARDED_BY(mu_) = 0;
};

template <typename Req, typename Resp>
grpc::ServerWriteReactor<Resp>* Runtime::ServerStream(grpc::CallbackServerContext* ctx,
                                                      const Req* req, const char* method,
                                                      StreamOpener<Req, Resp> open) {
  return new ServerStreamReactor<Req, Resp>(*this, ctx, req, method, std::move(open));
}

}  // namespace touyan

#endif  // TOUYAN_COMMON_GRPC_RUNTIME_H_
