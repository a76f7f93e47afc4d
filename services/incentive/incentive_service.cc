#include "services/incentive/incentive_service.h"

#include "services/incentive/service_util.h"

namespace touyan::incentive {

IncentiveService::IncentiveService(Runtime& rt, std::unique_ptr<IncentiveRepository> repo)
    : rt_(rt),
      repo_(std::move(repo)),
      personnel_(rt.downstream("personnel")),
      training_(rt.downstream("training")),
      contest_(rt.downstream("contest")) {}

absl::StatusOr<v1::Scheme> IncentiveService::SchemeOf(CallContext& call, const std::string& county,
                                                      int year) {
  absl::StatusOr<v1::Scheme> s = repo_->GetScheme(call, county, year);
  if (s.status().code() == absl::StatusCode::kNotFound) {
    return Failed("NO_SCHEME",
                  absl::StrCat("county ", county, " has no assessment scheme for ", year,
                               ": SetScheme first"),
                  "county_code");
  }
  return s;
}

}  // namespace touyan::incentive
