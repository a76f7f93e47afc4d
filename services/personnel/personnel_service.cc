#include "services/personnel/personnel_service.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/idempotency/idempotency.h"
#include "common/ids/region.h"
#include "common/status/status.h"
#include "services/personnel/domain/resident_id.h"
#include "services/personnel/domain/rules.h"
#include "common/grpc/handlers.h"

namespace touyan::personnel {

namespace {

using auth::Principal;

v1::Cadre Shown(CallContext& call, v1::Cadre c) {
  ShowPerson(call, c, c.county_code(), "cadres/" + c.id());
  return c;
}

// Buffers the whole tree (validated as it arrives), then upserts it in one
// transaction: a region import is all or nothing.
class RegionImportSink final : public StreamSink<v1::ImportRegionsRequest, v1::ImportRegionsResponse> {
 public:
  explicit RegionImportSink(PersonnelRepository& repo) : repo_(repo) {}

  absl::StatusOr<bool> OnMessage(CallContext& call, const v1::ImportRegionsRequest& m) override {
    const Principal& p = call.principal();
    if (all_.request_id().empty()) {
      RETURN_IF_ERROR(idempotency::ValidateRequestId(m.request_id()));
      if (p.role != auth::Role::kCityOrgDept) {
        return WithReason(absl::PermissionDeniedError(
                              "only the city organisation department imports the region tree"),
                          "ROLE_NOT_ALLOWED");
      }
      all_.set_request_id(m.request_id());
    }
    for (const v1::Region& r : m.regions()) {
      std::string field = absl::StrCat("regions[", all_.regions_size(), "].");
      RETURN_IF_ERROR(NestField(ValidateRegion(r), field));
      RETURN_IF_ERROR(WithField(p.CheckWrite(r.code()), field + "code"));
      *all_.add_regions() = r;
    }
    return true;
  }

  absl::StatusOr<v1::ImportRegionsResponse> OnFinish(CallContext& call) override {
    if (all_.request_id().empty()) {
      return InvalidField("request_id", "the stream was empty: send request_id and regions",
                          "REQUIRED");
    }
    return repo_.ImportRegions(call, all_);
  }

 private:
  PersonnelRepository& repo_;
  v1::ImportRegionsRequest all_;
};

}  // namespace

void ShowPerson(CallContext& call, v1::Cadre& person, const std::string& county, const std::string& resource) {
  std::string fields;
  if (!call.principal().SeesResidentIds()) {
    person.set_resident_id(MaskResidentId(person.resident_id()));
  } else if (!person.resident_id().empty()) {
    fields = "resident_id";
  }
  if (!person.phone().empty()) fields += fields.empty() ? "phone" : ",phone";
  if (!fields.empty()) call.RecordAccess(county, resource, fields);
}

// ---------------------------------------------------------------- regions

TOUYAN_UNARY(PersonnelService, GetRegion, v1::GetRegionRequest, v1::Region)

absl::StatusOr<v1::Region> PersonnelService::DoGetRegion(CallContext& call, const v1::GetRegionRequest& r) {
  if (LevelOfCode(r.code()) == v1::REGION_LEVEL_UNSPECIFIED) {
    return InvalidField("code", absl::StrCat("'", r.code(), "' is not a 12-digit region code"),
                        "BAD_REGION_CODE");
  }
  return repo_->GetRegion(call, r.code());
}

TOUYAN_UNARY(PersonnelService, ListRegions, v1::ListRegionsRequest, v1::ListRegionsResponse)

absl::StatusOr<v1::ListRegionsResponse> PersonnelService::DoListRegions(CallContext& call, const v1::ListRegionsRequest& r) {
  RegionQuery q{r.parent_code(), r.level(), ""};
  if (!r.parent_code().empty()) {
    absl::StatusOr<std::string> prefix = auth::RegionPrefix(r.parent_code());
    if (!prefix.ok()) return InvalidField("parent_code", prefix.status().message(), "BAD_REGION_CODE");
    q.parent_prefix = *prefix;
  }
  RETURN_IF_ERROR(CheckEnum("level", r.level(), v1::RegionLevel_IsValid));
  ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
  ASSIGN_OR_RETURN(PageOf<v1::Region> rows, repo_->ListRegions(call, q, page));
  return ListResponse(call, r, std::move(rows), &v1::ListRegionsResponse::mutable_regions);
}

TOUYAN_UNARY(PersonnelService, GetRegionAncestors, v1::GetRegionAncestorsRequest, v1::GetRegionAncestorsResponse)

absl::StatusOr<v1::GetRegionAncestorsResponse> PersonnelService::DoGetRegionAncestors(CallContext& call, const v1::GetRegionAncestorsRequest& r) {
  std::vector<std::string> codes = AncestorCodes(r.code());
  if (codes.empty()) {
    return InvalidField("code", absl::StrCat("'", r.code(), "' is not a 12-digit region code"),
                        "BAD_REGION_CODE");
  }
  ASSIGN_OR_RETURN(std::vector<v1::Region> found, repo_->GetRegions(call, codes));
  if (found.empty() || found.back().code() != r.code()) {
    return WithField(absl::NotFoundError(absl::StrCat("region ", r.code(), " does not exist")),
                     "code");
  }
  v1::GetRegionAncestorsResponse out;
  for (auto& x : found) *out.add_regions() = std::move(x);
  return out;
}

grpc::ServerReadReactor<v1::ImportRegionsRequest>* PersonnelService::ImportRegions(
    Ctx* ctx, v1::ImportRegionsResponse* resp) {
  return rt_.ClientStream<v1::ImportRegionsRequest, v1::ImportRegionsResponse>(
      ctx, resp, __func__, std::make_unique<RegionImportSink>(*repo_));
}

// ---------------------------------------------------------- organisations

TOUYAN_UNARY(PersonnelService, CreatePartyOrg, v1::CreatePartyOrgRequest, v1::PartyOrg)

absl::StatusOr<v1::PartyOrg> PersonnelService::DoCreatePartyOrg(CallContext& call, const v1::CreatePartyOrgRequest& r) {
  const v1::PartyOrg& o = r.party_org();
  RETURN_IF_ERROR(ValidateText("party_org.name", o.name(), 100));
  if (o.kind() == v1::PARTY_ORG_KIND_UNSPECIFIED) {
    return InvalidField("party_org.kind", "is required", "REQUIRED");
  }
  RETURN_IF_ERROR(CheckEnum("party_org.kind", o.kind(), v1::PartyOrgKind_IsValid));
  v1::RegionLevel level = LevelOfCode(o.region_code());
  if (level < v1::REGION_LEVEL_COUNTY) {
    return InvalidField("party_org.region_code", "must be a county, township or village code",
                        "BAD_REGION_CODE");
  }
  bool village_kind = o.kind() == v1::PARTY_ORG_KIND_VILLAGE ||
                      o.kind() == v1::PARTY_ORG_KIND_COMMUNITY;
  if (village_kind && level != v1::REGION_LEVEL_VILLAGE) {
    return InvalidField("party_org.region_code",
                        "a village or community organisation belongs to a village-level region");
  }
  RETURN_IF_ERROR(WithField(call.principal().CheckWrite(o.region_code()), "party_org.region_code"));
  return repo_->CreatePartyOrg(call, r, o);
}

TOUYAN_UNARY(PersonnelService, GetPartyOrg, v1::GetPartyOrgRequest, v1::PartyOrg)

absl::StatusOr<v1::PartyOrg> PersonnelService::DoGetPartyOrg(CallContext& call, const v1::GetPartyOrgRequest& r) {
  ASSIGN_OR_RETURN(ResourceId id, ResourceId::Parse("id", r.id()));
  RETURN_IF_ERROR(CheckCounty(call.principal(), id.county_code, false));
  ASSIGN_OR_RETURN(v1::PartyOrg org, repo_->GetPartyOrg(call, id));
  RETURN_IF_ERROR(call.principal().CheckCovers(org.region_code()));
  return org;
}

TOUYAN_UNARY(PersonnelService, ListPartyOrgs, v1::ListPartyOrgsRequest, v1::ListPartyOrgsResponse)

absl::StatusOr<v1::ListPartyOrgsResponse> PersonnelService::DoListPartyOrgs(CallContext& call, const v1::ListPartyOrgsRequest& r) {
  ASSIGN_OR_RETURN(std::string prefix, ListPrefix(call.principal(), r.region_code(), "region_code"));
  RETURN_IF_ERROR(CheckEnum("kind", r.kind(), v1::PartyOrgKind_IsValid));
  ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
  ASSIGN_OR_RETURN(PageOf<v1::PartyOrg> rows, repo_->ListPartyOrgs(call, prefix, r.kind(), page));
  return ListResponse(call, r, std::move(rows), &v1::ListPartyOrgsResponse::mutable_party_orgs);
}

// ----------------------------------------------------------------- cadres

TOUYAN_UNARY(PersonnelService, CreateCadre, v1::CreateCadreRequest, v1::Cadre)

absl::StatusOr<v1::Cadre> PersonnelService::DoCreateCadre(CallContext& call, const v1::CreateCadreRequest& r) {
  v1::Cadre c = r.cadre();
  RETURN_IF_ERROR(NestField(NormalizeCadre(c, call.clock().Today()), "cadre."));
  RETURN_IF_ERROR(WithField(call.principal().CheckWrite(c.region_code()), "cadre.region_code"));
  ASSIGN_OR_RETURN(v1::Cadre created, repo_->CreateCadre(call, r, c));
  return Shown(call, std::move(created));
}

TOUYAN_UNARY(PersonnelService, GetCadre, v1::GetCadreRequest, v1::Cadre)

absl::StatusOr<v1::Cadre> PersonnelService::DoGetCadre(CallContext& call, const v1::GetCadreRequest& r) {
  ASSIGN_OR_RETURN(ResourceId id, ResourceId::Parse("id", r.id()));
  RETURN_IF_ERROR(CheckCounty(call.principal(), id.county_code, false));
  ASSIGN_OR_RETURN(v1::Cadre c, repo_->GetCadre(call, id));
  RETURN_IF_ERROR(call.principal().CheckCovers(c.region_code()));
  return Shown(call, std::move(c));
}

TOUYAN_UNARY(PersonnelService, UpdateCadre, v1::UpdateCadreRequest, v1::Cadre)

absl::StatusOr<v1::Cadre> PersonnelService::DoUpdateCadre(CallContext& call, const v1::UpdateCadreRequest& r) {
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

absl::StatusOr<v1::Cadre> PersonnelService::DoTransferCadre(CallContext& call, const v1::TransferCadreRequest& r) {
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

absl::StatusOr<v1::ListCadresResponse> PersonnelService::DoListCadres(CallContext& call, const v1::ListCadresRequest& r) {
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

TOUYAN_UNARY(PersonnelService, BatchGetCadres, v1::BatchGetCadresRequest, v1::BatchGetCadresResponse)

absl::StatusOr<v1::BatchGetCadresResponse> PersonnelService::DoBatchGetCadres(CallContext& call, const v1::BatchGetCadresRequest& r) {
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
    RETURN_IF_ERROR(WithField(call.principal().CheckCovers(c.region_code()),
                              absl::StrCat("ids[", i, "]")));
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

TOUYAN_UNARY(PersonnelService, ListSecretaries, v1::ListSecretariesRequest, v1::ListSecretariesResponse)

absl::StatusOr<v1::ListSecretariesResponse> PersonnelService::DoListSecretaries(CallContext& call, const v1::ListSecretariesRequest& r) {
  ASSIGN_OR_RETURN(std::string prefix, ListPrefix(call.principal(), r.region_code(), "region_code"));
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

absl::Status PersonnelService::RefreshGauges(CallContext& call) {
  ASSIGN_OR_RETURN(PersonnelGauges g, repo_->Gauges(call, call.principal().scope_prefix));
  Metrics& m = call.metrics();
  m.Gauge("touyan_personnel_villages", "Villages (嘎查村 and communities) in the deployment's scope.")
      .Set(static_cast<double>(g.villages));
  m.Gauge("touyan_personnel_villages_below_seed_target",
          "Villages with fewer than 2 approved reserve seeds (种子计划).")
      .Set(static_cast<double>(g.villages_below_seed_target));
  m.Gauge("touyan_personnel_current_secretaries",
          "Current secretaries (branch secretary or both posts) of every organisation.")
      .Set(static_cast<double>(g.current_secretaries));
  return absl::OkStatus();
}

}  // namespace touyan::personnel
