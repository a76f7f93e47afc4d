#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "absl/algorithm/container.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "common/auth/issuer.h"
#include "common/auth/jwt.h"
#include "common/config/config.h"
#include "common/grpc/grpc_status.h"
#include "common/status/status.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/util/json_util.h"
#include "tools/touyanctl/client.h"
#include "tools/touyanctl/commands.h"
#include "tools/touyanctl/generic.h"
#include "tools/touyanctl/records.h"
#include "tools/touyanctl/scenario/scenario.h"
#include "touyan/audit/v1/audit.grpc.pb.h"
#include "touyan/contest/v1/contest.pb.h"
#include "touyan/incentive/v1/incentive.pb.h"
#include "touyan/privacy/v1/privacy.pb.h"
#include "touyan/training/v1/training.pb.h"

namespace touyan::ctl {

// The development issuer's key from --token-signing-key-file ($TOKEN_SIGNING_KEY_FILE).
absl::StatusOr<auth::TokenSigner> SigningKey(const Settings& s) {
  auto f = s.Get("token-signing-key-file");
  if (!f) {
    return absl::InvalidArgumentError(
        "no signing key: pass --token-signing-key-file=.local/issuer.key (or set "
        "TOKEN_SIGNING_KEY_FILE); development only");
  }
  return auth::TokenSigner::FromPemFile(*f);
}

int Token(const Settings& s) {
  auto signer = SigningKey(s);
  if (!signer.ok()) return Usage(std::string(signer.status().message()));
  auto role = auth::ParseRole(s.String("role", ""));
  if (!role)
    return Usage(
        "--role must be one of city_org_dept county_operator township_operator auditor service");
  auto ttl = s.Duration("ttl", absl::Hours(12));
  if (!ttl.ok()) return Usage(std::string(ttl.status().message()));
  if (*ttl <= absl::ZeroDuration() || *ttl > absl::Hours(12)) {
    return Usage("--ttl must be more than 0 and at most 12h (the services' --token-max-lifetime)");
  }
  auth::IssueOptions o;
  o.issuer = s.String("token-issuer", o.issuer);
  if (auto aud = s.Get("token-audience")) {
    o.audiences.clear();
    for (absl::string_view a : absl::StrSplit(*aud, ',', absl::SkipEmpty()))
      o.audiences.emplace_back(a);
  }
  auto p = auth::Principal::Make(s.String("subject", std::string(auth::RoleName(*role))), *role,
                                 s.String("scope", ""));
  if (!p.ok()) return Usage(std::string(p.status().message()));
  std::cout << signer->Issue(*p, absl::Now(), *ttl, o) << "\n";
  return 0;
}

// touyanctl jwks KEYFILE…: the public JWK Set of development keys.
int Jwks(const std::vector<std::string>& files) {
  if (files.empty()) return Usage("jwks needs one or more private key files (PEM)");
  std::vector<auth::TokenSigner> signers;
  for (const std::string& f : files) {
    auto s = auth::TokenSigner::FromPemFile(f);
    if (!s.ok()) return Usage(std::string(s.status().message()));
    signers.push_back(*std::move(s));
  }
  std::vector<const auth::TokenSigner*> ptrs;
  for (const auto& s : signers) ptrs.push_back(&s);
  std::cout << auth::JwkSetOf(ptrs);
  return 0;
}

}  // namespace touyan::ctl
