// Bearer tokens: compact JWS with HMAC-SHA256 (the only algorithm accepted),
// checked issuer, audience and expiry, carrying the principal's role and scope:
//   {"iss":..., "aud":..., "sub":"op-1", "role":"county_operator",
//    "scope":"150929000000", "iat":..., "exp":...}
#ifndef TOUYAN_COMMON_AUTH_JWT_H_
#define TOUYAN_COMMON_AUTH_JWT_H_

#include <string>
#include "absl/strings/string_view.h"
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/auth/principal.h"
#include "common/time/clock.h"

namespace touyan::auth {

struct TokenConfig {
  std::string signing_key;  // at least 32 bytes
  std::string issuer = "touyan";
  std::string audience = "touyan";
  absl::Duration leeway = absl::Seconds(30);
};

// Returns INVALID_ARGUMENT if the key is too short to be safe.
absl::Status ValidateTokenConfig(const TokenConfig& config);

// Signs a token for `principal` valid for `ttl` from `now`.
std::string IssueToken(const TokenConfig& config, const Principal& principal, absl::Time now,
                       absl::Duration ttl);

// Verifies `token` (without "Bearer "). Returns UNAUTHENTICATED with the
// reason (BAD_SIGNATURE, EXPIRED, WRONG_AUDIENCE, ...) on any failure.
absl::StatusOr<Principal> VerifyToken(const TokenConfig& config, absl::string_view token,
                                      absl::Time now);

// VerifyToken with a cache of tokens already verified, until they expire:
// callers send the same token on every call, and parsing it costs more than
// the rest of authentication. Keyed by the whole token, signature included.
class TokenVerifier {
 public:
  explicit TokenVerifier(TokenConfig config) : config_(std::move(config)) {}
  absl::StatusOr<Principal> Verify(absl::string_view token, absl::Time now);

 private:
  static constexpr size_t kMaxCached = 10000;
  const TokenConfig config_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Principal> verified_ ABSL_GUARDED_BY(mu_);
};

// HMAC-SHA256, shared with page tokens.
std::string HmacSha256(absl::string_view key, absl::string_view data);
std::string Sha256(absl::string_view data);

}  // namespace touyan::auth

#endif  // TOUYAN_COMMON_AUTH_JWT_H_
