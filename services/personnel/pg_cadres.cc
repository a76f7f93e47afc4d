// PgPersonnelRepository: cadres (registration, reads, transfers, anonymising);
// the bulk import is pg_cadre_import.cc.
#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/idempotency/idempotency.h"
#include "common/ids/region.h"
#include "common/metrics/metrics.h"
#include "common/status/status.h"
#include "common/time/date.h"
#include "services/personnel/domain/rules.h"
#include "services/personnel/pg_personnel_repository.h"

namespace touyan::personnel {

const std::string& CadreSelectColumns() {
  static const auto* kCols = new std::string(
      "c.county_code, c.id, c.region_code, c.resident_id_sealed, c.name, c.gender, c.ethnicity, "
      "c.birth_date::text, c.party_member, c.education, c.phone_sealed, c.establishment, c.origin, "
      TOUYAN_MICROS("c.create_time") ", " TOUYAN_MICROS("c.update_time") ", "
      "array_to_string(ARRAY(SELECT p.kind FROM positions p WHERE p.county_code = c.county_code "
      "AND p.cadre_id = c.id AND p.ended_on IS NULL ORDER BY p.kind), ','), "
      "coalesce(c.transferred_from, ''), coalesce(c.transferred_to, ''), c.anonymised_on IS NOT NULL, "
      TOUYAN_ETAG("c"));
  return *kCols;
}

// A page of cadres of the counties below $1 (a range, see CountyPrefix)
// where `where` (on $1, $2), filtered by origin $3, establishment $4,
// current post kinds $5 and anonymisation $8, after the key ($6, $7), at
// most $9 rows.
std::string CadreList(const std::string& cadre_cols, const std::string& where) {
  return "SELECT " + cadre_cols +
         " FROM cadres c WHERE c.county_code >= $1 AND c.county_code < ($1 || ':') AND " + where +
         " AND ($3 = 0 OR c.origin = $3) AND ($4 = 0 OR c.establishment = $4) "
         "AND (cardinality($5::smallint[]) = 0 OR EXISTS (SELECT 1 FROM positions p "
         "WHERE p.county_code = c.county_code AND p.cadre_id = c.id AND p.ended_on IS NULL "
         "AND p.kind = ANY($5::smallint[]))) "
         "AND (NOT $8 OR c.anonymised_on IS NOT NULL) "
         "AND (c.county_code, c.id) > ($6, $7) ORDER BY c.county_code, c.id LIMIT $9";
}

std::vector<db::Statement> CadreStatements() {
  const std::string& cadre_cols = CadreSelectColumns();
  return {
      // cadres
      // The person enters the deployment's registry with the record: a
      // resident ID held already (here or in another county) inserts nothing.
      {"cadre_insert",
       "WITH reg AS (INSERT INTO people (resident_id_index, county_code, cadre_id) "
       "VALUES ($13, $1, nextval('cadre_id_seq')) ON CONFLICT DO NOTHING RETURNING cadre_id) "
       "INSERT INTO cadres (county_code, id, region_code, resident_id_sealed, resident_id_index, "
       "name, "
       "gender, ethnicity, birth_date, party_member, education, phone_sealed, establishment, "
       "origin, "
       "transferred_from) SELECT $1, reg.cadre_id, $2, $3, $13, $4, $5, $6, $7::date, $8, $9, "
       "NULLIF($10::bytea, ''), $11, $12, NULLIF($14, '') FROM reg RETURNING id, " TOUYAN_MICROS(
           "create_time") ", " TOUYAN_MICROS("update_time") ", " TOUYAN_ETAG_OF_THIS_TRANSACTION},
      {"cadre_insert_transfer",
       "WITH reg AS (UPDATE people SET county_code = $1, cadre_id = nextval('cadre_id_seq'), since "
       "= now() "
       "WHERE resident_id_index = $13 RETURNING cadre_id) "
       "INSERT INTO cadres (county_code, id, region_code, resident_id_sealed, resident_id_index, "
       "name, "
       "gender, ethnicity, birth_date, party_member, education, phone_sealed, establishment, "
       "origin, "
       "transferred_from) SELECT $1, reg.cadre_id, $2, $3, $13, $4, $5, $6, $7::date, $8, $9, "
       "NULLIF($10::bytea, ''), $11, $12, NULLIF($14, '') FROM reg RETURNING id, " TOUYAN_MICROS(
           "create_time") ", " TOUYAN_MICROS("update_time") ", " TOUYAN_ETAG_OF_THIS_TRANSACTION},
      {"positions_end_all",
       "UPDATE positions SET ended_on = greatest($3::date, term_start), end_reason = 3, end_note = "
       "$4 "
       "WHERE county_code = $1 AND cadre_id = $2 AND ended_on IS NULL"},
      {"cadre_transferred",
       "UPDATE cadres SET transferred_to = $3, update_time = now() WHERE county_code = $1 AND id = "
       "$2"},
      {"cadre_get_for_update",
       "SELECT " + cadre_cols + " FROM cadres c WHERE c.county_code = $1 AND c.id = $2 FOR UPDATE"},
      {"cadre_update",
       "UPDATE cadres SET region_code = $3, name = $4, ethnicity = $5, party_member = $6, "
       "education = $7, phone_sealed = NULLIF($8::bytea, ''), establishment = $9, origin = $10, "
       "resident_id_sealed = $11, update_time = now() WHERE county_code = $1 AND id = $2"},
      // The counties as a range, not LIKE, so the generic plan walks the key
      // within them; a village ($2 its whole code) from cadres_village, in
      // key order. With LIKE, a village's page read every row of the table
      // (at 100,000 cadres no page came back within 5 s under bench/run's load).
      {"cadre_list", CadreList(cadre_cols, "c.region_code >= $2 AND c.region_code < ($2 || ':')")},
      {"cadre_list_village", CadreList(cadre_cols, "c.county_code = $1 AND c.region_code = $2")},
      {"cadre_get_many", "SELECT " + cadre_cols +
                             " FROM cadres c WHERE (c.county_code, c.id) IN "
                             "(SELECT * FROM unnest($1::text[], $2::bigint[]))"},
      {"secretary_list",
       "SELECT p.county_code, p.id, p.kind, p.cadre_id, c.name, o.id, o.name, o.kind, "
       "o.region_code, p.term_start::text "
       "FROM positions p JOIN party_orgs o ON o.county_code = p.county_code AND o.id = "
       "p.party_org_id "
       "JOIN cadres c ON c.county_code = p.county_code AND c.id = p.cadre_id "
       // The counties as a range, not LIKE: the generic plan then walks
       // positions' key within them instead of scanning every organisation
       // (at 490,000 villages: 53 ms → under 1 ms a page).
       "WHERE p.ended_on IS NULL AND p.kind IN (1, 3) AND p.county_code >= $1 "
       "AND p.county_code < ($1 || ':') "
       "AND o.region_code >= $2 AND o.region_code < ($2 || ':') AND ($3 = 0 OR o.kind = $3) "
       "AND (p.county_code, p.id) > ($4, $5) ORDER BY p.county_code, p.id LIMIT $6"},
      // Departed cadres past the retention ($1 seconds since their last
      // post ended) of the counties within $4 (the deployment's scope; a
      // range, see CountyPrefix), $2 at a time: anonymised, out of the
      // registry, audited.
      {"cadre_anonymise",
       "WITH d AS (SELECT c.county_code, c.id, c.resident_id_index FROM cadres c "
       "WHERE c.anonymised_on IS NULL AND c.county_code >= $4 AND c.county_code < ($4 || ':') "
       "AND NOT EXISTS (SELECT 1 FROM positions p WHERE p.county_code = c.county_code AND "
       "p.cadre_id = c.id "
       "AND p.ended_on IS NULL) AND (SELECT max(p.ended_on) FROM positions p WHERE p.county_code = "
       "c.county_code "
       "AND p.cadre_id = c.id) < now() - make_interval(secs => $1) ORDER BY c.county_code, c.id "
       "LIMIT $2 "
       "FOR UPDATE OF c SKIP LOCKED), "
       // The registry by its key (a person's entry, if this record still
       // holds it): by county and cadre it would read every person of the
       // deployment.
       "reg AS (DELETE FROM people x USING d WHERE x.resident_id_index = d.resident_id_index "
       "AND x.county_code = d.county_code AND x.cadre_id = d.id), "
       "s AS (UPDATE seeds x SET person = jsonb_set(x.person, '{name}', to_jsonb($3::text)), "
       "resident_id_sealed = NULL, "
       "resident_id_index = NULL, phone_sealed = NULL, resident_id = NULL, phone = NULL FROM d "
       "WHERE x.county_code = d.county_code AND x.cadre_id = d.id), "
       "r AS (UPDATE returnees x SET person = jsonb_set(x.person, '{name}', to_jsonb($3::text)), "
       "resident_id_sealed = NULL, "
       "resident_id_index = NULL, phone_sealed = NULL, resident_id = NULL, phone = NULL FROM d "
       "WHERE x.county_code = d.county_code AND x.cadre_id = d.id), "
       "a AS (UPDATE cadres x SET name = $3, resident_id_sealed = NULL, resident_id_index = NULL, "
       "phone_sealed = NULL, "
       "resident_id = NULL, phone = NULL, birth_date = date_trunc('year', x.birth_date)::date, "
       "anonymised_on = current_date, update_time = now() FROM d WHERE x.county_code = "
       "d.county_code AND x.id = d.id "
       "RETURNING x.county_code, x.id), "
       "log AS (INSERT INTO audit_log (county_code, subject, role, method, resource, request_id, "
       "after) "
       "SELECT county_code, 'personnel-maintenance', 'service', 'AnonymiseDeparted', 'cadres', "
       "'anonymise-' || current_date, jsonb_build_object('cadres_anonymised', "
       "jsonb_agg(county_code || '-' || id "
       "ORDER BY id)) FROM a GROUP BY county_code) "
       "SELECT count(*) FROM a"},
  };
}
namespace {

absl::Status CadreNotFound(const ResourceId& id) {
  return WithReason(
      WithField(absl::NotFoundError(absl::StrCat("cadre ", id.ToString(), " does not exist")),
                "id"),
      "NOT_FOUND");
}

absl::Status Transferred(const v1::Cadre& c) {
  return WithReason(
      absl::FailedPreconditionError(
          absl::StrCat("cadre ", c.id(), " was transferred to another county; its record there is ",
                       c.transferred_to(), " (this one is kept as history)")),
      "TRANSFERRED");
}

}  // namespace

// One person, one record: the refusal names the county that holds it (a
// move between counties is TransferCadre).
absl::Status AlreadyRegistered(const std::string& county, const std::string& county_name) {
  return WithReason(
      WithField(absl::AlreadyExistsError(absl::StrCat(
                    "a cadre with this resident ID is already registered, in county ", county,
                    county_name.empty() ? "" : absl::StrCat(" (", county_name, ")"),
                    ": one person has one record; to move them here, transfer that record "
                    "(TransferCadre)")),
                "cadre.resident_id"),
      "ALREADY_REGISTERED");
}

absl::Status RegionMissing(const std::string& code) {
  return WithReason(WithField(absl::NotFoundError(absl::StrCat("region ", code, " does not exist")),
                              "cadre.region_code"),
                    "REGION_NOT_FOUND");
}

SealedPerson SealPerson(const crypto::Keyring& keys, const std::string& table,
                        const std::string& county, const v1::Cadre& person) {
  return SealedPerson{
      .resident_id = pqxx::binarystring(
          keys.Seal(person.resident_id(), crypto::Context(table, "resident_id_sealed", county))),
      .index = ResidentIndex(keys, person.resident_id()),
      .phone = pqxx::binarystring(
          person.phone().empty()
              ? std::string()
              : keys.Seal(person.phone(), crypto::Context(table, "phone_sealed", county))),
  };
}

void UnsealPerson(const crypto::Keyring& keys, const std::string& table, const std::string& county,
                  const pqxx::field& resident_id, const pqxx::field& phone, v1::Cadre& person) {
  person.set_resident_id(
      crypto::Unseal(keys, resident_id, crypto::Context(table, "resident_id_sealed", county)));
  person.set_phone(crypto::Unseal(keys, phone, crypto::Context(table, "phone_sealed", county)));
}

pqxx::binarystring ResidentIndex(const crypto::Keyring& keys, const std::string& resident_id) {
  return pqxx::binarystring(keys.BlindIndex("resident_id", resident_id));
}

v1::Cadre CadreFromRow(const pqxx::row& r, const crypto::Keyring& keys) {
  v1::Cadre c;
  c.set_county_code(r[0].as<std::string>());
  c.set_id(ResourceId{c.county_code(), r[1].as<int64_t>()}.ToString());
  c.set_region_code(r[2].as<std::string>());
  UnsealPerson(keys, "cadres", c.county_code(), r[3], r[10], c);
  c.set_name(r[4].as<std::string>());
  c.set_gender(static_cast<v1::Gender>(r[5].as<int>()));
  c.set_ethnicity(r[6].as<std::string>());
  absl::CivilDay birth;
  if (ParseIsoDate(r[7].as<std::string>(), &birth)) *c.mutable_birth_date() = ToDate(birth);
  c.set_party_member(r[8].as<bool>());
  c.set_education(static_cast<v1::Education>(r[9].as<int>()));
  c.set_establishment(static_cast<v1::EstablishmentStatus>(r[11].as<int>()));
  c.set_origin(static_cast<v1::Origin>(r[12].as<int>()));
  *c.mutable_create_time() = TimestampFromMicros(r[13].as<int64_t>());
  *c.mutable_update_time() = TimestampFromMicros(r[14].as<int64_t>());
  for (absl::string_view k : absl::StrSplit(r[15].as<std::string>(), ',', absl::SkipEmpty())) {
    c.add_current_positions(static_cast<v1::PositionKind>(k[0] - '0'));
  }
  c.set_transferred_from(r[16].as<std::string>());
  c.set_transferred_to(r[17].as<std::string>());
  c.set_anonymised(r[18].as<bool>());
  c.set_etag(r[19].as<std::string>());
  return c;
}

absl::StatusOr<v1::Cadre> InsertCadre(db::Tx& tx, CallContext& call, const v1::Cadre& cadre,
                                      const std::string& transferred_from) {
  const std::string county = CountyOf(cadre.region_code());
  const SealedPerson sealed = SealPerson(*call.keys(), "cadres", county, cadre);
  pqxx::result r;
  try {
    // A transfer moves the registry's entry to the new record; a registration adds one.
    r = tx.exec_prepared(
        transferred_from.empty() ? "cadre_insert" : "cadre_insert_transfer", county,
        cadre.region_code(), sealed.resident_id, cadre.name(), static_cast<int>(cadre.gender()),
        cadre.ethnicity(), IsoDate(*ToCivilDay("", cadre.birth_date())), cadre.party_member(),
        static_cast<int>(cadre.education()), sealed.phone, static_cast<int>(cadre.establishment()),
        static_cast<int>(cadre.origin()), sealed.index, transferred_from);
  } catch (const pqxx::foreign_key_violation&) {  // the transaction rolls back
    return RegionMissing(cadre.region_code());
  }
  if (r.empty() && !transferred_from.empty()) {
    return WithReason(
        absl::FailedPreconditionError(
            "the registry holds no entry for this record's person (registered twice before "
            "one person one record): ask the operators to merge the records"),
        "NOT_IN_REGISTRY");
  }
  if (r.empty()) {  // the registry holds the person already
    pqxx::result holder = tx.exec_prepared("person_holder", sealed.index);
    if (holder.empty()) return absl::AbortedError("the registration raced another; retry");
    return AlreadyRegistered(holder[0][0].as<std::string>(), holder[0][1].as<std::string>());
  }
  // A new cadre holds no post yet: the row is what was validated plus what
  // the insert returned, with no second read.
  v1::Cadre created = cadre;
  created.set_id(ResourceId{county, r[0][0].as<int64_t>()}.ToString());
  created.set_county_code(county);
  created.clear_current_positions();
  created.set_transferred_from(transferred_from);  // output only: what the caller sent is not kept
  created.clear_transferred_to();
  created.clear_anonymised();
  *created.mutable_create_time() = TimestampFromMicros(r[0][1].as<int64_t>());
  *created.mutable_update_time() = TimestampFromMicros(r[0][2].as<int64_t>());
  created.set_etag(r[0][3].as<std::string>());
  call.Audit({.county_code = county, .resource = "cadres/" + created.id(), .after = &created});
  call.metrics()
      .Counter("touyan_personnel_cadres_created_total", "Cadres registered one by one.")
      .Increment();
  return created;
}

absl::StatusOr<v1::Cadre> PgPersonnelRepository::CreateCadre(CallContext& call,
                                                             const v1::CreateCadreRequest& request,
                                                             const v1::Cadre& cadre) {
  return call.Mutate<v1::Cadre>(request, request.request_id(),
                                [&](db::Tx& tx) { return InsertCadre(tx, call, cadre); });
}

absl::StatusOr<v1::Cadre> PgPersonnelRepository::GetCadre(CallContext& call, const ResourceId& id) {
  return call.Read<v1::Cadre>([&](db::Tx& tx) -> absl::StatusOr<v1::Cadre> {
    pqxx::result r = tx.exec_prepared("cadre_get", id.county_code, id.number);
    if (r.empty()) return CadreNotFound(id);
    return CadreFromRow(r[0], *call.keys());
  });
}

absl::StatusOr<std::vector<v1::Cadre>> PgPersonnelRepository::GetCadres(
    CallContext& call, const std::vector<ResourceId>& ids) {
  std::vector<std::string> counties;
  std::vector<int64_t> numbers;
  for (const ResourceId& id : ids) {
    counties.push_back(id.county_code);
    numbers.push_back(id.number);
  }
  return call.Read<std::vector<v1::Cadre>>(
      [&](db::Tx& tx) -> absl::StatusOr<std::vector<v1::Cadre>> {
        std::vector<v1::Cadre> out;
        for (const auto& row :
             tx.exec_prepared("cadre_get_many", DigitArray(counties), IntArray64(numbers))) {
          out.push_back(CadreFromRow(row, *call.keys()));
        }
        return out;
      });
}

namespace {

v1::Secretary SecretaryFromRow(const pqxx::row& r) {
  v1::Secretary s;
  const std::string county = r[0].as<std::string>();
  s.set_county_code(county);
  s.set_position_id(ResourceId{county, r[1].as<int64_t>()}.ToString());
  s.set_position_kind(static_cast<v1::PositionKind>(r[2].as<int>()));
  s.set_cadre_id(ResourceId{county, r[3].as<int64_t>()}.ToString());
  s.set_cadre_name(r[4].as<std::string>());
  s.set_party_org_id(ResourceId{county, r[5].as<int64_t>()}.ToString());
  s.set_party_org_name(r[6].as<std::string>());
  s.set_party_org_kind(static_cast<v1::PartyOrgKind>(r[7].as<int>()));
  s.set_region_code(r[8].as<std::string>());
  if (auto day = DateFromIso(r[9].as<std::string>())) *s.mutable_term_start() = *day;
  return s;
}

}  // namespace

absl::StatusOr<PageOf<v1::Secretary>> PgPersonnelRepository::ListSecretaries(
    CallContext& call, const std::string& region_prefix, int org_kind, const paging::Page& page) {
  ASSIGN_OR_RETURN(Keyset after, Keyset::Parse(page.cursor));
  return call.Read<PageOf<v1::Secretary>>([&](db::Tx& tx) -> absl::StatusOr<PageOf<v1::Secretary>> {
    pqxx::result r = tx.exec_prepared("secretary_list", CountyPrefix(region_prefix), region_prefix,
                                      org_kind, after.county, after.id, page.size + 1);
    return KeysetPage(r, page.size, SecretaryFromRow, &v1::Secretary::position_id);
  });
}

absl::StatusOr<v1::Cadre> PgPersonnelRepository::UpdateCadre(
    CallContext& call, const v1::UpdateCadreRequest& request, const ResourceId& id,
    const std::function<absl::Status(v1::Cadre&)>& apply) {
  return call.Mutate<v1::Cadre>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::Cadre> {
        pqxx::result r = tx.exec_prepared("cadre_get_for_update", id.county_code, id.number);
        if (r.empty()) return CadreNotFound(id);
        const v1::Cadre before = CadreFromRow(r[0], *call.keys());
        if (!before.transferred_to().empty()) return Transferred(before);
        if (before.anonymised()) {
          return WithReason(
              absl::FailedPreconditionError(absl::StrCat(
                  "cadre ", before.id(), " departed and was anonymised: register the person anew")),
              "ANONYMISED");
        }
        RETURN_IF_ERROR(call.principal().CheckWrite(before.region_code()));
        RETURN_IF_ERROR(
            CheckEtag(request.cadre().etag(), before.etag(), "cadre", before.id(), "cadre.etag"));
        v1::Cadre after = before;
        RETURN_IF_ERROR(apply(after));
        // Every sealed value is sealed again: under the current key.
        const SealedPerson sealed = SealPerson(*call.keys(), "cadres", id.county_code, after);
        try {
          tx.exec_prepared("cadre_update", id.county_code, id.number, after.region_code(),
                           after.name(), after.ethnicity(), after.party_member(),
                           static_cast<int>(after.education()), sealed.phone,
                           static_cast<int>(after.establishment()),
                           static_cast<int>(after.origin()), sealed.resident_id);
        } catch (const pqxx::foreign_key_violation&) {
          return RegionMissing(after.region_code());
        }
        after =
            CadreFromRow(tx.exec_prepared("cadre_get", id.county_code, id.number)[0], *call.keys());
        call.Audit({.county_code = id.county_code,
                    .resource = "cadres/" + after.id(),
                    .before = &before,
                    .after = &after});
        return after;
      });
}

absl::StatusOr<PageOf<v1::Cadre>> PgPersonnelRepository::ListCadres(CallContext& call,
                                                                    const CadreQuery& q,
                                                                    const paging::Page& page) {
  ASSIGN_OR_RETURN(Keyset after, Keyset::Parse(page.cursor));
  return call.Read<PageOf<v1::Cadre>>([&](db::Tx& tx) -> absl::StatusOr<PageOf<v1::Cadre>> {
    pqxx::result r = tx.exec_prepared(
        q.region_prefix.size() == 12 ? "cadre_list_village" : "cadre_list",
        CountyPrefix(q.region_prefix), q.region_prefix, q.origin, q.establishment,
        IntArray(q.position_kinds), after.county, after.id, q.anonymised, page.size + 1);
    return KeysetPage(r, page.size,
                      [&](const pqxx::row& row) { return CadreFromRow(row, *call.keys()); });
  });
}

absl::StatusOr<v1::Cadre> PgPersonnelRepository::TransferCadre(
    CallContext& call, const v1::TransferCadreRequest& request, const ResourceId& id) {
  return call.Mutate<v1::Cadre>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::Cadre> {
        pqxx::result r = tx.exec_prepared("cadre_get_for_update", id.county_code, id.number);
        if (r.empty()) return WithField(CadreNotFound(id), "cadre_id");
        const v1::Cadre before = CadreFromRow(r[0], *call.keys());
        if (!before.transferred_to().empty()) return WithField(Transferred(before), "cadre_id");
        RETURN_IF_ERROR(WithField(call.principal().CheckWrite(before.region_code()), "cadre_id"));
        const std::string to = request.region_code();
        if (CountyOf(to) == id.county_code) {
          return InvalidField("region_code",
                              "is in the cadre's own county: a move within the county is "
                              "UpdateCadre's region_code",
                              "SAME_COUNTY");
        }
        RETURN_IF_ERROR(WithField(call.principal().CheckWrite(to), "region_code"));
        v1::Cadre moved = before;
        moved.set_region_code(to);
        absl::StatusOr<v1::Cadre> created = InsertCadre(tx, call, moved, before.id());
        if (absl::IsNotFound(created.status())) return WithField(created.status(), "region_code");
        if (!created.ok()) return created.status();
        tx.exec_prepared("cadre_transferred", id.county_code, id.number, created->id());
        // Its posts end as an adjustment (动态调整), the note naming the new record.
        tx.exec_prepared("positions_end_all", id.county_code, id.number,
                         IsoDate(call.clock().Today()),
                         absl::StrCat("transferred to ", created->id()));
        v1::Cadre left =
            CadreFromRow(tx.exec_prepared("cadre_get", id.county_code, id.number)[0], *call.keys());
        call.Audit({.county_code = id.county_code,
                    .resource = "cadres/" + left.id(),
                    .before = &before,
                    .after = &left});
        return *created;
      });
}

absl::StatusOr<int64_t> AnonymiseDeparted(db::Lease& lease, const db::Scope& scope,
                                          absl::Duration retention, int batch,
                                          absl::Time deadline) {
  return db::RunBatches(lease, scope, batch, deadline, [&](db::Tx& tx) -> int64_t {
    return tx
        .exec_prepared1("cadre_anonymise", absl::ToDoubleSeconds(retention), batch,
                        std::string(kAnonymisedName),
                        scope.county_prefix == "*" ? "" : CountyPrefix(scope.county_prefix))[0]
        .as<int64_t>();
  });
}

}  // namespace touyan::personnel
