#include "services/personnel/pg_personnel_repository.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/metrics/metrics.h"
#include "common/status/status.h"
#include "common/time/date.h"
#include "services/personnel/domain/rules.h"

namespace touyan::personnel {
namespace {

constexpr char kRegionCols[] = "code, name, level, coalesce(parent_code, '')";
constexpr char kOrgCols[] = "county_code, id, name, kind, region_code, " TOUYAN_MICROS("create_time");

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
  return o;
}

}  // namespace

std::vector<db::Statement> PgPersonnelRepository::Statements() {
  std::vector<db::Statement> all = RegistryStatements();
  for (auto* more : {PositionStatements, DesignationStatements, ProfileStatements, SeedStatements}) {
    for (auto& s : more()) all.push_back(std::move(s));
  }
  return all;
}

const std::string& CadreSelectColumns() {
  static const auto* kCols = new std::string(
      "c.county_code, c.id, c.region_code, c.resident_id_sealed, c.name, c.gender, c.ethnicity, "
      "c.birth_date::text, c.party_member, c.education, c.phone_sealed, c.establishment, c.origin, "
      TOUYAN_MICROS("c.create_time") ", " TOUYAN_MICROS("c.update_time") ", "
      "array_to_string(ARRAY(SELECT p.kind FROM positions p WHERE p.county_code = c.county_code "
      "AND p.cadre_id = c.id AND p.ended_on IS NULL ORDER BY p.kind), ','), "
      "coalesce(c.transferred_from, ''), coalesce(c.transferred_to, ''), c.anonymised_on IS NOT NULL");
  return *kCols;
}

std::vector<db::Statement> RegistryStatements() {
  const std::string& cadre_cols = CadreSelectColumns();
  return {
      // regions
      {"region_get", absl::StrCat("SELECT ", kRegionCols, " FROM regions WHERE code = $1")},
      {"region_many",
       absl::StrCat("SELECT ", kRegionCols, " FROM regions WHERE code = ANY($1::text[]) ORDER BY code")},
      {"region_children",
       absl::StrCat("SELECT ", kRegionCols, " FROM regions WHERE parent_code = $1 AND code > $2 "
                    "ORDER BY code LIMIT $3")},
      {"region_roots",
       absl::StrCat("SELECT ", kRegionCols, " FROM regions WHERE parent_code IS NULL AND code > $1 "
                    "ORDER BY code LIMIT $2")},
      {"region_by_level",
       absl::StrCat("SELECT ", kRegionCols, " FROM regions WHERE code LIKE $1 AND level = $2 "
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
       "INSERT INTO audit_log (county_code, subject, role, method, resource, request_id, after) "
       "SELECT substr(code, 1, 6), $1, $2, $3, 'regions', $4, "
       "jsonb_build_object('regions_upserted', count(*)) FROM region_import GROUP BY 1"},
      // party organisations
      {"org_insert",
       absl::StrCat("INSERT INTO party_orgs (county_code, name, kind, region_code) "
                    "VALUES ($1, $2, $3, $4) RETURNING ", kOrgCols)},
      {"org_get",
       absl::StrCat("SELECT ", kOrgCols, " FROM party_orgs WHERE county_code = $1 AND id = $2")},
      {"org_lock",
       "SELECT kind, region_code FROM party_orgs WHERE county_code = $1 AND id = $2 FOR UPDATE"},
      {"org_list",
       absl::StrCat("SELECT ", kOrgCols, " FROM party_orgs WHERE county_code LIKE $1 "
                    "AND region_code LIKE $2 AND ($3 = 0 OR kind = $3) "
                    "AND (county_code, id) > ($4, $5) ORDER BY county_code, id LIMIT $6")},
      // cadres
      // The person enters the deployment's registry with the record: a
      // resident ID held already (here or in another county) inserts nothing.
      {"cadre_insert",
       "WITH reg AS (INSERT INTO people (resident_id_index, county_code, cadre_id) "
       "VALUES ($13, $1, nextval('cadre_id_seq')) ON CONFLICT DO NOTHING RETURNING cadre_id) "
       "INSERT INTO cadres (county_code, id, region_code, resident_id_sealed, resident_id_index, name, "
       "gender, ethnicity, birth_date, party_member, education, phone_sealed, establishment, origin, "
       "transferred_from) SELECT $1, reg.cadre_id, $2, $3, $13, $4, $5, $6, $7::date, $8, $9, "
       "NULLIF($10::bytea, ''), $11, $12, NULLIF($14, '') FROM reg RETURNING id, "
       TOUYAN_MICROS("create_time") ", " TOUYAN_MICROS("update_time")},
      {"cadre_insert_transfer",
       "WITH reg AS (UPDATE people SET county_code = $1, cadre_id = nextval('cadre_id_seq'), since = now() "
       "WHERE resident_id_index = $13 RETURNING cadre_id) "
       "INSERT INTO cadres (county_code, id, region_code, resident_id_sealed, resident_id_index, name, "
       "gender, ethnicity, birth_date, party_member, education, phone_sealed, establishment, origin, "
       "transferred_from) SELECT $1, reg.cadre_id, $2, $3, $13, $4, $5, $6, $7::date, $8, $9, "
       "NULLIF($10::bytea, ''), $11, $12, NULLIF($14, '') FROM reg RETURNING id, "
       TOUYAN_MICROS("create_time") ", " TOUYAN_MICROS("update_time")},
      {"positions_end_all",
       "UPDATE positions SET ended_on = greatest($3::date, term_start), end_reason = 3, end_note = $4 "
       "WHERE county_code = $1 AND cadre_id = $2 AND ended_on IS NULL"},
      // Who holds a resident ID, for the refusal: the county and its name.
      {"person_holder",
       "SELECT p.county_code, coalesce(r.name, ''), p.cadre_id FROM people p "
       "LEFT JOIN regions r ON r.code = p.county_code || '000000' WHERE p.resident_id_index = $1"},
      {"cadre_transferred",
       "UPDATE cadres SET transferred_to = $3, update_time = now() WHERE county_code = $1 AND id = $2"},

      {"cadre_get",
       "SELECT " + cadre_cols + " FROM cadres c WHERE c.county_code = $1 AND c.id = $2"},
      {"cadre_get_for_update",
       "SELECT " + cadre_cols + " FROM cadres c WHERE c.county_code = $1 AND c.id = $2 FOR UPDATE"},
      {"cadre_update",
       "UPDATE cadres SET region_code = $3, name = $4, ethnicity = $5, party_member = $6, "
       "education = $7, phone_sealed = NULLIF($8::bytea, ''), establishment = $9, origin = $10, "
       "resident_id_sealed = $11, update_time = now() WHERE county_code = $1 AND id = $2"},
      {"cadre_list",
       "SELECT " + cadre_cols +
           " FROM cadres c WHERE c.county_code LIKE $1 AND c.region_code LIKE $2 "
           "AND ($3 = 0 OR c.origin = $3) AND ($4 = 0 OR c.establishment = $4) "
           "AND (cardinality($5::smallint[]) = 0 OR EXISTS (SELECT 1 FROM positions p "
           "WHERE p.county_code = c.county_code AND p.cadre_id = c.id AND p.ended_on IS NULL "
           "AND p.kind = ANY($5::smallint[]))) "
           "AND (NOT $9 OR c.anonymised_on IS NOT NULL) "
           "AND (c.county_code, c.id) > ($6, $7) ORDER BY c.county_code, c.id LIMIT $8"},
      {"cadre_get_many",
       "SELECT " + cadre_cols + " FROM cadres c WHERE (c.county_code, c.id) IN "
       "(SELECT * FROM unnest($1::text[], $2::bigint[]))"},
      {"secretary_list",
       "SELECT p.county_code, p.id, p.kind, p.cadre_id, c.name, o.id, o.name, o.kind, o.region_code "
       "FROM positions p JOIN party_orgs o ON o.county_code = p.county_code AND o.id = p.party_org_id "
       "JOIN cadres c ON c.county_code = p.county_code AND c.id = p.cadre_id "
       // The counties as a range [$1, $7), not LIKE: the generic plan then
       // walks positions' key within them instead of scanning every
       // organisation (at 490,000 villages: 53 ms → under 1 ms a page).
       "WHERE p.ended_on IS NULL AND p.kind IN (1, 3) AND p.county_code >= $1 AND p.county_code < $7 "
       "AND o.region_code LIKE $2 AND ($3 = 0 OR o.kind = $3) "
       "AND (p.county_code, p.id) > ($4, $5) ORDER BY p.county_code, p.id LIMIT $6"},
      {"cadre_birth",
       "SELECT birth_date::text, region_code FROM cadres WHERE county_code = $1 AND id = $2"},
      {"cadre_import_missing_region",
       "DELETE FROM cadre_import s WHERE NOT EXISTS (SELECT 1 FROM regions r "
       "WHERE r.code = s.region_code) RETURNING s.row_no, s.region_code"},
      {"cadre_import_registered",
       "DELETE FROM cadre_import s USING people p WHERE p.resident_id_index = s.resident_id_index "
       "RETURNING s.row_no, p.county_code"},
      // A fresh temporary table is read back in the order rows were written,
      // so ids follow the file without a sort. (ON CONFLICT DO NOTHING would
      // spare the join above but costs more per row: speculative insertion.)
      // The rows got their ids as they were copied in (the temporary
      // table's default): the registry and the cadres each take them in
      // one streaming statement, nothing materialised in between.
      {"cadre_import_register",
       "INSERT INTO people (resident_id_index, county_code, cadre_id) "
       "SELECT resident_id_index, county_code, id FROM cadre_import"},
      {"cadre_import_insert",
       "INSERT INTO cadres (county_code, id, region_code, resident_id_sealed, resident_id_index, name, "
       "gender, ethnicity, birth_date, party_member, education, phone_sealed, establishment, origin) "
       "SELECT county_code, id, region_code, resident_id_sealed, resident_id_index, name, gender, "
       "ethnicity, birth_date, party_member, education, NULLIF(phone_sealed, ''), establishment, origin "
       "FROM cadre_import"},
      // With a village post: rows without a village organisation, rows whose
      // organisation's post is taken ($1: the current kinds that take it), and
      // a second row for the same organisation; then cadres and posts at once.
      {"cadre_import_no_org",
       "DELETE FROM cadre_import s WHERE NOT EXISTS (SELECT 1 FROM party_orgs o WHERE "
       "o.county_code = s.county_code AND o.region_code = s.region_code AND o.kind IN (1, 2)) "
       "RETURNING s.row_no, s.region_code"},
      {"cadre_import_post_taken",
       "DELETE FROM cadre_import s USING party_orgs o, positions p WHERE o.county_code = s.county_code "
       "AND o.region_code = s.region_code AND o.kind IN (1, 2) AND p.county_code = o.county_code "
       "AND p.party_org_id = o.id AND p.ended_on IS NULL AND p.kind = ANY($1::smallint[]) RETURNING s.row_no"},
      {"cadre_import_post_repeated",
       "DELETE FROM cadre_import s WHERE EXISTS (SELECT 1 FROM cadre_import t "
       "WHERE t.region_code = s.region_code AND t.row_no < s.row_no) RETURNING s.row_no"},
      {"cadre_import_insert_posted",
       "WITH ins AS (INSERT INTO cadres (county_code, id, region_code, resident_id_sealed, resident_id_index, "
       "name, gender, ethnicity, birth_date, party_member, education, phone_sealed, establishment, origin) "
       "SELECT county_code, id, region_code, resident_id_sealed, resident_id_index, name, gender, "
       "ethnicity, birth_date, party_member, education, NULLIF(phone_sealed, ''), establishment, origin "
       "FROM cadre_import RETURNING county_code, id, region_code), "
       "pos AS (INSERT INTO positions (county_code, cadre_id, party_org_id, kind, term_start) "
       "SELECT i.county_code, i.id, o.id, $1, $2::date FROM ins i JOIN party_orgs o ON "
       "o.county_code = i.county_code AND o.region_code = i.region_code AND o.kind IN (1, 2) RETURNING 1) "
       "SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM pos)"},
      // Departed cadres past the retention ($1 seconds since their last
      // post ended), $2 at a time: anonymised, out of the registry, audited.
      {"cadre_anonymise",
       "WITH d AS (SELECT c.county_code, c.id FROM cadres c WHERE c.anonymised_on IS NULL "
       "AND NOT EXISTS (SELECT 1 FROM positions p WHERE p.county_code = c.county_code AND p.cadre_id = c.id "
       "AND p.ended_on IS NULL) AND (SELECT max(p.ended_on) FROM positions p WHERE p.county_code = c.county_code "
       "AND p.cadre_id = c.id) < now() - make_interval(secs => $1) ORDER BY c.county_code, c.id LIMIT $2 "
       "FOR UPDATE OF c SKIP LOCKED), "
       "reg AS (DELETE FROM people x USING d WHERE x.county_code = d.county_code AND x.cadre_id = d.id), "
       "s AS (UPDATE seeds x SET person = jsonb_set(x.person, '{name}', to_jsonb($3::text)), resident_id_sealed = NULL, "
       "resident_id_index = NULL, phone_sealed = NULL, resident_id = NULL, phone = NULL FROM d "
       "WHERE x.county_code = d.county_code AND x.cadre_id = d.id), "
       "r AS (UPDATE returnees x SET person = jsonb_set(x.person, '{name}', to_jsonb($3::text)), resident_id_sealed = NULL, "
       "resident_id_index = NULL, phone_sealed = NULL, resident_id = NULL, phone = NULL FROM d "
       "WHERE x.county_code = d.county_code AND x.cadre_id = d.id), "
       "a AS (UPDATE cadres x SET name = $3, resident_id_sealed = NULL, resident_id_index = NULL, phone_sealed = NULL, "
       "resident_id = NULL, phone = NULL, birth_date = date_trunc('year', x.birth_date)::date, "
       "anonymised_on = current_date, update_time = now() FROM d WHERE x.county_code = d.county_code AND x.id = d.id "
       "RETURNING x.county_code, x.id), "
       "log AS (INSERT INTO audit_log (county_code, subject, role, method, resource, request_id, after) "
       "SELECT county_code, 'personnel-maintenance', 'service', 'AnonymiseDeparted', 'cadres', "
       "'anonymise-' || current_date, jsonb_build_object('cadres_anonymised', jsonb_agg(county_code || '-' || id "
       "ORDER BY id)) FROM a GROUP BY county_code) "
       "SELECT count(*) FROM a"},
      {"cadre_import_audit",
       "INSERT INTO audit_log (county_code, subject, role, method, resource, request_id, after) "
       "SELECT county_code, $1, $2, $3, 'cadres', $4, jsonb_build_object('cadres_imported', "
       "count(*), 'first_row', min(row_no), 'last_row', max(row_no)) FROM cadre_import GROUP BY 1"},
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
      r = tx.exec_prepared("region_by_level", q.parent_prefix + "%", static_cast<int>(q.level),
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
                         all.request_id());
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
          return WithReason(WithField(absl::AlreadyExistsError(absl::StrCat(
                                          "village ", org.region_code(),
                                          " already has its Party organisation")),
                                      "party_org.region_code"),
                            "VILLAGE_ORG_EXISTS");
        }
        v1::PartyOrg created = OrgFromRow(r[0]);
        call.Audit({.county_code = county,
                        .resource = "party_orgs/" + created.id(),
                        .after = &created});
        return created;
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
  return call.Read<PageOf<v1::PartyOrg>>(
      [&](db::Tx& tx) -> absl::StatusOr<PageOf<v1::PartyOrg>> {
        pqxx::result r = tx.exec_prepared("org_list", region_prefix.substr(0, 6) + "%",
                                          region_prefix + "%", kind, after.county, after.id,
                                          page.size + 1);
        return KeysetPage(r, page.size, OrgFromRow);
      });
}

}  // namespace touyan::personnel
