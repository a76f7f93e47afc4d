#include "common/grpc/downstream.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/grpc/grpc_status.h"
#include "common/log/trace.h"
#include "common/status/status.h"

namespace touyan {

Downstream::Downstream(std::string name, const std::string& target, absl::Duration timeout,
                       std::shared_ptr<grpc::ChannelCredentials> credentials)
    : name_(std::move(name)), timeout_(timeout) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  // gRPC gives a connection attempt at least this long (its "minimum connect
  // timeout") before it gives up and backs off. It is not a back-off: a
  // refused connection is retried after the back-off above. At 100 ms a TLS
  // handshake on a loaded machine timed out, and the first calls failed
  // UNAVAILABLE although the service was up. An attempt gets as long as a
  // call would wait.
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS,
              static_cast<int>(std::max<int64_t>(1000, absl::ToInt64Milliseconds(timeout))));
  // Round-robin over every address the name resolves to (a headless Service
  // in Kubernetes), so that one connection does not pin all calls to one pod.
  args.SetLoadBalancingPolicyName("round_robin");
  channel_ = grpc::CreateCustomChannel(target, std::move(credentials), args);
}

void Downstream::Prepare(grpc::ClientContext& ctx, const auth::Principal& principal,
                         absl::Time deadline) const {
  ctx.set_deadline(absl::ToChronoTime(std::min(deadline, absl::Now() + timeout_)));
  if (!principal.bearer.empty())
    ctx.AddMetadata("authorization", absl::StrCat("Bearer ", principal.bearer));
  // The call's trace goes on, this call's span as the parent.
  if (const log::Trace& t = log::CurrentTrace(); !t.empty())
    ctx.AddMetadata("traceparent", t.Traceparent());
}

absl::Status Downstream::FromDownstream(const grpc::Status& s) const {
  const auto code = static_cast<absl::StatusCode>(s.error_code());
  if (code == absl::StatusCode::kUnavailable || code == absl::StatusCode::kDeadlineExceeded ||
      code == absl::StatusCode::kCancelled) {
    return WithReason(
        absl::UnavailableError(absl::StrCat("the ", name_, " service is unavailable (",
                                            s.error_message(), "); retry later")),
        "DOWNSTREAM_UNAVAILABLE");
  }
  ErrorDetails d = DetailsOf(s);
  absl::Status out(code, absl::StrCat(name_, ": ", s.error_message()));
  if (!d.reason.empty()) out = WithReason(out, d.reason);
  if (!d.field.empty()) out = WithField(out, d.field);  // the callee's name: callers rename it
  return out;
}

}  // namespace touyan
