// What operators rely on beneath the API: migrations apply once and refuse
// edited history; the pool survives terminated backends and never opens a
// connection per call; a call held on gRPC's own thread holds up no other;
// a mutation's transaction ends whatever its body did.
#include "common/call/call_context.h"
#include "common/db/migrate.h"
#include "common/grpc/runtime.h"
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

// A lease whose connection was dropped after a failure (MarkBroken) says
// the connection is lost to whoever uses it next, and the runners
// reconnect it; it used to be a null dereference.
TEST_F(PersonnelTest, ALeaseWhoseConnectionWasDroppedReportsItLost) {
  db::ConnectionPool& pool = svc().server().runtime().pool();
  absl::StatusOr<db::Lease> lease = pool.Acquire(absl::Now() + absl::Seconds(5));
  ASSERT_TRUE(lease.ok()) << lease.status();
  lease->MarkBroken();
  EXPECT_THROW(lease->conn(), pqxx::broken_connection);
  absl::Status read = db::RunRead(*lease, {"*", false}, absl::Now() + absl::Seconds(5),
                                  [](db::Tx& tx) -> absl::Status {
                                    tx.exec("SELECT 1");
                                    return absl::OkStatus();
                                  });
  EXPECT_TRUE(read.ok()) << read;
  EXPECT_NO_THROW(lease->conn());
}

// One unary call at a time runs on the gRPC thread that received it
// (--inline-calls=1, no hand-off to a worker). While that call waits in
// Postgres, gRPC still answers: every other call goes to the workers.
TEST_F(PersonnelTest, ACallWaitingOnTheGrpcThreadHoldsUpNoOther) {
  pv1::Cadre c;
  ASSERT_TRUE(Create(city_, "ops-inline-1", NewCadre(5), &c).ok());
  Runtime& rt = svc().server().runtime();
  ASSERT_EQ(rt.options().inline_calls, 1);
  int64_t inline_calls = rt.calls_inline();
  ASSERT_TRUE(Get(city_, c.id(), &c).ok());
  EXPECT_EQ(rt.calls_inline(), ++inline_calls) << "a call alone runs where it arrived";

  // The row locked by another session: an update waits for it.
  const ResourceId id = *ResourceId::Parse("id", c.id());
  auto admin = svc().Admin();
  pqxx::work lock(*admin);
  lock.exec_params("SELECT 1 FROM personnel.cadres WHERE county_code = $1 AND id = $2 FOR UPDATE",
                   id.county_code, id.number);
  grpc::Status updated;
  std::thread update([&] {
    pv1::UpdateCadreRequest req;
    req.set_request_id("ops-inline-2");
    req.mutable_cadre()->set_id(c.id());
    req.mutable_cadre()->set_name("新名字");
    req.mutable_update_mask()->add_paths("name");
    pv1::Cadre out;
    updated = stub().UpdateCadre(WithToken(city_).get(), req, &out);
  });
  bool waiting = false;
  for (int i = 0; i < 200 && !waiting; ++i) {
    waiting = svc().Count(
                  "SELECT count(*) FROM pg_stat_activity WHERE usename = 'personnel_app' "
                  "AND wait_event_type = 'Lock'") == 1;
    if (!waiting) absl::SleepFor(absl::Milliseconds(25));
  }
  ASSERT_TRUE(waiting) << "the update never reached the row lock";
  EXPECT_EQ(rt.calls_inline(), ++inline_calls) << "the waiting update holds the gRPC thread";

  for (int i = 0; i < 20; ++i) {
    pv1::GetCadreRequest req;
    req.set_id(c.id());
    auto ctx = WithToken(city_);
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    pv1::Cadre out;
    grpc::Status s = stub().GetCadre(ctx.get(), req, &out);
    EXPECT_TRUE(s.ok()) << "read " << i << " while the update waits: " << s.error_message();
  }
  EXPECT_EQ(rt.calls_inline(), inline_calls) << "the reads went to the workers";

  lock.commit();
  update.join();
  EXPECT_TRUE(updated.ok()) << updated.error_message();
  ASSERT_TRUE(Get(city_, c.id(), &c).ok());
  EXPECT_EQ(c.name(), "新名字");
  EXPECT_EQ(rt.calls_inline(), ++inline_calls) << "the thread is free again";
}

// CallContext::MutateInto sends BEGIN with the claim of request_id and
// COMMIT with the audit rows and stored answer (db::RunPipelined), and runs
// the body's own statements in between: what the body leaves behind is
// committed only when it returns OK and nothing in it failed.
TEST_F(PersonnelTest, AMutationCommitsOnlyWhatSucceededAndLeavesItsConnectionIdle) {
  {
    auto admin = svc().Admin();
    pqxx::work w(*admin);
    w.exec("CREATE TABLE personnel.mutation_probe (x int)");
    w.exec("GRANT SELECT, INSERT ON personnel.mutation_probe TO personnel_app");
    w.commit();
  }
  Runtime& rt = svc().server().runtime();
  const auth::Principal who{"mutation-probe", Role::kCityOrgDept, "150900000000", "1509"};
  const int64_t opened = rt.pool().connections_opened();
  pv1::Cadre request;
  request.set_name("probe");
  const idempotency::Fingerprint fp = idempotency::FingerprintOf(request);
  int runs = 0;
  auto mutate = [&](const std::string& id, int x, absl::Status (*end)(db::Tx&)) {
    CallContext call(rt, who, absl::Now() + absl::Seconds(30), "UpdateProbe");
    pv1::Cadre out;
    absl::Status s = call.MutateInto(fp, id, out, [&](db::Tx& tx, google::protobuf::Message& m) {
      ++runs;
      tx.exec_params("INSERT INTO personnel.mutation_probe VALUES ($1)", x);
      call.Audit({"150902", absl::StrCat("probes/", x)});
      static_cast<pv1::Cadre&>(m).set_name(absl::StrCat("stored ", x));
      return end(tx);
    });
    return std::make_pair(s, out.name());
  };
  auto rows = [&](int x) {
    return svc().Count(absl::StrCat("SELECT count(*) FROM personnel.mutation_probe WHERE x = ", x));
  };
  auto claimed = [&](const std::string& id) {
    return svc().Count(absl::StrCat(
        "SELECT count(*) FROM personnel.idempotency WHERE subject = 'mutation-probe' AND "
        "request_id = '",
        id, "'"));
  };

  // The body refuses after writing: nothing stays, and the id is free.
  auto [refused, _] = mutate(
      "probe-a", 1, [](db::Tx&) { return absl::FailedPreconditionError("the probe refuses"); });
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition) << refused;
  EXPECT_EQ(rows(1), 0);
  EXPECT_EQ(claimed("probe-a"), 0);

  // A statement in the body fails and the body lets it pass: the call
  // fails, nothing stays.
  auto [swallowed, __] = mutate("probe-b", 2, [](db::Tx& tx) {
    try {
      tx.exec("SELECT 1 / 0");
    } catch (const pqxx::sql_error&) {
    }
    return absl::OkStatus();
  });
  EXPECT_FALSE(swallowed.ok());
  EXPECT_EQ(rows(2), 0);
  EXPECT_EQ(claimed("probe-b"), 0);

  // The refused id again, with a body that succeeds: it commits once, and
  // a retry returns the stored answer without running the body.
  runs = 0;
  auto [first, first_name] = mutate("probe-a", 3, [](db::Tx&) { return absl::OkStatus(); });
  ASSERT_TRUE(first.ok()) << first;
  auto [retry, retry_name] = mutate("probe-a", 3, [](db::Tx&) { return absl::OkStatus(); });
  ASSERT_TRUE(retry.ok()) << retry;
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(first_name, "stored 3");
  EXPECT_EQ(retry_name, "stored 3");
  EXPECT_EQ(rows(3), 1);
  EXPECT_EQ(claimed("probe-a"), 1);
  EXPECT_EQ(svc().Count("SELECT count(*) FROM personnel.audit_log WHERE subject = "
                        "'mutation-probe'"),
            1)
      << "the audit row of the committed call alone";

  // Every failure ended its transaction on a connection the pool kept.
  EXPECT_EQ(rt.pool().connections_opened(), opened);
  pv1::Cadre c;
  EXPECT_TRUE(Create(city_, "ops-after-probe", NewCadre(4), &c).ok());
  EXPECT_TRUE(Get(city_, c.id(), &c).ok());
}

}  // namespace
}  // namespace touyan::testing
