#include "common/idempotency/idempotency.h"

#include <openssl/evp.h>

#include "absl/strings/str_cat.h"
#include "common/auth/jwt.h"
#include "common/status/status.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/wire_format_lite.h"

namespace touyan::idempotency {
namespace {

std::string StoredContext(absl::string_view request_id) {
  return absl::StrCat("idempotency.response ", request_id);
}

}  // namespace

Fingerprint FingerprintOf(const google::protobuf::Message& m) {
  // Into a buffer of the exact size: a growing string re-filled and copied
  // itself at every doubling (a 4 MB score batch spent ~40 ms there).
  std::string bytes(m.ByteSizeLong(), '\0');
  {
    google::protobuf::io::ArrayOutputStream out(bytes.data(), static_cast<int>(bytes.size()));
    google::protobuf::io::CodedOutputStream coded(&out);
    coded.SetSerializationDeterministic(true);
    m.SerializeWithCachedSizes(&coded);
  }
  return {auth::Sha256(bytes)};
}

struct FingerprintBuilder::Hash {
  Hash() : ctx(EVP_MD_CTX_new()) { EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr); }
  ~Hash() { EVP_MD_CTX_free(ctx); }
  EVP_MD_CTX* ctx;
};

FingerprintBuilder::FingerprintBuilder() : hash_(std::make_unique<Hash>()) {}

FingerprintBuilder::~FingerprintBuilder() = default;

void FingerprintBuilder::AddString(int field, absl::string_view value) {
  if (value.empty()) return;
  google::protobuf::io::StringOutputStream out(&pending_);
  google::protobuf::io::CodedOutputStream coded(&out);
  coded.WriteTag(google::protobuf::internal::WireFormatLite::MakeTag(
      field, google::protobuf::internal::WireFormatLite::WIRETYPE_LENGTH_DELIMITED));
  coded.WriteVarint32(static_cast<uint32_t>(value.size()));
  coded.WriteRaw(value.data(), static_cast<int>(value.size()));
  coded.Trim();
}

void FingerprintBuilder::AddMessage(int field, const google::protobuf::Message& m) {
  const size_t size = m.ByteSizeLong();
  {
    google::protobuf::io::StringOutputStream out(&pending_);
    google::protobuf::io::CodedOutputStream coded(&out);
    coded.SetSerializationDeterministic(true);
    coded.WriteTag(google::protobuf::internal::WireFormatLite::MakeTag(
        field, google::protobuf::internal::WireFormatLite::WIRETYPE_LENGTH_DELIMITED));
    coded.WriteVarint32(static_cast<uint32_t>(size));
    m.SerializeWithCachedSizes(&coded);
    coded.Trim();
  }
  if (pending_.size() >= 64 * 1024) Flush();
}

void FingerprintBuilder::AddFields(const google::protobuf::Message& part) {
  {
    google::protobuf::io::StringOutputStream out(&pending_);
    google::protobuf::io::CodedOutputStream coded(&out);
    coded.SetSerializationDeterministic(true);
    part.ByteSizeLong();
    part.SerializeWithCachedSizes(&coded);
    coded.Trim();
  }
  if (pending_.size() >= 64 * 1024) Flush();
}

void FingerprintBuilder::Flush() {
  EVP_DigestUpdate(hash_->ctx, pending_.data(), pending_.size());
  pending_.clear();
}

Fingerprint FingerprintBuilder::Finish() {
  Flush();
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(hash_->ctx, out, &len);
  return {std::string(reinterpret_cast<char*>(out), len)};
}

std::vector<db::Statement> Statements() {
  return {
      {"touyan_idem_claim",
       "INSERT INTO idempotency (request_id, subject, method, fingerprint, county_prefix) "
       "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (subject, request_id) DO NOTHING RETURNING 1"},
      {"touyan_idem_get",
       "SELECT subject, method, fingerprint, response FROM idempotency "
       "WHERE subject = $2 AND request_id = $1"},
      {"touyan_idem_complete_stream",
       "UPDATE idempotency SET response = $2, fingerprint = $4 "
       "WHERE subject = $3 AND request_id = $1"},
      {"touyan_idem_purge",
       "DELETE FROM idempotency WHERE (subject, request_id) IN (SELECT subject, request_id "
       "FROM idempotency WHERE created_at < now() - make_interval(secs => $1) "
       "ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)"},
  };
}

absl::Status ValidateRequestId(absl::string_view id) {
  if (id.empty()) {
    return InvalidField("request_id", "is required: choose a unique id per change (e.g. a UUID)",
                        "REQUIRED");
  }
  if (id.size() > 128) return InvalidField("request_id", "must be at most 128 characters");
  for (unsigned char c : id) {
    if (c < 0x21 || c > 0x7e) {
      return InvalidField("request_id", "must be printable ASCII without spaces");
    }
  }
  return absl::OkStatus();
}

namespace {

constexpr char kClaim[] = "touyan_idem_claim";

db::Call ClaimCallWith(const db::Scope& scope, absl::string_view request_id,
                       absl::string_view subject, absl::string_view method, const std::string& fp) {
  return {kClaim,
          "",
          {{std::string(request_id)},
           {std::string(subject)},
           {std::string(method)},
           {fp, true},
           {scope.county_prefix == "*" ? "" : scope.county_prefix}}};
}

// After the claim of the id with `fp` (empty for a stream, whose
// fingerprint is stored at its end) returned `claim_rows`: std::nullopt if
// this call claimed it; else, if an earlier call committed it, its
// fingerprint and opened answer, or REQUEST_ID_REUSED for another method
// or scope.
absl::StatusOr<std::optional<Earlier>> EarlierClaim(db::Tx& tx, int64_t claim_rows,
                                                    absl::string_view request_id,
                                                    absl::string_view subject,
                                                    absl::string_view method,
                                                    const crypto::Keyring* keys) {
  if (claim_rows > 0) return std::nullopt;
  // The row exists and has committed (ON CONFLICT waited for it); not seeing
  // it means this caller used the id in another scope.
  const std::string id(request_id);
  pqxx::result r = tx.exec_prepared("touyan_idem_get", id, std::string(subject));
  if (r.empty()) {
    return InvalidField("request_id", "was already used in another scope; choose a new id",
                        "REQUEST_ID_REUSED");
  }
  const auto& row = r[0];
  if (row[0].as<std::string>() != subject || row[1].as<std::string>() != method ||
      row[3].is_null()) {
    return InvalidField("request_id", "was already used for a different request; choose a new id",
                        "REQUEST_ID_REUSED");
  }
  Earlier earlier{{pqxx::binarystring(row[2]).str()}, pqxx::binarystring(row[3]).str()};
  // A serialized message never begins with byte 1 (field 0 does not
  // exist); a sealed answer always does. Answers stored before the service
  // had keys are plain.
  std::string& stored = earlier.response;
  if (keys != nullptr && !stored.empty() && stored[0] == 1) {
    ASSIGN_OR_RETURN(stored, keys->Open(stored, StoredContext(id)));
  }
  return earlier;
}

}  // namespace

db::Call ClaimCall(const db::Scope& scope, absl::string_view request_id, absl::string_view subject,
                   absl::string_view method, const Fingerprint& request) {
  return ClaimCallWith(scope, request_id, subject, method, request.sha256);
}

absl::StatusOr<std::optional<std::string>> Claimed(
    db::Tx& tx, int64_t claim_rows, absl::string_view request_id, absl::string_view subject,
    absl::string_view method, const Fingerprint& request, const crypto::Keyring* keys) {
  ASSIGN_OR_RETURN(std::optional<Earlier> earlier,
                   EarlierClaim(tx, claim_rows, request_id, subject, method, keys));
  if (!earlier) return std::nullopt;
  return Replay(*earlier, request);
}

absl::StatusOr<std::optional<Earlier>> ClaimStream(db::Tx& tx, const db::Scope& scope,
                                                   absl::string_view request_id,
                                                   absl::string_view subject,
                                                   absl::string_view method,
                                                   const crypto::Keyring* keys) {
  RETURN_IF_ERROR(ValidateRequestId(request_id));
  const db::Call claim = ClaimCallWith(scope, request_id, subject, method, "");
  pqxx::binarystring fp("");
  const int64_t rows = tx.exec_prepared(kClaim, *claim.params[0].value, *claim.params[1].value,
                                        *claim.params[2].value, fp, *claim.params[4].value)
                           .size();
  return EarlierClaim(tx, rows, request_id, subject, method, keys);
}

absl::StatusOr<std::string> Replay(const Earlier& earlier, const Fingerprint& request) {
  if (earlier.request.sha256 != request.sha256) {
    return InvalidField("request_id", "was already used for a different request; choose a new id",
                        "REQUEST_ID_REUSED");
  }
  return earlier.response;
}

absl::StatusOr<int64_t> Purge(db::Lease& lease, const db::Scope& scope, absl::Duration retention,
                              int batch, absl::Time deadline) {
  return db::RunBatches(lease, scope, batch, deadline, [&](db::Tx& tx) -> int64_t {
    return tx.exec_prepared("touyan_idem_purge", absl::ToDoubleSeconds(retention), batch)
        .affected_rows();
  });
}

std::string Stored(absl::string_view request_id, const google::protobuf::Message& response,
                   const crypto::Keyring* keys) {
  std::string bytes = response.SerializeAsString();
  return keys == nullptr ? bytes : keys->Seal(bytes, StoredContext(request_id));
}

void Complete(db::Tx& tx, absl::string_view request_id, absl::string_view subject,
              const google::protobuf::Message& response, const crypto::Keyring* keys,
              const Fingerprint& request) {
  tx.exec_prepared("touyan_idem_complete_stream", std::string(request_id),
                   pqxx::binarystring(Stored(request_id, response, keys)), std::string(subject),
                   pqxx::binarystring(request.sha256));
}

}  // namespace touyan::idempotency
