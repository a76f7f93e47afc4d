// Digests that are not secrets: a published round's results digest, the
// hash under which a voting code is kept.
#ifndef TOUYAN_COMMON_CRYPTO_DIGEST_H_
#define TOUYAN_COMMON_CRYPTO_DIGEST_H_

#include <string>

#include "absl/strings/string_view.h"

namespace touyan::crypto {

// SHA-256 of `text` as 64 lower-case hexadecimal digits.
std::string Sha256Hex(absl::string_view text);

}  // namespace touyan::crypto

#endif  // TOUYAN_COMMON_CRYPTO_DIGEST_H_
