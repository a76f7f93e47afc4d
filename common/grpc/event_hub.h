// Wakes the change streams (EventService.WatchEvents) when their counties
// change, in this process and in every other replica of the service.
//
// A change commits its event in its own transaction (the audit row); the
// runtime then tells the hub (Changed), which wakes the local streams of
// those counties at once and, from a connection of its own, sends a
// Postgres NOTIFY on the service's channel, so every replica's hub (each
// LISTENs on it) wakes its streams too. The NOTIFY is a small transaction of
// the hub's, after the change's commit and off its path: a NOTIFY inside the
// change would serialise every commit in the database on the notification
// queue's lock. Changes no call reports (maintenance) and notifications lost
// while the connection was down are found by each stream's own poll
// (`poll`, 5 s).
//
// With reads on replicas a woken stream must not read a replica that has
// not replayed the change that woke it: the hub then tells each waiter it
// wakes for a change the primary's WAL position at that moment (past the
// change's commit), which the stream's reads wait for like a consistency
// token.
#ifndef TOUYAN_COMMON_GRPC_EVENT_HUB_H_
#define TOUYAN_COMMON_GRPC_EVENT_HUB_H_

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace touyan {

class EventHub {
 public:
  struct Options {
    std::string url;     // the database the service writes (LISTEN/NOTIFY)
    std::string schema;  // the service's schema: the channel is touyan_events_<schema>
    absl::Duration poll = absl::Seconds(5);
    // False behind a pooler in transaction mode, where LISTEN cannot work:
    // local wake-ups and the poll only.
    bool use_database = true;
    // Give waiters woken by a change the primary's WAL position (reads on
    // replicas); otherwise, and on a poll, they are given 0.
    bool wake_with_position = false;
  };

  explicit EventHub(Options options);
  ~EventHub();  // stops the thread; waiters are dropped without a call
  EventHub(const EventHub&) = delete;
  EventHub& operator=(const EventHub&) = delete;

  // Something committed in the counties under `county_prefix` ("150902", a
  // city's "1509", or "" for any): wakes the waiters it concerns, here and
  // in the other replicas.
  void Changed(const std::string& county_prefix);

  // Calls `wake` once, on the hub's thread, when a county under
  // `county_prefix` changes or `poll` has passed, with the WAL position the
  // reads after it need (0: none; Options::wake_with_position). Returns a
  // ticket for Cancel.
  using WakeFn = std::function<void(uint64_t position)>;
  uint64_t Wait(const std::string& county_prefix, WakeFn wake);
  // Forgets a waiter; false if it was already woken (its call is under way
  // or done).
  bool Cancel(uint64_t ticket);

  const std::string& channel() const { return channel_; }

 private:
  struct Waiter {
    std::string prefix;
    WakeFn wake;
    absl::Time until;
  };
  void Run();
  // Wakes (outside the lock) every waiter under `prefix`, giving it
  // `position`, and, when `expired`, every one whose time is up.
  void Wake(const std::set<std::string>& prefixes, bool expired, uint64_t position);

  const Options options_;
  const std::string channel_;
  int wakefd_ = -1;
  absl::Mutex mu_;
  std::map<uint64_t, Waiter> waiters_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> outgoing_ ABSL_GUARDED_BY(mu_);  // prefixes to NOTIFY
  uint64_t next_ticket_ ABSL_GUARDED_BY(mu_) = 1;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace touyan

#endif  // TOUYAN_COMMON_GRPC_EVENT_HUB_H_
