// The gRPC adapter of touyan.incentive.v1: checks requests and scope, asks
// personnel (cadres, secretaries, good secretaries, ending posts), training
// (coverage) and contest (published results), calls the domain rules and
// the repository.
#ifndef TOUYAN_SERVICES_INCENTIVE_INCENTIVE_SERVICE_H_
#define TOUYAN_SERVICES_INCENTIVE_INCENTIVE_SERVICE_H_

#include <memory>

#include "common/grpc/runtime.h"
#include "common/grpc/server.h"
#include "services/incentive/incentive_repository.h"
#include "services/personnel/client/personnel_client.h"
#include "touyan/contest/v1/contest.grpc.pb.h"
#include "touyan/incentive/v1/incentive.grpc.pb.h"
#include "touyan/training/v1/training.grpc.pb.h"

namespace touyan::incentive {

#define TOUYAN_INCENTIVE_RPCS(X)                                                     \
  X(SetScheme, SetSchemeRequest, Scheme)                                             \
  X(GetScheme, GetSchemeRequest, Scheme)                                             \
  X(RecordInput, RecordInputRequest, AssessmentInput)                                \
  X(ListInputs, ListInputsRequest, ListInputsResponse)                               \
  X(ComputeAssessments, ComputeAssessmentsRequest, ComputeAssessmentsResponse)       \
  X(GetAssessment, GetAssessmentRequest, Assessment)                                 \
  X(ListAssessments, ListAssessmentsRequest, ListAssessmentsResponse)                \
  X(OpenEvaluation, OpenEvaluationRequest, Evaluation)                               \
  X(GetEvaluation, GetEvaluationRequest, Evaluation)                                 \
  X(IssueVoterCodes, IssueVoterCodesRequest, IssueVoterCodesResponse)                \
  X(CastBallot, CastBallotRequest, CastBallotResponse)                               \
  X(CloseEvaluation, CloseEvaluationRequest, Evaluation)                             \
  X(RaiseFlag, RaiseFlagRequest, SupervisionCase)                                    \
  X(AddFollowUp, AddFollowUpRequest, SupervisionCase)                                \
  X(ListCases, ListCasesRequest, ListCasesResponse)                                  \
  X(DecideExitMeasure, DecideExitMeasureRequest, ExitMeasure)                        \
  X(AppealExitMeasure, AppealExitMeasureRequest, ExitMeasure)                        \
  X(DecideExitAppeal, DecideExitAppealRequest, ExitMeasure)                          \
  X(EnforceExitMeasure, EnforceExitMeasureRequest, ExitMeasure)                      \
  X(ListExitMeasures, ListExitMeasuresRequest, ListExitMeasuresResponse)             \
  X(RecordPromotion, RecordPromotionRequest, Promotion)                              \
  X(ListPromotions, ListPromotionsRequest, ListPromotionsResponse)                   \
  X(PromotionReport, PromotionReportRequest, PromotionReportResponse)                \
  X(SetBudget, SetBudgetRequest, Budget)                                             \
  X(PayCareAwards, PayCareAwardsRequest, PayCareAwardsResponse)                      \
  X(ListAwards, ListAwardsRequest, ListAwardsResponse)                               \
  X(GetLedger, GetLedgerRequest, Ledger)                                             \
  X(ArrangeInterview, ArrangeInterviewRequest, Interview)                            \
  X(ListInterviews, ListInterviewsRequest, ListInterviewsResponse)                   \
  X(RecordCare, RecordCareRequest, CareRecord)                                       \
  X(ListCare, ListCareRequest, ListCareResponse)                                     \
  X(CheckIn, CheckInRequest, WellbeingCheckIn)                                       \
  X(ListWellbeingAlerts, ListWellbeingAlertsRequest, ListWellbeingAlertsResponse)    \
  X(RecommendDelegate, RecommendDelegateRequest, Delegate)                           \
  X(DecideDelegate, DecideDelegateRequest, Delegate)                                 \
  X(ListDelegates, ListDelegatesRequest, ListDelegatesResponse)

class IncentiveService final : public v1::IncentiveService::CallbackService {
 public:
  IncentiveService(Runtime& rt, std::unique_ptr<IncentiveRepository> repo);

#define TOUYAN_DECLARE(Method, Req, Resp)                                                            \
  grpc::ServerUnaryReactor* Method(grpc::CallbackServerContext*, const v1::Req*, v1::Resp*) override; \
  absl::StatusOr<v1::Resp> Do##Method(CallContext& call, const v1::Req& r);
  TOUYAN_INCENTIVE_RPCS(TOUYAN_DECLARE)
#undef TOUYAN_DECLARE

 private:
  // Stores a new record about `record`'s cadre (asked of personnel: it must
  // be in the caller's writable scope); fills cadre_name. `field`: the
  // request's path to the record ("supervision_case.").
  template <typename M>
  absl::StatusOr<M> AddCadreRecord(CallContext& call, const google::protobuf::Message& request,
                                   const std::string& request_id, RecordKind kind, M record,
                                   const std::string& field, RecordMeta meta,
                                   const IncentiveRepository::Check& check = nullptr);
  // One page of records of `filter`, mapped to M.
  template <typename M, typename Req, typename Resp>
  absl::StatusOr<Resp> ListOf(CallContext& call, const Req& r, RecordFilter filter,
                              google::protobuf::RepeatedPtrField<M>* (Resp::*items)(),
                              const std::function<void(M&, const StoredRecord&)>& fix = nullptr);
  absl::StatusOr<ResourceId> ScopedId(CallContext& call, absl::string_view field, const std::string& id, bool write);
  absl::StatusOr<v1::Scheme> SchemeOf(CallContext& call, const std::string& county, int year);

  Runtime& rt_;
  std::unique_ptr<IncentiveRepository> repo_;
  personnel::PersonnelClient personnel_;
  const Downstream& training_;
  const Downstream& contest_;
  std::unique_ptr<training::v1::TrainingService::Stub> training_stub_;
  std::unique_ptr<contest::v1::ContestService::Stub> contest_stub_;
};

// What the server binary and the tests start.
ServiceSpec IncentiveSpec();

}  // namespace touyan::incentive

#endif  // TOUYAN_SERVICES_INCENTIVE_INCENTIVE_SERVICE_H_
