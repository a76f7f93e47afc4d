#include "services/personnel/personnel_service.h"

#include "common/metrics/metrics.h"
#include "services/personnel/domain/resident_id.h"

namespace touyan::personnel {

void ShowPerson(CallContext& call, v1::Cadre& person, const std::string& county,
                const std::string& resource) {
  std::string fields;
  if (!call.principal().SeesResidentIds()) {
    person.set_resident_id(MaskResidentId(person.resident_id()));
  } else if (!person.resident_id().empty()) {
    fields = "resident_id";
  }
  if (!person.phone().empty()) fields += fields.empty() ? "phone" : ",phone";
  if (!fields.empty()) call.RecordAccess(county, resource, fields);
}

absl::Status PersonnelService::RefreshGauges(CallContext& call) {
  ASSIGN_OR_RETURN(PersonnelGauges g, repo_->Gauges(call, call.principal().scope_prefix));
  Metrics& m = call.metrics();
  m.Gauge("touyan_personnel_villages",
          "Villages (嘎查村 and communities) in the deployment's scope.")
      .Set(static_cast<double>(g.villages));
  m.Gauge("touyan_personnel_villages_below_seed_target",
          "Villages with fewer than 2 approved reserve seeds (种子计划).")
      .Set(static_cast<double>(g.villages_below_seed_target));
  m.Gauge("touyan_personnel_current_secretaries",
          "Current secretaries (branch secretary or both posts) of every organisation.")
      .Set(static_cast<double>(g.current_secretaries));
  return absl::OkStatus();
}

}  // namespace touyan::personnel
