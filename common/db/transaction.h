// Running database work in the caller's scope, with libpqxx exceptions
// mapped to absl::Status here and nowhere else.
//
// The row-level security scope (touyan.county_prefix, touyan.writable) and
// the statement timeout are session settings of the pooled connection, set
// only when they differ from what the connection last had: a read is then
// one round trip. Reads run as autocommit statements (under READ COMMITTED
// each statement has its own snapshot inside a transaction too); changes run
// in a transaction.
#ifndef TOUYAN_COMMON_DB_TRANSACTION_H_
#define TOUYAN_COMMON_DB_TRANSACTION_H_

#include <exception>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/db/pool.h"

namespace touyan::db {

// What the work may see and change; Postgres policies read these settings.
struct Scope {
  std::string county_prefix;  // "*" = everything, "1509" = a city, "150902" = a county
  bool writable = false;
};

// The statements that apply a session, or (transaction pooling) one
// transaction's scope; registered on every connection.
Statement SessionStatement();
Statement LocalStatement();

// Maps a libpqxx exception by SQLSTATE: 23505 → ALREADY_EXISTS,
// 23503 → FAILED_PRECONDITION, 23514/22xxx → INVALID_ARGUMENT,
// 40001/40P01 → ABORTED, 42501 → PERMISSION_DENIED, 57014 → DEADLINE_EXCEEDED,
// broken connection / 57P0x / 08xxx → UNAVAILABLE, anything else → INTERNAL.
absl::Status FromException(const std::exception& e);

// Sets `scope` and a statement timeout for `deadline` (whole seconds, so
// that it rarely changes) on the leased connection if it has other settings.
void ApplySession(Lease& lease, const Scope& scope, absl::Time deadline);
// With transaction pooling, sets `scope` for `tx` alone (a no-op otherwise).
// A transaction opened by hand calls ApplySession before and this after BEGIN.
void ApplyLocal(Lease& lease, const Scope& scope, absl::Time deadline, pqxx::transaction_base& tx);

// Runs `body` in a transaction with `scope`: commits if it returned OK, rolls
// back otherwise. Serialization failures are retried; a connection lost
// before the commit is reconnected and the body retried once. A connection
// lost during the commit gives UNAVAILABLE: the outcome is unknown, and the
// client retries with the same request_id.
absl::Status RunTransaction(Lease& lease, const Scope& scope, absl::Time deadline,
                            absl::FunctionRef<absl::Status(Tx&)> body);

// A statement prepared on the pool (PoolOptions::statements), or plain
// `sql` when `name` is empty, with its parameters: text, or bytes where
// `binary` is set (bytea).
struct Call {
  struct Param {
    std::optional<std::string> value;  // nullopt: NULL
    bool binary = false;
  };
  std::string name;
  std::string sql;
  std::vector<Param> params;
};

// Statements sent at once in libpq's pipeline mode (then a Sync) and read
// later: the database works on them while the caller does something else
// (an import moves one chunk of rows while the next streams in). Until
// Wait, nothing else may use the connection; the calls must outlive this.
// Statements run in the connection's open transaction, if any; the first
// to fail makes the rest skipped, and Wait throws it as libpqxx would (map
// it with FromException). Dropped unread, it reads and discards.
class Pipelined {
 public:
  struct Result {
    int64_t rows = 0;      // rows returned
    int64_t affected = 0;  // rows inserted, updated or deleted
    std::vector<std::vector<std::optional<std::string>>> values;  // [row][column], text
  };
  // Sends `calls`; throws if they could not be sent. `committing`: a lost
  // connection leaves the outcome in doubt (pqxx::in_doubt_error).
  Pipelined(Lease& lease, std::vector<const Call*> calls, bool committing = false);
  Pipelined(const Pipelined&) = delete;
  Pipelined& operator=(const Pipelined&) = delete;
  ~Pipelined();
  // Every call's result, in order.
  std::vector<Result> Wait();

 private:
  Lease& lease_;
  std::vector<const Call*> calls_;
  bool committing_;
  bool waited_ = false;
};

// RunTransaction in fewer round trips: BEGIN goes with `first` and COMMIT
// with the statement `last` returns, each pair sent at once (libpq's
// pipeline mode); the body's own statements run as in RunTransaction.
// `body` gets the number of rows `first` returned. `last` is called after
// `body` returned OK; nullopt sends COMMIT alone. Retries and errors as in
// RunTransaction; an error of `last` or of COMMIT rolls back.
absl::Status RunPipelined(Lease& lease, const Scope& scope, absl::Time deadline, const Call& first,
                          absl::FunctionRef<absl::Status(Tx&, int64_t first_rows)> body,
                          absl::FunctionRef<std::optional<Call>()> last);

// Runs `one`, a transaction of its own that handles at most `batch` rows
// and returns how many, again and again until a round handles fewer or
// `deadline` passes: maintenance in small transactions that never hold
// locks for long. Returns how many rows in all.
absl::StatusOr<int64_t> RunBatches(Lease& lease, const Scope& scope, int batch, absl::Time deadline,
                                   absl::FunctionRef<int64_t(Tx&)> one);

// Runs read-only `body` as autocommit statements with `scope`, retried once
// on a new connection if the old one was found dead.
absl::Status RunRead(Lease& lease, const Scope& scope, absl::Time deadline,
                     absl::FunctionRef<absl::Status(Tx&)> body);

// Adapts a StatusOr-returning body to Run*.
template <typename T, typename Runner>
absl::StatusOr<T> Collect(Runner run, absl::FunctionRef<absl::StatusOr<T>(Tx&)> body) {
  std::optional<T> out;
  absl::Status s = run([&](Tx& tx) -> absl::Status {
    absl::StatusOr<T> r = body(tx);
    if (!r.ok()) return r.status();
    out = *std::move(r);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return *std::move(out);
}

// Statement timeout for the time left until `deadline`, in milliseconds,
// rounded up to whole seconds (at least 1 s, at most 10 minutes).
int64_t TimeoutMillis(absl::Time deadline);

}  // namespace touyan::db

#endif  // TOUYAN_COMMON_DB_TRANSACTION_H_
