#include "common/auth/principal.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace touyan::auth {

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::kCityOrgDept:
      return "city_org_dept";
    case Role::kCountyOperator:
      return "county_operator";
    case Role::kTownshipOperator:
      return "township_operator";
    case Role::kAuditor:
      return "auditor";
    case Role::kService:
      return "service";
  }
  return "unknown";
}

std::optional<Role> ParseRole(absl::string_view name) {
  for (Role r : {Role::kCityOrgDept, Role::kCountyOperator, Role::kTownshipOperator, Role::kAuditor,
                 Role::kService}) {
    if (RoleName(r) == name) return r;
  }
  return std::nullopt;
}

absl::StatusOr<std::string> RegionPrefix(absl::string_view code) {
  if (code.size() != 12 ||
      !std::all_of(code.begin(), code.end(), [](char c) { return absl::ascii_isdigit(c); })) {
    return absl::InvalidArgumentError(absl::StrCat("'", code, "' is not a 12-digit region code"));
  }
  auto zeros = [&](size_t from) {
    return code.find_first_not_of('0', from) == absl::string_view::npos;
  };
  if (zeros(0)) return std::string();
  if (zeros(2)) return std::string(code.substr(0, 2));
  if (zeros(4)) return std::string(code.substr(0, 4));
  if (zeros(6)) return std::string(code.substr(0, 6));
  if (zeros(9)) return std::string(code.substr(0, 9));
  return std::string(code);
}

bool Principal::Covers(absl::string_view code) const {
  if (code.size() == 6) {  // a county code: covered when the scope is at county level or above
    return scope_prefix.size() <= 6 && absl::StartsWith(code, scope_prefix);
  }
  return absl::StartsWith(code, scope_prefix);
}

absl::Status Principal::CheckCovers(absl::string_view code) const {
  if (Covers(code)) return absl::OkStatus();
  return WithReason(absl::PermissionDeniedError(
                        absl::StrCat("region ", code, " is outside the caller's scope ", scope)),
                    "OUT_OF_SCOPE");
}

absl::Status Principal::CheckWrite(absl::string_view code) const {
  if (!CanWrite()) {
    return WithReason(absl::PermissionDeniedError(
                          absl::StrCat("role ", RoleName(role), " may read but not write")),
                      "READ_ONLY_ROLE");
  }
  return CheckCovers(code);
}

absl::StatusOr<Principal> Principal::NarrowTo(absl::string_view deployment) const {
  ASSIGN_OR_RETURN(std::string prefix, RegionPrefix(deployment));
  if (absl::StartsWith(scope_prefix, prefix)) return *this;
  if (absl::StartsWith(prefix, scope_prefix)) {
    Principal p = *this;
    p.scope = std::string(deployment);
    p.scope_prefix = std::move(prefix);
    return p;
  }
  return WithReason(absl::PermissionDeniedError(absl::StrCat(
                        "this deployment serves region ", deployment, "; the caller's scope ",
                        scope, " lies outside it (call the deployment of that region)")),
                    "OUTSIDE_DEPLOYMENT");
}

absl::StatusOr<Principal> Principal::Make(std::string subject, Role role, std::string scope) {
  if (subject.empty()) return absl::InvalidArgumentError("principal has no subject");
  auto prefix = RegionPrefix(scope);
  if (!prefix.ok()) return prefix.status();
  size_t n = prefix->size();
  bool fits = true;
  switch (role) {
    case Role::kCountyOperator:
      fits = n == 6;
      break;
    case Role::kTownshipOperator:
      fits = n == 9;
      break;
    case Role::kCityOrgDept:
      fits = n <= 4;
      break;
    case Role::kAuditor:
    case Role::kService:
      fits = n <= 6;
      break;
  }
  if (!fits) {
    return absl::InvalidArgumentError(
        absl::StrCat("scope ", scope, " does not fit role ", RoleName(role)));
  }
  Principal p;
  p.subject = std::move(subject);
  p.role = role;
  p.scope = std::move(scope);
  p.scope_prefix = *std::move(prefix);
  return p;
}

}  // namespace touyan::auth
