// The personnel_server binary as ops run it: configuration errors stop it
// with one line; it serves health, reflection and /metrics; SIGTERM drains
// in-flight calls, refuses new ones and exits 0.
#include <arpa/inet.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/auth/issuer.h"
#include "common/auth/jwt.h"
#include "common/grpc/tls.h"
#include "gtest/gtest.h"
#include "tests/support/temp_file.h"
#include "tests/support/test_env.h"
#include "tools/touyanctl/client.h"
#include "tools/touyanctl/records.h"

extern char** environ;

namespace touyan::testing {
namespace {

namespace pv1 = ::touyan::personnel::v1;

struct Process {
  pid_t pid = -1;
  std::string log;
};

Process Spawn(const std::vector<std::string>& args, const std::string& log,
              std::string bin = TOUYAN_PERSONNEL_SERVER, char** env = environ) {
  std::vector<char*> argv;
  argv.push_back(bin.data());
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_adddup2(&fa, STDERR_FILENO, STDOUT_FILENO);
  Process p;
  p.log = log;
  EXPECT_EQ(posix_spawn(&p.pid, bin.c_str(), &fa, nullptr, argv.data(), env), 0);
  posix_spawn_file_actions_destroy(&fa);
  return p;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Waits for the process to exit; returns its exit code, or -1 on timeout.
int WaitExit(pid_t pid, absl::Duration timeout) {
  absl::Time end = absl::Now() + timeout;
  while (absl::Now() < end) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return -1;
}

// touyanctl run to the end: its exit code, standard output and error.
struct CtlRun {
  int rc = -1;
  std::string out, err;
};
CtlRun RunCtl(const std::vector<std::string>& args,
              const std::vector<std::string>& env_extra = {}) {
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) env_strings.push_back(*e);
  env_strings.insert(env_strings.end(), env_extra.begin(), env_extra.end());
  std::vector<char*> env;
  for (auto& e : env_strings) env.push_back(e.data());
  env.push_back(nullptr);
  std::string bin = TOUYANCTL;
  std::vector<char*> argv{bin.data()};
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/tmp/touyanctl_test.out",
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/tmp/touyanctl_test.err",
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid;
  EXPECT_EQ(posix_spawn(&pid, bin.c_str(), &fa, nullptr, argv.data(), env.data()), 0);
  posix_spawn_file_actions_destroy(&fa);
  CtlRun r;
  r.rc = WaitExit(pid, absl::Seconds(30));
  r.out = Slurp("/tmp/touyanctl_test.out");
  r.err = Slurp("/tmp/touyanctl_test.err");
  return r;
}

std::string HttpGet(int port, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return "";
  }
  std::string req = "GET " + path + " HTTP/1.0\r\nHost: localhost\r\n\r\n";
  (void)!write(fd, req.data(), req.size());
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) out.append(buf, n);
  close(fd);
  return out;
}

class ServerBinaryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const Cluster& c = Cluster::Get();
    pqxx::connection admin(c.Url("postgres", c.password, "postgres"));
    pqxx::nontransaction n(admin);
    n.exec("DROP DATABASE IF EXISTS touyan_test_binary WITH (FORCE)");
    n.exec("CREATE DATABASE touyan_test_binary");
  }

  std::vector<std::string> Flags(const std::string& svc = "personnel") const {
    const Cluster& c = Cluster::Get();
    return {"--listen-host=127.0.0.1",
            "--grpc-port=0",
            "--metrics-port=0",
            "--database-url=" + c.Url(svc + "_app", "app-test-password", "touyan_test_binary"),
            "--migration-database-url=" +
                c.Url(svc + "_owner", "owner-test-password", "touyan_test_binary"),
            "--admin-database-url=" + c.Url("postgres", c.password, "touyan_test_binary"),
            "--jwks-file=" + TestJwksFile(),
            "--page-token-key=binary-test-page-key-0123",
            "--data-keys-file=" + TestDataKeysFile(),
            "--tls-cert-file=" + ServerTls(svc).cert_file,
            "--tls-key-file=" + ServerTls(svc).key_file,
            "--tls-ca-file=" + ServerTls(svc).ca_file,
            "--drain-timeout=10s"};
  }

  // Starts the server and returns its gRPC address ("" on failure).
  // `svc` "training" also gets `extra` (its --personnel-target).
  std::string StartServer(Process* p, const std::string& log, int* metrics_port = nullptr,
                          const std::string& svc = "personnel",
                          const std::vector<std::string>& extra = {}) {
    std::vector<std::string> flags = Flags(svc);
    flags.insert(flags.end(), extra.begin(), extra.end());
    *p = Spawn(flags, log,
               svc == "personnel"  ? TOUYAN_PERSONNEL_SERVER
               : svc == "training" ? TOUYAN_TRAINING_SERVER
               : svc == "contest"  ? TOUYAN_CONTEST_SERVER
                                   : TOUYAN_INCENTIVE_SERVER);
    std::smatch m;
    std::string text;
    const std::regex listening(R"re("grpc":"127\.0\.0\.1:(\d+)","metrics":"127\.0\.0\.1:(\d+)")re");
    for (int i = 0; i < 300 && !std::regex_search(text, m, listening); ++i) {
      absl::SleepFor(absl::Milliseconds(50));
      text = Slurp(p->log);
    }
    if (!std::regex_search(text, m, listening)) return "";
    if (metrics_port) *metrics_port = std::stoi(m[2].str());
    return "127.0.0.1:" + m[1].str();
  }

  // The test issuer's private key in a file, for touyanctl's token signing.
  static std::string KeyFile() {
    static const std::string path = [] {
      const std::string p = "/tmp/touyan_binary_test_issuer.pem";
      std::ofstream(p) << TestIssuer().PrivatePem();
      return p;
    }();
    return path;
  }
  static std::string CityToken() {
    return TestIssuer().Issue(
        *auth::Principal::Make("ops", auth::Role::kCityOrgDept, "150900000000"), absl::Now(),
        absl::Hours(1));
  }
  static std::string CaEnv() { return "TOUYAN_CA_FILE=" + ClientTls().ca_file; }
};

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

// Runs `script` in bash with scripts/lib.sh loaded (its PKI functions).
int Lib(const std::string& script) {
  return std::system(
      ("bash -c '. " + SourcePath("scripts/lib.sh") + "; " + script + "' >/dev/null 2>&1").c_str());
}

// The PEM certificate the server at `addr` presents to a new connection.
std::string ServedCertificate(const std::string& addr) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // a connection of its own
  auto channel = grpc::CreateCustomChannel(addr, ChannelCredentialsFor(ClientTls()), args);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
  pv1::GetRegionRequest req;
  req.set_code("150902000000");
  pv1::Region out;
  (void)pv1::PersonnelService::NewStub(channel)->GetRegion(&ctx, req,
                                                           &out);  // UNAUTHENTICATED is fine
  auto auth = ctx.auth_context();
  if (auth == nullptr) return "";
  auto pem = auth->FindPropertyValues("x509_pem_cert");
  return pem.empty() ? "" : std::string(pem[0].data(), pem[0].size());
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

// touyanctl's commands for every service: exit codes (0 done, 1 refused,
// 2 bad usage), argument errors, and tables, CSV and JSON of any list.
TEST_F(ServerBinaryTest, TouyanctlCommandsExitCodesAndOutputFormats) {
  Process p;
  const std::string addr = StartServer(&p, "/tmp/touyan_ctl.log");
  ASSERT_FALSE(addr.empty()) << Slurp(p.log);
  const std::string token = CityToken();
  {
    std::ifstream in(SourcePath("data/ulanqab_regions.csv"));
    auto stub = pv1::PersonnelService::NewStub(ctl::Connect(addr, ClientTls()));
    ASSERT_TRUE(ctl::ImportRegions(*stub, token, "ctl-regions", *ctl::ReadRegions(in)).ok());
  }
  const std::vector<std::string> env = {"TOUYAN_PERSONNEL_ADDR=" + addr, "TOUYAN_TOKEN=" + token,
                                        CaEnv()};

  // A record as a table of fields, and as JSON.
  CtlRun r = RunCtl({"personnel", "GetRegion", "--code=150929000000"}, env);
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("name         四子王旗"), std::string::npos) << r.out;
  r = RunCtl({"personnel", "GetRegion", "--code=150929000000", "--output=json"}, env);
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("\"name\":\"四子王旗\""), std::string::npos) << r.out;

  // A list: one page and a hint; every page; CSV with a header; JSON lines.
  r = RunCtl({"personnel", "ListRegions", "--parent_code=150900000000", "--page_size=4"}, env);
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("(4 rows)"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("(more: --all"), std::string::npos) << r.err;
  r = RunCtl({"personnel", "ListRegions", "--parent_code=150900000000", "--page_size=4", "--all",
              "--output=csv"},
             env);
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 12) << r.out;  // header + 11 counties
  EXPECT_TRUE(absl::StartsWith(r.out, "code,name,level,parent_code")) << r.out;
  EXPECT_NE(r.out.find("150929000000,四子王旗,REGION_LEVEL_COUNTY,150900000000"), std::string::npos)
      << r.out;
  r = RunCtl({"personnel", "ListRegions", "--parent_code=150900000000", "--all", "--json"}, env);
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 11) << r.out;
  // Enum values by their short name.
  r = RunCtl({"personnel", "ListPartyOrgs", "--region_code=150929101000", "--kind=village",
              "--output=csv"},
             env);
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("PARTY_ORG_KIND_VILLAGE"), std::string::npos) << r.out;

  // The server's refusals: exit 1, with code, field and reason.
  r = RunCtl({"personnel", "GetRegion", "--code=15"}, env);
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("INVALID_ARGUMENT"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("[field code]"), std::string::npos) << r.err;
  r = RunCtl({"personnel", "GetCadre", "--id=150929-999999"}, env);
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("NOT_FOUND"), std::string::npos) << r.err;

  // Bad usage: exit 2, nothing sent.
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"personnel", "Nope"},
           {"personnel", "GetRegion", "--cod=1"},
           {"personnel", "ListPartyOrgs", "--kind=castle"},
           {"personnel", "ListRegions", "--page_size=many"},
           {"personnel", "ListRegions", "--output=xml"},
           {"personnel", "ListRegions", "extra"},
           {"personnel", "ImportCadres"},
           {"personnel", "GetRegion", "--from-json=/nonexistent.json"},
           {},
           {"scenario"},
           {"scenario", "atlantis", "--token-signing-key-file=" + KeyFile()},
           {"scenario", "ulanqab-2023"},  // no signing key
           {"scenario", "ulanqab-2023", "--token-signing-key-file=/nonexistent.pem"},
           {"scenario", "ulanqab-2023", "--token-signing-key-file=" + KeyFile(), "--counties=12"},
           {"scenario", "scale", "--token-signing-key-file=" + KeyFile(), "--villages=lots"},
           {"token", "--role=auditor", "--scope=150900000000",
            "--token-signing-key-file=" + KeyFile(), "--ttl=48h"},
           {"token", "--role=auditor", "--scope=150900000000"},  // no signing key
           {"jwks"},
           {"health", "--ca-file=/nonexistent.crt"},
           {"cadres", "import", "/dev/null", "--village-post=MAYOR"},
       }) {
    r = RunCtl(args, env);
    EXPECT_EQ(r.rc, 2) << absl::StrJoin(args, " ") << ": " << r.err;
    EXPECT_NE(r.err.find("touyanctl"), std::string::npos) << absl::StrJoin(args, " ");
  }
  r = RunCtl({"personnel", "GetRegion", "--code=150929000000"},
             {"TOUYAN_PERSONNEL_ADDR=" + addr, "TOUYAN_TOKEN=", CaEnv()});
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.err.find("no token"), std::string::npos) << r.err;
  // Help: every service's methods, a method's fields.
  for (const char* svc : {"personnel", "training", "contest", "incentive"}) {
    r = RunCtl({svc, "--help"}, env);
    EXPECT_EQ(r.rc, 0) << svc;
    EXPECT_NE(r.out.find("(list: --all"), std::string::npos) << svc;
  }
  r = RunCtl({"incentive", "RaiseFlag", "--help"}, env);
  EXPECT_EQ(r.rc, 0);
  EXPECT_NE(r.out.find("--supervision_case.rectify_by  date YYYY-MM-DD"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("FLAG_KIND_SLOW_ACTION"), std::string::npos) << r.out;
  kill(p.pid, SIGTERM);
  EXPECT_EQ(WaitExit(p.pid, absl::Seconds(15)), 0);
}

// A county's deployment (--scope) narrows the city's department to the
// county and refuses another county's operator.
TEST_F(ServerBinaryTest, ADeploymentServesItsScopeOnly) {
  Process p;
  const std::string addr =
      StartServer(&p, "/tmp/touyan_scope.log", nullptr, "personnel", {"--scope=150929000000"});
  ASSERT_FALSE(addr.empty()) << Slurp(p.log);
  auto token = [&](auth::Role role, const std::string& scope) {
    return TestIssuer().Issue(*auth::Principal::Make("ops", role, scope), absl::Now(),
                              absl::Hours(1));
  };
  auto stub = pv1::PersonnelService::NewStub(ctl::Connect(addr, ClientTls()));
  pv1::ListCadresRequest list;
  pv1::ListCadresResponse cadres;
  {
    grpc::ClientContext ctx;
    ctl::Authorize(ctx, token(auth::Role::kCountyOperator, "150902000000"));
    Outcome o = OutcomeOf(stub->ListCadres(&ctx, list, &cadres));
    EXPECT_EQ(o.code, grpc::StatusCode::PERMISSION_DENIED) << o;
    EXPECT_EQ(o.reason, "OUTSIDE_DEPLOYMENT");
  }
  {
    grpc::ClientContext ctx;
    ctl::Authorize(ctx, token(auth::Role::kCityOrgDept, "150900000000"));
    list.set_region_code("150902000000");  // the city, narrowed to 四子王旗
    EXPECT_EQ(stub->ListCadres(&ctx, list, &cadres).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  {
    grpc::ClientContext ctx;
    ctl::Authorize(ctx, token(auth::Role::kCityOrgDept, "150900000000"));
    list.set_region_code("150929000000");
    EXPECT_TRUE(stub->ListCadres(&ctx, list, &cadres).ok());
  }
  kill(p.pid, SIGTERM);
  EXPECT_EQ(WaitExit(p.pid, absl::Seconds(15)), 0);
}

// The README's example calls (docs/examples.sh) through touyanctl, against
// the real binary: the documentation cannot drift from the API.
TEST_F(ServerBinaryTest, TheReadmeExamplesRun) {
  Process server;
  int personnel_metrics = 0, training_metrics = 0;
  const std::string addr = StartServer(&server, "/tmp/touyan_examples_server.log",
                                       &personnel_metrics, "personnel", {"--gauge-interval=1s"});
  ASSERT_FALSE(addr.empty()) << Slurp(server.log);
  {
    std::string token = CityToken();
    std::ifstream in(SourcePath("data/ulanqab_regions.csv"));
    auto stub = pv1::PersonnelService::NewStub(ctl::Connect(addr, ClientTls()));
    ASSERT_TRUE(ctl::ImportRegions(*stub, token, "examples-regions", *ctl::ReadRegions(in)).ok());
  }
  const std::string key_file = KeyFile();
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) env_strings.push_back(*e);
  Process training;
  const std::string training_addr =
      StartServer(&training, "/tmp/touyan_examples_training.log", &training_metrics, "training",
                  {"--personnel-target=" + addr, "--gauge-interval=1s"});
  ASSERT_FALSE(training_addr.empty()) << Slurp(training.log);
  env_strings.push_back("TOUYAN_PERSONNEL_ADDR=" + addr);
  env_strings.push_back("TOUYAN_TRAINING_ADDR=" + training_addr);
  Process contest;
  const std::string contest_addr = StartServer(&contest, "/tmp/touyan_examples_contest.log",
                                               nullptr, "contest", {"--personnel-target=" + addr});
  ASSERT_FALSE(contest_addr.empty()) << Slurp(contest.log);
  env_strings.push_back("TOUYAN_CONTEST_ADDR=" + contest_addr);
  Process incentive;
  const std::string incentive_addr =
      StartServer(&incentive, "/tmp/touyan_examples_incentive.log", nullptr, "incentive",
                  {"--personnel-target=" + addr, "--training-target=" + training_addr,
                   "--contest-target=" + contest_addr});
  ASSERT_FALSE(incentive_addr.empty()) << Slurp(incentive.log);
  env_strings.push_back("TOUYAN_INCENTIVE_ADDR=" + incentive_addr);
  env_strings.push_back("TOKEN_SIGNING_KEY_FILE=" + key_file);
  env_strings.push_back(CaEnv());
  env_strings.push_back(std::string("TOUYANCTL=") + TOUYANCTL);
  std::vector<char*> env;
  for (auto& e : env_strings) env.push_back(e.data());
  env.push_back(nullptr);
  Process examples =
      Spawn({SourcePath("docs/examples.sh")}, "/tmp/touyan_examples.log", "/bin/bash", env.data());
  EXPECT_EQ(WaitExit(examples.pid, absl::Seconds(60)), 0) << Slurp(examples.log);
  const std::string out = Slurp(examples.log);
  EXPECT_NE(out.find("NOMINATION_STATUS_CONFIRMED"), std::string::npos) << out;
  EXPECT_NE(out.find("WRONG_LEVEL"), std::string::npos) << "the township's county step is refused";
  EXPECT_NE(out.find("COMPLETION_COMPLETED"), std::string::npos) << out;
  EXPECT_NE(out.find("TASK_PUBLISHED"), std::string::npos) << "a published task is frozen";
  // The domain gauges, recomputed every second here: the example's secretary
  // completed the 2023 class, but the gauges follow the current year.
  absl::SleepFor(absl::Milliseconds(2500));
  const std::string pm = HttpGet(personnel_metrics, "/metrics");
  EXPECT_NE(pm.find("touyan_personnel_villages 1518"), std::string::npos) << pm.substr(0, 2000);
  EXPECT_NE(pm.find("touyan_personnel_villages_below_seed_target 1518"), std::string::npos)
      << "one approved seed is not enough";
  EXPECT_NE(pm.find("touyan_personnel_current_secretaries 1"), std::string::npos);
  EXPECT_NE(HttpGet(training_metrics, "/metrics").find("touyan_db_pool_connections"),
            std::string::npos);
  EXPECT_NE(out.find("NOT_SIGNED"), std::string::npos) << "publishing waits for the sign-offs";
  EXPECT_NE(out.find("\"state\":\"ROUND_STATE_PUBLISHED\""), std::string::npos) << out;
  EXPECT_NE(out.find("BALLOT_CODE_INVALID"), std::string::npos) << "a voter code votes once";
  EXPECT_NE(out.find("\"recipient\":\"RECIPIENT_PERSON\""), std::string::npos)
      << "the care award, paid";
  EXPECT_NE(out.find("\"notes_hidden\":true"), std::string::npos)
      << "counselling notes hidden from the auditor";
  kill(incentive.pid, SIGTERM);
  EXPECT_EQ(WaitExit(incentive.pid, absl::Seconds(15)), 0);
  kill(contest.pid, SIGTERM);
  EXPECT_EQ(WaitExit(contest.pid, absl::Seconds(15)), 0);
  kill(training.pid, SIGTERM);
  EXPECT_EQ(WaitExit(training.pid, absl::Seconds(15)), 0);
  kill(server.pid, SIGTERM);
  EXPECT_EQ(WaitExit(server.pid, absl::Seconds(15)), 0);
}

}  // namespace
}  // namespace touyan::testing
