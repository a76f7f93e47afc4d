// ContestRepository on Postgres (schema "contest").
#ifndef TOUYAN_SERVICES_CONTEST_PG_CONTEST_REPOSITORY_H_
#define TOUYAN_SERVICES_CONTEST_PG_CONTEST_REPOSITORY_H_

#include <vector>

#include "common/db/pool.h"
#include "services/contest/contest_repository.h"

namespace touyan::contest {

class PgContestRepository final : public ContestRepository {
 public:
  static std::vector<db::Statement> Statements();

  absl::StatusOr<v1::Contest> CreateContest(CallContext& call,
                                            const v1::CreateContestRequest& request,
                                            const v1::Contest& c) override;
  absl::StatusOr<v1::Contest> GetContest(CallContext& call, const ResourceId& id) override;
  absl::StatusOr<PageOf<v1::Contest>> ListContests(CallContext& call,
                                                   const std::string& region_prefix, int year,
                                                   const paging::Page& page) override;
  absl::StatusOr<v1::Round> CreateRound(CallContext& call, const v1::CreateRoundRequest& request,
                                        const ResourceId& contest, const v1::Round& r) override;
  absl::StatusOr<v1::Round> GetRound(CallContext& call, const ResourceId& id) override;
  absl::StatusOr<PageOf<v1::Round>> ListRounds(CallContext& call, const ResourceId& contest,
                                               v1::RoundState state,
                                               const paging::Page& page) override;
  absl::StatusOr<v1::Round> AdvanceRound(CallContext& call, const v1::AdvanceRoundRequest& request,
                                         const ResourceId& id) override;
  absl::StatusOr<v1::Round> SetRubric(CallContext& call, const v1::SetRubricRequest& request,
                                      const ResourceId& id) override;
  absl::StatusOr<v1::Entry> CreateEntry(CallContext& call, const v1::CreateEntryRequest& request,
                                        const ResourceId& round, const v1::Entry& entry) override;
  absl::StatusOr<v1::Entry> WithdrawEntry(CallContext& call,
                                          const v1::WithdrawEntryRequest& request,
                                          const ResourceId& id) override;
  absl::StatusOr<v1::Entry> GetEntry(CallContext& call, const ResourceId& id) override;
  absl::StatusOr<v1::Judge> GetJudge(CallContext& call, const ResourceId& id) override;
  absl::StatusOr<v1::Appeal> GetAppeal(CallContext& call, const ResourceId& id) override;
  absl::StatusOr<v1::Outcome> GetOutcome(CallContext& call, const ResourceId& id) override;
  absl::StatusOr<PageOf<v1::Judge>> ListJudges(CallContext& call, const ResourceId& round,
                                               const std::string& panel,
                                               const paging::Page& page) override;
  absl::StatusOr<PageOf<v1::Appeal>> ListAppeals(CallContext& call, const ResourceId& round,
                                                 int state, const paging::Page& page) override;
  absl::StatusOr<PageOf<v1::Entry>> ListEntries(CallContext& call, const ResourceId& round,
                                                const paging::Page& page) override;
  absl::StatusOr<v1::Judge> AddJudge(CallContext& call, const v1::AddJudgeRequest& request,
                                     const ResourceId& round) override;
  absl::StatusOr<v1::Entry> AssignPanel(CallContext& call, const v1::AssignPanelRequest& request,
                                        const ResourceId& entry) override;
  absl::StatusOr<v1::ListMissingScoresResponse> MissingScores(CallContext& call,
                                                              const ResourceId& round) override;
  absl::StatusOr<v1::SubmitScoresResponse> SubmitScore(CallContext& call,
                                                       const idempotency::Fingerprint& request,
                                                       const std::string& request_id,
                                                       const ResourceId& round,
                                                       const ScoreList& score) override;
  absl::StatusOr<std::unique_ptr<ScoreWriter>> WriteScores(CallContext& call,
                                                           const std::string& request_id,
                                                           const ResourceId& round) override;
  absl::StatusOr<v1::Results> GetResults(CallContext& call, const ResourceId& round) override;
  absl::StatusOr<v1::Appeal> FileAppeal(CallContext& call, const v1::FileAppealRequest& request,
                                        const ResourceId& entry) override;
  absl::StatusOr<v1::Appeal> DecideAppeal(CallContext& call, const v1::DecideAppealRequest& request,
                                          const ResourceId& id) override;
  absl::StatusOr<v1::Round> Retabulate(CallContext& call, const v1::RetabulateRoundRequest& request,
                                       const ResourceId& round) override;
  absl::StatusOr<v1::ConvertOutcomesResponse> SelectOutcomes(
      CallContext& call, const v1::ConvertOutcomesRequest& request,
      const ResourceId& round) override;
  absl::Status SetOutcomeDesignation(CallContext& call, const std::string& request_id,
                                     const ResourceId& outcome,
                                     const std::string& designation_id) override;
  absl::StatusOr<std::vector<v1::Outcome>> RoundOutcomes(CallContext& call,
                                                         const ResourceId& round) override;
  absl::StatusOr<v1::BatchGetCadreResultsResponse> CadreResults(
      CallContext& call, int year,
      const google::protobuf::RepeatedPtrField<std::string>& cadre_ids) override;
  absl::StatusOr<PageOf<v1::Outcome>> ListOutcomes(CallContext& call,
                                                   const std::string& region_prefix, int year,
                                                   const paging::Page& page) override;
  absl::StatusOr<std::optional<v1::Standings>> Standings(CallContext& call, const ResourceId& round,
                                                         std::string* version) override;
  absl::StatusOr<v1::EnterSecretariesResponse> EnterSecretaries(
      CallContext& call, const v1::EnterSecretariesRequest& request, const ResourceId& round,
      const std::vector<v1::Entry>& entries) override;
  absl::StatusOr<v1::PromoteAdvancersResponse> PromoteAdvancers(
      CallContext& call, const v1::PromoteAdvancersRequest& request, const ResourceId& from,
      const ResourceId& to) override;
  absl::StatusOr<v1::SignOff> SignResults(CallContext& call, const v1::SignResultsRequest& request,
                                          const ResourceId& round) override;
  absl::StatusOr<ContestGauges> Gauges(CallContext& call,
                                       const std::string& region_prefix) override;
};

}  // namespace touyan::contest

#endif  // TOUYAN_SERVICES_CONTEST_PG_CONTEST_REPOSITORY_H_
