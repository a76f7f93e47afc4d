// The personnel_server binary as ops run it: configuration errors stop it
// with one line; it serves health, reflection and /metrics; SIGTERM drains
// in-flight calls, refuses new ones and exits 0.
#include "tests/e2e/server_fixture.h"

namespace touyan::testing {
namespace {

TEST_F(ServerBinaryTest, BadConfigurationStopsWithOneClearLine) {
  std::vector<std::string> flags = Flags();
  flags.push_back("--grpc-port=99999");
  Process p = Spawn(flags, "/tmp/touyan_badcfg.log");
  EXPECT_EQ(WaitExit(p.pid, absl::Seconds(10)), 2);
  std::string err = Slurp(p.log);
  EXPECT_NE(err.find("--grpc-port=99999"), std::string::npos) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;

  Process q = Spawn({"--grpc-port=0"}, "/tmp/touyan_badcfg2.log");
  EXPECT_EQ(WaitExit(q.pid, absl::Seconds(10)), 2);
  EXPECT_NE(Slurp(q.log).find("DATABASE_URL"), std::string::npos) << Slurp(q.log);
}

TEST_F(ServerBinaryTest, ServesHealthReflectionMetricsAndDrainsOnSigterm) {
  Process p;
  int metrics_port = 0;
  const std::string addr = StartServer(&p, "/tmp/touyan_binary.log", &metrics_port);
  ASSERT_FALSE(addr.empty()) << Slurp(p.log);

  auto channel = ctl::Connect(addr, ClientTls());
  EXPECT_EQ(*ctl::CheckHealth(*channel), "SERVING");
  auto services = ctl::ListServices(*channel);
  ASSERT_TRUE(services.ok()) << services.status();
  EXPECT_NE(std::find(services->begin(), services->end(), "touyan.personnel.v1.PersonnelService"),
            services->end());
  EXPECT_NE(std::find(services->begin(), services->end(), "grpc.health.v1.Health"),
            services->end());

  const std::string token = CityToken();
  auto stub = pv1::PersonnelService::NewStub(channel);
  pv1::GetRegionRequest get;
  get.set_code("150902001001");
  pv1::Region region;
  grpc::ClientContext ctx;
  ctl::Authorize(ctx, token);
  EXPECT_EQ(stub->GetRegion(&ctx, get, &region).error_code(), grpc::StatusCode::NOT_FOUND)
      << "no regions imported in this database";

  std::string metrics = HttpGet(metrics_port, "/metrics");
  EXPECT_NE(
      metrics.find("grpc_server_handled_total{grpc_code=\"NotFound\",grpc_method=\"GetRegion\","
                   "grpc_service=\"touyan.personnel.v1.PersonnelService\",grpc_type=\"unary\"} 1"),
      std::string::npos)
      << metrics.substr(0, 3000);
  EXPECT_NE(metrics.find("grpc_server_handling_seconds_bucket"), std::string::npos);
  EXPECT_NE(metrics.find("touyan_db_pool_connections"), std::string::npos);

  // An import is in flight when SIGTERM arrives: it finishes; new calls are refused.
  std::vector<pv1::Region> regions;
  {
    std::ifstream in(SourcePath("data/ulanqab_regions.csv"));
    regions = *ctl::ReadRegions(in);
  }
  grpc::ClientContext ictx;
  ctl::Authorize(ictx, token);
  pv1::ImportRegionsResponse resp;
  auto writer = stub->ImportRegions(&ictx, &resp);
  pv1::ImportRegionsRequest msg;
  msg.set_request_id("drain-1");
  for (const auto& r : regions) *msg.add_regions() = r;
  ASSERT_TRUE(writer->Write(msg));
  absl::SleepFor(absl::Milliseconds(200));
  ASSERT_EQ(kill(p.pid, SIGTERM), 0);
  absl::SleepFor(absl::Milliseconds(300));
  grpc::ClientContext late;
  ctl::Authorize(late, token);
  late.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  EXPECT_FALSE(stub->GetRegion(&late, get, &region).ok()) << "new calls are refused while draining";
  writer->WritesDone();
  grpc::Status s = writer->Finish();
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.regions_upserted(), 1641);
  EXPECT_EQ(WaitExit(p.pid, absl::Seconds(15)), 0) << Slurp(p.log);
  EXPECT_NE(Slurp(p.log).find("\"msg\":\"stopped\""), std::string::npos);
}

// Transport: TLS on the API port (a plaintext client, or one with a
// certificate of another CA, is refused), the certificate replaced on disk is
// served without a restart, reflection can be switched off, and the probe
// port serves grpc.health.v1 alone: "" live, the service's name ready.
TEST_F(ServerBinaryTest, EveryPortIsTlsAndTheProbePortServesHealthOnly) {
  // The server's certificate in a directory swapped by a symlink, as
  // Kubernetes updates a mounted Secret.
  const std::string dir = "/tmp/touyan_tls_reload",
                    pki = ClientTls().ca_file.substr(0, ClientTls().ca_file.rfind('/'));
  ASSERT_EQ(std::system(("rm -rf " + dir + " && mkdir -p " + dir + "/v1 && cp " + pki +
                         "/personnel.crt " + pki + "/personnel.key " + dir + "/v1/ && ln -s v1 " +
                         dir + "/current")
                            .c_str()),
            0);
  Process p;
  const std::string addr =
      StartServer(&p, "/tmp/touyan_tls.log", nullptr, "personnel",
                  {"--tls-cert-file=" + dir + "/current/personnel.crt",
                   "--tls-key-file=" + dir + "/current/personnel.key", "--tls-reload-interval=1s",
                   "--health-port=0", "--reflection=false", "--readiness-interval=200ms"});
  ASSERT_FALSE(addr.empty()) << Slurp(p.log);
  std::smatch m;
  const std::string log = Slurp(p.log);
  ASSERT_TRUE(std::regex_search(log, m, std::regex(R"re("health":"127\.0\.0\.1:(\d+)")re"))) << log;
  const std::string probe = "127.0.0.1:" + m[1].str();
  EXPECT_NE(log.find("\"tls\":\"on\""), std::string::npos) << log;

  pv1::GetRegionRequest get;
  get.set_code("150902001001");
  pv1::Region region;
  auto call = [&](const TlsConfig& tls, const std::string& at) {
    grpc::ClientContext ctx;
    ctl::Authorize(ctx, CityToken());
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    auto stub = pv1::PersonnelService::NewStub(
        grpc::CreateCustomChannel(at, ChannelCredentialsFor(tls), args));
    return stub->GetRegion(&ctx, get, &region).error_code();
  };
  // Served: the region is found, or not (other tests may have imported the tree).
  auto served = [](grpc::StatusCode c) {
    return c == grpc::StatusCode::OK || c == grpc::StatusCode::NOT_FOUND;
  };
  EXPECT_TRUE(served(call(ClientTls(), addr))) << "TLS, verified: served";
  TlsConfig plaintext;
  plaintext.insecure = true;
  EXPECT_EQ(call(plaintext, addr), grpc::StatusCode::UNAVAILABLE)
      << "a plaintext client is refused";
  // A client certificate of another CA (a whole second PKI) is refused at the handshake.
  const std::string foreign = "/tmp/touyan_foreign_pki";
  ASSERT_EQ(Lib("rm -rf " + foreign + "; ensure_dev_pki " + foreign), 0);
  TlsConfig stranger = ClientTls();
  stranger.cert_file = foreign + "/contest.crt";
  stranger.key_file = foreign + "/contest.key";
  EXPECT_EQ(call(stranger, addr), grpc::StatusCode::UNAVAILABLE) << "a certificate of another CA";
  // And a client trusting only the other CA does not accept this server.
  TlsConfig wrong_ca;
  wrong_ca.ca_file = foreign + "/ca.crt";
  EXPECT_EQ(call(wrong_ca, addr), grpc::StatusCode::UNAVAILABLE);

  // Reflection is off on the API port.
  EXPECT_FALSE(ctl::ListServices(*ctl::Connect(addr, ClientTls())).ok());

  // The probe port: health only, plaintext.
  auto probe_channel = ctl::Connect(probe, plaintext);
  EXPECT_EQ(*ctl::CheckHealth(*probe_channel, ""), "SERVING");
  absl::StatusOr<std::string> ready;
  for (int i = 0; i < 50; ++i) {
    ready = ctl::CheckHealth(*probe_channel, "touyan.personnel.v1.PersonnelService");
    if (ready.ok() && *ready == "SERVING") break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(*ready, "SERVING") << "ready: the schema is migrated";
  EXPECT_FALSE(ctl::CheckHealth(*probe_channel, "touyan.training.v1.TrainingService").ok())
      << "not served here";
  EXPECT_EQ(call(plaintext, probe), grpc::StatusCode::UNIMPLEMENTED) << "no API on the probe port";
  EXPECT_FALSE(ctl::ListServices(*probe_channel).ok()) << "no reflection on the probe port";

  // The certificate replaced on disk: served to new connections within the
  // reload interval, no restart.
  const std::string before = ServedCertificate(addr);
  ASSERT_FALSE(before.empty());
  ASSERT_EQ(
      Lib("mkdir -p " + dir + "/v2 && issue_cert " + dir +
          "/v2 personnel "
          "DNS:localhost,IP:127.0.0.1,URI:spiffe://touyan/personnel " +
          pki + " && ln -sfn v2 " + dir + "/next && mv -T " + dir + "/next " + dir + "/current"),
      0);
  std::string after = before;
  for (int i = 0; i < 60 && after == before; ++i) {
    absl::SleepFor(absl::Milliseconds(100));
    after = ServedCertificate(addr);
  }
  EXPECT_NE(after, before) << "the new certificate is served";
  EXPECT_FALSE(after.empty());
  EXPECT_TRUE(served(call(ClientTls(), addr))) << "and it still verifies";
  kill(p.pid, SIGTERM);
  EXPECT_EQ(WaitExit(p.pid, absl::Seconds(15)), 0);
}

// A key rolls over without a restart: tokens of both keys are accepted while
// the JWK Set holds both; once one is removed from the file, its tokens are
// refused after the next reload, the other's still accepted.
TEST_F(ServerBinaryTest, KeysRollOverByEditingTheJwkSetFile) {
  const auth::TokenSigner next = *auth::TokenSigner::Generate("RS256");
  const TempFile file("touyan-rollover-jwks");  // replaced whole, as a ConfigMap is
  const std::string& jwks = file.path();
  auto write = [&](const std::vector<const auth::TokenSigner*>& keys) {
    ASSERT_TRUE(file.Write(auth::JwkSetOf(keys)));
  };
  write({&TestIssuer(), &next});
  Process p;
  const std::string addr =
      StartServer(&p, "/tmp/touyan_rollover.log", nullptr, "personnel", {"--jwks-file=" + jwks});
  ASSERT_FALSE(addr.empty()) << Slurp(p.log);
  auto stub = pv1::PersonnelService::NewStub(ctl::Connect(addr, ClientTls()));
  auto code = [&](const auth::TokenSigner& key) {
    grpc::ClientContext ctx;
    ctl::Authorize(ctx,
                   key.Issue(*auth::Principal::Make("ops", auth::Role::kAuditor, "150900000000"),
                             absl::Now(), absl::Hours(1)));
    pv1::ListRegionsRequest req;
    pv1::ListRegionsResponse resp;
    return OutcomeOf(stub->ListRegions(&ctx, req, &resp));
  };
  EXPECT_EQ(code(TestIssuer()).code, grpc::StatusCode::OK);
  EXPECT_EQ(code(next).code, grpc::StatusCode::OK) << "both keys during the roll-over";
  write({&next});
  Outcome old_key;
  for (int i = 0; i < 40; ++i) {  // the file is checked at most once a second
    old_key = code(TestIssuer());
    if (old_key.code != grpc::StatusCode::OK) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(old_key.code, grpc::StatusCode::UNAUTHENTICATED) << old_key;
  EXPECT_EQ(old_key.reason, "UNKNOWN_KEY");
  EXPECT_EQ(code(next).code, grpc::StatusCode::OK) << "the new key serves on, no restart";
  EXPECT_NE(Slurp(p.log).find("JWK Set reloaded"), std::string::npos);
  kill(p.pid, SIGTERM);
  EXPECT_EQ(WaitExit(p.pid, absl::Seconds(15)), 0);
}

// Readiness follows the schema: a binary whose migrations have not run stays
// NOT_SERVING (the readiness probe fails, no traffic) until they have, so a
// plain `kubectl apply` converges in any order.
TEST_F(ServerBinaryTest, NotReadyUntilTheSchemaHasTheMigrationsItNeeds) {
  const Cluster& c = Cluster::Get();
  {
    pqxx::connection admin(c.Url("postgres", c.password, "postgres"));
    pqxx::nontransaction n(admin);
    n.exec("DROP DATABASE IF EXISTS touyan_test_unmigrated WITH (FORCE)");
    n.exec("CREATE DATABASE touyan_test_unmigrated");
  }
  std::vector<std::string> flags;
  for (const std::string& f : Flags()) {
    if (absl::StartsWith(f, "--migration-database-url") ||
        absl::StartsWith(f, "--admin-database-url"))
      continue;
    flags.push_back(absl::StartsWith(f, "--database-url")
                        ? "--database-url=" +
                              c.Url("personnel_app", "app-test-password", "touyan_test_unmigrated")
                        : f);
  }
  flags.push_back("--readiness-interval=200ms");
  flags.push_back("--admin-database-url=");  // not from the environment either
  Process p = Spawn(flags, "/tmp/touyan_unmigrated.log");
  std::string text;
  std::smatch m;
  const std::regex listening(R"re("grpc":"127\.0\.0\.1:(\d+)")re");
  for (int i = 0; i < 200 && !std::regex_search(text, m, listening); ++i) {
    absl::SleepFor(absl::Milliseconds(50));
    text = Slurp(p.log);
  }
  ASSERT_TRUE(std::regex_search(text, m, listening)) << text;
  auto channel = ctl::Connect("127.0.0.1:" + m[1].str(), ClientTls());
  absl::SleepFor(absl::Milliseconds(600));
  EXPECT_EQ(*ctl::CheckHealth(*channel, ""), "SERVING") << "alive";
  EXPECT_EQ(*ctl::CheckHealth(*channel, "touyan.personnel.v1.PersonnelService"), "NOT_SERVING")
      << "not ready";
  // The migration job runs (as the Job in deploy/migrations does).
  Process migrate = Spawn(
      {"--database-url=" + c.Url("personnel_app", "app-test-password", "touyan_test_unmigrated"),
       "--migration-database-url=" +
           c.Url("personnel_owner", "owner-test-password", "touyan_test_unmigrated"),
       "--admin-database-url=" + c.Url("postgres", c.password, "touyan_test_unmigrated"),
       "--migrate-only"},
      "/tmp/touyan_unmigrated_job.log");
  ASSERT_EQ(WaitExit(migrate.pid, absl::Seconds(60)), 0) << Slurp(migrate.log);
  absl::StatusOr<std::string> ready;
  for (int i = 0; i < 50; ++i) {
    ready = ctl::CheckHealth(*channel, "touyan.personnel.v1.PersonnelService");
    if (ready.ok() && *ready == "SERVING") break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(*ready, "SERVING") << Slurp(p.log);
  kill(p.pid, SIGTERM);
  EXPECT_EQ(WaitExit(p.pid, absl::Seconds(15)), 0);
}

}  // namespace
}  // namespace touyan::testing
