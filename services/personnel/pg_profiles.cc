// PgPersonnelRepository: evaluations and profiles (精准画像), the candidate
// search, and the good-secretary selection with its quotas.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/ids/region.h"
#include "common/status/status.h"
#include "common/time/date.h"
#include "services/personnel/domain/profile.h"
#include "services/personnel/pg_personnel_repository.h"

namespace touyan::personnel {
namespace {

// The Party organisation where the nomination's cadre is secretary now.
#define TOUYAN_SECRETARY_ORG_NOW(n)                                 \
  "SELECT p.party_org_id FROM positions p WHERE p.county_code = " n \
  ".county_code AND "                                               \
  "p.cadre_id = " n ".cadre_id AND p.ended_on IS NULL AND p.kind IN (1, 3) LIMIT 1"

// A confirmed nomination reads establishment status and organisation as
// they stood at confirmation (the care award's facts); an open one, as now.
constexpr char kNominationCols[] =
    "n.county_code, n.id, n.round_county, n.year, n.cadre_id, n.reason, n.status, n.nominated_by, "
    "n.confirmed_by, " TOUYAN_MICROS("n.create_time") ", coalesce(" TOUYAN_MICROS("n.confirm_time")
    ", 0), c.name, CASE WHEN n.status = 2 THEN coalesce(n.confirmed_establishment, "
    "c.establishment) ELSE c.establishment END, CASE WHEN n.status = 2 THEN coalesce(n.confirmed_party_org, 0) ELSE coalesce(" 
    "(" TOUYAN_SECRETARY_ORG_NOW("n") "), 0) END, c.region_code, " TOUYAN_ETAG("n") ", "
    "n.withdraw_reason, n.withdrawn_by, coalesce(" TOUYAN_MICROS("n.withdraw_time") ", 0)";
constexpr char kNominationFrom[] =
    " FROM nominations n JOIN cadres c ON c.county_code = n.county_code AND c.id = n.cadre_id ";

v1::Nomination NominationFromRow(const pqxx::row& r) {
  v1::Nomination n;
  std::string county = r[0].as<std::string>();
  n.set_county_code(county);
  n.set_id(ResourceId{county, r[1].as<int64_t>()}.ToString());
  n.set_year(r[3].as<int>());
  n.set_round_id(absl::StrCat(r[2].as<std::string>(), "-", n.year()));
  n.set_cadre_id(ResourceId{county, r[4].as<int64_t>()}.ToString());
  n.set_reason(r[5].as<std::string>());
  n.set_status(static_cast<v1::NominationStatus>(r[6].as<int>()));
  n.set_nominated_by(r[7].as<std::string>());
  n.set_confirmed_by(r[8].as<std::string>());
  *n.mutable_create_time() = TimestampFromMicros(r[9].as<int64_t>());
  if (int64_t t = r[10].as<int64_t>()) *n.mutable_confirm_time() = TimestampFromMicros(t);
  n.set_cadre_name(r[11].as<std::string>());
  n.set_establishment(static_cast<v1::EstablishmentStatus>(r[12].as<int>()));
  if (int64_t org = r[13].as<int64_t>()) n.set_party_org_id(ResourceId{county, org}.ToString());
  n.set_etag(r[15].as<std::string>());
  n.set_withdraw_reason(r[16].as<std::string>());
  n.set_withdrawn_by(r[17].as<std::string>());
  if (int64_t t = r[18].as<int64_t>()) *n.mutable_withdraw_time() = TimestampFromMicros(t);
  return n;
}

v1::Evaluation EvaluationFromRow(const pqxx::row& r) {
  v1::Evaluation e;
  const std::string county = r[0].as<std::string>();
  e.set_county_code(county);
  e.set_id(ResourceId{county, r[1].as<int64_t>()}.ToString());
  e.set_cadre_id(ResourceId{county, r[2].as<int64_t>()}.ToString());
  e.set_criterion(static_cast<v1::Criterion>(r[3].as<int>()));
  e.set_score(r[4].as<int>());
  e.set_evaluator(r[5].as<std::string>());
  if (auto day = DateFromIso(r[6].as<std::string>())) *e.mutable_evaluated_on() = *day;
  e.set_evidence(r[7].as<std::string>());
  *e.mutable_create_time() = TimestampFromMicros(r[8].as<int64_t>());
  return e;
}

// The selection round (county, year) of a "round_get"-shaped row, with its
// quotas and confirmed counts.
v1::SelectionRound RoundFromRows(db::Tx& tx, const std::string& city, int64_t year,
                                 const pqxx::row& r) {
  v1::SelectionRound out;
  out.set_id(absl::StrCat(city, "-", year));
  out.set_year(static_cast<int32_t>(year));
  out.set_region_code(r["region_code"].as<std::string>());
  out.set_total_quota(r["total_quota"].as<int>());
  *out.mutable_create_time() = TimestampFromMicros(r["create_micros"].as<int64_t>());
  // Confirmed counts reflect what the caller's scope may see.
  for (const auto& row : tx.exec_prepared("round_quotas", city, year)) {
    auto* q = out.add_quotas();
    q->set_county_code(row[0].as<std::string>());
    q->set_quota(row[1].as<int>());
    q->set_confirmed(row[2].as<int>());
    out.set_confirmed(out.confirmed() + q->confirmed());
  }
  return out;
}

std::string IntList(const Thresholds& t) { return absl::StrCat("{", absl::StrJoin(t, ","), "}"); }

Thresholds LoadThresholds(db::Tx& tx, int year) {
  Thresholds t = DefaultThresholds();
  for (const auto& row : tx.exec_prepared("thresholds_get", year)) {
    t[row[0].as<int>() - 1] = row[1].as<int>();
  }
  return t;
}

// The cadre's profile for `year`; NOT_FOUND naming `field` if no such cadre.
absl::StatusOr<v1::Profile> LoadProfile(db::Tx& tx, CallContext& call, const ResourceId& cadre,
                                        int year, absl::string_view field) {
  pqxx::result c = tx.exec_prepared("cadre_birth", cadre.county_code, cadre.number);
  if (c.empty()) return NotFound(field, "cadre", cadre.ToString());
  RETURN_IF_ERROR(call.principal().CheckCovers(c[0][1].as<std::string>()));
  std::array<Tally, kCriteria> tallies{};
  for (const auto& row :
       tx.exec_prepared("evaluation_tallies", cadre.county_code, cadre.number, year)) {
    tallies[row[0].as<int>() - 1] = Tally{row[1].as<int64_t>(), row[2].as<int64_t>()};
  }
  return ComputeProfile(cadre.ToString(), year, tallies, LoadThresholds(tx, year));
}

absl::Status RoundMissing(const std::string& id) {
  return NotFound("round_id", "selection round", id);
}

}  // namespace

std::vector<db::Statement> ProfileStatements() {
  return {
      {"evaluation_insert",
       "INSERT INTO evaluations (county_code, cadre_id, criterion, score, evaluator, evaluated_on, "
       "evidence) VALUES ($1, $2, $3, $4, $5, $6::date, $7) RETURNING id, " TOUYAN_MICROS(
           "create_time")},
      {"evaluation_tallies",
       "SELECT criterion, count(*), sum(score) FROM evaluations WHERE county_code = $1 "
       "AND cadre_id = $2 AND year = $3 GROUP BY criterion"},
      {"thresholds_get", "SELECT criterion, min_score FROM profile_thresholds WHERE year = $1"},
      {"thresholds_upsert",
       "INSERT INTO profile_thresholds (year, criterion, min_score) SELECT $1, c, m "
       "FROM unnest($2::smallint[], $3::smallint[]) AS t(c, m) "
       "ON CONFLICT (year, criterion) DO UPDATE SET min_score = EXCLUDED.min_score"},
      {"cadre_search",
       "SELECT " + CadreSelectColumns() +
           " FROM cadres c WHERE c.county_code >= $1 AND c.county_code < ($1 || ':') AND "
           "c.region_code >= $2 AND c.region_code < ($2 || ':') "
           "AND ($3 = 0 OR c.birth_date > $4::date) AND c.education >= $5 "
           "AND (cardinality($6::smallint[]) = 0 OR EXISTS (SELECT 1 FROM positions p "
           "WHERE p.county_code = c.county_code AND p.cadre_id = c.id AND p.ended_on IS NULL "
           "AND p.kind = ANY($6::smallint[]))) "
           "AND (NOT $7 OR (SELECT count(*) FROM (SELECT e.criterion, count(*) AS n, "
           "sum(e.score) AS s FROM evaluations e WHERE e.county_code = c.county_code "
           "AND e.cadre_id = c.id AND e.year = $8 GROUP BY e.criterion) t "
           "WHERE t.s >= ($9::int[])[t.criterion] * t.n) = 5) "
           "AND (c.county_code, c.id) > ($10, $11) ORDER BY c.county_code, c.id LIMIT $12"},
      {"round_insert",
       "INSERT INTO selection_rounds (county_code, year, region_code, total_quota) "
       "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING " TOUYAN_MICROS("create_time")},
      {"quota_insert",
       "INSERT INTO selection_quotas (round_county, year, county_code, quota) "
       "SELECT $1, $2, q, n FROM unnest($3::text[], $4::int[]) AS t(q, n)"},
      {"round_get", "SELECT region_code, total_quota, " TOUYAN_MICROS(
                        "create_time") " AS create_micros FROM selection_rounds "
                                       "WHERE county_code = $1 AND year = $2"},
      {"round_list", "SELECT county_code, year, region_code, total_quota, " TOUYAN_MICROS(
                         "create_time") " AS create_micros FROM selection_rounds "
                                        "WHERE ($1 = '' OR county_code = $1) AND ($2 = 0 OR year "
                                        "= $2) AND (county_code, year) > ($3, $4) "
                                        "ORDER BY county_code, year LIMIT $5"},
      {"evaluation_list",
       "SELECT e.county_code, e.id, e.cadre_id, e.criterion, e.score, e.evaluator, "
       "e.evaluated_on::text, e.evidence, " TOUYAN_MICROS(
           "e.create_time") " FROM evaluations e WHERE e.county_code = $1 AND e.cadre_id = $2 "
                            "AND ($3 = 0 OR e.year = $3) AND e.id > $4 ORDER BY e.id LIMIT $5"},
      {"evaluation_get",
       "SELECT e.county_code, e.id, e.cadre_id, e.criterion, e.score, e.evaluator, "
       "e.evaluated_on::text, e.evidence, " TOUYAN_MICROS(
           "e.create_time") ", c.region_code AS scope_region FROM evaluations e JOIN cadres c "
                            "ON c.county_code = e.county_code AND c.id = e.cadre_id "
                            "WHERE e.county_code = $1 AND e.id = $2"},
      {"round_lock",
       "SELECT total_quota FROM selection_rounds WHERE county_code = $1 AND year = $2 FOR UPDATE"},
      {"round_quotas",
       "SELECT q.county_code, q.quota, (SELECT count(*) FROM nominations n WHERE n.round_county = "
       "q.round_county AND n.year = q.year AND n.county_code = q.county_code AND n.status = 2) "
       "FROM selection_quotas q WHERE q.round_county = $1 AND q.year = $2 ORDER BY q.county_code"},
      {"round_confirmed",
       "SELECT count(*) FROM nominations WHERE round_county = $1 AND year = $2 AND status = 2"},
      {"round_county_confirmed",
       "SELECT (SELECT quota FROM selection_quotas WHERE round_county = $1 AND year = $2 "
       "AND county_code = $3), count(*) FROM nominations WHERE round_county = $1 AND year = $2 "
       "AND county_code = $3 AND status = 2"},
      {"cadre_secretary_now",
       "SELECT 1 FROM positions WHERE county_code = $1 AND cadre_id = $2 AND ended_on IS NULL "
       "AND kind IN (1, 3)"},
      {"nomination_insert",
       "INSERT INTO nominations (county_code, round_county, year, cadre_id, reason, status, "
       "nominated_by) VALUES ($1, $2, $3, $4, $5, 1, $6) "
       // A withdrawn nomination opens anew; any other is already there.
       "ON CONFLICT (county_code, year, cadre_id) DO UPDATE SET status = 1, reason = "
       "EXCLUDED.reason, nominated_by = EXCLUDED.nominated_by, create_time = now(), "
       "confirmed_by = '', confirm_time = NULL, withdraw_reason = '', withdrawn_by = '', "
       "withdraw_time = NULL WHERE nominations.status = 3 RETURNING id"},
      {"nomination_get", absl::StrCat("SELECT ", kNominationCols, kNominationFrom,
                                      "WHERE n.county_code = $1 AND n.id = $2")},
      {"nomination_lock",
       "SELECT round_county, year, status FROM nominations WHERE county_code = $1 AND id = $2 FOR "
       "UPDATE"},
      {"nomination_confirm",
       "UPDATE nominations n SET status = 2, confirmed_by = $3, confirm_time = now(), "
       "confirmed_establishment = c.establishment, confirmed_party_org = "
       "(" TOUYAN_SECRETARY_ORG_NOW(
           "n") ") FROM cadres c "
                "WHERE n.county_code = $1 AND n.id = $2 AND c.county_code = n.county_code "
                "AND c.id = n.cadre_id"},
      {"nomination_withdraw",
       "UPDATE nominations SET status = 3, withdraw_reason = $3, withdrawn_by = $4, "
       "withdraw_time = now() WHERE county_code = $1 AND id = $2"},
      {"nomination_list",
       absl::StrCat("SELECT ", kNominationCols, kNominationFrom,
                    "WHERE n.county_code >= $1 AND n.county_code < ($1 || ':') AND c.region_code "
                    ">= $2 AND c.region_code < ($2 || ':') AND n.year = $3 "
                    "AND ($4 = 0 OR n.status = $4) AND (n.county_code, n.id) > ($5, $6) "
                    "ORDER BY n.county_code, n.id LIMIT $7")},
  };
}

// ---------------------------------------------------------------- profiles

absl::StatusOr<v1::Evaluation> PgPersonnelRepository::RecordEvaluation(
    CallContext& call, const v1::RecordEvaluationRequest& request, const ResourceId& cadre) {
  return call.Mutate<v1::Evaluation>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::Evaluation> {
        pqxx::result c = tx.exec_prepared("cadre_birth", cadre.county_code, cadre.number);
        if (c.empty()) return NotFound("evaluation.cadre_id", "cadre", cadre.ToString());
        RETURN_IF_ERROR(call.principal().CheckWrite(c[0][1].as<std::string>()));
        const v1::Evaluation& e = request.evaluation();
        pqxx::result r = tx.exec_prepared("evaluation_insert", cadre.county_code, cadre.number,
                                          static_cast<int>(e.criterion()), e.score(), e.evaluator(),
                                          IsoDate(*ToCivilDay("", e.evaluated_on())), e.evidence());
        v1::Evaluation out = e;
        out.set_id(ResourceId{cadre.county_code, r[0][0].as<int64_t>()}.ToString());
        out.set_county_code(cadre.county_code);
        *out.mutable_create_time() = TimestampFromMicros(r[0][1].as<int64_t>());
        call.Audit({.county_code = cadre.county_code,
                    .resource = "evaluations/" + out.id(),
                    .after = &out});
        return out;
      });
}

absl::StatusOr<v1::ProfileThresholds> PgPersonnelRepository::GetProfileThresholds(CallContext& call,
                                                                                  int year) {
  return call.Read<v1::ProfileThresholds>([&](db::Tx& tx) -> absl::StatusOr<v1::ProfileThresholds> {
    Thresholds t = LoadThresholds(tx, year);
    v1::ProfileThresholds out;
    out.set_year(year);
    for (int i = 0; i < kCriteria; ++i) {
      auto* c = out.add_thresholds();
      c->set_criterion(static_cast<v1::Criterion>(i + 1));
      c->set_min_score(t[i]);
    }
    return out;
  });
}

absl::StatusOr<v1::ProfileThresholds> PgPersonnelRepository::SetProfileThresholds(
    CallContext& call, const v1::SetProfileThresholdsRequest& request) {
  return call.Mutate<v1::ProfileThresholds>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::ProfileThresholds> {
        Thresholds t = ToThresholds(request.thresholds());
        tx.exec_prepared("thresholds_upsert", request.thresholds().year(), "{1,2,3,4,5}",
                         IntList(t));
        call.Audit({.county_code = call.principal().scope.substr(0, 6),
                    .resource = absl::StrCat("profile-thresholds/", request.thresholds().year()),
                    .after = &request.thresholds()});
        return request.thresholds();
      });
}

absl::StatusOr<v1::Profile> PgPersonnelRepository::GetProfile(CallContext& call,
                                                              const ResourceId& cadre, int year) {
  return call.Read<v1::Profile>(
      [&](db::Tx& tx) { return LoadProfile(tx, call, cadre, year, "cadre_id"); });
}

absl::StatusOr<PageOf<v1::Cadre>> PgPersonnelRepository::SearchCadres(CallContext& call,
                                                                      const CadreSearch& q,
                                                                      const paging::Page& page) {
  ASSIGN_OR_RETURN(Keyset after, Keyset::Parse(page.cursor));
  return call.Read<PageOf<v1::Cadre>>([&](db::Tx& tx) -> absl::StatusOr<PageOf<v1::Cadre>> {
    // "At most max_age years old today": born after today minus (max_age + 1) years.
    absl::CivilDay today = call.clock().Today();
    absl::CivilDay born_after(today.year() - q.max_age - 1, today.month(), today.day());
    Thresholds t = LoadThresholds(tx, q.profile_year);
    pqxx::result r = tx.exec_prepared(
        "cadre_search", CountyPrefix(q.region_prefix), q.region_prefix, q.max_age,
        IsoDate(born_after), q.min_education, IntArray(q.position_kinds), q.all_conditions_met,
        q.profile_year, IntList(t), after.county, after.id, page.size + 1);
    return KeysetPage(r, page.size,
                      [&](const pqxx::row& row) { return CadreFromRow(row, *call.keys()); });
  });
}

// ------------------------------------------------------ good secretaries

absl::StatusOr<v1::SelectionRound> PgPersonnelRepository::CreateSelectionRound(
    CallContext& call, const v1::CreateSelectionRoundRequest& request) {
  return call.Mutate<v1::SelectionRound>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::SelectionRound> {
        const v1::SelectionRound& round = request.round();
        const std::string city = round.region_code().substr(0, 6);
        pqxx::result r;
        try {
          r = tx.exec_prepared("round_insert", city, round.year(), round.region_code(),
                               round.total_quota());
        } catch (const pqxx::foreign_key_violation&) {
          return NotFound("round.region_code", "region", round.region_code());
        }
        if (r.empty()) {
          return WithReason(absl::AlreadyExistsError(absl::StrCat("the selection round ", city, "-",
                                                                  round.year(), " exists")),
                            "ROUND_EXISTS");
        }
        std::vector<std::string> counties;
        std::vector<int> quotas;
        for (const auto& q : round.quotas()) {
          counties.push_back(q.county_code());
          quotas.push_back(q.quota());
        }
        tx.exec_prepared("quota_insert", city, round.year(),
                         absl::StrCat("{", absl::StrJoin(counties, ","), "}"), IntArray(quotas));
        v1::SelectionRound out = round;
        out.set_id(absl::StrCat(city, "-", round.year()));
        *out.mutable_create_time() = TimestampFromMicros(r[0][0].as<int64_t>());
        call.Audit(
            {.county_code = city, .resource = "selection-rounds/" + out.id(), .after = &out});
        return out;
      });
}

absl::StatusOr<v1::SelectionRound> PgPersonnelRepository::GetSelectionRound(CallContext& call,
                                                                            const ResourceId& id) {
  return call.Read<v1::SelectionRound>([&](db::Tx& tx) -> absl::StatusOr<v1::SelectionRound> {
    pqxx::result r = tx.exec_prepared("round_get", id.county_code, id.number);
    if (r.empty())
      return NotFound("id", "selection round", absl::StrCat(id.county_code, "-", id.number));
    return RoundFromRows(tx, id.county_code, id.number, r[0]);
  });
}

absl::StatusOr<v1::Nomination> PgPersonnelRepository::NominateGoodSecretary(
    CallContext& call, const v1::NominateGoodSecretaryRequest& request, const ResourceId& round,
    const ResourceId& cadre) {
  return call.Mutate<v1::Nomination>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::Nomination> {
        if (tx.exec_prepared("round_get", round.county_code, round.number).empty()) {
          return RoundMissing(request.round_id());
        }
        ASSIGN_OR_RETURN(v1::Profile profile,
                         LoadProfile(tx, call, cadre, static_cast<int>(round.number), "cadre_id"));
        if (tx.exec_prepared("cadre_secretary_now", cadre.county_code, cadre.number).empty()) {
          return WithReason(
              absl::FailedPreconditionError("the nominee must be a current Party branch secretary"),
              "NOT_A_SECRETARY");
        }
        RETURN_IF_ERROR(CheckAllConditionsMet(profile));
        pqxx::result r = tx.exec_prepared("nomination_insert", cadre.county_code, round.county_code,
                                          static_cast<int>(round.number), cadre.number,
                                          request.reason(), call.principal().subject);
        if (r.empty()) {
          return WithReason(absl::AlreadyExistsError("the cadre is already nominated this year"),
                            "ALREADY_NOMINATED");
        }
        v1::Nomination n = NominationFromRow(
            tx.exec_prepared("nomination_get", cadre.county_code, r[0][0].as<int64_t>())[0]);
        call.Audit(
            {.county_code = cadre.county_code, .resource = "nominations/" + n.id(), .after = &n});
        return n;
      });
}

absl::StatusOr<v1::Nomination> PgPersonnelRepository::ConfirmGoodSecretary(
    CallContext& call, const v1::ConfirmGoodSecretaryRequest& request, const ResourceId& id) {
  return call.Mutate<v1::Nomination>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::Nomination> {
        pqxx::result n = tx.exec_prepared("nomination_lock", id.county_code, id.number);
        if (n.empty()) return NotFound("id", "nomination", id.ToString());
        const std::string round_county = n[0][0].as<std::string>();
        const int year = n[0][1].as<int>();
        const v1::Nomination before =
            NominationFromRow(tx.exec_prepared("nomination_get", id.county_code, id.number)[0]);
        if (before.status() == v1::NOMINATION_STATUS_CONFIRMED) return before;
        if (before.status() == v1::NOMINATION_STATUS_WITHDRAWN) {
          return WithField(WithReason(absl::FailedPreconditionError(
                                          absl::StrCat("nomination ", before.id(),
                                                       " was withdrawn: nominate the cadre again")),
                                      "WITHDRAWN"),
                           "id");
        }
        // The round's row serialises confirmations, so quotas hold under concurrency.
        pqxx::result round = tx.exec_prepared("round_lock", round_county, year);
        const int total_quota = round[0][0].as<int>();
        const int total = tx.exec_prepared("round_confirmed", round_county, year)[0][0].as<int>();
        pqxx::result county =
            tx.exec_prepared("round_county_confirmed", round_county, year, id.county_code);
        const int quota = county[0][0].is_null() ? 0 : county[0][0].as<int>();
        RETURN_IF_ERROR(
            CheckQuota(id.county_code, quota, county[0][1].as<int>(), total_quota, total));
        tx.exec_prepared("nomination_confirm", id.county_code, id.number, call.principal().subject);
        v1::Nomination after =
            NominationFromRow(tx.exec_prepared("nomination_get", id.county_code, id.number)[0]);
        call.Audit({.county_code = id.county_code,
                    .resource = "nominations/" + after.id(),
                    .before = &before,
                    .after = &after});
        return after;
      });
}

absl::StatusOr<v1::Nomination> PgPersonnelRepository::GetNomination(CallContext& call,
                                                                    const ResourceId& id) {
  return call.Read<v1::Nomination>([&](db::Tx& tx) -> absl::StatusOr<v1::Nomination> {
    pqxx::result r = tx.exec_prepared("nomination_get", id.county_code, id.number);
    if (r.empty()) return NotFound("id", "nomination", id.ToString());
    RETURN_IF_ERROR(WithField(call.principal().CheckCovers(r[0][14].as<std::string>()), "id"));
    return NominationFromRow(r[0]);
  });
}

absl::StatusOr<v1::Nomination> PgPersonnelRepository::WithdrawGoodSecretary(
    CallContext& call, const v1::WithdrawGoodSecretaryRequest& request, const ResourceId& id) {
  return call.Mutate<v1::Nomination>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::Nomination> {
        if (tx.exec_prepared("nomination_lock", id.county_code, id.number).empty()) {
          return NotFound("id", "nomination", id.ToString());
        }
        const pqxx::row row = tx.exec_prepared("nomination_get", id.county_code, id.number)[0];
        RETURN_IF_ERROR(
            WithField(call.principal().CheckWrite(row[14].as<std::string>()), "id"));  // township
        const v1::Nomination before = NominationFromRow(row);
        if (before.status() == v1::NOMINATION_STATUS_CONFIRMED) {
          if (call.principal().role != auth::Role::kCityOrgDept) {
            return WithReason(absl::PermissionDeniedError(
                                  "a confirmed good secretary is withdrawn by the city, which "
                                  "confirmed them"),
                              "ROLE_NOT_ALLOWED");
          }
        }
        RETURN_IF_ERROR(CheckEtag(request.etag(), before.etag(), "nomination", before.id()));
        if (before.status() == v1::NOMINATION_STATUS_WITHDRAWN) return before;
        tx.exec_prepared("nomination_withdraw", id.county_code, id.number, request.reason(),
                         call.principal().subject);
        v1::Nomination after =
            NominationFromRow(tx.exec_prepared("nomination_get", id.county_code, id.number)[0]);
        call.Audit({.county_code = id.county_code,
                    .resource = "nominations/" + after.id(),
                    .before = &before,
                    .after = &after});
        return after;
      });
}

absl::StatusOr<PageOf<v1::Nomination>> PgPersonnelRepository::ListGoodSecretaries(
    CallContext& call, const std::string& region_prefix, int year, int status,
    const paging::Page& page) {
  ASSIGN_OR_RETURN(Keyset after, Keyset::Parse(page.cursor));
  return call.Read<PageOf<v1::Nomination>>(
      [&](db::Tx& tx) -> absl::StatusOr<PageOf<v1::Nomination>> {
        pqxx::result r =
            tx.exec_prepared("nomination_list", CountyPrefix(region_prefix), region_prefix, year,
                             status, after.county, after.id, page.size + 1);
        return KeysetPage(r, page.size, NominationFromRow);
      });
}

absl::StatusOr<v1::Evaluation> PgPersonnelRepository::GetEvaluation(CallContext& call,
                                                                    const ResourceId& id) {
  return ReadRow(call, "evaluation_get", "evaluation", id, EvaluationFromRow, "scope_region");
}

absl::StatusOr<PageOf<v1::SelectionRound>> PgPersonnelRepository::ListSelectionRounds(
    CallContext& call, const std::string& city, int year, const paging::Page& page) {
  ASSIGN_OR_RETURN(Keyset after, Keyset::Parse(page.cursor));
  return call.Read<PageOf<v1::SelectionRound>>(
      [&](db::Tx& tx) -> absl::StatusOr<PageOf<v1::SelectionRound>> {
        pqxx::result r =
            tx.exec_prepared("round_list", city, year, after.county, after.id, page.size + 1);
        return KeysetPage(r, page.size, [&](const pqxx::row& row) {
          return RoundFromRows(tx, row[0].as<std::string>(), row[1].as<int64_t>(), row);
        });
      });
}

absl::StatusOr<PageOf<v1::Evaluation>> PgPersonnelRepository::ListEvaluations(
    CallContext& call, const ResourceId& cadre, int year, const paging::Page& page) {
  ASSIGN_OR_RETURN(Keyset after, Keyset::Parse(page.cursor));
  return call.Read<PageOf<v1::Evaluation>>(
      [&](db::Tx& tx) -> absl::StatusOr<PageOf<v1::Evaluation>> {
        pqxx::result c = tx.exec_prepared("cadre_birth", cadre.county_code, cadre.number);
        if (c.empty()) return NotFound("cadre_id", "cadre", cadre.ToString());
        RETURN_IF_ERROR(
            WithField(call.principal().CheckCovers(c[0][1].as<std::string>()), "cadre_id"));
        return KeysetPage(tx.exec_prepared("evaluation_list", cadre.county_code, cadre.number, year,
                                           after.id, page.size + 1),
                          page.size, EvaluationFromRow);
      });
}

}  // namespace touyan::personnel
