// LoadServerConfig: every flag (or environment variable) of a service,
// checked at start.
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/impl/server_builder_option.h>
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <string_view>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "common/grpc/audit_service.h"
#include "common/grpc/server.h"
#include "common/log/log.h"
#include "common/status/status.h"
#include "touyan/bench/v1/echo.grpc.pb.h"

namespace touyan {
namespace {

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

absl::StatusOr<ServerConfig> LoadServerConfig(const Settings& s, const std::string& name,
                                              const std::vector<std::string>& calls) {
  ServerConfig c;
  c.listen_host = s.String("listen-host", c.listen_host);
  ASSIGN_OR_RETURN(c.grpc_port, s.Int("grpc-port", 50051, 0, 65535));
  ASSIGN_OR_RETURN(c.metrics_port, s.Int("metrics-port", 9090, 0, 65535));
  ASSIGN_OR_RETURN(c.health_port, s.Int("health-port", -1, -1, 65535));
  ASSIGN_OR_RETURN(c.database_url, s.Required("database-url",
                                              "the service role's Postgres URL, e.g. "
                                              "postgresql://personnel_app:…@host/touyan"));
  c.database_read_url = s.String("database-read-url", "");
  ASSIGN_OR_RETURN(c.replica.max_lag, s.Duration("max-replica-lag", c.replica.max_lag));
  ASSIGN_OR_RETURN(c.replica.wait, s.Duration("replica-wait", c.replica.wait));
  if (c.replica.max_lag < absl::ZeroDuration() || c.replica.wait < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--max-replica-lag and --replica-wait must not be negative");
  }
  c.migration_database_url = s.String("migration-database-url", "");
  c.admin_database_url = s.String("admin-database-url", "");
  c.county_roles = List(s.String("county-roles", ""));
  for (const std::string& code : c.county_roles) {
    if (code.size() != 6 ||
        !std::all_of(code.begin(), code.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
      return absl::InvalidArgumentError(
          absl::StrCat("--county-roles: ", code, " is not a 6-digit county code"));
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
  // One where gRPC has a thread to spare for the network; none on one core.
  ASSIGN_OR_RETURN(c.inline_calls,
                   s.Int("inline-calls", std::thread::hardware_concurrency() >= 2 ? 1 : 0, 0, 64));
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
    return absl::InvalidArgumentError(
        absl::StrCat("--database-pooling=", pooling, " must be session or transaction"));
  }
  c.transaction_pooling = pooling == "transaction";
  c.scope = s.String("scope", "");
  if (!c.scope.empty() && !auth::RegionPrefix(c.scope).ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--scope=", c.scope, " is not a 12-digit region code"));
  }
  ASSIGN_OR_RETURN(c.gauge_interval, s.Duration("gauge-interval", absl::Minutes(5)));
  ASSIGN_OR_RETURN(c.idempotency_retention,
                   s.Duration("idempotency-retention", absl::Hours(24 * 7)));
  if (c.idempotency_retention < absl::Hours(1)) {
    return absl::InvalidArgumentError(
        "--idempotency-retention must be at least 1h: a client's retries must still find their "
        "answer");
  }
  ASSIGN_OR_RETURN(c.maintenance_interval, s.Duration("maintenance-interval", absl::Hours(1)));
  ASSIGN_OR_RETURN(c.audit_retention, s.Duration("audit-retention", absl::Hours(24 * 180)));
  if (c.audit_retention < absl::Hours(24 * 180)) {
    return absl::InvalidArgumentError(
        "--audit-retention must be at least 4320h (180 days): audit records are kept six months at "
        "least");
  }
  ASSIGN_OR_RETURN(c.event_retention, s.Duration("event-retention", absl::Hours(24 * 30)));
  if (c.event_retention < absl::Hours(1) || c.event_retention > c.audit_retention) {
    return absl::InvalidArgumentError(
        "--event-retention must be from 1h to --audit-retention: the change stream is read from "
        "the audit trail");
  }
  ASSIGN_OR_RETURN(c.max_watchers, s.Int("max-watchers", 256, 1, 100000));

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
        "--departed-retention must be at least --audit-retention and --idempotency-retention: the "
        "audit "
        "trail and the answers kept for retries about a departed cadre leave before their record "
        "is anonymised");
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

}  // namespace touyan
