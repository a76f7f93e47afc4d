#include "services/incentive/domain/promotion.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "common/ids/region.h"
#include "common/status/status.h"

namespace touyan::incentive {
namespace {

absl::Status Unmet(absl::string_view reason, const std::string& message) {
  return WithReason(absl::FailedPreconditionError(message), reason);
}

}  // namespace

v1::ChannelRule DefaultRule(v1::Channel channel) {
  v1::ChannelRule r;
  r.set_channel(channel);
  r.set_min_years_in_post(2);
  r.set_min_grade(v1::GRADE_COMPETENT);
  r.set_max_age(channel == v1::CHANNEL_CIVIL_SERVICE ? 40 : 45);
  return r;
}

absl::Status CheckCityYear(const std::string& region_code, int year, absl::CivilDay today) {
  if (LevelOf(region_code) != Level::kCity) {
    return InvalidField("region_code", "must be a city's 12-digit code such as 150900000000",
                        "BAD_REGION_CODE");
  }
  if (year < 2000 || year > today.year() + 1) {
    return InvalidField("year", absl::StrCat("must be from 2000 to ", today.year() + 1),
                        "OUT_OF_RANGE");
  }
  return absl::OkStatus();
}

absl::Status ValidatePolicy(const v1::PromotionPolicy& p, absl::CivilDay today) {
  RETURN_IF_ERROR(CheckCityYear(p.region_code(), p.year(), today));
  if (p.rules().empty()) return InvalidField("rules", "needs at least one channel", "REQUIRED");
  std::set<int> seen;
  for (int i = 0; i < p.rules_size(); ++i) {
    const v1::ChannelRule& r = p.rules(i);
    const std::string f = absl::StrCat("rules[", i, "].");
    if (r.channel() == v1::CHANNEL_UNSPECIFIED || !v1::Channel_IsValid(r.channel())) {
      return InvalidField(f + "channel", "is required", "REQUIRED");
    }
    if (!seen.insert(r.channel()).second) {
      return InvalidField(f + "channel", "appears twice", "DUPLICATE");
    }
    if (r.min_years_in_post() < 0 || r.min_years_in_post() > 40) {
      return InvalidField(f + "min_years_in_post", "must be from 0 to 40", "OUT_OF_RANGE");
    }
    if (!v1::Grade_IsValid(r.min_grade()) || r.min_grade() == v1::GRADE_INCOMPETENT) {
      return InvalidField(f + "min_grade",
                          "must be unset, EXCELLENT, COMPETENT or BASICALLY_COMPETENT",
                          "OUT_OF_RANGE");
    }
    if (r.max_age() != 0 && (r.max_age() < 18 || r.max_age() > 70)) {
      return InvalidField(f + "max_age", "must be 0 (no limit) or from 18 to 70", "OUT_OF_RANGE");
    }
  }
  return absl::OkStatus();
}

v1::ChannelRule RuleOf(const v1::PromotionPolicy& policy, v1::Channel channel) {
  for (const v1::ChannelRule& r : policy.rules()) {
    if (r.channel() == channel) return r;
  }
  return DefaultRule(channel);
}

v1::PromotionPolicy WithDefaults(v1::PromotionPolicy policy) {
  v1::PromotionPolicy out = policy;
  out.clear_rules();
  for (int c = v1::CHANNEL_TOWNSHIP_DEPUTY; c <= v1::CHANNEL_PUBLIC_INSTITUTION; ++c) {
    *out.add_rules() = RuleOf(policy, static_cast<v1::Channel>(c));
  }
  return out;
}

int FullYears(absl::CivilDay from, absl::CivilDay to) {
  int years = static_cast<int>(to.year() - from.year());
  if (to.month() < from.month() || (to.month() == from.month() && to.day() < from.day())) --years;
  return years;
}

absl::Status CheckEligible(const v1::ChannelRule& rule, const PromotionFacts& facts) {
  const std::string channel = v1::Channel_Name(rule.channel());
  if (facts.years_in_post < rule.min_years_in_post()) {
    return Unmet(
        "BELOW_MIN_YEARS_IN_POST",
        absl::StrCat(channel, " needs ", rule.min_years_in_post(),
                     " full years in the village post; the cadre has ", facts.years_in_post));
  }
  if (rule.min_grade() != v1::GRADE_UNSPECIFIED) {
    if (!facts.last_grade) {
      return Unmet("NO_ASSESSMENT",
                   absl::StrCat(channel, " needs a last grade of at least ",
                                v1::Grade_Name(rule.min_grade()), "; the cadre has no assessment"));
    }
    // Grades are numbered best first.
    if (*facts.last_grade > rule.min_grade()) {
      return Unmet("BELOW_MIN_GRADE",
                   absl::StrCat(channel, " needs a last grade of at least ",
                                v1::Grade_Name(rule.min_grade()), "; the cadre's is ",
                                v1::Grade_Name(*facts.last_grade)));
    }
  }
  if (rule.max_age() > 0 && facts.age > rule.max_age()) {
    return Unmet("ABOVE_MAX_AGE", absl::StrCat(channel, " takes cadres of at most ", rule.max_age(),
                                               " years; the cadre is ", facts.age));
  }
  if (rule.eligible_only() && !facts.eligible) {
    return Unmet("NOT_ELIGIBLE",
                 channel +
                     " takes only cadres with a confirmed eligibility proposal of the year "
                     "or the year before; the cadre has none");
  }
  return absl::OkStatus();
}

}  // namespace touyan::incentive
