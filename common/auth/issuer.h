// Signing bearer tokens: the development issuer (touyanctl token, the
// scenarios) and the tests. Services never link this: they hold no private
// key, only the JWK Set that jwt.h verifies against.
#ifndef TOUYAN_COMMON_AUTH_ISSUER_H_
#define TOUYAN_COMMON_AUTH_ISSUER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/auth/principal.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace touyan::auth {

// The audiences of the four services (touyan-personnel, …): a token the
// development issuer mints is good for all of them, since a service passes
// its caller's token on to the services it calls.
std::vector<std::string> ServiceAudiences();

struct IssueOptions {
  std::string issuer = "touyan";
  std::vector<std::string> audiences = ServiceAudiences();
};

class TokenSigner {
 public:
  // A new key: "ES256" (P-256), "RS256" (RSA 2048) or "EdDSA" (Ed25519).
  static absl::StatusOr<TokenSigner> Generate(absl::string_view alg = "ES256");
  // A PEM private key of one of those kinds.
  static absl::StatusOr<TokenSigner> FromPem(absl::string_view pem);
  static absl::StatusOr<TokenSigner> FromPemFile(const std::string& path);

  const std::string& alg() const { return alg_; }
  // The RFC 7638 thumbprint of the public key: the same key, the same kid.
  const std::string& kid() const { return kid_; }
  std::string PrivatePem() const;
  // The public key as a JWK (a JSON object with kid, alg and use).
  std::string PublicJwk() const;

  // A token for `principal`, issued at `now`, valid for `ttl`.
  std::string Issue(const Principal& principal, absl::Time now, absl::Duration ttl,
                    const IssueOptions& options = {}) const;
  // Signs any claims (a JSON object) with a header of this key's alg and kid,
  // or with `header_json` as given (tests that forge headers).
  std::string Sign(absl::string_view claims_json, absl::string_view header_json = "") const;

 private:
  TokenSigner() = default;
  static absl::StatusOr<TokenSigner> FromKey(EVP_PKEY* key);
  std::shared_ptr<EVP_PKEY> key_;
  std::string alg_, kid_, thumbprint_json_;
};

// A JWK Set of the signers' public keys: {"keys":[...]}.
std::string JwkSetOf(const std::vector<const TokenSigner*>& signers);

}  // namespace touyan::auth

#endif  // TOUYAN_COMMON_AUTH_ISSUER_H_
