#include "common/crypto/digest.h"

#include <openssl/sha.h>

#include "absl/strings/escaping.h"

namespace touyan::crypto {

std::string Sha256Hex(absl::string_view text) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), md);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(md), SHA256_DIGEST_LENGTH));
}

}  // namespace touyan::crypto
