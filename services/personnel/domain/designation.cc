#include "services/personnel/domain/designation.h"

#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "common/time/date.h"
#include "services/personnel/domain/rules.h"

namespace touyan::personnel {
namespace {

absl::Status Precondition(absl::string_view reason, absl::string_view msg) {
  return WithReason(absl::FailedPreconditionError(msg), reason);
}

absl::Status CheckOpen(const v1::Designation& d) {
  if (d.revoked()) return Precondition("REVOKED", "the designation was revoked");
  return absl::OkStatus();
}

}  // namespace

bool IsCommendation(v1::DesignationKind k) {
  return k == v1::DESIGNATION_KIND_DEMONSTRATION_SITE || k == v1::DESIGNATION_KIND_MODEL_VILLAGE ||
         k == v1::DESIGNATION_KIND_STRONGEST_BRANCH;
}

absl::Status ValidateNewDesignation(const v1::Designation& d, v1::PartyOrgKind org_kind,
                                    absl::CivilDay today) {
  if (d.kind() == v1::DESIGNATION_KIND_UNSPECIFIED || !v1::DesignationKind_IsValid(d.kind())) {
    return InvalidField("designation.kind", "is required", "REQUIRED");
  }
  if (d.year() < 2000 || d.year() > today.year() + 1) {
    return InvalidField("designation.year",
                        absl::StrCat("must be from 2000 to ", today.year() + 1));
  }
  RETURN_IF_ERROR(ValidateText("designation.source", d.source(), 200));
  RETURN_IF_ERROR(ValidateText("designation.note", d.note(), 1000, /*required=*/false));
  RETURN_IF_ERROR(ValidateText("designation.instructor", d.instructor(), 50, /*required=*/false));
  if (d.kind() != v1::DESIGNATION_KIND_RECTIFICATION_TARGET &&
      (!d.instructor().empty() || IsSet(d.rectification_deadline()))) {
    return InvalidField("designation.instructor", "only rectification targets get an instructor");
  }
  if (IsSet(d.rectification_deadline())) {
    RETURN_IF_ERROR(
        ToCivilDay("designation.rectification_deadline", d.rectification_deadline()).status());
  }
  if (d.kind() == v1::DESIGNATION_KIND_MODEL_VILLAGE && org_kind != v1::PARTY_ORG_KIND_VILLAGE &&
      org_kind != v1::PARTY_ORG_KIND_COMMUNITY) {
    return Precondition("VILLAGES_ONLY",
                        "a model village must be a village or community organisation");
  }
  return absl::OkStatus();
}

absl::Status CheckDesignationConflict(v1::DesignationKind kind,
                                      const std::vector<v1::DesignationKind>& same_year) {
  for (v1::DesignationKind other : same_year) {
    bool clash = (kind == v1::DESIGNATION_KIND_RECTIFICATION_TARGET && IsCommendation(other)) ||
                 (IsCommendation(kind) && other == v1::DESIGNATION_KIND_RECTIFICATION_TARGET);
    if (clash) {
      return Precondition(
          "DESIGNATION_CONFLICT",
          absl::StrCat("the organisation is already ", v1::DesignationKind_Name(other),
                       " this year; it cannot also be ", v1::DesignationKind_Name(kind)));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateAssignInstructor(const v1::Designation& d, absl::string_view instructor,
                                      const google::type::Date& deadline) {
  RETURN_IF_ERROR(CheckOpen(d));
  if (d.kind() != v1::DESIGNATION_KIND_RECTIFICATION_TARGET) {
    return Precondition("NOT_A_RECTIFICATION", "only rectification targets get an instructor");
  }
  if (IsSet(d.closed_on())) return Precondition("ALREADY_CLOSED", "the rectification is closed");
  RETURN_IF_ERROR(ValidateText("instructor", instructor, 50));
  if (!IsSet(deadline)) return InvalidField("rectification_deadline", "is required", "REQUIRED");
  return ToCivilDay("rectification_deadline", deadline).status();
}

absl::Status ValidateClose(const v1::Designation& d, const google::type::Date& closed_on,
                           absl::string_view result, absl::CivilDay today) {
  RETURN_IF_ERROR(CheckOpen(d));
  if (d.kind() != v1::DESIGNATION_KIND_RECTIFICATION_TARGET) {
    return Precondition("NOT_A_RECTIFICATION", "only a rectification is closed out");
  }
  if (IsSet(d.closed_on())) return Precondition("ALREADY_CLOSED", "the rectification is closed");
  if (!IsSet(closed_on)) return InvalidField("closed_on", "is required", "REQUIRED");
  ASSIGN_OR_RETURN(absl::CivilDay day, ToCivilDay("closed_on", closed_on));
  if (day > today) return InvalidField("closed_on", "must not be in the future");
  if (day.year() < d.year()) return InvalidField("closed_on", "is before the designation's year");
  return ValidateText("result", result, 1000);
}

absl::Status ValidateRevoke(const v1::Designation& d, absl::string_view reason) {
  RETURN_IF_ERROR(CheckOpen(d));
  return ValidateText("reason", reason, 500);
}

absl::Status ValidateSupport(const v1::SupportEntry& e, absl::CivilDay today) {
  if (e.kind() == v1::SUPPORT_KIND_UNSPECIFIED || !v1::SupportKind_IsValid(e.kind())) {
    return InvalidField("kind", "must be SUPPORT_KIND_PROJECT or SUPPORT_KIND_FUNDS", "REQUIRED");
  }
  if (e.amount_fen() < 1 || e.amount_fen() > 1'000'000'000'000) {
    return InvalidField("amount_fen", "must be from 1 to 10^12 fen", "OUT_OF_RANGE");
  }
  RETURN_IF_ERROR(ValidateText("title", e.title(), 200, /*required=*/true));
  if (!IsSet(e.granted_on())) return InvalidField("granted_on", "is required", "REQUIRED");
  ASSIGN_OR_RETURN(absl::CivilDay on, ToCivilDay("granted_on", e.granted_on()));
  if (on > today) return InvalidField("granted_on", "must not be in the future", "IN_FUTURE");
  return absl::OkStatus();
}

absl::Status CheckSupported(const v1::Designation& d) {
  if (d.revoked()) return Precondition("REVOKED", "the designation is revoked");
  if (!IsCommendation(d.kind())) {
    return Precondition("NOT_A_COMMENDATION",
                        v1::DesignationKind_Name(d.kind()) +
                            " is not a commendation: support goes to the top of a contest "
                            "(demonstration sites, model villages, strongest branches)");
  }
  return absl::OkStatus();
}

absl::Status ValidateEnd(const v1::Position& current, const google::type::Date& ended_on,
                         v1::PositionEndReason reason, absl::CivilDay today) {
  if (IsSet(current.ended_on())) {
    return Precondition("ALREADY_ENDED", "the term has already ended");
  }
  if (reason == v1::POSITION_END_REASON_UNSPECIFIED || !v1::PositionEndReason_IsValid(reason)) {
    return InvalidField("reason", "is required", "REQUIRED");
  }
  if (!IsSet(ended_on)) return InvalidField("ended_on", "is required", "REQUIRED");
  ASSIGN_OR_RETURN(absl::CivilDay end, ToCivilDay("ended_on", ended_on));
  ASSIGN_OR_RETURN(absl::CivilDay start, ToCivilDay("term_start", current.term_start()));
  if (end < start) return InvalidField("ended_on", "is before the term started");
  if (end > today) return InvalidField("ended_on", "must not be in the future");
  return absl::OkStatus();
}

}  // namespace touyan::personnel
