// A round's lifecycle as rules, plain C++: the state machine, and what each
// state allows (entries, judges, scores, sign-offs, appeals, outcomes). The
// repository loads and locks what these need and refuses with their answer;
// each is FAILED_PRECONDITION with a reason unless it says otherwise.
#ifndef TOUYAN_SERVICES_CONTEST_DOMAIN_ROUNDS_H_
#define TOUYAN_SERVICES_CONTEST_DOMAIN_ROUNDS_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/ids/resource_id.h"
#include "touyan/contest/v1/contest.pb.h"

namespace touyan::contest {

// OK if `from` → `to` is the next step of DRAFT → OPEN → JUDGING → CLOSED →
// PUBLISHED; BAD_TRANSITION otherwise.
absl::Status CheckTransition(v1::RoundState from, v1::RoundState to);
// WRONG_STATE unless the round is in `need`, saying what is allowed there:
// "scores are accepted while JUDGING".
absl::Status RequireState(v1::RoundState state, v1::RoundState need, absl::string_view what);
// WRONG_STATE unless the round is still DRAFT or OPEN (`what`: "judges are
// added").
absl::Status BeforeJudging(const v1::Round& r, absl::string_view what);

// RUBRIC_LOCKED once scores exist or the round closed.
absl::Status MayChangeRubric(const v1::Round& r);
// NOT_SIGNED unless both a vote monitor and a counter signed the round's
// digest (`signer_roles`: how many of the two roles did).
absl::Status MayPublish(const v1::Round& r, int signer_roles);

// Scores go to a round while JUDGING, and while CLOSED only to entries an
// upheld appeal reopened (WRONG_STATE otherwise).
absl::Status AcceptsScores(const v1::Round& r);
// An entry as scoring sees it.
struct ScoredEntry {
  bool active = false;    // entered and not withdrawn
  bool reopened = false;  // reopened by an upheld appeal
  std::string panel;
};
// Whether entry `entry_id` takes a score from judge `judge_id` now (null
// `judge_panel` or `entry`: not in the round): NOT_FOUND naming either;
// WRONG_STATE naming entry_id when the round is CLOSED and the entry was not
// reopened; NOT_ON_PANEL naming judge_id when their panels differ. Fields
// relative to the score.
absl::Status MayScore(const v1::Round& r, const ResourceId& judge_id,
                      const std::string* judge_panel, const ResourceId& entry_id,
                      const ScoredEntry* entry);

// NOT_CLOSED before the round closed: results exist from then on.
absl::Status HasResults(const v1::Round& r);
// WRONG_STATE unless CLOSED; DIGEST_MISMATCH (field digest) unless the
// sign-off is of the round's current digest.
absl::Status CheckSignOff(const v1::Round& r, const v1::SignOff& s);
// WRONG_STATE unless CLOSED; APPEAL_WINDOW_CLOSED after the round's appeal
// window (days after closing) at `now`.
absl::Status MayAppeal(const v1::Round& r, absl::Time now);
// ALREADY_DECIDED unless the appeal is still filed.
absl::Status MayDecide(const v1::Appeal& a);
// WRONG_STATE unless CLOSED; NOTHING_REOPENED without a reopened entry.
absl::Status MayRetabulate(const v1::Round& r, int64_t reopened_entries);
// WRONG_STATE unless PUBLISHED (a round of any level: township preliminaries
// hold the lowest ranks).
absl::Status MayConvertOutcomes(const v1::Round& r);
// WRONG_STATE before judging starts: standings exist from then on.
absl::Status HasStandings(const v1::Round& r);
// OUTSIDE_REGION unless the entry's village lies under `region_prefix` (the
// next round's region, when advancers are promoted).
absl::Status WithinRegion(const v1::Entry& e, absl::string_view region_prefix);

}  // namespace touyan::contest

#endif  // TOUYAN_SERVICES_CONTEST_DOMAIN_ROUNDS_H_
