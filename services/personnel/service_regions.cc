// The gRPC adapter of touyan.personnel.v1: the region tree and Party organisations.
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

using auth::Principal;

// Buffers the whole tree (validated as it arrives), then upserts it in one
// transaction: a region import is all or nothing.
class RegionImportSink final
    : public StreamSink<v1::ImportRegionsRequest, v1::ImportRegionsResponse> {
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

// ---------------------------------------------------------------- regions

TOUYAN_UNARY(PersonnelService, GetRegion, v1::GetRegionRequest, v1::Region)

absl::StatusOr<v1::Region> PersonnelService::DoGetRegion(CallContext& call,
                                                         const v1::GetRegionRequest& r) {
  if (LevelOfCode(r.code()) == v1::REGION_LEVEL_UNSPECIFIED) {
    return InvalidField("code", absl::StrCat("'", r.code(), "' is not a 12-digit region code"),
                        "BAD_REGION_CODE");
  }
  return repo_->GetRegion(call, r.code());
}

TOUYAN_UNARY(PersonnelService, ListRegions, v1::ListRegionsRequest, v1::ListRegionsResponse)

absl::StatusOr<v1::ListRegionsResponse> PersonnelService::DoListRegions(
    CallContext& call, const v1::ListRegionsRequest& r) {
  RegionQuery q{r.parent_code(), r.level(), ""};
  if (!r.parent_code().empty()) {
    absl::StatusOr<std::string> prefix = auth::RegionPrefix(r.parent_code());
    if (!prefix.ok())
      return InvalidField("parent_code", prefix.status().message(), "BAD_REGION_CODE");
    q.parent_prefix = *prefix;
  }
  RETURN_IF_ERROR(CheckEnum("level", r.level(), v1::RegionLevel_IsValid));
  ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
  ASSIGN_OR_RETURN(PageOf<v1::Region> rows, repo_->ListRegions(call, q, page));
  return ListResponse(call, r, std::move(rows), &v1::ListRegionsResponse::mutable_regions);
}

TOUYAN_UNARY(PersonnelService, GetRegionAncestors, v1::GetRegionAncestorsRequest,
             v1::GetRegionAncestorsResponse)

absl::StatusOr<v1::GetRegionAncestorsResponse> PersonnelService::DoGetRegionAncestors(
    CallContext& call, const v1::GetRegionAncestorsRequest& r) {
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

absl::StatusOr<v1::PartyOrg> PersonnelService::DoCreatePartyOrg(
    CallContext& call, const v1::CreatePartyOrgRequest& r) {
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
  bool village_kind =
      o.kind() == v1::PARTY_ORG_KIND_VILLAGE || o.kind() == v1::PARTY_ORG_KIND_COMMUNITY;
  if (village_kind && level != v1::REGION_LEVEL_VILLAGE) {
    return InvalidField("party_org.region_code",
                        "a village or community organisation belongs to a village-level region");
  }
  RETURN_IF_ERROR(WithField(call.principal().CheckWrite(o.region_code()), "party_org.region_code"));
  return repo_->CreatePartyOrg(call, r, o);
}

TOUYAN_UNARY(PersonnelService, GetPartyOrg, v1::GetPartyOrgRequest, v1::PartyOrg)

absl::StatusOr<v1::PartyOrg> PersonnelService::DoGetPartyOrg(CallContext& call,
                                                             const v1::GetPartyOrgRequest& r) {
  ASSIGN_OR_RETURN(ResourceId id, ResourceId::Parse("id", r.id()));
  RETURN_IF_ERROR(CheckCounty(call.principal(), id.county_code, false));
  ASSIGN_OR_RETURN(v1::PartyOrg org, repo_->GetPartyOrg(call, id));
  RETURN_IF_ERROR(call.principal().CheckCovers(org.region_code()));
  return org;
}

TOUYAN_UNARY(PersonnelService, UpdatePartyOrg, v1::UpdatePartyOrgRequest, v1::PartyOrg)

absl::StatusOr<v1::PartyOrg> PersonnelService::DoUpdatePartyOrg(
    CallContext& call, const v1::UpdatePartyOrgRequest& r) {
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "party_org.id", r.party_org().id(), true));
  for (const std::string& path : r.update_mask().paths()) {
    if (path != "name") {
      return InvalidField("update_mask", absl::StrCat("'", path, "' cannot be changed; only name"),
                          "FIELD_NOT_UPDATABLE");
    }
  }
  RETURN_IF_ERROR(ValidateText("party_org.name", r.party_org().name(), 100));
  return repo_->RenamePartyOrg(call, r, id);
}

TOUYAN_UNARY(PersonnelService, ListPartyOrgs, v1::ListPartyOrgsRequest, v1::ListPartyOrgsResponse)

absl::StatusOr<v1::ListPartyOrgsResponse> PersonnelService::DoListPartyOrgs(
    CallContext& call, const v1::ListPartyOrgsRequest& r) {
  ASSIGN_OR_RETURN(std::string prefix,
                   ListPrefix(call.principal(), r.region_code(), "region_code"));
  RETURN_IF_ERROR(CheckEnum("kind", r.kind(), v1::PartyOrgKind_IsValid));
  ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
  ASSIGN_OR_RETURN(PageOf<v1::PartyOrg> rows, repo_->ListPartyOrgs(call, prefix, r.kind(), page));
  return ListResponse(call, r, std::move(rows), &v1::ListPartyOrgsResponse::mutable_party_orgs);
}

}  // namespace touyan::personnel
