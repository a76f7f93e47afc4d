// Coverage (全覆盖) arithmetic: which current village secretaries have
// completed a class on the year's theme, per county and township, and who is
// missing, with the township responsible for catching them up.
#ifndef TOUYAN_SERVICES_TRAINING_DOMAIN_COVERAGE_H_
#define TOUYAN_SERVICES_TRAINING_DOMAIN_COVERAGE_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "touyan/training/v1/training.pb.h"

namespace touyan::training {

struct SecretaryRef {
  std::string cadre_id;
  std::string cadre_name;
  std::string party_org_id;
  std::string village_code;  // the organisation's region
};

struct CoverageResult {
  v1::Coverage summary;  // year and theme left for the caller
  // In order of township, village, cadre id.
  std::vector<v1::UncoveredSecretary> missing;
};

// `completed`: the cadre ids with a completed enrolment on the theme and
// year. A cadre who is secretary of two villages counts in each.
CoverageResult ComputeCoverage(const std::vector<SecretaryRef>& secretaries,
                               const absl::flat_hash_set<std::string>& completed);

}  // namespace touyan::training

#endif  // TOUYAN_SERVICES_TRAINING_DOMAIN_COVERAGE_H_
