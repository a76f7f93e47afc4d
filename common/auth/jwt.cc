#include "common/auth/jwt.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status/status.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace touyan::auth {
namespace {

absl::Status Unauthenticated(absl::string_view reason, absl::string_view msg) {
  return WithReason(absl::UnauthenticatedError(msg), reason);
}

std::string B64(absl::string_view s) { return absl::WebSafeBase64Escape(s); }

bool AudienceMatches(const google::protobuf::Value& aud, const std::string& want) {
  if (aud.has_string_value()) return aud.string_value() == want;
  if (aud.has_list_value()) {
    for (const auto& v : aud.list_value().values()) {
      if (v.has_string_value() && v.string_value() == want) return true;
    }
  }
  return false;
}

const google::protobuf::Value* Claim(const google::protobuf::Struct& s, const char* name) {
  auto it = s.fields().find(name);
  return it == s.fields().end() ? nullptr : &it->second;
}

}  // namespace

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

absl::Status ValidateTokenConfig(const TokenConfig& config) {
  if (config.signing_key.size() < 32) {
    return absl::InvalidArgumentError(
        "the token signing key must be at least 32 bytes (generate one with "
        "`openssl rand -hex 32`)");
  }
  if (config.issuer.empty() || config.audience.empty()) {
    return absl::InvalidArgumentError("token issuer and audience must not be empty");
  }
  return absl::OkStatus();
}

std::string IssueToken(const TokenConfig& config, const Principal& p, absl::Time now,
                       absl::Duration ttl) {
  google::protobuf::Struct claims;
  auto& f = *claims.mutable_fields();
  f["iss"].set_string_value(config.issuer);
  f["aud"].set_string_value(config.audience);
  f["sub"].set_string_value(p.subject);
  f["role"].set_string_value(std::string(RoleName(p.role)));
  f["scope"].set_string_value(p.scope);
  f["iat"].set_number_value(static_cast<double>(absl::ToUnixSeconds(now)));
  f["exp"].set_number_value(static_cast<double>(absl::ToUnixSeconds(now + ttl)));
  std::string payload;
  (void)google::protobuf::util::MessageToJsonString(claims, &payload);
  std::string signing_input = B64(R"({"alg":"HS256","typ":"JWT"})") + "." + B64(payload);
  return signing_input + "." + B64(HmacSha256(config.signing_key, signing_input));
}

absl::StatusOr<Principal> VerifyToken(const TokenConfig& config, absl::string_view token,
                                      absl::Time now) {
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3) return Unauthenticated("MALFORMED_TOKEN", "token is not a compact JWS");
  std::string header_json, payload_json, signature;
  if (!absl::WebSafeBase64Unescape(parts[0], &header_json) ||
      !absl::WebSafeBase64Unescape(parts[1], &payload_json) ||
      !absl::WebSafeBase64Unescape(parts[2], &signature)) {
    return Unauthenticated("MALFORMED_TOKEN", "token is not base64url");
  }
  google::protobuf::Struct header, claims;
  if (!google::protobuf::util::JsonStringToMessage(header_json, &header).ok() ||
      !google::protobuf::util::JsonStringToMessage(payload_json, &claims).ok()) {
    return Unauthenticated("MALFORMED_TOKEN", "token header or claims are not JSON objects");
  }
  // Only HS256: never trust the header to choose the algorithm.
  const auto* alg = Claim(header, "alg");
  if (alg == nullptr || alg->string_value() != "HS256") {
    return Unauthenticated("ALGORITHM_NOT_ALLOWED", "token algorithm must be HS256");
  }
  // Compared in its canonical encoding: a signature that differs only in
  // base64url's unused trailing bits is another token, and refused.
  const std::string expected = B64(HmacSha256(config.signing_key, absl::StrCat(parts[0], ".", parts[1])));
  if (parts[2].size() != expected.size() ||
      CRYPTO_memcmp(parts[2].data(), expected.data(), expected.size()) != 0) {
    return Unauthenticated("BAD_SIGNATURE", "token signature does not verify");
  }
  const auto* iss = Claim(claims, "iss");
  if (iss == nullptr || iss->string_value() != config.issuer) {
    return Unauthenticated("WRONG_ISSUER", "token issuer is not accepted");
  }
  const auto* aud = Claim(claims, "aud");
  if (aud == nullptr || !AudienceMatches(*aud, config.audience)) {
    return Unauthenticated("WRONG_AUDIENCE", "token audience is not this service");
  }
  const auto* exp = Claim(claims, "exp");
  if (exp == nullptr || !exp->has_number_value()) {
    return Unauthenticated("MALFORMED_TOKEN", "token has no expiry");
  }
  if (absl::FromUnixSeconds(static_cast<int64_t>(exp->number_value())) + config.leeway < now) {
    return Unauthenticated("EXPIRED", "token has expired");
  }
  if (const auto* nbf = Claim(claims, "nbf");
      nbf != nullptr && absl::FromUnixSeconds(static_cast<int64_t>(nbf->number_value())) >
                            now + config.leeway) {
    return Unauthenticated("NOT_YET_VALID", "token is not valid yet");
  }
  const auto* sub = Claim(claims, "sub");
  const auto* role_claim = Claim(claims, "role");
  const auto* scope = Claim(claims, "scope");
  if (sub == nullptr || role_claim == nullptr || scope == nullptr) {
    return Unauthenticated("MALFORMED_TOKEN", "token lacks sub, role or scope");
  }
  auto role = ParseRole(role_claim->string_value());
  if (!role) return Unauthenticated("UNKNOWN_ROLE", "token role is not known");
  auto p = Principal::Make(sub->string_value(), *role, scope->string_value());
  if (!p.ok()) return Unauthenticated("BAD_SCOPE", p.status().message());
  p->expires = absl::FromUnixSeconds(static_cast<int64_t>(exp->number_value())) + config.leeway;
  return p;
}

absl::StatusOr<Principal> TokenVerifier::Verify(absl::string_view token, absl::Time now) {
  {
    absl::MutexLock l(&mu_);
    auto it = verified_.find(token);
    if (it != verified_.end()) {
      if (now <= it->second.expires) return it->second;
      verified_.erase(it);
    }
  }
  absl::StatusOr<Principal> p = VerifyToken(config_, token, now);
  if (p.ok()) {
    absl::MutexLock l(&mu_);
    if (verified_.size() >= kMaxCached) verified_.clear();  // simple bound; refills from use
    verified_.emplace(std::string(token), *p);
  }
  return p;
}

}  // namespace touyan::auth
