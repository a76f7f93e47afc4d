// ServerMain: a service binary's main(), its usage text and signals.
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/impl/server_builder_option.h>
#include <malloc.h>
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
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
  --inline-calls=N                unary calls run at once on the gRPC thread that received them,
                                  without a hand-off to a worker (default 1; 0 on one core)
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
  --event-retention=DURATION      how far back a change stream (WatchEvents) may resume (default
                                  720h = 30 days; at most --audit-retention)
  --max-watchers=N                change streams served at once (default 256)
  --maintenance-interval=DURATION how often answers and audit months past retention are purged,
                                  values under an old data key re-sealed and departed cadres
                                  anonymised (default 1h; 0 = never)
  --departed-retention=DURATION   how long a departed cadre's identifying data is kept after their
                                  last post ended (default 43800h = 5 years; at least
                                  --audit-retention and --idempotency-retention)
)";
// Memory freed is kept for the next call instead of going back to the
// kernel. On the virtual machines measured, the first touch of a page cost
// ~35 µs (a 1 MB buffer took 10 ms the first time, 1 ms after), and glibc's
// defaults made a large call's memory new again and again: blocks over the
// mmap threshold (128 KB, rising only as such blocks are freed) mapped and
// unmapped, up to 8 arenas per core each warmed apart, the heap's free top
// returned. So: one arena per core, blocks up to
// 32 MB from the heap, and the heap trimmed only past 256 MB free (a
// server's memory stays at its peak, up to that). Closing a 4,247-entry
// round (B5): 0.21-0.24 s before, 0.15 s after. When GLIBC_TUNABLES is set
// it decides, and these are not applied.
void KeepFreedMemory() {
  if (std::getenv("GLIBC_TUNABLES") != nullptr) return;
  mallopt(M_ARENA_MAX, static_cast<int>(std::max(2u, std::thread::hardware_concurrency())));
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
}
}  // namespace

int ServerMain(int argc, char** argv, const ServiceSpec& spec) {
  KeepFreedMemory();
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
  absl::StatusOr<ServerConfig> config = settings.ok()
                                            ? LoadServerConfig(*settings, spec.name, spec.calls)
                                            : absl::StatusOr<ServerConfig>(settings.status());
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
  log::Info("listening",
            {{"service", spec.name},
             {"grpc", absl::StrCat(config->listen_host, ":", (*server)->grpc_port())},
             {"metrics", absl::StrCat(config->listen_host, ":", (*server)->metrics_port())},
             {"health", (*server)->health_port() > 0
                            ? absl::StrCat(config->listen_host, ":", (*server)->health_port())
                            : std::string("none")},
             {"tls", config->tls.insecure ? "off" : "on"}});
  int sig = 0;
  sigwait(&signals, &sig);
  log::Info("draining", {{"service", spec.name},
                         {"signal", std::to_string(sig)},
                         {"deadline", absl::FormatDuration(config->drain_timeout)}});
  (*server)->Shutdown(config->drain_timeout);
  server->reset();
  log::Info("stopped", {{"service", spec.name}});
  return 0;
}

}  // namespace touyan
