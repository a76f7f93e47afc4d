// The service binaries and touyanctl as ops run them: spawned as processes
// against a database of their own, watched through their logs and ports.
#ifndef TOUYAN_TESTS_E2E_SERVER_FIXTURE_H_
#define TOUYAN_TESTS_E2E_SERVER_FIXTURE_H_

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

namespace pv1 = ::touyan::personnel::v1;

struct Process {
  pid_t pid = -1;
  std::string log;
};

inline Process Spawn(const std::vector<std::string>& args, const std::string& log,
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

inline std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Waits for the process to exit; returns its exit code, or -1 on timeout.
inline int WaitExit(pid_t pid, absl::Duration timeout) {
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
inline CtlRun RunCtl(const std::vector<std::string>& args,
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

inline std::string HttpGet(int port, const std::string& path) {
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

// Runs `script` in bash with scripts/lib.sh loaded (its PKI functions).
inline int Lib(const std::string& script) {
  return std::system(
      ("bash -c '. " + SourcePath("scripts/lib.sh") + "; " + script + "' >/dev/null 2>&1").c_str());
}

// The PEM certificate the server at `addr` presents to a new connection.
inline std::string ServedCertificate(const std::string& addr) {
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

}  // namespace touyan::testing

#endif  // TOUYAN_TESTS_E2E_SERVER_FIXTURE_H_
