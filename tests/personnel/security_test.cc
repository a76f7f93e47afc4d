// Who may do what: tokens, county scope through the API, row-level security
// beneath it, and the audit trail.
#include "common/db/migrate.h"
#include "tests/personnel/fixture.h"

namespace touyan::personnel {
std::vector<db::Migration> Migrations();
}

namespace touyan::testing {
namespace {

static auto* const kEnv =
    ::testing::AddGlobalTestEnvironment(new PersonnelEnvironment("touyan_test_security"));

using grpc::StatusCode;

class SecurityTest : public PersonnelTest {
 protected:
  void SetUp() override {
    if (jining_cadre_.empty()) {
      pv1::Cadre c;
      ASSERT_TRUE(Create(city_, "sec-jining", NewCadre(1, "150902001001"), &c).ok());
      jining_cadre_ = c.id();
      ASSERT_TRUE(Create(city_, "sec-siziwang", NewCadre(2, "150929101201"), &c).ok());
      siziwang_cadre_ = c.id();
      ASSERT_TRUE(Create(city_, "sec-jining-2", NewCadre(3, "150902002001"), &c).ok());
      other_township_cadre_ = c.id();
    }
  }
  static std::string jining_cadre_, siziwang_cadre_, other_township_cadre_;
};
std::string SecurityTest::jining_cadre_, SecurityTest::siziwang_cadre_,
    SecurityTest::other_township_cadre_;

TEST_F(SecurityTest, ACountyOperatorCannotTouchAnotherCounty) {
  pv1::Cadre out;
  EXPECT_EQ(Get(siziwang_, jining_cadre_, &out).error_code(), StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(Get(siziwang_, siziwang_cadre_, &out).ok());

  pv1::UpdateCadreRequest up;
  up.set_request_id("sec-up-1");
  up.mutable_cadre()->set_id(jining_cadre_);
  up.mutable_cadre()->set_name("改名");
  up.mutable_update_mask()->add_paths("name");
  EXPECT_EQ(stub().UpdateCadre(WithToken(siziwang_).get(), up, &out).error_code(),
            StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(Get(city_, jining_cadre_, &out).ok());
  EXPECT_NE(out.name(), "改名");

  Outcome o = OutcomeOf(Create(siziwang_, "sec-create-1", NewCadre(4, "150902001001"), &out));
  EXPECT_EQ(o.code, StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(o.field, "cadre.region_code");

  pv1::ListCadresRequest list;
  list.set_region_code("150902000000");
  pv1::ListCadresResponse resp;
  EXPECT_EQ(stub().ListCadres(WithToken(siziwang_).get(), list, &resp).error_code(),
            StatusCode::PERMISSION_DENIED);
  list.clear_region_code();
  ASSERT_TRUE(stub().ListCadres(WithToken(siziwang_).get(), list, &resp).ok());
  ASSERT_GE(resp.cadres_size(), 1);
  for (const auto& c : resp.cadres()) EXPECT_EQ(c.county_code(), "150929");
}

TEST_F(SecurityTest, AuditorsReadButCannotWrite) {
  pv1::Cadre out;
  ASSERT_TRUE(Get(auditor_, jining_cadre_, &out).ok());
  EXPECT_NE(out.resident_id().find("********"), std::string::npos);
  Outcome o = OutcomeOf(Create(auditor_, "sec-aud-1", NewCadre(5), &out));
  EXPECT_EQ(o.code, StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(o.reason, "READ_ONLY_ROLE");
  EXPECT_EQ(
      svc().Count("SELECT count(*) FROM personnel.idempotency WHERE request_id = 'sec-aud-1'"), 0);
}

TEST_F(SecurityTest, ATownshipOperatorSeesItsTownshipOnly) {
  pv1::Cadre out;
  ASSERT_TRUE(Get(township_, jining_cadre_, &out).ok());
  EXPECT_NE(out.resident_id().find("********"), std::string::npos);
  EXPECT_EQ(Get(township_, other_township_cadre_, &out).error_code(),
            StatusCode::PERMISSION_DENIED);
  pv1::ListCadresRequest list;
  pv1::ListCadresResponse resp;
  ASSERT_TRUE(stub().ListCadres(WithToken(township_).get(), list, &resp).ok());
  for (const auto& c : resp.cadres()) EXPECT_TRUE(absl::StartsWith(c.region_code(), "150902001"));
}

TEST_F(SecurityTest, CallsWithoutValidCredentialsAreUnauthenticated) {
  pv1::GetCadreRequest req;
  req.set_id(jining_cadre_);
  pv1::Cadre out;
  grpc::ClientContext none;
  EXPECT_EQ(stub().GetCadre(&none, req, &out).error_code(), StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(OutcomeOf(stub().GetCadre(WithToken("garbage").get(), req, &out)).reason,
            "MALFORMED_TOKEN");

  // Through the real API: a key not in the JWK Set, a forged kid, expired,
  // issued in the future, too long-lived, for another service.
  auto p = *auth::Principal::Make("x", Role::kCityOrgDept, "150900000000");
  const auth::TokenSigner stranger = *auth::TokenSigner::Generate("ES256");
  auto reason = [&](const std::string& token) {
    grpc::Status s = stub().GetCadre(WithToken(token).get(), req, &out);
    EXPECT_EQ(s.error_code(), StatusCode::UNAUTHENTICATED);
    return OutcomeOf(s).reason;
  };
  EXPECT_EQ(reason(stranger.Issue(p, absl::Now(), absl::Hours(1))), "UNKNOWN_KEY");
  std::string claims = absl::StrCat(R"({"iss":"touyan","aud":"touyan-personnel","sub":"x",)",
                                    R"("role":"city_org_dept","scope":"150900000000","iat":)",
                                    absl::ToUnixSeconds(absl::Now()), R"(,"exp":)",
                                    absl::ToUnixSeconds(absl::Now() + absl::Hours(1)), "}");
  EXPECT_EQ(reason(stranger.Sign(
                claims, absl::StrCat(R"({"alg":"ES256","kid":")", TestIssuer().kid(), R"("})"))),
            "BAD_SIGNATURE");
  EXPECT_EQ(reason(TestIssuer().Issue(p, absl::Now() - absl::Hours(3), absl::Hours(1))), "EXPIRED");
  EXPECT_EQ(reason(TestIssuer().Issue(p, absl::Now() + absl::Hours(1), absl::Hours(1))),
            "ISSUED_IN_FUTURE");
  EXPECT_EQ(reason(TestIssuer().Issue(p, absl::Now(), absl::Hours(24))), "LIFETIME_TOO_LONG");
  auth::IssueOptions training_only;
  training_only.audiences = {"touyan-training"};
  EXPECT_EQ(reason(TestIssuer().Issue(p, absl::Now(), absl::Hours(1), training_only)),
            "WRONG_AUDIENCE");
  // Health needs no token.
  EXPECT_EQ(*ctl::CheckHealth(*svc().channel()), "SERVING");
}

// Another Touyan service, known by its client certificate
// (spiffe://touyan/contest), reaches only the methods it calls, whatever token
// it forwards; without a token (its background work) it reads as an auditor.
TEST_F(SecurityTest, AServiceMayCallOnlyTheMethodsItNeeds) {
  TlsConfig as_contest = ClientTls();
  as_contest.cert_file = ServerTls("contest").cert_file;
  as_contest.key_file = ServerTls("contest").key_file;
  auto contest = pv1::PersonnelService::NewStub(ctl::Connect(svc().address(), as_contest));
  pv1::GetCadreRequest get;
  get.set_id(jining_cadre_);
  pv1::Cadre out;
  EXPECT_TRUE(contest->GetCadre(WithToken(city_).get(), get, &out).ok()) << "contest reads cadres";
  grpc::ClientContext no_token;
  EXPECT_TRUE(contest->GetCadre(&no_token, get, &out).ok()) << "its own background work reads";

  pv1::CreateCadreRequest create;
  create.set_request_id("sec-svc-create");
  *create.mutable_cadre() = NewCadre(9, "150902001001");
  Outcome o = OutcomeOf(contest->CreateCadre(WithToken(city_).get(), create, &out));
  EXPECT_EQ(o.code, StatusCode::PERMISSION_DENIED) << o;
  EXPECT_EQ(o.reason, "SERVICE_METHOD_NOT_ALLOWED")
      << "not a method contest calls, even with the city's token";
  EXPECT_EQ(svc().Count("SELECT count(*) FROM personnel.cadres WHERE name = '" +
                        create.cadre().name() + "'"),
            0);

  pv1::AddDesignationRequest designate;
  designate.set_request_id("sec-svc-designate");
  designate.mutable_designation()->set_party_org_id("150902-1");
  pv1::Designation d;
  grpc::ClientContext no_token2;
  EXPECT_EQ(contest->AddDesignation(&no_token2, designate, &d).error_code(),
            StatusCode::PERMISSION_DENIED)
      << "a method it calls, but a write needs its caller's token";
  // The same call from a caller system (no client certificate) is not limited by the table.
  EXPECT_EQ(OutcomeOf(stub().CreateCadre(WithToken(auditor_).get(), create, &out)).code,
            StatusCode::PERMISSION_DENIED)
      << "an auditor cannot write";
}

// A county's deployment logs in as its own role (personnel_app_150929, a
// member of the app role), bound to its county by the migration runner: the
// role cannot widen its reach by setting the session's prefix itself, nor by
// SET ROLE; a login role without a binding reaches nothing.
TEST_F(SecurityTest, ACountyRoleCannotWidenItsScope) {
  {
    auto admin = svc().Admin();
    pqxx::nontransaction n(*admin);
    for (const char* role : {"personnel_app_150929", "personnel_app_150925"}) {
      n.exec(absl::StrCat("DO $$ BEGIN CREATE ROLE ", role,
                          " LOGIN PASSWORD 'county-test-password'; "
                          "EXCEPTION WHEN duplicate_object THEN NULL; END $$"));
      n.exec(absl::StrCat("GRANT personnel_app TO ", role));
    }
  }
  const db::SchemaRoles roles{"personnel", "personnel_app", {"150929"}};
  ASSERT_TRUE(
      db::Migrate(svc().config().migration_database_url, roles, personnel::Migrations()).ok());
  auto as = [&](const std::string& role) {
    std::string url = svc().config().database_url;
    const std::string app = "personnel_app:app-test-password@";
    url.replace(url.find(app), app.size(), role + ":county-test-password@");
    return std::make_unique<pqxx::connection>(url);
  };
  auto county = as("personnel_app_150929");
  auto count = [&](pqxx::connection& c, const std::string& prefix, const std::string& county_code,
                   const std::string& set_role = "") {
    pqxx::work tx(c);
    if (!set_role.empty()) tx.exec("SET LOCAL ROLE " + set_role);
    tx.exec_params("SELECT set_config('touyan.county_prefix', $1, true)", prefix);
    int64_t n = tx.exec_params("SELECT count(*) FROM personnel.cadres WHERE county_code = $1",
                               county_code)[0][0]
                    .as<int64_t>();
    tx.commit();
    return n;
  };
  for (const std::string& prefix : {"150902", "1509", "15", "*"}) {
    EXPECT_EQ(count(*county, prefix, "150902"), 0)
        << "四子王旗's role with prefix " << prefix << " sees no 集宁区 rows";
  }
  EXPECT_GE(count(*county, "150929", "150929"), 1) << "its own county";
  EXPECT_GE(count(*county, "*", "150929"), 1) << "'*' narrows to its county";
  EXPECT_EQ(count(*county, "*", "150902", "personnel_app"), 0)
      << "SET ROLE to the app role does not widen it";
  EXPECT_GE(count(*svc().AsService(), "*", "150902"), 1) << "the city's role reaches every county";
  auto unbound = as("personnel_app_150925");
  EXPECT_EQ(count(*unbound, "*", "150929"), 0) << "a login role without a binding reaches nothing";
  EXPECT_EQ(count(*unbound, "150925", "150925"), 0);

  // Writes: another county's rows cannot be changed or added.
  {
    pqxx::work tx(*county);
    tx.exec(
        "SELECT set_config('touyan.county_prefix', '*', true), set_config('touyan.writable', 'on', "
        "true)");
    EXPECT_EQ(tx.exec("UPDATE personnel.cadres SET name = name WHERE county_code = '150902'")
                  .affected_rows(),
              0);
    EXPECT_THROW(
        tx.exec("INSERT INTO personnel.audit_log (county_code, subject, role, method, resource) "
                "VALUES ('150902', 'x', 'county_operator', 'M', 'r')"),
        pqxx::sql_error);
  }
  {
    pqxx::work tx(*county);
    tx.exec(
        "SELECT set_config('touyan.county_prefix', '150929', true), set_config('touyan.writable', "
        "'on', true)");
    EXPECT_NO_THROW(
        tx.exec("INSERT INTO personnel.audit_log (county_code, subject, role, method, resource) "
                "VALUES ('150929', 'x', 'county_operator', 'M', 'r')"))
        << "its own county stays writable";
  }  // rolled back
  EXPECT_THROW(pqxx::work(*county).exec(
                   "INSERT INTO personnel.role_scopes VALUES ('personnel_app_150929', '')"),
               pqxx::sql_error)
      << "the binding belongs to the schema owner";
}

// The policies' functions are inlined into each statement's plan, and the
// county role's bound prefix is read once a statement (an InitPlan over
// role_scopes, planned with the statement: common migrations 009 and 010),
// not once a row: every policy, including those of the service's own
// migrations, is bound.
TEST_F(SecurityTest, ScopePoliciesCostAnExpressionPerRow) {
  auto conn = svc().AsService();
  pqxx::work tx(*conn);
  tx.exec("SELECT set_config('touyan.county_prefix', '150929', true)");
  std::string plan;
  for (const auto& row :
       tx.exec("EXPLAIN (VERBOSE) SELECT * FROM personnel.cadres WHERE county_code = '150929'")) {
    plan += row[0].c_str();
    plan += "\n";
  }
  EXPECT_NE(plan.find("InitPlan"), std::string::npos) << plan;
  EXPECT_NE(plan.find("role_scopes"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("role_prefix"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("in_scope("), std::string::npos) << plan;
  EXPECT_EQ(plan.find("SubPlan"), std::string::npos) << plan;
  EXPECT_EQ(svc().Count("SELECT count(*) FROM pg_policies WHERE schemaname = 'personnel' AND "
                        "(qual ~ '(in_scope|may_write)\\([a-z_]+\\)' OR "
                        "with_check ~ '(in_scope|may_write)\\([a-z_]+\\)')"),
            0)
      << "a policy still checks the role's scope once a row";
  EXPECT_GT(svc().Count("SELECT count(*) FROM pg_policies WHERE schemaname = 'personnel' AND "
                        "with_check ~ 'may_write\\(county_code, \\( ?SELECT'"),
            10);
}

TEST_F(SecurityTest, RowLevelSecurityHidesOtherCountiesFromTheServiceRole) {
  auto conn = svc().AsService();
  auto count = [&](const std::string& prefix, const std::string& county) {
    pqxx::work tx(*conn);
    if (!prefix.empty()) {
      tx.exec_params("SELECT set_config('touyan.county_prefix', $1, true)", prefix);
    }
    int64_t n =
        tx.exec_params("SELECT count(*) FROM personnel.cadres WHERE county_code = $1", county)[0][0]
            .as<int64_t>();
    tx.commit();
    return n;
  };
  EXPECT_EQ(count("150929", "150902"), 0) << "四子王旗's scope sees no 集宁区 rows";
  EXPECT_GE(count("150929", "150929"), 1);
  EXPECT_GE(count("150902", "150902"), 1);
  EXPECT_EQ(count("", "150902"), 0) << "no scope set: nothing visible";
  EXPECT_GE(count("*", "150902"), 1);

  // Writing outside the scope fails beneath the application too.
  pqxx::work tx(*conn);
  tx.exec(
      "SELECT set_config('touyan.county_prefix', '150929', true), "
      "set_config('touyan.writable', 'on', true)");
  EXPECT_THROW(tx.exec("UPDATE personnel.cadres SET name = 'x' WHERE county_code = '150902' "
                       "RETURNING 1")
                   .at(0),
               std::exception);
  tx.abort();
  pqxx::work tx2(*conn);
  tx2.exec(
      "SELECT set_config('touyan.county_prefix', '150929', true), "
      "set_config('touyan.writable', 'on', true)");
  EXPECT_THROW(tx2.exec("INSERT INTO personnel.party_orgs (county_code, name, kind, region_code) "
                        "VALUES ('150902', 'x', 3, '150902001000')"),
               pqxx::sql_error);
  tx2.abort();
  // The audit trail is append-only for the service role.
  pqxx::work tx3(*conn);
  tx3.exec("SELECT set_config('touyan.county_prefix', '*', true)");
  EXPECT_THROW(tx3.exec("DELETE FROM personnel.audit_log"), pqxx::sql_error);
  tx3.abort();
  pqxx::nontransaction n(*conn);
  EXPECT_FALSE(n.exec("SELECT has_schema_privilege('public', 'CREATE')")[0][0].as<bool>());
}

TEST_F(SecurityTest, EveryMutationIsAudited) {
  pv1::Cadre c;
  ASSERT_TRUE(Create(jining_, "sec-audit-1", NewCadre(9), &c).ok());
  pv1::UpdateCadreRequest up;
  up.set_request_id("sec-audit-2");
  up.mutable_cadre()->set_id(c.id());
  up.mutable_cadre()->set_phone("13700000000");
  up.mutable_update_mask()->add_paths("phone");
  pv1::Cadre out;
  ASSERT_TRUE(stub().UpdateCadre(WithToken(jining_).get(), up, &out).ok());

  auto admin = svc().Admin();
  pqxx::nontransaction n(*admin);
  pqxx::result rows = n.exec_params(
      "SELECT method, subject, role, request_id, before IS NULL, after->>'phone', "
      "before->>'phone', "
      "county_code FROM personnel.audit_log WHERE resource = $1 ORDER BY id",
      "cadres/" + c.id());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][0].as<std::string>(), "CreateCadre");
  EXPECT_EQ(rows[0][1].as<std::string>(), "jining-op");
  EXPECT_EQ(rows[0][2].as<std::string>(), "county_operator");
  EXPECT_EQ(rows[0][3].as<std::string>(), "sec-audit-1");
  EXPECT_TRUE(rows[0][4].as<bool>());
  EXPECT_EQ(rows[1][0].as<std::string>(), "UpdateCadre");
  // Phone numbers are masked in the trail (audit_test.cc has more).
  EXPECT_EQ(rows[1][5].as<std::string>(), "137****0000");
  EXPECT_EQ(rows[1][6].as<std::string>(), audit::MaskPhone(c.phone()));
  EXPECT_EQ(rows[1][7].as<std::string>(), "150902");
  EXPECT_GE(svc().Count("SELECT count(*) FROM personnel.audit_log WHERE method = 'ImportRegions'"),
            11)
      << "one summary row per county of the region import";
}

// Stored answers hold personal data (a created cadre): each is under
// row-level security with the scope of the caller that made it, and kept only
// as long as a retry can come — then purged, and the request id is new again.
TEST_F(SecurityTest, StoredAnswersAreScopedAndPurgedAfterTheirRetention) {
  pv1::Cadre c;
  ASSERT_TRUE(Create(city_, "idem-city-1", NewCadre(7101, "150929100001"), &c).ok());
  // Request ids are the caller's (AIP-155): a county operator's
  // "idem-city-1" is its own request — it neither replays (nor learns) the
  // city's answer nor collides with it; its own retry replays its own.
  pv1::Cadre other, again;
  ASSERT_TRUE(Create(siziwang_, "idem-city-1", NewCadre(7102, "150929100001"), &other).ok());
  EXPECT_NE(other.id(), c.id());
  ASSERT_TRUE(Create(siziwang_, "idem-city-1", NewCadre(7102, "150929100001"), &again).ok());
  EXPECT_EQ(again.id(), other.id());
  Outcome o = OutcomeOf(Create(siziwang_, "idem-city-1", NewCadre(7103, "150929100001"), &again));
  EXPECT_EQ(o.code, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(o.reason, "REQUEST_ID_REUSED");
  EXPECT_EQ(o.field, "request_id");
  auto seen = [&](const std::string& prefix) {
    auto conn = svc().AsService();
    pqxx::work tx(*conn);
    tx.exec_params("SELECT set_config('touyan.county_prefix', $1, true)", prefix);
    return tx
        .exec(
            "SELECT count(*) FROM personnel.idempotency WHERE request_id = 'idem-city-1' "
            "AND subject = 'city'")[0][0]
        .as<int>();
  };
  EXPECT_EQ(seen("150929"), 0) << "a county's session does not see the city's stored answer";
  EXPECT_EQ(seen("1509"), 1);

  for (int i = 1; i <= 3; ++i) {
    ASSERT_TRUE(
        Create(city_, absl::StrCat("idem-old-", i), NewCadre(7110 + i, "150929100001"), &c).ok());
  }
  ASSERT_TRUE(Create(city_, "idem-new", NewCadre(7120, "150929100001"), &c).ok());
  {
    auto admin = svc().Admin();
    pqxx::nontransaction n(*admin);
    n.exec(
        "UPDATE personnel.idempotency SET created_at = now() - interval '8 days' "
        "WHERE request_id LIKE 'idem-old-%'");
    // Many more, older still, to be purged in several batches.
    n.exec(
        "INSERT INTO personnel.idempotency (request_id, subject, method, fingerprint, created_at, "
        "county_prefix) "
        "SELECT 'idem-bulk-' || g, 'x', 'CreateCadre', '\\x00', now() - interval '30 days', '1509' "
        "FROM generate_series(1, 1234) g");
  }
  absl::StatusOr<int64_t> purged = svc().server().PurgeIdempotency();
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(*purged, 1237) << "the three old answers and the bulk, in batches of 500";
  EXPECT_EQ(
      svc().Count("SELECT count(*) FROM personnel.idempotency WHERE request_id LIKE 'idem-old-%' "
                  "OR request_id LIKE 'idem-bulk-%'"),
      0);
  EXPECT_EQ(svc().Count("SELECT count(*) FROM personnel.idempotency WHERE request_id IN "
                        "('idem-new', 'idem-city-1') AND subject = 'city'"),
            2)
      << "answers within their retention stay";
  // The purged id is new again: the call runs, and the cadre exists already.
  EXPECT_EQ(OutcomeOf(Create(city_, "idem-old-1", NewCadre(7111, "150929100001"), &c)).code,
            grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(OutcomeOf(Create(city_, "idem-new", NewCadre(7120, "150929100001"), &c)).code,
            grpc::StatusCode::OK)
      << "a retry within the retention is answered as before";
}

}  // namespace
}  // namespace touyan::testing
