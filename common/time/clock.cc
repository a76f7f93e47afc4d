#include "common/time/clock.h"

namespace touyan {
namespace {
class RealClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};
}  // namespace

absl::TimeZone ChinaTime() { return absl::FixedTimeZone(8 * 60 * 60); }

absl::CivilDay Clock::Today() const { return absl::ToCivilDay(Now(), ChinaTime()); }

const Clock& Clock::Real() {
  static const RealClock* clock = new RealClock;
  return *clock;
}

}  // namespace touyan
