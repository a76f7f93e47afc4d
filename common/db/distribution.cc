#include "common/db/distribution.h"

#include "absl/strings/str_cat.h"

namespace touyan::db {

DistributionPlan CommonDistributionPlan() {
  return {
      .reference = {"schema_migrations", "role_scopes"},
      .own_key = {{"idempotency",
                   "request_id (the caller-scoped key): written in every mutation's transaction"}}};
}

namespace {

// The tables of the schema (partitioned parents, not their partitions) and
// the position of their county_code column (NULL: none).
constexpr char kTables[] =
    "WITH t AS (SELECT c.oid, c.relname, (SELECT a.attnum FROM pg_attribute a WHERE a.attrelid = "
    "c.oid AND a.attname = 'county_code' AND NOT a.attisdropped) AS cc FROM pg_class c JOIN "
    "pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') "
    "AND NOT c.relispartition) ";

}  // namespace

std::vector<std::string> DistributionProblems(pqxx::connection& conn, const std::string& schema,
                                              const DistributionPlan& plan) {
  DistributionPlan all = CommonDistributionPlan();
  all.reference.insert(plan.reference.begin(), plan.reference.end());
  all.own_key.insert(plan.own_key.begin(), plan.own_key.end());
  auto distributed = [&](const std::string& table) {
    return !all.reference.count(table) && !all.own_key.count(table);
  };
  std::vector<std::string> out;
  pqxx::read_transaction tx(conn);
  std::set<std::string> tables;
  for (const auto& r : tx.exec_params(std::string(kTables) + "SELECT relname, cc IS NOT NULL "
                                                             "FROM t ORDER BY 1",
                                      schema)) {
    const std::string table = r[0].as<std::string>();
    tables.insert(table);
    if (!r[1].as<bool>() && distributed(table)) {
      out.push_back(absl::StrCat(schema, ".", table,
                                 " has no county_code and is neither a reference table nor "
                                 "distributed on a key of its own in the plan"));
    }
  }
  // The service's own plan names tables that exist (a renamed table is not
  // silently left out of the check).
  for (const std::string& t : plan.reference) {
    if (!tables.count(t))
      out.push_back(absl::StrCat(schema, ".", t, " is in the plan but not in the schema"));
  }
  for (const auto& [t, why] : plan.own_key) {
    if (!tables.count(t))
      out.push_back(absl::StrCat(schema, ".", t, " is in the plan but not in the schema"));
  }
  // Keys of county-keyed tables without county_code.
  for (const auto& r : tx.exec_params(
           std::string(kTables) +
               "SELECT t.relname, con.conname FROM t JOIN pg_constraint con ON con.conrelid = "
               "t.oid WHERE con.contype IN ('p', 'u') AND t.cc IS NOT NULL AND NOT (t.cc = ANY "
               "(con.conkey)) UNION ALL SELECT t.relname, i.indexrelid::regclass::text FROM t "
               "JOIN pg_index i ON i.indrelid = t.oid WHERE i.indisunique AND t.cc IS NOT NULL "
               "AND NOT (t.cc = ANY (i.indkey::int2[])) AND NOT EXISTS (SELECT 1 FROM "
               "pg_constraint k WHERE k.conindid = i.indexrelid) ORDER BY 1, 2",
           schema)) {
    const std::string table = r[0].as<std::string>();
    if (!distributed(table)) continue;
    out.push_back(absl::StrCat(schema, ".", table, ": unique key ", r[1].as<std::string>(),
                               " does not include county_code"));
  }
  // Foreign keys: between distributed tables through county_code on both
  // sides; none from a reference table to a distributed one.
  for (const auto& r : tx.exec_params(
           std::string(kTables) +
               "SELECT t.relname, con.conname, f.relname, EXISTS (SELECT 1 FROM "
               "generate_subscripts(con.conkey, 1) k WHERE con.conkey[k] = t.cc AND "
               "con.confkey[k] = f.cc) FROM t JOIN pg_constraint con ON con.conrelid = t.oid AND "
               "con.contype = 'f' JOIN t f ON f.oid = con.confrelid ORDER BY 1, 2",
           schema)) {
    const std::string from = r[0].as<std::string>(), fk = r[1].as<std::string>(),
                      to = r[2].as<std::string>();
    if (!distributed(to)) continue;  // to a reference table: allowed anywhere
    if (!distributed(from)) {
      out.push_back(absl::StrCat(schema, ".", from, ": foreign key ", fk,
                                 " from a table that is not county-keyed to county-keyed ", to));
    } else if (!r[3].as<bool>()) {
      out.push_back(absl::StrCat(schema, ".", from, ": foreign key ", fk, " to ", to,
                                 " does not pair county_code with county_code"));
    }
  }
  return out;
}

}  // namespace touyan::db
