// Idempotent mutations: a request_id seen before returns the first response
// and changes nothing; the same id with a different request is refused.
#ifndef TOUYAN_COMMON_IDEMPOTENCY_IDEMPOTENCY_H_
#define TOUYAN_COMMON_IDEMPOTENCY_IDEMPOTENCY_H_

#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/crypto/keyring.h"
#include "common/db/pool.h"
#include "common/db/transaction.h"
#include "google/protobuf/message.h"

namespace touyan::idempotency {

std::vector<db::Statement> Statements();

// Returns INVALID_ARGUMENT naming `request_id` unless it is 1–128 printable
// ASCII characters.
absl::Status ValidateRequestId(absl::string_view request_id);

// What Claim compares a retried request with: the SHA-256 of the request's
// deterministic serialization.
struct Fingerprint {
  std::string sha256;
};
Fingerprint FingerprintOf(const google::protobuf::Message& request);

// The fingerprint of a request that arrives in parts (a client stream whose
// messages merge into one request), equal to FingerprintOf the merged
// request when its fields are added as serialization writes them: in
// field-number order, a repeated field's elements in their order. Nothing
// of the request is kept but the hash state.
class FingerprintBuilder {
 public:
  FingerprintBuilder();
  ~FingerprintBuilder();
  FingerprintBuilder(const FingerprintBuilder&) = delete;
  FingerprintBuilder& operator=(const FingerprintBuilder&) = delete;

  // A string (or bytes) field; an empty one is not written (proto3).
  void AddString(int field, absl::string_view value);
  // A message field, or one element of a repeated one.
  void AddMessage(int field, const google::protobuf::Message& m);
  // The fields set in `part`, all numbered above those added so far (e.g.
  // options a stream's first message carries after its repeated rows).
  void AddFields(const google::protobuf::Message& part);
  Fingerprint Finish();

 private:
  void Flush();
  struct Hash;
  std::unique_ptr<Hash> hash_;
  std::string pending_;  // serialized, not hashed yet (hashed in large pieces)
};

// Claims the caller's (`subject`'s) `request_id`, in the caller's
// row-level-security `scope`: ids are per caller (AIP-155), so another
// caller's "r1" is another request. The claim is one statement, ClaimCall,
// sent with the transaction's BEGIN (db::RunPipelined); Claimed reads what
// it found, given the rows it returned, in the same transaction. Claimed
// returns the stored response (opened with `keys` when it was sealed) if
// an earlier call of this caller with this id committed; std::nullopt if
// this call owns the id now (a concurrent call with the same id waits on
// the row until this one ends). It returns INVALID_ARGUMENT
// (REQUEST_ID_REUSED) if the caller used the id for another method or
// request, or in a scope it cannot see now.
db::Call ClaimCall(const db::Scope& scope, absl::string_view request_id, absl::string_view subject,
                   absl::string_view method, const Fingerprint& request);
absl::StatusOr<std::optional<std::string>> Claimed(
    db::Tx& tx, int64_t claim_rows, absl::string_view request_id, absl::string_view subject,
    absl::string_view method, const Fingerprint& request, const crypto::Keyring* keys);

// A client stream's request is whole only at its end, but its id is claimed
// at its start (a concurrent retry waits on the row while the first call
// streams). ClaimStream claims as Claim does without comparing requests:
// std::nullopt if this call owns the id (it then stores its fingerprint
// with its answer: Complete with `request`); else the earlier call's
// fingerprint and answer, which Replay returns once this call's own
// fingerprint is known and equal. INVALID_ARGUMENT (REQUEST_ID_REUSED) for
// another method or scope, as Claim.
struct Earlier {
  Fingerprint request;
  std::string response;  // opened
};
absl::StatusOr<std::optional<Earlier>> ClaimStream(db::Tx& tx, const db::Scope& scope,
                                                   absl::string_view request_id,
                                                   absl::string_view subject,
                                                   absl::string_view method,
                                                   const crypto::Keyring* keys);
// The earlier answer if `request` is the earlier request; else
// INVALID_ARGUMENT (REQUEST_ID_REUSED) naming `request_id`.
absl::StatusOr<std::string> Replay(const Earlier& earlier, const Fingerprint& request);

// Deletes the stored answers older than `retention` that `scope` reaches,
// `batch` rows a transaction (rows another transaction holds are skipped, so
// no call waits on the purge for long), until none is left or `deadline`.
// Returns how many were deleted.
absl::StatusOr<int64_t> Purge(db::Lease& lease, const db::Scope& scope, absl::Duration retention,
                              int batch, absl::Time deadline);

// What is stored of `response` for replay: its bytes, sealed with `keys`
// when the service has data keys (answers may hold personal data).
std::string Stored(absl::string_view request_id, const google::protobuf::Message& response,
                   const crypto::Keyring* keys);

// Stores the response of a ClaimStream owner for replay, with its whole
// request's fingerprint; same transaction as the change (a StreamMutation
// does this with its audit rows in one statement).
void Complete(db::Tx& tx, absl::string_view request_id, absl::string_view subject,
              const google::protobuf::Message& response, const crypto::Keyring* keys,
              const Fingerprint& request);

}  // namespace touyan::idempotency

#endif  // TOUYAN_COMMON_IDEMPOTENCY_IDEMPOTENCY_H_
