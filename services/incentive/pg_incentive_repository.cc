#include "services/incentive/pg_incentive_repository.h"

#include "services/incentive/pg_rows.h"

namespace touyan::incentive {

// Statements used by the shared row loaders or by more than one area.
namespace {
std::vector<db::Statement> SharedStatements() {
  const std::string ev = kEvaluationCols;
  return {
      {"evaluation_get", "SELECT " + ev + " FROM evaluations WHERE county_code = $1 AND id = $2"},
      {"evaluation_lock",
       "SELECT " + ev + " FROM evaluations WHERE county_code = $1 AND id = $2 FOR UPDATE"},
  };
}
}  // namespace

std::vector<db::Statement> PgIncentiveRepository::Statements() {
  std::vector<db::Statement> all = SharedStatements();
  for (auto* area :
       {&AssessmentStatements, &RecordStatements, &AwardStatements, &ProposalStatements}) {
    for (db::Statement& s : area()) all.push_back(std::move(s));
  }
  return all;
}

}  // namespace touyan::incentive
