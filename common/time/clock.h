// Time is injected so that tests are deterministic.
#ifndef TOUYAN_COMMON_TIME_CLOCK_H_
#define TOUYAN_COMMON_TIME_CLOCK_H_

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace touyan {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
  // The civil date in China Standard Time (UTC+8), the programme's calendar.
  absl::CivilDay Today() const;
  static const Clock& Real();
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(absl::Time now) : now_(now) {}
  absl::Time Now() const override {
    absl::MutexLock l(&mu_);
    return now_;
  }
  void Set(absl::Time t) {
    absl::MutexLock l(&mu_);
    now_ = t;
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

// UTC+8, fixed: China has no daylight saving time.
absl::TimeZone ChinaTime();

}  // namespace touyan

#endif  // TOUYAN_COMMON_TIME_CLOCK_H_
