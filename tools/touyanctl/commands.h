// touyanctl's commands, internal: each command a function returning the
// exit code (main.cc dispatches), and what they share.
#ifndef TOUYAN_TOOLS_TOUYANCTL_COMMANDS_H_
#define TOUYAN_TOOLS_TOUYANCTL_COMMANDS_H_

#include <grpcpp/grpcpp.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/auth/issuer.h"
#include "common/config/config.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace touyan::ctl {

inline constexpr int kUsage = 2, kFailed = 1, kPartial = 3;

struct Args {
  std::vector<std::string> positional;
  std::vector<const char*> flags{"touyanctl"};
};

struct Common {
  std::string addr, token, request_id;
  bool json = false;
};

int Usage(const std::string& msg);
int Fail(const absl::Status& s);
int FailRpc(const grpc::Status& s);
std::string RandomId();
std::string Json(const google::protobuf::Message& m);
absl::StatusOr<Common> CommonFlags(const Settings& s, bool need_token);
// The development issuer's key from --token-signing-key-file ($TOKEN_SIGNING_KEY_FILE).
absl::StatusOr<auth::TokenSigner> SigningKey(const Settings& s);
int Token(const Settings& s);
int Jwks(const std::vector<std::string>& files);
int RegionsImport(const Common& c, const std::string& file);
int CadresImport(const Common& c, const Settings& s, const std::string& file, int batch);
int CadresGenerate(const Settings& s);
int CadresGet(const Common& c, const std::string& id);
int CadresList(const Common& c, const Settings& s);
int Health(const Common& c);
int Scenario(const Settings& s, const std::string& which);
int Generic(const Args& a, const google::protobuf::ServiceDescriptor* svc = nullptr,
            const std::string& fails_unless = "");
int Call(const Common& c, const Settings& s, const std::string& name, const std::string& json);
int Audit(Args a);
int Watch(const Common& c, const Settings& s, const std::string& service);

}  // namespace touyan::ctl

#endif  // TOUYAN_TOOLS_TOUYANCTL_COMMANDS_H_
