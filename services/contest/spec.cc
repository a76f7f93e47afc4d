#include "services/contest/spec.h"

#include "absl/strings/str_cat.h"
#include "services/contest/contest_service.h"
#include "services/contest/pg_contest_repository.h"

namespace touyan::contest {

std::vector<db::Migration> Migrations();  // generated from migrations/*.sql

ServiceSpec ContestSpec() {
  return ServiceSpec{
      .name = "contest",
      .migrations = Migrations,
      .statements = PgContestRepository::Statements(),
      .make_service = [](Runtime& rt) -> std::unique_ptr<grpc::Service> {
        return std::make_unique<ContestService>(rt, std::make_unique<PgContestRepository>());
      },
      .calls = {"personnel"},
      // What it holds about a cadre: entries with their scores, appeals and
      // outcomes, published results, and judging done by them.
      .personal_data = {{"entries",
                         "SELECT x.* FROM entries x, target t WHERE x.cadre_id = t.cadre_id ORDER "
                         "BY x.county_code, x.id"},
                        // One row per score, as the API gives them.
                        {"scores",
                         "SELECT x.county_code, x.round_id, x.judge_id, x.entry_id, "
                         "d.dim ->> 'key' AS dimension, x.value[d.i] AS value, x.update_time "
                         "FROM score_sheets x JOIN entries e ON e.county_code = x.county_code "
                         "AND e.id = x.entry_id JOIN rounds r ON r.county_code = x.county_code "
                         "AND r.id = x.round_id CROSS JOIN LATERAL jsonb_array_elements(r.rubric "
                         "-> 'rubric') WITH ORDINALITY AS d(dim, i), target t "
                         "WHERE e.cadre_id = t.cadre_id AND x.value[d.i] IS NOT NULL "
                         "ORDER BY x.county_code, x.entry_id, x.judge_id, d.i"},
                        {"appeals",
                         "SELECT x.* FROM appeals x JOIN entries e ON e.county_code = "
                         "x.county_code AND e.id = x.entry_id, "
                         "target t WHERE e.cadre_id = t.cadre_id"},
                        {"outcomes",
                         "SELECT x.* FROM outcomes x JOIN entries e ON e.county_code = "
                         "x.county_code AND e.id = x.entry_id, "
                         "target t WHERE e.cadre_id = t.cadre_id"},
                        {"results",
                         "SELECT x.* FROM results x, target t WHERE x.cadre_id = t.cadre_id"},
                        {"judges",
                         "SELECT x.* FROM judges x, target t WHERE x.cadre_id = t.cadre_id ORDER "
                         "BY x.county_code, x.id"}},
      // Entrants' and judges' names, copied at registration and into the
      // results, follow personnel's anonymisation (the results' digest does
      // not cover names: it still verifies).
      .copied_names =
          {{"entries",
            "UPDATE entries x SET cadre_name = n.name FROM json_to_recordset($1::json) AS n(id "
            "text, name text) "
            "WHERE x.cadre_id = n.id AND x.cadre_name <> n.name RETURNING x.county_code"},
           {"judges",
            "UPDATE judges x SET name = n.name FROM json_to_recordset($1::json) AS n(id text, name "
            "text) "
            "WHERE x.cadre_id = n.id AND x.name <> n.name RETURNING x.county_code"},
           {"results",
            "UPDATE results x SET result = jsonb_set(x.result, '{cadreName}', to_jsonb(n.name)) "
            "FROM json_to_recordset($1::json) AS n(id text, name text) "
            "WHERE x.cadre_id = n.id AND x.result->>'cadreName' <> n.name RETURNING "
            "x.county_code"}},
      .anonymised_cadres = personnel::AnonymisedCadres,
  };
}

}  // namespace touyan::contest
