#include "services/training/domain/coverage.h"

#include <algorithm>
#include <map>

#include "services/training/domain/rules.h"

namespace touyan::training {

CoverageResult ComputeCoverage(const std::vector<SecretaryRef>& secretaries,
                               const absl::flat_hash_set<std::string>& completed) {
  CoverageResult out;
  std::map<std::string, v1::CoverageUnit> counties, townships;
  for (const SecretaryRef& s : secretaries) {
    const std::string county = s.village_code.substr(0, 6);
    const std::string township = TownshipOf(s.village_code);
    const bool covered = completed.contains(s.cadre_id);
    for (auto* unit : {&counties[county + "000000"], &townships[township]}) {
      unit->set_secretaries(unit->secretaries() + 1);
      (covered ? unit->set_covered(unit->covered() + 1) : unit->set_missing(unit->missing() + 1));
    }
    if (!covered) {
      v1::UncoveredSecretary m;
      m.set_cadre_id(s.cadre_id);
      m.set_cadre_name(s.cadre_name);
      m.set_party_org_id(s.party_org_id);
      m.set_village_code(s.village_code);
      m.set_township_code(township);
      m.set_county_code(county);
      out.missing.push_back(std::move(m));
    }
  }
  v1::Coverage& sum = out.summary;
  for (auto& [code, unit] : counties) {
    unit.set_region_code(code);
    sum.set_secretaries(sum.secretaries() + unit.secretaries());
    sum.set_covered(sum.covered() + unit.covered());
    sum.set_missing(sum.missing() + unit.missing());
    *sum.add_counties() = unit;
  }
  for (auto& [code, unit] : townships) {
    unit.set_region_code(code);
    *sum.add_townships() = unit;
  }
  sum.set_rate(sum.secretaries() == 0
                   ? 1.0
                   : static_cast<double>(sum.covered()) / static_cast<double>(sum.secretaries()));
  std::sort(out.missing.begin(), out.missing.end(), [](const auto& a, const auto& b) {
    return std::tie(a.township_code(), a.village_code(), a.cadre_id()) <
           std::tie(b.township_code(), b.village_code(), b.cadre_id());
  });
  return out;
}

}  // namespace touyan::training
