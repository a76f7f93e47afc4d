// The gRPC adapter of touyan.personnel.v1, part three: precise profiles,
// the candidate search and the good-secretary selection.
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/export/pdf.h"
#include "common/grpc/file_stream.h"
#include "common/grpc/handlers.h"
#include "common/status/status.h"
#include "common/status/text.h"
#include "common/time/date.h"
#include "services/personnel/domain/profile.h"
#include "services/personnel/domain/resident_id.h"
#include "services/personnel/domain/rules.h"
#include "services/personnel/personnel_service.h"

namespace touyan::personnel {

TOUYAN_UNARY(PersonnelService, RecordEvaluation, v1::RecordEvaluationRequest, v1::Evaluation)

absl::StatusOr<v1::Evaluation> PersonnelService::DoRecordEvaluation(
    CallContext& call, const v1::RecordEvaluationRequest& r) {
  ASSIGN_OR_RETURN(ResourceId cadre,
                   ResourceId::Parse("evaluation.cadre_id", r.evaluation().cadre_id()));
  RETURN_IF_ERROR(CheckCounty(call.principal(), cadre.county_code, true));
  RETURN_IF_ERROR(ValidateEvaluation(r.evaluation(), call.clock().Today()));
  return repo_->RecordEvaluation(call, r, cadre);
}

TOUYAN_UNARY(PersonnelService, SetProfileThresholds, v1::SetProfileThresholdsRequest,
             v1::ProfileThresholds)

absl::StatusOr<v1::ProfileThresholds> PersonnelService::DoSetProfileThresholds(
    CallContext& call, const v1::SetProfileThresholdsRequest& r) {
  RETURN_IF_ERROR(RequireCity(call.principal(), "set profile thresholds"));
  RETURN_IF_ERROR(ValidateThresholds(r.thresholds(), call.clock().Today()));
  return repo_->SetProfileThresholds(call, r);
}

TOUYAN_UNARY(PersonnelService, GetProfileThresholds, v1::GetProfileThresholdsRequest,
             v1::ProfileThresholds)

absl::StatusOr<v1::ProfileThresholds> PersonnelService::DoGetProfileThresholds(
    CallContext& call, const v1::GetProfileThresholdsRequest& r) {
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, /*zero_ok=*/false));
  return repo_->GetProfileThresholds(call, r.year());
}

TOUYAN_UNARY(PersonnelService, GetProfile, v1::GetProfileRequest, v1::Profile)

absl::StatusOr<v1::Profile> PersonnelService::DoGetProfile(CallContext& call,
                                                           const v1::GetProfileRequest& r) {
  ASSIGN_OR_RETURN(ResourceId cadre, ResourceId::Parse("cadre_id", r.cadre_id()));
  RETURN_IF_ERROR(CheckCounty(call.principal(), cadre.county_code, false));
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, /*zero_ok=*/false));
  return repo_->GetProfile(call, cadre, r.year());
}

TOUYAN_UNARY(PersonnelService, SearchCadres, v1::SearchCadresRequest, v1::SearchCadresResponse)

absl::StatusOr<v1::SearchCadresResponse> PersonnelService::DoSearchCadres(
    CallContext& call, const v1::SearchCadresRequest& r) {
  CadreSearch q;
  ASSIGN_OR_RETURN(q.region_prefix, ListPrefix(call.principal(), r.region_code(), "region_code"));
  if (r.max_age() < 0 || r.max_age() > 150) return InvalidField("max_age", "must be 0 to 150");
  RETURN_IF_ERROR(CheckEnum("min_education", r.min_education(), v1::Education_IsValid));
  RETURN_IF_ERROR(CheckEnum("position", r.position(), v1::PositionKind_IsValid));
  if (r.all_conditions_met() || r.profile_year() != 0) {
    RETURN_IF_ERROR(CheckYear("profile_year", r.profile_year(), call, /*zero_ok=*/false));
  }
  q.max_age = r.max_age();
  q.min_education = r.min_education();
  q.position_kinds = KindsHolding(r.position());
  q.profile_year = r.profile_year();
  q.all_conditions_met = r.all_conditions_met();
  ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
  ASSIGN_OR_RETURN(PageOf<v1::Cadre> rows, repo_->SearchCadres(call, q, page));
  if (!call.principal().SeesResidentIds()) {
    for (auto& c : rows.items) c.set_resident_id(MaskResidentId(c.resident_id()));
  }
  return ListResponse(call, r, std::move(rows), &v1::SearchCadresResponse::mutable_cadres);
}

TOUYAN_UNARY(PersonnelService, CreateSelectionRound, v1::CreateSelectionRoundRequest,
             v1::SelectionRound)

absl::StatusOr<v1::SelectionRound> PersonnelService::DoCreateSelectionRound(
    CallContext& call, const v1::CreateSelectionRoundRequest& r) {
  RETURN_IF_ERROR(RequireCity(call.principal(), "open a selection round"));
  RETURN_IF_ERROR(ValidateRound(r.round(), call.clock().Today()));
  RETURN_IF_ERROR(
      WithField(call.principal().CheckWrite(r.round().region_code()), "round.region_code"));
  return repo_->CreateSelectionRound(call, r);
}

TOUYAN_UNARY(PersonnelService, GetSelectionRound, v1::GetSelectionRoundRequest, v1::SelectionRound)

absl::StatusOr<v1::SelectionRound> PersonnelService::DoGetSelectionRound(
    CallContext& call, const v1::GetSelectionRoundRequest& r) {
  ASSIGN_OR_RETURN(ResourceId id, ResourceId::Parse("id", r.id()));
  return repo_->GetSelectionRound(call, id);
}

TOUYAN_UNARY(PersonnelService, NominateGoodSecretary, v1::NominateGoodSecretaryRequest,
             v1::Nomination)

absl::StatusOr<v1::Nomination> PersonnelService::DoNominateGoodSecretary(
    CallContext& call, const v1::NominateGoodSecretaryRequest& r) {
  ASSIGN_OR_RETURN(ResourceId round, ResourceId::Parse("round_id", r.round_id()));
  ASSIGN_OR_RETURN(ResourceId cadre, ResourceId::Parse("cadre_id", r.cadre_id()));
  if (!absl::StartsWith(cadre.county_code, round.county_code.substr(0, 4))) {
    return InvalidField("cadre_id", "the cadre is not in the round's city", "OUTSIDE_ROUND");
  }
  RETURN_IF_ERROR(ValidateText("reason", r.reason(), 1000, /*required=*/false));
  RETURN_IF_ERROR(CheckCounty(call.principal(), cadre.county_code, true));
  return repo_->NominateGoodSecretary(call, r, round, cadre);
}

TOUYAN_UNARY(PersonnelService, ConfirmGoodSecretary, v1::ConfirmGoodSecretaryRequest,
             v1::Nomination)

absl::StatusOr<v1::Nomination> PersonnelService::DoConfirmGoodSecretary(
    CallContext& call, const v1::ConfirmGoodSecretaryRequest& r) {
  RETURN_IF_ERROR(RequireCity(call.principal(), "confirm good secretaries"));
  ASSIGN_OR_RETURN(ResourceId id, ResourceId::Parse("id", r.id()));
  RETURN_IF_ERROR(CheckCounty(call.principal(), id.county_code, true));
  return repo_->ConfirmGoodSecretary(call, r, id);
}

TOUYAN_UNARY(PersonnelService, WithdrawGoodSecretary, v1::WithdrawGoodSecretaryRequest,
             v1::Nomination)
TOUYAN_UNARY(PersonnelService, GetNomination, v1::GetNominationRequest, v1::Nomination)

absl::StatusOr<v1::Nomination> PersonnelService::DoGetNomination(
    CallContext& call, const v1::GetNominationRequest& r) {
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "id", r.id(), /*write=*/false));
  return repo_->GetNomination(call, id);
}

absl::StatusOr<v1::Nomination> PersonnelService::DoWithdrawGoodSecretary(
    CallContext& call, const v1::WithdrawGoodSecretaryRequest& r) {
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "id", r.id(), /*write=*/true));
  RETURN_IF_ERROR(ValidateText("reason", r.reason(), 500));
  return repo_->WithdrawGoodSecretary(call, r, id);
}

TOUYAN_UNARY(PersonnelService, ListGoodSecretaries, v1::ListGoodSecretariesRequest,
             v1::ListGoodSecretariesResponse)

absl::StatusOr<v1::ListGoodSecretariesResponse> PersonnelService::DoListGoodSecretaries(
    CallContext& call, const v1::ListGoodSecretariesRequest& r) {
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, /*zero_ok=*/false));
  ASSIGN_OR_RETURN(std::string prefix,
                   ListPrefix(call.principal(), r.region_code(), "region_code"));
  RETURN_IF_ERROR(CheckEnum("status", r.status(), v1::NominationStatus_IsValid));
  ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
  ASSIGN_OR_RETURN(PageOf<v1::Nomination> rows,
                   repo_->ListGoodSecretaries(call, prefix, r.year(), r.status(), page));
  return ListResponse(call, r, std::move(rows),
                      &v1::ListGoodSecretariesResponse::mutable_nominations);
}

grpc::ServerWriteReactor<files::v1::FileChunk>* PersonnelService::PrintGoodSecretaryNotice(
    Ctx* ctx, const v1::PrintGoodSecretaryNoticeRequest* req) {
  return FileStream(
      rt_, ctx, req, "PrintGoodSecretaryNotice",
      [this](CallContext& call,
             const v1::PrintGoodSecretaryNoticeRequest& r) -> absl::StatusOr<MadeFile> {
        ASSIGN_OR_RETURN(std::string bytes, GoodSecretaryNotice(call, r));
        return MadeFile{absl::StrCat("good-secretaries-", ExportRegion(call, r.region_code()), "-",
                                     r.year(), "-notice.pdf"),
                        std::move(bytes)};
      });
}

absl::StatusOr<std::string> PersonnelService::GoodSecretaryNotice(
    CallContext& call, const v1::PrintGoodSecretaryNoticeRequest& r) {
  ASSIGN_OR_RETURN(NoticeTerms terms, NoticeTermsOf(r));
  v1::ListGoodSecretariesRequest list;
  list.set_year(r.year());
  list.set_region_code(r.region_code());
  list.set_status(v1::NOMINATION_STATUS_CONFIRMED);
  ASSIGN_OR_RETURN(std::vector<v1::Nomination> confirmed,
                   AllItems(
                       list, [&](const auto& q) { return DoListGoodSecretaries(call, q); },
                       &v1::ListGoodSecretariesResponse::mutable_nominations));
  if (confirmed.empty()) {
    return WithReason(absl::FailedPreconditionError(absl::StrCat(
                          "no good secretary of ", r.year(),
                          " is confirmed in the region yet: confirm them, then print the notice")),
                      "NOTHING_CONFIRMED");
  }
  std::vector<std::string> counties;
  for (const auto& n : confirmed) counties.push_back(n.county_code() + "000000");
  ASSIGN_OR_RETURN(std::vector<v1::Region> regions, repo_->GetRegions(call, counties));
  std::map<std::string, std::string> county_names;
  for (const auto& reg : regions) county_names[reg.code().substr(0, 6)] = reg.name();
  pdf::Notice notice{.title = absl::StrCat(r.year(), "年度乡村振兴担当作为好支书拟表彰人选公示"),
                     .before = {absl::StrCat("经各旗县市区推荐、组织部门审核确认，现将", r.year(),
                                             "年度乡村振兴担当作为好支书拟表彰人选予以公示（共 ",
                                             confirmed.size(), " 人，按旗县市区排列）。")},
                     .headers = {"序号", "姓名", "旗县市区", "所在村党组织"},
                     .widths = {0.1, 0.2, 0.25, 0.45}};
  std::sort(confirmed.begin(), confirmed.end(), [](const auto& a, const auto& b) {
    return std::tie(a.county_code(), a.id()) < std::tie(b.county_code(), b.id());
  });
  for (size_t i = 0; i < confirmed.size(); ++i) {
    const v1::Nomination& n = confirmed[i];
    std::string org = n.party_org_id();
    if (absl::StatusOr<ResourceId> id = ResourceId::Parse("party_org_id", n.party_org_id());
        id.ok()) {
      if (absl::StatusOr<v1::PartyOrg> o = repo_->GetPartyOrg(call, *id); o.ok()) org = o->name();
    }
    notice.rows.push_back(
        {std::to_string(i + 1), n.cadre_name(), county_names[n.county_code()], org});
  }
  CloseNotice(notice, terms);
  return pdf::NoticePdf(notice);
}

TOUYAN_UNARY(PersonnelService, GetEvaluation, v1::GetEvaluationRequest, v1::Evaluation)
TOUYAN_UNARY(PersonnelService, ListSelectionRounds, v1::ListSelectionRoundsRequest,
             v1::ListSelectionRoundsResponse)

absl::StatusOr<v1::Evaluation> PersonnelService::DoGetEvaluation(
    CallContext& call, const v1::GetEvaluationRequest& r) {
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "id", r.id(), /*write=*/false));
  return repo_->GetEvaluation(call, id);
}

absl::StatusOr<v1::ListSelectionRoundsResponse> PersonnelService::DoListSelectionRounds(
    CallContext& call, const v1::ListSelectionRoundsRequest& r) {
  std::string city;
  if (!r.region_code().empty()) {
    if (LevelOfCode(r.region_code()) != v1::REGION_LEVEL_CITY) {
      return InvalidField("region_code", "must be empty or a city-level code such as 150900000000");
    }
    city = r.region_code().substr(0, 6);
  }
  if (r.year() != 0) RETURN_IF_ERROR(CheckYear("year", r.year(), call, /*zero_ok=*/true));
  ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
  ASSIGN_OR_RETURN(PageOf<v1::SelectionRound> rows,
                   repo_->ListSelectionRounds(call, city, r.year(), page));
  return ListResponse(call, r, std::move(rows), &v1::ListSelectionRoundsResponse::mutable_rounds);
}

TOUYAN_UNARY(PersonnelService, ListEvaluations, v1::ListEvaluationsRequest,
             v1::ListEvaluationsResponse)

absl::StatusOr<v1::ListEvaluationsResponse> PersonnelService::DoListEvaluations(
    CallContext& call, const v1::ListEvaluationsRequest& r) {
  ASSIGN_OR_RETURN(ResourceId cadre, ScopedId(call, "cadre_id", r.cadre_id(), /*write=*/false));
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, /*zero_ok=*/true));
  ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
  ASSIGN_OR_RETURN(PageOf<v1::Evaluation> rows,
                   repo_->ListEvaluations(call, cadre, r.year(), page));
  return ListResponse(call, r, std::move(rows), &v1::ListEvaluationsResponse::mutable_evaluations);
}

}  // namespace touyan::personnel
