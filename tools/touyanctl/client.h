// Client helpers shared by touyanctl, the tests and the benchmarks: health
// and reflection probes (no generated stubs needed), bearer tokens, and the
// streaming imports.
#ifndef TOUYAN_TOOLS_TOUYANCTL_CLIENT_H_
#define TOUYAN_TOOLS_TOUYANCTL_CLIENT_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/config/config.h"
#include "common/grpc/tls.h"
#include "touyan/personnel/v1/personnel.grpc.pb.h"

namespace touyan::ctl {

namespace pv1 = ::touyan::personnel::v1;

// How Connect reaches the services: TLS verified against --ca-file
// ($TOUYAN_CA_FILE; the system's roots when unset), with a client certificate
// when --cert-file and --key-file are given; plaintext only with --insecure
// ($TOUYAN_INSECURE=true). Reads those settings; returns INVALID_ARGUMENT
// naming a flag whose file cannot be read.
absl::Status ConfigureClientTls(const Settings& settings);
void SetClientTls(TlsConfig tls);

std::shared_ptr<grpc::Channel> Connect(const std::string& address);
std::shared_ptr<grpc::Channel> Connect(const std::string& address, const TlsConfig& tls);

// One unary call with serialized messages: `method` is "/pkg.Service/Method".
grpc::Status CallUnary(grpc::Channel& channel, const std::string& method,
                       const std::string& request, const std::string& token, absl::Duration timeout,
                       std::string* response);

// One server-streaming call with serialized messages: `on_message` gets each
// response in order; returning false stops reading (the call is cancelled,
// and that counts as OK).
grpc::Status CallServerStream(grpc::Channel& channel, const std::string& method,
                              const std::string& request, const std::string& token,
                              absl::Duration timeout,
                              const std::function<bool(const std::string&)>& on_message);

// grpc.health.v1.Health/Check: the status name ("SERVING", "NOT_SERVING", …).
absl::StatusOr<std::string> CheckHealth(grpc::Channel& channel, const std::string& service = "",
                                        absl::Duration timeout = absl::Seconds(3));
// grpc.reflection.v1alpha: the services the server lists.
absl::StatusOr<std::vector<std::string>> ListServices(grpc::Channel& channel,
                                                      absl::Duration timeout = absl::Seconds(3));

void Authorize(grpc::ClientContext& ctx, const std::string& token);

absl::StatusOr<pv1::ImportRegionsResponse> ImportRegions(
    pv1::PersonnelService::Stub& stub, const std::string& token, const std::string& request_id,
    const std::vector<pv1::Region>& regions,
    const std::function<void(int64_t)>& progress = nullptr);

// Streams `cadres` in messages of `batch` rows; `progress` is told the rows
// sent so far.
absl::StatusOr<pv1::ImportCadresResponse> ImportCadres(
    pv1::PersonnelService::Stub& stub, const std::string& token, const std::string& request_id,
    const std::vector<pv1::Cadre>& cadres, int batch = 500,
    const std::function<void(int64_t)>& progress = nullptr);

// The same with the first message's options (`head`: request_id, and
// village_post and term_start to make each row a post holder).
absl::StatusOr<pv1::ImportCadresResponse> ImportCadres(
    pv1::PersonnelService::Stub& stub, const std::string& token, pv1::ImportCadresRequest head,
    const std::vector<pv1::Cadre>& cadres, int batch = 500,
    const std::function<void(int64_t)>& progress = nullptr);

// A grpc::Status as absl::Status, keeping code and message.
absl::Status FromGrpc(const grpc::Status& s);

}  // namespace touyan::ctl

#endif  // TOUYAN_TOOLS_TOUYANCTL_CLIENT_H_
