#include "common/log/trace.h"

#include <algorithm>

#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace touyan::log {
namespace {

thread_local Trace current;

bool LowerHex(absl::string_view s, size_t n) {
  return s.size() == n && std::all_of(s.begin(), s.end(), [](char c) {
           return absl::ascii_isdigit(c) || (c >= 'a' && c <= 'f');
         });
}

bool AllZero(absl::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == '0'; });
}

std::string RandomHex(int bytes) {
  thread_local absl::BitGen gen;
  std::string out;
  do {
    out.clear();
    for (int i = 0; i < bytes; ++i) {
      absl::StrAppendFormat(&out, "%02x", absl::Uniform<unsigned>(gen, 0, 256));
    }
  } while (AllZero(out));
  return out;
}

}  // namespace

std::string Trace::Traceparent() const {
  return absl::StrCat("00-", trace_id, "-", span_id, "-", flags);
}

Trace ContinueTrace(absl::string_view tp) {
  Trace t;
  t.span_id = RandomHex(8);
  // version-traceid-parentid-flags; a version other than 00 may append
  // fields, which are ignored.
  const bool valid = tp.size() >= 55 && LowerHex(tp.substr(0, 2), 2) && tp.substr(0, 2) != "ff" &&
                     tp[2] == '-' && LowerHex(tp.substr(3, 32), 32) && tp[35] == '-' &&
                     LowerHex(tp.substr(36, 16), 16) && tp[52] == '-' &&
                     LowerHex(tp.substr(53, 2), 2) && !AllZero(tp.substr(3, 32)) &&
                     !AllZero(tp.substr(36, 16)) &&
                     (tp.size() == 55 ? true : tp.substr(0, 2) != "00" && tp[55] == '-');
  if (valid) {
    t.trace_id = std::string(tp.substr(3, 32));
    t.flags = std::string(tp.substr(53, 2));
  } else {
    t.trace_id = RandomHex(16);
  }
  return t;
}

const Trace& CurrentTrace() { return current; }

TraceScope::TraceScope(const Trace& trace) : saved_(current) { current = trace; }
TraceScope::~TraceScope() { current = saved_; }

}  // namespace touyan::log
