#include "services/contest/domain/rounds.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace touyan::contest {
namespace {

absl::Status Refused(absl::string_view reason, absl::string_view message) {
  return WithReason(absl::FailedPreconditionError(message), reason);
}

}  // namespace

absl::Status CheckTransition(v1::RoundState from, v1::RoundState to) {
  if (to == from + 1 && from >= v1::ROUND_STATE_DRAFT && to <= v1::ROUND_STATE_PUBLISHED) {
    return absl::OkStatus();
  }
  return Refused(
      "BAD_TRANSITION",
      absl::StrCat("a round moves DRAFT → OPEN → JUDGING → CLOSED → PUBLISHED one step at a time; "
                   "it cannot go from ",
                   v1::RoundState_Name(from), " to ", v1::RoundState_Name(to)));
}

absl::Status RequireState(v1::RoundState state, v1::RoundState need, absl::string_view what) {
  if (state == need) return absl::OkStatus();
  return Refused("WRONG_STATE",
                 absl::StrCat(what, " only while the round is ", v1::RoundState_Name(need),
                              "; it is ", v1::RoundState_Name(state)));
}

absl::Status BeforeJudging(const v1::Round& r, absl::string_view what) {
  if (r.state() == v1::ROUND_STATE_DRAFT || r.state() == v1::ROUND_STATE_OPEN)
    return absl::OkStatus();
  return Refused("WRONG_STATE", absl::StrCat(what, " only before judging starts; round ", r.id(),
                                             " is ", v1::RoundState_Name(r.state())));
}

absl::Status MayChangeRubric(const v1::Round& r) {
  if (!r.rubric_locked() && r.state() < v1::ROUND_STATE_CLOSED) return absl::OkStatus();
  return Refused("RUBRIC_LOCKED",
                 absl::StrCat("the rubric of round ", r.id(), " is locked: scores exist"));
}

absl::Status MayPublish(const v1::Round& r, int signer_roles) {
  if (signer_roles >= 2) return absl::OkStatus();
  return Refused("NOT_SIGNED",
                 absl::StrCat("round ", r.id(),
                              " needs the sign-offs of a vote monitor (监票人) and a counter "
                              "(计票人) on digest ",
                              r.results_digest(), " before publishing"));
}

absl::Status AcceptsScores(const v1::Round& r) {
  if (r.state() == v1::ROUND_STATE_CLOSED)
    return absl::OkStatus();  // reopened entries only (MayScore)
  return RequireState(r.state(), v1::ROUND_STATE_JUDGING, "scores are accepted");
}

absl::Status MayScore(const v1::Round& r, const ResourceId& judge_id,
                      const std::string* judge_panel, const ResourceId& entry_id,
                      const ScoredEntry* entry) {
  // Ids are formatted only for an error: a batch checks 89,000 scores.
  if (judge_panel == nullptr) {
    return NotFound("judge_id", "judge of this round", judge_id.ToString());
  }
  const bool closed = r.state() == v1::ROUND_STATE_CLOSED;
  if (entry == nullptr || !entry->active || (closed && !entry->reopened)) {
    if (closed) {
      return WithField(
          Refused("WRONG_STATE", absl::StrCat("round ", r.id(),
                                              " is CLOSED: only entries reopened by an upheld "
                                              "appeal take scores; ",
                                              entry_id.ToString(), " is not one")),
          "entry_id");
    }
    return NotFound("entry_id", "entry of this round", entry_id.ToString());
  }
  if (entry->panel != *judge_panel) {
    return WithField(
        Refused("NOT_ON_PANEL", absl::StrCat("entry ", entry_id.ToString(), " is judged by panel '",
                                             entry->panel, "', judge ", judge_id.ToString(),
                                             " sits on panel '", *judge_panel, "'")),
        "judge_id");
  }
  return absl::OkStatus();
}

absl::Status HasResults(const v1::Round& r) {
  if (r.state() >= v1::ROUND_STATE_CLOSED) return absl::OkStatus();
  return Refused("NOT_CLOSED",
                 absl::StrCat("round ", r.id(), " is ", v1::RoundState_Name(r.state()),
                              "; results exist once it is CLOSED"));
}

absl::Status CheckSignOff(const v1::Round& r, const v1::SignOff& s) {
  RETURN_IF_ERROR(RequireState(r.state(), v1::ROUND_STATE_CLOSED, "results are signed"));
  if (s.digest() == r.results_digest()) return absl::OkStatus();
  return WithField(
      Refused("DIGEST_MISMATCH",
              absl::StrCat("the digest signed is not the round's (", r.results_digest(),
                           "): the results changed, or the wrong round")),
      "digest");
}

absl::Status MayAppeal(const v1::Round& r, absl::Time now) {
  RETURN_IF_ERROR(RequireState(r.state(), v1::ROUND_STATE_CLOSED, "appeals are filed"));
  const absl::Time closed = absl::FromUnixSeconds(r.close_time().seconds());
  if (now <= closed + absl::Hours(24 * r.appeal_window_days())) return absl::OkStatus();
  return Refused("APPEAL_WINDOW_CLOSED",
                 absl::StrCat("the appeal window of round ", r.id(), " (", r.appeal_window_days(),
                              " days after closing) has passed"));
}

absl::Status MayDecide(const v1::Appeal& a) {
  if (a.state() == v1::APPEAL_STATE_FILED) return absl::OkStatus();
  return Refused("ALREADY_DECIDED", absl::StrCat("appeal ", a.id(), " is decided already"));
}

absl::Status MayRetabulate(const v1::Round& r, int64_t reopened_entries) {
  RETURN_IF_ERROR(RequireState(r.state(), v1::ROUND_STATE_CLOSED, "a round is re-tabulated"));
  if (reopened_entries > 0) return absl::OkStatus();
  return Refused("NOTHING_REOPENED",
                 absl::StrCat("round ", r.id(), " has no entry reopened by an upheld appeal"));
}

absl::Status MayConvertOutcomes(const v1::Round& r) {
  return RequireState(r.state(), v1::ROUND_STATE_PUBLISHED, "outcomes are converted");
}

absl::Status HasStandings(const v1::Round& r) {
  if (r.state() >= v1::ROUND_STATE_JUDGING) return absl::OkStatus();
  return Refused("WRONG_STATE",
                 absl::StrCat("round ", r.id(), " is ", v1::RoundState_Name(r.state()),
                              "; standings exist once judging starts"));
}

absl::Status WithinRegion(const v1::Entry& e, absl::string_view region_prefix) {
  if (absl::StartsWith(e.village_code(), region_prefix)) return absl::OkStatus();
  return Refused("OUTSIDE_REGION", absl::StrCat("entry ", e.id(), " of ", e.village_code(),
                                                " is outside the next round's region"));
}

}  // namespace touyan::contest
