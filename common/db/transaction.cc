#include "common/db/transaction.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/status/status.h"

namespace touyan::db {
namespace {
constexpr char kScopeStatement[] = "touyan_set_scope";
constexpr int kMaxSerializationRetries = 3;
}  // namespace

Statement ScopeStatement() {
  return {kScopeStatement,
          "SELECT set_config('touyan.county_prefix', $1, true),"
          " set_config('touyan.writable', $2, true),"
          " set_config('statement_timeout', $3, true)"};
}

int64_t TimeoutMillis(absl::Time deadline) {
  absl::Duration left = deadline - absl::Now();
  left = std::clamp(left, absl::Milliseconds(1), absl::Minutes(10));
  return absl::ToInt64Milliseconds(left);
}

absl::Status FromException(const std::exception& e) {
  if (dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr) {
    return WithReason(absl::UnavailableError(
                          "the database connection was lost while committing; the outcome is "
                          "unknown: retry with the same request_id"),
                      "COMMIT_IN_DOUBT");
  }
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) {
    return WithReason(absl::UnavailableError("the database connection was lost; retry"),
                      "DATABASE_UNAVAILABLE");
  }
  if (const auto* se = dynamic_cast<const pqxx::sql_error*>(&e)) {
    const std::string code = se->sqlstate();
    std::string msg = se->what();
    if (auto nl = msg.find('\n'); nl != std::string::npos) msg.resize(nl);
    if (code == "23505") return WithReason(absl::AlreadyExistsError(msg), "ALREADY_EXISTS");
    if (code == "23503") return WithReason(absl::FailedPreconditionError(msg), "REFERENCE_MISSING");
    if (code == "23514" || absl::StartsWith(code, "22")) {
      return WithReason(absl::InvalidArgumentError(msg), "CONSTRAINT_VIOLATED");
    }
    if (code == "40001" || code == "40P01") {
      return WithReason(absl::AbortedError("concurrent update; retry"), "CONFLICT");
    }
    if (code == "42501") {
      return WithReason(absl::PermissionDeniedError("row is outside the caller's scope"),
                        "OUT_OF_SCOPE");
    }
    if (code == "57014") return absl::DeadlineExceededError("the database query ran out of time");
    if (absl::StartsWith(code, "08") || absl::StartsWith(code, "57P")) {
      return WithReason(absl::UnavailableError("the database is unavailable; retry"),
                        "DATABASE_UNAVAILABLE");
    }
    log::Error("unexpected database error", {{"sqlstate", code}, {"error", msg}});
    return absl::InternalError("internal database error");
  }
  log::Error("unexpected error", {{"error", e.what()}});
  return absl::InternalError("internal error");
}

void ApplyScope(pqxx::work& tx, const Scope& scope, absl::Time deadline) {
  tx.exec_prepared(kScopeStatement, scope.county_prefix, scope.writable ? "on" : "off",
                   std::to_string(TimeoutMillis(deadline)));
}

absl::Status RunTransaction(Lease& lease, const Scope& scope, absl::Time deadline,
                            absl::FunctionRef<absl::Status(pqxx::work&)> body) {
  bool reconnected = false;
  for (int attempt = 0;; ++attempt) {
    bool committing = false;
    absl::Status result;
    try {
      pqxx::work tx(lease.conn());
      ApplyScope(tx, scope, deadline);
      result = body(tx);
      if (result.ok()) {
        committing = true;
        tx.commit();
      }
      return result;
    } catch (const pqxx::broken_connection& e) {
      lease.MarkBroken();
      if (committing || reconnected || absl::Now() > deadline) return FromException(e);
      reconnected = true;
      RETURN_IF_ERROR(lease.Reconnect());
    } catch (const pqxx::in_doubt_error& e) {
      lease.MarkBroken();
      return FromException(e);
    } catch (const pqxx::sql_error& e) {
      const std::string code = e.sqlstate();
      bool retry = (code == "40001" || code == "40P01") && attempt < kMaxSerializationRetries;
      if (!retry) {
        if (absl::StartsWith(code, "57P") || absl::StartsWith(code, "08")) lease.MarkBroken();
        return FromException(e);
      }
    } catch (const std::exception& e) {
      return FromException(e);
    }
  }
}

}  // namespace touyan::db
