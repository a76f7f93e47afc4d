#include "services/incentive/spec.h"

#include "absl/strings/str_cat.h"
#include "services/incentive/incentive_service.h"
#include "services/incentive/pg_incentive_repository.h"

namespace touyan::incentive {

std::vector<db::Migration> Migrations();  // generated from migrations/*.sql

namespace {

// A table whose rows keep a cadre's name in their body (as "cadreName").
CopiedNames BodyNames(const std::string& table) {
  return {
      table,
      absl::StrCat(
          "UPDATE ", table,
          " x SET body = jsonb_set(x.body, '{cadreName}', to_jsonb(n.name)) "
          "FROM json_to_recordset($1::json) AS n(id text, name text) "
          "WHERE x.cadre_id = n.id AND x.body->>'cadreName' <> n.name RETURNING x.county_code")};
}

}  // namespace

ServiceSpec IncentiveSpec() {
  return ServiceSpec{
      .name = "incentive",
      .migrations = Migrations,
      .statements = PgIncentiveRepository::Statements(),
      .make_service = [](Runtime& rt) -> std::unique_ptr<grpc::Service> {
        return std::make_unique<IncentiveService>(rt, std::make_unique<PgIncentiveRepository>());
      },
      .calls = {"personnel", "training", "contest"},
      // Counselling notes, sealed (migration 002_sealed_notes).
      .sealed = {{"records", {{.sealed = "restricted_sealed", .legacy = "restricted"}}}},
      // What it holds about a cadre (records with counselling notes opened,
      // assessments, awards); its export includes the other three services'.
      .personal_data =
          {{"records",
            "SELECT x.* FROM records x, target t WHERE x.county_code = t.county_code "
            "AND x.cadre_id = t.cadre_id ORDER BY x.id"},
           {"assessments",
            "SELECT x.* FROM assessments x, target t WHERE x.county_code = t.county_code "
            "AND x.cadre_id = t.cadre_id ORDER BY x.year"},
           {"awards",
            "SELECT x.* FROM awards x, target t WHERE x.county_code = t.county_code "
            "AND x.cadre_id = t.cadre_id ORDER BY x.id"}},
      .export_includes = {"personnel", "training", "contest"},
      // Cadres' names copied into records, assessments and awards follow
      // personnel's anonymisation.
      .copied_names = {BodyNames("records"), BodyNames("assessments"), BodyNames("awards")},
      .anonymised_cadres = personnel::AnonymisedCadres,
  };
}

}  // namespace touyan::incentive
