// Shared by contest's adapter files (service_*.cc), internal: small checks
// and the member templates every area uses.
#ifndef TOUYAN_SERVICES_CONTEST_SERVICE_UTIL_H_
#define TOUYAN_SERVICES_CONTEST_SERVICE_UTIL_H_

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/grpc/handlers.h"
#include "common/idempotency/idempotency.h"
#include "common/ids/region.h"
#include "common/status/status.h"
#include "common/status/text.h"
#include "services/contest/contest_service.h"
#include "services/contest/domain/rules.h"

namespace touyan::contest {
namespace pv1 = ::touyan::personnel::v1;

}  // namespace touyan::contest

#endif  // TOUYAN_SERVICES_CONTEST_SERVICE_UTIL_H_
