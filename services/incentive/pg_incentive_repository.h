// IncentiveRepository on Postgres (schema "incentive").
#ifndef TOUYAN_SERVICES_INCENTIVE_PG_INCENTIVE_REPOSITORY_H_
#define TOUYAN_SERVICES_INCENTIVE_PG_INCENTIVE_REPOSITORY_H_

#include <vector>

#include "common/db/pool.h"
#include "services/incentive/incentive_repository.h"

namespace touyan::incentive {

class PgIncentiveRepository final : public IncentiveRepository {
 public:
  static std::vector<db::Statement> Statements();

  absl::StatusOr<v1::Scheme> SetScheme(CallContext& call, const v1::SetSchemeRequest& request,
                                       const v1::Scheme& scheme) override;
  absl::StatusOr<v1::Scheme> GetScheme(CallContext& call, const std::string& county,
                                       int year) override;
  absl::Status AddRecord(CallContext& call, const google::protobuf::Message& request,
                         const std::string& request_id, RecordKind kind, const RecordMeta& meta,
                         google::protobuf::Message& record, const Check& check) override;
  absl::Status GetRecord(CallContext& call, RecordKind kind, const ResourceId& id,
                         absl::string_view field, google::protobuf::Message& record,
                         StoredRecord* restricted = nullptr) override;
  absl::Status ChangeRecord(CallContext& call, const google::protobuf::Message& request,
                            const std::string& request_id, RecordKind kind, const ResourceId& id,
                            absl::string_view field, const Change& change,
                            google::protobuf::Message& record) override;
  absl::StatusOr<PageOf<StoredRecord>> ListRecords(CallContext& call, const RecordFilter& filter,
                                                   const paging::Page& page) override;
  void InsertRecord(CallContext& call, db::Tx& tx, RecordKind kind, const RecordMeta& meta,
                    google::protobuf::Message& record) override;
  std::vector<v1::MeasureKind> MeasuresOf(db::Tx& tx, const std::string& cadre_id) override;
  std::string PendingExitProposal(db::Tx& tx, const std::string& cadre_id) override;
  absl::StatusOr<v1::ProposeConsequencesResponse> ReviseProposals(
      CallContext& call, const v1::ProposeConsequencesRequest& request,
      const std::vector<v1::Proposal>& called,
      const std::map<std::string, std::string>& region_of) override;
  absl::StatusOr<PageOf<v1::WellbeingAlert>> WellbeingAlerts(CallContext& call,
                                                             const std::string& region_prefix,
                                                             absl::CivilDay today,
                                                             const paging::Page& page) override;
  absl::StatusOr<v1::Evaluation> OpenEvaluation(CallContext& call,
                                                const v1::OpenEvaluationRequest& request,
                                                const v1::Evaluation& evaluation) override;
  absl::StatusOr<v1::Evaluation> GetEvaluation(CallContext& call, const ResourceId& id) override;
  absl::StatusOr<PageOf<v1::Evaluation>> ListEvaluations(CallContext& call,
                                                         const std::string& region_prefix, int year,
                                                         const paging::Page& page) override;
  absl::StatusOr<v1::IssueVoterCodesResponse> IssueVoterCodes(CallContext& call,
                                                              const ResourceId& id, int count,
                                                              bool void_unused) override;
  absl::StatusOr<v1::CastBallotResponse> CastBallot(CallContext& call, const ResourceId& id,
                                                    const v1::CastBallotRequest& ballot) override;
  absl::StatusOr<v1::Evaluation> CloseEvaluation(CallContext& call,
                                                 const v1::CloseEvaluationRequest& request,
                                                 const ResourceId& id, int quorum_percent,
                                                 int fail_percent) override;
  absl::StatusOr<YearInputs> InputsOf(CallContext& call, const std::string& county,
                                      int year) override;
  absl::StatusOr<v1::ComputeAssessmentsResponse> StoreAssessments(
      CallContext& call, const v1::ComputeAssessmentsRequest& request,
      const std::vector<v1::Assessment>& all) override;
  absl::StatusOr<v1::Assessment> GetAssessment(CallContext& call, const ResourceId& cadre,
                                               int year) override;
  absl::StatusOr<PageOf<v1::Assessment>> ListAssessments(CallContext& call,
                                                         const std::string& region_prefix, int year,
                                                         v1::Grade grade,
                                                         const paging::Page& page) override;
  absl::StatusOr<v1::Budget> SetBudget(CallContext& call,
                                       const v1::SetBudgetRequest& request) override;
  absl::StatusOr<v1::PayCareAwardsResponse> PayAwards(
      CallContext& call, const v1::PayCareAwardsRequest& request,
      const std::vector<v1::Award>& awards, const std::vector<v1::UnpaidAward>& unpaid) override;
  absl::StatusOr<v1::Award> GetAward(CallContext& call, const ResourceId& id) override;
  absl::StatusOr<v1::Award> ReverseAward(CallContext& call, const v1::ReverseAwardRequest& request,
                                         const ResourceId& id) override;
  absl::StatusOr<PageOf<v1::Award>> ListAwards(CallContext& call, const std::string& region_prefix,
                                               int year, const paging::Page& page) override;
  absl::StatusOr<v1::Ledger> Ledger(CallContext& call, const std::string& region_code,
                                    int year) override;
  absl::StatusOr<v1::PromotionReportResponse> PromotionReport(CallContext& call,
                                                              const std::string& region_prefix,
                                                              int year) override;
  absl::Status SetPolicy(CallContext& call, const google::protobuf::Message& request,
                         const std::string& request_id, PolicyKind kind,
                         const std::string& city_region, int year,
                         google::protobuf::Message& policy) override;
  absl::StatusOr<bool> GetPolicy(CallContext& call, PolicyKind kind, const std::string& city_region,
                                 int year, google::protobuf::Message& policy) override;
  absl::StatusOr<std::map<std::string, v1::Assessment>> LastAssessments(
      CallContext& call, const std::vector<std::string>& cadre_ids, int year) override;
  absl::StatusOr<IncentiveGauges> Gauges(CallContext& call,
                                         const std::string& region_prefix) override;
};

}  // namespace touyan::incentive

#endif  // TOUYAN_SERVICES_INCENTIVE_PG_INCENTIVE_REPOSITORY_H_
