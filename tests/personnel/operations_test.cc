// What operators rely on beneath the API: migrations apply once and refuse
// edited history; the pool survives terminated backends and never opens a
// connection per call.
#include "common/db/migrate.h"
#include "tests/personnel/fixture.h"

namespace touyan::personnel {
std::vector<db::Migration> Migrations();
}

namespace touyan::testing {
namespace {

static auto* const kEnv =
    ::testing::AddGlobalTestEnvironment(new PersonnelEnvironment("touyan_test_operations"));

using grpc::StatusCode;

TEST_F(PersonnelTest, MigrationsApplyOnceAndRefuseEditedHistory) {
  const db::SchemaRoles roles{"personnel", "personnel_app"};
  const int64_t applied = svc().Count("SELECT count(*) FROM personnel.schema_migrations");
  EXPECT_EQ(applied,
            static_cast<int64_t>(personnel::Migrations().size() + db::CommonMigrations().size()))
      << "every migration recorded once";
  ASSERT_TRUE(
      db::Migrate(svc().config().migration_database_url, roles, personnel::Migrations()).ok());
  EXPECT_EQ(svc().Count("SELECT count(*) FROM personnel.schema_migrations"), applied);

  std::vector<db::Migration> edited = personnel::Migrations();
  edited[0].sql += "\n-- edited after it was applied\n";
  absl::Status s = db::Migrate(svc().config().migration_database_url, roles, edited);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("001_core"), std::string::npos) << s;

  std::vector<db::Migration> more = personnel::Migrations();
  more.push_back({"999_test", "CREATE TABLE {{schema}}.migration_probe (x int)"});
  ASSERT_TRUE(db::Migrate(svc().config().migration_database_url, roles, more).ok());
  EXPECT_EQ(svc().Count("SELECT count(*) FROM personnel.schema_migrations"), applied + 1);
  EXPECT_EQ(svc().Count("SELECT count(*) FROM personnel.migration_probe"), 0);
}

TEST_F(PersonnelTest, TerminatedBackendsAreReplacedWithoutFailingCalls) {
  pv1::Cadre c;
  ASSERT_TRUE(Create(city_, "ops-1", NewCadre(1), &c).ok());
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(Get(city_, c.id(), &c).ok());  // warm the pool
  const int64_t killed = svc().Count(
      "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
      "WHERE usename = 'personnel_app' AND datname = current_database()");
  EXPECT_GE(killed, 1);
  for (int i = 0; i < 20; ++i) {
    grpc::Status s = Get(city_, c.id(), &c);
    EXPECT_TRUE(s.ok()) << "call " << i << ": " << s.error_message();
  }
  pv1::Cadre d;
  EXPECT_TRUE(Create(city_, "ops-2", NewCadre(2), &d).ok());
}

TEST_F(PersonnelTest, TheServiceHoldsAFixedSetOfConnections) {
  pv1::Cadre c;
  ASSERT_TRUE(Create(city_, "ops-3", NewCadre(3), &c).ok());
  db::ConnectionPool& pool = svc().server().runtime().pool();
  const int64_t before = pool.connections_opened();
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      pv1::Cadre out;
      for (int i = 0; i < 50; ++i) EXPECT_TRUE(Get(city_, c.id(), &out).ok());
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LE(pool.connections_opened() - before, pool.size())
      << "400 calls must reuse the pool's connections";
  EXPECT_LE(svc().Count("SELECT count(*) FROM pg_stat_activity WHERE usename = 'personnel_app' "
                        "AND datname = current_database()"),
            pool.size());
}

}  // namespace
}  // namespace touyan::testing
