#include "services/incentive/incentive_service.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/idempotency/idempotency.h"
#include "common/grpc/handlers.h"
#include "common/ids/region.h"
#include "common/status/status.h"
#include "common/status/text.h"
#include "common/time/date.h"
#include "services/incentive/domain/rules.h"

namespace touyan::incentive {
namespace pv1 = ::touyan::personnel::v1;

namespace {

absl::CivilDay Today(const CallContext& call) { return call.clock().Today(); }

std::optional<absl::CivilDay> DayOf(const google::type::Date& d) {
  if (!IsSet(d)) return std::nullopt;
  absl::StatusOr<absl::CivilDay> day = ToCivilDay("", d);
  return day.ok() ? std::optional<absl::CivilDay>(*day) : std::nullopt;
}

absl::Status Failed(absl::string_view reason, const std::string& message, absl::string_view field) {
  return WithField(WithReason(absl::FailedPreconditionError(message), reason), field);
}

// A region code that is a city or a county (budgets, ledgers).
absl::Status CheckCityOrCounty(absl::string_view field, const std::string& code) {
  const Level l = LevelOf(code);
  if (l != Level::kCity && l != Level::kCounty) {
    return InvalidField(field, "must be a city's or county's 12-digit code", "BAD_REGION_CODE");
  }
  return absl::OkStatus();
}

}  // namespace

TOUYAN_UNARY(IncentiveService, SetScheme, v1::SetSchemeRequest, v1::Scheme)
TOUYAN_UNARY(IncentiveService, GetScheme, v1::GetSchemeRequest, v1::Scheme)
TOUYAN_UNARY(IncentiveService, RecordInput, v1::RecordInputRequest, v1::AssessmentInput)
TOUYAN_UNARY(IncentiveService, ListInputs, v1::ListInputsRequest, v1::ListInputsResponse)
TOUYAN_UNARY(IncentiveService, ComputeAssessments, v1::ComputeAssessmentsRequest, v1::ComputeAssessmentsResponse)
TOUYAN_UNARY(IncentiveService, GetAssessment, v1::GetAssessmentRequest, v1::Assessment)
TOUYAN_UNARY(IncentiveService, ListAssessments, v1::ListAssessmentsRequest, v1::ListAssessmentsResponse)
TOUYAN_UNARY(IncentiveService, OpenEvaluation, v1::OpenEvaluationRequest, v1::Evaluation)
TOUYAN_UNARY(IncentiveService, GetEvaluation, v1::GetEvaluationRequest, v1::Evaluation)
TOUYAN_UNARY(IncentiveService, IssueVoterCodes, v1::IssueVoterCodesRequest, v1::IssueVoterCodesResponse)
TOUYAN_UNARY(IncentiveService, CastBallot, v1::CastBallotRequest, v1::CastBallotResponse)
TOUYAN_UNARY(IncentiveService, CloseEvaluation, v1::CloseEvaluationRequest, v1::Evaluation)
TOUYAN_UNARY(IncentiveService, RaiseFlag, v1::RaiseFlagRequest, v1::SupervisionCase)
TOUYAN_UNARY(IncentiveService, AddFollowUp, v1::AddFollowUpRequest, v1::SupervisionCase)
TOUYAN_UNARY(IncentiveService, ListCases, v1::ListCasesRequest, v1::ListCasesResponse)
TOUYAN_UNARY(IncentiveService, DecideExitMeasure, v1::DecideExitMeasureRequest, v1::ExitMeasure)
TOUYAN_UNARY(IncentiveService, AppealExitMeasure, v1::AppealExitMeasureRequest, v1::ExitMeasure)
TOUYAN_UNARY(IncentiveService, DecideExitAppeal, v1::DecideExitAppealRequest, v1::ExitMeasure)
TOUYAN_UNARY(IncentiveService, EnforceExitMeasure, v1::EnforceExitMeasureRequest, v1::ExitMeasure)
TOUYAN_UNARY(IncentiveService, ListExitMeasures, v1::ListExitMeasuresRequest, v1::ListExitMeasuresResponse)
TOUYAN_UNARY(IncentiveService, RecordPromotion, v1::RecordPromotionRequest, v1::Promotion)
TOUYAN_UNARY(IncentiveService, ListPromotions, v1::ListPromotionsRequest, v1::ListPromotionsResponse)
TOUYAN_UNARY(IncentiveService, PromotionReport, v1::PromotionReportRequest, v1::PromotionReportResponse)
TOUYAN_UNARY(IncentiveService, SetBudget, v1::SetBudgetRequest, v1::Budget)
TOUYAN_UNARY(IncentiveService, PayCareAwards, v1::PayCareAwardsRequest, v1::PayCareAwardsResponse)
TOUYAN_UNARY(IncentiveService, ListAwards, v1::ListAwardsRequest, v1::ListAwardsResponse)
TOUYAN_UNARY(IncentiveService, GetLedger, v1::GetLedgerRequest, v1::Ledger)
TOUYAN_UNARY(IncentiveService, ArrangeInterview, v1::ArrangeInterviewRequest, v1::Interview)
TOUYAN_UNARY(IncentiveService, ListInterviews, v1::ListInterviewsRequest, v1::ListInterviewsResponse)
TOUYAN_UNARY(IncentiveService, RecordCare, v1::RecordCareRequest, v1::CareRecord)
TOUYAN_UNARY(IncentiveService, ListCare, v1::ListCareRequest, v1::ListCareResponse)
TOUYAN_UNARY(IncentiveService, CheckIn, v1::CheckInRequest, v1::WellbeingCheckIn)
TOUYAN_UNARY(IncentiveService, ListWellbeingAlerts, v1::ListWellbeingAlertsRequest, v1::ListWellbeingAlertsResponse)
TOUYAN_UNARY(IncentiveService, RecommendDelegate, v1::RecommendDelegateRequest, v1::Delegate)
TOUYAN_UNARY(IncentiveService, DecideDelegate, v1::DecideDelegateRequest, v1::Delegate)
TOUYAN_UNARY(IncentiveService, ListDelegates, v1::ListDelegatesRequest, v1::ListDelegatesResponse)

IncentiveService::IncentiveService(Runtime& rt, std::unique_ptr<IncentiveRepository> repo)
    : rt_(rt),
      repo_(std::move(repo)),
      personnel_(rt.downstream("personnel")),
      training_(rt.downstream("training")),
      contest_(rt.downstream("contest")) {}

template <typename M>
absl::StatusOr<M> IncentiveService::AddCadreRecord(CallContext& call, const google::protobuf::Message& request,
                                                   const std::string& request_id, RecordKind kind, M record,
                                                   const std::string& field, RecordMeta meta,
                                                   const IncentiveRepository::Check& check) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(request_id));
  ASSIGN_OR_RETURN(pv1::Cadre cadre, personnel_.GetCadre(call, record.cadre_id(), field + "cadre_id"));
  RETURN_IF_ERROR(WithField(call.principal().CheckWrite(cadre.region_code()), field + "cadre_id"));
  record.set_cadre_name(cadre.name());
  meta.cadre_id = record.cadre_id();
  meta.region_code = cadre.region_code();
  RETURN_IF_ERROR(repo_->AddRecord(call, request, request_id, kind, meta, record, check));
  return record;
}

template <typename M, typename Req, typename Resp>
absl::StatusOr<Resp> IncentiveService::ListOf(CallContext& call, const Req& r, RecordFilter filter,
                                              google::protobuf::RepeatedPtrField<M>* (Resp::*items)(),
                                              const std::function<void(M&, const StoredRecord&)>& fix) {
  ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
  ASSIGN_OR_RETURN(PageOf<StoredRecord> rows, repo_->ListRecords(call, filter, page));
  PageOf<M> out;
  out.next_cursor = rows.next_cursor;
  for (const StoredRecord& s : rows.items) {
    M m;
    RETURN_IF_ERROR(MergeFromJson(s.json, m));
    m.set_id(s.record_id);
    if (fix) fix(m, s);
    out.items.push_back(std::move(m));
  }
  return ListResponse(call, r, std::move(out), items);
}

absl::StatusOr<v1::Scheme> IncentiveService::SchemeOf(CallContext& call, const std::string& county, int year) {
  absl::StatusOr<v1::Scheme> s = repo_->GetScheme(call, county, year);
  if (s.status().code() == absl::StatusCode::kNotFound) {
    return Failed("NO_SCHEME",
                  absl::StrCat("county ", county, " has no assessment scheme for ", year, ": SetScheme first"),
                  "county_code");
  }
  return s;
}

// --------------------------------------------------------------- assessment

absl::StatusOr<v1::Scheme> IncentiveService::DoSetScheme(CallContext& call, const v1::SetSchemeRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  v1::Scheme s = r.scheme();
  RETURN_IF_ERROR(NestField(NormalizeScheme(s), "scheme."));
  RETURN_IF_ERROR(CheckYear("scheme.year", s.year(), call, false));
  RETURN_IF_ERROR(WithField(call.principal().CheckWrite(s.county_code() + "000000"), "scheme.county_code"));
  return repo_->SetScheme(call, r, s);
}

absl::StatusOr<v1::Scheme> IncentiveService::DoGetScheme(CallContext& call, const v1::GetSchemeRequest& r) {
  if (r.county_code().size() != 6 || LevelOf(r.county_code() + "000000") != Level::kCounty) {
    return InvalidField("county_code", "must be a county's 6-digit code", "BAD_REGION_CODE");
  }
  RETURN_IF_ERROR(WithField(CheckCounty(call.principal(), r.county_code(), false), "county_code"));
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, false));
  return repo_->GetScheme(call, r.county_code(), r.year());
}

absl::StatusOr<v1::AssessmentInput> IncentiveService::DoRecordInput(CallContext& call,
                                                                    const v1::RecordInputRequest& r) {
  v1::AssessmentInput in = r.input();
  RETURN_IF_ERROR(NestField(ValidateInput(in, Today(call)), "input."));
  in.clear_id();
  in.clear_county_code();
  in.set_recorded_by(call.principal().subject);
  return AddCadreRecord(call, r, r.request_id(), RecordKind::kInput, in, "input.",
                        {.year = in.year(), .on = DayOf(in.recorded_on())});
}

absl::StatusOr<v1::ListInputsResponse> IncentiveService::DoListInputs(CallContext& call,
                                                                      const v1::ListInputsRequest& r) {
  ASSIGN_OR_RETURN(ResourceId cadre, ScopedId(call, "cadre_id", r.cadre_id(), false));
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, true));
  return ListOf(call, r,
                {.kind = RecordKind::kInput,
                 .region_prefix = call.principal().scope_prefix,
                 .cadre_id = cadre.ToString(),
                 .year = r.year()},
                &v1::ListInputsResponse::mutable_inputs);
}

absl::StatusOr<v1::ComputeAssessmentsResponse> IncentiveService::DoComputeAssessments(
    CallContext& call, const v1::ComputeAssessmentsRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  if (r.county_code().size() != 6 || LevelOf(r.county_code() + "000000") != Level::kCounty) {
    return InvalidField("county_code", "must be a county's 6-digit code", "BAD_REGION_CODE");
  }
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, false));
  const std::string county_region = r.county_code() + "000000";
  RETURN_IF_ERROR(WithField(call.principal().CheckWrite(county_region), "county_code"));
  ASSIGN_OR_RETURN(YearInputs year, repo_->InputsOf(call, r.county_code(), r.year()));
  if (!year.scheme) {
    return Failed("NO_SCHEME",
                  absl::StrCat("county ", r.county_code(), " has no assessment scheme for ", r.year(),
                               ": SetScheme first"),
                  "county_code");
  }
  const v1::Scheme& scheme = *year.scheme;

  // The county's current secretaries, each once (by cadre id).
  ASSIGN_OR_RETURN(std::vector<pv1::Secretary> found,
                   personnel_.Secretaries(call, county_region, pv1::PARTY_ORG_KIND_UNSPECIFIED));
  std::map<std::string, pv1::Secretary> secretaries;
  for (pv1::Secretary& s : found) secretaries.emplace(s.cadre_id(), std::move(s));

  // Training coverage on the scheme's theme (village secretaries).
  std::set<std::string> uncovered;
  if (scheme.training_share() > 0) {
    ASSIGN_OR_RETURN(uncovered, training_.Uncovered(call, county_region, r.year(), scheme.training_theme()));
  }

  // Published contest results.
  std::vector<std::string> ids;
  ids.reserve(secretaries.size());
  for (const auto& [id, s] : secretaries) ids.push_back(id);
  ASSIGN_OR_RETURN(auto results, contest_.CadreResults(call, r.year(), ids));

  std::vector<v1::Assessment> all;
  const google::protobuf::Timestamp now = TimestampFromMicros(absl::ToUnixMicros(call.clock().Now()));
  for (const auto& [id, s] : secretaries) {
    Inputs in = year.by_cadre[id];
    if (scheme.training_share() > 0 && s.party_org_kind() == pv1::PARTY_ORG_KIND_VILLAGE) {
      in.trained = !uncovered.count(id);
    }
    if (auto it = results.find(id); it != results.end()) {
      in.contest = Inputs::Contest{it->second.rank(), it->second.entrants(),
                                   absl::StrCat(it->second.round_name(), " (", it->second.round_id(), ")")};
    }
    v1::Assessment a = Assess(scheme, in);
    a.set_cadre_id(id);
    a.set_cadre_name(s.cadre_name());
    a.set_county_code(r.county_code());
    a.set_party_org_id(s.party_org_id());
    a.set_region_code(s.region_code());
    *a.mutable_compute_time() = now;
    all.push_back(std::move(a));
  }
  return repo_->StoreAssessments(call, r, all);
}

absl::StatusOr<v1::Assessment> IncentiveService::DoGetAssessment(CallContext& call,
                                                                 const v1::GetAssessmentRequest& r) {
  ASSIGN_OR_RETURN(ResourceId cadre, ScopedId(call, "cadre_id", r.cadre_id(), false));
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, false));
  return repo_->GetAssessment(call, cadre, r.year());
}

absl::StatusOr<v1::ListAssessmentsResponse> IncentiveService::DoListAssessments(
    CallContext& call, const v1::ListAssessmentsRequest& r) {
  ASSIGN_OR_RETURN(std::string prefix, ListPrefix(call.principal(), r.region_code(), "region_code"));
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, false));
  RETURN_IF_ERROR(CheckEnum("grade", r.grade(), v1::Grade_IsValid));
  ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
  ASSIGN_OR_RETURN(PageOf<v1::Assessment> rows, repo_->ListAssessments(call, prefix, r.year(), r.grade(), page));
  return ListResponse(call, r, std::move(rows), &v1::ListAssessmentsResponse::mutable_assessments);
}

// ---------------------------------------------------- democratic evaluation

absl::StatusOr<v1::Evaluation> IncentiveService::DoOpenEvaluation(CallContext& call,
                                                                  const v1::OpenEvaluationRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  v1::Evaluation e = r.evaluation();
  RETURN_IF_ERROR(NestField(ValidateEvaluation(e, Today(call)), "evaluation."));
  RETURN_IF_ERROR(WithField(call.principal().CheckWrite(e.village_code()), "evaluation.village_code"));
  ASSIGN_OR_RETURN(std::vector<pv1::Cadre> cadres, personnel_.GetCadres(call, e.cadre_ids(), "evaluation.cadre_ids"));
  for (size_t i = 0; i < cadres.size(); ++i) {
    if (CountyOf(cadres[i].region_code()) != CountyOf(e.village_code())) {
      return InvalidField(absl::StrCat("evaluation.cadre_ids[", i, "]"),
                          "is a cadre of another county than the meeting's village", "OTHER_COUNTY");
    }
  }
  const int year = e.year();
  const int electorate = e.electorate();
  v1::Evaluation clean;
  clean.set_village_code(e.village_code());
  clean.set_year(year);
  *clean.mutable_meeting_date() = e.meeting_date();
  *clean.mutable_cadre_ids() = e.cadre_ids();
  clean.set_electorate(electorate);
  return repo_->OpenEvaluation(call, r, clean);
}

absl::StatusOr<v1::Evaluation> IncentiveService::DoGetEvaluation(CallContext& call,
                                                                 const v1::GetEvaluationRequest& r) {
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "id", r.id(), false));
  return repo_->GetEvaluation(call, id);
}

absl::StatusOr<v1::IssueVoterCodesResponse> IncentiveService::DoIssueVoterCodes(
    CallContext& call, const v1::IssueVoterCodesRequest& r) {
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "evaluation_id", r.evaluation_id(), true));
  if (r.count() < 1 || r.count() > 1000) return InvalidField("count", "must be from 1 to 1,000", "OUT_OF_RANGE");
  return repo_->IssueVoterCodes(call, id, r.count(), r.void_unused());
}

absl::StatusOr<v1::CastBallotResponse> IncentiveService::DoCastBallot(CallContext& call,
                                                                      const v1::CastBallotRequest& r) {
  RETURN_IF_ERROR(ValidateBallot(r));
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "evaluation_id", r.evaluation_id(), true));
  return repo_->CastBallot(call, id, r);
}

absl::StatusOr<v1::Evaluation> IncentiveService::DoCloseEvaluation(CallContext& call,
                                                                   const v1::CloseEvaluationRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "id", r.id(), true));
  ASSIGN_OR_RETURN(v1::Evaluation e, repo_->GetEvaluation(call, id));
  int quorum = 67;
  absl::StatusOr<v1::Scheme> scheme = repo_->GetScheme(call, id.county_code, e.year());
  if (scheme.ok()) quorum = scheme->quorum_percent();
  else if (scheme.status().code() != absl::StatusCode::kNotFound) return scheme.status();
  return repo_->CloseEvaluation(call, r, id, quorum);
}

// -------------------------------------------------------------- supervision

namespace {
void MarkOverdue(v1::SupervisionCase& c, absl::CivilDay today) {
  std::optional<absl::CivilDay> due = DayOf(c.rectify_by());
  c.set_overdue(!c.rectified() && due && *due < today);
}
}  // namespace

absl::StatusOr<v1::SupervisionCase> IncentiveService::DoRaiseFlag(CallContext& call, const v1::RaiseFlagRequest& r) {
  v1::SupervisionCase c = r.supervision_case();
  RETURN_IF_ERROR(NestField(ValidateCase(c, Today(call)), "supervision_case."));
  c.clear_id();
  c.clear_county_code();
  c.clear_rectified();
  c.clear_overdue();
  ASSIGN_OR_RETURN(v1::SupervisionCase out,
                   AddCadreRecord(call, r, r.request_id(), RecordKind::kCase, c, "supervision_case.",
                                  {.year = static_cast<int>(DayOf(c.raised_on())->year()),
                                   .on = DayOf(c.raised_on()),
                                   .due = DayOf(c.rectify_by()),
                                   .open = true}));
  MarkOverdue(out, Today(call));
  return out;
}

absl::StatusOr<v1::SupervisionCase> IncentiveService::DoAddFollowUp(CallContext& call,
                                                                    const v1::AddFollowUpRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  RETURN_IF_ERROR(NestField(ValidateFollowUp(r.follow_up(), Today(call)), "follow_up."));
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "case_id", r.case_id(), true));
  const std::string by = call.principal().subject;
  v1::SupervisionCase out;
  RETURN_IF_ERROR(repo_->ChangeRecord(
      call, r, r.request_id(), RecordKind::kCase, id, "case_id",
      [&](db::Tx&, google::protobuf::Message& m, RecordMeta& meta) -> absl::Status {
        auto& c = static_cast<v1::SupervisionCase&>(m);
        if (c.rectified()) return Failed("CASE_CLOSED", "case " + id.ToString() + " is rectified already", "case_id");
        v1::FollowUp* f = c.add_follow_ups();
        *f = r.follow_up();
        f->set_by(by);
        if (f->rectified()) {
          c.set_rectified(true);
          meta.open = false;
        }
        return absl::OkStatus();
      },
      out));
  MarkOverdue(out, Today(call));
  return out;
}

absl::StatusOr<v1::ListCasesResponse> IncentiveService::DoListCases(CallContext& call, const v1::ListCasesRequest& r) {
  ASSIGN_OR_RETURN(std::string prefix, ListPrefix(call.principal(), r.region_code(), "region_code"));
  if (!r.cadre_id().empty()) RETURN_IF_ERROR(ResourceId::Parse("cadre_id", r.cadre_id()).status());
  const absl::CivilDay today = Today(call);
  RecordFilter f{.kind = RecordKind::kCase, .region_prefix = prefix, .cadre_id = r.cadre_id()};
  if (r.overdue_only()) {
    f.open_only = true;
    f.due_before = today;
  }
  return ListOf<v1::SupervisionCase>(call, r, f, &v1::ListCasesResponse::mutable_cases,
                                     [today](v1::SupervisionCase& c, const StoredRecord&) { MarkOverdue(c, today); });
}

// -------------------------------------------------------------------- exits

absl::StatusOr<v1::ExitMeasure> IncentiveService::DoDecideExitMeasure(CallContext& call,
                                                                      const v1::DecideExitMeasureRequest& r) {
  v1::ExitMeasure m = r.measure();
  RETURN_IF_ERROR(NestField(ValidateMeasure(m, Today(call)), "measure."));
  for (int f : {1, 10, 11, 12, 13, 14, 16}) {  // output only
    m.GetReflection()->ClearField(&m, m.GetDescriptor()->FindFieldByNumber(f));
  }
  m.set_state(v1::MEASURE_STATE_DECIDED);
  m.set_removes(Removes(m.kind()));
  if (m.removes()) {  // the post it will end: the cadre's current secretary post
    ASSIGN_OR_RETURN(pv1::Position post, personnel_.SecretaryPost(call, m.cadre_id(), "measure.cadre_id"));
    m.set_position_id(post.id());
  }
  const v1::MeasureKind kind = m.kind();
  const std::string cadre = m.cadre_id(), skip = m.skip_reason();
  return AddCadreRecord(call, r, r.request_id(), RecordKind::kMeasure, m, "measure.",
                        {.year = static_cast<int>(DayOf(m.decided_on())->year()), .on = DayOf(m.decided_on())},
                        [&](db::Tx& tx) { return CheckLadder(kind, repo_->MeasuresOf(tx, cadre), skip); });
}

absl::StatusOr<v1::ExitMeasure> IncentiveService::DoAppealExitMeasure(CallContext& call,
                                                                      const v1::AppealExitMeasureRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  RETURN_IF_ERROR(ValidateText("appeal", r.appeal(), 2000));
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "id", r.id(), true));
  const absl::CivilDay today = Today(call);
  v1::ExitMeasure out;
  RETURN_IF_ERROR(repo_->ChangeRecord(
      call, r, r.request_id(), RecordKind::kMeasure, id, "id",
      [&](db::Tx&, google::protobuf::Message& msg, RecordMeta&) -> absl::Status {
        auto& m = static_cast<v1::ExitMeasure&>(msg);
        if (m.state() != v1::MEASURE_STATE_DECIDED) {
          return Failed("WRONG_STATE", "measure " + id.ToString() + " is " + v1::MeasureState_Name(m.state()), "id");
        }
        const absl::CivilDay last = *DayOf(m.decided_on()) + m.appeal_window_days();
        if (today > last) {
          return Failed("APPEAL_WINDOW_CLOSED",
                        absl::StrCat("the appeal window of measure ", id.ToString(), " ended on ", IsoDate(last)), "id");
        }
        m.set_state(v1::MEASURE_STATE_APPEALED);
        m.set_appeal(r.appeal());
        return absl::OkStatus();
      },
      out));
  return out;
}

absl::StatusOr<v1::ExitMeasure> IncentiveService::DoDecideExitAppeal(CallContext& call,
                                                                     const v1::DecideExitAppealRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  RETURN_IF_ERROR(ValidateText("decision", r.decision(), 2000));
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "id", r.id(), true));
  v1::ExitMeasure out;
  RETURN_IF_ERROR(repo_->ChangeRecord(
      call, r, r.request_id(), RecordKind::kMeasure, id, "id",
      [&](db::Tx&, google::protobuf::Message& msg, RecordMeta&) -> absl::Status {
        auto& m = static_cast<v1::ExitMeasure&>(msg);
        if (m.state() != v1::MEASURE_STATE_APPEALED) {
          return Failed("WRONG_STATE", "measure " + id.ToString() + " has no pending appeal", "id");
        }
        m.set_state(r.granted() ? v1::MEASURE_STATE_REVOKED : v1::MEASURE_STATE_UPHELD);
        m.set_appeal_decision(r.decision());
        return absl::OkStatus();
      },
      out));
  return out;
}

absl::StatusOr<v1::ExitMeasure> IncentiveService::DoEnforceExitMeasure(CallContext& call,
                                                                       const v1::EnforceExitMeasureRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "id", r.id(), true));
  const absl::CivilDay today = Today(call);
  v1::ExitMeasure m;
  RETURN_IF_ERROR(repo_->GetRecord(call, RecordKind::kMeasure, id, "id", m));
  // Whether the measure may be carried out now (an ENFORCED one is left to
  // the idempotent write below: a retry replays, anything else is refused).
  auto enforceable = [&](const v1::ExitMeasure& x) -> absl::Status {
    if (!x.removes()) {
      return Failed("NOT_REMOVING", v1::MeasureKind_Name(x.kind()) + " does not remove the cadre from the post", "id");
    }
    if (x.state() == v1::MEASURE_STATE_UPHELD) return absl::OkStatus();
    if (x.state() != v1::MEASURE_STATE_DECIDED) {
      return Failed(x.state() == v1::MEASURE_STATE_ENFORCED ? "ALREADY_ENFORCED" : "WRONG_STATE",
                    "measure " + id.ToString() + " is " + v1::MeasureState_Name(x.state()), "id");
    }
    const absl::CivilDay last = *DayOf(x.decided_on()) + x.appeal_window_days();
    if (today <= last && x.appeal_window_days() > 0) {
      return Failed("APPEAL_WINDOW_OPEN",
                    absl::StrCat("the cadre may appeal measure ", id.ToString(), " until ", IsoDate(last)), "id");
    }
    return absl::OkStatus();
  };
  if (m.state() != v1::MEASURE_STATE_ENFORCED) {
    RETURN_IF_ERROR(enforceable(m));
    pv1::EndPositionRequest end;
    end.set_request_id("exit-measure-" + id.ToString());  // the same for every attempt
    end.set_id(m.position_id());
    *end.mutable_ended_on() = ToDate(today);
    end.set_reason(pv1::POSITION_END_REASON_EXIT_MEASURE);
    end.set_note(absl::StrCat(v1::MeasureKind_Name(m.kind()), " ", id.ToString(), ": ", m.grounds()).substr(0, 400));
    RETURN_IF_ERROR(personnel_.EndPosition(call, end, "id").status());
  }
  v1::ExitMeasure out;
  RETURN_IF_ERROR(repo_->ChangeRecord(call, r, r.request_id(), RecordKind::kMeasure, id, "id",
                                      [&](db::Tx&, google::protobuf::Message& msg, RecordMeta&) -> absl::Status {
                                        auto& x = static_cast<v1::ExitMeasure&>(msg);
                                        RETURN_IF_ERROR(enforceable(x));
                                        x.set_state(v1::MEASURE_STATE_ENFORCED);
                                        *x.mutable_enforced_on() = ToDate(today);
                                        return absl::OkStatus();
                                      },
                                      out));
  return out;
}

absl::StatusOr<v1::ListExitMeasuresResponse> IncentiveService::DoListExitMeasures(
    CallContext& call, const v1::ListExitMeasuresRequest& r) {
  ASSIGN_OR_RETURN(std::string prefix, ListPrefix(call.principal(), r.region_code(), "region_code"));
  if (!r.cadre_id().empty()) RETURN_IF_ERROR(ResourceId::Parse("cadre_id", r.cadre_id()).status());
  return ListOf(call, r, {.kind = RecordKind::kMeasure, .region_prefix = prefix, .cadre_id = r.cadre_id()},
                &v1::ListExitMeasuresResponse::mutable_measures);
}

// --------------------------------------------------------------- promotions

absl::StatusOr<v1::Promotion> IncentiveService::DoRecordPromotion(CallContext& call,
                                                                  const v1::RecordPromotionRequest& r) {
  v1::Promotion p = r.promotion();
  RETURN_IF_ERROR(NestField(ValidatePromotion(p, Today(call)), "promotion."));
  p.clear_id();
  p.clear_county_code();
  return AddCadreRecord(call, r, r.request_id(), RecordKind::kPromotion, p, "promotion.",
                        {.year = p.year(), .on = DayOf(p.effective_on())});
}

absl::StatusOr<v1::ListPromotionsResponse> IncentiveService::DoListPromotions(CallContext& call,
                                                                              const v1::ListPromotionsRequest& r) {
  ASSIGN_OR_RETURN(std::string prefix, ListPrefix(call.principal(), r.region_code(), "region_code"));
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, true));
  return ListOf(call, r, {.kind = RecordKind::kPromotion, .region_prefix = prefix, .year = r.year()},
                &v1::ListPromotionsResponse::mutable_promotions);
}

absl::StatusOr<v1::PromotionReportResponse> IncentiveService::DoPromotionReport(CallContext& call,
                                                                                const v1::PromotionReportRequest& r) {
  ASSIGN_OR_RETURN(std::string prefix, ListPrefix(call.principal(), r.region_code(), "region_code"));
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, false));
  return repo_->PromotionReport(call, prefix, r.year());
}

// ------------------------------------------------------------------- awards

absl::StatusOr<v1::Budget> IncentiveService::DoSetBudget(CallContext& call, const v1::SetBudgetRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  const v1::Budget& b = r.budget();
  RETURN_IF_ERROR(CheckCityOrCounty("budget.region_code", b.region_code()));
  RETURN_IF_ERROR(CheckYear("budget.year", b.year(), call, false));
  if (b.programme() != v1::PROGRAMME_CARE) {
    return InvalidField("budget.programme", "must be PROGRAMME_CARE", "REQUIRED");
  }
  if (b.amount_fen() < 0 || b.amount_fen() > 1'000'000'000'000) {
    return InvalidField("budget.amount_fen", "must be from 0 to 10 billion yuan (in fen)", "OUT_OF_RANGE");
  }
  RETURN_IF_ERROR(WithField(call.principal().CheckWrite(b.region_code()), "budget.region_code"));
  return repo_->SetBudget(call, r);
}

absl::StatusOr<v1::PayCareAwardsResponse> IncentiveService::DoPayCareAwards(CallContext& call,
                                                                            const v1::PayCareAwardsRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  RETURN_IF_ERROR(CheckCityOrCounty("region_code", r.region_code()));
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, false));
  RETURN_IF_ERROR(WithField(call.principal().CheckWrite(r.region_code()), "region_code"));
  ASSIGN_OR_RETURN(std::vector<pv1::Nomination> good, personnel_.GoodSecretaries(call, r.region_code(), r.year()));
  std::vector<v1::Award> awards;
  for (const pv1::Nomination& n : good) {
    v1::Award a;
    a.set_cadre_id(n.cadre_id());
    a.set_cadre_name(n.cadre_name());
    a.set_county_code(CountyOf(n.cadre_id()));
    a.set_year(r.year());
    a.set_nomination_id(n.id());
    const bool on_establishment = n.establishment() == pv1::ESTABLISHMENT_STATUS_AGENCY ||
                                  n.establishment() == pv1::ESTABLISHMENT_STATUS_ENTERPRISE;
    RETURN_IF_ERROR(ApplyCareRule(on_establishment, n.cadre_id(), n.party_org_id(), a));
    awards.push_back(std::move(a));
  }
  return repo_->PayAwards(call, r, awards);
}

absl::StatusOr<v1::ListAwardsResponse> IncentiveService::DoListAwards(CallContext& call,
                                                                      const v1::ListAwardsRequest& r) {
  ASSIGN_OR_RETURN(std::string prefix, ListPrefix(call.principal(), r.region_code(), "region_code"));
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, true));
  ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
  ASSIGN_OR_RETURN(PageOf<v1::Award> rows, repo_->ListAwards(call, prefix, r.year(), page));
  return ListResponse(call, r, std::move(rows), &v1::ListAwardsResponse::mutable_awards);
}

absl::StatusOr<v1::Ledger> IncentiveService::DoGetLedger(CallContext& call, const v1::GetLedgerRequest& r) {
  const std::string region = r.region_code().empty() ? call.principal().scope : r.region_code();
  RETURN_IF_ERROR(CheckCityOrCounty("region_code", region));
  RETURN_IF_ERROR(WithField(call.principal().CheckCovers(region), "region_code"));
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, false));
  return repo_->Ledger(call, region, r.year());
}

// ---------------------------------------------------------------- publicity

absl::StatusOr<v1::Interview> IncentiveService::DoArrangeInterview(CallContext& call,
                                                                   const v1::ArrangeInterviewRequest& r) {
  v1::Interview i = r.interview();
  RETURN_IF_ERROR(NestField(ValidateInterview(i), "interview."));
  i.clear_id();
  i.clear_county_code();
  const int year = static_cast<int>(DayOf(i.on())->year());
  i.set_year(year);
  // The basis must hold: a confirmed good secretary of the year, or an
  // elected delegate of the body.
  bool eligible = false;
  if (i.basis() == v1::BASIS_GOOD_SECRETARY) {
    ASSIGN_OR_RETURN(std::vector<pv1::Nomination> good,
                     personnel_.GoodSecretaries(call, CountyOf(i.cadre_id()) + "000000", year));
    eligible = std::any_of(good.begin(), good.end(), [&](const auto& n) { return n.cadre_id() == i.cadre_id(); });
  } else {
    const v1::Body body = i.basis() == v1::BASIS_PARTY_CONGRESS     ? v1::BODY_PARTY_CONGRESS
                          : i.basis() == v1::BASIS_PEOPLES_CONGRESS ? v1::BODY_PEOPLES_CONGRESS
                                                                    : v1::BODY_CPPCC;
    ASSIGN_OR_RETURN(ResourceId cadre, ScopedId(call, "interview.cadre_id", i.cadre_id(), false));
    paging::Page page;
    page.size = 1000;
    ASSIGN_OR_RETURN(PageOf<StoredRecord> rows,
                     repo_->ListRecords(call,
                                        {.kind = RecordKind::kDelegate,
                                         .region_prefix = cadre.county_code,
                                         .cadre_id = cadre.ToString()},
                                        page));
    for (const StoredRecord& s : rows.items) {
      v1::Delegate d;
      RETURN_IF_ERROR(MergeFromJson(s.json, d));
      eligible |= d.body() == body && d.status() == v1::DELEGATE_STATUS_ELECTED;
    }
  }
  if (!eligible) {
    return Failed("NOT_ELIGIBLE",
                  absl::StrCat("cadre ", i.cadre_id(), " does not hold ", v1::Basis_Name(i.basis()),
                               i.basis() == v1::BASIS_GOOD_SECRETARY ? absl::StrCat(" in ", year) : ""),
                  "interview.basis");
  }
  return AddCadreRecord(call, r, r.request_id(), RecordKind::kInterview, i, "interview.",
                        {.year = year, .on = DayOf(i.on())});
}

absl::StatusOr<v1::ListInterviewsResponse> IncentiveService::DoListInterviews(CallContext& call,
                                                                              const v1::ListInterviewsRequest& r) {
  ASSIGN_OR_RETURN(std::string prefix, ListPrefix(call.principal(), r.region_code(), "region_code"));
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, true));
  return ListOf(call, r, {.kind = RecordKind::kInterview, .region_prefix = prefix, .year = r.year()},
                &v1::ListInterviewsResponse::mutable_interviews);
}

// --------------------------------------------------------------------- care

absl::StatusOr<v1::CareRecord> IncentiveService::DoRecordCare(CallContext& call, const v1::RecordCareRequest& r) {
  v1::CareRecord c = r.record();
  RETURN_IF_ERROR(NestField(ValidateCare(c, Today(call)), "record."));
  c.clear_id();
  c.clear_county_code();
  c.clear_notes_hidden();
  c.set_owner(call.principal().subject);
  RecordMeta meta{.year = static_cast<int>(DayOf(c.on())->year()), .on = DayOf(c.on())};
  std::string notes;
  if (c.kind() == v1::CARE_KIND_COUNSELLING) {  // restricted: kept outside the record
    meta.restricted = c.notes();
    notes = c.notes();
    c.clear_notes();
  }
  ASSIGN_OR_RETURN(v1::CareRecord out, AddCadreRecord(call, r, r.request_id(), RecordKind::kCare, c, "record.", meta));
  if (!notes.empty()) out.set_notes(notes);  // the owner sees what they wrote
  return out;
}

absl::StatusOr<v1::ListCareResponse> IncentiveService::DoListCare(CallContext& call, const v1::ListCareRequest& r) {
  ASSIGN_OR_RETURN(std::string prefix, ListPrefix(call.principal(), r.region_code(), "region_code"));
  if (!r.cadre_id().empty()) RETURN_IF_ERROR(ResourceId::Parse("cadre_id", r.cadre_id()).status());
  return ListOf<v1::CareRecord>(call, r, {.kind = RecordKind::kCare, .region_prefix = prefix, .cadre_id = r.cadre_id()},
                                &v1::ListCareResponse::mutable_records,
                                [&call](v1::CareRecord& c, const StoredRecord& s) {
                                  if (!s.has_restricted) return;
                                  if (s.restricted) {
                                    c.set_notes(*s.restricted);
                                    call.RecordAccess(c.county_code(), "care/" + c.id(), "notes");
                                  } else {
                                    c.set_notes_hidden(true);
                                  }
                                });
}

absl::StatusOr<v1::WellbeingCheckIn> IncentiveService::DoCheckIn(CallContext& call, const v1::CheckInRequest& r) {
  v1::WellbeingCheckIn c = r.check_in();
  RETURN_IF_ERROR(NestField(ValidateCheckIn(c, Today(call)), "check_in."));
  c.clear_id();
  c.clear_county_code();
  c.set_low(IsLow(c));
  return AddCadreRecord(call, r, r.request_id(), RecordKind::kCheckIn, c, "check_in.",
                        {.year = static_cast<int>(DayOf(c.on())->year()), .on = DayOf(c.on()), .open = c.low()});
}

absl::StatusOr<v1::ListWellbeingAlertsResponse> IncentiveService::DoListWellbeingAlerts(
    CallContext& call, const v1::ListWellbeingAlertsRequest& r) {
  ASSIGN_OR_RETURN(std::string prefix, ListPrefix(call.principal(), r.region_code(), "region_code"));
  ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
  ASSIGN_OR_RETURN(PageOf<v1::WellbeingAlert> rows, repo_->WellbeingAlerts(call, prefix, Today(call), page));
  return ListResponse(call, r, std::move(rows), &v1::ListWellbeingAlertsResponse::mutable_alerts);
}

// ---------------------------------------------------------------- delegates

absl::StatusOr<v1::Delegate> IncentiveService::DoRecommendDelegate(CallContext& call,
                                                                   const v1::RecommendDelegateRequest& r) {
  v1::Delegate d = r.delegate();
  RETURN_IF_ERROR(NestField(ValidateDelegate(d), "delegate."));
  RETURN_IF_ERROR(CheckYear("delegate.year", d.year(), call, false));
  d.clear_id();
  d.clear_county_code();
  d.set_status(v1::DELEGATE_STATUS_RECOMMENDED);
  return AddCadreRecord(call, r, r.request_id(), RecordKind::kDelegate, d, "delegate.", {.year = d.year()});
}

absl::StatusOr<v1::Delegate> IncentiveService::DoDecideDelegate(CallContext& call, const v1::DecideDelegateRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  if (r.status() != v1::DELEGATE_STATUS_ELECTED && r.status() != v1::DELEGATE_STATUS_NOT_ELECTED &&
      r.status() != v1::DELEGATE_STATUS_WITHDRAWN) {
    return InvalidField("status", "must be ELECTED, NOT_ELECTED or WITHDRAWN", "BAD_STATUS");
  }
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "id", r.id(), true));
  v1::Delegate out;
  RETURN_IF_ERROR(repo_->ChangeRecord(
      call, r, r.request_id(), RecordKind::kDelegate, id, "id",
      [&](db::Tx&, google::protobuf::Message& msg, RecordMeta&) -> absl::Status {
        auto& d = static_cast<v1::Delegate&>(msg);
        if (d.status() != v1::DELEGATE_STATUS_RECOMMENDED) {
          return Failed("WRONG_STATE", "recommendation " + id.ToString() + " is decided already", "id");
        }
        d.set_status(r.status());
        return absl::OkStatus();
      },
      out));
  return out;
}

absl::StatusOr<v1::ListDelegatesResponse> IncentiveService::DoListDelegates(CallContext& call,
                                                                            const v1::ListDelegatesRequest& r) {
  ASSIGN_OR_RETURN(std::string prefix, ListPrefix(call.principal(), r.region_code(), "region_code"));
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, true));
  return ListOf(call, r, {.kind = RecordKind::kDelegate, .region_prefix = prefix, .year = r.year()},
                &v1::ListDelegatesResponse::mutable_delegates);
}

}  // namespace touyan::incentive
