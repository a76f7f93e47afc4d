#include "services/personnel/domain/profile.h"

#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status/status.h"
#include "common/time/date.h"
#include "services/personnel/domain/rules.h"

namespace touyan::personnel {

Thresholds DefaultThresholds() {
  Thresholds t;
  t.fill(kDefaultMinScore);
  return t;
}

v1::Profile ComputeProfile(const std::string& cadre_id, int year,
                           const std::array<Tally, kCriteria>& tallies, const Thresholds& min) {
  v1::Profile p;
  p.set_cadre_id(cadre_id);
  p.set_year(year);
  p.set_all_met(true);
  for (int i = 0; i < kCriteria; ++i) {
    v1::CriterionScore* s = p.add_criteria();
    s->set_criterion(static_cast<v1::Criterion>(i + 1));
    s->set_evaluations(static_cast<int32_t>(tallies[i].count));
    s->set_mean_score(tallies[i].count ? static_cast<double>(tallies[i].sum) / tallies[i].count
                                       : 0);
    s->set_min_score(min[i]);
    // Compare sums, not rounded means: mean >= min  <=>  sum >= min * count.
    s->set_met(tallies[i].count > 0 && tallies[i].sum >= int64_t{min[i]} * tallies[i].count);
    if (!s->met()) {
      p.set_all_met(false);
      p.add_unmet(s->criterion());
    }
  }
  return p;
}

absl::Status CheckAllConditionsMet(const v1::Profile& profile) {
  if (profile.all_met()) return absl::OkStatus();
  std::vector<std::string> names;
  for (int c : profile.unmet()) names.push_back(v1::Criterion_Name(static_cast<v1::Criterion>(c)));
  return WithReason(absl::FailedPreconditionError(
                        absl::StrCat("the basic conditions are not all met in ", profile.year(),
                                     "; unmet: ", absl::StrJoin(names, ", "))),
                    "CONDITIONS_NOT_MET");
}

absl::Status ValidateEvaluation(const v1::Evaluation& e, absl::CivilDay today) {
  if (e.criterion() == v1::CRITERION_UNSPECIFIED || !v1::Criterion_IsValid(e.criterion())) {
    return InvalidField("evaluation.criterion", "is required", "REQUIRED");
  }
  if (e.score() < 0 || e.score() > 100) return InvalidField("evaluation.score", "must be 0 to 100");
  RETURN_IF_ERROR(ValidateText("evaluation.evaluator", e.evaluator(), 50));
  RETURN_IF_ERROR(ValidateText("evaluation.evidence", e.evidence(), 2000, /*required=*/false));
  if (!IsSet(e.evaluated_on()))
    return InvalidField("evaluation.evaluated_on", "is required", "REQUIRED");
  ASSIGN_OR_RETURN(absl::CivilDay day, ToCivilDay("evaluation.evaluated_on", e.evaluated_on()));
  if (day > today || day.year() < 2000) {
    return InvalidField("evaluation.evaluated_on", "must be from 2000 to today");
  }
  return absl::OkStatus();
}

absl::Status ValidateThresholds(const v1::ProfileThresholds& t, absl::CivilDay today) {
  if (t.year() < 2000 || t.year() > today.year() + 1) {
    return InvalidField("thresholds.year", absl::StrCat("must be from 2000 to ", today.year() + 1));
  }
  std::set<int> seen;
  for (int i = 0; i < t.thresholds_size(); ++i) {
    const auto& c = t.thresholds(i);
    std::string field = absl::StrCat("thresholds.thresholds[", i, "]");
    if (c.criterion() == v1::CRITERION_UNSPECIFIED || !v1::Criterion_IsValid(c.criterion()) ||
        !seen.insert(c.criterion()).second) {
      return InvalidField(field + ".criterion", "must be one of the five criteria, each once");
    }
    if (c.min_score() < 0 || c.min_score() > 100) {
      return InvalidField(field + ".min_score", "must be 0 to 100");
    }
  }
  if (seen.size() != kCriteria) {
    return InvalidField("thresholds.thresholds", "must give all five criteria");
  }
  return absl::OkStatus();
}

Thresholds ToThresholds(const v1::ProfileThresholds& t) {
  Thresholds out = DefaultThresholds();
  for (const auto& c : t.thresholds()) out[c.criterion() - 1] = c.min_score();
  return out;
}

absl::Status ValidateRound(const v1::SelectionRound& r, absl::CivilDay today) {
  if (r.year() < 2000 || r.year() > today.year() + 1) {
    return InvalidField("round.year", absl::StrCat("must be from 2000 to ", today.year() + 1));
  }
  if (LevelOfCode(r.region_code()) != v1::REGION_LEVEL_CITY) {
    return InvalidField("round.region_code",
                        "must be a city-level region code such as 150900000000");
  }
  if (r.total_quota() <= 0 || r.total_quota() > 100000) {
    return InvalidField("round.total_quota", "must be from 1 to 100000");
  }
  const std::string city = r.region_code().substr(0, 4);
  std::set<std::string> seen;
  for (int i = 0; i < r.quotas_size(); ++i) {
    const auto& q = r.quotas(i);
    std::string field = absl::StrCat("round.quotas[", i, "]");
    if (q.county_code().size() != 6 || !absl::StartsWith(q.county_code(), city) ||
        LevelOfCode(q.county_code() + "000000") != v1::REGION_LEVEL_COUNTY ||
        !seen.insert(q.county_code()).second) {
      return InvalidField(field + ".county_code",
                          "must be a county of the round's city, each once");
    }
    if (q.quota() < 0 || q.quota() > r.total_quota()) {
      return InvalidField(field + ".quota", "must be from 0 to the total quota");
    }
  }
  if (r.quotas_size() == 0)
    return InvalidField("round.quotas", "give each county its quota", "REQUIRED");
  return absl::OkStatus();
}

absl::Status CheckQuota(const std::string& county, int county_quota, int county_confirmed,
                        int total_quota, int total_confirmed) {
  if (county_confirmed >= county_quota) {
    return WithReason(absl::FailedPreconditionError(absl::StrCat(
                          "county ", county, " has filled its quota of ", county_quota)),
                      "COUNTY_QUOTA_FULL");
  }
  if (total_confirmed >= total_quota) {
    return WithReason(absl::FailedPreconditionError(
                          absl::StrCat("the round has filled its total of ", total_quota)),
                      "TOTAL_QUOTA_FULL");
  }
  return absl::OkStatus();
}

}  // namespace touyan::personnel
