// The gRPC adapter of touyan.personnel.v1, part two: positions, their
// history and adjustments, and designations of organisations.
#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "common/time/date.h"
#include "services/personnel/domain/designation.h"
#include "services/personnel/domain/rules.h"
#include "services/personnel/personnel_service.h"
#include "common/grpc/handlers.h"

namespace touyan::personnel {
namespace {

// Instructor, close-out and revocation differ only in `change`: each checks
// the id against the caller's scope, then reads, changes, stores and audits
// the designation.
template <typename Req>
absl::StatusOr<v1::Designation> ChangeDesignation(
    PersonnelRepository& repo, CallContext& call, const Req& r,
    const std::function<absl::Status(v1::Designation&)>& change) {
  ASSIGN_OR_RETURN(ResourceId id, ResourceId::Parse("id", r.id()));
  RETURN_IF_ERROR(CheckCounty(call.principal(), id.county_code, true));
  return repo.UpdateDesignation(call, r, r.request_id(), id, change);
}

}  // namespace

// -------------------------------------------------------------- positions

TOUYAN_UNARY(PersonnelService, CreatePosition, v1::CreatePositionRequest, v1::Position)

absl::StatusOr<v1::Position> PersonnelService::DoCreatePosition(CallContext& call, const v1::CreatePositionRequest& r) {
  ASSIGN_OR_RETURN(ResourceId cadre, ResourceId::Parse("position.cadre_id", r.position().cadre_id()));
  ASSIGN_OR_RETURN(ResourceId org,
                   ResourceId::Parse("position.party_org_id", r.position().party_org_id()));
  if (cadre.county_code != org.county_code) {
    return InvalidField("position.party_org_id",
                        "the organisation must be in the cadre's county", "CROSS_COUNTY");
  }
  RETURN_IF_ERROR(CheckCounty(call.principal(), org.county_code, true));
  return repo_->CreatePosition(call, r, cadre, org);
}

TOUYAN_UNARY(PersonnelService, ListPositions, v1::ListPositionsRequest, v1::ListPositionsResponse)

absl::StatusOr<v1::ListPositionsResponse> PersonnelService::DoListPositions(CallContext& call, const v1::ListPositionsRequest& r) {
  PositionQuery q;
  q.region_prefix = call.principal().scope_prefix;
  q.current_only = r.current_only();
  std::string county;
  for (auto [field, text, target] :
       {std::tuple{"party_org_id", &r.party_org_id(), &q.party_org},
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

absl::StatusOr<v1::Position> PersonnelService::DoEndPosition(CallContext& call, const v1::EndPositionRequest& r) {
  ASSIGN_OR_RETURN(ResourceId id, ResourceId::Parse("id", r.id()));
  RETURN_IF_ERROR(CheckCounty(call.principal(), id.county_code, true));
  RETURN_IF_ERROR(ValidateText("note", r.note(), 500, /*required=*/false));
  return repo_->EndPosition(call, r, id);
}

TOUYAN_UNARY(PersonnelService, ReplaceSecretary, v1::ReplaceSecretaryRequest, v1::ReplaceSecretaryResponse)

absl::StatusOr<v1::ReplaceSecretaryResponse> PersonnelService::DoReplaceSecretary(CallContext& call, const v1::ReplaceSecretaryRequest& r) {
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

TOUYAN_UNARY(PersonnelService, CountAdjustments, v1::CountAdjustmentsRequest, v1::CountAdjustmentsResponse)

absl::StatusOr<v1::CountAdjustmentsResponse> PersonnelService::DoCountAdjustments(CallContext& call, const v1::CountAdjustmentsRequest& r) {
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, /*zero_ok=*/false));
  ASSIGN_OR_RETURN(std::string prefix, ListPrefix(call.principal(), r.region_code(), "region_code"));
  ASSIGN_OR_RETURN(std::vector<v1::CountyAdjustments> counties,
                   repo_->CountAdjustments(call, prefix, r.year()));
  v1::CountAdjustmentsResponse out;
  for (auto& c : counties) {
    out.set_total(out.total() + c.adjustments());
    *out.add_counties() = std::move(c);
  }
  return out;
}

// ----------------------------------------------------------- designations

TOUYAN_UNARY(PersonnelService, AddDesignation, v1::AddDesignationRequest, v1::Designation)

absl::StatusOr<v1::Designation> PersonnelService::DoAddDesignation(CallContext& call, const v1::AddDesignationRequest& r) {
  ASSIGN_OR_RETURN(ResourceId org, ResourceId::Parse("designation.party_org_id",
                                                     r.designation().party_org_id()));
  RETURN_IF_ERROR(CheckCounty(call.principal(), org.county_code, true));
  return repo_->AddDesignation(call, r, org);
}

TOUYAN_UNARY(PersonnelService, ListDesignations, v1::ListDesignationsRequest, v1::ListDesignationsResponse)

absl::StatusOr<v1::ListDesignationsResponse> PersonnelService::DoListDesignations(CallContext& call, const v1::ListDesignationsRequest& r) {
  DesignationQuery q;
  ASSIGN_OR_RETURN(q.region_prefix, ListPrefix(call.principal(), r.region_code(), "region_code"));
  if (!r.party_org_id().empty()) {
    ASSIGN_OR_RETURN(ResourceId org, ResourceId::Parse("party_org_id", r.party_org_id()));
    RETURN_IF_ERROR(CheckCounty(call.principal(), org.county_code, false));
    if (q.region_prefix.size() < 6) q.region_prefix = org.county_code;
    q.party_org = org.number;
  }
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, /*zero_ok=*/true));
  RETURN_IF_ERROR(CheckEnum("kind", r.kind(), v1::DesignationKind_IsValid));
  q.year = r.year();
  q.kind = r.kind();
  q.include_revoked = r.include_revoked();
  ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
  ASSIGN_OR_RETURN(PageOf<v1::Designation> rows, repo_->ListDesignations(call, q, page));
  return ListResponse(call, r, std::move(rows), &v1::ListDesignationsResponse::mutable_designations);
}

TOUYAN_UNARY(PersonnelService, AssignInstructor, v1::AssignInstructorRequest, v1::Designation)

absl::StatusOr<v1::Designation> PersonnelService::DoAssignInstructor(CallContext& call, const v1::AssignInstructorRequest& r) {
  return ChangeDesignation(*repo_, call, r, [&](v1::Designation& d) {
    RETURN_IF_ERROR(ValidateAssignInstructor(d, r.instructor(), r.rectification_deadline()));
    d.set_instructor(r.instructor());
    *d.mutable_rectification_deadline() = r.rectification_deadline();
    return absl::OkStatus();
  });
}

TOUYAN_UNARY(PersonnelService, CloseRectification, v1::CloseRectificationRequest, v1::Designation)

absl::StatusOr<v1::Designation> PersonnelService::DoCloseRectification(CallContext& call, const v1::CloseRectificationRequest& r) {
  const absl::CivilDay today = call.clock().Today();
  return ChangeDesignation(*repo_, call, r, [&](v1::Designation& d) {
    RETURN_IF_ERROR(ValidateClose(d, r.closed_on(), r.result(), today));
    *d.mutable_closed_on() = r.closed_on();
    d.set_close_result(r.result());
    return absl::OkStatus();
  });
}

TOUYAN_UNARY(PersonnelService, RevokeDesignation, v1::RevokeDesignationRequest, v1::Designation)

absl::StatusOr<v1::Designation> PersonnelService::DoRevokeDesignation(CallContext& call, const v1::RevokeDesignationRequest& r) {
  return ChangeDesignation(*repo_, call, r, [&](v1::Designation& d) {
    RETURN_IF_ERROR(ValidateRevoke(d, r.reason()));
    d.set_revoked(true);
    d.set_revoke_reason(r.reason());
    return absl::OkStatus();
  });
}

}  // namespace touyan::personnel
