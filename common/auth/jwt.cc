#include "common/auth/jwt.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>
#include <openssl/sha.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/config/config.h"
#include "common/log/log.h"
#include "common/status/status.h"

namespace touyan::auth {

using Json = nlohmann::json;

struct PublicKey {
  std::string kid;
  std::string alg;  // ES256, RS256 or EdDSA
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey{nullptr, &EVP_PKEY_free};
};

namespace {

absl::Status Unauthenticated(absl::string_view reason, absl::string_view msg) {
  return WithReason(absl::UnauthenticatedError(msg), reason);
}

bool Unb64(absl::string_view in, std::string* out) {
  // JWS uses base64url without padding; a padded or non-canonical encoding
  // is another string for the same bytes, and refused.
  return absl::WebSafeBase64Unescape(in, out) && Base64Url(*out) == in;
}

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

// EVP_PKEY from OSSL parameters ("EC" or "RSA").
PkeyPtr FromParams(const char* type, OSSL_PARAM* params) {
  EVP_PKEY* pkey = nullptr;
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
  if (ctx != nullptr && EVP_PKEY_fromdata_init(ctx) == 1) {
    if (EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1) pkey = nullptr;
  }
  EVP_PKEY_CTX_free(ctx);
  return PkeyPtr(pkey, &EVP_PKEY_free);
}

std::string Member(const Json& jwk, const char* name) {
  auto it = jwk.find(name);
  return it != jwk.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// One JWK as a public key, or an error naming what is wrong with it; nullopt
// for a key of a kind we do not verify with (encryption keys, other curves).
absl::StatusOr<std::shared_ptr<PublicKey>> ParseKey(const Json& jwk, size_t index) {
  const std::string where = absl::StrCat("keys[", index, "]");
  if (!jwk.is_object()) return absl::InvalidArgumentError(where + " is not an object");
  for (const char* priv : {"d", "p", "q", "dp", "dq", "qi", "k"}) {
    if (jwk.contains(priv)) {
      return absl::InvalidArgumentError(absl::StrCat(where, " holds private key material (\"", priv,
                                                     "\"): publish only public keys"));
    }
  }
  const std::string kty = Member(jwk, "kty"), use = Member(jwk, "use"), alg = Member(jwk, "alg");
  auto key = std::make_shared<PublicKey>();
  key->kid = Member(jwk, "kid");
  if (key->kid.empty()) return absl::InvalidArgumentError(where + " has no kid");
  if (!use.empty() && use != "sig") return std::shared_ptr<PublicKey>();  // an encryption key
  std::string x, y, n, e;
  if (kty == "EC" && Member(jwk, "crv") == "P-256" && (alg.empty() || alg == "ES256")) {
    key->alg = "ES256";
    if (!Unb64(Member(jwk, "x"), &x) || !Unb64(Member(jwk, "y"), &y) || x.size() != 32 ||
        y.size() != 32) {
      return absl::InvalidArgumentError(where + ": x and y must be 32-byte base64url values");
    }
    std::string point = "\x04" + x + y;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>("P-256"), 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
        OSSL_PARAM_construct_end()};
    key->pkey = FromParams("EC", params);
  } else if (kty == "RSA" && (alg.empty() || alg == "RS256")) {
    key->alg = "RS256";
    if (!Unb64(Member(jwk, "n"), &n) || !Unb64(Member(jwk, "e"), &e) || n.empty() || e.empty()) {
      return absl::InvalidArgumentError(where + ": n and e must be base64url values");
    }
    if (n.size() * 8 < 2048)
      return absl::InvalidArgumentError(where + ": RSA keys must have 2048 bits or more");
    BIGNUM* bn_n = BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()),
                             static_cast<int>(n.size()), nullptr);
    BIGNUM* bn_e = BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()),
                             static_cast<int>(e.size()), nullptr);
    OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM* params = nullptr;
    if (bld != nullptr && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) == 1 &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) == 1) {
      params = OSSL_PARAM_BLD_to_param(bld);
    }
    if (params != nullptr) key->pkey = FromParams("RSA", params);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(bn_n);
    BN_free(bn_e);
  } else if (kty == "OKP" && Member(jwk, "crv") == "Ed25519" && (alg.empty() || alg == "EdDSA")) {
    key->alg = "EdDSA";
    if (!Unb64(Member(jwk, "x"), &x) || x.size() != 32) {
      return absl::InvalidArgumentError(where + ": x must be a 32-byte base64url value");
    }
    key->pkey = PkeyPtr(
        EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                    reinterpret_cast<const unsigned char*>(x.data()), x.size()),
        &EVP_PKEY_free);
  } else {
    return std::shared_ptr<PublicKey>();  // not a kind we verify with
  }
  if (key->pkey == nullptr) return absl::InvalidArgumentError(where + " is not a valid public key");
  return key;
}

// The DER form OpenSSL verifies of a JWS ECDSA signature (r || s, 32 bytes each).
std::string EcdsaDer(absl::string_view raw) {
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), 32, nullptr);
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()) + 32, 32, nullptr);
  ECDSA_SIG_set0(sig, r, s);
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig, &der);
  std::string out = len > 0 ? std::string(reinterpret_cast<char*>(der), len) : std::string();
  OPENSSL_free(der);
  ECDSA_SIG_free(sig);
  return out;
}

bool SignatureVerifies(const PublicKey& key, absl::string_view signing_input,
                       absl::string_view sig) {
  std::string der;
  if (key.alg == "ES256") {
    if (sig.size() != 64) return false;
    der = EcdsaDer(sig);
    sig = der;
  }
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const EVP_MD* md = key.alg == "EdDSA" ? nullptr : EVP_sha256();
  bool ok = ctx != nullptr &&
            EVP_DigestVerifyInit(ctx, nullptr, md, nullptr, key.pkey.get()) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                             reinterpret_cast<const unsigned char*>(signing_input.data()),
                             signing_input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

// The claim at a dotted path ("realm_access.roles"), or nullptr.
const Json* ClaimAt(const Json& claims, const std::string& path) {
  const Json* at = &claims;
  for (absl::string_view part : absl::StrSplit(path, '.')) {
    if (!at->is_object()) return nullptr;
    auto it = at->find(std::string(part));
    if (it == at->end()) return nullptr;
    at = &*it;
  }
  return at;
}

std::optional<int64_t> NumericDate(const Json& claims, const char* name) {
  auto it = claims.find(name);
  if (it == claims.end() || !it->is_number()) return std::nullopt;
  return static_cast<int64_t>(it->get<double>());
}

bool AudienceMatches(const Json& aud, const std::vector<std::string>& accepted) {
  auto accepts = [&](const Json& v) {
    return v.is_string() && absl::c_linear_search(accepted, v.get<std::string>());
  };
  if (aud.is_string()) return accepts(aud);
  if (aud.is_array()) return absl::c_any_of(aud, accepts);
  return false;
}

// The role claim: a role name, or an array whose first Touyan role counts.
std::optional<Role> RoleOf(const Json& claim) {
  if (claim.is_string()) return ParseRole(claim.get<std::string>());
  if (claim.is_array()) {
    for (const Json& v : claim) {
      if (v.is_string()) {
        if (auto r = ParseRole(v.get<std::string>())) return r;
      }
    }
  }
  return std::nullopt;
}

}  // namespace

std::string Base64Url(absl::string_view bytes) { return absl::WebSafeBase64Escape(bytes); }

std::string HmacSha256(absl::string_view key, absl::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string Sha256(absl::string_view data) {
  unsigned char out[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out);
  return std::string(reinterpret_cast<char*>(out), sizeof out);
}

absl::Status ValidateTokenConfig(const TokenConfig& c) {
  if (c.jwks_file.empty()) {
    return absl::InvalidArgumentError(
        "--jwks-file is required: the identity provider's public keys (a JWK Set); "
        "for development, scripts/run.sh makes .local/jwks.json");
  }
  if (c.issuer.empty()) return absl::InvalidArgumentError("--token-issuer must not be empty");
  if (c.audiences.empty())
    return absl::InvalidArgumentError("--token-audience must name at least one audience");
  if (c.algorithms.empty())
    return absl::InvalidArgumentError("--token-algorithms must name at least one");
  for (const std::string& a : c.algorithms) {
    if (a != "ES256" && a != "RS256" && a != "EdDSA") {
      return absl::InvalidArgumentError(
          absl::StrCat("--token-algorithms: ", a, " is not supported (ES256, RS256, EdDSA)"));
    }
  }
  if (c.max_lifetime <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--token-max-lifetime must be positive");
  }
  if (c.subject_claim.empty() || c.role_claim.empty() || c.scope_claim.empty()) {
    return absl::InvalidArgumentError("the subject, role and scope claim names must not be empty");
  }
  return absl::OkStatus();
}

absl::StatusOr<KeySet> KeySet::Parse(absl::string_view text) {
  Json doc = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("keys") || !doc["keys"].is_array()) {
    return absl::InvalidArgumentError("the JWK Set must be a JSON object with a \"keys\" array");
  }
  KeySet set;
  size_t i = 0;
  for (const Json& jwk : doc["keys"]) {
    ASSIGN_OR_RETURN(std::shared_ptr<PublicKey> key, ParseKey(jwk, i));
    if (key != nullptr && !set.keys_.emplace(key->kid, key).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("keys[", i, "]: kid ", key->kid, " appears twice"));
    }
    ++i;
  }
  if (set.keys_.empty()) {
    return absl::InvalidArgumentError("the JWK Set has no ES256, RS256 or EdDSA signing key");
  }
  return set;
}

const PublicKey* KeySet::Find(absl::string_view kid) const {
  auto it = keys_.find(kid);
  return it == keys_.end() ? nullptr : it->second.get();
}

absl::StatusOr<Principal> VerifyToken(const TokenConfig& config, const KeySet& keys,
                                      absl::string_view token, absl::Time now) {
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3) return Unauthenticated("MALFORMED_TOKEN", "token is not a compact JWS");
  std::string header_json, payload_json, signature;
  if (!Unb64(parts[0], &header_json) || !Unb64(parts[1], &payload_json) ||
      !Unb64(parts[2], &signature)) {
    return Unauthenticated("MALFORMED_TOKEN", "token is not canonical base64url");
  }
  Json header = Json::parse(header_json, nullptr, false);
  Json claims = Json::parse(payload_json, nullptr, false);
  if (!header.is_object() || !claims.is_object()) {
    return Unauthenticated("MALFORMED_TOKEN", "token header or claims are not JSON objects");
  }
  // The algorithm is the key's, never the header's choice: the header must
  // name the key's algorithm, and that one must be allowed.
  const std::string alg = Member(header, "alg"), kid = Member(header, "kid");
  if (!absl::c_linear_search(config.algorithms, alg)) {
    return Unauthenticated(
        "ALGORITHM_NOT_ALLOWED",
        absl::StrCat("token algorithm must be one of ", absl::StrJoin(config.algorithms, ", ")));
  }
  if (kid.empty()) return Unauthenticated("UNKNOWN_KEY", "token header has no kid");
  const PublicKey* key = keys.Find(kid);
  if (key == nullptr) return Unauthenticated("UNKNOWN_KEY", "token key id is not in the JWK Set");
  if (key->alg != alg) {
    return Unauthenticated("ALGORITHM_NOT_ALLOWED", "token algorithm does not match its key");
  }
  if (!SignatureVerifies(*key, absl::StrCat(parts[0], ".", parts[1]), signature)) {
    return Unauthenticated("BAD_SIGNATURE", "token signature does not verify");
  }
  if (Member(claims, "iss") != config.issuer) {
    return Unauthenticated("WRONG_ISSUER", "token issuer is not accepted");
  }
  const Json* aud = ClaimAt(claims, "aud");
  if (aud == nullptr || !AudienceMatches(*aud, config.audiences)) {
    return Unauthenticated("WRONG_AUDIENCE", "token audience is not this service");
  }
  const std::optional<int64_t> exp = NumericDate(claims, "exp"), iat = NumericDate(claims, "iat"),
                               nbf = NumericDate(claims, "nbf");
  if (!exp || !iat) return Unauthenticated("MALFORMED_TOKEN", "token lacks exp or iat");
  if (absl::FromUnixSeconds(*exp) + config.leeway < now) {
    return Unauthenticated("EXPIRED", "token has expired");
  }
  if (nbf && absl::FromUnixSeconds(*nbf) > now + config.leeway) {
    return Unauthenticated("NOT_YET_VALID", "token is not valid yet (nbf)");
  }
  if (absl::FromUnixSeconds(*iat) > now + config.leeway) {
    return Unauthenticated("ISSUED_IN_FUTURE", "token was issued in the future (iat)");
  }
  if (absl::Seconds(*exp - *iat) > config.max_lifetime) {
    return Unauthenticated("LIFETIME_TOO_LONG",
                           absl::StrCat("token lifetime exceeds the maximum of ",
                                        absl::FormatDuration(config.max_lifetime)));
  }
  const Json* sub = ClaimAt(claims, config.subject_claim);
  const Json* role_claim = ClaimAt(claims, config.role_claim);
  const Json* scope = ClaimAt(claims, config.scope_claim);
  if (sub == nullptr || !sub->is_string() || role_claim == nullptr || scope == nullptr ||
      !scope->is_string()) {
    return Unauthenticated("MALFORMED_TOKEN",
                           absl::StrCat("token lacks the ", config.subject_claim, ", ",
                                        config.role_claim, " or ", config.scope_claim, " claim"));
  }
  std::optional<Role> role = RoleOf(*role_claim);
  if (!role) return Unauthenticated("UNKNOWN_ROLE", "token role is not a Touyan role");
  absl::StatusOr<Principal> p =
      Principal::Make(sub->get<std::string>(), *role, scope->get<std::string>());
  if (!p.ok()) return Unauthenticated("BAD_SCOPE", p.status().message());
  p->expires = absl::FromUnixSeconds(*exp) + config.leeway;
  return p;
}

// ------------------------------------------------------------ TokenVerifier

TokenVerifier::TokenVerifier(TokenConfig config) : config_(std::move(config)) {}

absl::Status TokenVerifier::Load() {
  absl::MutexLock l(&mu_);
  ASSIGN_OR_RETURN(std::string text, ReadFile(config_.jwks_file, "the JWK Set file"));
  absl::StatusOr<KeySet> keys = KeySet::Parse(text);
  if (!keys.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(config_.jwks_file, ": ", keys.status().message()));
  }
  keys_ = std::make_shared<const KeySet>(*std::move(keys));
  struct stat st {};
  if (::stat(config_.jwks_file.c_str(), &st) == 0) {
    stamp_ = {st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec, st.st_size,
              static_cast<int64_t>(st.st_ino)};
  }
  next_check_ = absl::Now() + config_.reload_interval;
  verified_.clear();
  return absl::OkStatus();
}

void TokenVerifier::MaybeReload() {
  const absl::Time now = absl::Now();
  if (now < next_check_) return;
  next_check_ = now + config_.reload_interval;
  struct stat st {};
  if (::stat(config_.jwks_file.c_str(), &st) != 0) return;  // mid-replacement: keep the keys
  FileStamp stamp{st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec, st.st_size,
                  static_cast<int64_t>(st.st_ino)};
  if (stamp == stamp_ && keys_ != nullptr) return;
  absl::StatusOr<std::string> text = ReadFile(config_.jwks_file, "the JWK Set file");
  absl::StatusOr<KeySet> keys =
      text.ok() ? KeySet::Parse(*text) : absl::StatusOr<KeySet>(text.status());
  if (!keys.ok()) {
    log::Warn("the JWK Set file changed but cannot be used; keeping the previous keys",
              {{"file", config_.jwks_file}, {"error", std::string(keys.status().message())}});
    stamp_ = stamp;  // not again until it changes once more
    return;
  }
  keys_ = std::make_shared<const KeySet>(*std::move(keys));
  stamp_ = stamp;
  verified_.clear();  // a removed key's tokens must not live on in the cache
  log::Info("JWK Set reloaded",
            {{"file", config_.jwks_file}, {"keys", std::to_string(keys_->size())}});
}

absl::StatusOr<Principal> TokenVerifier::Verify(absl::string_view token, absl::Time now) {
  std::shared_ptr<const KeySet> keys;
  {
    absl::MutexLock l(&mu_);
    MaybeReload();
    keys = keys_;
    auto it = verified_.find(token);
    if (it != verified_.end()) {
      if (now <= it->second.expires) return it->second;
      verified_.erase(it);
    }
  }
  if (keys == nullptr) return Unauthenticated("NO_KEYS", "no JWK Set is loaded");
  absl::StatusOr<Principal> p = VerifyToken(config_, *keys, token, now);
  if (p.ok()) {
    absl::MutexLock l(&mu_);
    if (keys_ == keys) {  // not verified against keys replaced meanwhile
      if (verified_.size() >= kMaxCached) verified_.clear();  // simple bound; refills from use
      verified_.emplace(std::string(token), *p);
    }
  }
  return p;
}

}  // namespace touyan::auth
