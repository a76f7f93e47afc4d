#include "services/contest/pg_contest_repository.h"

#include "services/contest/pg_rows.h"

namespace touyan::contest {

// Statements used by the shared row loaders or by more than one area.
namespace {
std::vector<db::Statement> SharedStatements() {
  const std::string c = kContestCols, r = kRoundCols, e = kEntryCols, j = kJudgeCols;
  return {
      {"round_get", "SELECT " + r + " FROM rounds r WHERE r.county_code = $1 AND r.id = $2"},
      {"round_lock",
       "SELECT " + r + " FROM rounds r WHERE r.county_code = $1 AND r.id = $2 FOR UPDATE"},
      {"round_set_digest", "UPDATE rounds SET digest = $3 WHERE county_code = $1 AND id = $2"},
      {"entry_insert",
       "INSERT INTO entries (county_code, round_id, cadre_id, cadre_name, village_code, report, "
       "party_org_id, field) "
       "VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8) ON CONFLICT (county_code, round_id, "
       "cadre_id) "
       "DO NOTHING "
       "RETURNING " +
           e},
      {"entry_get", "SELECT " + e + " FROM entries WHERE county_code = $1 AND id = $2"},
      {"entry_lock", "SELECT " + e + " FROM entries WHERE county_code = $1 AND id = $2 FOR UPDATE"},
      {"tab_entries",
       "SELECT id, cadre_id, cadre_name, panel FROM entries WHERE county_code = $1 AND round_id = "
       "$2 AND state = 1"},
      // All of the round's scores: those of withdrawn entries are left out
      // by the caller (a join here became a look-up per score whenever the
      // statistics lagged behind a fresh batch).
      // (One row per sheet, its values as an array literal.)
      {"tab_scores",
       "SELECT judge_id, entry_id, value::text FROM score_sheets "
       "WHERE county_code = $1 AND round_id = $2"},
      {"results_clear", "DELETE FROM results WHERE county_code = $1 AND round_id = $2"},
      // The results as a JSON array (ResultsJson), split by position. As
      // json, only checked, each element made jsonb on its own: the whole
      // array made jsonb at once took 45 ms to bind in a 4,247-entry close.
      {"results_insert",
       "INSERT INTO results (county_code, round_id, position, result) SELECT $1, $2, x.ord - 1, "
       "x.elem::jsonb "
       "FROM json_array_elements($3::json) WITH ORDINALITY AS x(elem, ord)"},
      {"gauge_rounds",
       "WITH y AS (SELECT max(year) AS y FROM contests WHERE starts_with(region_prefix, $1)) "
       "SELECT y.y, r.state, count(*), coalesce(sum((SELECT count(*) FROM entries e WHERE "
       "e.county_code = r.county_code AND e.round_id = r.id AND e.state = 1)), 0)::bigint "
       "FROM y JOIN contests c ON c.year = y.y JOIN rounds r ON r.county_code = c.county_code "
       "AND r.contest_id = c.id WHERE starts_with(c.region_prefix, $1) GROUP BY 1, 2"},
      {"round_contest",
       "SELECT c.level, c.year, c.region_prefix, c.region_code FROM rounds r JOIN contests c ON "
       "c.county_code = r.county_code "
       "AND c.id = r.contest_id WHERE r.county_code = $1 AND r.id = $2"},
  };
}
}  // namespace

std::vector<db::Statement> PgContestRepository::Statements() {
  std::vector<db::Statement> all = SharedStatements();
  for (auto* area : {&RoundStatements, &EntryStatements, &ResultStatements}) {
    for (db::Statement& s : area()) all.push_back(std::move(s));
  }
  return all;
}

absl::StatusOr<ContestGauges> PgContestRepository::Gauges(CallContext& call,
                                                          const std::string& region_prefix) {
  return call.Read<ContestGauges>([&](db::Tx& tx) -> absl::StatusOr<ContestGauges> {
    ContestGauges g;
    for (const auto& row : tx.exec_prepared("gauge_rounds", region_prefix)) {
      g.year = row[0].as<int>();
      g.rounds[static_cast<v1::RoundState>(row[1].as<int>())] = row[2].as<int64_t>();
      g.entries += row[3].as<int64_t>();
    }
    return g;
  });
}

}  // namespace touyan::contest
