#include "tools/touyanctl/client.h"

#include <grpcpp/generic/generic_stub.h>

#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/grpc/consistency.h"
#include "google/protobuf/unknown_field_set.h"

namespace touyan::ctl {
namespace {

std::string Dump(const grpc::ByteBuffer& buf) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buf.Dump(&slices).ok()) return out;
  for (const auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

grpc::ByteBuffer Buffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

bool Wait(grpc::CompletionQueue& cq, void* want) {
  void* tag = nullptr;
  bool ok = false;
  return cq.Next(&tag, &ok) && tag == want && ok;
}

}  // namespace

namespace {
absl::Mutex tls_mu;
TlsConfig& ClientTls() {
  static auto* tls = new TlsConfig;
  return *tls;
}
}  // namespace

absl::Status ConfigureClientTls(const Settings& s) {
  TlsConfig tls;
  absl::StatusOr<bool> insecure =
      s.Bool("insecure", s.Get("touyan-insecure").value_or("") == "true");
  if (!insecure.ok()) return insecure.status();
  tls.insecure = *insecure;
  tls.ca_file = s.String("ca-file", s.Get("touyan-ca-file").value_or(""));
  tls.cert_file = s.String("cert-file", s.Get("touyan-cert-file").value_or(""));
  tls.key_file = s.String("key-file", s.Get("touyan-key-file").value_or(""));
  for (const auto& [flag, file] :
       {std::pair<const char*, const std::string&>{"ca-file", tls.ca_file},
        {"cert-file", tls.cert_file},
        {"key-file", tls.key_file}}) {
    if (!tls.insecure && !file.empty() && !std::ifstream(file)) {
      return absl::InvalidArgumentError(absl::StrCat("--", flag, ": cannot read ", file));
    }
  }
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    return absl::InvalidArgumentError("--cert-file and --key-file go together");
  }
  SetClientTls(std::move(tls));
  return absl::OkStatus();
}

void SetClientTls(TlsConfig tls) {
  absl::MutexLock l(&tls_mu);
  ClientTls() = std::move(tls);
}

std::shared_ptr<grpc::Channel> Connect(const std::string& address) {
  TlsConfig tls;
  {
    absl::MutexLock l(&tls_mu);
    tls = ClientTls();
  }
  return Connect(address, tls);
}

std::shared_ptr<grpc::Channel> Connect(const std::string& address, const TlsConfig& tls) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  // One session per process: reads see what this process wrote, also where
  // the services read on replicas.
  static const auto session = std::make_shared<ConsistencySession>();
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(ConsistencySession::Interceptor(session));
  return grpc::experimental::CreateCustomChannelWithInterceptors(
      address, ChannelCredentialsFor(tls), args, std::move(interceptors));
}

absl::Status FromGrpc(const grpc::Status& s) {
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
}

grpc::Status CallUnary(grpc::Channel& channel, const std::string& method,
                       const std::string& request, const std::string& token, absl::Duration timeout,
                       std::string* response) {
  grpc::GenericStub stub(std::shared_ptr<grpc::Channel>(&channel, [](grpc::Channel*) {}));
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  if (!token.empty()) Authorize(ctx, token);
  grpc::CompletionQueue cq;
  grpc::ByteBuffer req = Buffer(request), resp;
  auto call = stub.PrepareUnaryCall(&ctx, method, req, &cq);
  call->StartCall();
  grpc::Status status;
  int tag = 0;
  call->Finish(&resp, &status, &tag);
  Wait(cq, &tag);
  cq.Shutdown();
  if (status.ok()) *response = Dump(resp);
  return status;
}

grpc::Status CallServerStream(grpc::Channel& channel, const std::string& method,
                              const std::string& request, const std::string& token,
                              absl::Duration timeout,
                              const std::function<bool(const std::string&)>& on_message) {
  grpc::GenericStub stub(std::shared_ptr<grpc::Channel>(&channel, [](grpc::Channel*) {}));
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  if (!token.empty()) Authorize(ctx, token);
  grpc::CompletionQueue cq;
  auto call = stub.PrepareCall(&ctx, method, &cq);
  int start = 0, write = 0, done = 0, read = 0, finish = 0;
  call->StartCall(&start);
  bool ok = Wait(cq, &start);
  grpc::ByteBuffer req = Buffer(request), resp;
  if (ok) {
    call->Write(req, &write);
    ok = Wait(cq, &write);
  }
  if (ok) {
    call->WritesDone(&done);
    ok = Wait(cq, &done);
  }
  bool stopped = false;
  while (ok) {
    call->Read(&resp, &read);
    if (!Wait(cq, &read)) break;
    if (!on_message(Dump(resp))) {
      stopped = true;
      ctx.TryCancel();
      break;
    }
  }
  grpc::Status status;
  call->Finish(&status, &finish);
  Wait(cq, &finish);
  cq.Shutdown();
  void* tag;
  bool unused;
  while (cq.Next(&tag, &unused)) {
  }
  return stopped ? grpc::Status::OK : status;
}

absl::StatusOr<std::string> CheckHealth(grpc::Channel& channel, const std::string& service,
                                        absl::Duration timeout) {
  // HealthCheckRequest{service = 1}.
  std::string req;
  if (!service.empty())
    req = absl::StrCat("\x0a", std::string(1, static_cast<char>(service.size())), service);
  std::string response;
  grpc::Status status =
      CallUnary(channel, "/grpc.health.v1.Health/Check", req, "", timeout, &response);
  if (!status.ok()) return FromGrpc(status);
  google::protobuf::UnknownFieldSet fields;
  if (!fields.ParseFromString(response)) return absl::DataLossError("bad health response");
  int64_t code = 0;  // HealthCheckResponse{status = 1}
  for (int i = 0; i < fields.field_count(); ++i) {
    if (fields.field(i).number() == 1) code = static_cast<int64_t>(fields.field(i).varint());
  }
  static const char* kNames[] = {"UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"};
  return std::string(code >= 0 && code < 4 ? kNames[code] : "UNKNOWN");
}

absl::StatusOr<std::vector<std::string>> ListServices(grpc::Channel& channel,
                                                      absl::Duration timeout) {
  // ServerReflectionRequest{list_services = 7: ""}; the first answer is enough.
  std::string response;
  bool got = false;
  grpc::Status status =
      CallServerStream(channel, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
                       std::string("\x3a\x00", 2), "", timeout, [&](const std::string& bytes) {
                         response = bytes;
                         got = true;
                         return false;
                       });
  if (!status.ok()) return FromGrpc(status);
  if (!got) return absl::UnavailableError("reflection call failed");
  // ServerReflectionResponse{list_services_response = 6 {service = 1 {name = 1}}}.
  google::protobuf::UnknownFieldSet top;
  if (!top.ParseFromString(response)) return absl::DataLossError("bad reflection response");
  std::vector<std::string> names;
  for (int i = 0; i < top.field_count(); ++i) {
    if (top.field(i).number() != 6) continue;
    google::protobuf::UnknownFieldSet list;
    list.ParseFromString(top.field(i).length_delimited());
    for (int j = 0; j < list.field_count(); ++j) {
      google::protobuf::UnknownFieldSet svc;
      svc.ParseFromString(list.field(j).length_delimited());
      for (int k = 0; k < svc.field_count(); ++k) {
        if (svc.field(k).number() == 1) names.push_back(svc.field(k).length_delimited());
      }
    }
  }
  return names;
}

void Authorize(grpc::ClientContext& ctx, const std::string& token) {
  ctx.AddMetadata("authorization", "Bearer " + token);
}

namespace {

// Streams `items` in messages of `batch` (the first is `head` plus its
// items: request_id and the stream's options) and returns the server's
// answer. `add` puts one item into a message.
template <typename Req, typename Resp, typename Item, typename Open, typename Add>
absl::StatusOr<Resp> StreamAll(const std::string& token, Req head, const std::vector<Item>& items,
                               int batch, Open open, Add add,
                               const std::function<void(int64_t)>& progress) {
  grpc::ClientContext ctx;
  Authorize(ctx, token);
  Resp resp;
  auto writer = open(&ctx, &resp);
  Req msg = std::move(head);
  int in_msg = 0;
  int64_t sent = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    add(msg, items[i]);
    if (++in_msg == batch || i + 1 == items.size()) {
      if (!writer->Write(msg)) break;  // the server ended the call: Finish says why
      sent += in_msg;
      if (progress) progress(sent);
      msg.Clear();
      in_msg = 0;
    }
  }
  if (items.empty()) writer->Write(msg);
  writer->WritesDone();
  grpc::Status s = writer->Finish();
  if (!s.ok()) return FromGrpc(s);
  return resp;
}

}  // namespace

absl::StatusOr<pv1::ImportRegionsResponse> ImportRegions(
    pv1::PersonnelService::Stub& stub, const std::string& token, const std::string& request_id,
    const std::vector<pv1::Region>& regions, const std::function<void(int64_t)>& progress) {
  pv1::ImportRegionsRequest head;
  head.set_request_id(request_id);
  return StreamAll<pv1::ImportRegionsRequest, pv1::ImportRegionsResponse>(
      token, std::move(head), regions, 1000,
      [&](grpc::ClientContext* ctx, pv1::ImportRegionsResponse* r) {
        return stub.ImportRegions(ctx, r);
      },
      [](pv1::ImportRegionsRequest& m, const pv1::Region& r) { *m.add_regions() = r; }, progress);
}

absl::StatusOr<pv1::ImportCadresResponse> ImportCadres(
    pv1::PersonnelService::Stub& stub, const std::string& token, const std::string& request_id,
    const std::vector<pv1::Cadre>& cadres, int batch,
    const std::function<void(int64_t)>& progress) {
  pv1::ImportCadresRequest head;
  head.set_request_id(request_id);
  return ImportCadres(stub, token, std::move(head), cadres, batch, progress);
}

absl::StatusOr<pv1::ImportCadresResponse> ImportCadres(
    pv1::PersonnelService::Stub& stub, const std::string& token, pv1::ImportCadresRequest head,
    const std::vector<pv1::Cadre>& cadres, int batch,
    const std::function<void(int64_t)>& progress) {
  return StreamAll<pv1::ImportCadresRequest, pv1::ImportCadresResponse>(
      token, std::move(head), cadres, batch,
      [&](grpc::ClientContext* ctx, pv1::ImportCadresResponse* r) {
        return stub.ImportCadres(ctx, r);
      },
      [](pv1::ImportCadresRequest& m, const pv1::Cadre& c) { *m.add_cadres() = c; }, progress);
}

}  // namespace touyan::ctl
