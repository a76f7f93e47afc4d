#include "common/db/pool.h"

#include <libpq-fe.h>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"

namespace touyan::db {
namespace {
bool Idle(const Connection& conn) {
  PGconn* pg = conn.raw();
  return pg != nullptr && PQtransactionStatus(pg) == PQTRANS_IDLE &&
         PQpipelineStatus(pg) == PQ_PIPELINE_OFF;
}
}  // namespace

Lease::~Lease() {
  if (pool_ != nullptr) pool_->Release(slot_);
}

Connection& Lease::conn() {
  // Only the lease holder touches its slot's connection; the pointer itself
  // changes only under the holder too (Connect, MarkBroken).
  absl::MutexLock l(&pool_->mu_);
  Connection* c = pool_->slots_[slot_].conn.get();
  // Dropped (MarkBroken) and not reconnected: a lost connection to its
  // user, as libpqxx would report it (the runners reconnect on it).
  if (c == nullptr) throw pqxx::broken_connection("the connection was dropped after a failure");
  return *c;
}

void Lease::MarkBroken() {
  std::unique_ptr<Connection> dead;
  absl::MutexLock l(&pool_->mu_);
  dead = std::move(pool_->slots_[slot_].conn);
  pool_->slots_[slot_].session_key.clear();
}

const std::string& Lease::session_key() const {
  absl::MutexLock l(&pool_->mu_);
  return pool_->slots_[slot_].session_key;
}

const PoolOptions& Lease::options() const { return pool_->options_; }

ReplayState& Lease::replay() {
  absl::MutexLock l(&pool_->mu_);
  return pool_->slots_[slot_].replay;
}

void Lease::set_session_key(std::string key) {
  absl::MutexLock l(&pool_->mu_);
  pool_->slots_[slot_].session_key = std::move(key);
}

absl::Status Lease::Reconnect() {
  MarkBroken();
  return pool_->Connect(slot_);
}

ConnectionPool::ConnectionPool(PoolOptions options) : options_(std::move(options)) {
  slots_.resize(options_.size);
}

int ConnectionPool::in_use() const {
  absl::MutexLock l(&mu_);
  int n = 0;
  for (const auto& s : slots_) n += s.busy ? 1 : 0;
  return n;
}

int64_t ConnectionPool::connections_opened() const {
  absl::MutexLock l(&mu_);
  return opened_;
}

absl::StatusOr<Lease> ConnectionPool::Acquire(absl::Time deadline) {
  int slot = -1;
  bool need_connect = false;
  {
    absl::MutexLock l(&mu_);
    auto free_slot = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      for (const auto& s : slots_) {
        if (!s.busy) return true;
      }
      return false;
    };
    if (!mu_.AwaitWithDeadline(absl::Condition(&free_slot), deadline)) {
      return absl::ResourceExhaustedError(
          absl::StrCat("all ", options_.size, " database connections are busy"));
    }
    // Prefer a slot that is already connected.
    for (int i = 0; i < static_cast<int>(slots_.size()); ++i) {
      if (!slots_[i].busy && (slot < 0 || (slots_[i].conn && !slots_[slot].conn))) slot = i;
    }
    slots_[slot].busy = true;
    need_connect = slots_[slot].conn == nullptr || !slots_[slot].conn->is_open();
    if (!need_connect && !Idle(*slots_[slot].conn)) {
      // Left inside a transaction or a pipeline: never handed on so.
      log::Error("a pooled connection was released in the middle of a transaction; replacing it");
      slots_[slot].conn.reset();
      need_connect = true;
    }
  }
  Lease lease(this, slot);
  if (need_connect) {
    absl::Status s = Connect(slot);
    if (!s.ok()) return s;
  }
  return lease;
}

absl::Status ConnectionPool::Connect(int slot) {
  std::unique_ptr<Connection> conn;
  try {
    conn = std::make_unique<Connection>(options_.url);
    {
      pqxx::nontransaction n(*conn);
      if (!options_.schema.empty() && !options_.transaction_pooling) {
        n.exec("SET search_path TO " + n.quote_name(options_.schema));
      }
      // Prepared statements on partitioned, row-level-secured tables would
      // otherwise be re-planned on every call (custom plans cost ~1 ms);
      // generic plans still prune partitions at run time.
      // JIT compiling pays for long analytic queries, not for these: a
      // generic plan's pessimistic cost estimate made it compile for
      // ~300 ms on calls that then ran in a few.
      if (!options_.transaction_pooling)
        n.exec("SET plan_cache_mode = force_generic_plan; SET jit = off");
    }
    for (const auto& st : options_.statements) conn->prepare(st.name, st.sql);
  } catch (const std::exception& e) {
    log::Warn("database connection failed", {{"error", e.what()}});
    return absl::UnavailableError(
        absl::StrCat("database unreachable: ", e.what(), " (is Postgres running?)"));
  }
  absl::MutexLock l(&mu_);
  slots_[slot].conn = std::move(conn);
  slots_[slot].session_key.clear();
  slots_[slot].replay = ReplayState{};
  ++opened_;
  return absl::OkStatus();
}

void ConnectionPool::Release(int slot) {
  absl::MutexLock l(&mu_);
  slots_[slot].busy = false;
}

}  // namespace touyan::db
