#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/ids/region.h"
#include "common/log/trace.h"
#include "common/metrics/metrics.h"
#include "common/status/status.h"
#include "common/time/date.h"
#include "services/personnel/domain/rules.h"
#include "services/personnel/pg_personnel_repository.h"

namespace touyan::personnel {
namespace {

constexpr char kRegionCols[] = "code, name, level, coalesce(parent_code, '')";
constexpr char kOrgCols[] = "county_code, id, name, kind, region_code, " TOUYAN_MICROS(
    "create_time") ", " TOUYAN_ETAG("party_orgs");

v1::Region RegionFromRow(const pqxx::row& r) {
  v1::Region out;
  out.set_code(r[0].as<std::string>());
  out.set_name(r[1].as<std::string>());
  out.set_level(static_cast<v1::RegionLevel>(r[2].as<int>()));
  out.set_parent_code(r[3].as<std::string>());
  if (out.level() >= v1::REGION_LEVEL_COUNTY) out.set_county_code(out.code().substr(0, 6));
  return out;
}

v1::PartyOrg OrgFromRow(const pqxx::row& r) {
  v1::PartyOrg o;
  o.set_county_code(r[0].as<std::string>());
  o.set_id(ResourceId{o.county_code(), r[1].as<int64_t>()}.ToString());
  o.set_name(r[2].as<std::string>());
  o.set_kind(static_cast<v1::PartyOrgKind>(r[3].as<int>()));
  o.set_region_code(r[4].as<std::string>());
  *o.mutable_create_time() = TimestampFromMicros(r[5].as<int64_t>());
  o.set_etag(r[6].as<std::string>());
  return o;
}

}  // namespace

std::vector<db::Statement> RegionStatements() {
  return {
      // regions
      {"region_get", absl::StrCat("SELECT ", kRegionCols, " FROM regions WHERE code = $1")},
      {"region_many", absl::StrCat("SELECT ", kRegionCols,
                                   " FROM regions WHERE code = ANY($1::text[]) ORDER BY code")},
      {"region_children", absl::StrCat("SELECT ", kRegionCols,
                                       " FROM regions WHERE parent_code = $1 AND code > $2 "
                                       "ORDER BY code LIMIT $3")},
      {"region_roots", absl::StrCat("SELECT ", kRegionCols,
                                    " FROM regions WHERE parent_code IS NULL AND code > $1 "
                                    "ORDER BY code LIMIT $2")},
      {"region_by_level",
       absl::StrCat("SELECT ", kRegionCols,
                    " FROM regions WHERE code >= $1 AND code < ($1 || ':') AND level = $2 "
                    "AND code > $3 ORDER BY code LIMIT $4")},
      {"region_import_upsert",
       "INSERT INTO regions (code, county_code, name, level, parent_code) "
       "SELECT code, substr(code, 1, 6), name, level, NULLIF(parent_code, '') FROM region_import "
       "ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, level = EXCLUDED.level, "
       "parent_code = EXCLUDED.parent_code"},
      {"region_import_orgs",
       "INSERT INTO party_orgs (county_code, name, kind, region_code) "
       "SELECT substr(code, 1, 6), org_name, org_kind, code FROM region_import WHERE org_kind > 0 "
       "ON CONFLICT (county_code, region_code) WHERE kind IN (1, 2) DO NOTHING"},
      {"region_import_audit",
       "INSERT INTO audit_log (county_code, subject, role, method, resource, request_id, after, "
       "trace_id) SELECT substr(code, 1, 6), $1, $2, $3, 'regions', $4, "
       "jsonb_build_object('regions_upserted', count(*)), nullif($5, '') FROM region_import "
       "GROUP BY 1"},
      // party organisations
      {"org_insert", absl::StrCat("INSERT INTO party_orgs (county_code, name, kind, region_code) "
                                  "VALUES ($1, $2, $3, $4) RETURNING ",
                                  kOrgCols)},
      {"org_get",
       absl::StrCat("SELECT ", kOrgCols, " FROM party_orgs WHERE county_code = $1 AND id = $2")},
      {"org_get_for_update", absl::StrCat("SELECT ", kOrgCols,
                                          " FROM party_orgs WHERE county_code = $1 AND id = $2 "
                                          "FOR UPDATE")},
      {"org_rename", absl::StrCat("UPDATE party_orgs SET name = $3 WHERE county_code = $1 AND "
                                  "id = $2 RETURNING ",
                                  kOrgCols)},
      {"org_list",
       absl::StrCat("SELECT ", kOrgCols,
                    " FROM party_orgs WHERE county_code >= $1 AND county_code < ($1 || ':') "
                    "AND region_code >= $2 AND region_code < ($2 || ':') AND ($3 = 0 OR kind = $3) "
                    "AND (county_code, id) > ($4, $5) ORDER BY county_code, id LIMIT $6")},
  };
}

// ---------------------------------------------------------------- regions

absl::StatusOr<v1::Region> PgPersonnelRepository::GetRegion(CallContext& call,
                                                            const std::string& code) {
  return call.Read<v1::Region>([&](db::Tx& tx) -> absl::StatusOr<v1::Region> {
    pqxx::result r = tx.exec_prepared("region_get", code);
    if (r.empty()) return NotFound("code", "region", code);
    return RegionFromRow(r[0]);
  });
}

absl::StatusOr<std::vector<v1::Region>> PgPersonnelRepository::GetRegions(
    CallContext& call, const std::vector<std::string>& codes) {
  return call.Read<std::vector<v1::Region>>(
      [&](db::Tx& tx) -> absl::StatusOr<std::vector<v1::Region>> {
        std::vector<v1::Region> out;
        for (const auto& row : tx.exec_prepared("region_many", DigitArray(codes))) {
          out.push_back(RegionFromRow(row));
        }
        return out;
      });
}

absl::StatusOr<PageOf<v1::Region>> PgPersonnelRepository::ListRegions(CallContext& call,
                                                                      const RegionQuery& q,
                                                                      const paging::Page& page) {
  return call.Read<PageOf<v1::Region>>([&](db::Tx& tx) -> absl::StatusOr<PageOf<v1::Region>> {
    pqxx::result r;
    const int limit = page.size + 1;
    if (q.level != v1::REGION_LEVEL_UNSPECIFIED) {
      r = tx.exec_prepared("region_by_level", q.parent_prefix, static_cast<int>(q.level),
                           page.cursor, limit);
    } else if (q.parent_code.empty()) {
      r = tx.exec_prepared("region_roots", page.cursor, limit);
    } else {
      r = tx.exec_prepared("region_children", q.parent_code, page.cursor, limit);
    }
    PageOf<v1::Region> out;
    for (const auto& row : r) {
      if (static_cast<int>(out.items.size()) == page.size) {
        out.next_cursor = out.items.back().code();
        break;
      }
      out.items.push_back(RegionFromRow(row));
    }
    return out;
  });
}

absl::StatusOr<v1::ImportRegionsResponse> PgPersonnelRepository::ImportRegions(
    CallContext& call, const v1::ImportRegionsRequest& all) {
  return call.Mutate<v1::ImportRegionsResponse>(
      all, all.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::ImportRegionsResponse> {
        tx.exec(
            "CREATE TEMP TABLE region_import (code text COLLATE \"C\", name text, level smallint, "
            "parent_code text COLLATE \"C\", org_name text, org_kind smallint) ON COMMIT DROP");
        {
          pqxx::stream_to s(tx, "region_import");
          for (const v1::Region& r : all.regions()) {
            v1::PartyOrg org;
            if (r.level() == v1::REGION_LEVEL_VILLAGE) org = VillageOrgFor(r);
            s << std::make_tuple(r.code(), r.name(), static_cast<int>(r.level()), r.parent_code(),
                                 org.name(), static_cast<int>(org.kind()));
          }
          s.complete();
        }
        v1::ImportRegionsResponse resp;
        resp.set_regions_upserted(
            static_cast<int32_t>(tx.exec_prepared("region_import_upsert").affected_rows()));
        resp.set_party_orgs_created(
            static_cast<int32_t>(tx.exec_prepared("region_import_orgs").affected_rows()));
        tx.exec_prepared("region_import_audit", call.principal().subject,
                         std::string(auth::RoleName(call.principal().role)), call.method(),
                         all.request_id(), log::CurrentTrace().trace_id);
        call.metrics()
            .Counter("touyan_personnel_regions_imported_total", "Regions upserted by imports.")
            .Increment(resp.regions_upserted());
        return resp;
      });
}

// ------------------------------------------------------- party organisations

absl::StatusOr<v1::PartyOrg> PgPersonnelRepository::CreatePartyOrg(
    CallContext& call, const v1::CreatePartyOrgRequest& request, const v1::PartyOrg& org) {
  return call.Mutate<v1::PartyOrg>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::PartyOrg> {
        if (tx.exec_prepared("region_get", org.region_code()).empty()) {
          return NotFound("party_org.region_code", "region", org.region_code());
        }
        const std::string county = CountyOf(org.region_code());
        pqxx::result r;
        try {
          r = tx.exec_prepared("org_insert", county, org.name(), static_cast<int>(org.kind()),
                               org.region_code());
        } catch (const pqxx::unique_violation&) {  // the transaction rolls back
          return WithReason(
              WithField(absl::AlreadyExistsError(absl::StrCat(
                            "village ", org.region_code(), " already has its Party organisation")),
                        "party_org.region_code"),
              "VILLAGE_ORG_EXISTS");
        }
        v1::PartyOrg created = OrgFromRow(r[0]);
        call.Audit(
            {.county_code = county, .resource = "party_orgs/" + created.id(), .after = &created});
        return created;
      });
}

absl::StatusOr<v1::PartyOrg> PgPersonnelRepository::RenamePartyOrg(
    CallContext& call, const v1::UpdatePartyOrgRequest& request, const ResourceId& id) {
  return call.Mutate<v1::PartyOrg>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::PartyOrg> {
        pqxx::result r = tx.exec_prepared("org_get_for_update", id.county_code, id.number);
        if (r.empty()) return NotFound("party_org.id", "party organisation", id.ToString());
        const v1::PartyOrg before = OrgFromRow(r[0]);
        RETURN_IF_ERROR(
            WithField(call.principal().CheckWrite(before.region_code()), "party_org.id"));
        RETURN_IF_ERROR(CheckEtag(request.party_org().etag(), before.etag(), "party organisation",
                                  before.id(), "party_org.etag"));
        const v1::PartyOrg after = OrgFromRow(tx.exec_prepared(
            "org_rename", id.county_code, id.number, request.party_org().name())[0]);
        call.Audit({.county_code = id.county_code,
                    .resource = "party_orgs/" + after.id(),
                    .before = &before,
                    .after = &after});
        return after;
      });
}

absl::StatusOr<v1::PartyOrg> PgPersonnelRepository::GetPartyOrg(CallContext& call,
                                                                const ResourceId& id) {
  return call.Read<v1::PartyOrg>([&](db::Tx& tx) -> absl::StatusOr<v1::PartyOrg> {
    pqxx::result r = tx.exec_prepared("org_get", id.county_code, id.number);
    if (r.empty()) return NotFound("id", "party organisation", id.ToString());
    return OrgFromRow(r[0]);
  });
}

absl::StatusOr<PageOf<v1::PartyOrg>> PgPersonnelRepository::ListPartyOrgs(
    CallContext& call, const std::string& region_prefix, int kind, const paging::Page& page) {
  ASSIGN_OR_RETURN(Keyset after, Keyset::Parse(page.cursor));
  return call.Read<PageOf<v1::PartyOrg>>([&](db::Tx& tx) -> absl::StatusOr<PageOf<v1::PartyOrg>> {
    pqxx::result r = tx.exec_prepared("org_list", CountyPrefix(region_prefix), region_prefix, kind,
                                      after.county, after.id, page.size + 1);
    return KeysetPage(r, page.size, OrgFromRow);
  });
}

}  // namespace touyan::personnel
