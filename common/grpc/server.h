// Starting a Touyan service: configuration checked at start, optional
// bootstrap and migrations, the gRPC server on the callback API over TLS with
// health and (optionally) reflection, a plaintext probe port that serves
// health and nothing else, /metrics on its own port, and a drain on
// SIGTERM/SIGINT. Health answers for "" (the process serves: liveness) and
// for the service's full name (readiness: NOT_SERVING while the database is
// unreachable or its schema lacks a migration this binary needs).
#ifndef TOUYAN_COMMON_GRPC_SERVER_H_
#define TOUYAN_COMMON_GRPC_SERVER_H_

#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/codegen/service_type.h>
#include <prometheus/exposer.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "common/config/config.h"
#include "common/crypto/sealed.h"
#include "common/db/distribution.h"
#include "common/db/migrate.h"
#include "common/grpc/privacy_service.h"
#include "common/grpc/runtime.h"
#include "common/grpc/tls.h"

namespace touyan {

// A service that keeps domain gauges (for alerts): the server calls
// RefreshGauges every --gauge-interval on a thread of its own, as a
// read-only principal of the deployment's scope.
class GaugeSource {
 public:
  virtual ~GaugeSource() = default;
  virtual absl::Status RefreshGauges(CallContext& call) = 0;
};

// A table keeping copies of cadres' names (a trainee's, an entrant's, an
// awardee's), and `update`: the statement that gives the copies of the
// anonymised cadres the name personnel's record keeps. It is given them as
// JSON in $1 ([{"id": "150902-42", "name": "…"}]), changes only copies that
// differ, and returns the county_code of each row it changed.
struct CopiedNames {
  std::string table;
  std::string update;
};

// The cadres whose records personnel anonymised, in the deployment's scope,
// as (id, name the record keeps); personnel's client has it.
using AnonymisedCadres =
    std::function<absl::StatusOr<std::vector<std::pair<std::string, std::string>>>(Runtime&,
                                                                                   CallContext&)>;

struct ServiceSpec {
  std::string name;  // "personnel": schema name and metrics/log label
  std::function<std::vector<db::Migration>()> migrations;
  std::vector<db::Statement> statements;  // prepared on every connection
  std::function<std::unique_ptr<grpc::Service>(Runtime&)> make_service;
  // The services it calls ("personnel"): each needs --<name>-target.
  std::vector<std::string> calls;
  // How its schema is distributed by county on Citus: the tables that are
  // not county-keyed (db::DistributionProblems checks it; deploy/README.md).
  db::DistributionPlan distribution;
  // The tables holding personal values sealed with the data keys
  // (--data-keys-file, required when there are any).
  std::vector<crypto::SealedTable> sealed;
  // What it holds about a cadre, for PrivacyService.ExportPersonalData, and
  // the services whose exports its own includes (all of them on incentive).
  std::vector<PersonalDataQuery> personal_data;
  std::vector<std::string> export_includes;
  // Anonymises, `batch` rows a transaction, the departed people of `scope`
  // whose data is past `retention` (personnel: cadres); returns how many.
  std::function<absl::StatusOr<int64_t>(db::Lease&, const db::Scope&, absl::Duration retention,
                                        int batch, absl::Time deadline)>
      anonymise_departed;
  // The copies of cadres' names it keeps, made to follow personnel's
  // anonymisation (asked through `anonymised_cadres`).
  std::vector<CopiedNames> copied_names;
  AnonymisedCadres anonymised_cadres;

  // "touyan.personnel.v1.PersonnelService": the name readiness is asked by.
  std::string FullName() const;
};

struct ServerConfig {
  std::string listen_host = "0.0.0.0";
  int grpc_port = 0;     // 0 = any free port
  int metrics_port = 0;  // 0 = any free port
  int health_port = -1;  // -1 = none; else a plaintext port serving health only (probes)
  std::string database_url;
  std::string database_read_url;  // --database-read-url: read-only calls read here; empty = primary
  db::ReplicaOptions replica;     // --max-replica-lag, --replica-wait
  std::string migration_database_url;     // set: migrate at start
  std::vector<std::string> county_roles;  // --county-roles: counties with roles of their own
  std::string admin_database_url;         // set: create roles and schema first (development)
  bool migrate_only = false;
  int workers = 8;
  int inline_calls = 1;  // --inline-calls: unary calls run on gRPC's own thread at once
  int stream_slots = 2;
  absl::Duration drain_timeout = absl::Seconds(10);
  auth::TokenConfig tokens;
  TlsConfig tls;
  bool reflection = true;  // server reflection on the API port
  absl::Duration readiness_interval = absl::Seconds(5);
  std::string page_token_key;
  bool bench_echo = false;  // expose touyan.bench.v1.EchoService (benchmarks only)
  std::map<std::string, std::string> downstream_targets;  // service name → gRPC target
  absl::Duration downstream_timeout = absl::Seconds(5);
  std::string scope;                 // the region this deployment serves (12 digits); empty = all
  bool transaction_pooling = false;  // --database-pooling=transaction
  absl::Duration gauge_interval = absl::Minutes(5);            // zero: no domain gauges
  absl::Duration idempotency_retention = absl::Hours(24 * 7);  // stored answers kept for retries
  absl::Duration audit_retention = absl::Hours(24 * 180);  // at least; whole months leave after it
  absl::Duration event_retention = absl::Hours(24 * 30);   // how far back a change stream resumes
  int max_watchers = 256;                                  // change streams served at once
  absl::Duration maintenance_interval = absl::Hours(1);    // purges; zero: never
  std::string
      data_keys_file;  // the data keys (crypto/keyring.h); required by services with sealed tables
  // A departed cadre's identifying data is kept this long after their last
  // post ended, then anonymised (at least the audit retention).
  absl::Duration departed_retention = absl::Hours(24 * 365 * 5);
};

// Reads and checks every setting (flags or environment) of service `name`,
// including the target of every service in `calls`.
absl::StatusOr<ServerConfig> LoadServerConfig(const Settings& settings, const std::string& name,
                                              const std::vector<std::string>& calls = {});

class Server {
 public:
  // Bootstraps and migrates when configured, then listens.
  static absl::StatusOr<std::unique_ptr<Server>> Start(const ServiceSpec& spec,
                                                       const ServerConfig& config,
                                                       const Clock* clock = &Clock::Real());
  ~Server();

  int grpc_port() const { return grpc_port_; }
  int metrics_port() const { return metrics_port_; }
  int health_port() const { return health_port_; }
  Runtime& runtime() { return *runtime_; }

  // Purges the stored answers older than --idempotency-retention that this
  // deployment reaches, in small batches (also every --maintenance-interval
  // on a thread of its own). Returns how many.
  absl::StatusOr<int64_t> PurgeIdempotency();
  // Makes the audit trail's month partitions ahead and drops the months
  // wholly past --audit-retention (also every --maintenance-interval).
  // Returns how many months were dropped.
  absl::StatusOr<int> MaintainAudit();
  // Re-seals, in small batches, the personal values sealed under a data key
  // other than the current one or still in plaintext (also at start and
  // every --maintenance-interval). Returns how many rows.
  absl::StatusOr<int64_t> ResealData();
  // Anonymises the departed cadres past --departed-retention (personnel),
  // or the copies of anonymised cadres' names this service keeps (the
  // others); also every --maintenance-interval. Returns how many rows.
  absl::StatusOr<int64_t> AnonymiseDeparted();

  // Stops accepting calls, lets in-flight calls finish until `drain`, then
  // cancels the rest.
  void Shutdown(absl::Duration drain);

 private:
  Server() = default;
  std::unique_ptr<Runtime> runtime_;
  std::unique_ptr<grpc::Service> service_;
  std::unique_ptr<grpc::Service> echo_;
  std::unique_ptr<grpc::Service> audit_;    // touyan.audit.v1.AuditService
  std::unique_ptr<grpc::Service> privacy_;  // touyan.privacy.v1.PrivacyService
  std::unique_ptr<grpc::Service> events_;   // touyan.events.v1.EventService
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<grpc::Server> probe_;                          // health only, plaintext
  std::unique_ptr<grpc::CallbackGenericService> probe_service_;  // UNIMPLEMENTED for the rest
  std::unique_ptr<prometheus::Exposer> exposer_;
  void RefreshGaugesEvery(GaugeSource* source, ServerConfig config);
  // Sets the service name's health on both servers from the database's state.
  void WatchReadiness(ServiceSpec spec, ServerConfig config);
  void SetReady(bool ready);
  static constexpr int kPurgeBatch = 500;
  std::thread gauges_, readiness_, maintenance_;
  absl::Duration retention_, audit_retention_;
  std::vector<crypto::SealedTable> sealed_;
  std::function<absl::StatusOr<int64_t>(db::Lease&, const db::Scope&, absl::Duration, int,
                                        absl::Time)>
      anonymise_;
  absl::Duration departed_retention_;
  std::vector<CopiedNames> copied_names_;
  AnonymisedCadres anonymised_cadres_;
  std::string principal_scope_;  // the deployment's region (12 digits) for in-process principals
  std::string config_scope_;     // the deployment's county-level prefix; empty = every region
  absl::Notification stop_;
  std::string name_, full_name_;
  int grpc_port_ = 0;
  int metrics_port_ = 0;
  int health_port_ = 0;
  bool shut_down_ = false;
};

// A service's main(): returns the process exit code.
int ServerMain(int argc, char** argv, const ServiceSpec& spec);

}  // namespace touyan

#endif  // TOUYAN_COMMON_GRPC_SERVER_H_
