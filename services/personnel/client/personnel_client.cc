#include "services/personnel/client/personnel_client.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace touyan::personnel {

absl::StatusOr<v1::Cadre> PersonnelClient::GetCadre(CallContext& call, const std::string& id,
                                                    absl::string_view field) {
  v1::GetCadreRequest req;
  req.set_id(id);
  return Ask(call, &v1::PersonnelService::Stub::GetCadre, req, field);
}

absl::StatusOr<std::vector<v1::Cadre>> PersonnelClient::GetCadres(
    CallContext& call, const google::protobuf::RepeatedPtrField<std::string>& ids,
    absl::string_view field) {
  std::vector<v1::Cadre> out;
  if (ids.empty()) return out;
  v1::BatchGetCadresRequest req;
  *req.mutable_ids() = ids;
  absl::StatusOr<v1::BatchGetCadresResponse> r =
      Ask(call, &v1::PersonnelService::Stub::BatchGetCadres, req);
  if (!r.ok()) {
    std::optional<std::string> f = FieldOf(r.status());
    if (f && absl::StartsWith(*f, "ids")) {
      return WithField(r.status(), absl::StrCat(field, f->substr(3)));
    }
    return r.status();
  }
  out.assign(r->cadres().begin(), r->cadres().end());
  return out;
}

absl::StatusOr<std::vector<v1::Secretary>> PersonnelClient::Secretaries(
    CallContext& call, const std::string& region_code, v1::PartyOrgKind kind) {
  v1::ListSecretariesRequest req;
  req.set_region_code(region_code);
  req.set_party_org_kind(kind);
  return AllPages(call, &v1::PersonnelService::Stub::ListSecretaries, req,
                  &v1::ListSecretariesResponse::mutable_secretaries);
}

absl::StatusOr<v1::Position> PersonnelClient::SecretaryPost(CallContext& call,
                                                            const std::string& cadre_id,
                                                            absl::string_view field) {
  v1::ListPositionsRequest req;
  req.set_cadre_id(cadre_id);
  req.set_current_only(true);
  ASSIGN_OR_RETURN(v1::ListPositionsResponse r,
                   Ask(call, &v1::PersonnelService::Stub::ListPositions, req, field));
  for (const v1::Position& p : r.positions()) {
    if (p.kind() == v1::POSITION_KIND_BRANCH_SECRETARY || p.kind() == v1::POSITION_KIND_DUAL_ROLE)
      return p;
  }
  return WithField(WithReason(absl::FailedPreconditionError(
                                  absl::StrCat("cadre ", cadre_id, " holds no secretary post")),
                              "NOT_A_SECRETARY"),
                   field);
}

absl::StatusOr<std::vector<v1::Position>> PersonnelClient::Positions(CallContext& call,
                                                                     const std::string& cadre_id,
                                                                     absl::string_view field) {
  v1::ListPositionsRequest req;
  req.set_cadre_id(cadre_id);
  req.set_page_size(100);
  ASSIGN_OR_RETURN(v1::ListPositionsResponse r,
                   Ask(call, &v1::PersonnelService::Stub::ListPositions, req, field));
  return std::vector<v1::Position>(r.positions().begin(), r.positions().end());
}

absl::StatusOr<v1::PartyOrg> PersonnelClient::GetPartyOrg(CallContext& call, const std::string& id,
                                                          absl::string_view field) {
  v1::GetPartyOrgRequest req;
  req.set_id(id);
  return Ask(call, &v1::PersonnelService::Stub::GetPartyOrg, req, field);
}

absl::StatusOr<v1::Designation> PersonnelClient::AddDesignation(
    CallContext& call, const std::string& request_id, const v1::Designation& designation) {
  v1::AddDesignationRequest req;
  req.set_request_id(request_id);
  *req.mutable_designation() = designation;
  return Ask(call, &v1::PersonnelService::Stub::AddDesignation, req);
}

absl::StatusOr<v1::Designation> PersonnelClient::AssignInstructor(
    CallContext& call, const std::string& request_id, const std::string& designation_id,
    const std::string& instructor, const google::type::Date& deadline) {
  v1::AssignInstructorRequest req;
  req.set_request_id(request_id);
  req.set_id(designation_id);
  req.set_instructor(instructor);
  *req.mutable_rectification_deadline() = deadline;
  return Ask(call, &v1::PersonnelService::Stub::AssignInstructor, req);
}

absl::StatusOr<v1::SupportEntry> PersonnelClient::RecordSupport(CallContext& call,
                                                                const std::string& request_id,
                                                                const v1::SupportEntry& entry,
                                                                absl::string_view field) {
  v1::RecordSupportRequest req;
  req.set_request_id(request_id);
  *req.mutable_entry() = entry;
  return Ask(call, &v1::PersonnelService::Stub::RecordSupport, req, field);
}

absl::StatusOr<std::vector<v1::Nomination>> PersonnelClient::GoodSecretaries(
    CallContext& call, const std::string& region_code, int year) {
  v1::ListGoodSecretariesRequest req;
  req.set_region_code(region_code);
  req.set_year(year);
  req.set_status(v1::NOMINATION_STATUS_CONFIRMED);
  return AllPages(call, &v1::PersonnelService::Stub::ListGoodSecretaries, req,
                  &v1::ListGoodSecretariesResponse::mutable_nominations);
}

absl::StatusOr<v1::Position> PersonnelClient::EndPosition(CallContext& call,
                                                          const v1::EndPositionRequest& request,
                                                          absl::string_view field) {
  return Ask(call, &v1::PersonnelService::Stub::EndPosition, request, field);
}

absl::StatusOr<std::vector<v1::Cadre>> PersonnelClient::Anonymised(CallContext& call) {
  v1::ListCadresRequest req;
  req.set_anonymised(true);
  return AllPages(call, &v1::PersonnelService::Stub::ListCadres, req,
                  &v1::ListCadresResponse::mutable_cadres);
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> AnonymisedCadres(
    Runtime& rt, CallContext& call) {
  ASSIGN_OR_RETURN(std::vector<v1::Cadre> cadres,
                   PersonnelClient(rt.downstream("personnel")).Anonymised(call));
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(cadres.size());
  for (v1::Cadre& c : cadres)
    out.emplace_back(std::move(*c.mutable_id()), std::move(*c.mutable_name()));
  return out;
}

bool IsSecretary(const v1::Cadre& c) {
  return std::any_of(c.current_positions().begin(), c.current_positions().end(), [](int k) {
    return k == v1::POSITION_KIND_BRANCH_SECRETARY || k == v1::POSITION_KIND_DUAL_ROLE;
  });
}

}  // namespace touyan::personnel
