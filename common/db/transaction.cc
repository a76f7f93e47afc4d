#include "common/db/transaction.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/crypto/sealed.h"
#include "common/log/log.h"
#include "common/status/status.h"

namespace touyan::db {
namespace {
constexpr char kSessionStatement[] = "touyan_set_session";
constexpr char kLocalStatement[] = "touyan_set_local";
constexpr int kMaxSerializationRetries = 3;
}  // namespace

Statement SessionStatement() {
  return {kSessionStatement,
          "SELECT set_config('touyan.county_prefix', $1, false),"
          " set_config('touyan.writable', $2, false),"
          " set_config('statement_timeout', $3, false)"};
}

Statement LocalStatement() {
  return {kLocalStatement,
          "SELECT set_config('touyan.county_prefix', $1, true),"
          " set_config('touyan.writable', $2, true),"
          " set_config('statement_timeout', $3, true),"
          " set_config('search_path', $4, true),"
          " set_config('plan_cache_mode', 'force_generic_plan', true),"
          " set_config('jit', 'off', true)"};
}

int64_t TimeoutMillis(absl::Time deadline) {
  absl::Duration left = deadline - absl::Now();
  left = std::clamp(absl::Ceil(left, absl::Seconds(1)), absl::Seconds(1), absl::Minutes(10));
  return absl::ToInt64Milliseconds(left);
}

absl::Status FromException(const std::exception& e) {
  if (dynamic_cast<const crypto::SealBroken*>(&e) != nullptr) {
    log::Error("a sealed value does not open", {{"error", e.what()}});
    return WithReason(absl::DataLossError(e.what()), "SEALED_VALUE_BROKEN");
  }
  if (dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr) {
    return WithReason(
        absl::UnavailableError("the database connection was lost while committing; the outcome is "
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

void ApplySession(Lease& lease, const Scope& scope, absl::Time deadline) {
  if (lease.options().transaction_pooling) return;  // set per transaction (ApplyLocal)
  const std::string timeout = std::to_string(TimeoutMillis(deadline));
  std::string key = absl::StrCat(scope.county_prefix, "|", scope.writable, "|", timeout);
  if (lease.session_key() == key) return;
  lease.set_session_key("");  // unknown until the statement succeeds
  pqxx::nontransaction n(lease.conn());
  n.exec_prepared(kSessionStatement, scope.county_prefix, scope.writable ? "on" : "off", timeout);
  lease.set_session_key(std::move(key));
}

void ApplyLocal(Lease& lease, const Scope& scope, absl::Time deadline, pqxx::transaction_base& tx) {
  if (!lease.options().transaction_pooling) return;
  tx.exec_prepared(kLocalStatement, scope.county_prefix, scope.writable ? "on" : "off",
                   std::to_string(TimeoutMillis(deadline)), lease.options().schema);
}

namespace {

// Runs `attempt` until it returns, retrying on a connection found dead
// before anything was committed (once) and on serialization failures.
absl::Status WithRetries(Lease& lease, absl::Time deadline,
                         absl::FunctionRef<absl::Status(bool* committing)> attempt) {
  bool reconnected = false;
  for (int tries = 0;; ++tries) {
    bool committing = false;
    try {
      return attempt(&committing);
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
      bool retry = (code == "40001" || code == "40P01") && tries < kMaxSerializationRetries;
      if (!retry) {
        if (absl::StartsWith(code, "57P") || absl::StartsWith(code, "08")) lease.MarkBroken();
        return FromException(e);
      }
    } catch (const std::exception& e) {
      return FromException(e);
    }
  }
}

}  // namespace

absl::Status RunTransaction(Lease& lease, const Scope& scope, absl::Time deadline,
                            absl::FunctionRef<absl::Status(Tx&)> body) {
  return WithRetries(lease, deadline, [&](bool* committing) {
    ApplySession(lease, scope, deadline);
    pqxx::work tx(lease.conn());
    ApplyLocal(lease, scope, deadline, tx);
    absl::Status result = body(tx);
    if (result.ok()) {
      *committing = true;
      tx.commit();
    }
    return result;
  });
}

absl::StatusOr<int64_t> RunBatches(Lease& lease, const Scope& scope, int batch, absl::Time deadline,
                                   absl::FunctionRef<int64_t(Tx&)> one) {
  int64_t total = 0;
  while (absl::Now() < deadline) {
    int64_t n = 0;
    RETURN_IF_ERROR(RunTransaction(lease, scope, deadline, [&](Tx& tx) -> absl::Status {
      n = one(tx);
      return absl::OkStatus();
    }));
    total += n;
    if (n < batch) break;
  }
  return total;
}

absl::Status RunRead(Lease& lease, const Scope& scope, absl::Time deadline,
                     absl::FunctionRef<absl::Status(Tx&)> body) {
  return WithRetries(lease, deadline, [&](bool*) {
    if (lease.options().transaction_pooling) {
      pqxx::read_transaction tx(lease.conn());
      ApplyLocal(lease, scope, deadline, tx);
      absl::Status result = body(tx);
      if (result.ok()) tx.commit();
      return result;
    }
    ApplySession(lease, scope, deadline);
    pqxx::nontransaction n(lease.conn());
    return body(n);
  });
}

}  // namespace touyan::db
