// Who is calling: a subject, a role and a region scope. The scope is a
// 12-digit region code; it covers every region whose code starts with the
// scope's significant digits (province 2, city 4, county 6, township 9).
#ifndef TOUYAN_COMMON_AUTH_PRINCIPAL_H_
#define TOUYAN_COMMON_AUTH_PRINCIPAL_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace touyan::auth {

enum class Role {
  kCityOrgDept,       // 市委组织部: reads and writes its whole scope
  kCountyOperator,    // reads and writes one county
  kTownshipOperator,  // reads and writes one township
  kAuditor,           // reads its scope, writes nothing
  kService,           // another Touyan service or government system
};

absl::string_view RoleName(Role role);  // "county_operator"
std::optional<Role> ParseRole(absl::string_view name);

// The significant prefix of a 12-digit region code ("150902000000" →
// "150902"), or INVALID_ARGUMENT if it is not one. "000000000000" is the nation.
absl::StatusOr<std::string> RegionPrefix(absl::string_view code);

struct Principal {
  std::string subject;
  Role role = Role::kAuditor;
  std::string scope;                            // 12-digit region code
  std::string scope_prefix;                     // its significant digits
  absl::Time expires = absl::InfiniteFuture();  // of the token it came from
  std::string bearer;  // that token, passed on to the services this one calls

  bool CanWrite() const { return role != Role::kAuditor; }
  // Whether a region (12 digits) or county (6 digits) lies in the scope. A
  // county is covered only when the whole county is: a township operator
  // covers its township's regions, not its county.
  bool Covers(absl::string_view code) const;
  // The county-level prefix Postgres row-level security filters on.
  std::string RlsCountyPrefix() const { return scope_prefix.substr(0, 6); }
  // Resident ID numbers are shown in full only to operators who manage
  // cadres; others see them masked.
  bool SeesResidentIds() const {
    return role == Role::kCityOrgDept || role == Role::kCountyOperator;
  }

  // Returns PERMISSION_DENIED unless the scope covers `code`.
  absl::Status CheckCovers(absl::string_view code) const;
  // Returns PERMISSION_DENIED unless the caller may write `code`.
  absl::Status CheckWrite(absl::string_view code) const;

  // The principal as a deployment that serves `scope` (a 12-digit code) sees
  // it: a broader scope is narrowed to the deployment's (the city's
  // department, calling a county's deployment, acts on that county); a scope
  // inside it is kept; one outside it is PERMISSION_DENIED (OUTSIDE_DEPLOYMENT).
  absl::StatusOr<Principal> NarrowTo(absl::string_view scope) const;

  // Validates that role and scope fit together (a county operator's scope
  // is a county, ...). Returns INVALID_ARGUMENT otherwise.
  static absl::StatusOr<Principal> Make(std::string subject, Role role, std::string scope);
};

}  // namespace touyan::auth

#endif  // TOUYAN_COMMON_AUTH_PRINCIPAL_H_
