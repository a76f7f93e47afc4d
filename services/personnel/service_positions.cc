// The gRPC adapter of touyan.personnel.v1: positions, their history and
// adjustments.
#include "absl/strings/str_cat.h"
#include "common/grpc/handlers.h"
#include "common/status/status.h"
#include "common/time/date.h"
#include "services/personnel/domain/designation.h"
#include "services/personnel/domain/rules.h"
#include "services/personnel/personnel_service.h"

namespace touyan::personnel {

// -------------------------------------------------------------- positions

TOUYAN_UNARY(PersonnelService, CreatePosition, v1::CreatePositionRequest, v1::Position)

absl::StatusOr<v1::Position> PersonnelService::DoCreatePosition(
    CallContext& call, const v1::CreatePositionRequest& r) {
  ASSIGN_OR_RETURN(ResourceId cadre,
                   ResourceId::Parse("position.cadre_id", r.position().cadre_id()));
  ASSIGN_OR_RETURN(ResourceId org,
                   ResourceId::Parse("position.party_org_id", r.position().party_org_id()));
  if (cadre.county_code != org.county_code) {
    return InvalidField("position.party_org_id", "the organisation must be in the cadre's county",
                        "CROSS_COUNTY");
  }
  RETURN_IF_ERROR(CheckCounty(call.principal(), org.county_code, true));
  return repo_->CreatePosition(call, r, cadre, org);
}

TOUYAN_UNARY(PersonnelService, ListPositions, v1::ListPositionsRequest, v1::ListPositionsResponse)

absl::StatusOr<v1::ListPositionsResponse> PersonnelService::DoListPositions(
    CallContext& call, const v1::ListPositionsRequest& r) {
  PositionQuery q;
  q.region_prefix = call.principal().scope_prefix;
  q.current_only = r.current_only();
  std::string county;
  for (auto [field, text, target] : {std::tuple{"party_org_id", &r.party_org_id(), &q.party_org},
                                     std::tuple{"cadre_id", &r.cadre_id(), &q.cadre}}) {
    if (text->empty()) continue;
    ASSIGN_OR_RETURN(ResourceId id, ResourceId::Parse(field, *text));
    RETURN_IF_ERROR(CheckCounty(call.principal(), id.county_code, false));
    if (!county.empty() && county != id.county_code) {
      return InvalidField(field, "party_org_id and cadre_id are in different counties");
    }
    county = id.county_code;
    if (q.region_prefix.size() < 6) q.region_prefix = county;
    *target = id.number;
  }
  ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
  ASSIGN_OR_RETURN(PageOf<v1::Position> rows, repo_->ListPositions(call, q, page));
  return ListResponse(call, r, std::move(rows), &v1::ListPositionsResponse::mutable_positions);
}

TOUYAN_UNARY(PersonnelService, EndPosition, v1::EndPositionRequest, v1::Position)

absl::StatusOr<v1::Position> PersonnelService::DoEndPosition(CallContext& call,
                                                             const v1::EndPositionRequest& r) {
  ASSIGN_OR_RETURN(ResourceId id, ResourceId::Parse("id", r.id()));
  RETURN_IF_ERROR(CheckCounty(call.principal(), id.county_code, true));
  RETURN_IF_ERROR(ValidateText("note", r.note(), 500, /*required=*/false));
  return repo_->EndPosition(call, r, id);
}

TOUYAN_UNARY(PersonnelService, ReplaceSecretary, v1::ReplaceSecretaryRequest,
             v1::ReplaceSecretaryResponse)

absl::StatusOr<v1::ReplaceSecretaryResponse> PersonnelService::DoReplaceSecretary(
    CallContext& call, const v1::ReplaceSecretaryRequest& r) {
  ASSIGN_OR_RETURN(ResourceId org, ResourceId::Parse("party_org_id", r.party_org_id()));
  ASSIGN_OR_RETURN(ResourceId cadre, ResourceId::Parse("new_cadre_id", r.new_cadre_id()));
  if (cadre.county_code != org.county_code) {
    return InvalidField("new_cadre_id", "the cadre must be in the organisation's county",
                        "CROSS_COUNTY");
  }
  if (r.kind() != v1::POSITION_KIND_UNSPECIFIED && !IsSecretary(r.kind())) {
    return InvalidField("kind", "must be BRANCH_SECRETARY or DUAL_ROLE");
  }
  RETURN_IF_ERROR(CheckEnum("reason", r.reason(), v1::PositionEndReason_IsValid));
  RETURN_IF_ERROR(ValidateText("note", r.note(), 500, /*required=*/false));
  RETURN_IF_ERROR(CheckCounty(call.principal(), org.county_code, true));
  return repo_->ReplaceSecretary(call, r, org, cadre);
}

TOUYAN_UNARY(PersonnelService, CountAdjustments, v1::CountAdjustmentsRequest,
             v1::CountAdjustmentsResponse)

absl::StatusOr<v1::CountAdjustmentsResponse> PersonnelService::DoCountAdjustments(
    CallContext& call, const v1::CountAdjustmentsRequest& r) {
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, /*zero_ok=*/false));
  ASSIGN_OR_RETURN(std::string prefix,
                   ListPrefix(call.principal(), r.region_code(), "region_code"));
  ASSIGN_OR_RETURN(std::vector<v1::CountyAdjustments> counties,
                   repo_->CountAdjustments(call, prefix, r.year()));
  v1::CountAdjustmentsResponse out;
  for (auto& c : counties) {
    out.set_total(out.total() + c.adjustments());
    *out.add_counties() = std::move(c);
  }
  return out;
}

TOUYAN_UNARY(PersonnelService, ListVacancies, v1::ListVacanciesRequest, v1::ListVacanciesResponse)

absl::StatusOr<v1::ListVacanciesResponse> PersonnelService::DoListVacancies(
    CallContext& call, const v1::ListVacanciesRequest& r) {
  ASSIGN_OR_RETURN(std::string prefix,
                   ListPrefix(call.principal(), r.region_code(), "region_code"));
  ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
  ASSIGN_OR_RETURN(PageOf<v1::Vacancy> rows,
                   repo_->ListVacancies(call, prefix, r.without_reserve(), page));
  return ListResponse(call, r, std::move(rows), &v1::ListVacanciesResponse::mutable_vacancies);
}

TOUYAN_UNARY(PersonnelService, GetPosition, v1::GetPositionRequest, v1::Position)

absl::StatusOr<v1::Position> PersonnelService::DoGetPosition(CallContext& call,
                                                             const v1::GetPositionRequest& r) {
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "id", r.id(), /*write=*/false));
  return repo_->GetPosition(call, id);
}

}  // namespace touyan::personnel
