// The client other services use to ask training, over gRPC with the caller's
// own token (incentive: who has not completed a class on a theme). Training
// down is UNAVAILABLE (DOWNSTREAM_UNAVAILABLE).
#ifndef TOUYAN_SERVICES_TRAINING_CLIENT_TRAINING_CLIENT_H_
#define TOUYAN_SERVICES_TRAINING_CLIENT_TRAINING_CLIENT_H_

#include <memory>
#include <set>
#include <string>

#include "common/call/call_context.h"
#include "common/grpc/downstream.h"
#include "touyan/training/v1/training.grpc.pb.h"

namespace touyan::training {

class TrainingClient {
 public:
  explicit TrainingClient(const Downstream& downstream)
      : downstream_(downstream), stub_(v1::TrainingService::NewStub(downstream.channel())) {}

  // The ids of the current village secretaries under `region_code` who have
  // not completed a class on `theme` in `year`.
  absl::StatusOr<std::set<std::string>> Uncovered(CallContext& call, const std::string& region_code,
                                                  int year, const std::string& theme);

 private:
  const Downstream& downstream_;
  std::unique_ptr<v1::TrainingService::Stub> stub_;
};

}  // namespace touyan::training

#endif  // TOUYAN_SERVICES_TRAINING_CLIENT_TRAINING_CLIENT_H_
