// touyanctl against the running binaries: its commands, exit codes and
// output formats; a deployment limited to its scope; the README's examples.
#include "absl/strings/str_split.h"
#include "tests/e2e/server_fixture.h"

namespace touyan::testing {
namespace {

// touyanctl's tests: personnel started with Ulanqab's region tree, and the
// environment that points touyanctl at it as the city's department.
class TouyanctlTest : public ServerBinaryTest {
 protected:
  void StartWithRegions(Process* p, const std::string& log, std::string* addr,
                        std::vector<std::string>* env) {
    *addr = StartServer(p, log);
    ASSERT_FALSE(addr->empty()) << Slurp(p->log);
    const std::string token = CityToken();
    std::ifstream in(SourcePath("data/ulanqab_regions.csv"));
    auto stub = pv1::PersonnelService::NewStub(ctl::Connect(*addr, ClientTls()));
    ASSERT_TRUE(ctl::ImportRegions(*stub, token, "ctl-regions", *ctl::ReadRegions(in)).ok());
    *env = {"TOUYAN_PERSONNEL_ADDR=" + *addr, "TOUYAN_TOKEN=" + token, CaEnv()};
  }
};

// touyanctl's commands for every service: exit codes (0 done, 1 refused,
// 2 bad usage), argument errors, and tables, CSV and JSON of any list.
TEST_F(TouyanctlTest, CommandsExitCodesAndOutputFormats) {
  Process p;
  std::string addr;
  std::vector<std::string> env;
  ASSERT_NO_FATAL_FAILURE(StartWithRegions(&p, "/tmp/touyan_ctl.log", &addr, &env));

  // A record as a table of fields, and as JSON.
  CtlRun r = RunCtl({"personnel", "GetRegion", "--code=150929000000"}, env);
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("name         四子王旗"), std::string::npos) << r.out;
  r = RunCtl({"personnel", "GetRegion", "--code=150929000000", "--output=json"}, env);
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("\"name\":\"四子王旗\""), std::string::npos) << r.out;

  // A list: one page and a hint; every page; CSV with a header; JSON lines.
  r = RunCtl({"personnel", "ListRegions", "--parent_code=150900000000", "--page_size=4"}, env);
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("(4 rows)"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("(more: --all"), std::string::npos) << r.err;
  r = RunCtl({"personnel", "ListRegions", "--parent_code=150900000000", "--page_size=4", "--all",
              "--output=csv"},
             env);
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 12) << r.out;  // header + 11 counties
  EXPECT_TRUE(absl::StartsWith(r.out, "code,name,level,parent_code")) << r.out;
  EXPECT_NE(r.out.find("150929000000,四子王旗,REGION_LEVEL_COUNTY,150900000000"), std::string::npos)
      << r.out;
  r = RunCtl({"personnel", "ListRegions", "--parent_code=150900000000", "--all", "--json"}, env);
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 11) << r.out;
  // Enum values by their short name.
  r = RunCtl({"personnel", "ListPartyOrgs", "--region_code=150929101000", "--kind=village",
              "--output=csv"},
             env);
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("PARTY_ORG_KIND_VILLAGE"), std::string::npos) << r.out;

  // The server's refusals: exit 1, with code, field and reason.
  r = RunCtl({"personnel", "GetRegion", "--code=15"}, env);
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("INVALID_ARGUMENT"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("[field code]"), std::string::npos) << r.err;
  r = RunCtl({"personnel", "GetCadre", "--id=150929-999999"}, env);
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("NOT_FOUND"), std::string::npos) << r.err;

  // Bad usage: exit 2, nothing sent.
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"personnel", "Nope"},
           {"personnel", "GetRegion", "--cod=1"},
           {"personnel", "ListPartyOrgs", "--kind=castle"},
           {"personnel", "ListRegions", "--page_size=many"},
           {"personnel", "ListRegions", "--output=xml"},
           {"personnel", "ListRegions", "extra"},
           {"personnel", "ImportCadres"},
           {"personnel", "GetRegion", "--from-json=/nonexistent.json"},
           {},
           {"scenario"},
           {"scenario", "atlantis", "--token-signing-key-file=" + KeyFile()},
           {"scenario", "ulanqab-2023"},  // no signing key
           {"scenario", "ulanqab-2023", "--token-signing-key-file=/nonexistent.pem"},
           {"scenario", "ulanqab-2023", "--token-signing-key-file=" + KeyFile(), "--counties=12"},
           {"scenario", "scale", "--token-signing-key-file=" + KeyFile(), "--villages=lots"},
           {"token", "--role=auditor", "--scope=150900000000",
            "--token-signing-key-file=" + KeyFile(), "--ttl=48h"},
           {"token", "--role=auditor", "--scope=150900000000"},  // no signing key
           {"jwks"},
           {"health", "--ca-file=/nonexistent.crt"},
           {"cadres", "import", "/dev/null", "--village-post=MAYOR"},
       }) {
    r = RunCtl(args, env);
    EXPECT_EQ(r.rc, 2) << absl::StrJoin(args, " ") << ": " << r.err;
    EXPECT_NE(r.err.find("touyanctl"), std::string::npos) << absl::StrJoin(args, " ");
  }
  r = RunCtl({"personnel", "GetRegion", "--code=150929000000"},
             {"TOUYAN_PERSONNEL_ADDR=" + addr, "TOUYAN_TOKEN=", CaEnv()});
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.err.find("no token"), std::string::npos) << r.err;
  // Help: every service's methods, a method's fields.
  for (const char* svc : {"personnel", "training", "contest", "incentive"}) {
    r = RunCtl({svc, "--help"}, env);
    EXPECT_EQ(r.rc, 0) << svc;
    EXPECT_NE(r.out.find("(list: --all"), std::string::npos) << svc;
  }
  r = RunCtl({"incentive", "RaiseFlag", "--help"}, env);
  EXPECT_EQ(r.rc, 0);
  EXPECT_NE(r.out.find("--supervision_case.rectify_by  date YYYY-MM-DD"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("FLAG_KIND_SLOW_ACTION"), std::string::npos) << r.out;
  kill(p.pid, SIGTERM);
  EXPECT_EQ(WaitExit(p.pid, absl::Seconds(15)), 0);
}

// `cadres import` sends rows as it reads them: a refused row is reported
// with its file line and the rest imported; a malformed record midway
// (after batches have gone) cancels the call and nothing of the file stays.
TEST_F(TouyanctlTest, ImportStreamsAFileAndCancelsOnAMalformedRecord) {
  Process p;
  std::string addr;
  std::vector<std::string> env;
  ASSERT_NO_FATAL_FAILURE(StartWithRegions(&p, "/tmp/touyan_ctl_import.log", &addr, &env));
  CtlRun r = RunCtl({"cadres", "generate", "--count=300", "--first=61000000",
                     "--regions=" + SourcePath("data/ulanqab_regions.csv")},
                    env);
  ASSERT_EQ(r.rc, 0) << r.err;
  std::vector<std::string> lines = absl::StrSplit(r.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 301u);
  auto file_of = [&](size_t insert_at, const std::string& extra) {
    std::string text;
    for (size_t i = 0; i < lines.size(); ++i) {
      if (i == insert_at) absl::StrAppend(&text, extra, "\n");
      absl::StrAppend(&text, lines[i], "\n");
    }
    return text;
  };
  // Line 202 is not closed: 200 rows (four batches of 50) have gone by then.
  TempFile malformed("touyan-ctl-import");
  ASSERT_TRUE(malformed.Write(file_of(201, "\"unterminated,")));
  r = RunCtl({"cadres", "import", malformed.path(), "--batch=50", "--request-id=ctl-import-1"},
             env);
  EXPECT_EQ(r.rc, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("line 202"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nothing imported"), std::string::npos) << r.err;
  // The same rows with a row the service refuses at line 152: every other
  // row is imported, so none was kept from the cancelled call.
  TempFile refused("touyan-ctl-import");
  ASSERT_TRUE(refused.Write(file_of(151, "1,2,3")));
  r = RunCtl({"cadres", "import", refused.path(), "--batch=50", "--request-id=ctl-import-2"}, env);
  EXPECT_EQ(r.rc, 3) << r.err;  // partly refused
  EXPECT_NE(r.out.find("rows read: 301\nrows imported: 300\nrows refused: 1"), std::string::npos)
      << r.out << r.err;
  EXPECT_NE(r.err.find(refused.path() + ":152: "), std::string::npos) << r.err;
  kill(p.pid, SIGTERM);
  EXPECT_EQ(WaitExit(p.pid, absl::Seconds(15)), 0);
}

// A county's deployment (--scope) narrows the city's department to the
// county and refuses another county's operator.
TEST_F(ServerBinaryTest, ADeploymentServesItsScopeOnly) {
  Process p;
  const std::string addr =
      StartServer(&p, "/tmp/touyan_scope.log", nullptr, "personnel", {"--scope=150929000000"});
  ASSERT_FALSE(addr.empty()) << Slurp(p.log);
  auto token = [&](auth::Role role, const std::string& scope) {
    return TestIssuer().Issue(*auth::Principal::Make("ops", role, scope), absl::Now(),
                              absl::Hours(1));
  };
  auto stub = pv1::PersonnelService::NewStub(ctl::Connect(addr, ClientTls()));
  pv1::ListCadresRequest list;
  pv1::ListCadresResponse cadres;
  {
    grpc::ClientContext ctx;
    ctl::Authorize(ctx, token(auth::Role::kCountyOperator, "150902000000"));
    Outcome o = OutcomeOf(stub->ListCadres(&ctx, list, &cadres));
    EXPECT_EQ(o.code, grpc::StatusCode::PERMISSION_DENIED) << o;
    EXPECT_EQ(o.reason, "OUTSIDE_DEPLOYMENT");
  }
  {
    grpc::ClientContext ctx;
    ctl::Authorize(ctx, token(auth::Role::kCityOrgDept, "150900000000"));
    list.set_region_code("150902000000");  // the city, narrowed to 四子王旗
    EXPECT_EQ(stub->ListCadres(&ctx, list, &cadres).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  {
    grpc::ClientContext ctx;
    ctl::Authorize(ctx, token(auth::Role::kCityOrgDept, "150900000000"));
    list.set_region_code("150929000000");
    EXPECT_TRUE(stub->ListCadres(&ctx, list, &cadres).ok());
  }
  kill(p.pid, SIGTERM);
  EXPECT_EQ(WaitExit(p.pid, absl::Seconds(15)), 0);
}

// The README's example calls (docs/examples.sh) through touyanctl, against
// the real binary: the documentation cannot drift from the API.
TEST_F(ServerBinaryTest, TheReadmeExamplesRun) {
  Process server;
  int personnel_metrics = 0, training_metrics = 0, contest_metrics = 0, incentive_metrics = 0;
  const std::string addr = StartServer(&server, "/tmp/touyan_examples_server.log",
                                       &personnel_metrics, "personnel", {"--gauge-interval=1s"});
  ASSERT_FALSE(addr.empty()) << Slurp(server.log);
  {
    std::string token = CityToken();
    std::ifstream in(SourcePath("data/ulanqab_regions.csv"));
    auto stub = pv1::PersonnelService::NewStub(ctl::Connect(addr, ClientTls()));
    ASSERT_TRUE(ctl::ImportRegions(*stub, token, "examples-regions", *ctl::ReadRegions(in)).ok());
  }
  const std::string key_file = KeyFile();
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) env_strings.push_back(*e);
  Process training;
  const std::string training_addr =
      StartServer(&training, "/tmp/touyan_examples_training.log", &training_metrics, "training",
                  {"--personnel-target=" + addr, "--gauge-interval=1s"});
  ASSERT_FALSE(training_addr.empty()) << Slurp(training.log);
  env_strings.push_back("TOUYAN_PERSONNEL_ADDR=" + addr);
  env_strings.push_back("TOUYAN_TRAINING_ADDR=" + training_addr);
  Process contest;
  const std::string contest_addr =
      StartServer(&contest, "/tmp/touyan_examples_contest.log", &contest_metrics, "contest",
                  {"--personnel-target=" + addr, "--gauge-interval=1s"});
  ASSERT_FALSE(contest_addr.empty()) << Slurp(contest.log);
  env_strings.push_back("TOUYAN_CONTEST_ADDR=" + contest_addr);
  Process incentive;
  const std::string incentive_addr =
      StartServer(&incentive, "/tmp/touyan_examples_incentive.log", &incentive_metrics, "incentive",
                  {"--personnel-target=" + addr, "--training-target=" + training_addr,
                   "--contest-target=" + contest_addr, "--gauge-interval=1s"});
  ASSERT_FALSE(incentive_addr.empty()) << Slurp(incentive.log);
  env_strings.push_back("TOUYAN_INCENTIVE_ADDR=" + incentive_addr);
  env_strings.push_back("TOKEN_SIGNING_KEY_FILE=" + key_file);
  env_strings.push_back(CaEnv());
  env_strings.push_back(std::string("TOUYANCTL=") + TOUYANCTL);
  std::vector<char*> env;
  for (auto& e : env_strings) env.push_back(e.data());
  env.push_back(nullptr);
  Process examples =
      Spawn({SourcePath("docs/examples.sh")}, "/tmp/touyan_examples.log", "/bin/bash", env.data());
  EXPECT_EQ(WaitExit(examples.pid, absl::Seconds(60)), 0) << Slurp(examples.log);
  const std::string out = Slurp(examples.log);
  EXPECT_NE(out.find("NOMINATION_STATUS_CONFIRMED"), std::string::npos) << out;
  EXPECT_NE(out.find("WRONG_LEVEL"), std::string::npos) << "the township's county step is refused";
  EXPECT_NE(out.find("COMPLETION_COMPLETED"), std::string::npos) << out;
  EXPECT_NE(out.find("TASK_PUBLISHED"), std::string::npos) << "a published task is frozen";
  // The domain gauges, recomputed every second here: the example's secretary
  // completed the 2023 class, but the gauges follow the current year.
  absl::SleepFor(absl::Milliseconds(2500));
  const std::string pm = HttpGet(personnel_metrics, "/metrics");
  EXPECT_NE(pm.find("touyan_personnel_villages 1518"), std::string::npos) << pm.substr(0, 2000);
  EXPECT_NE(pm.find("touyan_personnel_villages_below_seed_target 1518"), std::string::npos)
      << "one approved seed is not enough";
  EXPECT_NE(pm.find("touyan_personnel_current_secretaries 1"), std::string::npos);
  EXPECT_NE(HttpGet(training_metrics, "/metrics").find("touyan_db_pool_connections"),
            std::string::npos);
  // The programme dashboard's contest and incentive gauges, over the latest
  // year with data (the examples' 2023): one round published with one entry,
  // the county's grades, one care award paid.
  const std::string cm = HttpGet(contest_metrics, "/metrics");
  EXPECT_NE(cm.find("touyan_contest_rounds{state=\"published\",year=\"2023\"} 1"),
            std::string::npos)
      << cm.substr(0, 3000);
  EXPECT_NE(cm.find("touyan_contest_rounds{state=\"draft\",year=\"2023\"} 0"), std::string::npos);
  EXPECT_NE(cm.find("touyan_contest_entries{year=\"2023\"} 1"), std::string::npos);
  const std::string im = HttpGet(incentive_metrics, "/metrics");
  EXPECT_NE(im.find("touyan_incentive_assessments{grade=\"excellent\",year=\"2023\"}"),
            std::string::npos)
      << im.substr(0, 3000);
  EXPECT_NE(im.find("touyan_incentive_care_awards{state=\"paid\",year=\"2023\"} 1"),
            std::string::npos);
  EXPECT_NE(im.find("touyan_incentive_care_award_yuan{year=\"2023\"}"), std::string::npos);
  EXPECT_NE(out.find("NOT_SIGNED"), std::string::npos) << "publishing waits for the sign-offs";
  EXPECT_NE(out.find("\"state\":\"ROUND_STATE_PUBLISHED\""), std::string::npos) << out;
  EXPECT_NE(out.find("BALLOT_CODE_INVALID"), std::string::npos) << "a voter code votes once";
  EXPECT_NE(out.find("BELOW_MIN_YEARS_IN_POST"), std::string::npos)
      << "a promotion names the condition unmet";
  EXPECT_NE(out.find("\"recipient\":\"RECIPIENT_PERSON\""), std::string::npos)
      << "the care award, paid";
  EXPECT_NE(out.find("\"notes_hidden\":true"), std::string::npos)
      << "counselling notes hidden from the auditor";
  EXPECT_NE(out.find("\"reschedule_reason\":\"党校教室检修，顺延一周\""), std::string::npos)
      << "a segment moved from the version read";
  EXPECT_NE(out.find("[reason ETAG_MISMATCH]"), std::string::npos) << "a stale etag refused";
  EXPECT_NE(out.find("（更正）\",\"kind\""), std::string::npos) << "an organisation renamed";
  EXPECT_NE(out.find("\"state\":\"CLASS_STATE_CANCELLED\""), std::string::npos);
  EXPECT_NE(out.find("\"class_cancelled\":true"), std::string::npos)
      << "the cancelled class's enrolments say so";
  kill(incentive.pid, SIGTERM);
  EXPECT_EQ(WaitExit(incentive.pid, absl::Seconds(15)), 0);
  kill(contest.pid, SIGTERM);
  EXPECT_EQ(WaitExit(contest.pid, absl::Seconds(15)), 0);
  kill(training.pid, SIGTERM);
  EXPECT_EQ(WaitExit(training.pid, absl::Seconds(15)), 0);
  kill(server.pid, SIGTERM);
  EXPECT_EQ(WaitExit(server.pid, absl::Seconds(15)), 0);
}

}  // namespace
}  // namespace touyan::testing
