// The incentive service as its server binary and the tests start it: the
// migrations and statements, the adapter over the Postgres repository, and
// what the server does with its data (sealed columns, exports, anonymising).
#ifndef TOUYAN_SERVICES_INCENTIVE_SPEC_H_
#define TOUYAN_SERVICES_INCENTIVE_SPEC_H_

#include "common/grpc/server.h"

namespace touyan::incentive {

ServiceSpec IncentiveSpec();

}  // namespace touyan::incentive

#endif  // TOUYAN_SERVICES_INCENTIVE_SPEC_H_
