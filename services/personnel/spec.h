// The personnel service as its server binary and the tests start it: the
// migrations and statements, the adapter over the Postgres repository, and
// what the server does with its data (sealed columns, exports, anonymising).
#ifndef TOUYAN_SERVICES_PERSONNEL_SPEC_H_
#define TOUYAN_SERVICES_PERSONNEL_SPEC_H_

#include "common/grpc/server.h"

namespace touyan::personnel {

ServiceSpec PersonnelSpec();

}  // namespace touyan::personnel

#endif  // TOUYAN_SERVICES_PERSONNEL_SPEC_H_
