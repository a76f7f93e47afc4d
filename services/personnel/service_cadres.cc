// The gRPC adapter of touyan.personnel.v1: cadres (registration, reads, transfers, imports).
#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/grpc/handlers.h"
#include "common/idempotency/idempotency.h"
#include "common/ids/region.h"
#include "common/status/status.h"
#include "services/personnel/domain/resident_id.h"
#include "services/personnel/domain/rules.h"
#include "services/personnel/personnel_service.h"

namespace touyan::personnel {

namespace {

v1::Cadre Shown(CallContext& call, v1::Cadre c) {
  ShowPerson(call, c, c.county_code(), "cadres/" + c.id());
  return c;
}

}  // namespace

// ----------------------------------------------------------------- cadres

TOUYAN_UNARY(PersonnelService, CreateCadre, v1::CreateCadreRequest, v1::Cadre)

absl::StatusOr<v1::Cadre> PersonnelService::DoCreateCadre(CallContext& call,
                                                          const v1::CreateCadreRequest& r) {
  v1::Cadre c = r.cadre();
  RETURN_IF_ERROR(NestField(NormalizeCadre(c, call.clock().Today()), "cadre."));
  RETURN_IF_ERROR(WithField(call.principal().CheckWrite(c.region_code()), "cadre.region_code"));
  ASSIGN_OR_RETURN(v1::Cadre created, repo_->CreateCadre(call, r, c));
  return Shown(call, std::move(created));
}

TOUYAN_UNARY(PersonnelService, GetCadre, v1::GetCadreRequest, v1::Cadre)

absl::StatusOr<v1::Cadre> PersonnelService::DoGetCadre(CallContext& call,
                                                       const v1::GetCadreRequest& r) {
  ASSIGN_OR_RETURN(ResourceId id, ResourceId::Parse("id", r.id()));
  RETURN_IF_ERROR(CheckCounty(call.principal(), id.county_code, false));
  ASSIGN_OR_RETURN(v1::Cadre c, repo_->GetCadre(call, id));
  RETURN_IF_ERROR(call.principal().CheckCovers(c.region_code()));
  return Shown(call, std::move(c));
}

TOUYAN_UNARY(PersonnelService, UpdateCadre, v1::UpdateCadreRequest, v1::Cadre)

absl::StatusOr<v1::Cadre> PersonnelService::DoUpdateCadre(CallContext& call,
                                                          const v1::UpdateCadreRequest& r) {
  ASSIGN_OR_RETURN(ResourceId id, ResourceId::Parse("cadre.id", r.cadre().id()));
  RETURN_IF_ERROR(CheckCounty(call.principal(), id.county_code, true));
  std::vector<std::string> paths(r.update_mask().paths().begin(), r.update_mask().paths().end());
  const absl::CivilDay today = call.clock().Today();
  auto apply = [&](v1::Cadre& c) -> absl::Status {
    RETURN_IF_ERROR(ApplyCadrePatch(r.cadre(), paths, c));
    RETURN_IF_ERROR(NestField(NormalizeCadre(c, today), "cadre."));
    return WithField(call.principal().CheckWrite(c.region_code()), "cadre.region_code");
  };
  ASSIGN_OR_RETURN(v1::Cadre updated, repo_->UpdateCadre(call, r, id, apply));
  return Shown(call, std::move(updated));
}

TOUYAN_UNARY(PersonnelService, TransferCadre, v1::TransferCadreRequest, v1::Cadre)

absl::StatusOr<v1::Cadre> PersonnelService::DoTransferCadre(CallContext& call,
                                                            const v1::TransferCadreRequest& r) {
  ASSIGN_OR_RETURN(ResourceId id, ResourceId::Parse("cadre_id", r.cadre_id()));
  if (LevelOf(r.region_code()) != Level::kVillage) {
    return InvalidField("region_code", "must be the 12-digit code of a village", "NOT_A_VILLAGE");
  }
  RETURN_IF_ERROR(WithField(CheckCounty(call.principal(), id.county_code, true), "cadre_id"));
  RETURN_IF_ERROR(WithField(call.principal().CheckWrite(r.region_code()), "region_code"));
  ASSIGN_OR_RETURN(v1::Cadre moved, repo_->TransferCadre(call, r, id));
  return Shown(call, std::move(moved));
}

TOUYAN_UNARY(PersonnelService, ListCadres, v1::ListCadresRequest, v1::ListCadresResponse)

absl::StatusOr<v1::ListCadresResponse> PersonnelService::DoListCadres(
    CallContext& call, const v1::ListCadresRequest& r) {
  CadreQuery q;
  ASSIGN_OR_RETURN(q.region_prefix, ListPrefix(call.principal(), r.region_code(), "region_code"));
  RETURN_IF_ERROR(CheckEnum("position", r.position(), v1::PositionKind_IsValid));
  RETURN_IF_ERROR(CheckEnum("origin", r.origin(), v1::Origin_IsValid));
  RETURN_IF_ERROR(CheckEnum("establishment", r.establishment(), v1::EstablishmentStatus_IsValid));
  q.position_kinds = KindsHolding(r.position());
  q.origin = r.origin();
  q.establishment = r.establishment();
  q.anonymised = r.anonymised();
  ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
  ASSIGN_OR_RETURN(PageOf<v1::Cadre> rows, repo_->ListCadres(call, q, page));
  for (auto& x : rows.items) x = Shown(call, std::move(x));
  return ListResponse(call, r, std::move(rows), &v1::ListCadresResponse::mutable_cadres);
}

TOUYAN_UNARY(PersonnelService, BatchGetCadres, v1::BatchGetCadresRequest,
             v1::BatchGetCadresResponse)

absl::StatusOr<v1::BatchGetCadresResponse> PersonnelService::DoBatchGetCadres(
    CallContext& call, const v1::BatchGetCadresRequest& r) {
  if (r.ids_size() == 0 || r.ids_size() > 1000) {
    return InvalidField("ids", "must name 1 to 1,000 cadres", "BAD_COUNT");
  }
  std::vector<ResourceId> ids;
  absl::flat_hash_map<std::string, int> at;
  for (int i = 0; i < r.ids_size(); ++i) {
    const std::string field = absl::StrCat("ids[", i, "]");
    ASSIGN_OR_RETURN(ResourceId id, ResourceId::Parse(field, r.ids(i)));
    RETURN_IF_ERROR(WithField(CheckCounty(call.principal(), id.county_code, false), field));
    if (!at.emplace(id.ToString(), i).second) {
      return InvalidField(field, "repeats an earlier id", "DUPLICATE_ID");
    }
    ids.push_back(std::move(id));
  }
  ASSIGN_OR_RETURN(std::vector<v1::Cadre> found, repo_->GetCadres(call, ids));
  std::vector<v1::Cadre> ordered(ids.size());
  std::vector<bool> seen(ids.size());
  for (v1::Cadre& c : found) {
    const int i = at[c.id()];
    RETURN_IF_ERROR(
        WithField(call.principal().CheckCovers(c.region_code()), absl::StrCat("ids[", i, "]")));
    ordered[i] = Shown(call, std::move(c));
    seen[i] = true;
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!seen[i]) return NotFound(absl::StrCat("ids[", i, "]"), "cadre", r.ids(i));
  }
  v1::BatchGetCadresResponse out;
  for (auto& c : ordered) *out.add_cadres() = std::move(c);
  return out;
}

TOUYAN_UNARY(PersonnelService, ListSecretaries, v1::ListSecretariesRequest,
             v1::ListSecretariesResponse)

absl::StatusOr<v1::ListSecretariesResponse> PersonnelService::DoListSecretaries(
    CallContext& call, const v1::ListSecretariesRequest& r) {
  ASSIGN_OR_RETURN(std::string prefix,
                   ListPrefix(call.principal(), r.region_code(), "region_code"));
  RETURN_IF_ERROR(CheckEnum("party_org_kind", r.party_org_kind(), v1::PartyOrgKind_IsValid));
  ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
  ASSIGN_OR_RETURN(PageOf<v1::Secretary> rows,
                   repo_->ListSecretaries(call, prefix, r.party_org_kind(), page));
  return ListResponse(call, r, std::move(rows), &v1::ListSecretariesResponse::mutable_secretaries);
}

grpc::ServerReadReactor<v1::ImportCadresRequest>* PersonnelService::ImportCadres(
    Ctx* ctx, v1::ImportCadresResponse* resp) {
  return rt_.ClientStream<v1::ImportCadresRequest, v1::ImportCadresResponse>(
      ctx, resp, __func__, repo_->NewCadreImport());
}

}  // namespace touyan::personnel
