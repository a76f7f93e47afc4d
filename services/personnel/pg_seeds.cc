// PgPersonnelRepository: the seed pipeline (种子计划), returnee recruitment
// (回引计划), and appointing either into a village post.
#include "absl/strings/str_cat.h"
#include "common/audit/audit.h"
#include "common/ids/region.h"
#include "common/status/status.h"
#include "common/time/date.h"
#include "google/protobuf/util/json_util.h"
#include "services/personnel/domain/seed.h"
#include "services/personnel/pg_personnel_repository.h"

namespace touyan::personnel {
namespace {

// Steps as JSON the contract's parser reads into Seed.steps.
constexpr char kSeedCols[] =
    "s.county_code, s.id, s.person::text, s.strengths, s.stage, coalesce(s.cadre_id, 0), "
    "coalesce(s.position_id, 0), " TOUYAN_MICROS("s.create_time") ", "
    "json_build_object('steps', coalesce((SELECT json_agg(json_build_object('stage', st.stage, "
    "'by', st.by_subject, 'by_role', st.by_role, 'note', st.note, 'at', "
    "to_char(st.at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')) ORDER BY st.step_no) "
    "FROM seed_steps st WHERE st.county_code = s.county_code AND st.seed_id = s.id), '[]'))::text, "
    "s.resident_id_sealed, s.phone_sealed";
constexpr char kReturneeCols[] =
    "r.county_code, r.id, r.person::text, r.note, r.status, coalesce(r.cadre_id, 0), "
    "coalesce(r.position_id, 0), " TOUYAN_MICROS(
        "r.create_time") ", r.resident_id_sealed, r.phone_sealed";

// The person as stored: JSON without the two sealed fields, which are
// columns of their own.
v1::Cadre PersonFromRow(const crypto::Keyring& keys, const std::string& table,
                        const std::string& county, const pqxx::field& json,
                        const pqxx::field& resident_id, const pqxx::field& phone) {
  v1::Cadre c;
  (void)google::protobuf::util::JsonStringToMessage(json.as<std::string>(), &c);
  UnsealPerson(keys, table, county, resident_id, phone, c);
  return c;
}

std::string PersonJson(v1::Cadre person) {
  person.clear_resident_id();
  person.clear_phone();
  return audit::ToJson(person);
}

v1::Seed SeedFromRow(const pqxx::row& r, const crypto::Keyring& keys) {
  v1::Seed s;
  (void)google::protobuf::util::JsonStringToMessage(r[8].as<std::string>(), &s);  // steps
  std::string county = r[0].as<std::string>();
  s.set_county_code(county);
  s.set_id(ResourceId{county, r[1].as<int64_t>()}.ToString());
  *s.mutable_person() = PersonFromRow(keys, "seeds", county, r[2], r[9], r[10]);
  s.set_strengths(r[3].as<std::string>());
  s.set_stage(static_cast<v1::SeedStage>(r[4].as<int>()));
  if (int64_t c = r[5].as<int64_t>()) s.set_cadre_id(ResourceId{county, c}.ToString());
  if (int64_t p = r[6].as<int64_t>()) s.set_position_id(ResourceId{county, p}.ToString());
  *s.mutable_create_time() = TimestampFromMicros(r[7].as<int64_t>());
  return s;
}

v1::Returnee ReturneeFromRow(const pqxx::row& r, const crypto::Keyring& keys) {
  v1::Returnee x;
  std::string county = r[0].as<std::string>();
  x.set_county_code(county);
  x.set_id(ResourceId{county, r[1].as<int64_t>()}.ToString());
  *x.mutable_person() = PersonFromRow(keys, "returnees", county, r[2], r[8], r[9]);
  x.set_note(r[3].as<std::string>());
  x.set_status(static_cast<v1::ReturneeStatus>(r[4].as<int>()));
  if (int64_t c = r[5].as<int64_t>()) x.set_cadre_id(ResourceId{county, c}.ToString());
  if (int64_t p = r[6].as<int64_t>()) x.set_position_id(ResourceId{county, p}.ToString());
  *x.mutable_create_time() = TimestampFromMicros(r[7].as<int64_t>());
  return x;
}

void RecordStep(db::Tx& tx, CallContext& call, const ResourceId& seed, v1::SeedStage stage,
                const std::string& note) {
  tx.exec_prepared("seed_step_insert", seed.county_code, seed.number, static_cast<int>(stage),
                   call.principal().subject, std::string(auth::RoleName(call.principal().role)),
                   note);
}

absl::StatusOr<v1::Seed> LoadSeed(db::Tx& tx, const crypto::Keyring& keys, const ResourceId& id,
                                  bool for_update, absl::string_view field) {
  pqxx::result r =
      tx.exec_prepared(for_update ? "seed_get_for_update" : "seed_get", id.county_code, id.number);
  if (r.empty()) return NotFound(field, "seed", id.ToString());
  return SeedFromRow(r[0], keys);
}

// Villages and their approved seeds, below a region prefix ($1, digits; a
// range, see CountyPrefix).
constexpr char kCoverage[] =
    "WITH v AS (SELECT r.code, r.name, r.parent_code AS township, r.county_code, "
    "(SELECT count(*) FROM seeds s WHERE s.county_code = r.county_code AND s.village_code = r.code "
    "AND s.stage = 3) AS approved FROM regions r WHERE r.level = 5 AND r.code >= $1 "
    "AND r.code < ($1 || ':')) ";

}  // namespace

std::vector<db::Statement> SeedStatements() {
  return {
      {"seed_insert",
       "INSERT INTO seeds (county_code, village_code, resident_id_sealed, resident_id_index, "
       "phone_sealed, "
       "person, strengths, stage) VALUES ($1, $2, $3, $4, NULLIF($5::bytea, ''), $6::jsonb, $7, 1) "
       "ON CONFLICT DO NOTHING RETURNING id"},
      {"seed_step_insert",
       "INSERT INTO seed_steps (county_code, seed_id, step_no, stage, by_subject, by_role, note) "
       "SELECT $1, $2, coalesce(max(step_no), 0) + 1, $3, $4, $5, $6 FROM seed_steps "
       "WHERE county_code = $1 AND seed_id = $2"},
      {"seed_get",
       absl::StrCat("SELECT ", kSeedCols, " FROM seeds s WHERE s.county_code = $1 AND s.id = $2")},
      {"seed_get_scoped",
       absl::StrCat("SELECT ", kSeedCols,
                    ", s.village_code AS scope_region FROM seeds s WHERE s.county_code = $1 "
                    "AND s.id = $2")},
      {"seed_get_for_update",
       absl::StrCat("SELECT ", kSeedCols,
                    " FROM seeds s WHERE s.county_code = $1 AND s.id = $2 FOR UPDATE")},
      {"seed_set_stage", "UPDATE seeds SET stage = $3 WHERE county_code = $1 AND id = $2"},
      {"seed_appointed",
       "UPDATE seeds SET stage = 5, cadre_id = $3, position_id = $4 WHERE county_code = $1 AND id "
       "= $2"},
      {"seed_list",
       absl::StrCat(
           "SELECT ", kSeedCols,
           " FROM seeds s WHERE s.county_code >= $1 AND s.county_code < ($1 || ':') "
           "AND s.village_code >= $2 AND s.village_code < ($2 || ':') AND ($3 = 0 OR s.stage = $3) "
           "AND (s.county_code, s.id) > ($4, $5) ORDER BY s.county_code, s.id LIMIT $6")},
      {"coverage_villages",
       absl::StrCat(kCoverage,
                    "SELECT code, name, township, county_code, approved FROM v "
                    "WHERE approved < $2 AND code > $3 ORDER BY code LIMIT $4")},
      {"coverage_townships",
       absl::StrCat(kCoverage,
                    "SELECT county_code, township, count(*), "
                    "count(*) FILTER (WHERE approved < $2) FROM v GROUP BY 1, 2 ORDER BY 2")},
      {"gauge_seed_villages",
       absl::StrCat(kCoverage, "SELECT count(*), count(*) FILTER (WHERE approved < 2) FROM v")},
      {"gauge_secretaries",
       "SELECT count(*) FROM positions WHERE ended_on IS NULL AND kind IN (1, 3) AND county_code "
       ">= $1 AND county_code < ($1 || ':')"},
      {"returnee_insert",
       "INSERT INTO returnees (county_code, village_code, resident_id_sealed, resident_id_index, "
       "phone_sealed, origin, person, note, status) VALUES ($1, $2, $3, $4, NULLIF($5::bytea, ''), "
       "$6, "
       "$7::jsonb, $8, 1) ON CONFLICT DO NOTHING RETURNING id"},
      {"returnee_get_for_update",
       absl::StrCat("SELECT ", kReturneeCols,
                    " FROM returnees r WHERE r.county_code = $1 AND r.id = $2 "
                    "FOR UPDATE")},
      {"returnee_get_scoped",
       absl::StrCat("SELECT ", kReturneeCols,
                    ", r.village_code AS scope_region FROM returnees r WHERE r.county_code = $1 "
                    "AND r.id = $2")},
      {"returnee_get", absl::StrCat("SELECT ", kReturneeCols,
                                    " FROM returnees r WHERE r.county_code = $1 AND r.id = $2")},
      {"returnee_placed",
       "UPDATE returnees SET status = 2, cadre_id = $3, position_id = $4 WHERE county_code = $1 "
       "AND id = $2"},
      {"returnee_list",
       absl::StrCat("SELECT ", kReturneeCols,
                    " FROM returnees r WHERE r.county_code >= $1 AND r.county_code < ($1 || ':') "
                    "AND r.village_code >= $2 AND r.village_code < ($2 || ':') AND ($3 = 0 OR "
                    "r.origin = $3) AND ($4 = 0 OR r.status = $4) "
                    "AND (r.county_code, r.id) > ($5, $6) ORDER BY r.county_code, r.id LIMIT $7")},
      {"returnee_stats",
       "SELECT county_code, origin, count(*), count(*) FILTER (WHERE status = 2) FROM returnees "
       "WHERE county_code >= $1 AND county_code < ($1 || ':') AND village_code >= $2 AND "
       "village_code < ($2 || ':') GROUP BY 1, 2 ORDER BY 1, 2"},
  };
}

// ------------------------------------------------------------------ seeds

absl::StatusOr<v1::Seed> PgPersonnelRepository::NominateSeed(CallContext& call,
                                                             const v1::NominateSeedRequest& request,
                                                             const v1::Cadre& person) {
  return call.Mutate<v1::Seed>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::Seed> {
        const std::string county = CountyOf(person.region_code());
        pqxx::result r;
        try {
          const SealedPerson sealed = SealPerson(*call.keys(), "seeds", county, person);
          r = tx.exec_prepared("seed_insert", county, person.region_code(), sealed.resident_id,
                               sealed.index, sealed.phone, PersonJson(person),
                               request.seed().strengths());
        } catch (const pqxx::foreign_key_violation&) {
          return NotFound("seed.person.region_code", "region", person.region_code());
        }
        if (r.empty()) {
          return WithReason(
              WithField(absl::AlreadyExistsError("this person is already a seed in the county"),
                        "seed.person.resident_id"),
              "ALREADY_A_SEED");
        }
        ResourceId id{county, r[0][0].as<int64_t>()};
        RecordStep(tx, call, id, v1::SEED_STAGE_NOMINATED, "");
        ASSIGN_OR_RETURN(v1::Seed seed, LoadSeed(tx, *call.keys(), id, false, "id"));
        call.Audit({.county_code = county, .resource = "seeds/" + seed.id(), .after = &seed});
        return seed;
      });
}

absl::StatusOr<v1::Seed> PgPersonnelRepository::AdvanceSeed(
    CallContext& call, const google::protobuf::Message& request, const std::string& request_id,
    const ResourceId& id, SeedStep step, bool yes, const std::string& note) {
  return call.Mutate<v1::Seed>(request, request_id, [&](db::Tx& tx) -> absl::StatusOr<v1::Seed> {
    ASSIGN_OR_RETURN(v1::Seed before, LoadSeed(tx, *call.keys(), id, true, "id"));
    RETURN_IF_ERROR(call.principal().CheckWrite(before.person().region_code()));
    RETURN_IF_ERROR(CheckSeedStep(step, before.stage(), call.principal().role));
    v1::SeedStage next = StageAfter(step, yes);
    tx.exec_prepared("seed_set_stage", id.county_code, id.number, static_cast<int>(next));
    RecordStep(tx, call, id, next, note);
    ASSIGN_OR_RETURN(v1::Seed after, LoadSeed(tx, *call.keys(), id, false, "id"));
    call.Audit({.county_code = id.county_code,
                .resource = "seeds/" + after.id(),
                .before = &before,
                .after = &after});
    return after;
  });
}

absl::StatusOr<PageOf<v1::Seed>> PgPersonnelRepository::ListSeeds(CallContext& call,
                                                                  const std::string& region_prefix,
                                                                  int stage,
                                                                  const paging::Page& page) {
  ASSIGN_OR_RETURN(Keyset after, Keyset::Parse(page.cursor));
  return call.Read<PageOf<v1::Seed>>([&](db::Tx& tx) -> absl::StatusOr<PageOf<v1::Seed>> {
    pqxx::result r = tx.exec_prepared("seed_list", CountyPrefix(region_prefix), region_prefix,
                                      stage, after.county, after.id, page.size + 1);
    return KeysetPage(r, page.size,
                      [&](const pqxx::row& row) { return SeedFromRow(row, *call.keys()); });
  });
}

absl::StatusOr<v1::SeedCoverageResponse> PgPersonnelRepository::SeedCoverage(
    CallContext& call, const std::string& region_prefix, int min_seeds, const paging::Page& page) {
  return call.Read<v1::SeedCoverageResponse>(
      [&](db::Tx& tx) -> absl::StatusOr<v1::SeedCoverageResponse> {
        v1::SeedCoverageResponse out;
        std::map<std::string, v1::AreaSeeds> counties;
        for (const auto& row : tx.exec_prepared("coverage_townships", region_prefix, min_seeds)) {
          v1::AreaSeeds* t = out.add_townships();
          t->set_region_code(row[1].as<std::string>());
          t->set_villages(row[2].as<int>());
          t->set_villages_below(row[3].as<int>());
          v1::AreaSeeds& c = counties[row[0].as<std::string>()];
          c.set_region_code(row[0].as<std::string>() + "000000");
          c.set_villages(c.villages() + t->villages());
          c.set_villages_below(c.villages_below() + t->villages_below());
          out.set_villages(out.villages() + t->villages());
          out.set_villages_below_total(out.villages_below_total() + t->villages_below());
        }
        for (auto& [code, c] : counties) *out.add_counties() = c;
        pqxx::result r = tx.exec_prepared("coverage_villages", region_prefix, min_seeds,
                                          page.cursor, page.size + 1);
        for (const auto& row : r) {
          if (out.villages_below_size() == page.size) {
            out.set_next_page_token(out.villages_below(page.size - 1).village_code());  // a cursor
            break;
          }
          v1::VillageSeeds* v = out.add_villages_below();
          v->set_village_code(row[0].as<std::string>());
          v->set_village_name(row[1].as<std::string>());
          v->set_township_code(row[2].as<std::string>());
          v->set_county_code(row[3].as<std::string>());
          v->set_approved_seeds(row[4].as<int>());
        }
        return out;
      });
}

// -------------------------------------------------------------- returnees

absl::StatusOr<v1::Returnee> PgPersonnelRepository::CreateReturnee(
    CallContext& call, const v1::CreateReturneeRequest& request, const v1::Cadre& person) {
  return call.Mutate<v1::Returnee>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::Returnee> {
        const std::string county = CountyOf(person.region_code());
        pqxx::result r;
        try {
          const SealedPerson sealed = SealPerson(*call.keys(), "returnees", county, person);
          r = tx.exec_prepared("returnee_insert", county, person.region_code(), sealed.resident_id,
                               sealed.index, sealed.phone, static_cast<int>(person.origin()),
                               PersonJson(person), request.returnee().note());
        } catch (const pqxx::foreign_key_violation&) {
          return NotFound("returnee.person.region_code", "region", person.region_code());
        }
        if (r.empty()) {
          return WithReason(
              WithField(absl::AlreadyExistsError("this person is already a returnee candidate"),
                        "returnee.person.resident_id"),
              "ALREADY_A_RETURNEE");
        }
        v1::Returnee x = ReturneeFromRow(
            tx.exec_prepared("returnee_get", county, r[0][0].as<int64_t>())[0], *call.keys());
        call.Audit({.county_code = county, .resource = "returnees/" + x.id(), .after = &x});
        return x;
      });
}

absl::StatusOr<PageOf<v1::Returnee>> PgPersonnelRepository::ListReturnees(
    CallContext& call, const std::string& region_prefix, int origin, int status,
    const paging::Page& page) {
  ASSIGN_OR_RETURN(Keyset after, Keyset::Parse(page.cursor));
  return call.Read<PageOf<v1::Returnee>>([&](db::Tx& tx) -> absl::StatusOr<PageOf<v1::Returnee>> {
    pqxx::result r = tx.exec_prepared("returnee_list", CountyPrefix(region_prefix), region_prefix,
                                      origin, status, after.county, after.id, page.size + 1);
    return KeysetPage(r, page.size,
                      [&](const pqxx::row& row) { return ReturneeFromRow(row, *call.keys()); });
  });
}

absl::StatusOr<v1::ReturneeStatisticsResponse> PgPersonnelRepository::ReturneeStatistics(
    CallContext& call, const std::string& region_prefix) {
  return call.Read<v1::ReturneeStatisticsResponse>(
      [&](db::Tx& tx) -> absl::StatusOr<v1::ReturneeStatisticsResponse> {
        v1::ReturneeStatisticsResponse out;
        for (const auto& row :
             tx.exec_prepared("returnee_stats", CountyPrefix(region_prefix), region_prefix)) {
          v1::ReturneeCount* c = out.add_counts();
          c->set_county_code(row[0].as<std::string>());
          c->set_origin(static_cast<v1::Origin>(row[1].as<int>()));
          c->set_candidates(row[2].as<int64_t>());
          c->set_placed(row[3].as<int64_t>());
          out.set_candidates(out.candidates() + c->candidates());
          out.set_placed(out.placed() + c->placed());
        }
        return out;
      });
}

// ---------------------------------------------------------------- appoint

absl::StatusOr<v1::AppointResponse> PgPersonnelRepository::Appoint(
    CallContext& call, const v1::AppointRequest& request, const ResourceId& from,
    const ResourceId& org) {
  return call.Mutate<v1::AppointResponse>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::AppointResponse> {
        const bool is_seed = request.has_seed_id();
        v1::Cadre person;
        Lineage lineage;
        google::protobuf::Message* before = nullptr;
        v1::Seed seed;
        v1::Returnee returnee;
        if (is_seed) {
          ASSIGN_OR_RETURN(seed, LoadSeed(tx, *call.keys(), from, true, "seed_id"));
          if (seed.stage() != v1::SEED_STAGE_APPROVED) {
            return WithReason(absl::FailedPreconditionError(absl::StrCat(
                                  "only an APPROVED seed can be appointed; this one is ",
                                  v1::SeedStage_Name(seed.stage()))),
                              "WRONG_STAGE");
          }
          person = seed.person();
          lineage.seed = from.number;
          before = &seed;
        } else {
          pqxx::result r =
              tx.exec_prepared("returnee_get_for_update", from.county_code, from.number);
          if (r.empty()) return NotFound("returnee_id", "returnee", from.ToString());
          returnee = ReturneeFromRow(r[0], *call.keys());
          if (returnee.status() != v1::RETURNEE_STATUS_CANDIDATE) {
            return WithReason(absl::FailedPreconditionError("the returnee is already placed"),
                              "ALREADY_PLACED");
          }
          person = returnee.person();
          lineage.returnee = from.number;
          before = &returnee;
        }
        pqxx::result o = tx.exec_prepared("org_lock", org.county_code, org.number);
        if (o.empty()) return NotFound("party_org_id", "party organisation", org.ToString());
        if (o[0][1].as<std::string>() != person.region_code()) {
          return InvalidField("party_org_id", "must be an organisation of the person's village",
                              "NOT_THE_VILLAGE");
        }
        RETURN_IF_ERROR(call.principal().CheckWrite(person.region_code()));
        // The person may already be registered (a returning former cadre); one
        // registered in another county is refused, naming it (InsertCadre).
        v1::AppointResponse out;
        pqxx::result holder =
            tx.exec_prepared("person_holder", ResidentIndex(*call.keys(), person.resident_id()));
        if (holder.empty() || holder[0][0].as<std::string>() != org.county_code) {
          ASSIGN_OR_RETURN(*out.mutable_cadre(), InsertCadre(tx, call, person));
        } else {
          *out.mutable_cadre() = CadreFromRow(
              tx.exec_prepared("cadre_get", org.county_code, holder[0][2].as<int64_t>())[0],
              *call.keys());
        }
        ResourceId cadre = *ResourceId::Parse("", out.cadre().id());
        v1::Position p;
        p.set_kind(request.kind());
        *p.mutable_term_start() = request.term_start();
        *p.mutable_term_end() = request.term_end();
        ASSIGN_OR_RETURN(
            *out.mutable_position(),
            InsertPosition(tx, call, cadre, org, static_cast<v1::PartyOrgKind>(o[0][0].as<int>()),
                           p, lineage));
        const int64_t position = ResourceId::Parse("", out.position().id())->number;
        if (is_seed) {
          tx.exec_prepared("seed_appointed", from.county_code, from.number, cadre.number, position);
          RecordStep(tx, call, from, v1::SEED_STAGE_APPOINTED, out.position().id());
          ASSIGN_OR_RETURN(v1::Seed after, LoadSeed(tx, *call.keys(), from, false, "seed_id"));
          call.Audit({.county_code = from.county_code,
                      .resource = "seeds/" + after.id(),
                      .before = before,
                      .after = &after});
        } else {
          tx.exec_prepared("returnee_placed", from.county_code, from.number, cadre.number,
                           position);
          v1::Returnee after = ReturneeFromRow(
              tx.exec_prepared("returnee_get", from.county_code, from.number)[0], *call.keys());
          call.Audit({.county_code = from.county_code,
                      .resource = "returnees/" + after.id(),
                      .before = before,
                      .after = &after});
        }
        return out;
      });
}

absl::StatusOr<PersonnelGauges> PgPersonnelRepository::Gauges(CallContext& call,
                                                              const std::string& region_prefix) {
  return call.Read<PersonnelGauges>([&](db::Tx& tx) -> absl::StatusOr<PersonnelGauges> {
    PersonnelGauges g;
    pqxx::row v = tx.exec_prepared1("gauge_seed_villages", region_prefix);
    g.villages = v[0].as<int64_t>();
    g.villages_below_seed_target = v[1].as<int64_t>();
    g.current_secretaries =
        tx.exec_prepared1("gauge_secretaries", region_prefix.substr(0, 6))[0].as<int64_t>();
    return g;
  });
}

absl::StatusOr<v1::Seed> PgPersonnelRepository::GetSeed(CallContext& call, const ResourceId& id) {
  return ReadRow(
      call, "seed_get_scoped", "seed", id,
      [&](const pqxx::row& r) { return SeedFromRow(r, *call.keys()); }, "scope_region");
}

absl::StatusOr<v1::Returnee> PgPersonnelRepository::GetReturnee(CallContext& call,
                                                                const ResourceId& id) {
  return ReadRow(
      call, "returnee_get_scoped", "returnee", id,
      [&](const pqxx::row& r) { return ReturneeFromRow(r, *call.keys()); }, "scope_region");
}

}  // namespace touyan::personnel
