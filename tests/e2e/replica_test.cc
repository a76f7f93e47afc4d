// Reads on replicas, against the streaming standby of the throw-away cluster
// (scripts/test.sh starts it: TOUYAN_TEST_REPLICA_PORT, and
// TOUYAN_TEST_REPLICA_CTL to stop and start it). Personnel reads its
// read-only calls there: a write's consistency token makes the next read
// see it (the replica once it has replayed it, else the primary), a paused
// replay never shows a token holder stale data, and a stopped standby fails
// no call. Which way each read went is read off touyan_replica_reads_total.
#include <cstdlib>
#include <limits>
#include <thread>

#include "tests/personnel/fixture.h"
#include "touyan/events/v1/events.grpc.pb.h"

namespace touyan::testing {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') {
    ADD_FAILURE() << name
                  << " is unset: run the tests with scripts/test.sh, which starts a standby";
    return "";
  }
  return v;
}

Cluster Standby() {
  Cluster c = Cluster::Get();
  c.port = Env("TOUYAN_TEST_REPLICA_PORT");
  return c;
}

// Stops or starts the standby.
void Standby(const std::string& action) {
  ASSERT_EQ(std::system((Env("TOUYAN_TEST_REPLICA_CTL") + " " + action).c_str()), 0) << action;
}

class ReplicaTest : public PersonnelTest {
 protected:
  static constexpr absl::Duration kMaxLag = absl::Seconds(2);

  static void SetUpTestSuite() {
    ServiceUnderTest& s = *Personnel();
    s.Stop();
    ServerConfig& c = s.mutable_config();
    c.database_read_url =
        Standby().Url("personnel_app", "app-test-password", "touyan_test_replica");
    c.replica.max_lag = kMaxLag;
    c.replica.wait = absl::Seconds(1);
    c.readiness_interval = absl::Milliseconds(200);
    s.Restart();
  }

  void SetUp() override {
    city_ = svc().Token(Role::kCityOrgDept, "150900000000");
    // A channel of its own, without the process's consistency session
    // (common/grpc/consistency.h) that svc().channel() has: each call here
    // sends the token it is given, or none.
    raw_ = pv1::PersonnelService::NewStub(
        grpc::CreateChannel(svc().address(), ChannelCredentialsFor(ClientTls())));
    WaitReplayed();
  }

  // Superuser SQL on the standby (replay pause and resume).
  static void OnStandby(const std::string& sql) {
    Cluster c = Standby();
    pqxx::connection conn(c.Url("postgres", c.password, "touyan_test_replica"));
    pqxx::nontransaction(conn).exec(sql);
  }
  // Waits until the standby has replayed everything the primary has now.
  void WaitReplayed() {
    std::string lsn;
    {
      auto admin = svc().Admin();
      lsn =
          pqxx::nontransaction(*admin).exec1("SELECT pg_current_wal_insert_lsn()::text")[0].c_str();
    }
    Cluster c = Standby();
    pqxx::connection conn(c.Url("postgres", c.password, "touyan_test_replica"));
    for (int i = 0; i < 500; ++i) {
      if (pqxx::nontransaction(conn)
              .exec_params1("SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn", lsn)[0]
              .as<bool>())
        return;
      absl::SleepFor(absl::Milliseconds(20));
    }
    FAIL() << "the standby did not replay " << lsn << " in 10 s";
  }

  // A new cadre number (resident IDs are unique; the database is this
  // binary's own).
  static int64_t Next() {
    static std::atomic<int64_t> n{700000};
    return n++;
  }

  static double Routed(const std::string& result) {
    return Personnel()
        ->server()
        .runtime()
        .metrics()
        .Counter("touyan_replica_reads_total", "", {{"result", result}})
        .Value();
  }

  // Creates a cadre; returns it, its consistency token in `token`.
  pv1::Cadre Write(int n, std::string* token) {
    pv1::CreateCadreRequest req;
    req.set_request_id(absl::StrCat("replica-", n, "-", absl::ToUnixMicros(absl::Now())));
    *req.mutable_cadre() = NewCadre(Next());
    auto ctx = WithToken(city_);
    pv1::Cadre out;
    grpc::Status s = raw_->CreateCadre(ctx.get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    const auto& md = ctx->GetServerTrailingMetadata();
    auto it = md.find(kConsistencyTokenKey);
    *token = it == md.end() ? "" : std::string(it->second.data(), it->second.size());
    return out;
  }

  // GetCadre with `token` (none if empty).
  Outcome Read(const std::string& id, const std::string& token, pv1::Cadre* out = nullptr) {
    auto ctx = WithToken(city_);
    if (!token.empty()) ctx->AddMetadata(kConsistencyTokenKey, token);
    pv1::GetCadreRequest req;
    req.set_id(id);
    pv1::Cadre ignored;
    return OutcomeOf(raw_->GetCadre(ctx.get(), req, out ? out : &ignored));
  }

  // ListCadres of the cadre's village with `token`: whether `id` is listed.
  bool Listed(const pv1::Cadre& cadre, const std::string& token) {
    auto ctx = WithToken(city_);
    if (!token.empty()) ctx->AddMetadata(kConsistencyTokenKey, token);
    pv1::ListCadresRequest req;
    req.set_region_code(cadre.region_code());
    req.set_page_size(500);
    pv1::ListCadresResponse resp;
    grpc::Status s = raw_->ListCadres(ctx.get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    for (const auto& c : resp.cadres())
      if (c.id() == cadre.id()) return true;
    return false;
  }

  std::string city_;
  std::unique_ptr<pv1::PersonnelService::Stub> raw_;
};

TEST_F(ReplicaTest, AWriteIsReadBackThroughTheReplicaWithItsToken) {
  std::string token;
  pv1::Cadre c = Write(1, &token);
  ASSERT_FALSE(token.empty()) << "a write on a service with a read URL returns a token";
  const double replica = Routed("replica");
  pv1::Cadre got;
  ASSERT_EQ(Read(c.id(), token, &got).code, grpc::StatusCode::OK);
  EXPECT_EQ(got.name(), c.name());
  EXPECT_TRUE(Listed(c, token));
  EXPECT_EQ(Routed("replica"), replica + 2) << "both reads were served by the standby";
}

TEST_F(ReplicaTest, AMalformedTokenIsRefusedNamingTheMetadata) {
  Outcome o = Read("150902-1", "not-a-position");
  EXPECT_EQ(o.code, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(o.reason, "BAD_CONSISTENCY_TOKEN");
  EXPECT_NE(o.message.find(kConsistencyTokenKey), std::string::npos) << o;
}

TEST_F(ReplicaTest, PausedReplayNeverShowsATokenHolderStaleData) {
  // The lag of a paused standby is the age of the last commit it replayed:
  // one now, so that it starts near 0.
  std::string before;
  Write(0, &before);
  WaitReplayed();
  OnStandby("SELECT pg_wal_replay_pause()");
  std::string token;
  pv1::Cadre c = Write(2, &token);
  const double behind = Routed("behind_token"), lagging = Routed("lagging");

  // Without a token a read may be as stale as --max-replica-lag: the
  // standby serves it, without the new cadre.
  EXPECT_EQ(Read(c.id(), "").code, grpc::StatusCode::NOT_FOUND);
  // With the token the standby cannot serve it within --replica-wait: the
  // primary does.
  EXPECT_EQ(Read(c.id(), token).code, grpc::StatusCode::OK);
  EXPECT_TRUE(Listed(c, token));
  EXPECT_EQ(Routed("behind_token"), behind + 2);
  // A client on a consistency session (touyanctl's channels; this test's
  // svc().channel()) sends the newest token it was given by itself.
  pv1::Cadre via_session;
  EXPECT_TRUE(Create(city_, absl::StrCat("replica-session-", absl::ToUnixMicros(absl::Now())),
                     NewCadre(Next()), &via_session)
                  .ok());
  EXPECT_EQ(Get(city_, via_session.id(), &via_session).error_code(), grpc::StatusCode::OK);
  EXPECT_EQ(Routed("behind_token"), behind + 3);
  // Past the lag limit, reads without a token go to the primary too.
  absl::SleepFor(kMaxLag + absl::Milliseconds(500));
  EXPECT_EQ(Read(c.id(), "").code, grpc::StatusCode::OK);
  EXPECT_EQ(Routed("lagging"), lagging + 1);

  // Replay resumed while a token read waits: the standby serves it.
  std::string token2;
  pv1::Cadre c2 = Write(3, &token2);
  const double replica = Routed("replica");
  std::thread resume([] {
    absl::SleepFor(absl::Milliseconds(300));
    OnStandby("SELECT pg_wal_replay_resume()");
  });
  Outcome o = Read(c2.id(), token2);
  resume.join();
  EXPECT_EQ(o.code, grpc::StatusCode::OK) << o;
  EXPECT_EQ(Routed("replica"), replica + 1);
}

TEST_F(ReplicaTest, AChangeStreamWokenByAChangeSeesItThoughReplayIsPaused) {
  std::string before;
  Write(5, &before);
  WaitReplayed();
  OnStandby("SELECT pg_wal_replay_pause()");
  auto events = ::touyan::events::v1::EventService::NewStub(
      grpc::CreateChannel(svc().address(), ChannelCredentialsFor(ClientTls())));
  auto ctx = WithToken(city_);
  ctx->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
  ::touyan::events::v1::WatchEventsRequest req;
  req.set_region_code("150902000000");
  req.add_types("cadres");
  auto reader = events->WatchEvents(ctx.get(), req);
  ::touyan::events::v1::WatchEventsResponse msg;
  ASSERT_TRUE(reader->Read(&msg));  // the stream's first token: it now waits
  absl::SleepFor(absl::Milliseconds(200));
  const absl::Time written = absl::Now();
  std::string token;
  pv1::Cadre c = Write(6, &token);
  bool seen = false;
  while (!seen && reader->Read(&msg)) {
    for (const auto& e : msg.events()) seen = seen || absl::StrContains(e.resource(), c.id());
  }
  const absl::Duration took = absl::Now() - written;
  ctx->TryCancel();
  reader->Finish();
  OnStandby("SELECT pg_wal_replay_resume()");
  EXPECT_TRUE(seen);
  // Woken with the primary's position, the stream's read waits
  // --replica-wait (1 s) for the paused standby, then reads the primary; a
  // stream that read the standby blindly would see nothing until its poll
  // (5 s) found the standby past --max-replica-lag.
  EXPECT_LT(took, absl::Seconds(4)) << took;
}

TEST_F(ReplicaTest, AStoppedStandbyFailsNoCall) {
  std::string token;
  pv1::Cadre c = Write(4, &token);
  ASSERT_EQ(Read(c.id(), token).code, grpc::StatusCode::OK);  // a replica connection is open
  Standby("stop");
  const double down = Routed("down") + Routed("failed");
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(Read(c.id(), token).code, grpc::StatusCode::OK);
    EXPECT_EQ(Read(c.id(), "").code, grpc::StatusCode::OK);
    EXPECT_TRUE(Listed(c, ""));
  }
  EXPECT_GE(Routed("down") + Routed("failed"), down + 15);
  // The lag gauge says the replica is gone (its alert fires on it).
  auto& lag = Personnel()->server().runtime().metrics().Gauge("touyan_db_replica_lag_seconds", "");
  for (int i = 0; i < 50 && lag.Value() != std::numeric_limits<double>::infinity(); ++i)
    absl::SleepFor(absl::Milliseconds(100));
  EXPECT_EQ(lag.Value(), std::numeric_limits<double>::infinity());

  Standby("start");
  WaitReplayed();
  // After the skip interval, the standby serves again.
  const double replica = Routed("replica");
  for (int i = 0; i < 100 && Routed("replica") == replica; ++i) {
    EXPECT_EQ(Read(c.id(), token).code, grpc::StatusCode::OK);
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_GT(Routed("replica"), replica);
  for (int i = 0; i < 50 && lag.Value() > 1; ++i) absl::SleepFor(absl::Milliseconds(100));
  EXPECT_LE(lag.Value(), 1);
}

}  // namespace
}  // namespace touyan::testing

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(
      new touyan::testing::PersonnelEnvironment("touyan_test_replica"));
  return RUN_ALL_TESTS();
}
