// The gRPC adapter of touyan.contest.v1: checks requests and scope, asks
// personnel about entrants, calls the domain rules and the repository.
#ifndef TOUYAN_SERVICES_CONTEST_CONTEST_SERVICE_H_
#define TOUYAN_SERVICES_CONTEST_CONTEST_SERVICE_H_

#include <memory>

#include "common/grpc/runtime.h"
#include "common/grpc/server.h"
#include "services/contest/contest_repository.h"
#include "services/personnel/client/personnel_client.h"
#include "touyan/contest/v1/contest.grpc.pb.h"

namespace touyan::contest {

class ContestService final : public v1::ContestService::CallbackService, public GaugeSource {
 public:
  ContestService(Runtime& rt, std::unique_ptr<ContestRepository> repo)
      : rt_(rt), repo_(std::move(repo)), personnel_(rt.downstream("personnel")) {}

  using Ctx = grpc::CallbackServerContext;
  grpc::ServerUnaryReactor* CreateContest(Ctx*, const v1::CreateContestRequest*,
                                          v1::Contest*) override;
  grpc::ServerUnaryReactor* GetContest(Ctx*, const v1::GetContestRequest*, v1::Contest*) override;
  grpc::ServerUnaryReactor* ListContests(Ctx*, const v1::ListContestsRequest*,
                                         v1::ListContestsResponse*) override;
  grpc::ServerUnaryReactor* CreateRound(Ctx*, const v1::CreateRoundRequest*, v1::Round*) override;
  grpc::ServerUnaryReactor* GetRound(Ctx*, const v1::GetRoundRequest*, v1::Round*) override;
  grpc::ServerUnaryReactor* ListRounds(Ctx*, const v1::ListRoundsRequest*,
                                       v1::ListRoundsResponse*) override;
  grpc::ServerUnaryReactor* AdvanceRound(Ctx*, const v1::AdvanceRoundRequest*, v1::Round*) override;
  grpc::ServerUnaryReactor* SetRubric(Ctx*, const v1::SetRubricRequest*, v1::Round*) override;
  grpc::ServerUnaryReactor* CreateEntry(Ctx*, const v1::CreateEntryRequest*, v1::Entry*) override;
  grpc::ServerUnaryReactor* EnterSecretaries(Ctx*, const v1::EnterSecretariesRequest*,
                                             v1::EnterSecretariesResponse*) override;
  grpc::ServerUnaryReactor* WithdrawEntry(Ctx*, const v1::WithdrawEntryRequest*,
                                          v1::Entry*) override;
  grpc::ServerUnaryReactor* ListEntries(Ctx*, const v1::ListEntriesRequest*,
                                        v1::ListEntriesResponse*) override;
  grpc::ServerUnaryReactor* AddJudge(Ctx*, const v1::AddJudgeRequest*, v1::Judge*) override;
  grpc::ServerUnaryReactor* AssignPanel(Ctx*, const v1::AssignPanelRequest*, v1::Entry*) override;
  grpc::ServerUnaryReactor* ListMissingScores(Ctx*, const v1::ListMissingScoresRequest*,
                                              v1::ListMissingScoresResponse*) override;
  grpc::ServerUnaryReactor* SubmitScore(Ctx*, const v1::SubmitScoreRequest*, v1::Score*) override;
  grpc::ServerReadReactor<v1::SubmitScoresRequest>* SubmitScores(
      Ctx*, v1::SubmitScoresResponse*) override;
  grpc::ServerUnaryReactor* GetResults(Ctx*, const v1::GetResultsRequest*, v1::Results*) override;
  grpc::ServerWriteReactor<files::v1::FileChunk>* ExportResults(
      Ctx*, const v1::ExportResultsRequest*) override;
  grpc::ServerUnaryReactor* SignResults(Ctx*, const v1::SignResultsRequest*, v1::SignOff*) override;
  grpc::ServerUnaryReactor* FileAppeal(Ctx*, const v1::FileAppealRequest*, v1::Appeal*) override;
  grpc::ServerUnaryReactor* DecideAppeal(Ctx*, const v1::DecideAppealRequest*,
                                         v1::Appeal*) override;
  grpc::ServerUnaryReactor* GetEntry(Ctx*, const v1::GetEntryRequest*, v1::Entry*) override;
  grpc::ServerUnaryReactor* GetJudge(Ctx*, const v1::GetJudgeRequest*, v1::Judge*) override;
  grpc::ServerUnaryReactor* ListJudges(Ctx*, const v1::ListJudgesRequest*,
                                       v1::ListJudgesResponse*) override;
  grpc::ServerUnaryReactor* GetAppeal(Ctx*, const v1::GetAppealRequest*, v1::Appeal*) override;
  grpc::ServerUnaryReactor* GetOutcome(Ctx*, const v1::GetOutcomeRequest*, v1::Outcome*) override;
  grpc::ServerUnaryReactor* ListAppeals(Ctx*, const v1::ListAppealsRequest*,
                                        v1::ListAppealsResponse*) override;
  grpc::ServerUnaryReactor* RetabulateRound(Ctx*, const v1::RetabulateRoundRequest*,
                                            v1::Round*) override;
  grpc::ServerUnaryReactor* ConvertOutcomes(Ctx*, const v1::ConvertOutcomesRequest*,
                                            v1::ConvertOutcomesResponse*) override;
  grpc::ServerUnaryReactor* PromoteAdvancers(Ctx*, const v1::PromoteAdvancersRequest*,
                                             v1::PromoteAdvancersResponse*) override;
  grpc::ServerWriteReactor<v1::Standings>* WatchStandings(
      Ctx*, const v1::WatchStandingsRequest*) override;
  grpc::ServerUnaryReactor* ListOutcomes(Ctx*, const v1::ListOutcomesRequest*,
                                         v1::ListOutcomesResponse*) override;
  grpc::ServerUnaryReactor* BatchGetCadreResults(Ctx*, const v1::BatchGetCadreResultsRequest*,
                                                 v1::BatchGetCadreResultsResponse*) override;

 private:
  absl::StatusOr<v1::Contest> DoCreateContest(CallContext& call, const v1::CreateContestRequest& r);
  absl::StatusOr<v1::Contest> DoGetContest(CallContext& call, const v1::GetContestRequest& r);
  absl::StatusOr<v1::ListContestsResponse> DoListContests(CallContext& call,
                                                          const v1::ListContestsRequest& r);
  absl::StatusOr<v1::Round> DoCreateRound(CallContext& call, const v1::CreateRoundRequest& r);
  absl::StatusOr<v1::Round> DoGetRound(CallContext& call, const v1::GetRoundRequest& r);
  absl::StatusOr<v1::ListRoundsResponse> DoListRounds(CallContext& call,
                                                      const v1::ListRoundsRequest& r);
  absl::StatusOr<v1::Round> DoAdvanceRound(CallContext& call, const v1::AdvanceRoundRequest& r);
  absl::StatusOr<v1::Round> DoSetRubric(CallContext& call, const v1::SetRubricRequest& r);
  absl::StatusOr<v1::Entry> DoCreateEntry(CallContext& call, const v1::CreateEntryRequest& r);
  absl::StatusOr<v1::EnterSecretariesResponse> DoEnterSecretaries(
      CallContext& call, const v1::EnterSecretariesRequest& r);
  absl::StatusOr<v1::Entry> DoWithdrawEntry(CallContext& call, const v1::WithdrawEntryRequest& r);
  absl::StatusOr<v1::ListEntriesResponse> DoListEntries(CallContext& call,
                                                        const v1::ListEntriesRequest& r);
  absl::StatusOr<v1::Judge> DoAddJudge(CallContext& call, const v1::AddJudgeRequest& r);
  absl::StatusOr<v1::Entry> DoAssignPanel(CallContext& call, const v1::AssignPanelRequest& r);
  absl::StatusOr<v1::ListMissingScoresResponse> DoListMissingScores(
      CallContext& call, const v1::ListMissingScoresRequest& r);
  absl::StatusOr<v1::Score> DoSubmitScore(CallContext& call, const v1::SubmitScoreRequest& r);
  absl::StatusOr<v1::Results> DoGetResults(CallContext& call, const v1::GetResultsRequest& r);
  // The workbook of ExportResults.
  absl::StatusOr<std::string> ResultsWorkbook(CallContext& call, const std::string& round_id);
  absl::StatusOr<v1::SignOff> DoSignResults(CallContext& call, const v1::SignResultsRequest& r);
  absl::StatusOr<v1::Appeal> DoFileAppeal(CallContext& call, const v1::FileAppealRequest& r);
  absl::StatusOr<v1::Appeal> DoDecideAppeal(CallContext& call, const v1::DecideAppealRequest& r);
  absl::StatusOr<v1::Entry> DoGetEntry(CallContext& call, const v1::GetEntryRequest& r);
  absl::StatusOr<v1::Judge> DoGetJudge(CallContext& call, const v1::GetJudgeRequest& r);
  absl::StatusOr<v1::ListJudgesResponse> DoListJudges(CallContext& call,
                                                      const v1::ListJudgesRequest& r);
  absl::StatusOr<v1::Appeal> DoGetAppeal(CallContext& call, const v1::GetAppealRequest& r);
  absl::StatusOr<v1::Outcome> DoGetOutcome(CallContext& call, const v1::GetOutcomeRequest& r);
  absl::StatusOr<v1::ListAppealsResponse> DoListAppeals(CallContext& call,
                                                        const v1::ListAppealsRequest& r);
  absl::StatusOr<v1::Round> DoRetabulateRound(CallContext& call,
                                              const v1::RetabulateRoundRequest& r);
  absl::StatusOr<v1::ConvertOutcomesResponse> DoConvertOutcomes(
      CallContext& call, const v1::ConvertOutcomesRequest& r);
  absl::StatusOr<v1::PromoteAdvancersResponse> DoPromoteAdvancers(
      CallContext& call, const v1::PromoteAdvancersRequest& r);
  absl::StatusOr<v1::ListOutcomesResponse> DoListOutcomes(CallContext& call,
                                                          const v1::ListOutcomesRequest& r);
  absl::StatusOr<v1::BatchGetCadreResultsResponse> DoBatchGetCadreResults(
      CallContext& call, const v1::BatchGetCadreResultsRequest& r);

  // The programme's contest gauges: the latest year's rounds by state, entries.
  absl::Status RefreshGauges(CallContext& call) override;

  Runtime& rt_;
  std::unique_ptr<ContestRepository> repo_;
  personnel::PersonnelClient personnel_;
};

}  // namespace touyan::contest

#endif  // TOUYAN_SERVICES_CONTEST_CONTEST_SERVICE_H_
