// What training asks personnel, over gRPC with the caller's token: cadres by
// id and the current village secretaries of a region. Errors name the
// training request's field; personnel down is UNAVAILABLE.
#ifndef TOUYAN_SERVICES_TRAINING_PERSONNEL_CLIENT_H_
#define TOUYAN_SERVICES_TRAINING_PERSONNEL_CLIENT_H_

#include <memory>
#include <string>
#include <vector>

#include "common/grpc/downstream.h"
#include "common/grpc/runtime.h"
#include "services/training/domain/coverage.h"
#include "touyan/personnel/v1/personnel.grpc.pb.h"

namespace touyan::training {

namespace pv1 = ::touyan::personnel::v1;

class PersonnelClient {
 public:
  explicit PersonnelClient(const Downstream& downstream)
      : downstream_(downstream), stub_(pv1::PersonnelService::NewStub(downstream.channel())) {}

  // NOT_FOUND or PERMISSION_DENIED name `field`.
  absl::StatusOr<pv1::Cadre> GetCadre(CallContext& call, const std::string& id,
                                      absl::string_view field);
  // In the order of `ids`; errors name `field[i]`.
  absl::StatusOr<std::vector<pv1::Cadre>> GetCadres(
      CallContext& call, const google::protobuf::RepeatedPtrField<std::string>& ids,
      absl::string_view field);
  // Every current secretary of a village organisation under `region_code`.
  absl::StatusOr<std::vector<SecretaryRef>> VillageSecretaries(CallContext& call,
                                                               const std::string& region_code);

 private:
  const Downstream& downstream_;
  std::unique_ptr<pv1::PersonnelService::Stub> stub_;
};

// Whether a cadre currently holds a secretary post (branch secretary or both posts).
bool IsSecretary(const pv1::Cadre& c);

}  // namespace touyan::training

#endif  // TOUYAN_SERVICES_TRAINING_PERSONNEL_CLIENT_H_
