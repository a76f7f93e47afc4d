// The incentive service's rules as plain C++: the assessment's weights,
// bands and arithmetic, the tally of a democratic evaluation, the care
// award rule, and the ladder of exit measures. No database, no network.
#ifndef TOUYAN_SERVICES_INCENTIVE_DOMAIN_RULES_H_
#define TOUYAN_SERVICES_INCENTIVE_DOMAIN_RULES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "touyan/incentive/v1/incentive.pb.h"

namespace touyan::incentive {

// ------------------------------------------------------------- assessment

// Checks a scheme (fields named as in Scheme) and fills defaults
// (quorum_percent 67).
absl::Status NormalizeScheme(v1::Scheme& s);

// A democratic evaluation's counts for one cadre.
struct Votes {
  int satisfied = 0;
  int basically_satisfied = 0;
  int dissatisfied = 0;
  int total() const { return satisfied + basically_satisfied + dissatisfied; }
};

// Touyan's defaults of a scheme (the source names neither): the quorum,
// and the share of dissatisfied ballots above which a cadre is incompetent.
inline constexpr int kDefaultQuorumPercent = 67;
inline constexpr int kDefaultFailPercent = 50;

// The dissatisfied rule: more than `fail_percent` of the ballots dissatisfied.
inline bool FailsDissatisfied(const Votes& v, int fail_percent) {
  return v.total() > 0 && 100LL * v.dissatisfied > static_cast<int64_t>(fail_percent) * v.total();
}

// Tallies one cadre's ballots: quorum (ballots ≥ electorate × quorum% /
// 100, rounded up), score (100 × satisfied + 60 × basically) / ballots, and
// the dissatisfied rule (with quorum).
v1::Tally TallyOf(const Votes& votes, int ballots, int electorate, int quorum_percent,
                  int fail_percent);

// Everything known about one cadre's year.
struct Inputs {
  std::vector<double> daily;            // daily-management records, 0–100
  std::optional<bool> trained;          // covered on the scheme's theme; unset: not asked
  std::optional<double> annual_review;  // the latest annual review, 0–100
  struct Contest {
    int rank = 0;
    int entrants = 0;
    std::string round;  // for the explanation
    int stars = 0;      // 比武争星: by the round's star bands, 0–5
  };
  std::optional<Contest> contest;
  std::optional<Votes> democratic;  // closed evaluations with quorum, summed
};

// The cadre's score (hundredths of a point, exactly), grade and breakdown;
// cadre fields left to the caller. The same inputs always give the same
// result: every step is integer arithmetic on hundredths.
v1::Assessment Assess(const v1::Scheme& scheme, const Inputs& in);

// ------------------------------------------------------------------ award

constexpr int64_t kCareAwardFen = 1'000'000;  // 10,000 yuan, the source's amount

// The award of a budget whose `award_fen` is `configured` (0 = the source's).
inline int64_t CareAwardFen(int64_t configured) {
  return configured > 0 ? configured : kCareAwardFen;
}

// The source's rule for a confirmed good secretary: on the establishment
// of an agency or enterprise → priority for promotion, rank and honours, and
// 10,000 yuan to their village Party organisation; anyone else → 10,000
// yuan personally. Fills recipient, recipient_id, amount (the source's; the
// budget may set another) and flags. NO_PARTY_ORG: on an establishment but
// without an organisation to receive it.
absl::Status ApplyCareRule(bool on_establishment, const std::string& cadre_id,
                           const std::string& party_org_id, v1::Award& award);

// ------------------------------------------------------------------ exits

// Whether a measure removes the cadre from the post.
bool Removes(v1::MeasureKind kind);
// A measure may follow the measures the cadre already has (their kinds,
// revoked ones excluded): the first step, or the step above one taken,
// or any step with a skip reason. FAILED_PRECONDITION (LADDER_STEP_SKIPPED)
// naming measure.skip_reason otherwise.
absl::Status CheckLadder(v1::MeasureKind kind, const std::vector<v1::MeasureKind>& earlier,
                         const std::string& skip_reason);

// ----------------------------------------------------------------- checks

// Whether a check-in is low: an axis at 2 or below.
bool IsLow(const v1::WellbeingCheckIn& c);

// ------------------------------------------------------------ validation
// Each checks a record as a client sends it, before any other service or
// the database is asked; INVALID_ARGUMENT names the field (relative to the
// message). `today` bounds dates that cannot lie in the future.

absl::Status ValidateInput(const v1::AssessmentInput& in, absl::CivilDay today);
absl::Status ValidateEvaluation(const v1::Evaluation& e, absl::CivilDay today);
absl::Status ValidateBallot(const v1::CastBallotRequest& b);
absl::Status ValidateCase(const v1::SupervisionCase& c, absl::CivilDay today);
absl::Status ValidateFollowUp(const v1::FollowUp& f, absl::CivilDay today);
absl::Status ValidateMeasure(const v1::ExitMeasure& m, absl::CivilDay today);
absl::Status ValidatePromotion(const v1::Promotion& p, absl::CivilDay today);
absl::Status ValidateInterview(const v1::Interview& i);
absl::Status ValidateCare(const v1::CareRecord& c, absl::CivilDay today);
absl::Status ValidateCheckIn(const v1::WellbeingCheckIn& c, absl::CivilDay today);
absl::Status ValidateDelegate(const v1::Delegate& d);

}  // namespace touyan::incentive

#endif  // TOUYAN_SERVICES_INCENTIVE_DOMAIN_RULES_H_
