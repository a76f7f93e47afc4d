// incentive_server: wiring only. `incentive_server --help` lists the flags;
// --personnel-target, --training-target and --contest-target say where the
// services it reads listen.
#include "common/grpc/server.h"
#include "services/incentive/spec.h"

int main(int argc, char** argv) {
  return touyan::ServerMain(argc, argv, touyan::incentive::IncentiveSpec());
}
