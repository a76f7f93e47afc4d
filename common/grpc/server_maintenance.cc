// What a server does on threads of its own besides serving: domain gauges,
// and every --maintenance-interval the purges, re-sealing and anonymising.
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/impl/server_builder_option.h>
#include <signal.h>

#include <algorithm>
#include <cstdio>
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
#include "common/grpc/server.h"
#include "common/log/log.h"
#include "common/status/status.h"
#include "touyan/bench/v1/echo.grpc.pb.h"

namespace touyan {

void Server::RefreshGaugesEvery(GaugeSource* source, ServerConfig config) {
  const std::string scope = config.scope.empty() ? "000000000000" : config.scope;
  absl::Duration wait = absl::Seconds(2);  // the first soon after start, then every interval
  while (!stop_.WaitForNotificationWithTimeout(wait)) {
    wait = config.gauge_interval;
    // An in-process principal: no token; the services it calls know it by
    // this service's certificate (read-only, the deployment's scope).
    absl::StatusOr<auth::Principal> p =
        auth::Principal::Make(name_ + "-gauges", auth::Role::kAuditor, scope);
    if (!p.ok()) return;
    absl::Status status;
    try {
      CallContext call(*runtime_, *p, absl::Now() + absl::Minutes(1), "RefreshGauges");
      status = source->RefreshGauges(call);
    } catch (const std::exception& e) {
      status = db::FromException(e);
    }
    if (!status.ok()) {
      log::Warn("gauges not refreshed",
                {{"service", name_}, {"error", std::string(status.message())}});
    }
  }
}

namespace {

// A maintenance task on a connection of the pool: its failure logged as
// `failed` (no data is lost: the next round tries again), how much it did as
// `done` with `unit` when it did anything.
template <typename T>
absl::StatusOr<T> Maintenance(Runtime& rt, const std::string& service, const char* failed,
                              const char* done, const char* unit,
                              absl::FunctionRef<absl::StatusOr<T>(db::Lease&)> task) {
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
  return Maintenance<int64_t>(*runtime_, name_, "stored answers not purged",
                              "stored answers purged", "rows", [&](db::Lease& lease) {
                                return idempotency::Purge(lease, scope, retention_, kPurgeBatch,
                                                          absl::Now() + absl::Minutes(5));
                              });
}

absl::StatusOr<int> Server::MaintainAudit() {
  return Maintenance<int>(
      *runtime_, name_, "audit partitions not maintained", "audit months past retention dropped",
      "partitions", [&](db::Lease& lease) -> absl::StatusOr<int> {
        pqxx::nontransaction n(lease.conn());
        return n
            .exec_prepared("touyan_audit_maintain", absl::ToDoubleSeconds(audit_retention_))[0][0]
            .as<int>();
      });
}

absl::StatusOr<int64_t> Server::ResealData() {
  const crypto::Keyring* keys = runtime_->keys();
  if (keys == nullptr || sealed_.empty()) return 0;
  const db::Scope scope{config_scope_.empty() ? "*" : config_scope_, true};
  return Maintenance<int64_t>(
      *runtime_, name_, "personal data not re-sealed", "personal data re-sealed", "rows",
      [&](db::Lease& lease) -> absl::StatusOr<int64_t> {
        int64_t n = 0;
        for (const crypto::SealedTable& t : sealed_) {
          ASSIGN_OR_RETURN(int64_t done, crypto::Reseal(lease, scope, *keys, t, kPurgeBatch,
                                                        absl::Now() + absl::Minutes(5)));
          n += done;
        }
        return n;
      });
}

absl::StatusOr<int64_t> Server::AnonymiseDeparted() {
  const db::Scope scope{config_scope_.empty() ? "*" : config_scope_, true};
  if (anonymise_) {
    return Maintenance<int64_t>(*runtime_, name_, "departed cadres not anonymised",
                                "departed cadres anonymised", "cadres", [&](db::Lease& lease) {
                                  return anonymise_(lease, scope, departed_retention_, kPurgeBatch,
                                                    absl::Now() + absl::Minutes(5));
                                });
  }
  if (copied_names_.empty() || !anonymised_cadres_) return 0;
  // Asked as the service itself: read-only, the deployment's scope.
  ASSIGN_OR_RETURN(
      auth::Principal p,
      auth::Principal::Make(name_ + "-maintenance", auth::Role::kAuditor, principal_scope_));
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> cadres;
  try {
    CallContext call(*runtime_, p, absl::Now() + absl::Minutes(1), "AnonymiseDeparted");
    cadres = anonymised_cadres_(*runtime_, call);
  } catch (const std::exception& e) {
    cadres = db::FromException(e);
  }
  if (!cadres.ok()) {
    log::Warn("copied names not anonymised",
              {{"service", name_}, {"error", std::string(cadres.status().message())}});
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
            [&](auto step) {
              return db::RunTransaction(lease, scope, absl::Now() + absl::Minutes(5), step);
            },
            [&](db::Tx& tx) -> absl::StatusOr<int64_t> {
              int64_t n = 0;
              for (const CopiedNames& c : copied_names_) {
                // Audited per county and table, as personnel audits the records.
                n += tx.exec_params1(
                           absl::StrCat(
                               "WITH u AS (", c.update,
                               "), "
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

}  // namespace touyan
