#include "tools/touyanctl/commands.h"

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
#include "tools/touyanctl/generic.h"
#include "tools/touyanctl/records.h"
#include "tools/touyanctl/scenario/scenario.h"
#include "touyan/audit/v1/audit.grpc.pb.h"
#include "touyan/contest/v1/contest.pb.h"
#include "touyan/incentive/v1/incentive.pb.h"
#include "touyan/privacy/v1/privacy.pb.h"
#include "touyan/training/v1/training.pb.h"

namespace touyan::ctl {

int Usage(const std::string& msg) {
  std::cerr << "touyanctl: " << msg << "\n(see touyanctl --help)\n";
  return kUsage;
}

int Fail(const absl::Status& s) {
  std::cerr << "touyanctl: " << absl::StatusCodeToString(s.code()) << ": " << s.message() << "\n";
  return kFailed;
}

int FailRpc(const grpc::Status& s) {
  ErrorDetails d = DetailsOf(s);
  std::cerr << "touyanctl: "
            << absl::StatusCodeToString(static_cast<absl::StatusCode>(s.error_code())) << ": "
            << s.error_message();
  if (!d.field.empty()) std::cerr << " [field " << d.field << "]";
  if (!d.reason.empty()) std::cerr << " [reason " << d.reason << "]";
  std::cerr << "\n";
  return kFailed;
}

std::string RandomId() {
  std::random_device rd;
  return absl::StrFormat("ctl-%08x%08x", rd(), rd());
}

std::string Json(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions o;
  o.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(m, &out, o);
  return out;
}

absl::StatusOr<Common> CommonFlags(const Settings& s, bool need_token) {
  Common c;
  c.addr = s.String("addr", s.Get("touyan-personnel-addr").value_or("127.0.0.1:50051"));
  c.token = s.String("token", s.Get("touyan-token").value_or(""));
  c.request_id = s.String("request-id", RandomId());
  auto json = s.Bool("json", false);
  if (!json.ok()) return json.status();
  c.json = *json;
  if (need_token && c.token.empty()) {
    return absl::InvalidArgumentError(
        "no token: pass --token or set TOUYAN_TOKEN (touyanctl token …)");
  }
  return c;
}

}  // namespace touyan::ctl
