#include "services/personnel/personnel_service.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/ids/region.h"
#include "common/status/status.h"
#include "services/personnel/domain/resident_id.h"
#include "services/personnel/domain/rules.h"
#include "services/personnel/pg_personnel_repository.h"
#include "common/grpc/handlers.h"

namespace touyan::personnel {
std::vector<db::Migration> Migrations();  // generated from migrations/*.sql

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

grpc::ServerUnaryReactor* PersonnelService::GetRegion(Ctx* ctx, const v1::GetRegionRequest* req,
                                                      v1::Region* resp) {
  return rt_.Unary<v1::GetRegionRequest, v1::Region>(
      ctx, req, resp, __func__,
      [this](CallContext& call, const v1::GetRegionRequest& r) -> absl::StatusOr<v1::Region> {
        if (LevelOfCode(r.code()) == v1::REGION_LEVEL_UNSPECIFIED) {
          return InvalidField("code", absl::StrCat("'", r.code(), "' is not a 12-digit region code"),
                              "BAD_REGION_CODE");
        }
        return repo_->GetRegion(call, r.code());
      });
}

grpc::ServerUnaryReactor* PersonnelService::ListRegions(Ctx* ctx, const v1::ListRegionsRequest* req,
                                                        v1::ListRegionsResponse* resp) {
  return rt_.Unary<v1::ListRegionsRequest, v1::ListRegionsResponse>(
      ctx, req, resp, __func__,
      [this](CallContext& call,
             const v1::ListRegionsRequest& r) -> absl::StatusOr<v1::ListRegionsResponse> {
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
      });
}

grpc::ServerUnaryReactor* PersonnelService::GetRegionAncestors(
    Ctx* ctx, const v1::GetRegionAncestorsRequest* req, v1::GetRegionAncestorsResponse* resp) {
  return rt_.Unary<v1::GetRegionAncestorsRequest, v1::GetRegionAncestorsResponse>(
      ctx, req, resp, __func__,
      [this](CallContext& call, const v1::GetRegionAncestorsRequest& r)
          -> absl::StatusOr<v1::GetRegionAncestorsResponse> {
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
      });
}

grpc::ServerReadReactor<v1::ImportRegionsRequest>* PersonnelService::ImportRegions(
    Ctx* ctx, v1::ImportRegionsResponse* resp) {
  return rt_.ClientStream<v1::ImportRegionsRequest, v1::ImportRegionsResponse>(
      ctx, resp, __func__, std::make_unique<RegionImportSink>(*repo_));
}

// ---------------------------------------------------------- organisations

grpc::ServerUnaryReactor* PersonnelService::CreatePartyOrg(Ctx* ctx,
                                                           const v1::CreatePartyOrgRequest* req,
                                                           v1::PartyOrg* resp) {
  return rt_.Unary<v1::CreatePartyOrgRequest, v1::PartyOrg>(
      ctx, req, resp, __func__,
      [this](CallContext& call, const v1::CreatePartyOrgRequest& r) -> absl::StatusOr<v1::PartyOrg> {
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
      });
}

grpc::ServerUnaryReactor* PersonnelService::GetPartyOrg(Ctx* ctx, const v1::GetPartyOrgRequest* req,
                                                        v1::PartyOrg* resp) {
  return rt_.Unary<v1::GetPartyOrgRequest, v1::PartyOrg>(
      ctx, req, resp, __func__,
      [this](CallContext& call, const v1::GetPartyOrgRequest& r) -> absl::StatusOr<v1::PartyOrg> {
        ASSIGN_OR_RETURN(ResourceId id, ResourceId::Parse("id", r.id()));
        RETURN_IF_ERROR(CheckCounty(call.principal(), id.county_code, false));
        ASSIGN_OR_RETURN(v1::PartyOrg org, repo_->GetPartyOrg(call, id));
        RETURN_IF_ERROR(call.principal().CheckCovers(org.region_code()));
        return org;
      });
}

grpc::ServerUnaryReactor* PersonnelService::ListPartyOrgs(Ctx* ctx,
                                                          const v1::ListPartyOrgsRequest* req,
                                                          v1::ListPartyOrgsResponse* resp) {
  return rt_.Unary<v1::ListPartyOrgsRequest, v1::ListPartyOrgsResponse>(
      ctx, req, resp, __func__,
      [this](CallContext& call,
             const v1::ListPartyOrgsRequest& r) -> absl::StatusOr<v1::ListPartyOrgsResponse> {
        ASSIGN_OR_RETURN(std::string prefix, ListPrefix(call.principal(), r.region_code(), "region_code"));
        RETURN_IF_ERROR(CheckEnum("kind", r.kind(), v1::PartyOrgKind_IsValid));
        ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
        ASSIGN_OR_RETURN(PageOf<v1::PartyOrg> rows, repo_->ListPartyOrgs(call, prefix, r.kind(), page));
        return ListResponse(call, r, std::move(rows), &v1::ListPartyOrgsResponse::mutable_party_orgs);
      });
}

// ----------------------------------------------------------------- cadres

grpc::ServerUnaryReactor* PersonnelService::CreateCadre(Ctx* ctx, const v1::CreateCadreRequest* req,
                                                        v1::Cadre* resp) {
  return rt_.Unary<v1::CreateCadreRequest, v1::Cadre>(
      ctx, req, resp, __func__,
      [this](CallContext& call, const v1::CreateCadreRequest& r) -> absl::StatusOr<v1::Cadre> {
        v1::Cadre c = r.cadre();
        RETURN_IF_ERROR(NestField(NormalizeCadre(c, call.clock().Today()), "cadre."));
        RETURN_IF_ERROR(WithField(call.principal().CheckWrite(c.region_code()), "cadre.region_code"));
        ASSIGN_OR_RETURN(v1::Cadre created, repo_->CreateCadre(call, r, c));
        return Shown(call, std::move(created));
      });
}

grpc::ServerUnaryReactor* PersonnelService::GetCadre(Ctx* ctx, const v1::GetCadreRequest* req,
                                                     v1::Cadre* resp) {
  return rt_.Unary<v1::GetCadreRequest, v1::Cadre>(
      ctx, req, resp, __func__,
      [this](CallContext& call, const v1::GetCadreRequest& r) -> absl::StatusOr<v1::Cadre> {
        ASSIGN_OR_RETURN(ResourceId id, ResourceId::Parse("id", r.id()));
        RETURN_IF_ERROR(CheckCounty(call.principal(), id.county_code, false));
        ASSIGN_OR_RETURN(v1::Cadre c, repo_->GetCadre(call, id));
        RETURN_IF_ERROR(call.principal().CheckCovers(c.region_code()));
        return Shown(call, std::move(c));
      });
}

grpc::ServerUnaryReactor* PersonnelService::UpdateCadre(Ctx* ctx, const v1::UpdateCadreRequest* req,
                                                        v1::Cadre* resp) {
  return rt_.Unary<v1::UpdateCadreRequest, v1::Cadre>(
      ctx, req, resp, __func__,
      [this](CallContext& call, const v1::UpdateCadreRequest& r) -> absl::StatusOr<v1::Cadre> {
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
      });
}

grpc::ServerUnaryReactor* PersonnelService::TransferCadre(Ctx* ctx, const v1::TransferCadreRequest* req,
                                                          v1::Cadre* resp) {
  return rt_.Unary<v1::TransferCadreRequest, v1::Cadre>(
      ctx, req, resp, __func__,
      [this](CallContext& call, const v1::TransferCadreRequest& r) -> absl::StatusOr<v1::Cadre> {
        ASSIGN_OR_RETURN(ResourceId id, ResourceId::Parse("cadre_id", r.cadre_id()));
        if (LevelOf(r.region_code()) != Level::kVillage) {
          return InvalidField("region_code", "must be the 12-digit code of a village", "NOT_A_VILLAGE");
        }
        RETURN_IF_ERROR(WithField(CheckCounty(call.principal(), id.county_code, true), "cadre_id"));
        RETURN_IF_ERROR(WithField(call.principal().CheckWrite(r.region_code()), "region_code"));
        ASSIGN_OR_RETURN(v1::Cadre moved, repo_->TransferCadre(call, r, id));
        return Shown(call, std::move(moved));
      });
}

grpc::ServerUnaryReactor* PersonnelService::ListCadres(Ctx* ctx, const v1::ListCadresRequest* req,
                                                       v1::ListCadresResponse* resp) {
  return rt_.Unary<v1::ListCadresRequest, v1::ListCadresResponse>(
      ctx, req, resp, __func__,
      [this](CallContext& call,
             const v1::ListCadresRequest& r) -> absl::StatusOr<v1::ListCadresResponse> {
        CadreQuery q;
        ASSIGN_OR_RETURN(q.region_prefix, ListPrefix(call.principal(), r.region_code(), "region_code"));
        RETURN_IF_ERROR(CheckEnum("position", r.position(), v1::PositionKind_IsValid));
        RETURN_IF_ERROR(CheckEnum("origin", r.origin(), v1::Origin_IsValid));
        RETURN_IF_ERROR(CheckEnum("establishment", r.establishment(), v1::EstablishmentStatus_IsValid));
        q.position_kinds = KindsHolding(r.position());
        q.origin = r.origin();
        q.establishment = r.establishment();
        ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
        ASSIGN_OR_RETURN(PageOf<v1::Cadre> rows, repo_->ListCadres(call, q, page));
        for (auto& x : rows.items) x = Shown(call, std::move(x));
        return ListResponse(call, r, std::move(rows), &v1::ListCadresResponse::mutable_cadres);
      });
}

grpc::ServerUnaryReactor* PersonnelService::BatchGetCadres(Ctx* ctx,
                                                           const v1::BatchGetCadresRequest* req,
                                                           v1::BatchGetCadresResponse* resp) {
  return rt_.Unary<v1::BatchGetCadresRequest, v1::BatchGetCadresResponse>(
      ctx, req, resp, __func__,
      [this](CallContext& call,
             const v1::BatchGetCadresRequest& r) -> absl::StatusOr<v1::BatchGetCadresResponse> {
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
      });
}

grpc::ServerUnaryReactor* PersonnelService::ListSecretaries(Ctx* ctx,
                                                            const v1::ListSecretariesRequest* req,
                                                            v1::ListSecretariesResponse* resp) {
  return rt_.Unary<v1::ListSecretariesRequest, v1::ListSecretariesResponse>(
      ctx, req, resp, __func__,
      [this](CallContext& call,
             const v1::ListSecretariesRequest& r) -> absl::StatusOr<v1::ListSecretariesResponse> {
        ASSIGN_OR_RETURN(std::string prefix, ListPrefix(call.principal(), r.region_code(), "region_code"));
        RETURN_IF_ERROR(CheckEnum("party_org_kind", r.party_org_kind(), v1::PartyOrgKind_IsValid));
        ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
        ASSIGN_OR_RETURN(PageOf<v1::Secretary> rows,
                         repo_->ListSecretaries(call, prefix, r.party_org_kind(), page));
        return ListResponse(call, r, std::move(rows), &v1::ListSecretariesResponse::mutable_secretaries);
      });
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

namespace {
const std::vector<crypto::SealedColumn> kPersonColumns = {
    {.sealed = "resident_id_sealed", .legacy = "resident_id", .index = "resident_id_index", .index_kind = "resident_id"},
    {.sealed = "phone_sealed", .legacy = "phone"},
};

// What personnel holds about the person of a cadre record: all their
// records (a transfer leaves one per county), posts, evaluations,
// nominations, and their seed and returnee entries.
std::vector<PersonalDataQuery> PersonalData() {
  const std::string index =
      "(SELECT c1.resident_id_index FROM cadres c1, target t WHERE c1.county_code = t.county_code "
      "AND c1.id = t.number)";
  // The record asked about and those its transfers link it to, both ways.
  const std::string records =
      "(WITH RECURSIVE r(county_code, id) AS (SELECT t.county_code COLLATE \"C\", t.number FROM target t UNION "
      "SELECT c2.county_code, c2.id FROM r JOIN cadres c ON c.county_code = r.county_code AND c.id = r.id "
      "JOIN cadres c2 ON (c2.county_code = split_part(c.transferred_to, '-', 1) AND "
      "c2.id = nullif(split_part(c.transferred_to, '-', 2), '')::bigint) OR "
      "(c2.county_code = split_part(c.transferred_from, '-', 1) AND "
      "c2.id = nullif(split_part(c.transferred_from, '-', 2), '')::bigint)) SELECT county_code, id FROM r)";
  auto of_records = [&](const std::string& table) {
    return PersonalDataQuery{table, absl::StrCat("SELECT x.* FROM ", table, " x WHERE (x.county_code, x.cadre_id) IN ",
                                                 records, " ORDER BY x.county_code, x.id")};
  };
  auto of_person = [&](const std::string& table) {
    return PersonalDataQuery{table, absl::StrCat("SELECT x.* FROM ", table, " x WHERE x.resident_id_index = ", index,
                                                 " OR (x.county_code, x.cadre_id) IN ", records,
                                                 " ORDER BY x.county_code, x.id")};
  };
  return {{"cadres", absl::StrCat("SELECT x.* FROM cadres x WHERE (x.county_code, x.id) IN ", records,
                                  " ORDER BY x.county_code, x.id")},
          of_records("positions"), of_records("nominations"), of_person("seeds"), of_person("returnees"),
          {"evaluations", absl::StrCat("SELECT x.* FROM evaluations x WHERE (x.county_code, x.cadre_id) IN ", records,
                                       " ORDER BY x.county_code, x.year")}};
}

}  // namespace

ServiceSpec PersonnelSpec() {
  return ServiceSpec{
      .name = "personnel",
      .migrations = Migrations,
      .statements = PgPersonnelRepository::Statements(),
      .make_service = [](Runtime& rt) -> std::unique_ptr<grpc::Service> {
        return std::make_unique<PersonnelService>(rt, std::make_unique<PgPersonnelRepository>());
      },
      .calls = {},
      // Resident IDs and phone numbers, sealed (migration 005_sealed_people).
      .sealed = {{"cadres", kPersonColumns}, {"seeds", kPersonColumns}, {"returnees", kPersonColumns}},
      .personal_data = PersonalData(),
      .anonymise_departed = AnonymiseDeparted,
  };
}

}  // namespace touyan::personnel
