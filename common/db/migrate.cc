#include "common/db/migrate.h"

#include <libpq-fe.h>

#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "common/auth/jwt.h"
#include "common/db/transaction.h"
#include "common/log/log.h"
#include "common/status/status.h"

namespace touyan::db {
namespace {

struct Credentials {
  std::string user;
  std::string password;
};

Credentials CredentialsOf(const std::string& url) {
  Credentials c;
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(url.c_str(), &err);
  if (err != nullptr) PQfreemem(err);
  if (opts == nullptr) return c;
  for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    if (absl::string_view(o->keyword) == "user") c.user = o->val;
    if (absl::string_view(o->keyword) == "password") c.password = o->val;
  }
  PQconninfoFree(opts);
  return c;
}

std::string Hex(absl::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

}  // namespace

std::string UserOf(const std::string& url) { return CredentialsOf(url).user; }

absl::Status Migrate(const std::string& url, const SchemaRoles& roles,
                     const std::vector<Migration>& migrations) {
  std::vector<Migration> all = CommonMigrations();
  for (auto& m : all) m.name = "common/" + m.name;
  all.insert(all.end(), migrations.begin(), migrations.end());
  try {
    pqxx::connection conn(url);
    pqxx::nontransaction n(conn);
    const std::string schema = n.quote_name(roles.schema);
    n.exec_params("SELECT pg_advisory_lock(hashtext($1))", "touyan.migrate." + roles.schema);
    n.exec("SET search_path TO " + schema);
    n.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, "
        "checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
    int applied = 0;
    for (const auto& m : all) {
      std::string sql = absl::StrReplaceAll(
          m.sql, {{"{{schema}}", schema}, {"{{app_role}}", n.quote_name(roles.app_role)}});
      std::string sum = Hex(auth::Sha256(sql));
      pqxx::result r =
          n.exec_params("SELECT checksum FROM schema_migrations WHERE name = $1", m.name);
      if (!r.empty()) {
        if (r[0][0].as<std::string>() != sum) {
          n.exec("SELECT pg_advisory_unlock_all()");
          return absl::FailedPreconditionError(
              absl::StrCat("migration ", m.name, " in schema ", roles.schema,
                           " was changed after it was applied: add a new migration instead"));
        }
        continue;
      }
      n.exec("BEGIN");
      try {
        n.exec(sql);
        n.exec_params("INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)", m.name,
                      sum);
        n.exec("COMMIT");
      } catch (...) {
        n.exec("ROLLBACK");
        throw;
      }
      ++applied;
      log::Info("migration applied", {{"schema", roles.schema}, {"migration", m.name}});
    }
    // Policies that call the one-argument scope checks get the role's bound
    // prefix as an argument, looked up once a statement (common migration
    // 009); nothing to do once every policy has it.
    if (int bound = n.exec("SELECT " + schema + ".bind_scope_policies()")[0][0].as<int>();
        bound > 0) {
      log::Info("row-level security policies bound to the role's scope",
                {{"schema", roles.schema}, {"policies", std::to_string(bound)}});
    }
    if (!roles.county_roles.empty()) {
      // Bind each county's role to its county; a role dropped from the list
      // loses its row, and with it every row it could reach.
      std::vector<std::string> names;
      n.exec("BEGIN");
      for (const std::string& code : roles.county_roles) {
        const std::string role = absl::StrCat(roles.app_role, "_", code);
        names.push_back(absl::StrCat("\"", role, "\""));
        n.exec_params(
            "INSERT INTO role_scopes (role_name, county_prefix) VALUES ($1, $2) "
            "ON CONFLICT (role_name) DO UPDATE SET county_prefix = EXCLUDED.county_prefix",
            role, code);
      }
      n.exec_params(
          "DELETE FROM role_scopes WHERE role_name <> $1 AND role_name <> ALL($2::text[])",
          roles.app_role, absl::StrCat("{", absl::StrJoin(names, ","), "}"));
      n.exec("COMMIT");
      log::Info("county roles bound", {{"schema", roles.schema},
                                       {"counties", std::to_string(roles.county_roles.size())}});
    }
    n.exec("SELECT pg_advisory_unlock_all()");
    log::Info("schema up to date",
              {{"schema", roles.schema}, {"applied", std::to_string(applied)}});
    return absl::OkStatus();
  } catch (const pqxx::sql_error& e) {
    return absl::FailedPreconditionError(
        absl::StrCat("migrating schema ", roles.schema, " failed: ", e.what()));
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("migrating schema ", roles.schema, ": cannot reach the database: ", e.what()));
  }
}

namespace {

// Postgres builds the statements (format %I, %L), so nothing is quoted here.
void BootstrapOnce(const std::string& admin_url, const std::string& schema,
                   const Credentials& owner, const Credentials& app) {
  pqxx::connection conn(admin_url);
  pqxx::work tx(conn);
  auto run_built = [&](const std::string& builder, const std::string& a, const std::string& b) {
    tx.exec(tx.exec_params(builder, a, b)[0][0].as<std::string>());
  };
  for (const Credentials* c : {&owner, &app}) {
    // Roles are cluster-wide and advisory locks per database: another
    // database's bootstrap may create the role at the same moment.
    run_built(
        "SELECT format('DO $d$ BEGIN CREATE ROLE %I LOGIN; EXCEPTION WHEN duplicate_object "
        "OR unique_violation THEN NULL; END $d$', $1::text, $2::text)",
        c->user, "");
    if (!c->password.empty()) {
      run_built("SELECT format('ALTER ROLE %I LOGIN PASSWORD %L', $1::text, $2::text)", c->user,
                c->password);
    }
  }
  run_built(
      "SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I, %I', "
      "current_database(), $1::text, $2::text)",
      owner.user, app.user);
  run_built("SELECT format('CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I', $1::text, $2::text)",
            schema, owner.user);
  run_built("SELECT format('REVOKE ALL ON SCHEMA %I FROM PUBLIC', $1::text, $2::text)", schema, "");
  tx.commit();
}

}  // namespace

absl::Status Bootstrap(const std::string& admin_url, const std::string& schema,
                       const std::string& owner_url, const std::string& app_url) {
  Credentials owner = CredentialsOf(owner_url), app = CredentialsOf(app_url);
  if (owner.user.empty() || app.user.empty() || owner.user == app.user) {
    return absl::InvalidArgumentError(
        "bootstrap needs distinct users in the migration and the service database URLs");
  }
  std::string last_error;
  for (int attempt = 0; attempt < 5; ++attempt) {
    try {
      BootstrapOnce(admin_url, schema, owner, app);
      return absl::OkStatus();
    } catch (const pqxx::broken_connection& e) {
      return absl::UnavailableError(absl::StrCat("bootstrapping schema ", schema, ": ", e.what()));
    } catch (const std::exception& e) {
      // Concurrent role changes ("tuple concurrently updated") clear on retry.
      last_error = e.what();
      absl::SleepFor(absl::Milliseconds(50 * (attempt + 1)));
    }
  }
  return absl::FailedPreconditionError(
      absl::StrCat("bootstrapping schema ", schema, ": ", last_error));
}

}  // namespace touyan::db

namespace touyan::db {
namespace common_sql {
std::vector<Migration> Migrations();  // generated from common/db/migrations
}
std::vector<Migration> CommonMigrations() { return common_sql::Migrations(); }
}  // namespace touyan::db
