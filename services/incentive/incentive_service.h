// The gRPC adapter of touyan.incentive.v1: checks requests and scope, asks
// personnel (cadres, secretaries, good secretaries, ending posts), training
// (coverage) and contest (published results), calls the domain rules and
// the repository.
#ifndef TOUYAN_SERVICES_INCENTIVE_INCENTIVE_SERVICE_H_
#define TOUYAN_SERVICES_INCENTIVE_INCENTIVE_SERVICE_H_

#include <memory>
#include <set>
#include <string>

#include "common/grpc/runtime.h"
#include "common/grpc/server.h"
#include "services/contest/client/contest_client.h"
#include "services/incentive/incentive_repository.h"
#include "services/personnel/client/personnel_client.h"
#include "services/training/client/training_client.h"
#include "touyan/incentive/v1/incentive.grpc.pb.h"

namespace touyan::incentive {

class IncentiveService final : public v1::IncentiveService::CallbackService, public GaugeSource {
 public:
  IncentiveService(Runtime& rt, std::unique_ptr<IncentiveRepository> repo);

  using Ctx = grpc::CallbackServerContext;
  grpc::ServerUnaryReactor* SetScheme(Ctx*, const v1::SetSchemeRequest*, v1::Scheme*) override;
  grpc::ServerUnaryReactor* GetScheme(Ctx*, const v1::GetSchemeRequest*, v1::Scheme*) override;
  grpc::ServerUnaryReactor* RecordInput(Ctx*, const v1::RecordInputRequest*,
                                        v1::AssessmentInput*) override;
  grpc::ServerUnaryReactor* ListInputs(Ctx*, const v1::ListInputsRequest*,
                                       v1::ListInputsResponse*) override;
  grpc::ServerUnaryReactor* ComputeAssessments(Ctx*, const v1::ComputeAssessmentsRequest*,
                                               v1::ComputeAssessmentsResponse*) override;
  grpc::ServerUnaryReactor* GetAssessment(Ctx*, const v1::GetAssessmentRequest*,
                                          v1::Assessment*) override;
  grpc::ServerUnaryReactor* ListAssessments(Ctx*, const v1::ListAssessmentsRequest*,
                                            v1::ListAssessmentsResponse*) override;
  grpc::ServerWriteReactor<files::v1::FileChunk>* ExportAssessments(
      Ctx*, const v1::ExportAssessmentsRequest*) override;
  grpc::ServerWriteReactor<files::v1::FileChunk>* ExportAwards(
      Ctx*, const v1::ExportAwardsRequest*) override;
  grpc::ServerUnaryReactor* OpenEvaluation(Ctx*, const v1::OpenEvaluationRequest*,
                                           v1::Evaluation*) override;
  grpc::ServerUnaryReactor* GetEvaluation(Ctx*, const v1::GetEvaluationRequest*,
                                          v1::Evaluation*) override;
  grpc::ServerUnaryReactor* IssueVoterCodes(Ctx*, const v1::IssueVoterCodesRequest*,
                                            v1::IssueVoterCodesResponse*) override;
  grpc::ServerUnaryReactor* CastBallot(Ctx*, const v1::CastBallotRequest*,
                                       v1::CastBallotResponse*) override;
  grpc::ServerUnaryReactor* CloseEvaluation(Ctx*, const v1::CloseEvaluationRequest*,
                                            v1::Evaluation*) override;
  grpc::ServerUnaryReactor* RaiseFlag(Ctx*, const v1::RaiseFlagRequest*,
                                      v1::SupervisionCase*) override;
  grpc::ServerUnaryReactor* AddFollowUp(Ctx*, const v1::AddFollowUpRequest*,
                                        v1::SupervisionCase*) override;
  grpc::ServerUnaryReactor* ListCases(Ctx*, const v1::ListCasesRequest*,
                                      v1::ListCasesResponse*) override;
  grpc::ServerUnaryReactor* DecideExitMeasure(Ctx*, const v1::DecideExitMeasureRequest*,
                                              v1::ExitMeasure*) override;
  grpc::ServerUnaryReactor* AppealExitMeasure(Ctx*, const v1::AppealExitMeasureRequest*,
                                              v1::ExitMeasure*) override;
  grpc::ServerUnaryReactor* DecideExitAppeal(Ctx*, const v1::DecideExitAppealRequest*,
                                             v1::ExitMeasure*) override;
  grpc::ServerUnaryReactor* EnforceExitMeasure(Ctx*, const v1::EnforceExitMeasureRequest*,
                                               v1::ExitMeasure*) override;
  grpc::ServerUnaryReactor* ListExitMeasures(Ctx*, const v1::ListExitMeasuresRequest*,
                                             v1::ListExitMeasuresResponse*) override;
  grpc::ServerUnaryReactor* SetPromotionPolicy(Ctx*, const v1::SetPromotionPolicyRequest*,
                                               v1::PromotionPolicy*) override;
  grpc::ServerUnaryReactor* GetPromotionPolicy(Ctx*, const v1::GetPromotionPolicyRequest*,
                                               v1::PromotionPolicy*) override;
  grpc::ServerUnaryReactor* ListPromotionCandidates(Ctx*, const v1::ListPromotionCandidatesRequest*,
                                                    v1::ListPromotionCandidatesResponse*) override;
  grpc::ServerUnaryReactor* RecordPromotion(Ctx*, const v1::RecordPromotionRequest*,
                                            v1::Promotion*) override;
  grpc::ServerUnaryReactor* CorrectPromotion(Ctx*, const v1::CorrectPromotionRequest*,
                                             v1::Promotion*) override;
  grpc::ServerUnaryReactor* SetConsequencePolicy(Ctx*, const v1::SetConsequencePolicyRequest*,
                                                 v1::ConsequencePolicy*) override;
  grpc::ServerUnaryReactor* GetConsequencePolicy(Ctx*, const v1::GetConsequencePolicyRequest*,
                                                 v1::ConsequencePolicy*) override;
  grpc::ServerUnaryReactor* ProposeConsequences(Ctx*, const v1::ProposeConsequencesRequest*,
                                                v1::ProposeConsequencesResponse*) override;
  grpc::ServerUnaryReactor* DecideProposal(Ctx*, const v1::DecideProposalRequest*,
                                           v1::Proposal*) override;
  grpc::ServerUnaryReactor* GetProposal(Ctx*, const v1::GetProposalRequest*,
                                        v1::Proposal*) override;
  grpc::ServerUnaryReactor* ListProposals(Ctx*, const v1::ListProposalsRequest*,
                                          v1::ListProposalsResponse*) override;
  grpc::ServerUnaryReactor* ListPromotions(Ctx*, const v1::ListPromotionsRequest*,
                                           v1::ListPromotionsResponse*) override;
  grpc::ServerUnaryReactor* PromotionReport(Ctx*, const v1::PromotionReportRequest*,
                                            v1::PromotionReportResponse*) override;
  grpc::ServerUnaryReactor* SetBudget(Ctx*, const v1::SetBudgetRequest*, v1::Budget*) override;
  grpc::ServerUnaryReactor* PayCareAwards(Ctx*, const v1::PayCareAwardsRequest*,
                                          v1::PayCareAwardsResponse*) override;
  grpc::ServerUnaryReactor* ListAwards(Ctx*, const v1::ListAwardsRequest*,
                                       v1::ListAwardsResponse*) override;
  grpc::ServerUnaryReactor* ReverseAward(Ctx*, const v1::ReverseAwardRequest*, v1::Award*) override;
  grpc::ServerUnaryReactor* GetAward(Ctx*, const v1::GetAwardRequest*, v1::Award*) override;
  grpc::ServerUnaryReactor* GetCase(Ctx*, const v1::GetCaseRequest*, v1::SupervisionCase*) override;
  grpc::ServerUnaryReactor* GetExitMeasure(Ctx*, const v1::GetExitMeasureRequest*,
                                           v1::ExitMeasure*) override;
  grpc::ServerUnaryReactor* GetInterview(Ctx*, const v1::GetInterviewRequest*,
                                         v1::Interview*) override;
  grpc::ServerUnaryReactor* GetDelegate(Ctx*, const v1::GetDelegateRequest*,
                                        v1::Delegate*) override;
  grpc::ServerUnaryReactor* GetPromotion(Ctx*, const v1::GetPromotionRequest*,
                                         v1::Promotion*) override;
  grpc::ServerUnaryReactor* GetLedger(Ctx*, const v1::GetLedgerRequest*, v1::Ledger*) override;
  grpc::ServerUnaryReactor* ArrangeInterview(Ctx*, const v1::ArrangeInterviewRequest*,
                                             v1::Interview*) override;
  grpc::ServerUnaryReactor* ListInterviews(Ctx*, const v1::ListInterviewsRequest*,
                                           v1::ListInterviewsResponse*) override;
  grpc::ServerUnaryReactor* RecordCare(Ctx*, const v1::RecordCareRequest*,
                                       v1::CareRecord*) override;
  grpc::ServerUnaryReactor* ListCare(Ctx*, const v1::ListCareRequest*,
                                     v1::ListCareResponse*) override;
  grpc::ServerUnaryReactor* CheckIn(Ctx*, const v1::CheckInRequest*,
                                    v1::WellbeingCheckIn*) override;
  grpc::ServerUnaryReactor* GetInput(Ctx*, const v1::GetInputRequest*,
                                     v1::AssessmentInput*) override;
  grpc::ServerUnaryReactor* GetCareRecord(Ctx*, const v1::GetCareRecordRequest*,
                                          v1::CareRecord*) override;
  grpc::ServerUnaryReactor* GetCheckIn(Ctx*, const v1::GetCheckInRequest*,
                                       v1::WellbeingCheckIn*) override;
  grpc::ServerUnaryReactor* ListCheckIns(Ctx*, const v1::ListCheckInsRequest*,
                                         v1::ListCheckInsResponse*) override;
  grpc::ServerUnaryReactor* ListEvaluations(Ctx*, const v1::ListEvaluationsRequest*,
                                            v1::ListEvaluationsResponse*) override;
  grpc::ServerUnaryReactor* ListWellbeingAlerts(Ctx*, const v1::ListWellbeingAlertsRequest*,
                                                v1::ListWellbeingAlertsResponse*) override;
  grpc::ServerUnaryReactor* RecommendDelegate(Ctx*, const v1::RecommendDelegateRequest*,
                                              v1::Delegate*) override;
  grpc::ServerUnaryReactor* DecideDelegate(Ctx*, const v1::DecideDelegateRequest*,
                                           v1::Delegate*) override;
  grpc::ServerUnaryReactor* ListDelegates(Ctx*, const v1::ListDelegatesRequest*,
                                          v1::ListDelegatesResponse*) override;

 private:
  absl::StatusOr<v1::Scheme> DoSetScheme(CallContext& call, const v1::SetSchemeRequest& r);
  absl::StatusOr<v1::Scheme> DoGetScheme(CallContext& call, const v1::GetSchemeRequest& r);
  absl::StatusOr<v1::AssessmentInput> DoRecordInput(CallContext& call,
                                                    const v1::RecordInputRequest& r);
  absl::StatusOr<v1::ListInputsResponse> DoListInputs(CallContext& call,
                                                      const v1::ListInputsRequest& r);
  absl::StatusOr<v1::ComputeAssessmentsResponse> DoComputeAssessments(
      CallContext& call, const v1::ComputeAssessmentsRequest& r);
  absl::StatusOr<v1::Assessment> DoGetAssessment(CallContext& call,
                                                 const v1::GetAssessmentRequest& r);
  absl::StatusOr<v1::ListAssessmentsResponse> DoListAssessments(
      CallContext& call, const v1::ListAssessmentsRequest& r);
  // The workbook of ExportAwards.
  absl::StatusOr<std::string> AwardsWorkbook(CallContext& call, const v1::ExportAwardsRequest& r);
  // The workbook of ExportAssessments.
  absl::StatusOr<std::string> AssessmentsWorkbook(CallContext& call,
                                                  const v1::ExportAssessmentsRequest& r);
  absl::StatusOr<v1::Evaluation> DoOpenEvaluation(CallContext& call,
                                                  const v1::OpenEvaluationRequest& r);
  absl::StatusOr<v1::Evaluation> DoGetEvaluation(CallContext& call,
                                                 const v1::GetEvaluationRequest& r);
  absl::StatusOr<v1::IssueVoterCodesResponse> DoIssueVoterCodes(
      CallContext& call, const v1::IssueVoterCodesRequest& r);
  absl::StatusOr<v1::CastBallotResponse> DoCastBallot(CallContext& call,
                                                      const v1::CastBallotRequest& r);
  absl::StatusOr<v1::Evaluation> DoCloseEvaluation(CallContext& call,
                                                   const v1::CloseEvaluationRequest& r);
  absl::StatusOr<v1::SupervisionCase> DoRaiseFlag(CallContext& call, const v1::RaiseFlagRequest& r);
  absl::StatusOr<v1::SupervisionCase> DoAddFollowUp(CallContext& call,
                                                    const v1::AddFollowUpRequest& r);
  absl::StatusOr<v1::ListCasesResponse> DoListCases(CallContext& call,
                                                    const v1::ListCasesRequest& r);
  absl::StatusOr<v1::ExitMeasure> DoDecideExitMeasure(CallContext& call,
                                                      const v1::DecideExitMeasureRequest& r);
  absl::StatusOr<v1::ExitMeasure> DoAppealExitMeasure(CallContext& call,
                                                      const v1::AppealExitMeasureRequest& r);
  absl::StatusOr<v1::ExitMeasure> DoDecideExitAppeal(CallContext& call,
                                                     const v1::DecideExitAppealRequest& r);
  absl::StatusOr<v1::ExitMeasure> DoEnforceExitMeasure(CallContext& call,
                                                       const v1::EnforceExitMeasureRequest& r);
  absl::StatusOr<v1::ListExitMeasuresResponse> DoListExitMeasures(
      CallContext& call, const v1::ListExitMeasuresRequest& r);
  absl::StatusOr<v1::PromotionPolicy> DoSetPromotionPolicy(CallContext& call,
                                                           const v1::SetPromotionPolicyRequest& r);
  absl::StatusOr<v1::PromotionPolicy> DoGetPromotionPolicy(CallContext& call,
                                                           const v1::GetPromotionPolicyRequest& r);
  absl::StatusOr<v1::ListPromotionCandidatesResponse> DoListPromotionCandidates(
      CallContext& call, const v1::ListPromotionCandidatesRequest& r);
  absl::StatusOr<v1::Promotion> DoCorrectPromotion(CallContext& call,
                                                   const v1::CorrectPromotionRequest& r);
  absl::StatusOr<v1::Promotion> DoRecordPromotion(CallContext& call,
                                                  const v1::RecordPromotionRequest& r);
  absl::StatusOr<v1::ConsequencePolicy> DoSetConsequencePolicy(
      CallContext& call, const v1::SetConsequencePolicyRequest& r);
  absl::StatusOr<v1::ConsequencePolicy> DoGetConsequencePolicy(
      CallContext& call, const v1::GetConsequencePolicyRequest& r);
  absl::StatusOr<v1::ProposeConsequencesResponse> DoProposeConsequences(
      CallContext& call, const v1::ProposeConsequencesRequest& r);
  absl::StatusOr<v1::Proposal> DoDecideProposal(CallContext& call,
                                                const v1::DecideProposalRequest& r);
  absl::StatusOr<v1::Proposal> DoGetProposal(CallContext& call, const v1::GetProposalRequest& r);
  absl::StatusOr<v1::ListProposalsResponse> DoListProposals(CallContext& call,
                                                            const v1::ListProposalsRequest& r);
  // The cadres of a region (or one cadre) with a confirmed eligibility
  // proposal of `year` or the year before.
  absl::StatusOr<std::set<std::string>> EligibleCadres(CallContext& call,
                                                       const std::string& region_prefix,
                                                       const std::string& cadre_id, int year);
  absl::StatusOr<v1::ListPromotionsResponse> DoListPromotions(CallContext& call,
                                                              const v1::ListPromotionsRequest& r);
  absl::StatusOr<v1::PromotionReportResponse> DoPromotionReport(
      CallContext& call, const v1::PromotionReportRequest& r);
  absl::StatusOr<v1::Budget> DoSetBudget(CallContext& call, const v1::SetBudgetRequest& r);
  absl::StatusOr<v1::PayCareAwardsResponse> DoPayCareAwards(CallContext& call,
                                                            const v1::PayCareAwardsRequest& r);
  absl::StatusOr<v1::ListAwardsResponse> DoListAwards(CallContext& call,
                                                      const v1::ListAwardsRequest& r);
  absl::StatusOr<v1::Award> DoReverseAward(CallContext& call, const v1::ReverseAwardRequest& r);
  absl::StatusOr<v1::Award> DoGetAward(CallContext& call, const v1::GetAwardRequest& r);
  absl::StatusOr<v1::Promotion> DoGetPromotion(CallContext& call, const v1::GetPromotionRequest& r);
  absl::StatusOr<v1::SupervisionCase> DoGetCase(CallContext& call, const v1::GetCaseRequest& r);
  absl::StatusOr<v1::ExitMeasure> DoGetExitMeasure(CallContext& call,
                                                   const v1::GetExitMeasureRequest& r);
  absl::StatusOr<v1::Interview> DoGetInterview(CallContext& call, const v1::GetInterviewRequest& r);
  absl::StatusOr<v1::Delegate> DoGetDelegate(CallContext& call, const v1::GetDelegateRequest& r);
  absl::StatusOr<v1::Ledger> DoGetLedger(CallContext& call, const v1::GetLedgerRequest& r);
  absl::StatusOr<v1::Interview> DoArrangeInterview(CallContext& call,
                                                   const v1::ArrangeInterviewRequest& r);
  absl::StatusOr<v1::ListInterviewsResponse> DoListInterviews(CallContext& call,
                                                              const v1::ListInterviewsRequest& r);
  absl::StatusOr<v1::CareRecord> DoRecordCare(CallContext& call, const v1::RecordCareRequest& r);
  absl::StatusOr<v1::ListCareResponse> DoListCare(CallContext& call, const v1::ListCareRequest& r);
  absl::StatusOr<v1::WellbeingCheckIn> DoCheckIn(CallContext& call, const v1::CheckInRequest& r);
  absl::StatusOr<v1::AssessmentInput> DoGetInput(CallContext& call, const v1::GetInputRequest& r);
  absl::StatusOr<v1::CareRecord> DoGetCareRecord(CallContext& call,
                                                 const v1::GetCareRecordRequest& r);
  absl::StatusOr<v1::WellbeingCheckIn> DoGetCheckIn(CallContext& call,
                                                    const v1::GetCheckInRequest& r);
  absl::StatusOr<v1::ListCheckInsResponse> DoListCheckIns(CallContext& call,
                                                          const v1::ListCheckInsRequest& r);
  absl::StatusOr<v1::ListEvaluationsResponse> DoListEvaluations(
      CallContext& call, const v1::ListEvaluationsRequest& r);
  absl::StatusOr<v1::ListWellbeingAlertsResponse> DoListWellbeingAlerts(
      CallContext& call, const v1::ListWellbeingAlertsRequest& r);
  absl::StatusOr<v1::Delegate> DoRecommendDelegate(CallContext& call,
                                                   const v1::RecommendDelegateRequest& r);
  absl::StatusOr<v1::Delegate> DoDecideDelegate(CallContext& call,
                                                const v1::DecideDelegateRequest& r);
  absl::StatusOr<v1::ListDelegatesResponse> DoListDelegates(CallContext& call,
                                                            const v1::ListDelegatesRequest& r);

  // Stores a new record about `record`'s cadre (asked of personnel: it must
  // be in the caller's writable scope); fills cadre_name. `field`: the
  // request's path to the record ("supervision_case.").
  template <typename M>
  absl::StatusOr<M> AddCadreRecord(CallContext& call, const google::protobuf::Message& request,
                                   const std::string& request_id, RecordKind kind, M record,
                                   const std::string& field, RecordMeta meta,
                                   const IncentiveRepository::Check& check = nullptr);
  // The record of `kind` a Get request's `id` names: its county checked
  // before any query, a township operator's scope against its cadre.
  template <typename M>
  absl::StatusOr<M> RecordOf(CallContext& call, RecordKind kind, const std::string& id);
  // One page of records of `filter`, mapped to M.
  template <typename M, typename Req, typename Resp>
  absl::StatusOr<Resp> ListOf(CallContext& call, const Req& r, RecordFilter filter,
                              google::protobuf::RepeatedPtrField<M>* (Resp::*items)(),
                              const std::function<void(M&, const StoredRecord&)>& fix = nullptr);
  absl::StatusOr<v1::Scheme> SchemeOf(CallContext& call, const std::string& county, int year);
  // A city's policy of a year (PromotionPolicy, ConsequencePolicy) with
  // Touyan's defaults where it sets none (WithDefaults of its type).
  template <typename P>
  absl::StatusOr<P> PolicyOf(CallContext& call, PolicyKind kind, const std::string& city, int year);

  // The programme's gauges: the latest assessment year's grades, the care
  // awards of the latest year (paid, reversed, yuan).
  absl::Status RefreshGauges(CallContext& call) override;

  Runtime& rt_;
  std::unique_ptr<IncentiveRepository> repo_;
  personnel::PersonnelClient personnel_;
  training::TrainingClient training_;
  contest::ContestClient contest_;
};

}  // namespace touyan::incentive

#endif  // TOUYAN_SERVICES_INCENTIVE_INCENTIVE_SERVICE_H_
