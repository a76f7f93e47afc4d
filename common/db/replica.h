// Reads on replicas (--database-read-url): which connection serves a
// read-only call, and how stale it may be.
//
// A mutation's response carries a consistency token: the primary's WAL
// position after its commit. A read that presents one is served by a replica
// only once that replica has replayed past it (waiting up to
// ReplicaOptions::wait), otherwise by the primary; a read without one is
// served by a replica lagging at most ReplicaOptions::max_lag. A replica that
// cannot be reached is skipped for `retry_after`; no call fails for it.
//
// The replica's state is asked per connection (the read URL may be a
// service that spreads connections over several replicas) and cached with
// the connection: a lag measured at `checked` can only have grown by the
// time since, so a cached state is trusted until that bound passes max_lag.
#ifndef TOUYAN_COMMON_DB_REPLICA_H_
#define TOUYAN_COMMON_DB_REPLICA_H_

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/db/pool.h"

namespace touyan::db {

// A position in the write-ahead log; 0 = none.
using Lsn = uint64_t;
// "16/B374D848" (Postgres's pg_lsn text) → Lsn; INVALID_ARGUMENT otherwise.
absl::StatusOr<Lsn> ParseLsn(absl::string_view text);
std::string FormatLsn(Lsn lsn);

struct ReplicaOptions {
  absl::Duration max_lag = absl::Seconds(5);      // --max-replica-lag
  absl::Duration wait = absl::Milliseconds(500);  // --replica-wait: for a token's replay
  absl::Duration retry_after = absl::Seconds(1);  // a failed replica is skipped this long
};

// Where a read-only call's reads went, and why (the `result` label of
// touyan_replica_reads_total).
enum class ReadRoute {
  kReplica,      // served by a replica
  kLagging,      // no token, and the replica lagged more than max_lag
  kBehindToken,  // the replica had not replayed the token within `wait`
  kDown,         // the replica could not be reached (or is being skipped)
  kFailed,       // the read failed on the replica and was run on the primary
};
const char* ReadRouteName(ReadRoute route);

class ReadRouter {
 public:
  // `replicas`: the pool of the read URL, with StatusStatement() prepared.
  ReadRouter(ConnectionPool& replicas, ReplicaOptions options)
      : replicas_(replicas), options_(options) {}

  // The statement that reports a connection's replay position and lag.
  static Statement StatusStatement();

  // A replica connection fit for a read that needs `token` replayed (0: any
  // within max_lag), or nullopt with `route` saying why the primary serves.
  std::optional<Lease> Acquire(absl::Time deadline, Lsn token, ReadRoute* route);
  // A read on a replica failed as the replica's fault: skip it a while.
  void Failed();
  // One replica's lag now (for the gauge); UNAVAILABLE if none answers,
  // infinite if it is not replaying a primary's stream.
  absl::StatusOr<absl::Duration> Lag(absl::Time deadline);

  const ReplicaOptions& options() const { return options_; }

 private:
  // Asks the leased connection's server for its state; false if it failed.
  bool Refresh(Lease& lease);
  bool Skipping();

  ConnectionPool& replicas_;
  const ReplicaOptions options_;
  absl::Mutex mu_;
  absl::Time down_until_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace touyan::db

#endif  // TOUYAN_COMMON_DB_REPLICA_H_
