// Precise profiles (精准画像) and the good-secretary selection: the five
// basic conditions, their thresholds, and the quota arithmetic. Pure rules.
#ifndef TOUYAN_SERVICES_PERSONNEL_DOMAIN_PROFILE_H_
#define TOUYAN_SERVICES_PERSONNEL_DOMAIN_PROFILE_H_

#include <array>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "touyan/personnel/v1/personnel.pb.h"

namespace touyan::personnel {

inline constexpr int kCriteria = 5;
inline constexpr int kDefaultMinScore = 60;

// Minimum mean score per criterion, indexed by criterion - 1.
using Thresholds = std::array<int, kCriteria>;
Thresholds DefaultThresholds();

// The year's evaluations of one criterion.
struct Tally {
  int64_t count = 0;
  int64_t sum = 0;
};

// Each criterion is met when it has at least one evaluation and its mean
// reaches the threshold.
v1::Profile ComputeProfile(const std::string& cadre_id, int year,
                           const std::array<Tally, kCriteria>& tallies, const Thresholds& min);

// FAILED_PRECONDITION (CONDITIONS_NOT_MET) naming the unmet criteria.
absl::Status CheckAllConditionsMet(const v1::Profile& profile);

// INVALID_ARGUMENT naming evaluation.<field>.
absl::Status ValidateEvaluation(const v1::Evaluation& e, absl::CivilDay today);
// INVALID_ARGUMENT unless all five criteria appear once with 0..100.
absl::Status ValidateThresholds(const v1::ProfileThresholds& t, absl::CivilDay today);
Thresholds ToThresholds(const v1::ProfileThresholds& t);

// A round: a city-level region, a total, county quotas within the city.
absl::Status ValidateRound(const v1::SelectionRound& round, absl::CivilDay today);

// FAILED_PRECONDITION (COUNTY_QUOTA_FULL, TOTAL_QUOTA_FULL) when one more
// confirmation would exceed the county's quota or the round's total.
absl::Status CheckQuota(const std::string& county, int county_quota, int county_confirmed,
                        int total_quota, int total_confirmed);

}  // namespace touyan::personnel

#endif  // TOUYAN_SERVICES_PERSONNEL_DOMAIN_PROFILE_H_
