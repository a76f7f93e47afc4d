// Transactions: every unit of work runs in one transaction whose row-level
// security scope and statement timeout are set first, with libpqxx
// exceptions mapped to absl::Status here and nowhere else.
#ifndef TOUYAN_COMMON_DB_TRANSACTION_H_
#define TOUYAN_COMMON_DB_TRANSACTION_H_

#include <exception>
#include <optional>
#include <string>

#include <pqxx/pqxx>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/db/pool.h"

namespace touyan::db {

// What the transaction may see and change; Postgres policies read these
// settings (touyan.county_prefix, touyan.writable).
struct Scope {
  std::string county_prefix;  // "" = everything, "1509" = a city, "150902" = a county
  bool writable = false;
};

// The statement that applies a Scope; registered on every connection.
Statement ScopeStatement();

// Maps a libpqxx exception by SQLSTATE: 23505 → ALREADY_EXISTS,
// 23503 → FAILED_PRECONDITION, 23514/22xxx → INVALID_ARGUMENT,
// 40001/40P01 → ABORTED, 42501 → PERMISSION_DENIED, 57014 → DEADLINE_EXCEEDED,
// broken connection / 57P0x / 08xxx → UNAVAILABLE, anything else → INTERNAL.
absl::Status FromException(const std::exception& e);

// Applies `scope` and a statement timeout for `deadline` to the open `tx`.
void ApplyScope(pqxx::work& tx, const Scope& scope, absl::Time deadline);

// Begins a transaction with `scope` on `lease`, runs `body`, commits if it
// returned OK and rolls back otherwise. Serialization failures are retried;
// a connection lost before the commit is reconnected and the body retried
// once. A connection lost during the commit gives UNAVAILABLE: the outcome is
// unknown, and the client retries with the same request_id.
absl::Status RunTransaction(Lease& lease, const Scope& scope, absl::Time deadline,
                            absl::FunctionRef<absl::Status(pqxx::work&)> body);

template <typename T>
absl::StatusOr<T> Transact(Lease& lease, const Scope& scope, absl::Time deadline,
                           absl::FunctionRef<absl::StatusOr<T>(pqxx::work&)> body) {
  std::optional<T> out;
  absl::Status s = RunTransaction(lease, scope, deadline, [&](pqxx::work& tx) -> absl::Status {
    absl::StatusOr<T> r = body(tx);
    if (!r.ok()) return r.status();
    out = *std::move(r);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return *std::move(out);
}

// Statement timeout for the time left until `deadline`, in milliseconds
// (at least 1, at most 10 minutes).
int64_t TimeoutMillis(absl::Time deadline);

}  // namespace touyan::db

#endif  // TOUYAN_COMMON_DB_TRANSACTION_H_
