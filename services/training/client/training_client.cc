#include "services/training/client/training_client.h"

#include <vector>

namespace touyan::training {

absl::StatusOr<std::set<std::string>> TrainingClient::Uncovered(CallContext& call,
                                                                const std::string& region_code,
                                                                int year,
                                                                const std::string& theme) {
  v1::ListUncoveredRequest req;
  req.set_year(year);
  req.set_theme(theme);
  req.set_region_code(region_code);
  absl::StatusOr<std::vector<v1::UncoveredSecretary>> all = downstream_.AllPages(
      call.principal(), call.deadline(), *stub_, &v1::TrainingService::Stub::ListUncovered,
      std::move(req), &v1::ListUncoveredResponse::mutable_secretaries);
  if (!all.ok()) return all.status();
  std::set<std::string> out;
  for (const v1::UncoveredSecretary& u : *all) out.insert(u.cadre_id());
  return out;
}

}  // namespace touyan::training
