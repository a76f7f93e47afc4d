// The environment of Touyan's integration tests: a database of its own in
// the throw-away cluster that scripts/test.sh starts, a service running
// in-process on 127.0.0.1 (port chosen by the kernel), real gRPC channels,
// tokens for every role, and direct SQL connections for checking what
// reached Postgres.
#ifndef TOUYAN_TESTS_SUPPORT_TEST_ENV_H_
#define TOUYAN_TESTS_SUPPORT_TEST_ENV_H_

#include <grpcpp/grpcpp.h>

#include <map>
#include <memory>
#include <pqxx/pqxx>
#include <string>

#include "common/auth/issuer.h"
#include "common/auth/jwt.h"
#include "common/grpc/grpc_status.h"
#include "common/grpc/server.h"
#include "gtest/gtest.h"

namespace touyan::testing {

// The tests' token issuer (ES256) and its JWK Set in a file: every service
// under test verifies with it.
const auth::TokenSigner& TestIssuer();
const std::string& TestJwksFile();
// The tests' data keys (common/crypto/keyring.h) in a file: key "t1" current.
const std::string& TestDataKeysFile();
// The text of a data keys file with the tests' index key and `keys` (id →
// one hex digit repeated), `current` current.
// The SQL literal of a resident ID's blind index under the tests' keys, for
// checks such as "WHERE resident_id_index = " + ResidentIndexSql(id).
std::string ResidentIndexSql(const std::string& resident_id);
std::string DataKeysText(const std::map<std::string, char>& keys, const std::string& current);

// TLS from the development PKI that scripts/test.sh makes (TOUYAN_TEST_PKI):
// a service's own certificate (spiffe://touyan/<service>), and a caller's
// settings that verify the servers.
TlsConfig ServerTls(const std::string& service);
TlsConfig ClientTls();

// Connection settings of the cluster, from TOUYAN_TEST_PG_HOST/PORT/PASSWORD.
struct Cluster {
  std::string host, port, password;
  static const Cluster& Get();  // fails the test run with a hint if unset
  std::string Url(const std::string& user, const std::string& password,
                  const std::string& db) const;
};

class ServiceUnderTest {
 public:
  // Creates database `db` (dropping a leftover), bootstraps and migrates the
  // service's schema, and starts the service.
  // `downstreams`: where the services `spec` calls listen (name → address).
  ServiceUnderTest(const ServiceSpec& spec, const std::string& db,
                   std::map<std::string, std::string> downstreams = {});
  ~ServiceUnderTest();

  std::string address() const;
  std::shared_ptr<grpc::Channel> channel() const { return channel_; }
  Server& server() { return *server_; }
  const ServerConfig& config() const { return config_; }

  std::string Token(auth::Role role, const std::string& scope,
                    const std::string& subject = "tester") const;
  // Superuser SQL on the test database (sees everything).
  std::unique_ptr<pqxx::connection> Admin() const;
  // SQL as the service's own role (row-level security applies).
  std::unique_ptr<pqxx::connection> AsService() const;
  int64_t Count(const std::string& sql) const;

  // Stops the server now (for drain tests); the destructor tolerates it.
  void Stop();
  // Starts it again on the same port after Stop() (a service coming back).
  void Restart();
  // The settings the next Restart() starts the server with.
  ServerConfig& mutable_config() { return config_; }
  // The data keys file the next Restart() reads (a key rotation).
  void UseDataKeys(const std::string& file) { config_.data_keys_file = file; }

 private:
  void StartServer();

  ServiceSpec spec_;
  std::string db_;
  int port_ = 0;
  ServerConfig config_;
  std::unique_ptr<Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

// Adds the bearer token to a call.
std::unique_ptr<grpc::ClientContext> WithToken(const std::string& token);

// A status's canonical code, field and reason, for compact assertions.
struct Outcome {
  grpc::StatusCode code;
  std::string field;
  std::string reason;
  std::string message;  // for checks that it names no person
};
Outcome OutcomeOf(const grpc::Status& s);
std::ostream& operator<<(std::ostream& os, const Outcome& o);

std::string SourcePath(const std::string& relative);

// A Get of the resource `id` through `method` of `stub` as `token` (GetSeed,
// GetJudge, …): the outcome, and the resource in `out`.
template <typename Stub, typename Req, typename Resp>
Outcome GetById(Stub& stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                const std::string& token, const std::string& id, Resp* out = nullptr) {
  Req req;
  req.set_id(id);
  Resp ignored;
  return OutcomeOf((stub.*method)(WithToken(token).get(), req, out ? out : &ignored));
}

}  // namespace touyan::testing

#endif  // TOUYAN_TESTS_SUPPORT_TEST_ENV_H_
