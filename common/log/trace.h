// W3C trace context (https://www.w3.org/TR/trace-context/): the trace a call
// belongs to, so one request can be followed across the four services.
//
// A call's `traceparent` metadata ("00-<32 hex trace id>-<16 hex parent
// span>-<2 hex flags>") is continued: the call keeps the trace id and gets a
// span id of its own, whose parent is the caller's. Without one (or with a
// malformed one, which the standard says to ignore), the call starts a new
// trace. While a call runs on a thread, its trace is that thread's current
// trace (TraceScope): every log line written there carries trace_id and
// span_id, every audit and access row its trace_id, and every downstream call
// a `traceparent` naming this call's span as its parent.
#ifndef TOUYAN_COMMON_LOG_TRACE_H_
#define TOUYAN_COMMON_LOG_TRACE_H_

#include <string>

#include "absl/strings/string_view.h"

namespace touyan::log {

struct Trace {
  std::string trace_id;  // 32 lowercase hex digits
  std::string span_id;   // 16 lowercase hex digits: this call's span
  std::string flags = "01";

  bool empty() const { return trace_id.empty(); }
  // "00-<trace_id>-<span_id>-<flags>": what a downstream call is sent.
  std::string Traceparent() const;
};

// The trace of a call that came with `traceparent` (may be empty or
// malformed: then a new trace).
Trace ContinueTrace(absl::string_view traceparent);

// The calling thread's current trace; empty outside a call.
const Trace& CurrentTrace();

// Makes `trace` the thread's current trace until destroyed (then the one
// before it again).
class TraceScope {
 public:
  explicit TraceScope(const Trace& trace);
  ~TraceScope();
  TraceScope(const TraceScope&) = delete;
  TraceScope& operator=(const TraceScope&) = delete;

 private:
  Trace saved_;
};

}  // namespace touyan::log

#endif  // TOUYAN_COMMON_LOG_TRACE_H_
