#include "common/auth/issuer.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "common/auth/jwt.h"
#include "common/config/config.h"
#include "common/status/status.h"

namespace touyan::auth {
namespace {

using Json = nlohmann::json;

std::string Bn(EVP_PKEY* key, const char* name, int pad = 0) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) return "";
  std::string out(pad > 0 ? pad : BN_num_bytes(bn), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size()));
  BN_free(bn);
  return out;
}

}  // namespace

std::vector<std::string> ServiceAudiences() {
  return {"touyan-personnel", "touyan-training", "touyan-contest", "touyan-incentive"};
}

absl::StatusOr<TokenSigner> TokenSigner::FromKey(EVP_PKEY* key) {
  if (key == nullptr) return absl::InvalidArgumentError("not a private key");
  TokenSigner s;
  s.key_ = std::shared_ptr<EVP_PKEY>(key, &EVP_PKEY_free);
  Json thumb;  // RFC 7638: the required members, in lexicographic order
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_EC: {
      char group[64] = {};
      size_t len = 0;
      EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len);
      if (std::string(group) != "prime256v1" && std::string(group) != "P-256") {
        return absl::InvalidArgumentError("an EC key must be on curve P-256 (ES256)");
      }
      s.alg_ = "ES256";
      s.thumbprint_json_ = absl::StrCat(
          R"({"crv":"P-256","kty":"EC","x":")", Base64Url(Bn(key, OSSL_PKEY_PARAM_EC_PUB_X, 32)),
          R"(","y":")", Base64Url(Bn(key, OSSL_PKEY_PARAM_EC_PUB_Y, 32)), R"("})");
      break;
    }
    case EVP_PKEY_RSA:
      if (EVP_PKEY_get_bits(key) < 2048)
        return absl::InvalidArgumentError("an RSA key must have 2048 bits or more");
      s.alg_ = "RS256";
      s.thumbprint_json_ = absl::StrCat(R"({"e":")", Base64Url(Bn(key, OSSL_PKEY_PARAM_RSA_E)),
                                        R"(","kty":"RSA","n":")",
                                        Base64Url(Bn(key, OSSL_PKEY_PARAM_RSA_N)), R"("})");
      break;
    case EVP_PKEY_ED25519: {
      unsigned char raw[32];
      size_t len = sizeof raw;
      EVP_PKEY_get_raw_public_key(key, raw, &len);
      s.alg_ = "EdDSA";
      s.thumbprint_json_ =
          absl::StrCat(R"({"crv":"Ed25519","kty":"OKP","x":")",
                       Base64Url(absl::string_view(reinterpret_cast<char*>(raw), len)), R"("})");
      break;
    }
    default:
      return absl::InvalidArgumentError("the key must be EC P-256, RSA or Ed25519");
  }
  s.kid_ = Base64Url(Sha256(s.thumbprint_json_));
  return s;
}

absl::StatusOr<TokenSigner> TokenSigner::Generate(absl::string_view alg) {
  if (alg == "ES256") return FromKey(EVP_EC_gen("P-256"));
  if (alg == "RS256") return FromKey(EVP_RSA_gen(2048));
  if (alg == "EdDSA") return FromKey(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  return absl::InvalidArgumentError(absl::StrCat("no key generation for ", alg));
}

absl::StatusOr<TokenSigner> TokenSigner::FromPem(absl::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (key == nullptr) return absl::InvalidArgumentError("not a PEM private key");
  return FromKey(key);
}

absl::StatusOr<TokenSigner> TokenSigner::FromPemFile(const std::string& path) {
  return ParseFile<TokenSigner>(path, "the signing key file", FromPem);
}

std::string TokenSigner::PrivatePem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key_.get(), nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(len));
  BIO_free(bio);
  return out;
}

std::string TokenSigner::PublicJwk() const {
  Json jwk = Json::parse(thumbprint_json_);
  jwk["kid"] = kid_;
  jwk["alg"] = alg_;
  jwk["use"] = "sig";
  return jwk.dump();
}

std::string TokenSigner::Sign(absl::string_view claims_json, absl::string_view header_json) const {
  const std::string header = header_json.empty()
                                 ? Json{{"alg", alg_}, {"kid", kid_}, {"typ", "JWT"}}.dump()
                                 : std::string(header_json);
  const std::string input = absl::StrCat(Base64Url(header), ".", Base64Url(claims_json));
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t len = 0;
  std::string sig;
  const EVP_MD* md = alg_ == "EdDSA" ? nullptr : EVP_sha256();
  if (EVP_DigestSignInit(ctx, nullptr, md, nullptr, key_.get()) == 1 &&
      EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()),
                     input.size()) == 1) {
    sig.resize(len);
    EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                   reinterpret_cast<const unsigned char*>(input.data()), input.size());
    sig.resize(len);
  }
  EVP_MD_CTX_free(ctx);
  if (alg_ == "ES256") {  // DER → r || s, 32 bytes each, as JWS wants
    const unsigned char* p = reinterpret_cast<const unsigned char*>(sig.data());
    ECDSA_SIG* es = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
    std::string raw(64, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(es), reinterpret_cast<unsigned char*>(raw.data()), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(es), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
    ECDSA_SIG_free(es);
    sig = raw;
  }
  return absl::StrCat(input, ".", Base64Url(sig));
}

std::string TokenSigner::Issue(const Principal& p, absl::Time now, absl::Duration ttl,
                               const IssueOptions& o) const {
  Json claims = {{"iss", o.issuer},
                 {"aud", o.audiences},
                 {"sub", p.subject},
                 {"role", std::string(RoleName(p.role))},
                 {"scope", p.scope},
                 {"iat", absl::ToUnixSeconds(now)},
                 {"exp", absl::ToUnixSeconds(now + ttl)}};
  return Sign(claims.dump());
}

std::string JwkSetOf(const std::vector<const TokenSigner*>& signers) {
  Json keys = Json::array();
  for (const TokenSigner* s : signers) keys.push_back(Json::parse(s->PublicJwk()));
  return Json{{"keys", keys}}.dump(2) + "\n";
}

}  // namespace touyan::auth
