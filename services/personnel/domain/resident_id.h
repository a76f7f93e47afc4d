// Resident identity numbers (居民身份证号码), GB 11643-1999: 6 digits of the
// region of first registration, 8 of the birth date, 3 of sequence (odd for
// men), and an ISO 7064 MOD 11-2 check character (0-9 or X).
#ifndef TOUYAN_SERVICES_PERSONNEL_DOMAIN_RESIDENT_ID_H_
#define TOUYAN_SERVICES_PERSONNEL_DOMAIN_RESIDENT_ID_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "common/audit/audit.h"

namespace touyan::personnel {

struct ResidentIdInfo {
  std::string region;  // 6 digits
  absl::CivilDay birth_date;
  bool male = false;
};

// The check character for the first 17 digits.
char ResidentIdCheckChar(absl::string_view first17);

// Returns INVALID_ARGUMENT naming "resident_id" (reasons WRONG_LENGTH,
// NOT_DIGITS, BAD_REGION, BAD_BIRTH_DATE, BAD_CHECKSUM) unless `id` is valid
// and its birth date lies between 1900-01-01 and `today`. A lower-case x is
// accepted; Normalize upper-cases it.
absl::StatusOr<ResidentIdInfo> ParseResidentId(absl::string_view id, absl::CivilDay today);
std::string NormalizeResidentId(absl::string_view id);

// "150102199003071234" → "150102********1234" (the audit trail masks alike).
using audit::MaskResidentId;

}  // namespace touyan::personnel

#endif  // TOUYAN_SERVICES_PERSONNEL_DOMAIN_RESIDENT_ID_H_
