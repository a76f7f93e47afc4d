// Transport security of every gRPC hop. A server serves TLS with its
// certificate and key, and verifies the client certificates it is shown
// against a CA (the services' own CA: a caller system may come without one
// and authenticate by token alone). A service calling another presents its
// own certificate and verifies the callee's name. Certificate, key and CA are
// files, re-read when they change (cert-manager renews them in place).
// Plaintext only with an explicit insecure setting.
#ifndef TOUYAN_COMMON_GRPC_TLS_H_
#define TOUYAN_COMMON_GRPC_TLS_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace touyan {

struct TlsConfig {
  bool insecure = false;  // plaintext (development only)
  std::string cert_file;  // PEM certificate chain: served, and shown to the services this one calls
  std::string key_file;   // its PEM private key
  std::string ca_file;    // PEM CA bundle: verifies client certificates and the servers called
  absl::Duration reload_interval = absl::Seconds(10);  // how often the files are checked
};

// INVALID_ARGUMENT naming the flag when a file is missing or unreadable.
absl::Status ValidateServerTls(const TlsConfig& tls);

// Credentials of a listening port (insecure ones when `tls.insecure`).
std::shared_ptr<grpc::ServerCredentials> ServerCredentialsFor(const TlsConfig& tls);

// Credentials of a channel: TLS verifying the server's certificate and name
// against `ca_file` (the system's roots when empty), presenting `cert_file`
// when given; insecure ones when `tls.insecure`.
std::shared_ptr<grpc::ChannelCredentials> ChannelCredentialsFor(const TlsConfig& tls);

// The URI a Touyan service's certificate carries: spiffe://touyan/<service>.
std::string ServiceIdentityUri(const std::string& service);

// The Touyan service the peer's verified client certificate names, or "" when
// the peer showed none (or one naming no Touyan service).
std::string PeerService(const grpc::ServerContextBase& ctx);

}  // namespace touyan

#endif  // TOUYAN_COMMON_GRPC_TLS_H_
