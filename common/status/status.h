// Errors inside Touyan: absl::Status with two optional payloads, the field
// that was wrong and a machine-readable reason. common/grpc/grpc_status.h turns
// them into google.rpc.BadRequest and google.rpc.ErrorInfo at the edge.
#ifndef TOUYAN_COMMON_STATUS_STATUS_H_
#define TOUYAN_COMMON_STATUS_STATUS_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace touyan {

// Returns INVALID_ARGUMENT naming `field` (a request field path such as
// "cadre.resident_id"), with `reason` as the ErrorInfo reason.
absl::Status InvalidField(absl::string_view field, absl::string_view message,
                          absl::string_view reason = "INVALID_FIELD");

// Attaches a machine-readable reason (UPPER_SNAKE) to `status`.
absl::Status WithReason(absl::Status status, absl::string_view reason);
// Attaches the offending field to `status`.
absl::Status WithField(absl::Status status, absl::string_view field);

// Nests the attached field under `prefix`: "resident_id" → "cadre.resident_id".
absl::Status NestField(absl::Status status, absl::string_view prefix);

// NOT_FOUND naming `field`: "<what> <id> does not exist".
absl::Status NotFound(absl::string_view field, absl::string_view what, absl::string_view id);

// ABORTED (reason ETAG_MISMATCH, field `field`) when a caller sent an etag
// and it is not the resource's current one: someone changed it since the
// caller read it. An empty etag asks for no check.
absl::Status CheckEtag(absl::string_view given, absl::string_view current, absl::string_view what,
                       absl::string_view id, absl::string_view field = "etag");

std::optional<std::string> FieldOf(const absl::Status& status);
// The attached reason, or the canonical code name ("NOT_FOUND") if none.
std::string ReasonOf(const absl::Status& status);

}  // namespace touyan

// Abseil 20220623 has no status macros; these are ours.
#define TOUYAN_CONCAT_INNER_(a, b) a##b
#define TOUYAN_CONCAT_(a, b) TOUYAN_CONCAT_INNER_(a, b)

#define RETURN_IF_ERROR(expr)                                         \
  do {                                                                \
    if (absl::Status touyan_status_ = (expr); !touyan_status_.ok()) { \
      return touyan_status_;                                          \
    }                                                                 \
  } while (0)

#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL_(TOUYAN_CONCAT_(touyan_statusor_, __LINE__), lhs, expr)

#define ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr)   \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return std::move(tmp).status(); \
  lhs = std::move(*tmp)

#endif  // TOUYAN_COMMON_STATUS_STATUS_H_
