#include "services/personnel/spec.h"

#include "absl/strings/str_cat.h"
#include "services/personnel/personnel_service.h"
#include "services/personnel/pg_personnel_repository.h"

namespace touyan::personnel {

std::vector<db::Migration> Migrations();  // generated from migrations/*.sql

namespace {
const std::vector<crypto::SealedColumn> kPersonColumns = {
    {.sealed = "resident_id_sealed",
     .legacy = "resident_id",
     .index = "resident_id_index",
     .index_kind = "resident_id"},
    {.sealed = "phone_sealed", .legacy = "phone"},
};

// What personnel holds about the person of a cadre record: all their
// records (a transfer leaves one per county), posts, evaluations,
// nominations, and their seed and returnee entries.
std::vector<PersonalDataQuery> PersonalData() {
  const std::string index =
      "(SELECT c1.resident_id_index FROM cadres c1, target t WHERE c1.county_code = t.county_code "
      "AND c1.id = t.number)";
  // The record asked about and those its transfers link it to, both ways.
  const std::string records =
      "(WITH RECURSIVE r(county_code, id) AS (SELECT t.county_code COLLATE \"C\", t.number FROM "
      "target t UNION "
      "SELECT c2.county_code, c2.id FROM r JOIN cadres c ON c.county_code = r.county_code AND c.id "
      "= r.id "
      "JOIN cadres c2 ON (c2.county_code = split_part(c.transferred_to, '-', 1) AND "
      "c2.id = nullif(split_part(c.transferred_to, '-', 2), '')::bigint) OR "
      "(c2.county_code = split_part(c.transferred_from, '-', 1) AND "
      "c2.id = nullif(split_part(c.transferred_from, '-', 2), '')::bigint)) SELECT county_code, id "
      "FROM r)";
  auto of_records = [&](const std::string& table) {
    return PersonalDataQuery{
        table, absl::StrCat("SELECT x.* FROM ", table, " x WHERE (x.county_code, x.cadre_id) IN ",
                            records, " ORDER BY x.county_code, x.id")};
  };
  auto of_person = [&](const std::string& table) {
    return PersonalDataQuery{
        table, absl::StrCat("SELECT x.* FROM ", table, " x WHERE x.resident_id_index = ", index,
                            " OR (x.county_code, x.cadre_id) IN ", records,
                            " ORDER BY x.county_code, x.id")};
  };
  return {{"cadres", absl::StrCat("SELECT x.* FROM cadres x WHERE (x.county_code, x.id) IN ",
                                  records, " ORDER BY x.county_code, x.id")},
          of_records("positions"),
          of_records("nominations"),
          of_person("seeds"),
          of_person("returnees"),
          {"evaluations",
           absl::StrCat("SELECT x.* FROM evaluations x WHERE (x.county_code, x.cadre_id) IN ",
                        records, " ORDER BY x.county_code, x.year")}};
}

}  // namespace

ServiceSpec PersonnelSpec() {
  return ServiceSpec{
      .name = "personnel",
      .migrations = Migrations,
      .statements = PgPersonnelRepository::Statements(),
      .make_service = [](Runtime& rt) -> std::unique_ptr<grpc::Service> {
        return std::make_unique<PersonnelService>(rt, std::make_unique<PgPersonnelRepository>());
      },
      .calls = {},
      // The region tree, the city's selection rounds and the profile
      // thresholds are city-wide; a resident ID's registration is looked up
      // across counties (one person, one record in the deployment).
      .distribution = {.reference = {"regions", "selection_rounds", "profile_thresholds"},
                       .own_key = {{"people",
                                    "resident_id_index: a person is registered once in the "
                                    "deployment, whatever the county"}}},
      // Resident IDs and phone numbers, sealed (migration 005_sealed_people).
      .sealed = {{"cadres", kPersonColumns},
                 {"seeds", kPersonColumns},
                 {"returnees", kPersonColumns}},
      .personal_data = PersonalData(),
      .anonymise_departed = AnonymiseDeparted,
  };
}

}  // namespace touyan::personnel
