// The schema is ready to be distributed by county on Citus: each service's
// migrated schema, read from the catalogue, against its distribution plan
// (ServiceSpec::distribution; deploy/README.md "Past one database server"),
// and a deliberately broken schema whose every problem is named.
#include "common/db/distribution.h"

#include <gtest/gtest.h>

#include "absl/strings/str_join.h"
#include "services/contest/spec.h"
#include "services/incentive/spec.h"
#include "services/personnel/spec.h"
#include "services/training/spec.h"
#include "tests/support/test_env.h"

namespace touyan::testing {
namespace {

// A migrated database of `spec` (its server up, downstreams never called).
std::unique_ptr<ServiceUnderTest> Migrated(const ServiceSpec& spec) {
  std::map<std::string, std::string> downstreams;
  for (const std::string& name : spec.calls) downstreams[name] = "127.0.0.1:1";
  return std::make_unique<ServiceUnderTest>(spec, "touyan_test_distribution_" + spec.name,
                                            downstreams);
}

TEST(DistributionTest, EveryServicesSchemaIsDistributableByCounty) {
  for (const ServiceSpec& spec : {personnel::PersonnelSpec(), training::TrainingSpec(),
                                  contest::ContestSpec(), incentive::IncentiveSpec()}) {
    auto svc = Migrated(spec);
    auto conn = svc->Admin();
    const std::vector<std::string> problems =
        db::DistributionProblems(*conn, spec.name, spec.distribution);
    EXPECT_TRUE(problems.empty()) << absl::StrJoin(problems, "\n");
  }
}

TEST(DistributionTest, ABrokenSchemaHasEveryProblemNamed) {
  auto svc = Migrated(contest::ContestSpec());
  auto conn = svc->Admin();
  {
    pqxx::work w(*conn);
    w.exec(
        "DROP SCHEMA IF EXISTS broken CASCADE; CREATE SCHEMA broken;"
        "CREATE TABLE broken.parent (county_code text, id bigint, PRIMARY KEY (county_code, id));"
        // A key without the county, a unique index without it, a reference
        // that skips it.
        "CREATE TABLE broken.child (county_code text, id bigint PRIMARY KEY, parent_county text,"
        " parent_id bigint, code text, FOREIGN KEY (parent_county, parent_id)"
        " REFERENCES broken.parent);"
        "CREATE UNIQUE INDEX child_code ON broken.child (code);"
        // Fine: the county in every key and reference.
        "CREATE TABLE broken.good (county_code text, id bigint, parent_id bigint,"
        " PRIMARY KEY (county_code, id), FOREIGN KEY (county_code, parent_id)"
        " REFERENCES broken.parent);"
        // No county and not in the plan.
        "CREATE TABLE broken.lookup (name text PRIMARY KEY);"
        // A reference table that references a county-keyed one.
        "CREATE TABLE broken.shared (name text PRIMARY KEY, parent_county text, parent_id bigint,"
        " FOREIGN KEY (parent_county, parent_id) REFERENCES broken.parent);");
    w.commit();
  }
  const std::vector<std::string> problems =
      db::DistributionProblems(*conn, "broken", {.reference = {"shared", "gone"}, .own_key = {}});
  const std::string all = absl::StrJoin(problems, "\n");
  EXPECT_EQ(problems.size(), 6u) << all;
  for (const char* named :
       {"broken.child: unique key child_pkey does not include county_code",
        "broken.child: unique key broken.child_code does not include county_code",
        "broken.child: foreign key child_parent_county_parent_id_fkey to parent does not pair "
        "county_code with county_code",
        "broken.lookup has no county_code",
        "broken.shared: foreign key shared_parent_county_parent_id_fkey from a table that is not "
        "county-keyed to county-keyed parent",
        "broken.gone is in the plan but not in the schema"}) {
    EXPECT_NE(all.find(named), std::string::npos) << named << "\nin:\n" << all;
  }
  EXPECT_EQ(all.find("broken.good"), std::string::npos) << all;
}

}  // namespace
}  // namespace touyan::testing
