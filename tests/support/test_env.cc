#include "tests/support/test_env.h"

#include <cstdio>
#include <cstdlib>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/crypto/keyring.h"
#include "common/log/log.h"
#include "tests/support/temp_file.h"
#include "tools/touyanctl/client.h"

namespace touyan::testing {

const auth::TokenSigner& TestIssuer() {
  static const auth::TokenSigner* s = new auth::TokenSigner(*auth::TokenSigner::Generate("ES256"));
  return *s;
}

namespace {
std::string Pki() {
  const char* dir = std::getenv("TOUYAN_TEST_PKI");
  if (dir == nullptr) {
    std::fprintf(stderr,
                 "TOUYAN_TEST_PKI is not set: run the tests through scripts/test.sh, which "
                 "makes the development PKI\n");
    std::abort();
  }
  return dir;
}
}  // namespace

const std::string& TestJwksFile() {
  // The test issuer's JWK Set in a file of this process, removed at exit.
  static const TempFile file("touyan-test-jwks");
  static const bool written = file.Write(auth::JwkSetOf({&TestIssuer()}));
  if (!written) std::abort();
  return file.path();
}

std::string DataKeysText(const std::map<std::string, char>& keys, const std::string& current) {
  std::string text = "index " + std::string(64, 'c') + "\n";
  for (const auto& [id, digit] : keys)
    absl::StrAppend(&text, "key ", id, " ", std::string(64, digit), "\n");
  return absl::StrCat(text, "current ", current, "\n");
}

const std::string& TestDataKeysFile() {
  static const TempFile file("touyan-test-data-keys");
  static const bool written = file.Write(DataKeysText({{"t1", '1'}}, "t1"));
  if (!written) std::abort();
  return file.path();
}

std::string ResidentIndexSql(const std::string& resident_id) {
  static const crypto::Keyring* keys =
      new crypto::Keyring(*crypto::Keyring::Load(TestDataKeysFile()));
  return absl::StrCat("'\\x", absl::BytesToHexString(keys->BlindIndex("resident_id", resident_id)),
                      "'::bytea");
}

TlsConfig ServerTls(const std::string& service) {
  const std::string pki = Pki();
  TlsConfig t;
  t.cert_file = absl::StrCat(pki, "/", service, ".crt");
  t.key_file = absl::StrCat(pki, "/", service, ".key");
  t.ca_file = pki + "/ca.crt";
  return t;
}

TlsConfig ClientTls() {
  TlsConfig t;
  t.ca_file = Pki() + "/ca.crt";
  return t;
}

const Cluster& Cluster::Get() {
  static const Cluster* c = [] {
    const char* host = std::getenv("TOUYAN_TEST_PG_HOST");
    const char* port = std::getenv("TOUYAN_TEST_PG_PORT");
    const char* pw = std::getenv("TOUYAN_TEST_PG_PASSWORD");
    if (host == nullptr || port == nullptr || pw == nullptr) {
      std::fprintf(stderr,
                   "TOUYAN_TEST_PG_HOST/PORT/PASSWORD are not set: run the tests through "
                   "scripts/test.sh, which starts a throw-away PostgreSQL\n");
      std::abort();
    }
    return new Cluster{host, port, pw};
  }();
  return *c;
}

std::string Cluster::Url(const std::string& user, const std::string& pw,
                         const std::string& db) const {
  // Verified TLS, as the services connect in production.
  return absl::StrCat("postgresql://", user, ":", pw, "@", host, ":", port, "/", db,
                      "?sslmode=verify-full&sslrootcert=", Pki(), "/ca.crt");
}

ServiceUnderTest::ServiceUnderTest(const ServiceSpec& spec, const std::string& db,
                                   std::map<std::string, std::string> downstreams)
    : spec_(spec),
      db_(std::getenv("TOUYAN_TEST_TRANSACTION_POOLING") != nullptr ? db + "_txpool" : db) {
  log::SetQuiet(true);
  const Cluster& c = Cluster::Get();
  {
    pqxx::connection admin(c.Url("postgres", c.password, "postgres"));
    pqxx::nontransaction n(admin);
    n.exec("DROP DATABASE IF EXISTS " + n.quote_name(db_) + " WITH (FORCE)");
    n.exec("CREATE DATABASE " + n.quote_name(db_));
  }
  config_.listen_host = "127.0.0.1";
  config_.grpc_port = 0;
  config_.metrics_port = 0;
  config_.workers = 4;
  config_.admin_database_url = c.Url("postgres", c.password, db_);
  config_.database_url = c.Url(spec.name + "_app", "app-test-password", db_);
  config_.migration_database_url = c.Url(spec.name + "_owner", "owner-test-password", db_);
  config_.tokens.jwks_file = TestJwksFile();
  config_.tokens.audiences = {"touyan-" + spec.name};
  config_.tls = ServerTls(spec.name);
  config_.page_token_key = "test-page-key-0123456789";
  config_.data_keys_file = TestDataKeysFile();
  config_.drain_timeout = absl::Seconds(5);
  config_.downstream_targets = std::move(downstreams);
  config_.downstream_timeout = absl::Seconds(3);
  // The same tests, as behind a transaction-mode pooler (ctest runs some twice).
  config_.transaction_pooling = std::getenv("TOUYAN_TEST_TRANSACTION_POOLING") != nullptr;
  StartServer();
  port_ = server_->grpc_port();
  config_.grpc_port = port_;
  channel_ = ctl::Connect(address(), ClientTls());
}

void ServiceUnderTest::StartServer() {
  absl::StatusOr<std::unique_ptr<Server>> s = Server::Start(spec_, config_);
  if (!s.ok()) {
    std::fprintf(stderr, "cannot start %s: %s\n", spec_.name.c_str(),
                 std::string(s.status().message()).c_str());
    std::abort();
  }
  server_ = *std::move(s);
}

void ServiceUnderTest::Restart() {
  Stop();
  StartServer();
}

ServiceUnderTest::~ServiceUnderTest() {
  Stop();
  try {
    const Cluster& c = Cluster::Get();
    pqxx::connection admin(c.Url("postgres", c.password, "postgres"));
    pqxx::nontransaction n(admin);
    n.exec("DROP DATABASE IF EXISTS " + n.quote_name(db_) + " WITH (FORCE)");
  } catch (const std::exception&) {
  }
}

void ServiceUnderTest::Stop() {
  if (server_) server_->Shutdown(config_.drain_timeout);
  server_.reset();
}

std::string ServiceUnderTest::address() const { return absl::StrCat("127.0.0.1:", port_); }

std::string ServiceUnderTest::Token(auth::Role role, const std::string& scope,
                                    const std::string& subject) const {
  absl::StatusOr<auth::Principal> p = auth::Principal::Make(subject, role, scope);
  EXPECT_TRUE(p.ok()) << p.status();
  return TestIssuer().Issue(*p, absl::Now(), absl::Hours(1));
}

std::unique_ptr<pqxx::connection> ServiceUnderTest::Admin() const {
  return std::make_unique<pqxx::connection>(config_.admin_database_url);
}

std::unique_ptr<pqxx::connection> ServiceUnderTest::AsService() const {
  return std::make_unique<pqxx::connection>(config_.database_url);
}

int64_t ServiceUnderTest::Count(const std::string& sql) const {
  auto conn = Admin();
  pqxx::nontransaction n(*conn);
  return n.exec(sql)[0][0].as<int64_t>();
}

std::unique_ptr<grpc::ClientContext> WithToken(const std::string& token) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctl::Authorize(*ctx, token);
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  return ctx;
}

Outcome OutcomeOf(const grpc::Status& s) {
  ErrorDetails d = DetailsOf(s);
  return Outcome{s.error_code(), d.field, d.reason, s.error_message()};
}

std::ostream& operator<<(std::ostream& os, const Outcome& o) {
  return os << "{code " << o.code << ", field '" << o.field << "', reason '" << o.reason << "'}";
}

std::string SourcePath(const std::string& relative) {
  return absl::StrCat(TOUYAN_SOURCE_DIR, "/", relative);
}

}  // namespace touyan::testing
