#include "common/grpc/server.h"

#include <signal.h>

#include <cstdio>
#include <string_view>
#include <fstream>
#include <sstream>

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "common/log/log.h"
#include "touyan/bench/v1/echo.grpc.pb.h"
#include "common/status/status.h"

namespace touyan {
namespace {

// Answers on the reactor thread: the cost of gRPC alone, for benchmarks.
class EchoService final : public bench::v1::EchoService::CallbackService {
  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* ctx, const bench::v1::EchoMessage* req,
                                 bench::v1::EchoMessage* resp) override {
    *resp = *req;
    auto* reactor = ctx->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

}  // namespace

absl::StatusOr<ServerConfig> LoadServerConfig(const Settings& s,
                                              const std::vector<std::string>& calls) {
  ServerConfig c;
  c.listen_host = s.String("listen-host", c.listen_host);
  ASSIGN_OR_RETURN(c.grpc_port, s.Int("grpc-port", 50051, 0, 65535));
  ASSIGN_OR_RETURN(c.metrics_port, s.Int("metrics-port", 9090, 0, 65535));
  ASSIGN_OR_RETURN(c.health_port, s.Int("health-port", -1, -1, 65535));
  ASSIGN_OR_RETURN(c.database_url,
                   s.Required("database-url", "the service role's Postgres URL, e.g. "
                                              "postgresql://personnel_app:…@host/touyan"));
  c.migration_database_url = s.String("migration-database-url", "");
  c.admin_database_url = s.String("admin-database-url", "");
  ASSIGN_OR_RETURN(c.migrate_only, s.Bool("migrate-only", false));
  if (c.migrate_only && c.migration_database_url.empty()) {
    return absl::InvalidArgumentError("--migrate-only needs --migration-database-url");
  }
  if (!c.admin_database_url.empty() && c.migration_database_url.empty()) {
    return absl::InvalidArgumentError("--admin-database-url needs --migration-database-url");
  }
  ASSIGN_OR_RETURN(c.workers, s.Int("workers", 8, 1, 256));
  ASSIGN_OR_RETURN(c.stream_slots, s.Int("stream-slots", 2, 1, 64));
  ASSIGN_OR_RETURN(c.drain_timeout, s.Duration("drain-timeout", absl::Seconds(10)));
  ASSIGN_OR_RETURN(c.bench_echo, s.Bool("bench-echo", false));
  for (const std::string& name : calls) {
    ASSIGN_OR_RETURN(c.downstream_targets[name],
                     s.Required(name + "-target", absl::StrCat("the gRPC address of the ", name,
                                                               " service, e.g. localhost:50051")));
  }
  ASSIGN_OR_RETURN(c.downstream_timeout, s.Duration("downstream-timeout", absl::Seconds(5)));
  const std::string pooling = s.String("database-pooling", "session");
  if (pooling != "session" && pooling != "transaction") {
    return absl::InvalidArgumentError(absl::StrCat("--database-pooling=", pooling,
                                                   " must be session or transaction"));
  }
  c.transaction_pooling = pooling == "transaction";
  c.scope = s.String("scope", "");
  if (!c.scope.empty() && !auth::RegionPrefix(c.scope).ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--scope=", c.scope, " is not a 12-digit region code"));
  }
  ASSIGN_OR_RETURN(c.gauge_interval, s.Duration("gauge-interval", absl::Minutes(5)));

  std::string key = s.String("token-signing-key", "");
  if (auto file = s.Get("token-signing-key-file")) {
    std::ifstream in(*file);
    if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read --token-signing-key-file ", *file));
    std::stringstream ss;
    ss << in.rdbuf();
    key = std::string(absl::StripAsciiWhitespace(ss.str()));
  }
  if (key.empty()) {
    return absl::InvalidArgumentError(
        "--token-signing-key-file (or TOKEN_SIGNING_KEY) is required: the shared secret that "
        "signs bearer tokens");
  }
  c.tokens.signing_key = key;
  c.tokens.issuer = s.String("token-issuer", c.tokens.issuer);
  c.tokens.audience = s.String("token-audience", c.tokens.audience);
  RETURN_IF_ERROR(auth::ValidateTokenConfig(c.tokens));
  // Page tokens get their own key, derived so that operators manage one secret.
  c.page_token_key = auth::HmacSha256(key, "touyan.page-token");
  if (auto unused = s.Unused(); !unused.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("unknown flag --", unused.front()));
  }
  return c;
}

absl::StatusOr<std::unique_ptr<Server>> Server::Start(const ServiceSpec& spec,
                                                      const ServerConfig& config,
                                                      const Clock* clock) {
  // Debian's Abseil records every lock in a graph to detect deadlocks; on
  // the call path that costs more than the locking itself.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  db::SchemaRoles roles{spec.name, db::UserOf(config.database_url)};
  if (!config.admin_database_url.empty()) {
    RETURN_IF_ERROR(db::Bootstrap(config.admin_database_url, spec.name,
                                  config.migration_database_url, config.database_url));
  }
  if (!config.migration_database_url.empty()) {
    RETURN_IF_ERROR(db::Migrate(config.migration_database_url, roles, spec.migrations()));
  }
  if (config.migrate_only) return std::unique_ptr<Server>();

  std::unique_ptr<Server> s(new Server);
  s->name_ = spec.name;
  RuntimeOptions ro;
  ro.service = spec.name;
  ro.pool = db::PoolOptions{config.database_url, spec.name, config.workers + config.stream_slots,
                            spec.statements, config.transaction_pooling};
  ro.workers = config.workers;
  ro.stream_slots = config.stream_slots;
  ro.tokens = config.tokens;
  ro.page_key = config.page_token_key;
  ro.clock = clock;
  ro.downstream_targets = config.downstream_targets;
  ro.downstream_timeout = config.downstream_timeout;
  ro.scope = config.scope;
  s->runtime_ = std::make_unique<Runtime>(std::move(ro));
  s->service_ = spec.make_service(*s->runtime_);

  try {
    s->exposer_ = std::make_unique<prometheus::Exposer>(
        absl::StrCat(config.listen_host, ":", config.metrics_port));
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("cannot serve metrics on port ",
                                               config.metrics_port, ": ", e.what()));
  }
  s->exposer_->RegisterCollectable(s->runtime_->metrics().shared_registry());
  s->metrics_port_ = s->exposer_->GetListeningPorts().front();

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(absl::StrCat(config.listen_host, ":", config.grpc_port),
                           grpc::InsecureServerCredentials(), &s->grpc_port_);
  int health_port = 0;
  if (config.health_port >= 0) {
    // For probes: plaintext even when the main port gets TLS; network
    // policy admits only the kubelet's probes to it.
    builder.AddListeningPort(absl::StrCat(config.listen_host, ":", config.health_port),
                             grpc::InsecureServerCredentials(), &health_port);
  }
  builder.RegisterService(s->service_.get());
  if (config.bench_echo) {
    s->echo_ = std::make_unique<EchoService>();
    builder.RegisterService(s->echo_.get());
  }
  // Long-lived HTTP/2 connections defeat load balancing behind a Kubernetes
  // Service; closing them now and then spreads clients over new pods.
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS, 5 * 60 * 1000);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS, 30 * 1000);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> creators;
  creators.push_back(s->runtime_->metrics().InterceptorFactory());
  builder.experimental().SetInterceptorCreators(std::move(creators));
  s->server_ = builder.BuildAndStart();
  if (s->server_ == nullptr || s->grpc_port_ == 0 || (config.health_port >= 0 && health_port == 0)) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", config.listen_host, ":", config.grpc_port,
                     " (is the port in use?)"));
  }
  s->server_->GetHealthCheckService()->SetServingStatus(true);
  if (auto* source = dynamic_cast<GaugeSource*>(s->service_.get());
      source != nullptr && config.gauge_interval > absl::ZeroDuration()) {
    Server* self = s.get();
    s->gauges_ = std::thread([self, source, config] { self->RefreshGaugesEvery(source, config); });
  }
  return s;
}

void Server::RefreshGaugesEvery(GaugeSource* source, ServerConfig config) {
  const std::string scope = config.scope.empty() ? "000000000000" : config.scope;
  absl::Duration wait = absl::Seconds(2);  // the first soon after start, then every interval
  while (!stop_gauges_.WaitForNotificationWithTimeout(wait)) {
    wait = config.gauge_interval;
    absl::StatusOr<auth::Principal> p = auth::Principal::Make(name_ + "-gauges", auth::Role::kAuditor, scope);
    if (!p.ok()) return;
    p->bearer = auth::IssueToken(config.tokens, *p, absl::Now(), config.gauge_interval + absl::Minutes(1));
    absl::Status status;
    try {
      CallContext call(*runtime_, *p, absl::Now() + absl::Minutes(1), "RefreshGauges");
      status = source->RefreshGauges(call);
    } catch (const std::exception& e) {
      status = db::FromException(e);
    }
    if (!status.ok()) {
      log::Warn("gauges not refreshed", {{"service", name_}, {"error", std::string(status.message())}});
    }
  }
}

void Server::Shutdown(absl::Duration drain) {
  if (shut_down_ || server_ == nullptr) return;
  shut_down_ = true;
  if (gauges_.joinable()) {
    stop_gauges_.Notify();
    gauges_.join();
  }
  server_->GetHealthCheckService()->SetServingStatus(false);
  server_->Shutdown(std::chrono::system_clock::now() + absl::ToChronoSeconds(drain));
  server_->Wait();
}

Server::~Server() {
  Shutdown(absl::ZeroDuration());
  server_.reset();
  service_.reset();
  echo_.reset();
  runtime_.reset();  // joins the workers after the last call finished
}

namespace {
constexpr char kUsage[] = R"(usage: %s_server [--flag=value ...]
Every flag may also come from the environment: --grpc-port is GRPC_PORT.

  --database-url=URL              the service role's Postgres URL (required)
  --token-signing-key-file=FILE   HS256 secret for bearer tokens, >= 32 bytes (or --token-signing-key)
  --token-issuer, --token-audience  accepted iss / aud (default touyan)
  --listen-host=ADDR              bind address (default 0.0.0.0)
  --grpc-port=N                   gRPC, health and reflection (default 50051; 0 = any free port)
  --metrics-port=N                Prometheus /metrics (default 9090; 0 = any free port)
  --health-port=N                 also serve (health included) on this plaintext port, for probes
  --workers=N                     worker threads, one database connection each (default 8)
  --stream-slots=N                streaming imports at once (default 2)
  --drain-timeout=DURATION        SIGTERM waits this long for in-flight calls (default 10s)
  --migration-database-url=URL    the schema owner's URL: apply migrations before serving
  --migrate-only                  apply migrations and exit
  --admin-database-url=URL        development: create the roles and the schema first
  --bench-echo                    also serve touyan.bench.v1.EchoService (benchmarks only)
  --<service>-target=HOST:PORT    where a service this one calls listens (training: --personnel-target)
  --downstream-timeout=DURATION   longest wait for a call to another service (default 5s)
  --database-pooling=MODE         session (default: a connection per worker, direct or session pooler)
                                  or transaction (behind PgBouncer in transaction mode)
  --scope=REGION                  the region this deployment serves: callers are narrowed to it,
                                  and those outside it refused (default: every region)
  --gauge-interval=DURATION       how often domain gauges are recomputed (default 5m; 0 = never)
)";
}  // namespace

int ServerMain(int argc, char** argv, const ServiceSpec& spec) {
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--help") {
      std::printf(kUsage, spec.name.c_str());
      return 0;
    }
  }
  // Signals are taken by sigwait below, not by whichever thread they hit.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  absl::StatusOr<Settings> settings = Settings::FromArgs(argc, argv);
  absl::StatusOr<ServerConfig> config =
      settings.ok() ? LoadServerConfig(*settings, spec.calls) : absl::StatusOr<ServerConfig>(settings.status());
  if (!config.ok()) {
    std::fprintf(stderr, "%s_server: bad configuration: %s\n", spec.name.c_str(),
                 std::string(config.status().message()).c_str());
    return 2;
  }
  absl::StatusOr<std::unique_ptr<Server>> server = Server::Start(spec, *config);
  if (!server.ok()) {
    std::fprintf(stderr, "%s_server: cannot start: %s\n", spec.name.c_str(),
                 std::string(server.status().message()).c_str());
    return 1;
  }
  if (*server == nullptr) return 0;  // --migrate-only
  log::Info("listening", {{"service", spec.name},
                          {"grpc", absl::StrCat(config->listen_host, ":", (*server)->grpc_port())},
                          {"metrics", absl::StrCat(config->listen_host, ":",
                                                   (*server)->metrics_port())}});
  int sig = 0;
  sigwait(&signals, &sig);
  log::Info("draining", {{"service", spec.name}, {"signal", std::to_string(sig)},
                         {"deadline", absl::FormatDuration(config->drain_timeout)}});
  (*server)->Shutdown(config->drain_timeout);
  server->reset();
  log::Info("stopped", {{"service", spec.name}});
  return 0;
}

}  // namespace touyan
