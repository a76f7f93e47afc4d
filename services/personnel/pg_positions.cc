// PgPersonnelRepository: positions — appointments, ending terms, replacing a
// secretary (动态调整), history and adjustment counts.
#include "absl/strings/str_cat.h"
#include "common/ids/region.h"
#include "common/status/status.h"
#include "common/time/date.h"
#include "services/personnel/domain/designation.h"
#include "services/personnel/domain/rules.h"
#include "services/personnel/pg_personnel_repository.h"

namespace touyan::personnel {
namespace {

constexpr char kPositionCols[] =
    "p.county_code, p.id, p.cadre_id, p.party_org_id, p.kind, p.term_start::text, "
    "coalesce(p.term_end::text, ''), coalesce(p.ended_on::text, ''), " TOUYAN_MICROS("p.create_time")
    ", coalesce(p.end_reason, 0), p.end_note, coalesce(p.seed_id, 0), coalesce(p.returnee_id, 0)";

v1::Position PositionFromRow(const pqxx::row& r) {
  v1::Position p;
  std::string county = r[0].as<std::string>();
  p.set_county_code(county);
  p.set_id(ResourceId{county, r[1].as<int64_t>()}.ToString());
  p.set_cadre_id(ResourceId{county, r[2].as<int64_t>()}.ToString());
  p.set_party_org_id(ResourceId{county, r[3].as<int64_t>()}.ToString());
  p.set_kind(static_cast<v1::PositionKind>(r[4].as<int>()));
  if (auto day = DateFromIso(r[5].as<std::string>())) *p.mutable_term_start() = *day;
  if (auto day = DateFromIso(r[6].as<std::string>())) *p.mutable_term_end() = *day;
  if (auto day = DateFromIso(r[7].as<std::string>())) *p.mutable_ended_on() = *day;
  *p.mutable_create_time() = TimestampFromMicros(r[8].as<int64_t>());
  p.set_end_reason(static_cast<v1::PositionEndReason>(r[9].as<int>()));
  p.set_end_note(r[10].as<std::string>());
  if (int64_t seed = r[11].as<int64_t>()) p.set_seed_id(ResourceId{county, seed}.ToString());
  if (int64_t ret = r[12].as<int64_t>()) p.set_returnee_id(ResourceId{county, ret}.ToString());
  return p;
}

}  // namespace

absl::StatusOr<v1::Position> InsertPosition(db::Tx& tx, CallContext& call, const ResourceId& cadre,
                                            const ResourceId& org, v1::PartyOrgKind org_kind,
                                            const v1::Position& p, const Lineage& from) {
  pqxx::result c = tx.exec_prepared("cadre_birth", cadre.county_code, cadre.number);
  if (c.empty()) return NotFound("position.cadre_id", "cadre", cadre.ToString());
  absl::CivilDay birth;
  ParseIsoDate(c[0][0].as<std::string>(), &birth);
  std::vector<CurrentPost> current;
  for (const auto& row : tx.exec_prepared("position_current", org.county_code, org.number)) {
    current.push_back({static_cast<v1::PositionKind>(row[0].as<int>()), row[1].as<int64_t>()});
  }
  RETURN_IF_ERROR(
      ValidatePosition(p, org_kind, cadre.number, birth, current, call.clock().Today()));
  std::string term_end;
  if (IsSet(p.term_end())) term_end = IsoDate(*ToCivilDay("", p.term_end()));
  pqxx::result r = tx.exec_prepared(
      "position_insert", org.county_code, cadre.number, org.number, static_cast<int>(p.kind()),
      IsoDate(*ToCivilDay("", p.term_start())), term_end, from.seed, from.returnee);
  v1::Position created = PositionFromRow(r[0]);
  call.Audit(
      {.county_code = org.county_code, .resource = "positions/" + created.id(), .after = &created});
  return created;
}

namespace {

// Ends `current` and audits it.
v1::Position EndTerm(db::Tx& tx, CallContext& call, const v1::Position& current,
                     const google::type::Date& ended_on, v1::PositionEndReason reason,
                     const std::string& note) {
  ResourceId id = *ResourceId::Parse("", current.id());
  v1::Position ended = PositionFromRow(tx.exec_prepared("position_end", id.county_code, id.number,
                                                        IsoDate(*ToCivilDay("", ended_on)),
                                                        static_cast<int>(reason), note)[0]);
  call.Audit({.county_code = id.county_code,
              .resource = "positions/" + ended.id(),
              .before = &current,
              .after = &ended});
  return ended;
}

}  // namespace

std::vector<db::Statement> PositionStatements() {
  return {
      {"position_current",
       "SELECT kind, cadre_id FROM positions WHERE county_code = $1 AND party_org_id = $2 "
       "AND ended_on IS NULL"},
      {"position_insert",
       absl::StrCat(
           "INSERT INTO positions AS p (county_code, cadre_id, party_org_id, kind, term_start, "
           "term_end, seed_id, returnee_id) VALUES ($1, $2, $3, $4, $5::date, NULLIF($6, "
           "'')::date, "
           "NULLIF($7, 0), NULLIF($8, 0)) RETURNING ",
           kPositionCols)},
      // The organisation's region narrows the list to a township operator's scope.
      {"position_list",
       absl::StrCat(
           "SELECT ", kPositionCols,
           " FROM positions p WHERE p.county_code >= $1 AND p.county_code < ($1 || ':') "
           "AND EXISTS (SELECT 1 FROM party_orgs o WHERE o.county_code = p.county_code "
           "AND o.id = p.party_org_id AND o.region_code >= $2 AND o.region_code < ($2 || ':')) "
           "AND ($3 = 0 OR p.party_org_id = $3) AND ($4 = 0 OR p.cadre_id = $4) "
           "AND (NOT $5 OR p.ended_on IS NULL) AND (p.county_code, p.id) > ($6, $7) "
           "ORDER BY p.county_code, p.id LIMIT $8")},
      {"position_get",
       absl::StrCat("SELECT ", kPositionCols,
                    ", o.region_code AS scope_region FROM positions p JOIN party_orgs o "
                    "ON o.county_code = p.county_code AND o.id = p.party_org_id "
                    "WHERE p.county_code = $1 AND p.id = $2")},
      {"position_get_for_update",
       absl::StrCat("SELECT ", kPositionCols,
                    " FROM positions p WHERE p.county_code = $1 AND p.id = $2 "
                    "FOR UPDATE")},
      {"position_current_secretary",
       absl::StrCat(
           "SELECT ", kPositionCols,
           " FROM positions p WHERE p.county_code = $1 "
           "AND p.party_org_id = $2 AND p.ended_on IS NULL AND p.kind IN (1, 3) FOR UPDATE")},
      {"position_end",
       absl::StrCat("UPDATE positions AS p SET ended_on = $3::date, end_reason = $4, end_note = $5 "
                    "WHERE p.county_code = $1 AND p.id = $2 RETURNING ",
                    kPositionCols)},
      {"position_org_region",
       "SELECT o.region_code FROM party_orgs o WHERE o.county_code = $1 AND o.id = $2 FOR UPDATE"},
      // 动态调整: secretaries' terms ended by adjustment or an exit measure.
      {"adjustments_count",
       "SELECT p.county_code, count(*) FROM positions p JOIN party_orgs o "
       "ON o.county_code = p.county_code AND o.id = p.party_org_id "
       "WHERE p.county_code >= $1 AND p.county_code < ($1 || ':') AND o.region_code >= $2 AND "
       "o.region_code < ($2 || ':') "
       "AND p.ended_on >= make_date($3, 1, 1) AND p.ended_on < make_date($3 + 1, 1, 1) "
       "AND p.end_reason IN (3, 5) AND p.kind IN (1, 3) GROUP BY 1 ORDER BY 1"},
      // Village and community organisations with no current secretary, the
      // last secretary post (if any) and the village's reserve: approved
      // seeds, candidate returnees ($6: only villages with neither).
      {"vacancy_list",
       "SELECT * FROM (SELECT o.county_code, o.id, o.name, o.region_code, coalesce(l.id, 0), "
       "coalesce(l.ended_on::text, ''), coalesce(l.end_reason, 0), "
       "(SELECT count(*) FROM seeds s WHERE s.county_code = o.county_code "
       "AND s.village_code = o.region_code AND s.stage = 3)::int AS seeds, "
       "(SELECT count(*) FROM returnees r WHERE r.county_code = o.county_code "
       "AND r.village_code = o.region_code AND r.status = 1)::int AS returnees "
       "FROM party_orgs o LEFT JOIN LATERAL (SELECT p.id, p.ended_on, p.end_reason "
       "FROM positions p WHERE p.county_code = o.county_code AND p.party_org_id = o.id "
       "AND p.kind IN (1, 3) ORDER BY p.ended_on DESC NULLS FIRST, p.id DESC LIMIT 1) l ON true "
       "WHERE o.kind IN (1, 2) AND o.county_code >= $1 AND o.county_code < ($1 || ':') AND "
       "o.region_code >= $2 AND o.region_code < ($2 || ':') "
       "AND (l.id IS NULL OR l.ended_on IS NOT NULL) "
       "AND (o.county_code, o.id) > ($3, $4)) v "
       "WHERE NOT $6 OR (v.seeds = 0 AND v.returnees = 0) "
       "ORDER BY v.county_code, v.id LIMIT $5"},
  };
}

absl::StatusOr<v1::Position> PgPersonnelRepository::CreatePosition(
    CallContext& call, const v1::CreatePositionRequest& request, const ResourceId& cadre,
    const ResourceId& org) {
  return call.Mutate<v1::Position>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::Position> {
        // Locking the organisation serialises appointments to it.
        pqxx::result o = tx.exec_prepared("org_lock", org.county_code, org.number);
        if (o.empty())
          return NotFound("position.party_org_id", "party organisation", org.ToString());
        RETURN_IF_ERROR(call.principal().CheckWrite(o[0][1].as<std::string>()));
        return InsertPosition(tx, call, cadre, org,
                              static_cast<v1::PartyOrgKind>(o[0][0].as<int>()), request.position(),
                              Lineage{});
      });
}

absl::StatusOr<v1::Position> PgPersonnelRepository::EndPosition(
    CallContext& call, const v1::EndPositionRequest& request, const ResourceId& id) {
  return call.Mutate<v1::Position>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::Position> {
        pqxx::result r = tx.exec_prepared("position_get_for_update", id.county_code, id.number);
        if (r.empty()) return NotFound("id", "position", id.ToString());
        v1::Position current = PositionFromRow(r[0]);
        ResourceId org = *ResourceId::Parse("", current.party_org_id());
        pqxx::result o = tx.exec_prepared("position_org_region", org.county_code, org.number);
        RETURN_IF_ERROR(call.principal().CheckWrite(o[0][0].as<std::string>()));
        RETURN_IF_ERROR(
            ValidateEnd(current, request.ended_on(), request.reason(), call.clock().Today()));
        return EndTerm(tx, call, current, request.ended_on(), request.reason(), request.note());
      });
}

absl::StatusOr<v1::ReplaceSecretaryResponse> PgPersonnelRepository::ReplaceSecretary(
    CallContext& call, const v1::ReplaceSecretaryRequest& request, const ResourceId& org,
    const ResourceId& cadre) {
  return call.Mutate<v1::ReplaceSecretaryResponse>(
      request, request.request_id(),
      [&](db::Tx& tx) -> absl::StatusOr<v1::ReplaceSecretaryResponse> {
        pqxx::result o = tx.exec_prepared("org_lock", org.county_code, org.number);
        if (o.empty()) return NotFound("party_org_id", "party organisation", org.ToString());
        RETURN_IF_ERROR(call.principal().CheckWrite(o[0][1].as<std::string>()));
        pqxx::result cur =
            tx.exec_prepared("position_current_secretary", org.county_code, org.number);
        if (cur.empty()) {
          return WithReason(absl::FailedPreconditionError(
                                "the organisation has no current secretary: appoint one with "
                                "CreatePosition"),
                            "NO_CURRENT_SECRETARY");
        }
        v1::Position old = PositionFromRow(cur[0]);
        if (old.cadre_id() == cadre.ToString()) {
          return WithReason(absl::FailedPreconditionError("the new secretary is the current one"),
                            "SAME_CADRE");
        }
        v1::PositionEndReason reason = request.reason() == v1::POSITION_END_REASON_UNSPECIFIED
                                           ? v1::POSITION_END_REASON_ADJUSTMENT
                                           : request.reason();
        if (absl::Status s = ValidateEnd(old, request.effective_on(), reason, call.clock().Today());
            !s.ok()) {
          return FieldOf(s) == "ended_on" ? WithField(s, "effective_on") : s;
        }
        v1::ReplaceSecretaryResponse out;
        *out.mutable_ended() =
            EndTerm(tx, call, old, request.effective_on(), reason, request.note());
        v1::Position next;
        next.set_kind(request.kind() == v1::POSITION_KIND_UNSPECIFIED ? old.kind()
                                                                      : request.kind());
        *next.mutable_term_start() = request.effective_on();
        *next.mutable_term_end() = request.term_end();
        ASSIGN_OR_RETURN(
            *out.mutable_started(),
            InsertPosition(tx, call, cadre, org, static_cast<v1::PartyOrgKind>(o[0][0].as<int>()),
                           next, Lineage{}));
        return out;
      });
}

absl::StatusOr<std::vector<v1::CountyAdjustments>> PgPersonnelRepository::CountAdjustments(
    CallContext& call, const std::string& region_prefix, int year) {
  return call.Read<std::vector<v1::CountyAdjustments>>(
      [&](db::Tx& tx) -> absl::StatusOr<std::vector<v1::CountyAdjustments>> {
        std::vector<v1::CountyAdjustments> out;
        for (const auto& row : tx.exec_prepared("adjustments_count", CountyPrefix(region_prefix),
                                                region_prefix, year)) {
          v1::CountyAdjustments c;
          c.set_county_code(row[0].as<std::string>());
          c.set_adjustments(row[1].as<int64_t>());
          out.push_back(std::move(c));
        }
        return out;
      });
}

absl::StatusOr<PageOf<v1::Vacancy>> PgPersonnelRepository::ListVacancies(
    CallContext& call, const std::string& region_prefix, bool without_reserve,
    const paging::Page& page) {
  ASSIGN_OR_RETURN(Keyset after, Keyset::Parse(page.cursor));
  return call.Read<PageOf<v1::Vacancy>>([&](db::Tx& tx) -> absl::StatusOr<PageOf<v1::Vacancy>> {
    pqxx::result r = tx.exec_prepared("vacancy_list", CountyPrefix(region_prefix), region_prefix,
                                      after.county, after.id, page.size + 1, without_reserve);
    return KeysetPage(
        r, page.size,
        [](const pqxx::row& row) {
          v1::Vacancy v;
          const std::string county = row[0].as<std::string>();
          v.set_county_code(county);
          v.set_party_org_id(ResourceId{county, row[1].as<int64_t>()}.ToString());
          v.set_party_org_name(row[2].as<std::string>());
          v.set_region_code(row[3].as<std::string>());
          if (int64_t last = row[4].as<int64_t>()) {
            v.set_last_position_id(ResourceId{county, last}.ToString());
          }
          if (auto day = DateFromIso(row[5].as<std::string>())) *v.mutable_since() = *day;
          v.set_reason(static_cast<v1::PositionEndReason>(row[6].as<int>()));
          v.set_approved_seeds(row[7].as<int>());
          v.set_candidate_returnees(row[8].as<int>());
          return v;
        },
        &v1::Vacancy::party_org_id);
  });
}

absl::StatusOr<PageOf<v1::Position>> PgPersonnelRepository::ListPositions(
    CallContext& call, const PositionQuery& q, const paging::Page& page) {
  ASSIGN_OR_RETURN(Keyset after, Keyset::Parse(page.cursor));
  return call.Read<PageOf<v1::Position>>([&](db::Tx& tx) -> absl::StatusOr<PageOf<v1::Position>> {
    pqxx::result r = tx.exec_prepared("position_list", CountyPrefix(q.region_prefix),
                                      q.region_prefix, q.party_org, q.cadre, q.current_only,
                                      after.county, after.id, page.size + 1);
    return KeysetPage(r, page.size, PositionFromRow);
  });
}

absl::StatusOr<v1::Position> PgPersonnelRepository::GetPosition(CallContext& call,
                                                                const ResourceId& id) {
  return ReadRow(call, "position_get", "position", id, PositionFromRow, "scope_region");
}

}  // namespace touyan::personnel
