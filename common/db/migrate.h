// Schema migrations: numbered SQL files per service, embedded in the binary
// (cmake/touyan.cmake), applied in order, once, under an advisory lock, and
// recorded with a checksum in <schema>.schema_migrations.
#ifndef TOUYAN_COMMON_DB_MIGRATE_H_
#define TOUYAN_COMMON_DB_MIGRATE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace touyan::db {

struct Migration {
  std::string name;  // "001_init"
  std::string sql;   // may use {{schema}} and {{app_role}}
};

// The tables every service schema has: audit_log, idempotency, and the
// row-level security helpers. Applied before the service's own.
std::vector<Migration> CommonMigrations();

struct SchemaRoles {
  std::string schema;    // "personnel"
  std::string app_role;  // the role the service runs as
  // Counties whose deployments log in as <app_role>_<county> (6 digits):
  // after migrating, the schema's role_scopes holds exactly these (and the
  // app role, unbounded). Empty: role_scopes is left as it is.
  std::vector<std::string> county_roles;
};

// Applies `migrations` (after the common ones) as the schema owner at `url`.
// Returns FAILED_PRECONDITION if an applied migration's text has changed.
absl::Status Migrate(const std::string& url, const SchemaRoles& roles,
                     const std::vector<Migration>& migrations);

// Development and tests: as a superuser at `admin_url`, creates the owner and
// app login roles named (with passwords) in `owner_url` and `app_url`, and
// the schema owned by the owner. Idempotent.
absl::Status Bootstrap(const std::string& admin_url, const std::string& schema,
                       const std::string& owner_url, const std::string& app_url);

// The user named in a libpq connection string or URI.
std::string UserOf(const std::string& url);

}  // namespace touyan::db

#endif  // TOUYAN_COMMON_DB_MIGRATE_H_
