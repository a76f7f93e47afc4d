// personnel_server: wiring only. Configuration: personnel_server --help
// lists nothing; see README.md "Configuration" for the flags and variables.
#include "common/grpc/server.h"
#include "services/personnel/personnel_service.h"

int main(int argc, char** argv) {
  return touyan::ServerMain(argc, argv, touyan::personnel::PersonnelSpec());
}
