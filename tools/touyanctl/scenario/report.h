// The annual report of a city's programme: every figure is read back from
// the services (lists paged to the end, statistics, ledgers), never taken
// from what a scenario counted while it wrote, and set beside the figure the
// source reports (scaled when the scenario ran on part of the city).
#ifndef TOUYAN_TOOLS_TOUYANCTL_SCENARIO_REPORT_H_
#define TOUYAN_TOOLS_TOUYANCTL_SCENARIO_REPORT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "tools/touyanctl/scenario/session.h"

namespace touyan::ctl::scenario {

// What the source reports for 2023 (scaled to the counties the run covered).
struct Expected {
  int64_t secretaries = 0;       // 4,247 基层党组织书记 of every field
  int64_t villages = 0;          // village-level regions, each with ≥ 2 approved seeds
  int64_t city_classes = 0;      // 2
  int64_t city_trainees = 0;     // 340
  int64_t county_classes = 0;    // 359
  int64_t county_trainees = 0;   // 45,000+ (at least)
  int64_t good_secretaries = 0;  // 100
  int64_t adjusted = 0;          // 62
  int64_t deputies = 0, civil_servants = 0, institution_staff = 0;  // 13, 7, 4
  int64_t award_fen = 1000000;                                      // 1万元 a good secretary
};

struct ReportRow {
  std::string section, figure, source, touyan;
  bool checked = false;  // compared with the source
  bool ok = true;
};

struct CountyRow {
  std::string code, name;
  int64_t secretaries = 0, villages_below_seed_target = 0, good = 0, quota = 0, adjusted = 0,
          assessed = 0;
  double coverage = 0;
};

struct Report {
  std::vector<ReportRow> rows;
  std::vector<CountyRow> counties;
  bool ok() const;
};

// Queries the services for `city` (12 digits) and `year`.
Report BuildReport(Session& s, const std::string& city, int year, const std::string& theme,
                   const Expected& want);

// Prints the report as tables and writes `stem`.md and `stem`.csv (the
// figures) and `stem`-counties.csv. Returns the paths written.
// `source_label` heads the source's column ("source 2023", or scaled).
std::vector<std::string> WriteReport(const Report& r, const std::string& title,
                                     const std::string& source_label, const std::string& stem);

}  // namespace touyan::ctl::scenario

#endif  // TOUYAN_TOOLS_TOUYANCTL_SCENARIO_REPORT_H_
