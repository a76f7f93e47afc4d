#include "services/contest/client/contest_client.h"

#include <algorithm>

namespace touyan::contest {

absl::StatusOr<std::map<std::string, v1::CadreResult>> ContestClient::CadreResults(
    CallContext& call, int year, const std::vector<std::string>& cadre_ids) {
  constexpr size_t kPerCall = 1000;
  std::map<std::string, v1::CadreResult> out;
  for (size_t i = 0; i < cadre_ids.size(); i += kPerCall) {
    v1::BatchGetCadreResultsRequest req;
    req.set_year(year);
    for (size_t k = i; k < std::min(cadre_ids.size(), i + kPerCall); ++k)
      req.add_cadre_ids(cadre_ids[k]);
    absl::StatusOr<v1::BatchGetCadreResultsResponse> got =
        downstream_.Call(call.principal(), call.deadline(), *stub_,
                         &v1::ContestService::Stub::BatchGetCadreResults, req);
    if (!got.ok()) return got.status();
    for (v1::CadreResult& c : *got->mutable_results()) out[c.cadre_id()] = std::move(c);
  }
  return out;
}

}  // namespace touyan::contest
