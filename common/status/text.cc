#include "common/status/text.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace touyan {

// Counts code points; returns -1 for invalid UTF-8 or a control character.
int Utf8Chars(absl::string_view s) {
  int n = 0;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return -1;
    uint32_t cp = len == 1 ? c : c & (0x7f >> len);
    for (int k = 1; k < len; ++k) {
      unsigned char cc = s[i + k];
      if ((cc >> 6) != 2) return -1;
      cp = (cp << 6) | (cc & 0x3f);
    }
    bool overlong =
        (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    if (overlong || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return -1;
    if (cp < 0x20 || cp == 0x7f) return -1;
    i += len;
    ++n;
  }
  return n;
}

absl::Status ValidateText(absl::string_view field, absl::string_view value, size_t max_chars,
                          bool required) {
  if (value.empty()) {
    return required ? InvalidField(field, "is required", "REQUIRED") : absl::OkStatus();
  }
  int n = Utf8Chars(value);
  if (n < 0) return InvalidField(field, "must be UTF-8 text without control characters");
  if (static_cast<size_t>(n) > max_chars) {
    return InvalidField(field, absl::StrCat("must be at most ", max_chars, " characters"));
  }
  if (absl::StripAsciiWhitespace(value).empty()) return InvalidField(field, "must not be blank");
  return absl::OkStatus();
}

}  // namespace touyan
