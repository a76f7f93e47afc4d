// A bounded, thread-safe pool of libpqxx connections. Connections open
// lazily, get every registered statement prepared, and are replaced when
// broken (the server restarted, a backend was terminated).
#ifndef TOUYAN_COMMON_DB_POOL_H_
#define TOUYAN_COMMON_DB_POOL_H_

#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace touyan::db {

// What repositories run statements on: a transaction (changes) or an
// autocommit session (reads); see common/db/transaction.h.
using Tx = pqxx::transaction_base;

// A libpqxx connection that also gives its libpq handle, for what libpqxx
// 6.4 lacks (pipeline mode: RunPipelined in common/db/transaction.h). The
// handle is the one libpqxx holds: use it only while no libpqxx
// transaction is running a statement on the connection.
class Connection final : public pqxx::connection_base {
 public:
  explicit Connection(const std::string& url) : pqxx::connection_base(policy_), policy_(url) {
    init();
    // A lost connection is replaced by the pool (Lease::Reconnect), never
    // reopened by libpqxx behind a statement: that statement would run
    // outside the transaction the caller opened (RunPipelined's BEGIN).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    inhibit_reactivation(true);
#pragma GCC diagnostic pop
  }
  ~Connection() noexcept { close(); }
  pqxx::internal::pq::PGconn* raw() const { return policy_.raw(); }

 private:
  // Connects as libpqxx's connect_direct does, and keeps the handle.
  class Policy final : public pqxx::connect_direct {
   public:
    explicit Policy(const std::string& url) : pqxx::connect_direct(url) {}
    handle do_startconnect(handle orig) override {
      return raw_ = pqxx::connect_direct::do_startconnect(orig);
    }
    handle do_completeconnect(handle orig) override {
      return raw_ = pqxx::connect_direct::do_completeconnect(orig);
    }
    handle do_dropconnect(handle orig) noexcept override {
      return raw_ = pqxx::connect_direct::do_dropconnect(orig);
    }
    handle do_disconnect(handle orig) noexcept override {
      return raw_ = pqxx::connect_direct::do_disconnect(orig);
    }
    handle raw() const { return raw_; }

   private:
    handle raw_ = nullptr;
  };
  Policy policy_;  // connection_base keeps a reference to it
};

struct Statement {
  std::string name;
  std::string sql;
};

struct PoolOptions {
  std::string url;
  // Set as the search_path of every connection: the service's own schema.
  std::string schema;
  int size = 4;
  // Statements prepared on every connection (repositories register theirs).
  std::vector<Statement> statements;
  // Behind a pooler in transaction mode (PgBouncer, CloudNativePG's Pooler)
  // a session is shared: nothing is set per session, every call runs in a
  // transaction that sets its scope, search_path and timeouts locally.
  bool transaction_pooling = false;
};

class ConnectionPool;

// What a connection's server last said of its replay (reads on replicas,
// common/db/replica.h); reset whenever the connection is (re)opened.
struct ReplayState {
  absl::Time checked = absl::InfinitePast();
  uint64_t replayed = 0;                          // WAL position replayed
  absl::Duration lag = absl::InfiniteDuration();  // infinite: not following a primary
};

// Exclusive use of one connection until destroyed.
class Lease {
 public:
  Lease(Lease&& other) noexcept : pool_(other.pool_), slot_(other.slot_) { other.pool_ = nullptr; }
  Lease& operator=(Lease&&) = delete;
  ~Lease();

  // Throws pqxx::broken_connection after MarkBroken until Reconnect.
  Connection& conn();
  // Drops the connection: the next lease of this slot reconnects.
  void MarkBroken();
  // Reconnects now; returns UNAVAILABLE if the server cannot be reached.
  absl::Status Reconnect();

  // What was last set on this connection's session (see db::ApplySession);
  // empty after (re)connecting.
  const std::string& session_key() const;
  void set_session_key(std::string key);
  const PoolOptions& options() const;
  // Only the lease holder touches it.
  ReplayState& replay();

 private:
  friend class ConnectionPool;
  Lease(ConnectionPool* pool, int slot) : pool_(pool), slot_(slot) {}
  ConnectionPool* pool_;
  int slot_;
};

class ConnectionPool {
 public:
  explicit ConnectionPool(PoolOptions options);
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // Waits until `deadline` for a free connection (RESOURCE_EXHAUSTED after
  // it), then connects if needed (UNAVAILABLE if the server is unreachable).
  absl::StatusOr<Lease> Acquire(absl::Time deadline);

  int size() const { return options_.size; }
  int in_use() const;
  // Sessions opened over the pool's life (reconnections included).
  int64_t connections_opened() const;

 private:
  friend class Lease;
  struct Slot {
    std::unique_ptr<Connection> conn;
    bool busy = false;
    std::string session_key;  // touched only by the slot's lease holder
    ReplayState replay;       // likewise
  };
  absl::Status Connect(int slot);
  void Release(int slot);

  const PoolOptions options_;
  mutable absl::Mutex mu_;
  std::vector<Slot> slots_ ABSL_GUARDED_BY(mu_);
  int64_t opened_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace touyan::db

#endif  // TOUYAN_COMMON_DB_POOL_H_
