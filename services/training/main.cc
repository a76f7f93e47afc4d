// training_server: wiring only. `training_server --help` lists the flags;
// --personnel-target says where the personnel service listens.
#include "common/grpc/server.h"
#include "services/training/spec.h"

int main(int argc, char** argv) {
  return touyan::ServerMain(argc, argv, touyan::training::TrainingSpec());
}
