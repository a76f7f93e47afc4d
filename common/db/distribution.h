// Whether a service's schema can be distributed by county on Citus (one
// shard group per county, colocated): read from the catalogue of a migrated
// database, not from the migration files.
//
// A table with a `county_code` column is county-keyed (distributed on it)
// unless the plan names it a reference table (copied to every node) or a
// table distributed on a key of its own. A county-keyed table's primary key,
// unique constraints and unique indexes include county_code, and so does
// every foreign key to another county-keyed table, on both sides (Citus
// enforces uniqueness and references only within a shard). A reference
// table references no distributed table. A table without county_code is a
// reference table or has a key of its own — named in the plan either way.
#ifndef TOUYAN_COMMON_DB_DISTRIBUTION_H_
#define TOUYAN_COMMON_DB_DISTRIBUTION_H_

#include <map>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <vector>

namespace touyan::db {

struct DistributionPlan {
  // Small, city-wide or read by every county: replicated to every node.
  std::set<std::string> reference;
  // Distributed on a key of their own, not colocated with the counties'
  // data (table → the key and why).
  std::map<std::string, std::string> own_key;
};

// The tables of every service's schema that are the same everywhere: the
// migration bookkeeping, the role scopes, the idempotency records (keyed by
// caller and request id, written with every mutation: distributed on that
// key, one more shard a mutation's transaction touches).
DistributionPlan CommonDistributionPlan();

// What keeps `schema` from being distributed by county under `plan`, one
// sentence per problem naming the table and constraint; empty when it can.
std::vector<std::string> DistributionProblems(pqxx::connection& conn, const std::string& schema,
                                              const DistributionPlan& plan);

}  // namespace touyan::db

#endif  // TOUYAN_COMMON_DB_DISTRIBUTION_H_
