#include "common/log/log.h"

#include <atomic>
#include <cstdio>

#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/log/trace.h"

namespace touyan::log {
namespace {
std::atomic<bool> quiet{false};
}

void SetQuiet(bool q) { quiet = q; }

std::string JsonEscape(absl::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += absl::StrFormat("\\u%04x", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

void Write(absl::string_view level, absl::string_view msg, std::initializer_list<Field> fields) {
  if (quiet && level == "info") return;
  std::string line =
      absl::StrFormat(R"({"ts":"%s","level":"%s","msg":"%s")",
                      absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()),
                      level, JsonEscape(msg));
  for (const auto& [k, v] : fields) {
    absl::StrAppendFormat(&line, R"(,"%s":"%s")", k, JsonEscape(v));
  }
  if (const Trace& t = CurrentTrace(); !t.empty()) {
    absl::StrAppendFormat(&line, R"(,"trace_id":"%s","span_id":"%s")", t.trace_id, t.span_id);
  }
  line += "}\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace touyan::log
