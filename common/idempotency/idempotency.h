// Idempotent mutations: a request_id seen before returns the first response
// and changes nothing; the same id with a different request is refused.
#ifndef TOUYAN_COMMON_IDEMPOTENCY_IDEMPOTENCY_H_
#define TOUYAN_COMMON_IDEMPOTENCY_IDEMPOTENCY_H_

#include <optional>
#include "absl/strings/string_view.h"
#include <string>
#include <string_view>
#include <vector>

#include <pqxx/pqxx>

#include "absl/status/statusor.h"
#include "common/db/pool.h"
#include "google/protobuf/message.h"

namespace touyan::idempotency {

std::vector<db::Statement> Statements();

// Returns INVALID_ARGUMENT naming `request_id` unless it is 1–128 printable
// ASCII characters.
absl::Status ValidateRequestId(absl::string_view request_id);

// Claims `request_id` inside `tx`. Returns the stored response if an earlier
// call with this id committed; std::nullopt if this call owns the id now (a
// concurrent call with the same id waits on the row until this one ends).
// Returns INVALID_ARGUMENT (REQUEST_ID_REUSED) if the id was used by another
// caller, method or request.
absl::StatusOr<std::optional<std::string>> Claim(db::Tx& tx, absl::string_view request_id,
                                                 absl::string_view subject,
                                                 absl::string_view method,
                                                 const google::protobuf::Message& request);

// Stores the response for replay; same transaction as the change.
void Complete(db::Tx& tx, absl::string_view request_id,
              const google::protobuf::Message& response);

}  // namespace touyan::idempotency

#endif  // TOUYAN_COMMON_IDEMPOTENCY_IDEMPOTENCY_H_
