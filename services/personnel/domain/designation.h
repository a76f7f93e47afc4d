// Designations of Party organisations for a year, and how terms end. Pure
// rules over the contract's messages.
#ifndef TOUYAN_SERVICES_PERSONNEL_DOMAIN_DESIGNATION_H_
#define TOUYAN_SERVICES_PERSONNEL_DOMAIN_DESIGNATION_H_

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "touyan/personnel/v1/personnel.pb.h"

namespace touyan::personnel {

// Demonstration site, model village, strongest branch: the top of a contest.
bool IsCommendation(v1::DesignationKind kind);

// INVALID_ARGUMENT naming the field (designation.kind, .year, .source, …);
// FAILED_PRECONDITION (VILLAGES_ONLY) for a model village that is not a
// village or community organisation.
absl::Status ValidateNewDesignation(const v1::Designation& d, v1::PartyOrgKind org_kind,
                                    absl::CivilDay today);

// FAILED_PRECONDITION (DESIGNATION_CONFLICT) when an organisation would be a
// rectification target and commended in the same year.
absl::Status CheckDesignationConflict(v1::DesignationKind kind,
                                      const std::vector<v1::DesignationKind>& same_year);

// Instructor, close-out and revocation of a stored designation:
// FAILED_PRECONDITION (NOT_A_RECTIFICATION, ALREADY_CLOSED, REVOKED) when the
// designation is not in a state that allows it.
absl::Status ValidateAssignInstructor(const v1::Designation& d, absl::string_view instructor,
                                      const google::type::Date& deadline);
absl::Status ValidateClose(const v1::Designation& d, const google::type::Date& closed_on,
                           absl::string_view result, absl::CivilDay today);
absl::Status ValidateRevoke(const v1::Designation& d, absl::string_view reason);

// A support entry as sent (fields named as in SupportEntry: kind,
// amount_fen, title, granted_on), then against its designation:
// FAILED_PRECONDITION (REVOKED, NOT_A_COMMENDATION) unless the designation
// stands and commends (support is for the top of a contest, 排名靠前).
absl::Status ValidateSupport(const v1::SupportEntry& e, absl::CivilDay today);
absl::Status CheckSupported(const v1::Designation& d);

// Ending a term: FAILED_PRECONDITION (ALREADY_ENDED) for an ended position;
// INVALID_ARGUMENT for a date before the term started or after today, or no reason.
absl::Status ValidateEnd(const v1::Position& current, const google::type::Date& ended_on,
                         v1::PositionEndReason reason, absl::CivilDay today);

}  // namespace touyan::personnel

#endif  // TOUYAN_SERVICES_PERSONNEL_DOMAIN_DESIGNATION_H_
