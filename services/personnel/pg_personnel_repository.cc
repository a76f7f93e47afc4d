#include "services/personnel/pg_personnel_repository.h"

namespace touyan::personnel {
namespace {

// Statements the code of more than one area runs.
std::vector<db::Statement> SharedStatements() {
  const std::string& cadre_cols = CadreSelectColumns();
  return {
      {"org_lock",
       "SELECT kind, region_code FROM party_orgs WHERE county_code = $1 AND id = $2 FOR UPDATE"},
      // Who holds a resident ID, for the refusal: the county and its name.
      {"person_holder",
       "SELECT p.county_code, coalesce(r.name, ''), p.cadre_id FROM people p "
       "LEFT JOIN regions r ON r.code = p.county_code || '000000' WHERE p.resident_id_index = $1"},
      {"cadre_get",
       "SELECT " + cadre_cols + " FROM cadres c WHERE c.county_code = $1 AND c.id = $2"},
      {"cadre_birth",
       "SELECT birth_date::text, region_code FROM cadres WHERE county_code = $1 AND id = $2"},
  };
}

}  // namespace

std::vector<db::Statement> PgPersonnelRepository::Statements() {
  std::vector<db::Statement> all = SharedStatements();
  for (auto* more : {RegionStatements, CadreStatements, CadreImportStatements, PositionStatements,
                     DesignationStatements, ProfileStatements, SeedStatements}) {
    for (auto& s : more()) all.push_back(std::move(s));
  }
  return all;
}

}  // namespace touyan::personnel
