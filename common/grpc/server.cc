#include "common/grpc/server.h"

#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <string_view>

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/impl/server_builder_option.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "common/log/log.h"
#include "common/grpc/audit_service.h"
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
        Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                            "the probe port serves grpc.health.v1 only; call the API on the gRPC port"));
      }
      void OnDone() override { delete this; }
    };
    return new Refuse;
  }
};

std::vector<std::string> List(const std::string& csv) {
  std::vector<std::string> out;
  for (absl::string_view v : absl::StrSplit(csv, ',', absl::SkipWhitespace())) {
    out.emplace_back(absl::StripAsciiWhitespace(v));
  }
  return out;
}

absl::StatusOr<std::string> ReadSecretFile(const std::string& path, const char* flag) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(path, absl::StrCat("--", flag)));
  return std::string(absl::StripAsciiWhitespace(text));
}

}  // namespace

std::string ServiceSpec::FullName() const {
  std::string cap = name;
  if (!cap.empty()) cap[0] = absl::ascii_toupper(cap[0]);
  return absl::StrCat("touyan.", name, ".v1.", cap, "Service");
}

absl::StatusOr<ServerConfig> LoadServerConfig(const Settings& s, const std::string& name,
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
  c.county_roles = List(s.String("county-roles", ""));
  for (const std::string& code : c.county_roles) {
    if (code.size() != 6 || !std::all_of(code.begin(), code.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
      return absl::InvalidArgumentError(absl::StrCat("--county-roles: ", code, " is not a 6-digit county code"));
    }
  }
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
  ASSIGN_OR_RETURN(c.idempotency_retention, s.Duration("idempotency-retention", absl::Hours(24 * 7)));
  if (c.idempotency_retention < absl::Hours(1)) {
    return absl::InvalidArgumentError(
        "--idempotency-retention must be at least 1h: a client's retries must still find their answer");
  }
  ASSIGN_OR_RETURN(c.maintenance_interval, s.Duration("maintenance-interval", absl::Hours(1)));
  ASSIGN_OR_RETURN(c.audit_retention, s.Duration("audit-retention", absl::Hours(24 * 180)));
  if (c.audit_retention < absl::Hours(24 * 180)) {
    return absl::InvalidArgumentError(
        "--audit-retention must be at least 4320h (180 days): audit records are kept six months at least");
  }

  // Tokens: verified with the identity provider's public keys.
  c.tokens.jwks_file = s.String("jwks-file", "");
  c.tokens.issuer = s.String("token-issuer", c.tokens.issuer);
  c.tokens.audiences = List(s.String("token-audience", "touyan-" + name));
  if (auto algs = s.Get("token-algorithms")) c.tokens.algorithms = List(*algs);
  ASSIGN_OR_RETURN(c.tokens.max_lifetime, s.Duration("token-max-lifetime", c.tokens.max_lifetime));
  ASSIGN_OR_RETURN(c.tokens.leeway, s.Duration("token-leeway", c.tokens.leeway));
  c.tokens.subject_claim = s.String("token-subject-claim", c.tokens.subject_claim);
  c.tokens.role_claim = s.String("token-role-claim", c.tokens.role_claim);
  c.tokens.scope_claim = s.String("token-scope-claim", c.tokens.scope_claim);
  // Transport: TLS unless plaintext is asked for by name.
  ASSIGN_OR_RETURN(c.tls.insecure, s.Bool("insecure", false));
  c.tls.cert_file = s.String("tls-cert-file", "");
  c.tls.key_file = s.String("tls-key-file", "");
  c.tls.ca_file = s.String("tls-ca-file", "");
  ASSIGN_OR_RETURN(c.tls.reload_interval, s.Duration("tls-reload-interval", c.tls.reload_interval));
  ASSIGN_OR_RETURN(c.reflection, s.Bool("reflection", true));
  ASSIGN_OR_RETURN(c.readiness_interval, s.Duration("readiness-interval", c.readiness_interval));
  // Page tokens are signed so that a client cannot forge a cursor; every
  // replica of a deployment needs the same key.
  if (auto file = s.Get("page-token-key-file")) {
    ASSIGN_OR_RETURN(c.page_token_key, ReadSecretFile(*file, "page-token-key-file"));
  } else {
    c.page_token_key = s.String("page-token-key", "");
  }
  c.data_keys_file = s.String("data-keys-file", "");
  ASSIGN_OR_RETURN(c.departed_retention, s.Duration("departed-retention", c.departed_retention));
  if (c.departed_retention < c.audit_retention || c.departed_retention < c.idempotency_retention) {
    return absl::InvalidArgumentError(
        "--departed-retention must be at least --audit-retention and --idempotency-retention: the audit "
        "trail and the answers kept for retries about a departed cadre leave before their record is anonymised");
  }
  if (auto unused = s.Unused(); !unused.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("unknown flag --", unused.front()));
  }
  if (c.migrate_only) return c;  // a migration job serves nothing: no keys, no certificates
  RETURN_IF_ERROR(auth::ValidateTokenConfig(c.tokens));
  RETURN_IF_ERROR(ValidateServerTls(c.tls));
  if (c.page_token_key.size() < 16) {
    return absl::InvalidArgumentError(
        "--page-token-key-file (or PAGE_TOKEN_KEY) is required: at least 16 bytes shared by every "
        "replica of the deployment, e.g. `openssl rand -hex 32`");
  }
  return c;
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
  ro.pool = db::PoolOptions{config.database_url, spec.name, config.workers + config.stream_slots,
                            spec.statements, config.transaction_pooling};
  ro.workers = config.workers;
  ro.stream_slots = config.stream_slots;
  ro.tokens = config.tokens;
  ro.page_key = config.page_token_key;
  ro.clock = clock;
  ro.downstream_targets = config.downstream_targets;
  ro.downstream_timeout = config.downstream_timeout;
  ro.tls = config.tls;
  ro.scope = config.scope;
  ro.keys = keys;
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
    return absl::UnavailableError(absl::StrCat("cannot serve metrics on port ",
                                               config.metrics_port, ": ", e.what()));
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
  s->privacy_ = std::make_unique<PrivacyService>(*s->runtime_, spec.personal_data, spec.export_includes);
  builder.RegisterService(s->privacy_.get());
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
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", config.listen_host, ":", config.grpc_port,
                     " (is the port in use?)"));
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
  for (const db::Migration& m : db::CommonMigrations()) needed.push_back("\"common/" + m.name + "\"");
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
      pqxx::result r = n.exec_params(
          absl::StrCat("SELECT count(*) FROM ", n.quote_name(spec.name),
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

void Server::RefreshGaugesEvery(GaugeSource* source, ServerConfig config) {
  const std::string scope = config.scope.empty() ? "000000000000" : config.scope;
  absl::Duration wait = absl::Seconds(2);  // the first soon after start, then every interval
  while (!stop_.WaitForNotificationWithTimeout(wait)) {
    wait = config.gauge_interval;
    // An in-process principal: no token; the services it calls know it by
    // this service's certificate (read-only, the deployment's scope).
    absl::StatusOr<auth::Principal> p = auth::Principal::Make(name_ + "-gauges", auth::Role::kAuditor, scope);
    if (!p.ok()) return;
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

namespace {

// A maintenance task on a connection of the pool: its failure logged as
// `failed` (no data is lost: the next round tries again), how much it did as
// `done` with `unit` when it did anything.
template <typename T>
absl::StatusOr<T> Maintenance(Runtime& rt, const std::string& service, const char* failed, const char* done,
                              const char* unit, absl::FunctionRef<absl::StatusOr<T>(db::Lease&)> task) {
  absl::StatusOr<T> result;
  try {
    absl::StatusOr<db::Lease> lease = rt.pool().Acquire(absl::Now() + absl::Seconds(30));
    result = lease.ok() ? task(*lease) : absl::StatusOr<T>(lease.status());
  } catch (const std::exception& e) {
    result = db::FromException(e);
  }
  if (!result.ok()) {
    log::Warn(failed, {{"service", service}, {"error", std::string(result.status().message())}});
  } else if (*result > 0) {
    log::Info(done, {{"service", service}, {unit, std::to_string(*result)}});
  }
  return result;
}

}  // namespace

absl::StatusOr<int64_t> Server::PurgeIdempotency() {
  const db::Scope scope{config_scope_.empty() ? "*" : config_scope_, true};
  return Maintenance<int64_t>(*runtime_, name_, "stored answers not purged", "stored answers purged", "rows",
                              [&](db::Lease& lease) {
                                return idempotency::Purge(lease, scope, retention_, kPurgeBatch,
                                                          absl::Now() + absl::Minutes(5));
                              });
}

absl::StatusOr<int> Server::MaintainAudit() {
  return Maintenance<int>(*runtime_, name_, "audit partitions not maintained",
                          "audit months past retention dropped", "partitions",
                          [&](db::Lease& lease) -> absl::StatusOr<int> {
                            pqxx::nontransaction n(lease.conn());
                            return n.exec_prepared("touyan_audit_maintain", absl::ToDoubleSeconds(audit_retention_))[0][0]
                                .as<int>();
                          });
}

absl::StatusOr<int64_t> Server::ResealData() {
  const crypto::Keyring* keys = runtime_->keys();
  if (keys == nullptr || sealed_.empty()) return 0;
  const db::Scope scope{config_scope_.empty() ? "*" : config_scope_, true};
  return Maintenance<int64_t>(*runtime_, name_, "personal data not re-sealed", "personal data re-sealed",
                              "rows", [&](db::Lease& lease) -> absl::StatusOr<int64_t> {
                                int64_t n = 0;
                                for (const crypto::SealedTable& t : sealed_) {
                                  ASSIGN_OR_RETURN(int64_t done,
                                                   crypto::Reseal(lease, scope, *keys, t, kPurgeBatch,
                                                                  absl::Now() + absl::Minutes(5)));
                                  n += done;
                                }
                                return n;
                              });
}

absl::StatusOr<int64_t> Server::AnonymiseDeparted() {
  const db::Scope scope{config_scope_.empty() ? "*" : config_scope_, true};
  if (anonymise_) {
    return Maintenance<int64_t>(*runtime_, name_, "departed cadres not anonymised", "departed cadres anonymised",
                                "cadres", [&](db::Lease& lease) {
                                  return anonymise_(lease, scope, departed_retention_, kPurgeBatch,
                                                    absl::Now() + absl::Minutes(5));
                                });
  }
  if (copied_names_.empty() || !anonymised_cadres_) return 0;
  // Asked as the service itself: read-only, the deployment's scope.
  ASSIGN_OR_RETURN(auth::Principal p,
                   auth::Principal::Make(name_ + "-maintenance", auth::Role::kAuditor, principal_scope_));
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> cadres;
  try {
    CallContext call(*runtime_, p, absl::Now() + absl::Minutes(1), "AnonymiseDeparted");
    cadres = anonymised_cadres_(*runtime_, call);
  } catch (const std::exception& e) {
    cadres = db::FromException(e);
  }
  if (!cadres.ok()) {
    log::Warn("copied names not anonymised", {{"service", name_}, {"error", std::string(cadres.status().message())}});
    return cadres.status();
  }
  if (cadres->empty()) return 0;
  nlohmann::json given = nlohmann::json::array();
  for (const auto& [id, name] : *cadres) given.push_back({{"id", id}, {"name", name}});
  const std::string json = given.dump();
  return Maintenance<int64_t>(
      *runtime_, name_, "copied names not anonymised", "copied names anonymised", "rows",
      [&](db::Lease& lease) {
        return db::Collect<int64_t>(
            [&](auto step) { return db::RunTransaction(lease, scope, absl::Now() + absl::Minutes(5), step); },
            [&](db::Tx& tx) -> absl::StatusOr<int64_t> {
              int64_t n = 0;
              for (const CopiedNames& c : copied_names_) {
                // Audited per county and table, as personnel audits the records.
                n += tx.exec_params1(absl::StrCat("WITH u AS (", c.update, "), "
                                                  "log AS (INSERT INTO audit_log (county_code, subject, role, method, "
                                                  "resource, request_id, after) SELECT county_code, $2, 'service', "
                                                  "'AnonymiseDeparted', $3, 'anonymise-' || current_date, "
                                                  "jsonb_build_object('names_anonymised', count(*)) FROM u "
                                                  "GROUP BY county_code) SELECT count(*) FROM u"),
                                     json, name_ + "-maintenance", c.table)[0]
                         .as<int64_t>();
              }
              return n;
            });
      });
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
  runtime_.reset();  // joins the workers after the last call finished
}

namespace {
constexpr char kUsage[] = R"(usage: %s_server [--flag=value ...]
Every flag may also come from the environment: --grpc-port is GRPC_PORT.

  --database-url=URL              the service role's Postgres URL (required; sslmode=verify-full
                                  and sslrootcert=FILE for verified TLS)
  --jwks-file=FILE                the identity provider's public keys, a JWK Set (required);
                                  re-read when it changes, so keys roll over without a restart
  --token-issuer=ISS              accepted iss (default touyan)
  --token-audience=A,B            accepted aud, any one of them (default touyan-<service>)
  --token-algorithms=LIST         accepted algorithms (default ES256,RS256,EdDSA)
  --token-max-lifetime=DURATION   longest exp - iat accepted (default 12h)
  --token-leeway=DURATION         clock skew allowed on exp, nbf, iat (default 30s)
  --token-subject-claim, --token-role-claim, --token-scope-claim
                                  claims (dotted paths) holding subject, role, region scope
                                  (default sub, role, scope)
  --tls-cert-file, --tls-key-file PEM certificate and key: served, and shown to services called
  --tls-ca-file=FILE              CA verifying client certificates and the services called
  --tls-reload-interval=DURATION  how often the certificate files are checked (default 10s)
  --insecure                      plaintext gRPC instead (development only; logs a warning)
  --reflection=BOOL               server reflection on the API port (default true)
  --page-token-key-file=FILE      key signing page tokens, the same for every replica (or PAGE_TOKEN_KEY)
  --data-keys-file=FILE           the data keys sealing personal data (personnel, incentive: required);
                                  see README "Personal data at rest"
  --listen-host=ADDR              bind address (default 0.0.0.0)
  --grpc-port=N                   the API, health and reflection (default 50051; 0 = any free port)
  --metrics-port=N                Prometheus /metrics (default 9090; 0 = any free port)
  --health-port=N                 a plaintext port serving grpc.health.v1 only, for probes:
                                  "" = live, the service's full name = ready
  --readiness-interval=DURATION   how often readiness asks the database (default 5s)
  --workers=N                     worker threads, one database connection each (default 8)
  --stream-slots=N                streaming imports at once (default 2)
  --drain-timeout=DURATION        SIGTERM waits this long for in-flight calls (default 10s)
  --migration-database-url=URL    the schema owner's URL: apply migrations before serving
  --migrate-only                  apply migrations and exit
  --county-roles=CODE,CODE        with migrations: the counties whose deployments log in as
                                  <app role>_<code>, bound to that county by row-level security
  --admin-database-url=URL        development: create the roles and the schema first
  --bench-echo                    also serve touyan.bench.v1.EchoService (benchmarks only)
  --<service>-target=HOST:PORT    where a service this one calls listens (training: --personnel-target)
  --downstream-timeout=DURATION   longest wait for a call to another service (default 5s)
  --database-pooling=MODE         session (default: a connection per worker, direct or session pooler)
                                  or transaction (behind PgBouncer in transaction mode)
  --scope=REGION                  the region this deployment serves: callers are narrowed to it,
                                  and those outside it refused (default: every region)
  --gauge-interval=DURATION       how often domain gauges are recomputed (default 5m; 0 = never)
  --idempotency-retention=DURATION  how long stored answers wait for retries (default 168h = 7 days)
  --audit-retention=DURATION      how long audit records are kept at least (default and minimum
                                  4320h = 180 days); whole months past it are dropped
  --maintenance-interval=DURATION how often answers and audit months past retention are purged,
                                  values under an old data key re-sealed and departed cadres
                                  anonymised (default 1h; 0 = never)
  --departed-retention=DURATION   how long a departed cadre's identifying data is kept after their
                                  last post ended (default 43800h = 5 years; at least
                                  --audit-retention and --idempotency-retention)
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
      settings.ok() ? LoadServerConfig(*settings, spec.name, spec.calls) : absl::StatusOr<ServerConfig>(settings.status());
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
                                                   (*server)->metrics_port())},
                          {"health", (*server)->health_port() > 0
                                         ? absl::StrCat(config->listen_host, ":", (*server)->health_port())
                                         : std::string("none")},
                          {"tls", config->tls.insecure ? "off" : "on"}});
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
