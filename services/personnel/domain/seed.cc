#include "services/personnel/domain/seed.h"

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace touyan::personnel {
namespace {

const char* StepName(SeedStep s) {
  switch (s) {
    case SeedStep::kNominate:
      return "recommend (村推)";
    case SeedStep::kSelect:
      return "select (镇选)";
    case SeedStep::kExamine:
      return "examine (县考)";
  }
  return "";
}

}  // namespace

absl::Status CheckSeedStep(SeedStep step, v1::SeedStage current, auth::Role role) {
  using auth::Role;
  bool allowed = false;
  v1::SeedStage needs = v1::SEED_STAGE_UNSPECIFIED;
  switch (step) {
    case SeedStep::kNominate:
      allowed = role == Role::kTownshipOperator || role == Role::kCountyOperator;
      break;
    case SeedStep::kSelect:
      allowed = role == Role::kTownshipOperator || role == Role::kCountyOperator;
      needs = v1::SEED_STAGE_NOMINATED;
      break;
    case SeedStep::kExamine:
      allowed = role == Role::kCountyOperator;
      needs = v1::SEED_STAGE_SELECTED;
      break;
  }
  if (!allowed) {
    return WithReason(absl::PermissionDeniedError(absl::StrCat(
                          "a ", auth::RoleName(role), " may not ", StepName(step), " a seed")),
                      "WRONG_LEVEL");
  }
  if (needs != v1::SEED_STAGE_UNSPECIFIED && current != needs) {
    return WithReason(absl::FailedPreconditionError(absl::StrCat(
                          "a seed in stage ", v1::SeedStage_Name(current), " cannot be ",
                          StepName(step), "ed; it must be ", v1::SeedStage_Name(needs))),
                      "WRONG_STAGE");
  }
  return absl::OkStatus();
}

v1::SeedStage StageAfter(SeedStep step, bool yes) {
  switch (step) {
    case SeedStep::kNominate:
      return v1::SEED_STAGE_NOMINATED;
    case SeedStep::kSelect:
      return yes ? v1::SEED_STAGE_SELECTED : v1::SEED_STAGE_REJECTED;
    case SeedStep::kExamine:
      return yes ? v1::SEED_STAGE_APPROVED : v1::SEED_STAGE_REJECTED;
  }
  return v1::SEED_STAGE_UNSPECIFIED;
}

absl::Status ValidateReturneeOrigin(v1::Origin origin) {
  if (origin == v1::ORIGIN_UNSPECIFIED || origin == v1::ORIGIN_LOCAL ||
      !v1::Origin_IsValid(origin)) {
    return InvalidField("returnee.person.origin",
                        "must be one of the six returnee categories (agency or enterprise staff, "
                        "well-off household, returning migrant, college graduate, veteran, "
                        "outstanding party member)",
                        "NOT_A_RETURNEE_ORIGIN");
  }
  return absl::OkStatus();
}

}  // namespace touyan::personnel
