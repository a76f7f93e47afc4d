// personnel_server: wiring only. `personnel_server --help` lists the flags
// (README.md "Configuration").
#include "common/grpc/server.h"
#include "services/personnel/spec.h"

int main(int argc, char** argv) {
  return touyan::ServerMain(argc, argv, touyan::personnel::PersonnelSpec());
}
