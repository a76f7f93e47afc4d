// The example scheme the unit and integration tests share: weights
// 30/25/10/20/15, bands 90/75/60, training 20 % of daily management on
// 学习贯彻党的二十大精神.
#ifndef TOUYAN_SERVICES_INCENTIVE_DOMAIN_EXAMPLE_SCHEME_H_
#define TOUYAN_SERVICES_INCENTIVE_DOMAIN_EXAMPLE_SCHEME_H_

#include <string>

#include "touyan/incentive/v1/incentive.pb.h"

namespace touyan::incentive {

inline v1::Scheme ExampleScheme(const std::string& county, int year) {
  v1::Scheme s;
  s.set_county_code(county);
  s.set_year(year);
  s.mutable_weights()->set_daily_management(30);
  s.mutable_weights()->set_contest(25);
  s.mutable_weights()->set_stars(10);
  s.mutable_weights()->set_annual_review(20);
  s.mutable_weights()->set_democratic(15);
  s.set_excellent_min(90);
  s.set_competent_min(75);
  s.set_basic_min(60);
  s.set_training_share(20);
  s.set_training_theme("学习贯彻党的二十大精神");
  return s;
}

}  // namespace touyan::incentive

#endif  // TOUYAN_SERVICES_INCENTIVE_DOMAIN_EXAMPLE_SCHEME_H_
