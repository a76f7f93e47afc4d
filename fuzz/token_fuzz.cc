// Any byte string as a bearer token: verification never crashes and never
// accepts what was not signed with a key of the set.
#include <cstdint>
#include <string>

#include "common/auth/issuer.h"
#include "common/auth/jwt.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const touyan::auth::KeySet keys = [] {
    auto signer = touyan::auth::TokenSigner::Generate("ES256");
    return *touyan::auth::KeySet::Parse(touyan::auth::JwkSetOf({&*signer}));
  }();
  touyan::auth::TokenConfig c;
  c.jwks_file = "unused";
  c.audiences = {"touyan-personnel"};
  std::string token(reinterpret_cast<const char*>(data), size);
  auto p = touyan::auth::VerifyToken(c, keys, token, absl::FromUnixSeconds(1700000000));
  if (p.ok()) __builtin_trap();  // the fuzzer cannot forge an ECDSA signature
  return 0;
}
