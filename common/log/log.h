// Structured logging: one JSON object per line on stderr, so that a log
// collector can index every field.
#ifndef TOUYAN_COMMON_LOG_LOG_H_
#define TOUYAN_COMMON_LOG_LOG_H_

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "absl/strings/string_view.h"

namespace touyan::log {

using Field = std::pair<absl::string_view, std::string>;

// Writes {"ts":..., "level":..., "msg":..., fields...} as one line, with
// the thread's current trace_id and span_id (trace.h) when it serves a call.
void Write(absl::string_view level, absl::string_view msg,
           std::initializer_list<Field> fields = {});
inline void Info(absl::string_view msg, std::initializer_list<Field> fields = {}) {
  Write("info", msg, fields);
}
inline void Warn(absl::string_view msg, std::initializer_list<Field> fields = {}) {
  Write("warn", msg, fields);
}
inline void Error(absl::string_view msg, std::initializer_list<Field> fields = {}) {
  Write("error", msg, fields);
}

// Silences info lines (tests and benchmarks).
void SetQuiet(bool quiet);

std::string JsonEscape(absl::string_view s);

}  // namespace touyan::log

#endif  // TOUYAN_COMMON_LOG_LOG_H_
