// The promotion channels' conditions (雨露计划) as plain C++: Touyan's
// defaults, a city's policy checked, a cadre's facts against a channel's
// rule. No database, no network.
#ifndef TOUYAN_SERVICES_INCENTIVE_DOMAIN_PROMOTION_H_
#define TOUYAN_SERVICES_INCENTIVE_DOMAIN_PROMOTION_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "touyan/incentive/v1/incentive.pb.h"

namespace touyan::incentive {

// Touyan's default rule of a channel (the source names no conditions): two
// full years in the village post, the last grade at least competent, at most
// 45 years old (40 for the civil service).
v1::ChannelRule DefaultRule(v1::Channel channel);

// A city's policy names a city (region_code) and a year from 2000 to next
// year (year); INVALID_ARGUMENT naming the field otherwise.
absl::Status CheckCityYear(const std::string& region_code, int year, absl::CivilDay today);

// Checks a policy (fields named as in PromotionPolicy: region_code, year,
// rules[i].…); a channel at most once.
absl::Status ValidatePolicy(const v1::PromotionPolicy& p, absl::CivilDay today);

// The policy's rule for `channel`, else the default.
v1::ChannelRule RuleOf(const v1::PromotionPolicy& policy, v1::Channel channel);

// Every channel's rule: the policy's where it sets one, else the default.
v1::PromotionPolicy WithDefaults(v1::PromotionPolicy policy);

// Full years from `from` to `to` (an age, years in post).
int FullYears(absl::CivilDay from, absl::CivilDay to);

// What a channel's conditions are checked against.
struct PromotionFacts {
  int years_in_post = 0;
  std::optional<v1::Grade> last_grade;  // none: never assessed
  int age = 0;
  bool eligible = false;  // a confirmed eligibility proposal (of the year or the one before)
};

// OK when the facts meet `rule`; else FAILED_PRECONDITION whose reason names
// the first condition unmet (BELOW_MIN_YEARS_IN_POST, NO_ASSESSMENT,
// BELOW_MIN_GRADE, ABOVE_MAX_AGE, NOT_ELIGIBLE) and whose message gives rule and fact.
absl::Status CheckEligible(const v1::ChannelRule& rule, const PromotionFacts& facts);

}  // namespace touyan::incentive

#endif  // TOUYAN_SERVICES_INCENTIVE_DOMAIN_PROMOTION_H_
