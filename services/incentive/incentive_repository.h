// Storage for the incentive service. Implementations run in the caller's
// CallContext; mutations are idempotent through CallContext (but ballots and
// voter codes, which leave nothing for replay). The adapter checks what
// needs no data (and asks personnel, training and contest) before.
#ifndef TOUYAN_SERVICES_INCENTIVE_INCENTIVE_REPOSITORY_H_
#define TOUYAN_SERVICES_INCENTIVE_INCENTIVE_REPOSITORY_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/call/call_context.h"
#include "common/db/rows.h"
#include "common/ids/resource_id.h"
#include "common/paging/page_token.h"
#include "services/incentive/domain/rules.h"
#include "touyan/incentive/v1/incentive.pb.h"

namespace touyan::incentive {

// The case files kept about a cadre, one message type each.
enum class RecordKind {
  kInput = 1,      // AssessmentInput
  kCase = 2,       // SupervisionCase
  kMeasure = 3,    // ExitMeasure
  kPromotion = 4,  // Promotion
  kInterview = 5,  // Interview
  kCare = 6,       // CareRecord
  kCheckIn = 7,    // WellbeingCheckIn
  kDelegate = 8,   // Delegate
  kProposal = 9,   // Proposal
};

// The kinds of a city's policies of a year.
enum class PolicyKind { kPromotion, kConsequence };
// What lists filter on, beside the message.
struct RecordMeta {
  std::string cadre_id = {};
  std::string region_code = {};  // the cadre's (decides the county)
  int year = 0;
  std::optional<absl::CivilDay> on = {};   // the record's day
  std::optional<absl::CivilDay> due = {};  // a deadline
  bool open = false;                       // an unrectified case; a low check-in
  std::string restricted = {};             // counselling notes, outside the message
};

// A stored record as lists return it: the message as JSON and its id.
struct StoredRecord {
  std::string record_id;  // "150902-42"
  std::string json;
  std::string owner;
  // The restricted text if the caller may read it; `has_restricted` tells
  // that some exists either way.
  std::optional<std::string> restricted;
  bool has_restricted = false;
  std::string etag;  // the row's version (AIP-154), for the messages that carry one
  const std::string& id() const { return record_id; }
};

struct RecordFilter {
  RecordKind kind = RecordKind::kInput;
  std::string region_prefix = {};  // of the cadres' regions
  std::string cadre_id = {};       // "" = any
  int year = 0;                    // 0 = any
  bool open_only = false;
  std::optional<absl::CivilDay> due_before = {};  // with open_only: overdue cases
  std::string kind_name = {};   // the body's "kind" (an enum value's name), "" = any
  std::string state_name = {};  // the body's "state", "" = any
};

// The inputs of a county's year, for computing its assessments.
struct YearInputs {
  std::optional<v1::Scheme> scheme;
  // cadre id → records of the year.
  std::map<std::string, Inputs> by_cadre;
};

struct IncentiveGauges {
  int assessment_year = 0;  // 0: nothing assessed
  std::map<v1::Grade, int64_t> grades;
  int award_year = 0;  // 0: no care award
  int64_t awards_paid = 0;
  int64_t awards_reversed = 0;
  int64_t award_fen = 0;  // paid, net of reversals
};

class IncentiveRepository {
 public:
  virtual ~IncentiveRepository() = default;

  virtual absl::StatusOr<v1::Scheme> SetScheme(CallContext& call,
                                               const v1::SetSchemeRequest& request,
                                               const v1::Scheme& scheme) = 0;
  virtual absl::StatusOr<v1::Scheme> GetScheme(CallContext& call, const std::string& county,
                                               int year) = 0;

  // Records. `record` gets its id and county (fields "id", "county_code").
  // `check` (optional) runs first in the same transaction.
  using Check = std::function<absl::Status(db::Tx&)>;
  virtual absl::Status AddRecord(CallContext& call, const google::protobuf::Message& request,
                                 const std::string& request_id, RecordKind kind,
                                 const RecordMeta& meta, google::protobuf::Message& record,
                                 const Check& check) = 0;
  // A record as stored; NOT_FOUND names `field`, and so does PERMISSION_DENIED
  // when the caller's scope does not cover the record's cadre. With
  // `restricted`, also its restricted text as ListRecords gives it (only to
  // the city and the record's owner) and whether there is any.
  virtual absl::Status GetRecord(CallContext& call, RecordKind kind, const ResourceId& id,
                                 absl::string_view field, google::protobuf::Message& record,
                                 StoredRecord* restricted = nullptr) = 0;
  // Loads a record (locked), lets `change` modify it and its meta (with the
  // transaction, for checks), stores it. NOT_FOUND names `field`.
  using Change = std::function<absl::Status(db::Tx&, google::protobuf::Message&, RecordMeta&)>;
  virtual absl::Status ChangeRecord(CallContext& call, const google::protobuf::Message& request,
                                    const std::string& request_id, RecordKind kind,
                                    const ResourceId& id, absl::string_view field,
                                    const Change& change, google::protobuf::Message& record) = 0;
  virtual absl::StatusOr<PageOf<StoredRecord>> ListRecords(CallContext& call,
                                                           const RecordFilter& filter,
                                                           const paging::Page& page) = 0;
  // Adds a record inside a running mutation (as AddRecord, audited).
  virtual void InsertRecord(CallContext& call, db::Tx& tx, RecordKind kind, const RecordMeta& meta,
                            google::protobuf::Message& record) = 0;
  // The kinds of a cadre's exit measures not revoked (for the ladder).
  virtual std::vector<v1::MeasureKind> MeasuresOf(db::Tx& tx, const std::string& cadre_id) = 0;
  // The id of a cadre's pending exit-step proposal, "" if none.
  virtual std::string PendingExitProposal(db::Tx& tx, const std::string& cadre_id) = 0;
  // Revises the proposals of a county's year in one mutation: each live
  // (not withdrawn) one that `called` (complete but for ids) no longer
  // holds is withdrawn if pending; each of `called` without a live one of
  // its cadre and kind is added (`region_of` gives its cadre's region).
  virtual absl::StatusOr<v1::ProposeConsequencesResponse> ReviseProposals(
      CallContext& call, const v1::ProposeConsequencesRequest& request,
      const std::vector<v1::Proposal>& called,
      const std::map<std::string, std::string>& region_of) = 0;
  // Low check-ins of the region with no care record within 30 days after
  // them, the 30 days passed by `today`.
  virtual absl::StatusOr<PageOf<v1::WellbeingAlert>> WellbeingAlerts(
      CallContext& call, const std::string& region_prefix, absl::CivilDay today,
      const paging::Page& page) = 0;

  // Democratic evaluation. `evaluation` complete (cadre names filled).
  virtual absl::StatusOr<v1::Evaluation> OpenEvaluation(CallContext& call,
                                                        const v1::OpenEvaluationRequest& request,
                                                        const v1::Evaluation& evaluation) = 0;
  virtual absl::StatusOr<v1::Evaluation> GetEvaluation(CallContext& call, const ResourceId& id) = 0;
  // Evaluations of villages under `region_prefix` (of `year`, 0 = any).
  virtual absl::StatusOr<PageOf<v1::Evaluation>> ListEvaluations(CallContext& call,
                                                                 const std::string& region_prefix,
                                                                 int year,
                                                                 const paging::Page& page) = 0;
  virtual absl::StatusOr<v1::IssueVoterCodesResponse> IssueVoterCodes(CallContext& call,
                                                                      const ResourceId& id,
                                                                      int count,
                                                                      bool void_unused) = 0;
  virtual absl::StatusOr<v1::CastBallotResponse> CastBallot(
      CallContext& call, const ResourceId& id, const v1::CastBallotRequest& ballot) = 0;
  // Closes and tallies with the county's quorum and dissatisfied rule for the year.
  virtual absl::StatusOr<v1::Evaluation> CloseEvaluation(CallContext& call,
                                                         const v1::CloseEvaluationRequest& request,
                                                         const ResourceId& id, int quorum_percent,
                                                         int fail_percent) = 0;

  // Assessments: the county's inputs of a year, and storing its results.
  virtual absl::StatusOr<YearInputs> InputsOf(CallContext& call, const std::string& county,
                                              int year) = 0;
  virtual absl::StatusOr<v1::ComputeAssessmentsResponse> StoreAssessments(
      CallContext& call, const v1::ComputeAssessmentsRequest& request,
      const std::vector<v1::Assessment>& all) = 0;
  virtual absl::StatusOr<v1::Assessment> GetAssessment(CallContext& call, const ResourceId& cadre,
                                                       int year) = 0;
  virtual absl::StatusOr<PageOf<v1::Assessment>> ListAssessments(CallContext& call,
                                                                 const std::string& region_prefix,
                                                                 int year, v1::Grade grade,
                                                                 const paging::Page& page) = 0;

  // The care award.
  virtual absl::StatusOr<v1::Budget> SetBudget(CallContext& call,
                                               const v1::SetBudgetRequest& request) = 0;
  // Pays `awards` (complete but for ids; the amount is the budget's) not
  // paid before, within the budget of the request's region, all or none;
  // `unpaid` (those the rule could not pay) go into the answer as they are.
  virtual absl::StatusOr<v1::PayCareAwardsResponse> PayAwards(
      CallContext& call, const v1::PayCareAwardsRequest& request,
      const std::vector<v1::Award>& awards, const std::vector<v1::UnpaidAward>& unpaid) = 0;
  virtual absl::StatusOr<PageOf<v1::Award>> ListAwards(CallContext& call,
                                                       const std::string& region_prefix, int year,
                                                       const paging::Page& page) = 0;
  // Award `id`; NOT_FOUND naming "id".
  virtual absl::StatusOr<v1::Award> GetAward(CallContext& call, const ResourceId& id) = 0;
  // Reverses award `id` if its etag is the one sent (or none was) and the
  // caller may write its budget's region; a reversed one is returned as it is.
  virtual absl::StatusOr<v1::Award> ReverseAward(CallContext& call,
                                                 const v1::ReverseAwardRequest& request,
                                                 const ResourceId& id) = 0;
  virtual absl::StatusOr<v1::Ledger> Ledger(CallContext& call, const std::string& region_code,
                                            int year) = 0;
  virtual absl::StatusOr<v1::PromotionReportResponse> PromotionReport(
      CallContext& call, const std::string& region_prefix, int year) = 0;

  // A city's policies of a year (PromotionPolicy, ConsequencePolicy): a new
  // version from `policy` (its region_code, year, version, updated_by and
  // update_time are set here); the latest one into `policy` (false: none set).
  virtual absl::Status SetPolicy(CallContext& call, const google::protobuf::Message& request,
                                 const std::string& request_id, PolicyKind kind,
                                 const std::string& city_region, int year,
                                 google::protobuf::Message& policy) = 0;
  virtual absl::StatusOr<bool> GetPolicy(CallContext& call, PolicyKind kind,
                                         const std::string& city_region, int year,
                                         google::protobuf::Message& policy) = 0;
  // Each cadre's latest assessment of a year up to `year` (those the
  // caller may read; cadres never assessed are left out).
  virtual absl::StatusOr<std::map<std::string, v1::Assessment>> LastAssessments(
      CallContext& call, const std::vector<std::string>& cadre_ids, int year) = 0;

  // The programme's gauges over a region: the latest year assessed there
  // and its grades; the latest year of care awards, paid and reversed.
  virtual absl::StatusOr<IncentiveGauges> Gauges(CallContext& call,
                                                 const std::string& region_prefix) = 0;
};

}  // namespace touyan::incentive

#endif  // TOUYAN_SERVICES_INCENTIVE_INCENTIVE_REPOSITORY_H_
