// The audit trail through touyan.audit.v1.AuditService on the personnel
// service, against real Postgres: the history of a cadre in order, filters
// and paging, who may read it, personal values minimised when written, and a
// hash chain that names the first event changed, removed or replaced behind
// the service's back — by the superuser, whom no grant stops.
#include <atomic>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/str_join.h"
#include "common/auth/jwt.h"
#include "tests/personnel/fixture.h"
#include "touyan/audit/v1/audit.grpc.pb.h"

namespace touyan::testing {
namespace {

static auto* const kEnv =
    ::testing::AddGlobalTestEnvironment(new PersonnelEnvironment("touyan_test_audit"));

namespace av1 = ::touyan::audit::v1;
using grpc::StatusCode;

class AuditTest : public PersonnelTest {
 protected:
  av1::AuditService::Stub& audit() {
    if (!audit_) audit_ = av1::AuditService::NewStub(svc().channel());
    return *audit_;
  }
  Outcome List(const std::string& token, const av1::ListAuditEventsRequest& req,
               av1::ListAuditEventsResponse* out) {
    return OutcomeOf(audit().ListAuditEvents(WithToken(token).get(), req, out));
  }
  av1::VerifyAuditChainResponse Verify(const std::string& county) {
    av1::VerifyAuditChainRequest req;
    req.set_county_code(county);
    av1::VerifyAuditChainResponse out;
    grpc::Status s = audit().VerifyAuditChain(WithToken(auditor_).get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  // A cadre of `village` with a distinctive phone number, created by the city.
  pv1::Cadre Created(int64_t n, const std::string& village, const std::string& phone) {
    pv1::Cadre c = NewCadre(n, village);
    c.set_phone(phone);
    pv1::Cadre out;
    grpc::Status s = Create(city_, "audit-create-" + std::to_string(n), c, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  void SetPhone(const std::string& token, const std::string& rid, const std::string& id,
                const std::string& phone) {
    pv1::UpdateCadreRequest req;
    req.set_request_id(rid);
    req.mutable_cadre()->set_id(id);
    req.mutable_cadre()->set_phone(phone);
    req.mutable_update_mask()->add_paths("phone");
    pv1::Cadre out;
    grpc::Status s = stub().UpdateCadre(WithToken(token).get(), req, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  // Runs `sql` as the superuser with triggers off (what no role of the
  // service can do).
  void AsSuperuser(const std::string& sql) {
    auto admin = svc().Admin();
    pqxx::work tx(*admin);
    tx.exec("SET LOCAL session_replication_role = replica");
    tx.exec(sql);
    tx.commit();
  }

  std::unique_ptr<av1::AuditService::Stub> audit_;
};

TEST_F(AuditTest, TheHistoryOfACadreIsEveryChangeInOrderWithPersonalValuesMasked) {
  pv1::Cadre c = Created(9101, "150902001001", "13911112222");
  SetPhone(jining_, "audit-phone-1", c.id(), "13933334444");
  SetPhone(city_, "audit-phone-2", c.id(), "13955556666");
  SetPhone(city_, "audit-phone-2", c.id(), "13955556666");  // a retry: no second event

  av1::ListAuditEventsRequest req;
  req.set_resource("cadres/" + c.id());
  av1::ListAuditEventsResponse resp;
  ASSERT_EQ(List(auditor_, req, &resp).code, StatusCode::OK);
  ASSERT_EQ(resp.events_size(), 3);
  EXPECT_EQ(resp.events(0).method(), "CreateCadre");
  EXPECT_EQ(resp.events(0).actor(), "city");
  EXPECT_EQ(resp.events(0).before_json(), "");
  EXPECT_EQ(resp.events(1).method(), "UpdateCadre");
  EXPECT_EQ(resp.events(1).actor(), "jining-op");
  EXPECT_EQ(resp.events(1).role(), "county_operator");
  EXPECT_EQ(resp.events(1).request_id(), "audit-phone-1");
  EXPECT_EQ(resp.events(2).request_id(), "audit-phone-2");
  for (int i = 0; i < 3; ++i) {
    const av1::AuditEvent& e = resp.events(i);
    EXPECT_EQ(e.county_code(), "150902");
    if (i > 0) EXPECT_GT(e.sequence(), resp.events(i - 1).sequence());
    if (i > 0) EXPECT_GE(e.time().seconds(), resp.events(i - 1).time().seconds());
    EXPECT_EQ(e.hash().size(), 64u);
    for (const std::string& json : {e.before_json(), e.after_json()}) {
      for (const char* phone : {"13911112222", "13933334444", "13955556666"}) {
        EXPECT_FALSE(absl::StrContains(json, phone))
            << "event " << i << " holds a phone number: " << json;
      }
      EXPECT_FALSE(absl::StrContains(json, c.resident_id()))
          << "event " << i << " holds a resident ID";
    }
  }
  // Masked, yet the change is visible: 139****2222 became 139****4444.
  EXPECT_TRUE(absl::StrContains(resp.events(1).before_json(), "\"139****2222\""))
      << resp.events(1).before_json();
  EXPECT_TRUE(absl::StrContains(resp.events(1).after_json(), "\"139****4444\""))
      << resp.events(1).after_json();
  EXPECT_TRUE(
      absl::StrContains(resp.events(0).after_json(), audit::MaskResidentId(c.resident_id())));
  // Nor in the table itself: a dump of the trail holds none.
  EXPECT_EQ(svc().Count(
                "SELECT count(*) FROM personnel.audit_log WHERE concat(before::text, after::text) "
                "LIKE '%1393333444%' OR concat(before::text, after::text) LIKE '%" +
                c.resident_id() + "%'"),
            0);

  // Filters: the method, the actor, a time range.
  req.set_method("UpdateCadre");
  ASSERT_EQ(List(auditor_, req, &resp).code, StatusCode::OK);
  EXPECT_EQ(resp.events_size(), 2);
  req.clear_method();
  req.set_actor("jining-op");
  ASSERT_EQ(List(city_, req, &resp).code, StatusCode::OK);
  ASSERT_EQ(resp.events_size(), 1);
  EXPECT_EQ(resp.events(0).request_id(), "audit-phone-1");
  req.clear_actor();
  req.mutable_start_time()->set_seconds(absl::ToUnixSeconds(absl::Now()) + 3600);
  ASSERT_EQ(List(auditor_, req, &resp).code, StatusCode::OK);
  EXPECT_EQ(resp.events_size(), 0) << "nothing after an hour from now";
  req.clear_start_time();
  req.mutable_end_time()->set_seconds(absl::ToUnixSeconds(absl::Now()) + 3600);
  ASSERT_EQ(List(auditor_, req, &resp).code, StatusCode::OK);
  EXPECT_EQ(resp.events_size(), 3);

  // Paging to the end, one event a page, in the same order.
  req.clear_end_time();
  req.set_page_size(1);
  std::vector<std::string> seen;
  for (int page = 0; page < 10; ++page) {
    ASSERT_EQ(List(auditor_, req, &resp).code, StatusCode::OK);
    for (const auto& e : resp.events()) seen.push_back(e.request_id());
    if (resp.next_page_token().empty()) break;
    req.set_page_token(resp.next_page_token());
  }
  EXPECT_EQ(seen,
            (std::vector<std::string>{"audit-create-9101", "audit-phone-1", "audit-phone-2"}));
  req.set_resource("cadres/150902-0");
  EXPECT_EQ(List(auditor_, req, &resp).field, "page_token") << "a token of another query";
}

TEST_F(AuditTest, OnlyAuditorsAndTheCityReadTheirOwnScope) {
  Created(9201, "150929100001", "13800009201");
  av1::ListAuditEventsRequest req;
  av1::ListAuditEventsResponse resp;
  Outcome o = List(jining_, req, &resp);
  EXPECT_EQ(o.code, StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(o.reason, "ROLE_NOT_ALLOWED");
  const std::string jining_auditor = svc().Token(Role::kAuditor, "150902000000", "jining-auditor");
  req.set_county_code("150929");
  o = List(jining_auditor, req, &resp);
  EXPECT_EQ(o.code, StatusCode::PERMISSION_DENIED) << "another county's trail";
  EXPECT_EQ(o.field, "county_code");
  // Without a filter, a county's auditor sees its county only.
  req.clear_county_code();
  req.set_page_size(1000);
  ASSERT_EQ(List(jining_auditor, req, &resp).code, StatusCode::OK);
  for (const auto& e : resp.events()) EXPECT_EQ(e.county_code(), "150902");
  req.set_county_code("15092");
  EXPECT_EQ(List(auditor_, req, &resp).field, "county_code");
  req.clear_county_code();
  req.mutable_start_time()->set_seconds(2000);
  req.mutable_end_time()->set_seconds(1000);
  EXPECT_EQ(List(auditor_, req, &resp).field, "end_time");
  av1::VerifyAuditChainRequest v;
  av1::VerifyAuditChainResponse vr;
  EXPECT_EQ(OutcomeOf(audit().VerifyAuditChain(WithToken(auditor_).get(), v, &vr)).field,
            "county_code");
  v.set_county_code("150929");
  EXPECT_EQ(OutcomeOf(audit().VerifyAuditChain(WithToken(jining_auditor).get(), v, &vr)).code,
            StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(OutcomeOf(audit().VerifyAuditChain(WithToken(siziwang_).get(), v, &vr)).code,
            StatusCode::PERMISSION_DENIED);
}

// The service's own roles cannot change or remove audit rows (the owner
// included); the superuser can, with triggers off — and verification then
// names the event.
TEST_F(AuditTest, VerificationNamesTheFirstEventChangedRemovedOrReplaced) {
  const std::string county = "150925";                  // no other test here writes there
  const int64_t base = Verify(county).head_sequence();  // the region import's events
  for (int i = 0; i < 6; ++i) Created(9301 + i, "150925103001", absl::StrCat("1370000930", i));
  av1::VerifyAuditChainResponse v = Verify(county);
  ASSERT_TRUE(v.intact()) << v.problem();
  EXPECT_EQ(v.events_checked(), base + 6);
  EXPECT_EQ(v.head_sequence(), base + 6);
  EXPECT_EQ(v.head_hash().size(), 64u);

  for (const std::string& url :
       {svc().config().database_url, svc().config().migration_database_url}) {
    pqxx::connection c(url);
    for (const char* sql :
         {"UPDATE personnel.audit_log SET subject = 'x' WHERE county_code = '150925'",
          "DELETE FROM personnel.audit_log WHERE county_code = '150925'",
          "TRUNCATE personnel.audit_log"}) {
      pqxx::work tx(c);
      tx.exec(
          "SELECT set_config('touyan.county_prefix', '*', true), set_config('touyan.writable', "
          "'on', true)");
      EXPECT_THROW(tx.exec(sql), pqxx::sql_error) << sql << " as " << c.username();
    }
  }
  EXPECT_EQ(svc().Count("SELECT count(*) FROM personnel.audit_log WHERE county_code = '150925'"),
            base + 6);
  const auto seq = [&](int n) { return std::to_string(base + n); };

  // A changed event: the third one's actor rewritten.
  AsSuperuser(
      "UPDATE personnel.audit_log SET subject = 'someone-else' WHERE county_code = '150925' AND "
      "seq = " +
      seq(3));
  v = Verify(county);
  EXPECT_FALSE(v.intact());
  EXPECT_EQ(v.first_broken_sequence(), base + 3);
  EXPECT_TRUE(absl::StartsWith(v.problem(), "HASH_MISMATCH")) << v.problem();

  // Its hash recomputed too, as a careful forger would: the next event no
  // longer follows it.
  AsSuperuser(
      "UPDATE personnel.audit_log a SET hash = sha256(a.prev_hash || convert_to("
      "personnel.audit_canonical(a), 'UTF8')) WHERE county_code = '150925' AND seq = " +
      seq(3));
  v = Verify(county);
  EXPECT_FALSE(v.intact());
  EXPECT_EQ(v.first_broken_sequence(), base + 4);
  EXPECT_TRUE(absl::StartsWith(v.problem(), "PREVIOUS_HASH_MISMATCH")) << v.problem();

  // A removed event in the middle, and events cut off the end.
  AsSuperuser("DELETE FROM personnel.audit_log WHERE county_code = '150925' AND seq IN (" + seq(3) +
              ", " + seq(6) + ")");
  v = Verify(county);
  EXPECT_FALSE(v.intact());
  EXPECT_EQ(v.first_broken_sequence(), base + 3);
  EXPECT_TRUE(absl::StartsWith(v.problem(), "SEQUENCE_GAP")) << v.problem();
  AsSuperuser("DELETE FROM personnel.audit_log WHERE county_code = '150925' AND seq >= " + seq(3));
  v = Verify(county);
  EXPECT_FALSE(v.intact());
  EXPECT_EQ(v.first_broken_sequence(), base + 3);

  // Another county's chain is untouched.
  EXPECT_TRUE(Verify("150902").intact());
}

// The first events of a county, written at once by concurrent transactions:
// one makes the county's chain head, the others wait for it, and the chain
// runs unbroken from 1 (common migration 010 makes the head only for a
// county's first event).
TEST_F(AuditTest, ConcurrentFirstEventsOfACountyFormOneChain) {
  const std::string county = "150990";  // no such county: no event, no head yet
  constexpr int kWriters = 8;
  std::atomic<int> ready{0}, failed{0};
  std::vector<std::thread> writers;
  for (int i = 0; i < kWriters; ++i) {
    writers.emplace_back([&, i] {
      try {
        auto conn = svc().AsService();
        pqxx::work tx(*conn);
        tx.exec(
            "SELECT set_config('touyan.county_prefix', '*', true), "
            "set_config('touyan.writable', 'on', true)");
        for (++ready; ready.load() < kWriters;) std::this_thread::yield();
        tx.exec_params(
            "INSERT INTO personnel.audit_log (county_code, subject, role, method, resource, "
            "request_id, after) VALUES ($1, 'chain-test', 'city_org_dept', 'Test', $2, $3, "
            "'{}'::jsonb)",
            county, absl::StrCat("cadres/", county, "-", i), absl::StrCat("chain-", i));
        tx.commit();
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
        ++failed;
      }
    });
  }
  for (auto& t : writers) t.join();
  ASSERT_EQ(failed.load(), 0);
  EXPECT_EQ(svc().Count("SELECT count(*) FROM personnel.audit_log WHERE county_code = '" + county +
                        "' AND seq BETWEEN 1 AND " + std::to_string(kWriters)),
            kWriters);
  EXPECT_EQ(svc().Count("SELECT count(*) FROM personnel.audit_log a LEFT JOIN "
                        "personnel.audit_log p ON p.county_code = a.county_code AND p.seq = a.seq "
                        "- 1 WHERE a.county_code = '" +
                        county +
                        "' AND (a.prev_hash <> coalesce(p.hash, ''::bytea) OR a.hash <> "
                        "sha256(a.prev_hash || convert_to(personnel.audit_canonical(a), 'UTF8')))"),
            0)
      << "each event follows the one before it";
  EXPECT_EQ(
      svc().Count("SELECT seq FROM personnel.audit_chain WHERE county_code = '" + county + "'"),
      kWriters);
  EXPECT_TRUE(Verify(county).intact());
}

// Audit records are kept 180 days at least and leave by whole months: the
// months past retention are dropped, the rest kept (a shorter retention is
// not honoured), and the county's chain still verifies from its first kept
// event.
TEST_F(AuditTest, OldMonthsLeaveWholeAndTheChainStillVerifiesFromTheFirstKept) {
  {
    auto admin = svc().Admin();
    pqxx::nontransaction n(*admin);
    n.exec(
        "SELECT personnel.audit_maintain(interval '100 years', (now() - interval '400 "
        "days')::date)");
    // Events written 400 and 100 days ago, and now, in two counties no other
    // test writes (chained by the trigger as the service's would be).
    for (const char* age : {"400 days", "400 days", "100 days", "0 days", "0 days"}) {
      for (const char* county : {"150998", "150999"}) {
        n.exec(absl::StrCat(
            "INSERT INTO personnel.audit_log (county_code, at, subject, role, method, resource) "
            "VALUES ('",
            county, "', now() - interval '", age,
            "', 'x', 'city_org_dept', 'CreateCadre', 'cadres/", county, "-1')"));
      }
    }
  }
  const int64_t before =
      svc().Count("SELECT count(*) FROM personnel.audit_log WHERE county_code = '150999'");
  ASSERT_EQ(before, 5);
  ASSERT_TRUE(Verify("150999").intact());
  // A retention shorter than 180 days is not honoured, even asked directly.
  {
    auto conn = svc().AsService();
    pqxx::nontransaction n(*conn);
    n.exec("SELECT personnel.audit_maintain(interval '1 day')");
    EXPECT_THROW(n.exec("DROP TABLE personnel.audit_log_default"), pqxx::sql_error)
        << "only the owner drops months";
  }
  EXPECT_EQ(svc().Count("SELECT count(*) FROM personnel.audit_log WHERE county_code = '150999'"), 3)
      << "400 days old: gone with its month; 100 days old: kept";
  absl::StatusOr<int> dropped = svc().server().MaintainAudit();
  ASSERT_TRUE(dropped.ok()) << dropped.status();
  EXPECT_EQ(*dropped, 0) << "nothing more past 180 days";
  EXPECT_GE(
      svc().Count(
          "SELECT count(*) FROM pg_inherits WHERE inhparent = 'personnel.audit_log'::regclass"),
      4)
      << "this month, the two ahead and the default";
  for (const std::string county : {"150998", "150999"}) {
    av1::VerifyAuditChainResponse v = Verify(county);
    EXPECT_TRUE(v.intact()) << county << ": " << v.problem();
    EXPECT_EQ(v.events_checked(), 3) << county;
    EXPECT_EQ(v.head_sequence(), 5) << county;
  }
  // A kept event removed behind the service's back is still caught.
  AsSuperuser("DELETE FROM personnel.audit_log WHERE county_code = '150998' AND seq = 4");
  av1::VerifyAuditChainResponse v = Verify("150998");
  EXPECT_FALSE(v.intact());
  EXPECT_EQ(v.first_broken_sequence(), 4);
}

// Reads of personal data are recorded: who read whose resident ID or phone
// number, when, through which method — readable by the auditors.
TEST_F(AuditTest, ReadsOfPersonalDataAreRecordedAndReadable) {
  pv1::Cadre c = Created(9401, "150902001001", "13922223333");
  const std::string resource = "cadres/" + c.id();
  const std::string reader = svc().Token(Role::kCountyOperator, "150902000000", "reader-op");
  pv1::Cadre got;
  ASSERT_TRUE(Get(reader, c.id(), &got).ok());
  EXPECT_EQ(got.resident_id(), c.resident_id()) << "a county operator sees it unmasked";
  ASSERT_TRUE(Get(auditor_, c.id(), &got).ok());
  EXPECT_NE(got.resident_id(), c.resident_id()) << "an auditor sees it masked";
  pv1::ListCadresRequest list;
  list.set_region_code("150902001001");
  list.set_page_size(1000);
  pv1::ListCadresResponse listed;
  ASSERT_TRUE(stub().ListCadres(WithToken(reader).get(), list, &listed).ok());
  // A refused read records nothing.
  pv1::Cadre none;
  EXPECT_FALSE(Get(siziwang_, c.id(), &none).ok());

  av1::ListAccessRecordsRequest req;
  req.set_resource(resource);
  av1::ListAccessRecordsResponse resp;
  ASSERT_EQ(OutcomeOf(audit().ListAccessRecords(WithToken(auditor_).get(), req, &resp)).code,
            StatusCode::OK);
  std::vector<std::string> seen;
  for (const auto& a : resp.records()) {
    EXPECT_EQ(a.county_code(), "150902");
    EXPECT_GT(a.time().seconds(), 0);
    seen.push_back(absl::StrCat(a.actor(), " ", a.method(), " ", absl::StrJoin(a.fields(), ",")));
  }
  EXPECT_EQ(seen, (std::vector<std::string>{
                      "city CreateCadre resident_id,phone", "reader-op GetCadre resident_id,phone",
                      "auditor GetCadre phone", "reader-op ListCadres resident_id,phone"}));
  // What one person read.
  req.clear_resource();
  req.set_actor("reader-op");
  req.set_page_size(1);
  int pages = 0, records = 0;
  for (; pages < 100; ++pages) {
    ASSERT_EQ(OutcomeOf(audit().ListAccessRecords(WithToken(auditor_).get(), req, &resp)).code,
              StatusCode::OK);
    records += resp.records_size();
    if (resp.next_page_token().empty()) break;
    req.set_page_token(resp.next_page_token());
  }
  EXPECT_EQ(records, 1 + static_cast<int>(listed.cadres_size()));
  EXPECT_EQ(OutcomeOf(audit().ListAccessRecords(WithToken(reader).get(), req, &resp)).code,
            StatusCode::PERMISSION_DENIED)
      << "the access records are for auditors and the city";
  EXPECT_EQ(
      svc().Count("SELECT count(*) FROM personnel.access_log WHERE resource = '" + resource + "'"),
      4);
}

// The records of concurrent reads are written together (db::GroupWrite), each
// still naming its own reader, role and method: none lost, none doubled.
TEST_F(AuditTest, ConcurrentReadsEachLeaveTheirOwnRecord) {
  pv1::Cadre c = Created(9402, "150902001001", "13922224444");
  const std::string resource = "cadres/" + c.id();
  constexpr int kReaders = 8, kReads = 10;
  std::vector<std::string> tokens;
  for (int i = 0; i < kReaders; ++i) {
    tokens.push_back(
        i % 2 == 0 ? svc().Token(Role::kCountyOperator, "150902000000", absl::StrCat("op-", i))
                   : svc().Token(Role::kCityOrgDept, "150900000000", absl::StrCat("city-", i)));
  }
  std::atomic<int> failed{0};
  std::vector<std::thread> readers;
  for (int i = 0; i < kReaders; ++i) {
    readers.emplace_back([&, i] {
      for (int k = 0; k < kReads; ++k) {
        pv1::Cadre got;
        if (!Get(tokens[i], c.id(), &got).ok()) ++failed;
      }
    });
  }
  for (auto& t : readers) t.join();
  ASSERT_EQ(failed.load(), 0);
  for (int i = 0; i < kReaders; ++i) {
    const std::string who = i % 2 == 0 ? absl::StrCat("op-", i) : absl::StrCat("city-", i);
    const std::string role = i % 2 == 0 ? "county_operator" : "city_org_dept";
    EXPECT_EQ(svc().Count("SELECT count(*) FROM personnel.access_log WHERE resource = '" +
                          resource + "' AND subject = '" + who + "' AND role = '" + role +
                          "' AND method = 'GetCadre' AND fields = 'resident_id,phone'"),
              kReads)
        << who;
  }
}

// Concurrent GetCadres in one scope (their access records written together):
// each call gets the cadre it asked for, unmasked as its role allows,
// NOT_FOUND for an id that names none and PERMISSION_DENIED for another
// county's; each read of personal data leaves its own record.
TEST_F(AuditTest, ConcurrentGetCadresEachGetTheCadreTheyAskedFor) {
  std::vector<pv1::Cadre> cadres;
  for (int i = 0; i < 6; ++i) {
    cadres.push_back(Created(9410 + i, "150902001001", absl::StrCat("1392222450", i)));
  }
  for (int i = 0; i < 2; ++i) {
    cadres.push_back(Created(9420 + i, "150929100001", absl::StrCat("1392222460", i)));
  }
  const std::string missing = "150902-987654321";
  constexpr int kReaders = 12, kReads = 30;
  std::vector<std::string> tokens;
  for (int i = 0; i < kReaders; ++i) {
    tokens.push_back(i % 3 == 0
                         ? svc().Token(Role::kCountyOperator, "150902000000", "op-g")
                         : svc().Token(Role::kCityOrgDept, "150900000000", absl::StrCat("cg-", i)));
  }
  std::atomic<int> wrong{0};
  std::vector<std::atomic<int>> reads(kReaders * cadres.size());
  std::vector<std::thread> readers;
  for (int i = 0; i < kReaders; ++i) {
    readers.emplace_back([&, i] {
      for (int k = 0; k < kReads; ++k) {
        const size_t which = static_cast<size_t>(i + k) % (cadres.size() + 1);
        pv1::Cadre got;
        if (which == cadres.size()) {  // no such cadre
          if (Get(tokens[i], missing, &got).error_code() != StatusCode::NOT_FOUND) ++wrong;
          continue;
        }
        const pv1::Cadre& want = cadres[which];
        grpc::Status s = Get(tokens[i], want.id(), &got);
        if (i % 3 == 0 && want.region_code().substr(0, 6) != "150902") {
          if (s.error_code() != StatusCode::PERMISSION_DENIED) ++wrong;
          continue;
        }
        if (!s.ok() || got.id() != want.id() || got.name() != want.name() ||
            got.phone() != want.phone() || got.region_code() != want.region_code()) {
          ++wrong;
        }
        ++reads[i * cadres.size() + which];
      }
    });
  }
  for (auto& t : readers) t.join();
  EXPECT_EQ(wrong.load(), 0);
  for (size_t c = 0; c < cadres.size(); ++c) {
    int city = 0, op = 0;
    for (int i = 0; i < kReaders; ++i) (i % 3 == 0 ? op : city) += reads[i * cadres.size() + c];
    const std::string of = "SELECT count(*) FROM personnel.access_log WHERE resource = 'cadres/" +
                           cadres[c].id() + "' AND method = 'GetCadre' AND ";
    EXPECT_EQ(svc().Count(of + "subject = 'op-g'"), op) << cadres[c].id();
    EXPECT_EQ(svc().Count(of + "subject LIKE 'cg-%'"), city) << cadres[c].id();
  }
}

// W3C trace context: a caller's traceparent is continued (its trace id kept,
// a span of the call's own returned) and written in the audit row; a
// malformed one, or none, starts a new trace.
TEST_F(AuditTest, EveryChangeNamesTheTraceOfTheCallThatMadeIt) {
  const std::string trace = "0af7651916cd43dd8448eb211c80319c";
  auto create = [&](int64_t n, const std::string& traceparent, std::string* returned) {
    pv1::CreateCadreRequest req;
    req.set_request_id("trace-" + std::to_string(n));
    *req.mutable_cadre() = NewCadre(n);
    auto ctx = WithToken(city_);
    if (!traceparent.empty()) ctx->AddMetadata("traceparent", traceparent);
    pv1::Cadre out;
    grpc::Status s = stub().CreateCadre(ctx.get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    auto it = ctx->GetServerInitialMetadata().find("traceparent");
    *returned = it == ctx->GetServerInitialMetadata().end()
                    ? ""
                    : std::string(it->second.data(), it->second.size());
    av1::ListAuditEventsRequest q;
    q.set_resource("cadres/" + out.id());
    av1::ListAuditEventsResponse events;
    EXPECT_EQ(List(auditor_, q, &events).code, StatusCode::OK);
    EXPECT_EQ(events.events_size(), 1);
    return events.events_size() == 1 ? events.events(0).trace_id() : std::string();
  };
  std::string returned;
  EXPECT_EQ(create(9501, "00-" + trace + "-b7ad6b7169203331-01", &returned), trace);
  ASSERT_EQ(returned.size(), 55u);
  EXPECT_EQ(returned.substr(3, 32), trace) << "the same trace";
  EXPECT_NE(returned.substr(36, 16), "b7ad6b7169203331") << "a span of the call's own";

  for (const std::string& bad :
       {std::string(), "00-" + std::string(32, '0') + "-b7ad6b7169203331-01",
        "00-" + trace + "-b7ad6b71692033-01", std::string("garbage")}) {
    std::string fresh = create(9502 + static_cast<int64_t>(bad.size()), bad, &returned);
    EXPECT_EQ(fresh.size(), 32u) << bad;
    EXPECT_NE(fresh, trace) << bad;
    EXPECT_EQ(returned.substr(3, 32), fresh) << bad;
  }
}

}  // namespace
}  // namespace touyan::testing
