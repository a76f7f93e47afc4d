#include "services/training/spec.h"

#include "absl/strings/str_cat.h"
#include "services/training/pg_training_repository.h"
#include "services/training/training_service.h"

namespace touyan::training {

std::vector<db::Migration> Migrations();  // generated from migrations/*.sql

ServiceSpec TrainingSpec() {
  return ServiceSpec{
      .name = "training",
      .migrations = Migrations,
      .statements = PgTrainingRepository::Statements(),
      .make_service = [](Runtime& rt) -> std::unique_ptr<grpc::Service> {
        return std::make_unique<TrainingService>(rt, std::make_unique<PgTrainingRepository>());
      },
      .calls = {"personnel"},
      // Classes and practice tasks of the city (or a county) take people
      // and quotas from other counties: replicated, referenced by the
      // county-keyed enrolments and quotas.
      .distribution = {.reference = {"classes", "class_segments", "practice_tasks"}},
      // What it holds about a cadre: enrolments and their attendance.
      .personal_data =
          {{"enrolments",
            "SELECT e.* FROM enrolments e, target t WHERE e.county_code = t.county_code "
            "AND e.cadre_id = t.cadre_id ORDER BY e.id"},
           {"attendance",
            "SELECT a.* FROM attendance a JOIN enrolments e ON e.county_code = a.county_code "
            "AND e.id = a.enrolment_id, target t WHERE e.county_code = t.county_code "
            "AND e.cadre_id = t.cadre_id ORDER BY a.enrolment_id, a.segment"}},
      // A trainee's name, copied at enrolment, follows personnel's anonymisation.
      .copied_names = {{"enrolments",
                        "UPDATE enrolments x SET name = n.name FROM json_to_recordset($1::json) AS "
                        "n(id text, name text) "
                        "WHERE x.cadre_id = n.id AND x.name <> n.name RETURNING x.county_code"}},
      .anonymised_cadres = personnel::AnonymisedCadres,
  };
}

}  // namespace touyan::training
