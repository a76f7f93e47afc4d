#include "services/incentive/incentive_service.h"

#include "absl/strings/ascii.h"
#include "common/metrics/metrics.h"
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

absl::Status IncentiveService::RefreshGauges(CallContext& call) {
  ASSIGN_OR_RETURN(IncentiveGauges g, repo_->Gauges(call, call.principal().scope_prefix));
  Metrics& m = call.metrics();
  if (g.assessment_year != 0) {
    const std::string year = absl::StrCat(g.assessment_year);
    for (v1::Grade grade : {v1::GRADE_EXCELLENT, v1::GRADE_COMPETENT, v1::GRADE_BASICALLY_COMPETENT,
                            v1::GRADE_INCOMPETENT}) {
      m.Gauge(
           "touyan_incentive_assessments",
           "Secretaries assessed (差异化考核) in the latest year assessed in the scope, by grade.",
           {{"year", year}, {"grade", absl::AsciiStrToLower(v1::Grade_Name(grade).substr(6))}})
          .Set(static_cast<double>(g.grades[grade]));
    }
  }
  if (g.award_year != 0) {
    const std::string year = absl::StrCat(g.award_year);
    const char* help = "Care awards (关爱计划) of the latest year awarded in the scope, by state.";
    m.Gauge("touyan_incentive_care_awards", help, {{"year", year}, {"state", "paid"}})
        .Set(static_cast<double>(g.awards_paid));
    m.Gauge("touyan_incentive_care_awards", help, {{"year", year}, {"state", "reversed"}})
        .Set(static_cast<double>(g.awards_reversed));
    m.Gauge("touyan_incentive_care_award_yuan",
            "Care awards paid in the latest year awarded in the scope, net of reversals, in yuan.",
            {{"year", year}})
        .Set(static_cast<double>(g.award_fen) / 100);
  }
  return absl::OkStatus();
}

}  // namespace touyan::incentive
