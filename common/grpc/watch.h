// Server-streaming "watch" calls: the server polls for a change on a thread
// of its own and sends a message whenever there is one, until the poll says
// the watched thing is final, the client cancels, or the deadline passes.
// Polling (rather than in-process notification) sees changes made through
// any replica of the service.
#ifndef TOUYAN_COMMON_GRPC_WATCH_H_
#define TOUYAN_COMMON_GRPC_WATCH_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "common/grpc/runtime.h"

namespace touyan {

// What a poll returns: a message to send (or none: nothing changed), and
// whether the watch is over after it.
template <typename Resp>
struct WatchStep {
  std::optional<Resp> message;
  bool done = false;
};

template <typename Req, typename Resp>
using WatchPoll = std::function<absl::StatusOr<WatchStep<Resp>>(CallContext&, const Req&)>;

inline constexpr int kMaxWatches = 64;  // per process

template <typename Req, typename Resp>
class WatchReactor final : public grpc::ServerWriteReactor<Resp> {
 public:
  WatchReactor(Runtime& rt, grpc::CallbackServerContext* ctx, const Req* req, const char* method,
               absl::Duration interval, WatchPoll<Req, Resp> poll)
      : rt_(rt),
        req_(*req),
        method_(method),
        interval_(interval),
        poll_(std::move(poll)),
        start_(absl::Now()) {
    absl::StatusOr<auth::Principal> p = rt_.Authenticate(*ctx, method);
    if (!p.ok()) {
      End(p.status());
      return;
    }
    if (Watches().fetch_add(1) >= kMaxWatches) {
      Watches().fetch_sub(1);
      End(absl::ResourceExhaustedError("too many watches are open; retry later"));
      return;
    }
    counted_ = true;
    principal_ = *std::move(p);
    deadline_ = rt_.DeadlineOf(*ctx, absl::Hours(12));
    thread_ = std::thread([this] { Run(); });
  }

  void OnWriteDone(bool ok) override {
    absl::MutexLock l(&mu_);
    writing_ = false;
    if (!ok) cancelled_ = true;
  }
  void OnCancel() override {
    absl::MutexLock l(&mu_);
    cancelled_ = true;
  }
  void OnDone() override {
    if (thread_.joinable()) {
      // Finish is the thread's last act; should gRPC run OnDone inline on it, let it end alone.
      if (thread_.get_id() == std::this_thread::get_id()) {
        thread_.detach();
      } else {
        thread_.join();
      }
    }
    if (counted_) Watches().fetch_sub(1);
    delete this;
  }

 private:
  static std::atomic<int>& Watches() {
    static std::atomic<int> n{0};
    return n;
  }

  void Run() {
    absl::Status status;
    for (;;) {
      if (absl::Now() >= deadline_) {
        status = absl::OkStatus();  // the watch lasted as long as asked
        break;
      }
      absl::StatusOr<WatchStep<Resp>> step;
      try {
        CallContext call(rt_, principal_, std::min(deadline_, absl::Now() + absl::Seconds(10)),
                         method_);
        step = poll_(call, req_);
      } catch (const std::exception& e) {
        step = db::FromException(e);
      }
      if (!step.ok()) {
        status = step.status();
        break;
      }
      if (step->message) {
        message_ = *std::move(step->message);
        {
          absl::MutexLock l(&mu_);
          if (cancelled_) break;
          writing_ = true;
        }
        this->StartWrite(&message_);
        absl::MutexLock l(&mu_);
        mu_.Await(absl::Condition(
            +[](WatchReactor* r) { return !r->writing_ || r->cancelled_; }, this));
      }
      if (step->done) break;
      absl::MutexLock l(&mu_);
      if (mu_.AwaitWithTimeout(absl::Condition(&cancelled_), interval_)) break;
    }
    {
      absl::MutexLock l(&mu_);
      if (cancelled_ && status.ok())
        status = absl::CancelledError("the caller cancelled the watch");
      // A write still in flight completes before Finish.
      mu_.Await(absl::Condition(
          +[](WatchReactor* r) { return !r->writing_; }, this));
    }
    rt_.LogCall(method_, status, absl::Now() - start_, principal_.subject, "");
    this->Finish(ToGrpcStatus(status));
  }

  void End(const absl::Status& status) {
    rt_.LogCall(method_, status, absl::Now() - start_, "", "");
    this->Finish(ToGrpcStatus(status));
  }

  Runtime& rt_;
  const Req req_;
  const char* method_;
  const absl::Duration interval_;
  WatchPoll<Req, Resp> poll_;
  absl::Time start_, deadline_;
  auth::Principal principal_;
  bool counted_ = false;
  Resp message_;
  absl::Mutex mu_;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

template <typename Req, typename Resp>
grpc::ServerWriteReactor<Resp>* Watch(Runtime& rt, grpc::CallbackServerContext* ctx, const Req* req,
                                      const char* method, absl::Duration interval,
                                      WatchPoll<Req, Resp> poll) {
  return new WatchReactor<Req, Resp>(rt, ctx, req, method, interval, std::move(poll));
}

}  // namespace touyan

#endif  // TOUYAN_COMMON_GRPC_WATCH_H_
