#include "services/training/training_service.h"

#include "services/training/service_util.h"

namespace touyan::training {

absl::StatusOr<v1::TrainingClass> TrainingService::VisibleClass(CallContext& call,
                                                                const std::string& id,
                                                                absl::string_view field) {
  ASSIGN_OR_RETURN(ResourceId rid, ResourceId::Parse(field, id));
  RETURN_IF_ERROR(CheckIdVisible(call.principal(), rid, field));
  absl::StatusOr<v1::TrainingClass> c = repo_->GetClass(call, rid);
  if (!c.ok()) return WithField(c.status(), field);
  if (!CanSee(call.principal(), c->region_code())) {
    return WithField(call.principal().CheckCovers(c->region_code()), field);
  }
  return c;
}

}  // namespace touyan::training
