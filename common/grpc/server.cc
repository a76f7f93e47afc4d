#include "common/grpc/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/impl/server_builder_option.h>
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "common/grpc/audit_service.h"
#include "common/grpc/event_service.h"
#include "common/log/log.h"
#include "common/status/status.h"
#include "touyan/bench/v1/echo.grpc.pb.h"

namespace touyan {
namespace {

// Answers on the reactor thread: the cost of gRPC alone, for benchmarks.
class EchoService final : public bench::v1::EchoService::CallbackService {
  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* ctx,
                                 const bench::v1::EchoMessage* req,
                                 bench::v1::EchoMessage* resp) override {
    *resp = *req;
    auto* reactor = ctx->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

// Server reflection on this server or not. Linking gRPC's reflection library
// registers its plugin for every server (the probe port too); this option
// leaves exactly one on the API port when wanted, and none elsewhere.
class ReflectionOption final : public grpc::ServerBuilderOption {
 public:
  explicit ReflectionOption(bool on) : on_(on) {}
  void UpdateArguments(grpc::ChannelArguments*) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>* plugins) override {
    std::erase_if(*plugins, [](const auto& p) {
      return dynamic_cast<grpc::reflection::ProtoServerReflectionPlugin*>(p.get()) != nullptr;
    });
    if (on_) plugins->push_back(std::make_unique<grpc::reflection::ProtoServerReflectionPlugin>());
  }

 private:
  const bool on_;
};

// The probe port's answer to anything but health (a server needs at least
// one callback service of its own to start; health is added at start).
class HealthOnly final : public grpc::CallbackGenericService {
  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext*) override {
    class Refuse final : public grpc::ServerGenericBidiReactor {
     public:
      Refuse() {
        Finish(grpc::Status(
            grpc::StatusCode::UNIMPLEMENTED,
            "the probe port serves grpc.health.v1 only; call the API on the gRPC port"));
      }
      void OnDone() override { delete this; }
    };
    return new Refuse;
  }
};

}  // namespace

std::string ServiceSpec::FullName() const {
  std::string cap = name;
  if (!cap.empty()) cap[0] = absl::ascii_toupper(cap[0]);
  return absl::StrCat("touyan.", name, ".v1.", cap, "Service");
}

absl::StatusOr<std::unique_ptr<Server>> Server::Start(const ServiceSpec& spec,
                                                      const ServerConfig& config,
                                                      const Clock* clock) {
  // Debian's Abseil records every lock in a graph to detect deadlocks; on
  // the call path that costs more than the locking itself.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  db::SchemaRoles roles{spec.name, db::UserOf(config.database_url), config.county_roles};
  if (!config.admin_database_url.empty()) {
    RETURN_IF_ERROR(db::Bootstrap(config.admin_database_url, spec.name,
                                  config.migration_database_url, config.database_url));
  }
  if (!config.migration_database_url.empty()) {
    RETURN_IF_ERROR(db::Migrate(config.migration_database_url, roles, spec.migrations()));
  }
  if (config.migrate_only) return std::unique_ptr<Server>();
  // The key set must be readable at start; later changes are picked up.
  if (absl::Status keys = auth::TokenVerifier(config.tokens).Load(); !keys.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--jwks-file: ", keys.message()));
  }
  if (config.tls.insecure) {
    log::Warn("serving and calling in plaintext (--insecure): for development only",
              {{"service", spec.name}});
  }

  std::shared_ptr<const crypto::Keyring> keys;
  if (!config.data_keys_file.empty()) {
    ASSIGN_OR_RETURN(crypto::Keyring k, crypto::Keyring::Load(config.data_keys_file));
    keys = std::make_shared<const crypto::Keyring>(std::move(k));
  } else if (!spec.sealed.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--data-keys-file is required: ", spec.name,
        " stores personal data sealed with the data keys (for development, scripts/run.sh makes "
        ".local/data-keys)"));
  }

  std::unique_ptr<Server> s(new Server);
  s->name_ = spec.name;
  s->sealed_ = spec.sealed;
  s->anonymise_ = spec.anonymise_departed;
  s->departed_retention_ = config.departed_retention;
  s->copied_names_ = spec.copied_names;
  s->anonymised_cadres_ = spec.anonymised_cadres;
  s->principal_scope_ = config.scope.empty() ? "000000000000" : config.scope;
  s->full_name_ = spec.FullName();
  s->retention_ = config.idempotency_retention;
  s->audit_retention_ = config.audit_retention;
  if (!config.scope.empty()) {
    ASSIGN_OR_RETURN(std::string prefix, auth::RegionPrefix(config.scope));
    s->config_scope_ = prefix.substr(0, 6);
  }
  RuntimeOptions ro;
  ro.service = spec.name;
  ro.pool = db::PoolOptions{config.database_url, spec.name,
                            config.workers + config.stream_slots + config.inline_calls,
                            spec.statements, config.transaction_pooling};
  ro.workers = config.workers;
  ro.inline_calls = config.inline_calls;
  ro.stream_slots = config.stream_slots;
  ro.max_watchers = config.max_watchers;
  ro.tokens = config.tokens;
  ro.page_key = config.page_token_key;
  ro.clock = clock;
  ro.downstream_targets = config.downstream_targets;
  ro.downstream_timeout = config.downstream_timeout;
  ro.tls = config.tls;
  ro.scope = config.scope;
  ro.keys = keys;
  ro.read_url = config.database_read_url;
  ro.replica = config.replica;
  s->runtime_ = std::make_unique<Runtime>(std::move(ro));
  s->service_ = spec.make_service(*s->runtime_);
  // Values a database upgraded from a release without encryption holds in
  // plaintext are sealed before the first call (a failure is logged; the
  // maintenance thread tries again).
  (void)s->ResealData();

  try {
    s->exposer_ = std::make_unique<prometheus::Exposer>(
        absl::StrCat(config.listen_host, ":", config.metrics_port));
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("cannot serve metrics on port ", config.metrics_port, ": ", e.what()));
  }
  s->exposer_->RegisterCollectable(s->runtime_->metrics().shared_registry());
  s->metrics_port_ = s->exposer_->GetListeningPorts().front();

  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(absl::StrCat(config.listen_host, ":", config.grpc_port),
                           ServerCredentialsFor(config.tls), &s->grpc_port_);
  builder.RegisterService(s->service_.get());
  s->audit_ = std::make_unique<AuditService>(*s->runtime_);
  builder.RegisterService(s->audit_.get());
  s->privacy_ =
      std::make_unique<PrivacyService>(*s->runtime_, spec.personal_data, spec.export_includes);
  builder.RegisterService(s->privacy_.get());
  s->events_ = std::make_unique<EventService>(*s->runtime_, config.event_retention);
  builder.RegisterService(s->events_.get());
  builder.SetOption(std::make_unique<ReflectionOption>(config.reflection));
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
  if (s->server_ == nullptr || s->grpc_port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", config.listen_host, ":",
                                               config.grpc_port, " (is the port in use?)"));
  }
  if (config.health_port >= 0) {
    // For the kubelet's probes: plaintext, and grpc.health.v1 alone.
    grpc::ServerBuilder probe;
    probe.SetOption(std::make_unique<ReflectionOption>(false));
    s->probe_service_ = std::make_unique<HealthOnly>();
    probe.RegisterCallbackGenericService(s->probe_service_.get());
    probe.AddListeningPort(absl::StrCat(config.listen_host, ":", config.health_port),
                           grpc::InsecureServerCredentials(), &s->health_port_);
    s->probe_ = probe.BuildAndStart();
    if (s->probe_ == nullptr || s->health_port_ == 0) {
      return absl::UnavailableError(absl::StrCat("cannot listen on ", config.listen_host, ":",
                                                 config.health_port, " (is the port in use?)"));
    }
  }
  // Live now; ready once the database answers with the schema this binary needs.
  for (grpc::Server* server : {s->server_.get(), s->probe_.get()}) {
    if (server == nullptr) continue;
    server->GetHealthCheckService()->SetServingStatus("", true);
    server->GetHealthCheckService()->SetServingStatus(s->full_name_, false);
  }
  {
    Server* self = s.get();
    s->readiness_ = std::thread([self, spec, config] { self->WatchReadiness(spec, config); });
  }
  if (auto* source = dynamic_cast<GaugeSource*>(s->service_.get());
      source != nullptr && config.gauge_interval > absl::ZeroDuration()) {
    Server* self = s.get();
    s->gauges_ = std::thread([self, source, config] { self->RefreshGaugesEvery(source, config); });
  }
  if (config.maintenance_interval > absl::ZeroDuration()) {
    Server* self = s.get();
    s->maintenance_ = std::thread([self, config] {
      absl::Duration wait = absl::Seconds(30);  // the first soon after start, then every interval
      while (!self->stop_.WaitForNotificationWithTimeout(wait)) {
        wait = config.maintenance_interval;
        (void)self->PurgeIdempotency();
        (void)self->MaintainAudit();
        (void)self->ResealData();
        (void)self->AnonymiseDeparted();
      }
    });
  }
  return s;
}

void Server::SetReady(bool ready) {
  for (grpc::Server* server : {server_.get(), probe_.get()}) {
    if (server != nullptr) server->GetHealthCheckService()->SetServingStatus(full_name_, ready);
  }
}

void Server::WatchReadiness(ServiceSpec spec, ServerConfig config) {
  std::vector<std::string> needed;
  for (const db::Migration& m : db::CommonMigrations())
    needed.push_back("\"common/" + m.name + "\"");
  for (const db::Migration& m : spec.migrations()) needed.push_back("\"" + m.name + "\"");
  const std::string needed_array = absl::StrCat("{", absl::StrJoin(needed, ","), "}");
  std::unique_ptr<pqxx::connection> conn;
  bool was_ready = false;
  std::string last_reason;
  absl::Duration wait = absl::ZeroDuration();
  while (!stop_.WaitForNotificationWithTimeout(wait)) {
    wait = config.readiness_interval;
    std::string reason;
    try {
      if (conn == nullptr || !conn->is_open()) {
        conn = std::make_unique<pqxx::connection>(config.database_url);
      }
      pqxx::nontransaction n(*conn);
      pqxx::result r =
          n.exec_params(absl::StrCat("SELECT count(*) FROM ", n.quote_name(spec.name),
                                     ".schema_migrations WHERE name = ANY($1::text[])"),
                        needed_array);
      if (r[0][0].as<size_t>() < needed.size()) {
        reason = "the schema lacks migrations this binary needs: run the migration job";
      }
    } catch (const std::exception& e) {
      conn.reset();
      reason = "the database is unreachable";
    }
    const bool ready = reason.empty();
    SetReady(ready);
    // The replica's lag, for the gauge and its alert (a replica's state
    // does not decide readiness: reads fall back to the primary).
    if (db::ReadRouter* reads = runtime_->reads()) {
      absl::StatusOr<absl::Duration> lag = reads->Lag(absl::Now() + absl::Seconds(5));
      runtime_->metrics().SetReplicaLag(lag.ok() && *lag != absl::InfiniteDuration()
                                            ? absl::ToDoubleSeconds(*lag)
                                            : std::numeric_limits<double>::infinity());
    }
    if (ready != was_ready || reason != last_reason) {
      if (ready) {
        log::Info("ready", {{"service", name_}});
      } else {
        log::Warn("not ready", {{"service", name_}, {"reason", reason}});
      }
    }
    was_ready = ready;
    last_reason = reason;
  }
}

void Server::Shutdown(absl::Duration drain) {
  if (shut_down_ || server_ == nullptr) return;
  shut_down_ = true;
  stop_.Notify();
  if (gauges_.joinable()) gauges_.join();
  if (maintenance_.joinable()) maintenance_.join();
  if (readiness_.joinable()) readiness_.join();
  // Not ready while draining: the endpoint leaves the Service first.
  for (grpc::Server* server : {server_.get(), probe_.get()}) {
    if (server != nullptr) server->GetHealthCheckService()->SetServingStatus(false);
  }
  server_->Shutdown(std::chrono::system_clock::now() + absl::ToChronoSeconds(drain));
  server_->Wait();
  if (probe_ != nullptr) {
    probe_->Shutdown(std::chrono::system_clock::now());
    probe_->Wait();
  }
}

Server::~Server() {
  Shutdown(absl::ZeroDuration());
  server_.reset();
  probe_.reset();
  probe_service_.reset();
  service_.reset();
  echo_.reset();
  audit_.reset();
  privacy_.reset();
  events_.reset();
  runtime_.reset();  // joins the workers after the last call finished
}

}  // namespace touyan
