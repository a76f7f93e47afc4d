// What an assessment leads to (能者上、优者奖、庸者下、劣者汰) as plain C++:
// Touyan's default policy, a city's policy checked, the proposals a result
// calls for, the next step of the exit ladder. No database, no network.
#ifndef TOUYAN_SERVICES_INCENTIVE_DOMAIN_CONSEQUENCES_H_
#define TOUYAN_SERVICES_INCENTIVE_DOMAIN_CONSEQUENCES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "touyan/incentive/v1/incentive.pb.h"

namespace touyan::incentive {

// Touyan's defaults where the policy leaves a rule out (the source names
// none): GRADE_INCOMPETENT proposes an exit step, a democratic score below
// 60 does too, GRADE_EXCELLENT makes a cadre eligible.
inline constexpr double kDefaultDemocraticMin = 60;
v1::ConsequencePolicy WithDefaults(v1::ConsequencePolicy policy);

// Checks a policy as a client sends it (fields named as in
// ConsequencePolicy): a city, a year, grades valid and not both exit and
// eligible, democratic_min from 0 to 100.
absl::Status ValidateConsequencePolicy(const v1::ConsequencePolicy& p, absl::CivilDay today);

// The proposals one result calls for under a policy with its defaults:
// each with kind, grade, score, democratic score and basis filled.
std::vector<v1::Proposal> CalledFor(const v1::ConsequencePolicy& policy,
                                    const v1::Assessment& assessment);

// The next step of the exit ladder after the measures a cadre has (revoked
// ones excluded): admonition first, then the step above the highest taken,
// ordered resignation at most.
v1::MeasureKind NextStep(const std::vector<v1::MeasureKind>& earlier);

}  // namespace touyan::incentive

#endif  // TOUYAN_SERVICES_INCENTIVE_DOMAIN_CONSEQUENCES_H_
