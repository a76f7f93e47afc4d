#include "services/incentive/domain/consequences.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status/status.h"
#include "services/incentive/domain/promotion.h"

namespace touyan::incentive {
namespace {

bool Has(const google::protobuf::RepeatedField<int>& grades, v1::Grade g) {
  return std::find(grades.begin(), grades.end(), g) != grades.end();
}

absl::Status CheckGrades(const char* field, const google::protobuf::RepeatedField<int>& grades) {
  std::set<int> seen;
  for (int i = 0; i < grades.size(); ++i) {
    const std::string f = absl::StrCat(field, "[", i, "]");
    if (grades[i] == v1::GRADE_UNSPECIFIED || !v1::Grade_IsValid(grades[i])) {
      return InvalidField(f, "must be a grade", "OUT_OF_RANGE");
    }
    if (!seen.insert(grades[i]).second) return InvalidField(f, "appears twice", "DUPLICATE");
  }
  return absl::OkStatus();
}

}  // namespace

v1::ConsequencePolicy WithDefaults(v1::ConsequencePolicy p) {
  if (p.exit_grades().empty()) p.add_exit_grades(v1::GRADE_INCOMPETENT);
  if (!p.has_democratic_min()) p.set_democratic_min(kDefaultDemocraticMin);
  if (p.eligible_grades().empty()) p.add_eligible_grades(v1::GRADE_EXCELLENT);
  return p;
}

absl::Status ValidateConsequencePolicy(const v1::ConsequencePolicy& p, absl::CivilDay today) {
  RETURN_IF_ERROR(CheckCityYear(p.region_code(), p.year(), today));
  RETURN_IF_ERROR(CheckGrades("exit_grades", p.exit_grades()));
  RETURN_IF_ERROR(CheckGrades("eligible_grades", p.eligible_grades()));
  for (int i = 0; i < p.eligible_grades_size(); ++i) {
    if (Has(p.exit_grades(), static_cast<v1::Grade>(p.eligible_grades(i)))) {
      return InvalidField(absl::StrCat("eligible_grades[", i, "]"),
                          "is also an exit grade: a grade leads one way", "CONFLICT");
    }
  }
  if (p.has_democratic_min() && !(p.democratic_min() >= 0 && p.democratic_min() <= 100)) {
    return InvalidField("democratic_min", "must be from 0 (off) to 100", "OUT_OF_RANGE");
  }
  return absl::OkStatus();
}

std::vector<v1::Proposal> CalledFor(const v1::ConsequencePolicy& policy, const v1::Assessment& a) {
  std::optional<double> democratic;
  for (const v1::Component& c : a.components()) {
    if (c.name() == "democratic" && !c.missing()) democratic = c.value();
  }
  auto proposal = [&](v1::ProposalKind kind, std::string basis) {
    v1::Proposal p;
    p.set_cadre_id(a.cadre_id());
    p.set_cadre_name(a.cadre_name());
    p.set_year(a.year());
    p.set_kind(kind);
    p.set_grade(a.grade());
    p.set_score(a.score());
    p.set_democratic_score(democratic.value_or(0));
    p.set_basis(std::move(basis));
    p.set_policy_version(policy.version());
    return p;
  };
  std::vector<v1::Proposal> out;
  std::string exit;
  if (Has(policy.exit_grades(), a.grade())) {
    exit = "grade " + v1::Grade_Name(a.grade());
    if (a.failed_democratic()) exit += " (the dissatisfied rule)";
  }
  if (democratic && policy.democratic_min() > 0 && *democratic < policy.democratic_min()) {
    absl::StrAppend(
        &exit, exit.empty() ? "" : "; ",
        absl::StrFormat("democratic score %.2f below %.2f", *democratic, policy.democratic_min()));
  }
  if (!exit.empty()) out.push_back(proposal(v1::PROPOSAL_KIND_EXIT_STEP, std::move(exit)));
  if (Has(policy.eligible_grades(), a.grade()) && out.empty()) {
    out.push_back(proposal(v1::PROPOSAL_KIND_ELIGIBILITY, "grade " + v1::Grade_Name(a.grade())));
  }
  return out;
}

v1::MeasureKind NextStep(const std::vector<v1::MeasureKind>& earlier) {
  int highest = 0;
  for (v1::MeasureKind k : earlier) highest = std::max(highest, static_cast<int>(k));
  return static_cast<v1::MeasureKind>(
      std::min(highest + 1, static_cast<int>(v1::MEASURE_KIND_ORDERED_RESIGNATION)));
}

}  // namespace touyan::incentive
