#include "common/export/xlsx.h"
#include "common/grpc/file_stream.h"
#include "services/incentive/service_util.h"

// Schemes, inputs, the year's assessments, democratic evaluations.
namespace touyan::incentive {

// -------------------------------------------------------------- assessment

TOUYAN_UNARY(IncentiveService, SetScheme, v1::SetSchemeRequest, v1::Scheme)
TOUYAN_UNARY(IncentiveService, GetScheme, v1::GetSchemeRequest, v1::Scheme)
TOUYAN_UNARY(IncentiveService, RecordInput, v1::RecordInputRequest, v1::AssessmentInput)
TOUYAN_UNARY(IncentiveService, ListInputs, v1::ListInputsRequest, v1::ListInputsResponse)
TOUYAN_UNARY(IncentiveService, ComputeAssessments, v1::ComputeAssessmentsRequest,
             v1::ComputeAssessmentsResponse)
TOUYAN_UNARY(IncentiveService, GetAssessment, v1::GetAssessmentRequest, v1::Assessment)
TOUYAN_UNARY(IncentiveService, ListAssessments, v1::ListAssessmentsRequest,
             v1::ListAssessmentsResponse)

absl::StatusOr<v1::Scheme> IncentiveService::DoSetScheme(CallContext& call,
                                                         const v1::SetSchemeRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  v1::Scheme s = r.scheme();
  RETURN_IF_ERROR(NestField(NormalizeScheme(s), "scheme."));
  RETURN_IF_ERROR(CheckYear("scheme.year", s.year(), call, false));
  RETURN_IF_ERROR(
      WithField(call.principal().CheckWrite(s.county_code() + "000000"), "scheme.county_code"));
  return repo_->SetScheme(call, r, s);
}

absl::StatusOr<v1::Scheme> IncentiveService::DoGetScheme(CallContext& call,
                                                         const v1::GetSchemeRequest& r) {
  if (r.county_code().size() != 6 || LevelOf(r.county_code() + "000000") != Level::kCounty) {
    return InvalidField("county_code", "must be a county's 6-digit code", "BAD_REGION_CODE");
  }
  RETURN_IF_ERROR(WithField(CheckCounty(call.principal(), r.county_code(), false), "county_code"));
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, false));
  return repo_->GetScheme(call, r.county_code(), r.year());
}

absl::StatusOr<v1::AssessmentInput> IncentiveService::DoRecordInput(
    CallContext& call, const v1::RecordInputRequest& r) {
  v1::AssessmentInput in = r.input();
  RETURN_IF_ERROR(NestField(ValidateInput(in, Today(call)), "input."));
  in.clear_id();
  in.clear_county_code();
  in.set_recorded_by(call.principal().subject);
  return AddCadreRecord(call, r, r.request_id(), RecordKind::kInput, in, "input.",
                        {.year = in.year(), .on = DayOf(in.recorded_on())});
}

TOUYAN_UNARY(IncentiveService, GetInput, v1::GetInputRequest, v1::AssessmentInput)

absl::StatusOr<v1::AssessmentInput> IncentiveService::DoGetInput(CallContext& call,
                                                                 const v1::GetInputRequest& r) {
  return RecordOf<v1::AssessmentInput>(call, RecordKind::kInput, r.id());
}

absl::StatusOr<v1::ListInputsResponse> IncentiveService::DoListInputs(
    CallContext& call, const v1::ListInputsRequest& r) {
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
  ASSIGN_OR_RETURN(const std::string county_region, CountyYearWrite(call, r));
  ASSIGN_OR_RETURN(YearInputs year, repo_->InputsOf(call, r.county_code(), r.year()));
  if (!year.scheme) {
    return Failed("NO_SCHEME",
                  absl::StrCat("county ", r.county_code(), " has no assessment scheme for ",
                               r.year(), ": SetScheme first"),
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
    ASSIGN_OR_RETURN(uncovered,
                     training_.Uncovered(call, county_region, r.year(), scheme.training_theme()));
  }

  // Published contest results.
  std::vector<std::string> ids;
  ids.reserve(secretaries.size());
  for (const auto& [id, s] : secretaries) ids.push_back(id);
  ASSIGN_OR_RETURN(auto results, contest_.CadreResults(call, r.year(), ids));

  std::vector<v1::Assessment> all;
  const google::protobuf::Timestamp now =
      TimestampFromMicros(absl::ToUnixMicros(call.clock().Now()));
  for (const auto& [id, s] : secretaries) {
    Inputs in = year.by_cadre[id];
    if (scheme.training_share() > 0 && s.party_org_kind() == pv1::PARTY_ORG_KIND_VILLAGE) {
      in.trained = !uncovered.count(id);
    }
    if (auto it = results.find(id); it != results.end()) {
      in.contest =
          Inputs::Contest{it->second.rank(), it->second.entrants(),
                          absl::StrCat(it->second.round_name(), " (", it->second.round_id(), ")"),
                          it->second.stars()};
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

absl::StatusOr<v1::Assessment> IncentiveService::DoGetAssessment(
    CallContext& call, const v1::GetAssessmentRequest& r) {
  ASSIGN_OR_RETURN(ResourceId cadre, ScopedId(call, "cadre_id", r.cadre_id(), false));
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, false));
  return repo_->GetAssessment(call, cadre, r.year());
}

absl::StatusOr<v1::ListAssessmentsResponse> IncentiveService::DoListAssessments(
    CallContext& call, const v1::ListAssessmentsRequest& r) {
  ASSIGN_OR_RETURN(std::string prefix,
                   ListPrefix(call.principal(), r.region_code(), "region_code"));
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, false));
  RETURN_IF_ERROR(CheckEnum("grade", r.grade(), v1::Grade_IsValid));
  ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
  ASSIGN_OR_RETURN(PageOf<v1::Assessment> rows,
                   repo_->ListAssessments(call, prefix, r.year(), r.grade(), page));
  return ListResponse(call, r, std::move(rows), &v1::ListAssessmentsResponse::mutable_assessments);
}

grpc::ServerWriteReactor<files::v1::FileChunk>* IncentiveService::ExportAssessments(
    Ctx* ctx, const v1::ExportAssessmentsRequest* req) {
  return FileStream(
      rt_, ctx, req, "ExportAssessments",
      [this](CallContext& call, const v1::ExportAssessmentsRequest& r) -> absl::StatusOr<MadeFile> {
        ASSIGN_OR_RETURN(std::string bytes, AssessmentsWorkbook(call, r));
        return MadeFile{absl::StrCat("assessments-", ExportRegion(call, r.region_code()), "-",
                                     r.year(), ".xlsx"),
                        std::move(bytes)};
      });
}

namespace {

const char* GradeLabel(v1::Grade g) {
  switch (g) {
    case v1::GRADE_EXCELLENT:
      return "优秀";
    case v1::GRADE_COMPETENT:
      return "称职";
    case v1::GRADE_BASICALLY_COMPETENT:
      return "基本称职";
    case v1::GRADE_INCOMPETENT:
      return "不称职";
    default:
      return "";
  }
}

}  // namespace

absl::StatusOr<std::string> IncentiveService::AssessmentsWorkbook(
    CallContext& call, const v1::ExportAssessmentsRequest& r) {
  v1::ListAssessmentsRequest list;
  list.set_region_code(r.region_code());
  list.set_year(r.year());
  ASSIGN_OR_RETURN(std::vector<v1::Assessment> all,
                   AllItems(
                       list, [&](const auto& q) { return DoListAssessments(call, q); },
                       &v1::ListAssessmentsResponse::mutable_assessments));
  std::stable_sort(all.begin(), all.end(), [](const v1::Assessment& a, const v1::Assessment& b) {
    return a.score() > b.score();
  });
  // The components in the order the scheme weighs them.
  static const std::pair<const char*, const char*> kComponents[] = {
      {"daily_management", "日常管理"},
      {"contest", "擂台比武"},
      {"stars", "星级评定"},
      {"annual_review", "年度述职"},
      {"democratic", "民主测评"}};
  xlsx::Sheet s{.name = absl::StrCat(r.year(), "年度考核"),
                .headers = {"名次", "书记姓名", "干部编号", "所在村（社区）代码"}};
  for (const auto& [name, label] : kComponents) s.headers.push_back(absl::StrCat(label, "得分"));
  for (const char* h : {"总分", "等次", "群众不满意否决"}) s.headers.push_back(h);
  std::map<v1::Grade, int> counts;
  for (size_t i = 0; i < all.size(); ++i) {
    const v1::Assessment& a = all[i];
    std::vector<xlsx::Cell> row = {xlsx::Cell::Number(static_cast<double>(i + 1)),
                                   xlsx::Cell::Text(a.cadre_name()), xlsx::Cell::Text(a.cadre_id()),
                                   xlsx::Cell::Text(a.region_code())};
    for (const auto& [name, label] : kComponents) {
      xlsx::Cell points;
      for (const v1::Component& c : a.components()) {
        if (c.name() == name) points = xlsx::Cell::Number(c.points());
      }
      row.push_back(points);
    }
    row.push_back(xlsx::Cell::Number(a.score()));
    row.push_back(xlsx::Cell::Text(GradeLabel(a.grade())));
    row.push_back(xlsx::Cell::Text(a.failed_democratic() ? "是" : "否"));
    ++counts[a.grade()];
    s.rows.push_back(std::move(row));
  }
  std::string tally = absl::StrCat("共 ", all.size(), " 人：");
  for (v1::Grade g : {v1::GRADE_EXCELLENT, v1::GRADE_COMPETENT, v1::GRADE_BASICALLY_COMPETENT,
                      v1::GRADE_INCOMPETENT}) {
    absl::StrAppend(&tally, GradeLabel(g), " ", counts[g], " 人；");
  }
  s.notes = {tally, "各分项为折算后的得分（分项值 × 权重 ÷ 100），总分为各分项之和。"};
  return xlsx::Workbook({s});
}

// --------------------------------------------------- democratic evaluation

TOUYAN_UNARY(IncentiveService, OpenEvaluation, v1::OpenEvaluationRequest, v1::Evaluation)
TOUYAN_UNARY(IncentiveService, GetEvaluation, v1::GetEvaluationRequest, v1::Evaluation)
TOUYAN_UNARY(IncentiveService, IssueVoterCodes, v1::IssueVoterCodesRequest,
             v1::IssueVoterCodesResponse)
TOUYAN_UNARY(IncentiveService, CastBallot, v1::CastBallotRequest, v1::CastBallotResponse)
TOUYAN_UNARY(IncentiveService, CloseEvaluation, v1::CloseEvaluationRequest, v1::Evaluation)

absl::StatusOr<v1::Evaluation> IncentiveService::DoOpenEvaluation(
    CallContext& call, const v1::OpenEvaluationRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  v1::Evaluation e = r.evaluation();
  RETURN_IF_ERROR(NestField(ValidateEvaluation(e, Today(call)), "evaluation."));
  RETURN_IF_ERROR(
      WithField(call.principal().CheckWrite(e.village_code()), "evaluation.village_code"));
  ASSIGN_OR_RETURN(std::vector<pv1::Cadre> cadres,
                   personnel_.GetCadres(call, e.cadre_ids(), "evaluation.cadre_ids"));
  for (size_t i = 0; i < cadres.size(); ++i) {
    if (CountyOf(cadres[i].region_code()) != CountyOf(e.village_code())) {
      return InvalidField(absl::StrCat("evaluation.cadre_ids[", i, "]"),
                          "is a cadre of another county than the meeting's village",
                          "OTHER_COUNTY");
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

absl::StatusOr<v1::Evaluation> IncentiveService::DoGetEvaluation(
    CallContext& call, const v1::GetEvaluationRequest& r) {
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "id", r.id(), false));
  return repo_->GetEvaluation(call, id);
}

TOUYAN_UNARY(IncentiveService, ListEvaluations, v1::ListEvaluationsRequest,
             v1::ListEvaluationsResponse)

absl::StatusOr<v1::ListEvaluationsResponse> IncentiveService::DoListEvaluations(
    CallContext& call, const v1::ListEvaluationsRequest& r) {
  ASSIGN_OR_RETURN(std::string prefix,
                   ListPrefix(call.principal(), r.region_code(), "region_code"));
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, true));
  ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
  ASSIGN_OR_RETURN(PageOf<v1::Evaluation> rows,
                   repo_->ListEvaluations(call, prefix, r.year(), page));
  return ListResponse(call, r, std::move(rows), &v1::ListEvaluationsResponse::mutable_evaluations);
}

absl::StatusOr<v1::IssueVoterCodesResponse> IncentiveService::DoIssueVoterCodes(
    CallContext& call, const v1::IssueVoterCodesRequest& r) {
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "evaluation_id", r.evaluation_id(), true));
  if (r.count() < 1 || r.count() > 1000)
    return InvalidField("count", "must be from 1 to 1,000", "OUT_OF_RANGE");
  return repo_->IssueVoterCodes(call, id, r.count(), r.void_unused());
}

absl::StatusOr<v1::CastBallotResponse> IncentiveService::DoCastBallot(
    CallContext& call, const v1::CastBallotRequest& r) {
  RETURN_IF_ERROR(ValidateBallot(r));
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "evaluation_id", r.evaluation_id(), true));
  return repo_->CastBallot(call, id, r);
}

absl::StatusOr<v1::Evaluation> IncentiveService::DoCloseEvaluation(
    CallContext& call, const v1::CloseEvaluationRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "id", r.id(), true));
  ASSIGN_OR_RETURN(v1::Evaluation e, repo_->GetEvaluation(call, id));
  absl::StatusOr<v1::Scheme> scheme = repo_->GetScheme(call, id.county_code, e.year());
  if (!scheme.ok() && scheme.status().code() != absl::StatusCode::kNotFound) {
    return scheme.status();
  }
  const int quorum = scheme.ok() ? scheme->quorum_percent() : kDefaultQuorumPercent;
  int fail = scheme.ok() ? scheme->dissatisfied_fail_percent() : 0;
  return repo_->CloseEvaluation(call, r, id, quorum, fail ? fail : kDefaultFailPercent);
}

}  // namespace touyan::incentive
