#include "common/db/transaction.h"

#include <libpq-fe.h>

#include <cstdlib>

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

// Throws what libpqxx would for a statement of `conn` that failed with `r`
// (null: the connection's error): a lost connection (in doubt once COMMIT
// may have been sent), or an SQL error with its SQLSTATE.
[[noreturn]] void ThrowFailure(PGconn* conn, const PGresult* r, const std::string& statement,
                               bool committing) {
  if (conn == nullptr || PQstatus(conn) == CONNECTION_BAD) {
    const std::string msg = conn == nullptr ? "no connection" : PQerrorMessage(conn);
    if (committing) throw pqxx::in_doubt_error(msg);
    throw pqxx::broken_connection(msg);
  }
  const char* state = r == nullptr ? nullptr : PQresultErrorField(r, PG_DIAG_SQLSTATE);
  throw pqxx::sql_error(r == nullptr ? PQerrorMessage(conn) : PQresultErrorMessage(r), statement,
                        state);
}

// Sends `calls` at once, then a Sync, and reads every result: one round
// trip. Returns the rows each returned.
std::vector<int64_t> SendAtOnce(Lease& lease, std::vector<const Call*> calls, bool committing) {
  Pipelined p(lease, std::move(calls), committing);
  std::vector<int64_t> rows;
  for (const Pipelined::Result& r : p.Wait()) rows.push_back(r.rows);
  return rows;
}

// Rolls back, unless told the transaction ended, whatever a pipelined
// transaction left open on its connection (a failed body, an exception).
class RollbackUnlessEnded {
 public:
  explicit RollbackUnlessEnded(Connection& conn) : conn_(conn) {}
  ~RollbackUnlessEnded() {
    PGconn* pg = conn_.raw();
    if (ended_ || pg == nullptr || PQstatus(pg) == CONNECTION_BAD) return;
    if (PQtransactionStatus(pg) == PQTRANS_IDLE) return;
    PQclear(PQexec(pg, "ROLLBACK"));
  }
  void Ended() { ended_ = true; }

 private:
  Connection& conn_;
  bool ended_ = false;
};

}  // namespace

Pipelined::Pipelined(Lease& lease, std::vector<const Call*> calls, bool committing)
    : lease_(lease), calls_(std::move(calls)), committing_(committing) {
  Connection& conn = lease.conn();
  // Behind a transaction pooler statements are prepared inside the
  // transaction, once its search_path is set (a statement's tables are
  // looked up when it is prepared): here they go as text, after it.
  const bool pooled = lease.options().transaction_pooling;
  std::vector<const std::string*> texts;
  for (const Call* c : calls_) {
    const std::string* text = &c->sql;
    if (!c->name.empty() && pooled) {
      for (const Statement& st : lease.options().statements) {
        if (st.name == c->name) text = &st.sql;
      }
      if (text->empty()) throw std::logic_error("statement not registered: " + c->name);
    } else if (!c->name.empty()) {
      conn.prepare_now(c->name);
    }
    texts.push_back(text);
  }
  PGconn* pg = conn.raw();
  // libpqxx may leave the end of its last exchange unread (after a COPY,
  // the ReadyForQuery that follows its result): read it, or libpq refuses
  // pipeline mode.
  if (pg != nullptr) {
    while (PGresult* r = PQgetResult(pg)) PQclear(r);
  }
  if (pg == nullptr || PQenterPipelineMode(pg) != 1) ThrowFailure(pg, nullptr, "", committing_);
  for (size_t i = 0; i < calls_.size(); ++i) {
    const Call* c = calls_[i];
    std::vector<const char*> values;
    std::vector<int> lengths, formats;
    for (const Call::Param& p : c->params) {
      values.push_back(p.value ? p.value->data() : nullptr);
      lengths.push_back(p.value ? static_cast<int>(p.value->size()) : 0);
      formats.push_back(p.binary ? 1 : 0);
    }
    const int n = static_cast<int>(values.size());
    const int sent = c->name.empty() || pooled
                         ? PQsendQueryParams(pg, texts[i]->c_str(), n, nullptr, values.data(),
                                             lengths.data(), formats.data(), 0)
                         : PQsendQueryPrepared(pg, c->name.c_str(), n, values.data(),
                                               lengths.data(), formats.data(), 0);
    if (sent != 1) ThrowFailure(pg, nullptr, c->name + c->sql, committing_);
  }
  // The Sync flushes what was sent (a blocking connection: all of it), so
  // the server works on the statements while the caller reads nothing.
  if (PQpipelineSync(pg) != 1) ThrowFailure(pg, nullptr, "", committing_);
}

Pipelined::~Pipelined() {
  if (waited_) return;
  try {
    Wait();
  } catch (const std::exception&) {
    // The connection is left as the failure left it: a broken one is
    // found so by its next user; the open transaction is aborted.
    log::Warn("pipelined statements failed unread");
  }
}

std::vector<Pipelined::Result> Pipelined::Wait() {
  waited_ = true;
  PGconn* pg = lease_.conn().raw();
  std::vector<Result> out;
  std::string error, sqlstate, failed;
  for (const Call* c : calls_) {
    PGresult* r = PQgetResult(pg);
    if (r == nullptr) ThrowFailure(pg, nullptr, c->name + c->sql, committing_);
    const ExecStatusType status = PQresultStatus(r);
    Result& res = out.emplace_back();
    if (status == PGRES_TUPLES_OK) {
      res.rows = PQntuples(r);
      const int cols = PQnfields(r);
      res.values.reserve(static_cast<size_t>(res.rows));
      for (int i = 0; i < res.rows; ++i) {
        std::vector<std::optional<std::string>>& row = res.values.emplace_back();
        for (int j = 0; j < cols; ++j) {
          if (PQgetisnull(r, i, j)) {
            row.emplace_back();
          } else {
            row.emplace_back(std::string(PQgetvalue(r, i, j), PQgetlength(r, i, j)));
          }
        }
      }
    }
    const char* affected = PQcmdTuples(r);
    if (affected != nullptr && *affected != '\0')
      res.affected = std::strtoll(affected, nullptr, 10);
    if (status == PGRES_FATAL_ERROR && error.empty()) {
      error = PQresultErrorMessage(r);
      const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
      sqlstate = state == nullptr ? "" : state;
      failed = c->name + c->sql;
    } else if (status == PGRES_COMMAND_OK && c->sql == "COMMIT" &&
               std::string_view(PQcmdStatus(r)) == "ROLLBACK" && error.empty()) {
      // An earlier statement failed and was let pass: nothing committed.
      error = "the transaction was rolled back: an earlier statement in it failed";
      sqlstate = "25P02";
      failed = "COMMIT";
    }
    PQclear(r);
    if (PQstatus(pg) == CONNECTION_BAD) ThrowFailure(pg, nullptr, failed, committing_);
    while ((r = PQgetResult(pg)) != nullptr) PQclear(r);  // the end of this statement's results
  }
  PGresult* sync = PQgetResult(pg);
  const bool synced = sync != nullptr && PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
  PQclear(sync);
  if (!synced || PQexitPipelineMode(pg) != 1) ThrowFailure(pg, nullptr, "Sync", committing_);
  if (!error.empty()) {
    throw pqxx::sql_error(error, failed, sqlstate.empty() ? nullptr : sqlstate.c_str());
  }
  return out;
}

absl::Status RunPipelined(Lease& lease, const Scope& scope, absl::Time deadline, const Call& first,
                          absl::FunctionRef<absl::Status(Tx&, int64_t first_rows)> body,
                          absl::FunctionRef<std::optional<Call>()> last) {
  static const Call kBegin{"", "BEGIN", {}};
  static const Call kCommit{"", "COMMIT", {}};
  return WithRetries(lease, deadline, [&](bool* committing) {
    ApplySession(lease, scope, deadline);
    Connection& conn = lease.conn();
    RollbackUnlessEnded guard(conn);
    int64_t rows = 0;
    if (lease.options().transaction_pooling) {
      const Call local{kLocalStatement,
                       "",
                       {{scope.county_prefix},
                        {scope.writable ? "on" : "off"},
                        {std::to_string(TimeoutMillis(deadline))},
                        {lease.options().schema}}};
      rows = SendAtOnce(lease, {&kBegin, &local, &first}, false)[2];
    } else {
      rows = SendAtOnce(lease, {&kBegin, &first}, false)[1];
    }
    absl::Status result;
    {
      pqxx::nontransaction tx(conn);  // inside the block BEGIN opened
      result = body(tx, rows);
    }
    if (!result.ok()) return result;
    std::optional<Call> end = last();
    *committing = true;
    if (end) {
      SendAtOnce(lease, {&*end, &kCommit}, true);
    } else {
      SendAtOnce(lease, {&kCommit}, true);
    }
    guard.Ended();
    return result;
  });
}

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
