// Storage for contests. Implementations run in the caller's CallContext;
// mutations are idempotent through CallContext::Mutate. The adapter checks
// what needs no data (and asks personnel) before.
#ifndef TOUYAN_SERVICES_CONTEST_CONTEST_REPOSITORY_H_
#define TOUYAN_SERVICES_CONTEST_CONTEST_REPOSITORY_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/call/call_context.h"
#include "common/db/rows.h"
#include "common/ids/resource_id.h"
#include "common/paging/page_token.h"
#include "services/contest/score_list.h"
#include "touyan/contest/v1/contest.pb.h"

namespace touyan::contest {

// The programme's contest gauges over the contests organised within a
// region in the latest year that has any: rounds by state, and the entries
// (not withdrawn) in them.
struct ContestGauges {
  int year = 0;  // 0: no contest
  std::map<v1::RoundState, int64_t> rounds;
  int64_t entries = 0;
};

// A batch of scores stored as it streams in, all or none: each message's
// scores are checked (field names "scores[i].") and written on while the
// client still sends; Finish commits, and locks the rubric. Dropped before
// Finish, nothing is stored. On a retry of a committed batch, Add only
// reads and Finish compares the requests (idempotency::Replay).
class ScoreWriter {
 public:
  virtual ~ScoreWriter() = default;
  // The next scores, the batch's from position `first` on.
  virtual absl::Status Add(const ScoreList& scores, size_t first) = 0;
  // `request`: the whole stream's fingerprint.
  virtual absl::StatusOr<v1::SubmitScoresResponse> Finish(
      const idempotency::Fingerprint& request) = 0;
};

class ContestRepository {
 public:
  virtual ~ContestRepository() = default;

  virtual absl::StatusOr<v1::Contest> CreateContest(CallContext& call,
                                                    const v1::CreateContestRequest& request,
                                                    const v1::Contest& c) = 0;
  virtual absl::StatusOr<v1::Contest> GetContest(CallContext& call, const ResourceId& id) = 0;
  virtual absl::StatusOr<PageOf<v1::Contest>> ListContests(CallContext& call,
                                                           const std::string& region_prefix,
                                                           int year, const paging::Page& page) = 0;

  virtual absl::StatusOr<v1::Round> CreateRound(CallContext& call,
                                                const v1::CreateRoundRequest& request,
                                                const ResourceId& contest, const v1::Round& r) = 0;
  virtual absl::StatusOr<v1::Round> GetRound(CallContext& call, const ResourceId& id) = 0;
  // A contest's rounds the caller may read (its scope's, and published ones).
  virtual absl::StatusOr<PageOf<v1::Round>> ListRounds(CallContext& call, const ResourceId& contest,
                                                       v1::RoundState state,
                                                       const paging::Page& page) = 0;
  // Moves the round one step; closing tabulates, publishing needs sign-offs
  // of a monitor and a counter on the current digest.
  virtual absl::StatusOr<v1::Round> AdvanceRound(CallContext& call,
                                                 const v1::AdvanceRoundRequest& request,
                                                 const ResourceId& id) = 0;
  virtual absl::StatusOr<v1::Round> SetRubric(CallContext& call,
                                              const v1::SetRubricRequest& request,
                                              const ResourceId& id) = 0;

  // `entry` complete (name and village from personnel).
  virtual absl::StatusOr<v1::Entry> CreateEntry(CallContext& call,
                                                const v1::CreateEntryRequest& request,
                                                const ResourceId& round,
                                                const v1::Entry& entry) = 0;
  virtual absl::StatusOr<v1::Entry> WithdrawEntry(CallContext& call,
                                                  const v1::WithdrawEntryRequest& request,
                                                  const ResourceId& id) = 0;
  virtual absl::StatusOr<PageOf<v1::Entry>> ListEntries(CallContext& call, const ResourceId& round,
                                                        const paging::Page& page) = 0;

  virtual absl::StatusOr<v1::Judge> AddJudge(CallContext& call, const v1::AddJudgeRequest& request,
                                             const ResourceId& round) = 0;
  virtual absl::StatusOr<v1::Entry> AssignPanel(CallContext& call,
                                                const v1::AssignPanelRequest& request,
                                                const ResourceId& entry) = 0;
  virtual absl::StatusOr<v1::ListMissingScoresResponse> MissingScores(CallContext& call,
                                                                      const ResourceId& round) = 0;
  // One entry, judge or appeal; NOT_FOUND naming "id".
  virtual absl::StatusOr<v1::Entry> GetEntry(CallContext& call, const ResourceId& id) = 0;
  virtual absl::StatusOr<v1::Judge> GetJudge(CallContext& call, const ResourceId& id) = 0;
  virtual absl::StatusOr<v1::Appeal> GetAppeal(CallContext& call, const ResourceId& id) = 0;
  virtual absl::StatusOr<v1::Outcome> GetOutcome(CallContext& call, const ResourceId& id) = 0;
  // A round's judges (of `panel`, "" = all) and appeals (in `state`, 0 = any).
  virtual absl::StatusOr<PageOf<v1::Judge>> ListJudges(CallContext& call, const ResourceId& round,
                                                       const std::string& panel,
                                                       const paging::Page& page) = 0;
  virtual absl::StatusOr<PageOf<v1::Appeal>> ListAppeals(CallContext& call, const ResourceId& round,
                                                         int state, const paging::Page& page) = 0;

  // Stores one score (field names "score."), and locks the rubric. `request`
  // is the fingerprint of the request it came in (idempotency).
  virtual absl::StatusOr<v1::SubmitScoresResponse> SubmitScore(
      CallContext& call, const idempotency::Fingerprint& request, const std::string& request_id,
      const ResourceId& round, const ScoreList& score) = 0;
  // Begins a batch of scores of one round, stored as it streams in
  // (ScoreWriter): claims `request_id`, loads and locks the round.
  virtual absl::StatusOr<std::unique_ptr<ScoreWriter>> WriteScores(CallContext& call,
                                                                   const std::string& request_id,
                                                                   const ResourceId& round) = 0;

  virtual absl::StatusOr<v1::Results> GetResults(CallContext& call, const ResourceId& round) = 0;
  virtual absl::StatusOr<v1::Appeal> FileAppeal(CallContext& call,
                                                const v1::FileAppealRequest& request,
                                                const ResourceId& entry) = 0;
  // Upheld: the entry's scoring reopens.
  virtual absl::StatusOr<v1::Appeal> DecideAppeal(CallContext& call,
                                                  const v1::DecideAppealRequest& request,
                                                  const ResourceId& id) = 0;
  // New results and digest after reopened entries were scored again.
  virtual absl::StatusOr<v1::Round> Retabulate(CallContext& call,
                                               const v1::RetabulateRoundRequest& request,
                                               const ResourceId& round) = 0;

  // Selects the outcomes of a published round by `rules` and stores them
  // (once per entry and kind); returns every outcome of the round.
  virtual absl::StatusOr<v1::ConvertOutcomesResponse> SelectOutcomes(
      CallContext& call, const v1::ConvertOutcomesRequest& request, const ResourceId& round) = 0;
  // Records the personnel designation written for an outcome.
  virtual absl::Status SetOutcomeDesignation(CallContext& call, const std::string& request_id,
                                             const ResourceId& outcome,
                                             const std::string& designation_id) = 0;
  virtual absl::StatusOr<std::vector<v1::Outcome>> RoundOutcomes(CallContext& call,
                                                                 const ResourceId& round) = 0;
  // Each cadre's published result of `year` at the highest level reached.
  virtual absl::StatusOr<v1::BatchGetCadreResultsResponse> CadreResults(
      CallContext& call, int year,
      const google::protobuf::RepeatedPtrField<std::string>& cadre_ids) = 0;
  virtual absl::StatusOr<PageOf<v1::Outcome>> ListOutcomes(CallContext& call,
                                                           const std::string& region_prefix,
                                                           int year, const paging::Page& page) = 0;

  // The round's provisional standings if anything changed since `version`
  // (updated); nullopt otherwise.
  virtual absl::StatusOr<std::optional<v1::Standings>> Standings(CallContext& call,
                                                                 const ResourceId& round,
                                                                 std::string* version) = 0;
  // Enters each of `entries` (a round's secretaries) not entered yet.
  virtual absl::StatusOr<v1::EnterSecretariesResponse> EnterSecretaries(
      CallContext& call, const v1::EnterSecretariesRequest& request, const ResourceId& round,
      const std::vector<v1::Entry>& entries) = 0;
  virtual absl::StatusOr<v1::PromoteAdvancersResponse> PromoteAdvancers(
      CallContext& call, const v1::PromoteAdvancersRequest& request, const ResourceId& from,
      const ResourceId& to) = 0;
  virtual absl::StatusOr<v1::SignOff> SignResults(CallContext& call,
                                                  const v1::SignResultsRequest& request,
                                                  const ResourceId& round) = 0;
  virtual absl::StatusOr<ContestGauges> Gauges(CallContext& call,
                                               const std::string& region_prefix) = 0;
};

}  // namespace touyan::contest

#endif  // TOUYAN_SERVICES_CONTEST_CONTEST_REPOSITORY_H_
