// The change stream through touyan.events.v1.EventService on the personnel
// service, against real Postgres: a stream cut mid-way under writes and
// resumed from its token sees every change once, in order, none missing;
// filters by type and region; who may watch; personal values masked; a
// token that needs events no longer kept is refused, not silently skipped.
#include <atomic>
#include <set>
#include <thread>

#include "absl/synchronization/notification.h"
#include "common/grpc/event_hub.h"
#include "nlohmann/json.hpp"
#include "tests/personnel/fixture.h"
#include "touyan/events/v1/events.grpc.pb.h"

namespace touyan::testing {
namespace {

static auto* const kEnv =
    ::testing::AddGlobalTestEnvironment(new PersonnelEnvironment("touyan_test_events"));

namespace ev = ::touyan::events::v1;
using grpc::StatusCode;

class EventsTest : public PersonnelTest {
 protected:
  ev::EventService::Stub& events() {
    if (!events_) events_ = ev::EventService::NewStub(svc().channel());
    return *events_;
  }

  // Reads a stream until `enough` says stop (or `timeout`), then cancels it.
  // Returns the events read, the last token and the stream's end.
  struct Read {
    std::vector<ev::Event> events;
    std::string token;
    Outcome end;
  };
  Read Watch(const std::string& token, ev::WatchEventsRequest req,
             const std::function<bool(const Read&)>& enough,
             absl::Duration timeout = absl::Seconds(60)) {
    Read out;
    auto ctx = WithToken(token);
    ctx->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
    auto reader = events().WatchEvents(ctx.get(), req);
    ev::WatchEventsResponse msg;
    while (reader->Read(&msg)) {
      for (const auto& e : msg.events()) out.events.push_back(e);
      out.token = msg.resume_token();
      if (enough(out)) {
        ctx->TryCancel();
        break;
      }
    }
    out.end = OutcomeOf(reader->Finish());
    return out;
  }
  // The token of this moment (the first message of a stream from now).
  std::string Now(const std::string& token, const std::string& region = "") {
    ev::WatchEventsRequest req;
    req.set_region_code(region);
    Read r = Watch(token, req, [](const Read& r) { return !r.token.empty(); });
    EXPECT_FALSE(r.token.empty());
    return r.token;
  }
  pv1::Cadre Created(int64_t n, const std::string& village = "150902001001") {
    pv1::Cadre out;
    grpc::Status s = Create(city_, absl::StrCat("ev-create-", n), NewCadre(n, village), &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  std::unique_ptr<ev::EventService::Stub> events_;
};

TEST_F(EventsTest, AStreamCutUnderWritesAndResumedSeesEveryChangeOnceInOrder) {
  const std::string start = Now(jining_, "150902000000");
  constexpr int kWrites = 60;
  std::atomic<int> written{0};
  std::vector<std::string> ids(kWrites);
  std::thread writer([&] {
    for (int i = 0; i < kWrites; ++i) {
      ids[i] = Created(42000 + i, i % 2 ? "150902001001" : "150902002001").id();
      written = i + 1;
      absl::SleepFor(absl::Milliseconds(20));  // a steady trickle, so the cut falls mid-way
    }
  });
  // The first stream takes about a third of the writes, then breaks off.
  ev::WatchEventsRequest req;
  req.set_resume_token(start);
  req.add_types("cadres");
  Read first = Watch(jining_, req, [](const Read& r) { return r.events.size() >= kWrites / 3; });
  EXPECT_EQ(first.end.code, StatusCode::CANCELLED);
  ASSERT_GE(first.events.size(), kWrites / 3);
  EXPECT_LT(written.load(), kWrites) << "the cut should come while the writer still writes";
  // Resumed from the last token: the rest, and nothing twice.
  req.set_resume_token(first.token);
  const size_t got = first.events.size();
  Read rest =
      Watch(jining_, req, [&](const Read& r) { return got + r.events.size() >= size_t{kWrites}; });
  writer.join();
  std::vector<ev::Event> all = first.events;
  all.insert(all.end(), rest.events.begin(), rest.events.end());
  ASSERT_EQ(all.size(), size_t{kWrites});
  std::set<std::string> resources;
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].county_code(), "150902");
    EXPECT_EQ(all[i].type(), "cadres");
    EXPECT_EQ(all[i].method(), "CreateCadre");
    if (i > 0) EXPECT_EQ(all[i].sequence(), all[i - 1].sequence() + 1) << "in order, no gap";
    resources.insert(all[i].resource());
  }
  for (const std::string& id : ids) EXPECT_TRUE(resources.count("cadres/" + id)) << id;
  EXPECT_EQ(resources.size(), size_t{kWrites});
  // The state is the cadre as created, its personal values masked.
  auto state = nlohmann::json::parse(all[0].state_json());
  EXPECT_EQ(state["id"], all[0].resource().substr(7));
  EXPECT_NE(state["resident_id"].get<std::string>().find("********"), std::string::npos);
}

TEST_F(EventsTest, FiltersByTypeAndRegionAndReplaysFromTheOldest) {
  const std::string start = Now(city_);
  pv1::Cadre a = Created(43001, "150902001001");  // 集宁区
  pv1::Cadre b = Created(43002, "150929100001");  // 四子王旗
  ev::WatchEventsRequest req;
  req.set_resume_token(start);
  // The city sees both counties; each county's own sequence.
  Read both = Watch(city_, req, [](const Read& r) { return r.events.size() >= 2; });
  ASSERT_EQ(both.events.size(), 2u);
  std::set<std::string> counties{both.events[0].county_code(), both.events[1].county_code()};
  EXPECT_EQ(counties, (std::set<std::string>{"150902", "150929"}));
  // A region: one county only.
  req.set_region_code("150929000000");
  Read one = Watch(city_, req, [](const Read& r) { return !r.events.empty(); });
  ASSERT_EQ(one.events.size(), 1u);
  EXPECT_EQ(one.events[0].resource(), "cadres/" + b.id());
  // Another type: nothing of these (a heartbeat-free wait ends by deadline).
  req.clear_region_code();
  req.add_types("positions");
  Read none = Watch(
      city_, req, [](const Read& r) { return !r.events.empty(); }, absl::Seconds(2));
  EXPECT_TRUE(none.events.empty());
  EXPECT_EQ(none.end.code, StatusCode::DEADLINE_EXCEEDED);
  // From the oldest kept: the first creation of the county is there too.
  ev::WatchEventsRequest oldest;
  oldest.set_from_oldest(true);
  oldest.set_region_code("150902000000");
  Read from_start = Watch(jining_, oldest, [&](const Read& r) {
    for (const auto& e : r.events)
      if (e.resource() == "cadres/" + a.id()) return true;
    return false;
  });
  ASSERT_FALSE(from_start.events.empty());
  EXPECT_EQ(from_start.events[0].sequence(), 1);
}

TEST_F(EventsTest, WhoMayWatchWhat) {
  ev::WatchEventsRequest req;
  req.set_region_code("150929000000");  // 四子王旗, not Jining's
  EXPECT_EQ(Watch(jining_, req, [](const Read&) { return true; }).end.code,
            StatusCode::PERMISSION_DENIED);
  req.clear_region_code();
  Outcome township = Watch(township_, req, [](const Read&) { return true; }).end;
  EXPECT_EQ(township.code, StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(township.reason, "ROLE_NOT_ALLOWED");
  req.set_region_code("150902001000");  // a township
  Outcome fine = Watch(city_, req, [](const Read&) { return true; }).end;
  EXPECT_EQ(fine.code, StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(fine.field, "region_code");
  req.clear_region_code();
  req.set_resume_token("not-a-token");
  Outcome bad = Watch(city_, req, [](const Read&) { return true; }).end;
  EXPECT_EQ(bad.code, StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(bad.field, "resume_token");
  req.clear_resume_token();
  req.add_types("Cadres!");
  Outcome type = Watch(city_, req, [](const Read&) { return true; }).end;
  EXPECT_EQ(type.code, StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(type.field, "types[0]");
  // No token at all.
  grpc::ClientContext ctx;
  ev::WatchEventsResponse msg;
  auto reader = events().WatchEvents(&ctx, ev::WatchEventsRequest());
  EXPECT_FALSE(reader->Read(&msg));
  EXPECT_EQ(reader->Finish().error_code(), StatusCode::UNAUTHENTICATED);
  // An auditor may follow its scope (it writes nothing).
  EXPECT_FALSE(Now(auditor_).empty());
}

TEST_F(EventsTest, ATokenThatNeedsEventsNoLongerKeptIsRefused) {
  const std::string start = Now(jining_, "150902000000");
  // An event of the county older than the retention (30 days), as if the
  // consumer had been away that long: it is no longer served.
  {
    auto admin = svc().Admin();
    pqxx::work tx(*admin);
    tx.exec(
        "INSERT INTO personnel.audit_log (county_code, at, subject, role, method, resource) "
        "VALUES ('150902', now() - interval '40 days', 'old', 'city_org_dept', 'CreateCadre', "
        "'cadres/150902-0')");
    tx.commit();
  }
  Created(44001);
  ev::WatchEventsRequest req;
  req.set_resume_token(start);
  Read r = Watch(
      jining_, req, [](const Read&) { return false; }, absl::Seconds(10));
  EXPECT_TRUE(r.events.empty());
  EXPECT_EQ(r.end.code, StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(r.end.reason, "RESUME_TOKEN_EXPIRED");
  // From now it works again.
  req.clear_resume_token();
  EXPECT_EQ(Watch(jining_, req, [](const Read& r) { return !r.token.empty(); }).end.code,
            StatusCode::CANCELLED);
}

// Replicas of a service wake each other's streams through Postgres: a
// change told to one hub reaches another's waiter by NOTIFY, long before
// its poll; a waiter of another county sleeps on.
TEST_F(EventsTest, AChangeInOneReplicaWakesAnothersStreamsThroughTheDatabase) {
  absl::Notification woken;  // before the hubs: outlives their threads
  std::atomic<bool> elsewhere_woken{false};
  const EventHub::Options options{svc().config().database_url, "personnel", absl::Minutes(10)};
  EventHub told(options), other(options);
  other.Wait("150902", [&](uint64_t) { woken.Notify(); });
  const uint64_t elsewhere = other.Wait("150921", [&](uint64_t) { elsewhere_woken = true; });
  // The other hub listens once its thread has connected: told again until
  // it hears.
  const absl::Time until = absl::Now() + absl::Seconds(30);
  while (!woken.HasBeenNotified() && absl::Now() < until) {
    told.Changed("150902");
    woken.WaitForNotificationWithTimeout(absl::Milliseconds(200));
  }
  EXPECT_TRUE(woken.HasBeenNotified()) << "no wake-up through the database in 30 s";
  EXPECT_FALSE(elsewhere_woken);
  EXPECT_TRUE(other.Cancel(elsewhere));
}

}  // namespace
}  // namespace touyan::testing
