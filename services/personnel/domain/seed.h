// The seed pipeline (种子计划: 村推镇选县考) and returnee recruitment (回引计划):
// which level takes which step, in which stage. Pure rules.
#ifndef TOUYAN_SERVICES_PERSONNEL_DOMAIN_SEED_H_
#define TOUYAN_SERVICES_PERSONNEL_DOMAIN_SEED_H_

#include "absl/status/status.h"
#include "common/auth/principal.h"
#include "touyan/personnel/v1/personnel.pb.h"

namespace touyan::personnel {

inline constexpr int kMinSeedsPerVillage = 2;

enum class SeedStep {
  kNominate,  // the village recommends: recorded by its township or county operator
  kSelect,    // the township selects: township or county operator
  kExamine,   // the county examines: county operator only
};

// PERMISSION_DENIED (WRONG_LEVEL) if `role` may not take `step`;
// FAILED_PRECONDITION (WRONG_STAGE) if the seed is not in the stage the step
// follows (NOMINATED for select, SELECTED for examine).
absl::Status CheckSeedStep(SeedStep step, v1::SeedStage current, auth::Role role);

// The stage after `step` with the decision taken.
v1::SeedStage StageAfter(SeedStep step, bool yes);

// INVALID_ARGUMENT naming returnee.person.origin unless the origin is one of
// the six returnee categories.
absl::Status ValidateReturneeOrigin(v1::Origin origin);

}  // namespace touyan::personnel

#endif  // TOUYAN_SERVICES_PERSONNEL_DOMAIN_SEED_H_
