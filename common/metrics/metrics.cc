#include "common/metrics/metrics.h"

#include <chrono>

#include "absl/strings/str_split.h"
#include "google/protobuf/descriptor.h"

namespace touyan {
namespace {

const char* kCodeNames[17] = {
    "OK",       "Canceled",       "Unknown",          "InvalidArgument",   "DeadlineExceeded",
    "NotFound", "AlreadyExists",  "PermissionDenied", "ResourceExhausted", "FailedPrecondition",
    "Aborted",  "OutOfRange",     "Unimplemented",    "Internal",          "Unavailable",
    "DataLoss", "Unauthenticated"};

absl::string_view TypeName(grpc::experimental::ServerRpcInfo::Type t) {
  using T = grpc::experimental::ServerRpcInfo::Type;
  switch (t) {
    case T::UNARY:
      return "unary";
    case T::CLIENT_STREAMING:
      return "client_stream";
    case T::SERVER_STREAMING:
      return "server_stream";
    case T::BIDI_STREAMING:
      return "bidi_stream";
  }
  return "unknown";
}

class RedInterceptor final : public grpc::experimental::Interceptor {
 public:
  RedInterceptor(Metrics::MethodMetrics& m) : m_(m), start_(std::chrono::steady_clock::now()) {
    m_.started->Increment();
  }
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      int code = methods->GetSendStatus().error_code();
      m_.handled[code >= 0 && code < 17 ? code : 2]->Increment();
      m_.seconds->Observe(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
    }
    methods->Proceed();
  }

 private:
  Metrics::MethodMetrics& m_;
  std::chrono::steady_clock::time_point start_;
};

class RedFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit RedFactory(Metrics& metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new RedInterceptor(metrics_.ForMethod(info->method(), TypeName(info->type())));
  }

 private:
  Metrics& metrics_;
};

}  // namespace

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      started_(prometheus::BuildCounter()
                   .Name("grpc_server_started_total")
                   .Help("Total number of RPCs started on the server.")
                   .Register(*registry_)),
      handled_(prometheus::BuildCounter()
                   .Name("grpc_server_handled_total")
                   .Help("Total number of RPCs completed on the server, regardless of success.")
                   .Register(*registry_)),
      seconds_(prometheus::BuildHistogram()
                   .Name("grpc_server_handling_seconds")
                   .Help("Histogram of response latency of RPCs handled by the server.")
                   .Register(*registry_)),
      pool_size_(prometheus::BuildGauge()
                     .Name("touyan_db_pool_connections")
                     .Help("Connections the database pool may hold.")
                     .Register(*registry_)
                     .Add({})),
      pool_in_use_(prometheus::BuildGauge()
                       .Name("touyan_db_pool_in_use")
                       .Help("Connections leased right now.")
                       .Register(*registry_)
                       .Add({})),
      pool_opened_(prometheus::BuildGauge()
                       .Name("touyan_db_pool_opened")
                       .Help("Database sessions opened since start (reconnections included).")
                       .Register(*registry_)
                       .Add({})) {}

prometheus::Counter& Metrics::Counter(const std::string& name, const std::string& help,
                                      const std::map<std::string, std::string>& labels) {
  absl::MutexLock l(&mu_);
  auto& family = counters_[name];
  if (family == nullptr)
    family = &prometheus::BuildCounter().Name(name).Help(help).Register(*registry_);
  return family->Add(labels);
}

prometheus::Gauge& Metrics::Gauge(const std::string& name, const std::string& help,
                                  const std::map<std::string, std::string>& labels) {
  absl::MutexLock l(&mu_);
  auto& family = gauges_[name];
  if (family == nullptr)
    family = &prometheus::BuildGauge().Name(name).Help(help).Register(*registry_);
  return family->Add(labels);
}

void Metrics::SetPool(int size, int in_use, int64_t opened) {
  pool_size_.Set(size);
  pool_in_use_.Set(in_use);
  pool_opened_.Set(static_cast<double>(opened));
}

void Metrics::CountRead(const char* result) {
  Counter("touyan_replica_reads_total",
          "Read-only calls by where their reads went: replica, or the primary because the replica "
          "was lagging, behind the caller's token, down, or failed the read.",
          {{"result", result}})
      .Increment();
}

void Metrics::SetReplicaLag(double seconds) {
  Gauge("touyan_db_replica_lag_seconds",
        "How far the read replica's replay is behind its primary (+Inf: unreachable or not "
        "replaying).")
      .Set(seconds);
}

Metrics::MethodMetrics& Metrics::ForMethod(const std::string& full_method, absl::string_view type) {
  absl::MutexLock l(&mu_);
  auto it = methods_.find(full_method);
  if (it != methods_.end()) return it->second;
  // "/pkg.Service/Method"; methods no registered service defines share one
  // label so that clients cannot grow the label set.
  std::vector<std::string> parts = absl::StrSplit(full_method, '/', absl::SkipEmpty());
  std::string service = "unknown", method = "unknown";
  if (parts.size() == 2) {
    const auto* svc =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(parts[0]);
    // gRPC's built-in health service has no generated descriptor.
    bool health =
        parts[0] == "grpc.health.v1.Health" && (parts[1] == "Check" || parts[1] == "Watch");
    if (health || (svc != nullptr && svc->FindMethodByName(parts[1]) != nullptr)) {
      service = parts[0];
      method = parts[1];
    }
  }
  if (service == "unknown" && methods_.count("unknown")) return methods_["unknown"];
  std::map<std::string, std::string> labels = {
      {"grpc_service", service}, {"grpc_method", method}, {"grpc_type", std::string(type)}};
  MethodMetrics m;
  m.started = &started_.Add(labels);
  for (int i = 0; i < 17; ++i) {
    auto with_code = labels;
    with_code["grpc_code"] = kCodeNames[i];
    m.handled[i] = &handled_.Add(with_code);
  }
  m.seconds = &seconds_.Add(
      labels, prometheus::Histogram::BucketBoundaries{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10});
  return methods_[service == "unknown" ? "unknown" : full_method] = m;
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
Metrics::InterceptorFactory() {
  return std::make_unique<RedFactory>(*this);
}

}  // namespace touyan
