// The client other services use to ask contest, over gRPC with the caller's
// own token (incentive: each cadre's published results of a year). Contest
// down is UNAVAILABLE (DOWNSTREAM_UNAVAILABLE).
#ifndef TOUYAN_SERVICES_CONTEST_CLIENT_CONTEST_CLIENT_H_
#define TOUYAN_SERVICES_CONTEST_CLIENT_CONTEST_CLIENT_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/call/call_context.h"
#include "common/grpc/downstream.h"
#include "touyan/contest/v1/contest.grpc.pb.h"

namespace touyan::contest {

class ContestClient {
 public:
  explicit ContestClient(const Downstream& downstream)
      : downstream_(downstream), stub_(v1::ContestService::NewStub(downstream.channel())) {}

  // Each of `cadre_ids`' published result of `year` (from the round of the
  // highest level reached), by cadre id; those without one are left out.
  // Asked 1,000 cadres a call.
  absl::StatusOr<std::map<std::string, v1::CadreResult>> CadreResults(
      CallContext& call, int year, const std::vector<std::string>& cadre_ids);

 private:
  const Downstream& downstream_;
  std::unique_ptr<v1::ContestService::Stub> stub_;
};

}  // namespace touyan::contest

#endif  // TOUYAN_SERVICES_CONTEST_CLIENT_CONTEST_CLIENT_H_
