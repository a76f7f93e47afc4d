#include "common/auth/jwt.h"

#include <nlohmann/json.hpp>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/auth/issuer.h"
#include "common/status/status.h"
#include "gtest/gtest.h"
#include "tests/support/temp_file.h"

namespace touyan::auth {
namespace {

using Json = nlohmann::json;

const absl::Time kNow = absl::FromUnixSeconds(1700000000);

const TokenSigner& Es() {
  static const TokenSigner s = *TokenSigner::Generate("ES256");
  return s;
}
const TokenSigner& Rsa() {
  static const TokenSigner s = *TokenSigner::Generate("RS256");
  return s;
}
const TokenSigner& Ed() {
  static const TokenSigner s = *TokenSigner::Generate("EdDSA");
  return s;
}

TokenConfig Config() {
  TokenConfig c;
  c.jwks_file = "unused";
  c.audiences = {"touyan-personnel"};
  return c;
}

KeySet Keys(std::vector<const TokenSigner*> signers = {&Es(), &Rsa(), &Ed()}) {
  return *KeySet::Parse(JwkSetOf(signers));
}

Principal County() { return *Principal::Make("op-1", Role::kCountyOperator, "150929000000"); }

std::string Token(const TokenSigner& s = Es(), absl::Time iat = kNow,
                  absl::Duration ttl = absl::Hours(1)) {
  return s.Issue(County(), iat, ttl);
}

std::string ReasonFor(const std::string& token, absl::Time at = kNow,
                      const TokenConfig& c = Config(), const KeySet& keys = Keys()) {
  absl::StatusOr<Principal> p = VerifyToken(c, keys, token, at);
  EXPECT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), absl::StatusCode::kUnauthenticated);
  return ReasonOf(p.status());
}

Json Claims(absl::Time iat = kNow, absl::Duration ttl = absl::Hours(1)) {
  return Json{{"iss", "touyan"},
              {"aud", "touyan-personnel"},
              {"sub", "op-1"},
              {"role", "county_operator"},
              {"scope", "150929000000"},
              {"iat", absl::ToUnixSeconds(iat)},
              {"exp", absl::ToUnixSeconds(iat + ttl)}};
}

TEST(JwtTest, EveryAlgorithmRoundTripsThePrincipal) {
  for (const TokenSigner* s : {&Es(), &Rsa(), &Ed()}) {
    absl::StatusOr<Principal> p =
        VerifyToken(Config(), Keys(), Token(*s), kNow + absl::Minutes(59));
    ASSERT_TRUE(p.ok()) << s->alg() << ": " << p.status();
    EXPECT_EQ(p->subject, "op-1");
    EXPECT_EQ(p->role, Role::kCountyOperator);
    EXPECT_EQ(p->scope_prefix, "150929");
  }
}

TEST(JwtTest, KeysNotInTheSetAreRefused) {
  const TokenSigner stranger = *TokenSigner::Generate("ES256");
  EXPECT_EQ(ReasonFor(Token(stranger)), "UNKNOWN_KEY") << "its own kid";
  // The stranger claims a trusted key's kid: the signature gives it away.
  std::string header = Json{{"alg", "ES256"}, {"kid", Es().kid()}}.dump();
  EXPECT_EQ(ReasonFor(stranger.Sign(Claims().dump(), header)), "BAD_SIGNATURE");
  std::string no_kid = Json{{"alg", "ES256"}}.dump();
  EXPECT_EQ(ReasonFor(Es().Sign(Claims().dump(), no_kid)), "UNKNOWN_KEY");
}

TEST(JwtTest, DisallowedAlgorithmsAreRefused) {
  std::vector<std::string> parts = absl::StrSplit(Token(), '.');
  std::string none = Base64Url(Json{{"alg", "none"}, {"kid", Es().kid()}}.dump());
  EXPECT_EQ(ReasonFor(none + "." + parts[1] + "."), "ALGORITHM_NOT_ALLOWED");
  EXPECT_EQ(ReasonFor(none + "." + parts[1] + "." + parts[2]), "ALGORITHM_NOT_ALLOWED");
  // HS256 keyed with the public key, the classic confusion: never accepted.
  std::string hs = Base64Url(Json{{"alg", "HS256"}, {"kid", Es().kid()}}.dump());
  std::string input = hs + "." + parts[1];
  EXPECT_EQ(ReasonFor(input + "." + Base64Url(HmacSha256(Es().PublicJwk(), input))),
            "ALGORITHM_NOT_ALLOWED");
  // The header names RS256 for the ES256 key.
  std::string rs = Json{{"alg", "RS256"}, {"kid", Es().kid()}}.dump();
  EXPECT_EQ(ReasonFor(Rsa().Sign(Claims().dump(), rs)), "ALGORITHM_NOT_ALLOWED");
  // Only ES256 configured: an RS256 token of a known key is refused.
  TokenConfig es_only = Config();
  es_only.algorithms = {"ES256"};
  EXPECT_EQ(ReasonFor(Token(Rsa()), kNow, es_only), "ALGORITHM_NOT_ALLOWED");
}

TEST(JwtTest, TimesAreChecked) {
  EXPECT_EQ(ReasonFor(Token(), kNow + absl::Hours(2)), "EXPIRED");
  EXPECT_TRUE(
      VerifyToken(Config(), Keys(), Token(), kNow + absl::Hours(1) + absl::Seconds(20)).ok())
      << "within the leeway";
  EXPECT_EQ(ReasonFor(Token(Es(), kNow + absl::Minutes(5))), "ISSUED_IN_FUTURE");
  EXPECT_TRUE(VerifyToken(Config(), Keys(), Token(Es(), kNow + absl::Seconds(20)), kNow).ok());
  Json nbf = Claims();
  nbf["nbf"] = absl::ToUnixSeconds(kNow + absl::Minutes(10));
  EXPECT_EQ(ReasonFor(Es().Sign(nbf.dump())), "NOT_YET_VALID");
  EXPECT_EQ(ReasonFor(Token(Es(), kNow, absl::Hours(13))), "LIFETIME_TOO_LONG");
  TokenConfig short_lived = Config();
  short_lived.max_lifetime = absl::Minutes(30);
  EXPECT_EQ(ReasonFor(Token(), kNow, short_lived), "LIFETIME_TOO_LONG");
  Json no_iat = Claims();
  no_iat.erase("iat");
  EXPECT_EQ(ReasonFor(Es().Sign(no_iat.dump())), "MALFORMED_TOKEN");
}

TEST(JwtTest, IssuerAndAudienceAreChecked) {
  Json other_aud = Claims();
  other_aud["aud"] = Json::array({"touyan-training", "someone-else"});
  EXPECT_EQ(ReasonFor(Es().Sign(other_aud.dump())), "WRONG_AUDIENCE");
  TokenConfig training = Config();
  training.audiences = {"touyan-contest", "touyan-training"};
  EXPECT_TRUE(VerifyToken(training, Keys(), Es().Sign(other_aud.dump()), kNow).ok());
  Json other_iss = Claims();
  other_iss["iss"] = "https://idp.example/realms/other";
  EXPECT_EQ(ReasonFor(Es().Sign(other_iss.dump())), "WRONG_ISSUER");
}

TEST(JwtTest, TamperingAndNonCanonicalEncodingsAreRefused) {
  std::string token = Token();
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  std::string claims;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(parts[1], &claims));
  size_t at = claims.find("150929000000");
  ASSERT_NE(at, std::string::npos);
  claims.replace(at, 12, "150902000000");
  EXPECT_EQ(ReasonFor(parts[0] + "." + Base64Url(claims) + "." + parts[2]), "BAD_SIGNATURE");
  EXPECT_EQ(ReasonFor("not-a-token"), "MALFORMED_TOKEN");
  // Every other last character: those differing only in base64url's unused
  // trailing bits decode to the same bytes, and are refused all the same.
  for (char c : std::string("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")) {
    if (c == token.back()) continue;
    std::string forged = token;
    forged.back() = c;
    EXPECT_FALSE(VerifyToken(Config(), Keys(), forged, kNow).ok()) << forged;
  }
}

TEST(JwtTest, ClaimNamesAreConfigurableForAnIdentityProvider) {
  // A Keycloak-like token: roles in realm_access.roles, scope in an attribute.
  Json kc = {{"iss", "touyan"},
             {"aud", Json::array({"account", "touyan-personnel"})},
             {"preferred_username", "zhang.operator"},
             {"sub", "f3b1c2d4"},
             {"realm_access", {{"roles", Json::array({"offline_access", "county_operator"})}}},
             {"touyan_region", "150929000000"},
             {"iat", absl::ToUnixSeconds(kNow)},
             {"exp", absl::ToUnixSeconds(kNow + absl::Minutes(5))}};
  TokenConfig c = Config();
  c.subject_claim = "preferred_username";
  c.role_claim = "realm_access.roles";
  c.scope_claim = "touyan_region";
  absl::StatusOr<Principal> p = VerifyToken(c, Keys(), Es().Sign(kc.dump()), kNow);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->subject, "zhang.operator");
  EXPECT_EQ(p->role, Role::kCountyOperator);
  kc["realm_access"]["roles"] = Json::array({"offline_access"});
  EXPECT_EQ(ReasonFor(Es().Sign(kc.dump()), kNow, c), "UNKNOWN_ROLE");
}

TEST(JwtTest, KeySetsHoldOnlyUsablePublicKeys) {
  Json priv = Json::parse(Es().PublicJwk());
  priv["d"] = "AAAA";
  EXPECT_NE(KeySet::Parse(Json{{"keys", {priv}}}.dump()).status().message().find("private"),
            std::string::npos);
  Json pub = Json::parse(Es().PublicJwk());
  EXPECT_FALSE(KeySet::Parse(Json{{"keys", {pub, pub}}}.dump()).ok()) << "a kid twice";
  Json enc = pub;
  enc["use"] = "enc";
  EXPECT_FALSE(KeySet::Parse(Json{{"keys", {enc}}}.dump()).ok()) << "no signing key";
  EXPECT_EQ(KeySet::Parse(Json{{"keys", {enc, Json::parse(Rsa().PublicJwk())}}}.dump())->size(),
            1u);
  EXPECT_FALSE(KeySet::Parse("[]").ok());
  EXPECT_FALSE(
      KeySet::Parse(
          "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"k\",\"x\":\"AA\",\"y\":\"AA\"}]}")
          .ok());
}

TEST(JwtTest, KeysRollOverWhenTheFileChangesWithoutARestart) {
  touyan::testing::TempFile file("touyan-jwks");
  file.Write(JwkSetOf({&Es(), &Rsa()}));
  TokenConfig c = Config();
  c.jwks_file = file.path();
  c.reload_interval = absl::ZeroDuration();
  TokenVerifier v(c);
  ASSERT_TRUE(v.Load().ok());
  const absl::Time now = absl::Now();
  const std::string old_key = Token(Es(), now), new_key = Token(Rsa(), now);
  EXPECT_TRUE(v.Verify(old_key, now).ok());
  EXPECT_TRUE(v.Verify(new_key, now).ok()) << "both keys valid during the roll-over";
  file.Write(JwkSetOf({&Rsa()}));
  EXPECT_EQ(ReasonOf(v.Verify(old_key, now).status()), "UNKNOWN_KEY") << "the cache forgets it too";
  EXPECT_TRUE(v.Verify(new_key, now).ok());
  file.Write("{ not json");
  EXPECT_TRUE(v.Verify(new_key, now).ok()) << "a broken file keeps the keys it replaced";
  file.Write(JwkSetOf({&Es(), &Rsa()}));
  EXPECT_TRUE(v.Verify(old_key, now).ok()) << "and a good one replaces them again";
}

TEST(JwtTest, TheVerifierCachesOnlyUntilExpiry) {
  touyan::testing::TempFile file("touyan-jwks");
  file.Write(JwkSetOf({&Es()}));
  TokenConfig c = Config();
  c.jwks_file = file.path();
  TokenVerifier v(c);
  ASSERT_TRUE(v.Load().ok());
  std::string token = Token();
  ASSERT_TRUE(v.Verify(token, kNow).ok());
  EXPECT_TRUE(v.Verify(token, kNow + absl::Minutes(30)).ok()) << "served from the cache";
  EXPECT_EQ(ReasonOf(v.Verify(token, kNow + absl::Hours(2)).status()), "EXPIRED")
      << "a cached token still expires";
}

TEST(JwtTest, ConfigurationIsCheckedAtStart) {
  TokenConfig c = Config();
  EXPECT_TRUE(ValidateTokenConfig(c).ok());
  c.jwks_file.clear();
  EXPECT_EQ(ValidateTokenConfig(c).code(), absl::StatusCode::kInvalidArgument);
  c = Config();
  c.algorithms = {"HS256"};
  EXPECT_EQ(ValidateTokenConfig(c).code(), absl::StatusCode::kInvalidArgument);
  c = Config();
  c.audiences.clear();
  EXPECT_EQ(ValidateTokenConfig(c).code(), absl::StatusCode::kInvalidArgument);
  TokenVerifier missing(Config());
  EXPECT_FALSE(missing.Load().ok());
}

TEST(JwtTest, TheSignersKidIsTheKeysThumbprint) {
  absl::StatusOr<TokenSigner> again = TokenSigner::FromPem(Es().PrivatePem());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->kid(), Es().kid());
  EXPECT_NE(Es().kid(), Rsa().kid());
}

}  // namespace
}  // namespace touyan::auth
