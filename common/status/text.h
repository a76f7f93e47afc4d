// Checks on free text from requests, shared by every service.
#ifndef TOUYAN_COMMON_STATUS_TEXT_H_
#define TOUYAN_COMMON_STATUS_TEXT_H_

#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace touyan {

// Counts code points; returns -1 for invalid UTF-8 or a control character.
int Utf8Chars(absl::string_view s);

// Text: 1 to `max_chars` characters of valid UTF-8, no control characters,
// not blank; empty is allowed unless `required`. INVALID_ARGUMENT names `field`.
absl::Status ValidateText(absl::string_view field, absl::string_view value, size_t max_chars,
                          bool required = true);

}  // namespace touyan

#endif  // TOUYAN_COMMON_STATUS_TEXT_H_
