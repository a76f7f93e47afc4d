// The scenarios touyanctl runs against a running suite, through the public
// gRPC APIs only:
//
//   touyanctl scenario ulanqab-2023 [--counties=N] [--report-dir=DIR]
//     Ulanqab's 2023 programme on the real region tree (4,247 secretaries of
//     every field, seeds, training, contests, good secretaries, adjustments,
//     assessment, awards, promotions, care), then the annual report, built
//     by querying the services and compared with the source's figures.
//     --counties=N runs it on the N counties with the most villages, the
//     figures scaled.
//   touyanctl scenario scale [--villages=490000]
//     N villages in synthetic counties, imported by the streaming APIs, a
//     contest round per county and the assessment, with each stage's time.
#ifndef TOUYAN_TOOLS_TOUYANCTL_SCENARIO_SCENARIO_H_
#define TOUYAN_TOOLS_TOUYANCTL_SCENARIO_SCENARIO_H_

#include <cstdint>
#include <string>

#include "tools/touyanctl/scenario/session.h"

namespace touyan::ctl::scenario {

struct UlanqabOptions {
  Endpoints endpoints;
  std::string regions_file = "data/ulanqab_regions.csv";
  int counties = 0;  // 0: all eleven; else the N with the most villages
  int threads = 16;  // calls in flight
  std::string report_dir = ".";
  uint64_t seed = 2023;
  bool report_only = false;  // the report of a run done before, read from the services
};

struct ScaleOptions {
  Endpoints endpoints;
  int64_t villages = 490000;
  int villages_per_county = 175;  // ≈ China's 490,000 villages in 2,800 counties
  int threads = 8;
  uint64_t seed = 1;
};

// Exit codes: 0 done (and the report matches), 1 a call failed or a figure
// differs from what the scenario set out to produce.
int RunUlanqab2023(const UlanqabOptions& options);
int RunScale(const ScaleOptions& options);

}  // namespace touyan::ctl::scenario

#endif  // TOUYAN_TOOLS_TOUYANCTL_SCENARIO_SCENARIO_H_
