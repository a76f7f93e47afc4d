// Shared by training's adapter files (service_*.cc), internal: small checks
// and the member templates every area uses.
#ifndef TOUYAN_SERVICES_TRAINING_SERVICE_UTIL_H_
#define TOUYAN_SERVICES_TRAINING_SERVICE_UTIL_H_

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/grpc/handlers.h"
#include "common/idempotency/idempotency.h"
#include "common/status/status.h"
#include "common/status/text.h"
#include "common/time/date.h"
#include "services/training/domain/rules.h"
#include "services/training/training_service.h"

namespace touyan::training {
namespace pv1 = ::touyan::personnel::v1;

// Whether the caller sees rows of `region_code`: inside the scope, or a
// region that contains the whole scope (the city's classes for a county).
inline bool CanSee(const Principal& p, const std::string& region_code) {
  const std::string prefix = PrefixOf(region_code);
  return absl::StartsWith(prefix, p.scope_prefix) || absl::StartsWith(p.scope_prefix, prefix);
}

// The same judged from an id's county alone (before any query).
inline absl::Status CheckIdVisible(const Principal& p, const ResourceId& id,
                                   absl::string_view field) {
  if (CanSee(p, id.county_code + "000000") ||
      absl::StartsWith(id.county_code, p.RlsCountyPrefix())) {
    return absl::OkStatus();
  }
  return WithField(WithReason(absl::PermissionDeniedError(
                                  absl::StrCat(id.ToString(), " belongs to county ", id.county_code,
                                               ", outside the caller's scope ", p.scope)),
                              "OUT_OF_SCOPE"),
                   field);
}

inline absl::Status CheckTheme(const v1::GetCoverageRequest& r, const CallContext& call) {
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, false));
  return ValidateText("theme", r.theme(), 100);
}

// Lists `missing` from the cursor (an offset) on.
inline v1::ListUncoveredResponse UncoveredPage(CallContext& call, const v1::ListUncoveredRequest& r,
                                               const std::vector<v1::UncoveredSecretary>& missing,
                                               const paging::Page& page, size_t from) {
  v1::ListUncoveredResponse out;
  size_t end = std::min(missing.size(), from + static_cast<size_t>(page.size));
  for (size_t i = from; i < end; ++i) *out.add_secretaries() = missing[i];
  if (end < missing.size()) out.set_next_page_token(call.pager().Next(r, absl::StrCat(end)));
  return out;
}

}  // namespace touyan::training

#endif  // TOUYAN_SERVICES_TRAINING_SERVICE_UTIL_H_
