#include "services/contest/pg_contest_repository.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/ids/region.h"
#include "common/status/status.h"
#include "common/time/date.h"
#include "google/protobuf/util/json_util.h"
#include "services/contest/domain/rounds.h"
#include "services/contest/domain/rules.h"
#include "services/contest/domain/tabulation.h"

namespace touyan::contest {
namespace {

constexpr char kContestCols[] =
    "county_code, id, level, region_code, year, title, array_to_string(fields, ','), " TOUYAN_MICROS("create_time");
constexpr char kRoundCols[] =
    "r.county_code, r.id, r.contest_id, r.number, r.name, r.state, r.aggregation, r.rubric::text, "
    "r.rubric_locked, r.advance_top_n, r.advance_top_share, r.star_bands::text, r.digest, "
    TOUYAN_MICROS("r.create_time") ", r.appeal_window_days, coalesce(" TOUYAN_MICROS("r.close_time") ", 0)";
constexpr char kEntryCols[] =
    "county_code, id, round_id, cadre_id, cadre_name, village_code, report::text, state, panel, "
    TOUYAN_MICROS("create_time") ", party_org_id, reopened";
constexpr char kJudgeCols[] =
    "county_code, id, round_id, name, panel, cadre_id, region_code, " TOUYAN_MICROS("create_time") ", party_org_id";

std::string Json(const google::protobuf::Message& m) {
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(m, &out);
  return out;
}

v1::Contest ContestFromRow(const pqxx::row& r) {
  v1::Contest c;
  c.set_county_code(r[0].as<std::string>());
  c.set_id(ResourceId{c.county_code(), r[1].as<int64_t>()}.ToString());
  c.set_level(static_cast<v1::Level>(r[2].as<int>()));
  c.set_region_code(r[3].as<std::string>());
  c.set_year(r[4].as<int>());
  c.set_title(r[5].as<std::string>());
  for (absl::string_view f : absl::StrSplit(r[6].as<std::string>(), ',', absl::SkipEmpty())) {
    int v = 0;
    if (absl::SimpleAtoi(f, &v)) c.add_fields(static_cast<v1::Field>(v));
  }
  *c.mutable_create_time() = TimestampFromMicros(r[7].as<int64_t>());
  return c;
}

absl::StatusOr<v1::Round> RoundFromRow(const pqxx::row& r) {
  v1::Round x;
  const std::string county = r[0].as<std::string>();
  x.set_id(ResourceId{county, r[1].as<int64_t>()}.ToString());
  x.set_contest_id(ResourceId{county, r[2].as<int64_t>()}.ToString());
  x.set_number(r[3].as<int>());
  x.set_name(r[4].as<std::string>());
  x.set_state(static_cast<v1::RoundState>(r[5].as<int>()));
  x.set_aggregation(static_cast<v1::Aggregation>(r[6].as<int>()));
  RETURN_IF_ERROR(MergeFromJson(r[7].as<std::string>(), x));
  x.set_rubric_locked(r[8].as<bool>());
  x.set_advance_top_n(r[9].as<int>());
  x.set_advance_top_share(r[10].as<double>());
  RETURN_IF_ERROR(MergeFromJson(r[11].as<std::string>(), x));
  x.set_results_digest(r[12].as<std::string>());
  *x.mutable_create_time() = TimestampFromMicros(r[13].as<int64_t>());
  x.set_appeal_window_days(r[14].as<int>());
  if (int64_t closed = r[15].as<int64_t>(); closed != 0) *x.mutable_close_time() = TimestampFromMicros(closed);
  return x;
}

absl::StatusOr<v1::Entry> EntryFromRow(const pqxx::row& r) {
  v1::Entry e;
  const std::string county = r[0].as<std::string>();
  e.set_id(ResourceId{county, r[1].as<int64_t>()}.ToString());
  e.set_round_id(ResourceId{county, r[2].as<int64_t>()}.ToString());
  e.set_cadre_id(r[3].as<std::string>());
  e.set_cadre_name(r[4].as<std::string>());
  e.set_village_code(r[5].as<std::string>());
  RETURN_IF_ERROR(MergeFromJson(absl::StrCat("{\"report\":", r[6].as<std::string>(), "}"), e));
  e.set_state(static_cast<v1::EntryState>(r[7].as<int>()));
  e.set_panel(r[8].as<std::string>());
  *e.mutable_create_time() = TimestampFromMicros(r[9].as<int64_t>());
  e.set_party_org_id(r[10].as<std::string>());
  e.set_reopened(r[11].as<bool>());
  return e;
}

v1::Judge JudgeFromRow(const pqxx::row& r) {
  v1::Judge j;
  const std::string county = r[0].as<std::string>();
  j.set_id(ResourceId{county, r[1].as<int64_t>()}.ToString());
  j.set_round_id(ResourceId{county, r[2].as<int64_t>()}.ToString());
  j.set_name(r[3].as<std::string>());
  j.set_panel(r[4].as<std::string>());
  j.set_cadre_id(r[5].as<std::string>());
  j.set_region_code(r[6].as<std::string>());
  *j.mutable_create_time() = TimestampFromMicros(r[7].as<int64_t>());
  j.set_party_org_id(r[8].as<std::string>());
  return j;
}

// The round's rubric and star bands as stored (JSON of a Round holding them).
std::string RubricJson(const v1::Round& r) {
  v1::Round only;
  *only.mutable_rubric() = r.rubric();
  return Json(only);
}
// The star bands and the per-panel switch (the rest of the round's rules).
std::string BandsJson(const v1::Round& r) {
  v1::Round only;
  *only.mutable_star_bands() = r.star_bands();
  only.set_advance_by_panel(r.advance_by_panel());
  return Json(only);
}

absl::StatusOr<v1::Round> LoadRound(db::Tx& tx, const ResourceId& id, bool lock, absl::string_view field) {
  pqxx::result r = tx.exec_prepared(lock ? "round_lock" : "round_get", id.county_code, id.number);
  if (r.empty()) return NotFound(field, "round", id.ToString());
  return RoundFromRow(r[0]);
}

absl::StatusOr<v1::Entry> LoadEntry(db::Tx& tx, const ResourceId& id, bool lock, absl::string_view field) {
  pqxx::result r = tx.exec_prepared(lock ? "entry_lock" : "entry_get", id.county_code, id.number);
  if (r.empty()) return NotFound(field, "entry", id.ToString());
  return EntryFromRow(r[0]);
}

constexpr char kAppealCols[] =
    "county_code, id, entry_id, reason, state, decision_note, " TOUYAN_MICROS("file_time");
constexpr char kOutcomeCols[] =
    "o.county_code, o.id, o.round_id, o.entry_id, e.cadre_id, e.cadre_name, e.party_org_id, o.kind, o.rank, "
    "o.year, o.designation_id";

v1::Appeal AppealFromRow(const pqxx::row& r) {
  v1::Appeal a;
  const std::string county = r[0].as<std::string>();
  a.set_id(ResourceId{county, r[1].as<int64_t>()}.ToString());
  a.set_entry_id(ResourceId{county, r[2].as<int64_t>()}.ToString());
  a.set_reason(r[3].as<std::string>());
  a.set_state(static_cast<v1::AppealState>(r[4].as<int>()));
  a.set_decision_note(r[5].as<std::string>());
  *a.mutable_file_time() = TimestampFromMicros(r[6].as<int64_t>());
  return a;
}

v1::Outcome OutcomeFromRow(const pqxx::row& r) {
  v1::Outcome o;
  const std::string county = r[0].as<std::string>();
  o.set_id(ResourceId{county, r[1].as<int64_t>()}.ToString());
  o.set_round_id(ResourceId{county, r[2].as<int64_t>()}.ToString());
  o.set_entry_id(ResourceId{county, r[3].as<int64_t>()}.ToString());
  o.set_cadre_id(r[4].as<std::string>());
  o.set_cadre_name(r[5].as<std::string>());
  o.set_party_org_id(r[6].as<std::string>());
  o.set_kind(static_cast<v1::OutcomeKind>(r[7].as<int>()));
  o.set_rank(r[8].as<int>());
  o.set_year(r[9].as<int>());
  o.set_designation_id(r[10].as<std::string>());
  return o;
}

// The caller may change the round: its contest's region lies in the
// caller's writable scope (a township operator runs its township's
// preliminaries, not the county's final).
absl::Status MayWriteRound(db::Tx& tx, CallContext& call, const ResourceId& round, absl::string_view field) {
  pqxx::result r = tx.exec_prepared("round_contest", round.county_code, round.number);
  if (r.empty()) return NotFound(field, "round", round.ToString());
  return WithField(call.principal().CheckWrite(r[0][3].as<std::string>()), field);
}

// What tabulating a round starts from: its rules, entries and scores.
TabulationInput LoadInput(db::Tx& tx, const ResourceId& id, const v1::Round& round) {
  TabulationInput in;
  in.aggregation = round.aggregation();
  in.rubric.assign(round.rubric().begin(), round.rubric().end());
  in.star_bands.assign(round.star_bands().begin(), round.star_bands().end());
  in.advance_top_n = round.advance_top_n();
  in.advance_top_share = round.advance_top_share();
  in.advance_by_panel = round.advance_by_panel();
  for (const auto& row : tx.exec_prepared("tab_entries", id.county_code, id.number)) {
    in.entries.push_back({ResourceId{id.county_code, row[0].as<int64_t>()}.ToString(),
                          row[1].as<std::string>(), row[2].as<std::string>(), row[3].as<std::string>()});
  }
  for (const auto& row : tx.exec_prepared("tab_scores", id.county_code, id.number)) {
    in.scores.push_back({row[0].as<std::string>(),
                         ResourceId{id.county_code, row[1].as<int64_t>()}.ToString(),
                         row[2].as<std::string>(), row[3].as<double>()});
  }
  return in;
}

// Tabulates a round from its entries and scores; stores the results and
// the digest.
absl::Status Tabulate(db::Tx& tx, const ResourceId& id, v1::Round& round) {
  std::vector<v1::EntryResult> results = contest::Tabulate(LoadInput(tx, id, round));
  round.set_results_digest(Digest(results));
  tx.exec_prepared("results_clear", id.county_code, id.number);
  // All results in one statement: a JSON array, one element per position.
  std::string all = "[";
  for (size_t i = 0; i < results.size(); ++i) absl::StrAppend(&all, i ? "," : "", Json(results[i]));
  all += "]";
  tx.exec_prepared("results_insert", id.county_code, id.number, all);
  tx.exec_prepared("round_set_digest", id.county_code, id.number, round.results_digest());
  return absl::OkStatus();
}

}  // namespace

std::vector<db::Statement> PgContestRepository::Statements() {
  const std::string c = kContestCols, r = kRoundCols, e = kEntryCols, j = kJudgeCols;
  return {
      {"contest_insert",
       "INSERT INTO contests (county_code, level, region_code, region_prefix, year, title, fields) "
       "VALUES ($1, $2, $3, $4, $5, $6, $7::smallint[]) RETURNING " + c},
      {"contest_get", "SELECT " + c + " FROM contests WHERE county_code = $1 AND id = $2"},
      {"contest_list",
       "SELECT " + c + " FROM contests WHERE county_code LIKE $1 AND starts_with(region_prefix, $2) "
       "AND ($3 = 0 OR year = $3) AND (county_code, id) > ($4, $5) ORDER BY county_code, id LIMIT $6"},
      {"round_insert",
       "INSERT INTO rounds (county_code, contest_id, number, name, state, aggregation, rubric, "
       "advance_top_n, advance_top_share, star_bands, appeal_window_days) SELECT $1, $2, "
       "coalesce(max(number), 0) + 1, $3, 1, $4, $5::jsonb, $6, $7, $8::jsonb, $9 FROM rounds "
       "WHERE county_code = $1 AND contest_id = $2 RETURNING id"},
      {"round_get", "SELECT " + r + " FROM rounds r WHERE r.county_code = $1 AND r.id = $2"},
      {"round_lock", "SELECT " + r + " FROM rounds r WHERE r.county_code = $1 AND r.id = $2 FOR UPDATE"},
      {"round_set_state",
       "UPDATE rounds SET state = $3::smallint, close_time = CASE WHEN $3::smallint = 4 THEN now() ELSE close_time END "
       "WHERE county_code = $1 AND id = $2 RETURNING " TOUYAN_MICROS("now()")},
      {"round_set_rubric",
       "UPDATE rounds SET rubric = $3::jsonb, aggregation = $4 WHERE county_code = $1 AND id = $2"},
      {"round_lock_rubric", "UPDATE rounds SET rubric_locked = true WHERE county_code = $1 AND id = $2"},
      {"round_set_digest", "UPDATE rounds SET digest = $3 WHERE county_code = $1 AND id = $2"},
      {"entry_insert",
       "INSERT INTO entries (county_code, round_id, cadre_id, cadre_name, village_code, report, party_org_id) "
       "VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7) ON CONFLICT (county_code, round_id, cadre_id) DO NOTHING "
       "RETURNING " + e},
      {"entry_get", "SELECT " + e + " FROM entries WHERE county_code = $1 AND id = $2"},
      {"entry_lock", "SELECT " + e + " FROM entries WHERE county_code = $1 AND id = $2 FOR UPDATE"},
      {"entry_set_state", "UPDATE entries SET state = $3 WHERE county_code = $1 AND id = $2"},
      {"entry_set_panel", "UPDATE entries SET panel = $3 WHERE county_code = $1 AND id = $2"},
      {"entry_list",
       "SELECT " + e + " FROM entries WHERE county_code = $1 AND round_id = $2 AND id > $3 "
       "ORDER BY id LIMIT $4"},
      {"entries_of_panel",
       "SELECT " + e + " FROM entries WHERE county_code = $1 AND round_id = $2 AND panel = $3 AND state = 1"},
      {"judge_insert",
       "INSERT INTO judges (county_code, round_id, name, panel, cadre_id, region_code, party_org_id) "
       "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING " + j},
      {"judges_of_panel", "SELECT " + j + " FROM judges WHERE county_code = $1 AND round_id = $2 AND panel = $3"},
      {"judge_get", "SELECT " + j + " FROM judges WHERE county_code = $1 AND id = $2"},
      {"missing_scores",
       "SELECT j.id, j.name, (SELECT count(*) FROM entries e WHERE e.county_code = j.county_code "
       "AND e.round_id = j.round_id AND e.panel = j.panel AND e.state = 1) * $3::bigint, "
       "(SELECT count(*) FROM scores s JOIN entries e ON e.county_code = s.county_code AND e.id = s.entry_id "
       "AND e.state = 1 WHERE s.county_code = j.county_code AND s.round_id = j.round_id AND s.judge_id = j.id) "
       "FROM judges j WHERE j.county_code = $1 AND j.round_id = $2 ORDER BY j.id"},
      {"score_upsert_many",
       "INSERT INTO scores (county_code, round_id, judge_id, entry_id, dimension, value) "
       "SELECT $1, $2, j, e, d, v FROM unnest($3::bigint[], $4::bigint[], $5::text[], $6::float8[]) AS x(j, e, d, v) "
       "ON CONFLICT (county_code, round_id, entry_id, judge_id, dimension) "
       "DO UPDATE SET value = EXCLUDED.value, update_time = now()"},
      {"panels_of_round",
       "SELECT j.id, j.panel, j.name FROM judges j WHERE j.county_code = $1 AND j.round_id = $2"},
      {"entry_panels_of_round",
       "SELECT id, panel, state, reopened FROM entries WHERE county_code = $1 AND round_id = $2"},
      {"tab_entries",
       "SELECT id, cadre_id, cadre_name, panel FROM entries WHERE county_code = $1 AND round_id = $2 AND state = 1"},
      {"tab_scores",
       "SELECT s.judge_id::text, s.entry_id, s.dimension, s.value FROM scores s JOIN entries e "
       "ON e.county_code = s.county_code AND e.id = s.entry_id AND e.state = 1 "
       "WHERE s.county_code = $1 AND s.round_id = $2"},
      {"results_clear", "DELETE FROM results WHERE county_code = $1 AND round_id = $2"},
      {"results_insert",
       "INSERT INTO results (county_code, round_id, position, result) SELECT $1, $2, x.ord - 1, x.elem "
       "FROM jsonb_array_elements($3::jsonb) WITH ORDINALITY AS x(elem, ord)"},
      {"results_get",
       "SELECT result::text FROM results WHERE county_code = $1 AND round_id = $2 ORDER BY position"},
      {"results_publish",
       "UPDATE results SET published = true WHERE county_code = $1 AND round_id = $2"},
      {"appeal_insert",
       "INSERT INTO appeals (county_code, entry_id, reason) VALUES ($1, $2, $3) RETURNING " +
           std::string(kAppealCols)},
      {"appeal_lock", "SELECT " + std::string(kAppealCols) + " FROM appeals WHERE county_code = $1 AND id = $2 FOR UPDATE"},
      {"appeal_decide", "UPDATE appeals SET state = $3, decision_note = $4 WHERE county_code = $1 AND id = $2"},
      {"entry_reopen", "UPDATE entries SET reopened = true WHERE county_code = $1 AND id = $2"},
      {"entries_reopened",
       "SELECT count(*) FROM entries WHERE county_code = $1 AND round_id = $2 AND reopened"},
      {"entries_close_reopened",
       "UPDATE entries SET reopened = false WHERE county_code = $1 AND round_id = $2 AND reopened"},
      {"round_contest",
       "SELECT c.level, c.year, c.region_prefix, c.region_code FROM rounds r JOIN contests c ON c.county_code = r.county_code "
       "AND c.id = r.contest_id WHERE r.county_code = $1 AND r.id = $2"},
      {"outcome_insert",
       "INSERT INTO outcomes (county_code, round_id, entry_id, kind, rank, year, region_prefix) "
       "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (county_code, round_id, entry_id, kind) DO NOTHING"},
      {"outcome_set_designation",
       "UPDATE outcomes SET designation_id = $3 WHERE county_code = $1 AND id = $2 AND designation_id = ''"},
      {"outcomes_of_round",
       "SELECT " + std::string(kOutcomeCols) + " FROM outcomes o JOIN entries e ON e.county_code = o.county_code "
       "AND e.id = o.entry_id WHERE o.county_code = $1 AND o.round_id = $2 ORDER BY o.kind, o.rank, o.id"},
      {"outcome_list",
       "SELECT " + std::string(kOutcomeCols) + " FROM outcomes o JOIN entries e ON e.county_code = o.county_code "
       "AND e.id = o.entry_id WHERE o.county_code LIKE $1 AND starts_with(o.region_prefix, $2) "
       "AND ($3 = 0 OR o.year = $3) AND (o.county_code, o.id) > ($4, $5) ORDER BY o.county_code, o.id LIMIT $6"},
      // Each cadre's best row: the highest level, then the latest round.
      // Driven by the ids asked for, each looked up by results_cadre_id (a
      // plain column, usable under row-level security): a join the other
      // way round read every result of the year.
      {"cadre_results",
       "SELECT want.cadre_id, b.* FROM (SELECT DISTINCT id FROM json_array_elements_text($2::json) AS t(id)) "
       "AS want(cadre_id) CROSS JOIN LATERAL ("
       "SELECT r.county_code, r.id, r.name, c.level, "
       "(res.result->>'rank')::int, (SELECT count(*) FROM results x WHERE x.county_code = res.county_code "
       "AND x.round_id = res.round_id), coalesce((res.result->>'total')::float8, 0), "
       "coalesce((res.result->>'stars')::int, 0) FROM results res JOIN rounds r ON r.county_code = res.county_code "
       "AND r.id = res.round_id JOIN contests c ON c.county_code = r.county_code AND c.id = r.contest_id "
       "WHERE res.published AND c.year = $1 AND res.cadre_id = want.cadre_id "
       "ORDER BY c.level DESC, r.number DESC, r.id DESC LIMIT 1) b ORDER BY want.cadre_id"},
      {"scores_version",
       "SELECT count(*), coalesce(" TOUYAN_MICROS("max(update_time)") ", 0) FROM scores "
       "WHERE county_code = $1 AND round_id = $2"},
      {"sign_off_insert",
       "INSERT INTO sign_offs (county_code, round_id, role, name, digest, signer) VALUES ($1, $2, $3, $4, $5, $6) "
       "ON CONFLICT DO NOTHING RETURNING " TOUYAN_MICROS("sign_time")},
      {"sign_offs_get",
       "SELECT role, name, digest, " TOUYAN_MICROS("sign_time") " FROM sign_offs "
       "WHERE county_code = $1 AND round_id = $2 AND digest = $3 ORDER BY role, name"},
      {"sign_off_roles",
       "SELECT count(DISTINCT role) FROM sign_offs WHERE county_code = $1 AND round_id = $2 AND digest = $3"},
      {"sign_offs_publish",
       "UPDATE sign_offs SET published = true WHERE county_code = $1 AND round_id = $2 AND digest = $3"},
  };
}

// ---------------------------------------------------------------- contests

absl::StatusOr<v1::Contest> PgContestRepository::CreateContest(CallContext& call,
                                                               const v1::CreateContestRequest& request,
                                                               const v1::Contest& c) {
  return call.Mutate<v1::Contest>(request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::Contest> {
    std::vector<int> fields(c.fields().begin(), c.fields().end());
    v1::Contest out = ContestFromRow(tx.exec_prepared1(
        "contest_insert", c.region_code().substr(0, 6), static_cast<int>(c.level()), c.region_code(),
        PrefixOf(c.region_code()), c.year(), c.title(), IntArray(fields)));
    call.Audit({.county_code = out.county_code(), .resource = "contests/" + out.id(), .after = &out});
    return out;
  });
}

absl::StatusOr<v1::Contest> PgContestRepository::GetContest(CallContext& call, const ResourceId& id) {
  return call.Read<v1::Contest>([&](db::Tx& tx) -> absl::StatusOr<v1::Contest> {
    pqxx::result r = tx.exec_prepared("contest_get", id.county_code, id.number);
    if (r.empty()) return NotFound("id", "contest", id.ToString());
    return ContestFromRow(r[0]);
  });
}

absl::StatusOr<PageOf<v1::Contest>> PgContestRepository::ListContests(CallContext& call,
                                                                      const std::string& region_prefix,
                                                                      int year, const paging::Page& page) {
  ASSIGN_OR_RETURN(Keyset after, Keyset::Parse(page.cursor));
  return call.Read<PageOf<v1::Contest>>([&](db::Tx& tx) -> absl::StatusOr<PageOf<v1::Contest>> {
    return KeysetPage(tx.exec_prepared("contest_list", region_prefix.substr(0, 6) + "%", region_prefix, year,
                                       after.county, after.id, page.size + 1),
                      page.size, ContestFromRow);
  });
}

// ------------------------------------------------------------------ rounds

absl::StatusOr<v1::Round> PgContestRepository::CreateRound(CallContext& call, const v1::CreateRoundRequest& request,
                                                           const ResourceId& contest, const v1::Round& r) {
  return call.Mutate<v1::Round>(request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::Round> {
    pqxx::result c = tx.exec_prepared("contest_get", contest.county_code, contest.number);
    if (c.empty()) return NotFound("round.contest_id", "contest", contest.ToString());
    RETURN_IF_ERROR(WithField(call.principal().CheckWrite(ContestFromRow(c[0]).region_code()), "round.contest_id"));
    const int64_t id = tx.exec_prepared1("round_insert", contest.county_code, contest.number, r.name(),
                                         static_cast<int>(r.aggregation()), RubricJson(r), r.advance_top_n(),
                                         r.advance_top_share(), BandsJson(r), r.appeal_window_days())[0]
                           .as<int64_t>();
    ASSIGN_OR_RETURN(v1::Round out, LoadRound(tx, {contest.county_code, id}, false, "id"));
    call.Audit({.county_code = contest.county_code, .resource = "rounds/" + out.id(), .after = &out});
    return out;
  });
}

absl::StatusOr<v1::Round> PgContestRepository::GetRound(CallContext& call, const ResourceId& id) {
  return call.Read<v1::Round>([&](db::Tx& tx) { return LoadRound(tx, id, false, "id"); });
}

absl::StatusOr<v1::Round> PgContestRepository::AdvanceRound(CallContext& call,
                                                            const v1::AdvanceRoundRequest& request,
                                                            const ResourceId& id) {
  return call.Mutate<v1::Round>(request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::Round> {
    ASSIGN_OR_RETURN(v1::Round before, LoadRound(tx, id, true, "id"));
    RETURN_IF_ERROR(MayWriteRound(tx, call, id, "id"));
    RETURN_IF_ERROR(WithField(CheckTransition(before.state(), request.to()), "to"));
    v1::Round after = before;
    after.set_state(request.to());
    if (request.to() == v1::ROUND_STATE_CLOSED) RETURN_IF_ERROR(Tabulate(tx, id, after));
    if (request.to() == v1::ROUND_STATE_PUBLISHED) {
      RETURN_IF_ERROR(MayPublish(
          before,
          tx.exec_prepared1("sign_off_roles", id.county_code, id.number, before.results_digest())[0].as<int>()));
      tx.exec_prepared("results_publish", id.county_code, id.number);
      tx.exec_prepared("sign_offs_publish", id.county_code, id.number, before.results_digest());
    }
    pqxx::row now = tx.exec_prepared1("round_set_state", id.county_code, id.number, static_cast<int>(request.to()));
    if (request.to() == v1::ROUND_STATE_CLOSED) *after.mutable_close_time() = TimestampFromMicros(now[0].as<int64_t>());
    call.Audit({.county_code = id.county_code, .resource = "rounds/" + after.id(), .before = &before,
                .after = &after});
    return after;
  });
}

absl::StatusOr<v1::Round> PgContestRepository::SetRubric(CallContext& call, const v1::SetRubricRequest& request,
                                                         const ResourceId& id) {
  return call.Mutate<v1::Round>(request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::Round> {
    ASSIGN_OR_RETURN(v1::Round before, LoadRound(tx, id, true, "round_id"));
    RETURN_IF_ERROR(MayWriteRound(tx, call, id, "round_id"));
    RETURN_IF_ERROR(MayChangeRubric(before));
    v1::Round after = before;
    *after.mutable_rubric() = request.rubric();
    if (request.aggregation() != v1::AGGREGATION_UNSPECIFIED) after.set_aggregation(request.aggregation());
    tx.exec_prepared("round_set_rubric", id.county_code, id.number, RubricJson(after),
                     static_cast<int>(after.aggregation()));
    call.Audit({.county_code = id.county_code, .resource = "rounds/" + after.id(), .before = &before,
                .after = &after});
    return after;
  });
}

// ----------------------------------------------------------------- entries

absl::StatusOr<v1::Entry> PgContestRepository::CreateEntry(CallContext& call, const v1::CreateEntryRequest& request,
                                                           const ResourceId& round, const v1::Entry& entry) {
  return call.Mutate<v1::Entry>(request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::Entry> {
    ASSIGN_OR_RETURN(v1::Round r, LoadRound(tx, round, true, "entry.round_id"));
    RETURN_IF_ERROR(MayWriteRound(tx, call, round, "entry.round_id"));
    RETURN_IF_ERROR(RequireState(r.state(), v1::ROUND_STATE_OPEN, "entries are accepted"));
    pqxx::result row = tx.exec_prepared("entry_insert", round.county_code, round.number, entry.cadre_id(),
                                        entry.cadre_name(), entry.village_code(), Json(entry.report()),
                                        entry.party_org_id());
    if (row.empty()) {
      return WithReason(WithField(absl::AlreadyExistsError(absl::StrCat(
                                      "cadre ", entry.cadre_id(), " has entered round ", round.ToString(), " already")),
                                  "entry.cadre_id"),
                        "ALREADY_ENTERED");
    }
    ASSIGN_OR_RETURN(v1::Entry out, EntryFromRow(row[0]));
    call.Audit({.county_code = round.county_code, .resource = "entries/" + out.id(), .after = &out});
    return out;
  });
}

absl::StatusOr<v1::EnterSecretariesResponse> PgContestRepository::EnterSecretaries(
    CallContext& call, const v1::EnterSecretariesRequest& request, const ResourceId& round,
    const std::vector<v1::Entry>& entries) {
  return call.Mutate<v1::EnterSecretariesResponse>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::EnterSecretariesResponse> {
        ASSIGN_OR_RETURN(v1::Round r, LoadRound(tx, round, true, "round_id"));
        RETURN_IF_ERROR(MayWriteRound(tx, call, round, "round_id"));
        RETURN_IF_ERROR(WithField(RequireState(r.state(), v1::ROUND_STATE_OPEN, "entries are accepted"), "round_id"));
        v1::EnterSecretariesResponse out;
        for (const v1::Entry& e : entries) {
          pqxx::result made = tx.exec_prepared("entry_insert", round.county_code, round.number, e.cadre_id(),
                                               e.cadre_name(), e.village_code(), Json(e.report()), e.party_org_id());
          if (made.empty()) {
            out.set_already_entered(out.already_entered() + 1);
            continue;
          }
          out.set_entered(out.entered() + 1);
          if (!e.panel().empty()) {
            tx.exec_prepared("entry_set_panel", made[0][0].as<std::string>(), made[0][1].as<int64_t>(), e.panel());
          }
        }
        // One audit row for the batch: what it entered, not each entry.
        call.Audit({.county_code = round.county_code, .resource = "rounds/" + r.id() + "/entries", .after = &out});
        return out;
      });
}

absl::StatusOr<v1::Entry> PgContestRepository::WithdrawEntry(CallContext& call,
                                                             const v1::WithdrawEntryRequest& request,
                                                             const ResourceId& id) {
  return call.Mutate<v1::Entry>(request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::Entry> {
    ASSIGN_OR_RETURN(v1::Entry before, LoadEntry(tx, id, true, "id"));
    ASSIGN_OR_RETURN(ResourceId round, ResourceId::Parse("id", before.round_id()));
    ASSIGN_OR_RETURN(v1::Round r, LoadRound(tx, round, true, "id"));
    RETURN_IF_ERROR(MayWriteRound(tx, call, round, "id"));
    RETURN_IF_ERROR(BeforeJudging(r, "an entry may be withdrawn"));
    v1::Entry after = before;
    after.set_state(v1::ENTRY_STATE_WITHDRAWN);
    tx.exec_prepared("entry_set_state", id.county_code, id.number, static_cast<int>(after.state()));
    call.Audit({.county_code = id.county_code, .resource = "entries/" + after.id(), .before = &before,
                .after = &after});
    return after;
  });
}

absl::StatusOr<PageOf<v1::Entry>> PgContestRepository::ListEntries(CallContext& call, const ResourceId& round,
                                                                   const paging::Page& page) {
  ASSIGN_OR_RETURN(Keyset after, Keyset::Parse(page.cursor));
  return call.Read<PageOf<v1::Entry>>([&](db::Tx& tx) -> absl::StatusOr<PageOf<v1::Entry>> {
    return KeysetPage(tx.exec_prepared("entry_list", round.county_code, round.number, after.id, page.size + 1),
                      page.size, EntryFromRow);
  });
}

// ------------------------------------------------------------------ judges

absl::StatusOr<v1::Judge> PgContestRepository::AddJudge(CallContext& call, const v1::AddJudgeRequest& request,
                                                        const ResourceId& round) {
  return call.Mutate<v1::Judge>(request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::Judge> {
    ASSIGN_OR_RETURN(v1::Round r, LoadRound(tx, round, true, "judge.round_id"));
    RETURN_IF_ERROR(MayWriteRound(tx, call, round, "judge.round_id"));
    RETURN_IF_ERROR(BeforeJudging(r, "judges are added"));
    const v1::Judge& j = request.judge();
    v1::Judge candidate = j;
    candidate.set_id("(new)");
    for (const auto& row : tx.exec_prepared("entries_of_panel", round.county_code, round.number, j.panel())) {
      ASSIGN_OR_RETURN(v1::Entry e, EntryFromRow(row));
      RETURN_IF_ERROR(WithField(CheckConflict(candidate, e), "judge"));
    }
    v1::Judge out = JudgeFromRow(tx.exec_prepared1("judge_insert", round.county_code, round.number, j.name(),
                                                   j.panel(), j.cadre_id(), j.region_code(), j.party_org_id()));
    call.Audit({.county_code = round.county_code, .resource = "judges/" + out.id(), .after = &out});
    return out;
  });
}

absl::StatusOr<v1::Entry> PgContestRepository::AssignPanel(CallContext& call, const v1::AssignPanelRequest& request,
                                                           const ResourceId& entry) {
  return call.Mutate<v1::Entry>(request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::Entry> {
    ASSIGN_OR_RETURN(v1::Entry before, LoadEntry(tx, entry, true, "entry_id"));
    ASSIGN_OR_RETURN(ResourceId round, ResourceId::Parse("entry_id", before.round_id()));
    ASSIGN_OR_RETURN(v1::Round r, LoadRound(tx, round, true, "entry_id"));
    RETURN_IF_ERROR(MayWriteRound(tx, call, round, "entry_id"));
    RETURN_IF_ERROR(BeforeJudging(r, "panels are assigned"));
    for (const auto& row : tx.exec_prepared("judges_of_panel", round.county_code, round.number, request.panel())) {
      RETURN_IF_ERROR(WithField(CheckConflict(JudgeFromRow(row), before), "panel"));
    }
    v1::Entry after = before;
    after.set_panel(request.panel());
    tx.exec_prepared("entry_set_panel", entry.county_code, entry.number, request.panel());
    call.Audit({.county_code = entry.county_code, .resource = "entries/" + after.id(), .before = &before,
                .after = &after});
    return after;
  });
}

absl::StatusOr<v1::ListMissingScoresResponse> PgContestRepository::MissingScores(CallContext& call,
                                                                                const ResourceId& round) {
  return call.Read<v1::ListMissingScoresResponse>(
      [&](db::Tx& tx) -> absl::StatusOr<v1::ListMissingScoresResponse> {
        ASSIGN_OR_RETURN(v1::Round r, LoadRound(tx, round, false, "round_id"));
        v1::ListMissingScoresResponse out;
        for (const auto& row : tx.exec_prepared("missing_scores", round.county_code, round.number,
                                                static_cast<int64_t>(r.rubric_size()))) {
          v1::MissingScores* m = out.add_judges();
          m->set_judge_id(ResourceId{round.county_code, row[0].as<int64_t>()}.ToString());
          m->set_judge_name(row[1].as<std::string>());
          m->set_expected(row[2].as<int64_t>());
          m->set_scored(row[3].as<int64_t>());
          m->set_missing(std::max<int64_t>(0, m->expected() - m->scored()));
        }
        return out;
      });
}

// ------------------------------------------------------------------ scores

absl::StatusOr<v1::SubmitScoresResponse> PgContestRepository::SubmitScores(
    CallContext& call, const google::protobuf::Message& request, const std::string& request_id,
    const ResourceId& round, const std::vector<v1::Score>& scores, bool batch) {
  return call.Mutate<v1::SubmitScoresResponse>(
      request, request_id, [&](db::Tx& tx) -> absl::StatusOr<v1::SubmitScoresResponse> {
        ASSIGN_OR_RETURN(v1::Round r, LoadRound(tx, round, true, batch ? "round_id" : "score.entry_id"));
        RETURN_IF_ERROR(MayWriteRound(tx, call, round, "round_id"));
        // While CLOSED, only entries reopened by an upheld appeal take scores.
        RETURN_IF_ERROR(AcceptsScores(r));
        // The round's judges and entries by number, with their panels.
        absl::flat_hash_map<int64_t, std::string> judge_panel;
        absl::flat_hash_map<int64_t, ScoredEntry> entry_of;
        for (const auto& row : tx.exec_prepared("panels_of_round", round.county_code, round.number)) {
          judge_panel[row[0].as<int64_t>()] = row[1].as<std::string>();
        }
        for (const auto& row : tx.exec_prepared("entry_panels_of_round", round.county_code, round.number)) {
          entry_of[row[0].as<int64_t>()] = {.active = row[2].as<int>() == 1, .reopened = row[3].as<bool>(),
                                            .panel = row[1].as<std::string>()};
        }
        // Checked one by one, stored in one statement (a later score for the
        // same judge, entry and dimension wins).
        absl::flat_hash_map<std::string, size_t> last;
        std::vector<int64_t> judges, entries;
        std::vector<std::string> dims;
        std::vector<double> values;
        for (size_t i = 0; i < scores.size(); ++i) {
          const v1::Score& s = scores[i];
          const std::string f = batch ? absl::StrCat("scores[", i, "].") : "score.";
          RETURN_IF_ERROR(NestField(ValidateScore(s, r.rubric()), f));
          ASSIGN_OR_RETURN(ResourceId judge, ResourceId::Parse(f + "judge_id", s.judge_id()));
          ASSIGN_OR_RETURN(ResourceId entry, ResourceId::Parse(f + "entry_id", s.entry_id()));
          auto jp = judge.county_code == round.county_code ? judge_panel.find(judge.number) : judge_panel.end();
          auto ep = entry.county_code == round.county_code ? entry_of.find(entry.number) : entry_of.end();
          RETURN_IF_ERROR(NestField(MayScore(r, s.judge_id(), jp == judge_panel.end() ? nullptr : &jp->second,
                                             s.entry_id(), ep == entry_of.end() ? nullptr : &ep->second),
                                    f));
          const std::string key = absl::StrCat(judge.number, "/", entry.number, "/", s.dimension());
          if (auto [it, fresh] = last.emplace(key, values.size()); !fresh) {
            values[it->second] = s.value();
            continue;
          }
          judges.push_back(judge.number);
          entries.push_back(entry.number);
          dims.push_back(s.dimension());
          values.push_back(s.value());
        }
        if (!values.empty()) {
          std::string value_array = "{";
          for (size_t i = 0; i < values.size(); ++i) {
            absl::StrAppend(&value_array, i ? "," : "", absl::StrFormat("%.17g", values[i]));
          }
          value_array += "}";
          // Dimension keys are [a-z_] (checked against the rubric): no quoting needed.
          tx.exec_prepared("score_upsert_many", round.county_code, round.number, IntArray64(judges),
                           IntArray64(entries), absl::StrCat("{", absl::StrJoin(dims, ","), "}"), value_array);
        }
        if (!scores.empty() && !r.rubric_locked()) {
          tx.exec_prepared("round_lock_rubric", round.county_code, round.number);
        }
        v1::SubmitScoresResponse out;
        out.set_scores_stored(static_cast<int64_t>(scores.size()));
        // One audit row for the batch: who stored how many scores in which round.
        call.Audit({.county_code = round.county_code, .resource = "rounds/" + round.ToString() + "/scores",
                    .after = &out});
        return out;
      });
}

// ----------------------------------------------------------------- results

absl::StatusOr<v1::Results> PgContestRepository::GetResults(CallContext& call, const ResourceId& round) {
  return call.Read<v1::Results>([&](db::Tx& tx) -> absl::StatusOr<v1::Results> {
    ASSIGN_OR_RETURN(v1::Round r, LoadRound(tx, round, false, "round_id"));
    RETURN_IF_ERROR(HasResults(r));
    v1::Results out;
    out.set_round_id(r.id());
    out.set_state(r.state());
    out.set_aggregation(r.aggregation());
    out.set_digest(r.results_digest());
    for (const auto& row : tx.exec_prepared("results_get", round.county_code, round.number)) {
      RETURN_IF_ERROR(MergeFromJson(absl::StrCat("{\"entries\":[", row[0].as<std::string>(), "]}"), out));
    }
    for (const auto& row : tx.exec_prepared("sign_offs_get", round.county_code, round.number, r.results_digest())) {
      v1::SignOff* s = out.add_sign_offs();
      s->set_round_id(r.id());
      s->set_role(static_cast<v1::SignerRole>(row[0].as<int>()));
      s->set_name(row[1].as<std::string>());
      s->set_digest(row[2].as<std::string>());
      *s->mutable_sign_time() = TimestampFromMicros(row[3].as<int64_t>());
    }
    return out;
  });
}

absl::StatusOr<v1::SignOff> PgContestRepository::SignResults(CallContext& call,
                                                             const v1::SignResultsRequest& request,
                                                             const ResourceId& round) {
  return call.Mutate<v1::SignOff>(request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::SignOff> {
    ASSIGN_OR_RETURN(v1::Round r, LoadRound(tx, round, true, "sign_off.round_id"));
    RETURN_IF_ERROR(MayWriteRound(tx, call, round, "sign_off.round_id"));
    const v1::SignOff& s = request.sign_off();
    RETURN_IF_ERROR(NestField(CheckSignOff(r, s), "sign_off."));
    pqxx::result row = tx.exec_prepared("sign_off_insert", round.county_code, round.number,
                                        static_cast<int>(s.role()), s.name(), s.digest(),
                                        call.principal().subject);
    v1::SignOff out = s;
    out.set_round_id(r.id());
    if (!row.empty()) *out.mutable_sign_time() = TimestampFromMicros(row[0][0].as<int64_t>());
    call.Audit({.county_code = round.county_code, .resource = "rounds/" + r.id() + "/signOffs", .after = &out});
    return out;
  });
}

// ----------------------------------------------------------------- appeals

absl::StatusOr<v1::Appeal> PgContestRepository::FileAppeal(CallContext& call, const v1::FileAppealRequest& request,
                                                           const ResourceId& entry) {
  return call.Mutate<v1::Appeal>(request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::Appeal> {
    ASSIGN_OR_RETURN(v1::Entry e, LoadEntry(tx, entry, true, "entry_id"));
    ASSIGN_OR_RETURN(ResourceId round, ResourceId::Parse("entry_id", e.round_id()));
    ASSIGN_OR_RETURN(v1::Round r, LoadRound(tx, round, false, "entry_id"));
    RETURN_IF_ERROR(MayWriteRound(tx, call, round, "entry_id"));
    RETURN_IF_ERROR(MayAppeal(r, call.clock().Now()));
    v1::Appeal out = AppealFromRow(tx.exec_prepared1("appeal_insert", entry.county_code, entry.number,
                                                     request.reason()));
    call.Audit({.county_code = entry.county_code, .resource = "appeals/" + out.id(), .after = &out});
    return out;
  });
}

absl::StatusOr<v1::Appeal> PgContestRepository::DecideAppeal(CallContext& call,
                                                             const v1::DecideAppealRequest& request,
                                                             const ResourceId& id) {
  return call.Mutate<v1::Appeal>(request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::Appeal> {
    pqxx::result row = tx.exec_prepared("appeal_lock", id.county_code, id.number);
    if (row.empty()) return NotFound("id", "appeal", id.ToString());
    const v1::Appeal before = AppealFromRow(row[0]);
    RETURN_IF_ERROR(MayDecide(before));
    ASSIGN_OR_RETURN(ResourceId entry, ResourceId::Parse("id", before.entry_id()));
    ASSIGN_OR_RETURN(v1::Entry e, LoadEntry(tx, entry, true, "id"));
    ASSIGN_OR_RETURN(ResourceId round, ResourceId::Parse("id", e.round_id()));
    ASSIGN_OR_RETURN(v1::Round r, LoadRound(tx, round, true, "id"));
    RETURN_IF_ERROR(MayWriteRound(tx, call, round, "id"));
    RETURN_IF_ERROR(RequireState(r.state(), v1::ROUND_STATE_CLOSED, "appeals are decided"));
    v1::Appeal after = before;
    after.set_state(request.upheld() ? v1::APPEAL_STATE_UPHELD : v1::APPEAL_STATE_REJECTED);
    after.set_decision_note(request.note());
    tx.exec_prepared("appeal_decide", id.county_code, id.number, static_cast<int>(after.state()), request.note());
    if (request.upheld()) tx.exec_prepared("entry_reopen", entry.county_code, entry.number);
    call.Audit({.county_code = id.county_code, .resource = "appeals/" + after.id(), .before = &before,
                .after = &after});
    return after;
  });
}

absl::StatusOr<v1::Round> PgContestRepository::Retabulate(CallContext& call,
                                                          const v1::RetabulateRoundRequest& request,
                                                          const ResourceId& round) {
  return call.Mutate<v1::Round>(request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::Round> {
    ASSIGN_OR_RETURN(v1::Round before, LoadRound(tx, round, true, "round_id"));
    RETURN_IF_ERROR(MayWriteRound(tx, call, round, "round_id"));
    RETURN_IF_ERROR(MayRetabulate(
        before, tx.exec_prepared1("entries_reopened", round.county_code, round.number)[0].as<int64_t>()));
    v1::Round after = before;
    RETURN_IF_ERROR(Tabulate(tx, round, after));
    tx.exec_prepared("entries_close_reopened", round.county_code, round.number);
    call.Audit({.county_code = round.county_code, .resource = "rounds/" + after.id(), .before = &before,
                .after = &after});
    return after;
  });
}

// ---------------------------------------------------------------- outcomes

absl::StatusOr<v1::ConvertOutcomesResponse> PgContestRepository::SelectOutcomes(
    CallContext& call, const v1::ConvertOutcomesRequest& request, const ResourceId& round) {
  return call.Mutate<v1::ConvertOutcomesResponse>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::ConvertOutcomesResponse> {
        ASSIGN_OR_RETURN(v1::Round r, LoadRound(tx, round, true, "round_id"));
        RETURN_IF_ERROR(MayWriteRound(tx, call, round, "round_id"));
        pqxx::row c = tx.exec_prepared1("round_contest", round.county_code, round.number);
        RETURN_IF_ERROR(MayConvertOutcomes(r, static_cast<v1::Level>(c[0].as<int>())));
        const int year = c[1].as<int>();
        const std::string prefix = c[2].as<std::string>();
        std::vector<v1::EntryResult> results;
        for (const auto& row : tx.exec_prepared("results_get", round.county_code, round.number)) {
          v1::EntryResult er;
          RETURN_IF_ERROR(MergeFromJson(row[0].as<std::string>(), er));
          results.push_back(std::move(er));
        }
        for (const v1::OutcomeRule& rule : request.rules()) {
          const bool bottom = rule.kind() == v1::OUTCOME_KIND_RECTIFICATION_TARGET;
          // The rank at the cut: the n-th from the top (or bottom); ties at it are in.
          const int n = std::min<int>(rule.n(), static_cast<int>(results.size()));
          if (n == 0) continue;
          const int cut = bottom ? results[results.size() - n].rank() : results[n - 1].rank();
          for (const v1::EntryResult& er : results) {
            if (bottom ? er.rank() < cut : er.rank() > cut) continue;
            ASSIGN_OR_RETURN(ResourceId entry, ResourceId::Parse("round_id", er.entry_id()));
            tx.exec_prepared("outcome_insert", round.county_code, round.number, entry.number,
                             static_cast<int>(rule.kind()), er.rank(), year, prefix);
          }
        }
        v1::ConvertOutcomesResponse out;
        for (const auto& row : tx.exec_prepared("outcomes_of_round", round.county_code, round.number)) {
          *out.add_outcomes() = OutcomeFromRow(row);
        }
        call.Audit({.county_code = round.county_code, .resource = "rounds/" + r.id() + "/outcomes", .after = &out});
        return out;
      });
}

absl::Status PgContestRepository::SetOutcomeDesignation(CallContext& call, const std::string& request_id,
                                                        const ResourceId& outcome,
                                                        const std::string& designation_id) {
  v1::Outcome marker;
  marker.set_id(outcome.ToString());
  marker.set_designation_id(designation_id);
  return call.Mutate<v1::Outcome>(marker, request_id, [&](db::Tx& tx) -> absl::StatusOr<v1::Outcome> {
               tx.exec_prepared("outcome_set_designation", outcome.county_code, outcome.number, designation_id);
               call.Audit({.county_code = outcome.county_code, .resource = "outcomes/" + marker.id(),
                           .after = &marker});
               return marker;
             })
      .status();
}

absl::StatusOr<std::vector<v1::Outcome>> PgContestRepository::RoundOutcomes(CallContext& call,
                                                                          const ResourceId& round) {
  using Out = std::vector<v1::Outcome>;
  return call.Read<Out>([&](db::Tx& tx) -> absl::StatusOr<Out> {
    Out out;
    for (const auto& row : tx.exec_prepared("outcomes_of_round", round.county_code, round.number)) {
      out.push_back(OutcomeFromRow(row));
    }
    return out;
  });
}

absl::StatusOr<v1::BatchGetCadreResultsResponse> PgContestRepository::CadreResults(
    CallContext& call, int year, const google::protobuf::RepeatedPtrField<std::string>& cadre_ids) {
  return call.Read<v1::BatchGetCadreResultsResponse>([&](db::Tx& tx) {
    v1::BatchGetCadreResultsResponse out;
    for (const auto& row : tx.exec_prepared("cadre_results", year, JsonStrings(cadre_ids))) {
      v1::CadreResult* c = out.add_results();
      c->set_cadre_id(row[0].as<std::string>());
      c->set_round_id(ResourceId{row[1].as<std::string>(), row[2].as<int64_t>()}.ToString());
      c->set_round_name(row[3].as<std::string>());
      c->set_level(static_cast<v1::Level>(row[4].as<int>()));
      c->set_rank(row[5].as<int>());
      c->set_entrants(row[6].as<int>());
      c->set_total(row[7].as<double>());
      c->set_stars(row[8].as<int>());
    }
    return absl::StatusOr<v1::BatchGetCadreResultsResponse>(std::move(out));
  });
}

absl::StatusOr<PageOf<v1::Outcome>> PgContestRepository::ListOutcomes(CallContext& call,
                                                                      const std::string& region_prefix, int year,
                                                                      const paging::Page& page) {
  ASSIGN_OR_RETURN(Keyset after, Keyset::Parse(page.cursor));
  return call.Read<PageOf<v1::Outcome>>([&](db::Tx& tx) -> absl::StatusOr<PageOf<v1::Outcome>> {
    return KeysetPage(tx.exec_prepared("outcome_list", region_prefix.substr(0, 6) + "%", region_prefix, year,
                                       after.county, after.id, page.size + 1),
                      page.size, OutcomeFromRow);
  });
}

// --------------------------------------------------------------- standings

absl::StatusOr<std::optional<v1::Standings>> PgContestRepository::Standings(CallContext& call,
                                                                           const ResourceId& round,
                                                                           std::string* version) {
  using Out = std::optional<v1::Standings>;
  return call.Read<Out>([&](db::Tx& tx) -> absl::StatusOr<Out> {
    ASSIGN_OR_RETURN(v1::Round r, LoadRound(tx, round, false, "round_id"));
    RETURN_IF_ERROR(HasStandings(r));
    pqxx::row v = tx.exec_prepared1("scores_version", round.county_code, round.number);
    const std::string now = absl::StrCat(r.state(), ":", v[0].as<int64_t>(), ":", v[1].as<int64_t>(), ":",
                                         r.results_digest());
    if (now == *version) return Out();
    *version = now;
    v1::Standings out;
    out.set_round_id(r.id());
    out.set_state(r.state());
    out.set_scores(v[0].as<int64_t>());
    out.set_final(r.state() >= v1::ROUND_STATE_CLOSED);
    for (auto& e : contest::Tabulate(LoadInput(tx, round, r))) *out.add_entries() = std::move(e);
    return out;
  });
}

// --------------------------------------------------------------- promotion

absl::StatusOr<v1::PromoteAdvancersResponse> PgContestRepository::PromoteAdvancers(
    CallContext& call, const v1::PromoteAdvancersRequest& request, const ResourceId& from, const ResourceId& to) {
  return call.Mutate<v1::PromoteAdvancersResponse>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::PromoteAdvancersResponse> {
        ASSIGN_OR_RETURN(v1::Round source, LoadRound(tx, from, false, "from_round_id"));
        RETURN_IF_ERROR(WithField(RequireState(source.state(), v1::ROUND_STATE_PUBLISHED, "advancers are promoted"),
                                  "from_round_id"));
        ASSIGN_OR_RETURN(v1::Round target, LoadRound(tx, to, true, "to_round_id"));
        RETURN_IF_ERROR(MayWriteRound(tx, call, to, "to_round_id"));
        RETURN_IF_ERROR(WithField(RequireState(target.state(), v1::ROUND_STATE_OPEN, "entries are accepted"),
                                  "to_round_id"));
        const std::string region = tx.exec_prepared1("round_contest", to.county_code, to.number)[2].as<std::string>();
        v1::PromoteAdvancersResponse out;
        for (const auto& row : tx.exec_prepared("results_get", from.county_code, from.number)) {
          v1::EntryResult er;
          RETURN_IF_ERROR(MergeFromJson(row[0].as<std::string>(), er));
          if (!er.advances()) continue;
          ASSIGN_OR_RETURN(ResourceId eid, ResourceId::Parse("from_round_id", er.entry_id()));
          ASSIGN_OR_RETURN(v1::Entry e, LoadEntry(tx, eid, false, "from_round_id"));
          RETURN_IF_ERROR(WithField(WithinRegion(e, region), "to_round_id"));
          pqxx::result made = tx.exec_prepared("entry_insert", to.county_code, to.number, e.cadre_id(),
                                               e.cadre_name(), e.village_code(), Json(e.report()), e.party_org_id());
          if (made.empty()) continue;  // entered already
          ASSIGN_OR_RETURN(v1::Entry created, EntryFromRow(made[0]));
          call.Audit({.county_code = to.county_code, .resource = "entries/" + created.id(), .after = &created});
          *out.add_entries() = std::move(created);
        }
        return out;
      });
}

}  // namespace touyan::contest
