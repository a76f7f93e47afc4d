// The gRPC adapter of touyan.personnel.v1: designations of organisations
// (model villages, rectification, instructors).
#include "absl/strings/str_cat.h"
#include "common/grpc/handlers.h"
#include "common/status/status.h"
#include "common/time/date.h"
#include "services/personnel/domain/designation.h"
#include "services/personnel/domain/rules.h"
#include "services/personnel/personnel_service.h"

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

// A list's organisation filter (region_code, party_org_id): the region
// prefix, the caller's scope at most, and the organisation's number if one
// is named (its county in scope; 0 if none).
template <typename Req>
absl::Status OrgFilter(CallContext& call, const Req& r, std::string& prefix, int64_t& party_org) {
  ASSIGN_OR_RETURN(prefix, ListPrefix(call.principal(), r.region_code(), "region_code"));
  if (r.party_org_id().empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(ResourceId org, ResourceId::Parse("party_org_id", r.party_org_id()));
  RETURN_IF_ERROR(CheckCounty(call.principal(), org.county_code, false));
  if (prefix.size() < 6) prefix = org.county_code;
  party_org = org.number;
  return absl::OkStatus();
}

}  // namespace

// ----------------------------------------------------------- designations

TOUYAN_UNARY(PersonnelService, AddDesignation, v1::AddDesignationRequest, v1::Designation)

absl::StatusOr<v1::Designation> PersonnelService::DoAddDesignation(
    CallContext& call, const v1::AddDesignationRequest& r) {
  ASSIGN_OR_RETURN(ResourceId org,
                   ResourceId::Parse("designation.party_org_id", r.designation().party_org_id()));
  RETURN_IF_ERROR(CheckCounty(call.principal(), org.county_code, true));
  return repo_->AddDesignation(call, r, org);
}

TOUYAN_UNARY(PersonnelService, ListDesignations, v1::ListDesignationsRequest,
             v1::ListDesignationsResponse)

absl::StatusOr<v1::ListDesignationsResponse> PersonnelService::DoListDesignations(
    CallContext& call, const v1::ListDesignationsRequest& r) {
  DesignationQuery q;
  RETURN_IF_ERROR(OrgFilter(call, r, q.region_prefix, q.party_org));
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, /*zero_ok=*/true));
  RETURN_IF_ERROR(CheckEnum("kind", r.kind(), v1::DesignationKind_IsValid));
  q.year = r.year();
  q.kind = r.kind();
  q.include_revoked = r.include_revoked();
  ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
  ASSIGN_OR_RETURN(PageOf<v1::Designation> rows, repo_->ListDesignations(call, q, page));
  return ListResponse(call, r, std::move(rows),
                      &v1::ListDesignationsResponse::mutable_designations);
}

TOUYAN_UNARY(PersonnelService, RecordSupport, v1::RecordSupportRequest, v1::SupportEntry)
TOUYAN_UNARY(PersonnelService, ListSupport, v1::ListSupportRequest, v1::ListSupportResponse)

absl::StatusOr<v1::SupportEntry> PersonnelService::DoRecordSupport(
    CallContext& call, const v1::RecordSupportRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  ASSIGN_OR_RETURN(ResourceId id,
                   ResourceId::Parse("entry.designation_id", r.entry().designation_id()));
  RETURN_IF_ERROR(
      WithField(CheckCounty(call.principal(), id.county_code, true), "entry.designation_id"));
  RETURN_IF_ERROR(NestField(ValidateSupport(r.entry(), call.clock().Today()), "entry."));
  return repo_->RecordSupport(call, r, id);
}

absl::StatusOr<v1::ListSupportResponse> PersonnelService::DoListSupport(
    CallContext& call, const v1::ListSupportRequest& r) {
  SupportQuery q;
  RETURN_IF_ERROR(OrgFilter(call, r, q.region_prefix, q.party_org));
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, /*zero_ok=*/true));
  q.year = r.year();
  ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
  ASSIGN_OR_RETURN(PageOf<v1::SupportEntry> rows, repo_->ListSupport(call, q, page));
  return ListResponse(call, r, std::move(rows), &v1::ListSupportResponse::mutable_entries);
}

TOUYAN_UNARY(PersonnelService, AssignInstructor, v1::AssignInstructorRequest, v1::Designation)

absl::StatusOr<v1::Designation> PersonnelService::DoAssignInstructor(
    CallContext& call, const v1::AssignInstructorRequest& r) {
  return ChangeDesignation(*repo_, call, r, [&](v1::Designation& d) {
    RETURN_IF_ERROR(ValidateAssignInstructor(d, r.instructor(), r.rectification_deadline()));
    d.set_instructor(r.instructor());
    *d.mutable_rectification_deadline() = r.rectification_deadline();
    return absl::OkStatus();
  });
}

TOUYAN_UNARY(PersonnelService, CloseRectification, v1::CloseRectificationRequest, v1::Designation)

absl::StatusOr<v1::Designation> PersonnelService::DoCloseRectification(
    CallContext& call, const v1::CloseRectificationRequest& r) {
  const absl::CivilDay today = call.clock().Today();
  return ChangeDesignation(*repo_, call, r, [&](v1::Designation& d) {
    RETURN_IF_ERROR(ValidateClose(d, r.closed_on(), r.result(), today));
    *d.mutable_closed_on() = r.closed_on();
    d.set_close_result(r.result());
    return absl::OkStatus();
  });
}

TOUYAN_UNARY(PersonnelService, RevokeDesignation, v1::RevokeDesignationRequest, v1::Designation)

absl::StatusOr<v1::Designation> PersonnelService::DoRevokeDesignation(
    CallContext& call, const v1::RevokeDesignationRequest& r) {
  return ChangeDesignation(*repo_, call, r, [&](v1::Designation& d) {
    RETURN_IF_ERROR(ValidateRevoke(d, r.reason()));
    d.set_revoked(true);
    d.set_revoke_reason(r.reason());
    return absl::OkStatus();
  });
}

TOUYAN_UNARY(PersonnelService, GetDesignation, v1::GetDesignationRequest, v1::Designation)
TOUYAN_UNARY(PersonnelService, GetSupportEntry, v1::GetSupportEntryRequest, v1::SupportEntry)

absl::StatusOr<v1::Designation> PersonnelService::DoGetDesignation(
    CallContext& call, const v1::GetDesignationRequest& r) {
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "id", r.id(), /*write=*/false));
  return repo_->GetDesignation(call, id);
}

absl::StatusOr<v1::SupportEntry> PersonnelService::DoGetSupportEntry(
    CallContext& call, const v1::GetSupportEntryRequest& r) {
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "id", r.id(), /*write=*/false));
  return repo_->GetSupportEntry(call, id);
}

}  // namespace touyan::personnel
