// Bearer tokens from an identity provider: compact JWS signed with ES256,
// RS256 or EdDSA, verified against the public keys of a JWK Set read from a
// file and re-read when the file changes (a key rolls over without a
// restart). No service holds a private key: signing lives in issuer.h, which
// only touyanctl (the development issuer) and the tests link.
//
//   header {"alg":"ES256","kid":"<key id>","typ":"JWT"}
//   claims {"iss":..., "aud":[...], "sub":"op-1", "role":"county_operator",
//           "scope":"150929000000", "iat":..., "exp":...}
//
// The claims that carry subject, role and scope are configurable (a dotted
// path such as "realm_access.roles" reaches into objects; an array claim
// yields its first Touyan role), so an OIDC provider's tokens plug in.
#ifndef TOUYAN_COMMON_AUTH_JWT_H_
#define TOUYAN_COMMON_AUTH_JWT_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/auth/principal.h"

namespace touyan::auth {

struct TokenConfig {
  std::string jwks_file;  // the JWK Set of the issuer's public keys
  std::vector<std::string> algorithms = {"ES256", "RS256", "EdDSA"};
  std::string issuer = "touyan";
  std::vector<std::string> audiences;  // a token's aud must name one of them
  absl::Duration leeway = absl::Seconds(30);
  absl::Duration max_lifetime = absl::Hours(12);  // exp - iat at most this
  std::string subject_claim = "sub";
  std::string role_claim = "role";
  std::string scope_claim = "scope";
  // How often the JWK Set file is checked for a change (at most).
  absl::Duration reload_interval = absl::Seconds(1);
};

// Returns INVALID_ARGUMENT naming what is missing or unknown.
absl::Status ValidateTokenConfig(const TokenConfig& config);

// One public key of a JWK Set.
struct PublicKey;

// A parsed JWK Set: its public keys by `kid`. Private parts ("d", …) in the
// set are refused: the file is meant to be public.
class KeySet {
 public:
  static absl::StatusOr<KeySet> Parse(absl::string_view json);
  const PublicKey* Find(absl::string_view kid) const;
  size_t size() const { return keys_.size(); }

 private:
  absl::flat_hash_map<std::string, std::shared_ptr<const PublicKey>> keys_;
};

// Verifies `token` (without "Bearer ") against `keys`. Returns
// UNAUTHENTICATED with a reason (UNKNOWN_KEY, ALGORITHM_NOT_ALLOWED,
// BAD_SIGNATURE, EXPIRED, NOT_YET_VALID, ISSUED_IN_FUTURE,
// LIFETIME_TOO_LONG, WRONG_ISSUER, WRONG_AUDIENCE, MALFORMED_TOKEN, …) and a
// one-line message on any failure.
absl::StatusOr<Principal> VerifyToken(const TokenConfig& config, const KeySet& keys,
                                      absl::string_view token, absl::Time now);

// VerifyToken against the configured JWK Set file, re-read when it changes,
// with a cache of tokens already verified (until they expire, or until the
// key set changes): callers send the same token on every call.
class TokenVerifier {
 public:
  explicit TokenVerifier(TokenConfig config);
  // Reads the key set now: an unreadable or invalid file at start is an error.
  absl::Status Load();
  absl::StatusOr<Principal> Verify(absl::string_view token, absl::Time now);

 private:
  struct FileStamp {
    int64_t mtime_ns = -1, size = -1, inode = -1;
    bool operator==(const FileStamp&) const = default;
  };
  // Re-reads the file when its stamp changed; a bad new file keeps the old keys.
  void MaybeReload() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  static constexpr size_t kMaxCached = 10000;
  const TokenConfig config_;
  absl::Mutex mu_;
  std::shared_ptr<const KeySet> keys_ ABSL_GUARDED_BY(mu_);
  FileStamp stamp_ ABSL_GUARDED_BY(mu_);
  absl::Time next_check_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  absl::flat_hash_map<std::string, Principal> verified_ ABSL_GUARDED_BY(mu_);
};

// HMAC-SHA256 and SHA-256, for page tokens and digests.
std::string HmacSha256(absl::string_view key, absl::string_view data);
std::string Sha256(absl::string_view data);

// base64url without padding (JWS's encoding).
std::string Base64Url(absl::string_view bytes);

}  // namespace touyan::auth

#endif  // TOUYAN_COMMON_AUTH_JWT_H_
