#include "common/status/status.h"

#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

namespace touyan {
namespace {
constexpr char kFieldUrl[] = "touyan.dev/field";
constexpr char kReasonUrl[] = "touyan.dev/reason";

std::optional<std::string> Payload(const absl::Status& s, const char* url) {
  auto p = s.GetPayload(url);
  if (!p) return std::nullopt;
  return std::string(*p);
}
}  // namespace

absl::Status InvalidField(absl::string_view field, absl::string_view message,
                          absl::string_view reason) {
  absl::Status s = absl::InvalidArgumentError(
      field.empty() ? std::string(message) : std::string(field) + ": " + std::string(message));
  return WithReason(WithField(std::move(s), field), reason);
}

absl::Status WithReason(absl::Status status, absl::string_view reason) {
  if (!status.ok() && !reason.empty()) status.SetPayload(kReasonUrl, absl::Cord(reason));
  return status;
}

absl::Status WithField(absl::Status status, absl::string_view field) {
  if (!status.ok() && !field.empty()) status.SetPayload(kFieldUrl, absl::Cord(field));
  return status;
}

absl::Status NestField(absl::Status status, absl::string_view prefix) {
  if (auto f = FieldOf(status)) return WithField(std::move(status), std::string(prefix) + *f);
  return status;
}

absl::Status NotFound(absl::string_view field, absl::string_view what, absl::string_view id) {
  return WithReason(
      WithField(absl::NotFoundError(absl::StrCat(what, " ", id, " does not exist")), field),
      "NOT_FOUND");
}

absl::Status CheckEtag(absl::string_view given, absl::string_view current, absl::string_view what,
                       absl::string_view id, absl::string_view field) {
  if (given.empty() || given == current) return absl::OkStatus();
  return WithReason(WithField(absl::AbortedError(absl::StrCat(
                                  what, " ", id, " changed since it was read (etag '", given,
                                  "', now '", current, "'): read it again and reapply the change")),
                              field),
                    "ETAG_MISMATCH");
}

std::optional<std::string> FieldOf(const absl::Status& status) {
  return Payload(status, kFieldUrl);
}

std::string ReasonOf(const absl::Status& status) {
  if (auto r = Payload(status, kReasonUrl)) return *r;
  return absl::AsciiStrToUpper(absl::StatusCodeToString(status.code()));
}

}  // namespace touyan
