#include "common/grpc/event_hub.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <memory>
#include <pqxx/pqxx>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/db/replica.h"
#include "common/log/log.h"

namespace touyan {
namespace {

constexpr char kNotify[] = "touyan_notify";

bool Overlap(const std::string& a, const std::string& b) {
  return absl::StartsWith(a, b) || absl::StartsWith(b, a);
}

class Receiver final : public pqxx::notification_receiver {
 public:
  Receiver(pqxx::connection_base& c, const std::string& channel, std::set<std::string>* got)
      : pqxx::notification_receiver(c, channel), got_(got) {}
  void operator()(const std::string& payload, int) override { got_->insert(payload); }

 private:
  std::set<std::string>* got_;
};

}  // namespace

EventHub::EventHub(Options options)
    : options_(std::move(options)),
      channel_(options_.schema.empty() ? "touyan_events"
                                       : absl::StrCat("touyan_events_", options_.schema)),
      wakefd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
      thread_([this] { Run(); }) {}

EventHub::~EventHub() {
  {
    absl::MutexLock l(&mu_);
    stopping_ = true;
  }
  uint64_t one = 1;
  (void)!write(wakefd_, &one, sizeof one);
  thread_.join();
  close(wakefd_);
}

void EventHub::Changed(const std::string& county_prefix) {
  {
    absl::MutexLock l(&mu_);
    outgoing_.insert(county_prefix);
  }
  uint64_t one = 1;
  (void)!write(wakefd_, &one, sizeof one);
}

uint64_t EventHub::Wait(const std::string& county_prefix, WakeFn wake) {
  bool first = false;
  uint64_t ticket;
  {
    absl::MutexLock l(&mu_);
    ticket = next_ticket_++;
    first = waiters_.empty();
    waiters_[ticket] = Waiter{county_prefix, std::move(wake), absl::Now() + options_.poll};
  }
  if (first) {  // the thread may be waiting for a first waiter to connect
    uint64_t one = 1;
    (void)!write(wakefd_, &one, sizeof one);
  }
  return ticket;
}

bool EventHub::Cancel(uint64_t ticket) {
  absl::MutexLock l(&mu_);
  return waiters_.erase(ticket) > 0;
}

void EventHub::Wake(const std::set<std::string>& prefixes, bool expired, uint64_t position) {
  std::vector<std::pair<WakeFn, uint64_t>> due;
  {
    absl::MutexLock l(&mu_);
    const absl::Time now = absl::Now();
    for (auto it = waiters_.begin(); it != waiters_.end();) {
      bool changed = false;
      for (const std::string& p : prefixes) changed = changed || Overlap(p, it->second.prefix);
      if (changed || (expired && it->second.until <= now)) {
        due.emplace_back(std::move(it->second.wake), changed ? position : 0);
        it = waiters_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& [f, at] : due) f(at);
}

namespace {
// The primary's WAL position now (0 if it cannot tell).
uint64_t Position(pqxx::connection& conn) {
  try {
    pqxx::nontransaction n(conn);
    absl::StatusOr<db::Lsn> lsn =
        db::ParseLsn(n.exec1("SELECT pg_current_wal_insert_lsn()::text")[0].c_str());
    return lsn.ok() ? *lsn : 0;
  } catch (const std::exception&) {
    return 0;
  }
}
}  // namespace

void EventHub::Run() {
  std::unique_ptr<pqxx::connection> conn;
  std::unique_ptr<Receiver> receiver;
  std::set<std::string> incoming;
  absl::Time retry_at = absl::InfinitePast();
  bool warned = false;
  for (;;) {
    std::set<std::string> outgoing;
    bool wanted;
    {
      absl::MutexLock l(&mu_);
      if (stopping_) break;
      outgoing.swap(outgoing_);
      wanted = !waiters_.empty() || !outgoing.empty();
    }
    // Connected while anyone waits or anything is to be told; a lost
    // connection is retried every second (the streams poll meanwhile).
    if (!conn && wanted && options_.use_database && absl::Now() >= retry_at) {
      try {
        conn = std::make_unique<pqxx::connection>(options_.url);
        // One round trip per batch: an autocommit statement that does not
        // wait for the WAL flush (synchronous_commit off for its own
        // transaction; a lost wake-up costs a poll), prepared once.
        conn->prepare(kNotify,
                      "SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p, "
                      "(SELECT set_config('synchronous_commit', 'off', true)) AS async");
        receiver = std::make_unique<Receiver>(*conn, channel_, &incoming);
        if (warned) log::Info("change stream notifications resumed", {{"channel", channel_}});
        warned = false;
      } catch (const std::exception& e) {
        receiver.reset();
        conn.reset();
        retry_at = absl::Now() + absl::Seconds(1);
        if (!warned) {
          log::Warn("change stream notifications unavailable; streams poll every few seconds",
                    {{"channel", channel_}, {"error", e.what()}});
        }
        warned = true;
      }
    }
    if (conn && !outgoing.empty()) {
      try {
        pqxx::nontransaction n(*conn);
        std::string list = "{";
        for (const std::string& p : outgoing) {
          if (list.size() > 1) list += ",";
          absl::StrAppend(&list, "\"", p, "\"");  // county prefixes: digits only
        }
        list += "}";
        n.exec_prepared(kNotify, channel_, list);
      } catch (const std::exception&) {
        receiver.reset();
        conn.reset();
      }
    }
    // This replica's streams at once (after the changes committed: the
    // position now is past them).
    Wake(outgoing, false,
         options_.wake_with_position && conn && !outgoing.empty() ? Position(*conn) : 0);

    pollfd fds[2] = {{wakefd_, POLLIN, 0}, {conn ? conn->sock() : -1, POLLIN, 0}};
    (void)poll(fds, conn ? 2 : 1, 250);
    if (fds[0].revents & POLLIN) {
      uint64_t n;
      (void)!read(wakefd_, &n, sizeof n);
    }
    if (conn) {
      try {
        conn->get_notifs();
      } catch (const std::exception&) {
        receiver.reset();
        conn.reset();
      }
    }
    Wake(incoming, true,
         options_.wake_with_position && conn && !incoming.empty() ? Position(*conn) : 0);
    incoming.clear();
  }
  receiver.reset();
  conn.reset();
}

}  // namespace touyan
