#include "common/grpc/tls.h"

#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_certificate_verifier.h>
#include <grpcpp/security/tls_credentials_options.h>

#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace touyan {
namespace {

constexpr char kIdentityPrefix[] = "spiffe://touyan/";

absl::Status Readable(const std::string& path, const char* flag) {
  if (path.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--", flag, " is required for TLS (or --insecure for plaintext, development only)"));
  }
  if (!std::ifstream(path))
    return absl::InvalidArgumentError(absl::StrCat("--", flag, ": cannot read ", path));
  return absl::OkStatus();
}

unsigned int Seconds(absl::Duration d) {
  return static_cast<unsigned int>(std::max<int64_t>(1, absl::ToInt64Seconds(d)));
}

}  // namespace

absl::Status ValidateServerTls(const TlsConfig& tls) {
  if (tls.insecure) return absl::OkStatus();
  if (absl::Status s = Readable(tls.cert_file, "tls-cert-file"); !s.ok()) return s;
  if (absl::Status s = Readable(tls.key_file, "tls-key-file"); !s.ok()) return s;
  return Readable(tls.ca_file, "tls-ca-file");
}

std::shared_ptr<grpc::ServerCredentials> ServerCredentialsFor(const TlsConfig& tls) {
  if (tls.insecure) return grpc::InsecureServerCredentials();
  auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      tls.key_file, tls.cert_file, tls.ca_file, Seconds(tls.reload_interval));
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_root_certs();
  options.watch_identity_key_cert_pairs();
  // A client certificate is asked for and, when shown, must chain to the CA:
  // services show theirs; caller systems may rely on their token alone.
  options.set_cert_request_type(GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY);
  return grpc::experimental::TlsServerCredentials(options);
}

std::shared_ptr<grpc::ChannelCredentials> ChannelCredentialsFor(const TlsConfig& tls) {
  if (tls.insecure) return grpc::InsecureChannelCredentials();
  grpc::experimental::TlsChannelCredentialsOptions options;
  std::shared_ptr<grpc::experimental::CertificateProviderInterface> provider;
  const bool identity = !tls.cert_file.empty() && !tls.key_file.empty();
  if (identity || !tls.ca_file.empty()) {
    provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
        identity ? tls.key_file : "", identity ? tls.cert_file : "", tls.ca_file,
        Seconds(tls.reload_interval));
    options.set_certificate_provider(provider);
    if (!tls.ca_file.empty()) options.watch_root_certs();
    if (identity) options.watch_identity_key_cert_pairs();
  }
  options.set_verify_server_certs(true);
  options.set_certificate_verifier(
      std::make_shared<grpc::experimental::HostNameCertificateVerifier>());
  options.set_check_call_host(true);
  return grpc::experimental::TlsCredentials(options);
}

std::string ServiceIdentityUri(const std::string& service) { return kIdentityPrefix + service; }

std::string PeerService(const grpc::ServerContextBase& ctx) {
  std::shared_ptr<const grpc::AuthContext> auth = ctx.auth_context();
  if (auth == nullptr || !auth->IsPeerAuthenticated()) return "";
  for (const grpc::string_ref& san : auth->FindPropertyValues("x509_subject_alternative_name")) {
    absl::string_view v(san.data(), san.size());
    if (absl::StartsWith(v, kIdentityPrefix))
      return std::string(v.substr(sizeof kIdentityPrefix - 1));
  }
  return "";
}

}  // namespace touyan
