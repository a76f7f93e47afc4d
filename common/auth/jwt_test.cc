#include "common/auth/jwt.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_split.h"
#include "common/status/status.h"
#include "gtest/gtest.h"

namespace touyan::auth {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1700000000);

TokenConfig Config() {
  TokenConfig c;
  c.signing_key = std::string(32, 'k');
  return c;
}

Principal County() { return *Principal::Make("op-1", Role::kCountyOperator, "150929000000"); }

TEST(JwtTest, RoundTripsThePrincipal) {
  std::string token = IssueToken(Config(), County(), kNow, absl::Hours(1));
  absl::StatusOr<Principal> p = VerifyToken(Config(), token, kNow + absl::Minutes(59));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->subject, "op-1");
  EXPECT_EQ(p->role, Role::kCountyOperator);
  EXPECT_EQ(p->scope_prefix, "150929");
}

std::string ReasonFor(const TokenConfig& c, const std::string& token, absl::Time at = kNow) {
  absl::StatusOr<Principal> p = VerifyToken(c, token, at);
  EXPECT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), absl::StatusCode::kUnauthenticated);
  return ReasonOf(p.status());
}

TEST(JwtTest, RefusesExpiredTokens) {
  std::string token = IssueToken(Config(), County(), kNow, absl::Hours(1));
  EXPECT_EQ(ReasonFor(Config(), token, kNow + absl::Hours(2)), "EXPIRED");
}

TEST(JwtTest, RefusesAnotherKey) {
  TokenConfig other = Config();
  other.signing_key = std::string(32, 'x');
  std::string token = IssueToken(other, County(), kNow, absl::Hours(1));
  EXPECT_EQ(ReasonFor(Config(), token), "BAD_SIGNATURE");
}

TEST(JwtTest, RefusesWrongAudienceAndIssuer) {
  // Same key, claims for another audience or issuer: signed correctly, so
  // only the claim checks catch them.
  TokenConfig aud = Config();
  aud.audience = "someone-else";
  EXPECT_EQ(ReasonFor(Config(), IssueToken(aud, County(), kNow, absl::Hours(1))), "WRONG_AUDIENCE");
  TokenConfig verify_aud = Config();
  verify_aud.audience = "someone-else";
  EXPECT_EQ(ReasonFor(verify_aud, IssueToken(Config(), County(), kNow, absl::Hours(1))),
            "WRONG_AUDIENCE");
  TokenConfig verify_iss = Config();
  verify_iss.issuer = "other-issuer";
  EXPECT_EQ(ReasonFor(verify_iss, IssueToken(Config(), County(), kNow, absl::Hours(1))),
            "WRONG_ISSUER");
}

TEST(JwtTest, RefusesAlgNoneAndTamperedClaims) {
  std::string token = IssueToken(Config(), County(), kNow, absl::Hours(1));
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  std::string none = absl::WebSafeBase64Escape(R"({"alg":"none","typ":"JWT"})");
  EXPECT_EQ(ReasonFor(Config(), none + "." + parts[1] + "."), "ALGORITHM_NOT_ALLOWED");
  EXPECT_EQ(ReasonFor(Config(), none + "." + parts[1] + "." + parts[2]), "ALGORITHM_NOT_ALLOWED");
  std::string claims;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(parts[1], &claims));
  size_t at = claims.find("150929000000");
  ASSERT_NE(at, std::string::npos);
  claims.replace(at, 12, "150902000000");
  EXPECT_EQ(ReasonFor(Config(), parts[0] + "." + absl::WebSafeBase64Escape(claims) + "." + parts[2]),
            "BAD_SIGNATURE");
  EXPECT_EQ(ReasonFor(Config(), "not-a-token"), "MALFORMED_TOKEN");
}

TEST(JwtTest, TheVerifierCachesOnlyUntilExpiry) {
  TokenVerifier v(Config());
  std::string token = IssueToken(Config(), County(), kNow, absl::Hours(1));
  ASSERT_TRUE(v.Verify(token, kNow).ok());
  EXPECT_TRUE(v.Verify(token, kNow + absl::Minutes(30)).ok()) << "served from the cache";
  EXPECT_EQ(ReasonOf(v.Verify(token, kNow + absl::Hours(2)).status()), "EXPIRED")
      << "a cached token still expires";
  // Every other last character: those differing only in base64url's unused
  // trailing bits decode to the same bytes, and are refused all the same.
  for (char c : std::string("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")) {
    if (c == token.back()) continue;
    std::string forged = token;
    forged.back() = c;
    EXPECT_EQ(ReasonOf(v.Verify(forged, kNow).status()), "BAD_SIGNATURE") << forged;
  }
}

TEST(JwtTest, ShortKeysAreRefusedAtStart) {
  TokenConfig c = Config();
  c.signing_key = "short";
  EXPECT_EQ(ValidateTokenConfig(c).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(ValidateTokenConfig(Config()).ok());
}

}  // namespace
}  // namespace touyan::auth
