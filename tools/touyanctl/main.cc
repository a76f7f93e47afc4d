// touyanctl: a command-line client for Touyan's gRPC APIs.
//
//   touyanctl token --role=county_operator --scope=150929000000
//   touyanctl health --addr=127.0.0.1:50051
//   touyanctl regions import data/ulanqab_regions.csv
//   touyanctl cadres generate --count=1000 --regions=data/ulanqab_regions.csv > c.csv
//   touyanctl cadres import c.csv
//   touyanctl cadres get 150902-42
//   touyanctl cadres list --region=150929000000 [--json]
//   touyanctl call GetRegion '{"code": "150929000000"}'
//
// --addr defaults to $TOUYAN_PERSONNEL_ADDR, --token to $TOUYAN_TOKEN, the
// development issuer's private key to $TOKEN_SIGNING_KEY_FILE, the CA to
// $TOUYAN_CA_FILE. Exit codes: 0 done, 1 the server
// refused or failed, 2 bad usage, 3 an import stored some rows and refused others.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "absl/algorithm/container.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "common/auth/issuer.h"
#include "common/auth/jwt.h"
#include "common/config/config.h"
#include "common/grpc/grpc_status.h"
#include "common/status/status.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/util/json_util.h"
#include "tools/touyanctl/client.h"
#include "tools/touyanctl/commands.h"
#include "tools/touyanctl/generic.h"
#include "tools/touyanctl/records.h"
#include "tools/touyanctl/scenario/scenario.h"
#include "touyan/audit/v1/audit.grpc.pb.h"
#include "touyan/contest/v1/contest.pb.h"
#include "touyan/incentive/v1/incentive.pb.h"
#include "touyan/privacy/v1/privacy.pb.h"
#include "touyan/training/v1/training.pb.h"

namespace touyan::ctl {
namespace {

const char kHelp[] = R"(touyanctl — client for the Touyan services

  token    --role=ROLE --scope=CODE [--subject=NAME] [--ttl=12h]
           ROLE: city_org_dept county_operator township_operator auditor service
           DEVELOPMENT ONLY: signs as the development issuer with the private key in
           --token-signing-key-file or $TOKEN_SIGNING_KEY_FILE (scripts/run.sh makes
           .local/issuer.key and its .local/jwks.json); in production an identity
           provider issues tokens. --ttl at most 12h; --token-audience=A,B (default
           the four services), --token-issuer (default touyan)
  jwks     KEYFILE [KEYFILE …]            the JWK Set of the keys' public halves (what --jwks-file
           of the services reads); two files while a key rolls over
  health   [--addr=HOST:PORT]             health status and the services listed
  regions  import FILE                    import a region tree CSV (code,name,level,parent_code)
  cadres   import FILE [--batch=500]      stream a cadre CSV into the registry (progress on stderr,
           [--village-post=KIND --term-start=YYYY-MM-DD]  refused rows as FILE:LINE: field: why)
           with --village-post each row also takes that post (DUAL_ROLE, BRANCH_SECRETARY, …)
           in its village's Party organisation
           generate --count=N --regions=FILE [--seed=1] [--first=0]
           get ID
           list [--region=CODE] [--page-size=100] [--all]
  scenario ulanqab-2023 [--counties=N] [--report-dir=.] [--regions=data/ulanqab_regions.csv] [--report-only]
           Ulanqab's 2023 programme through the APIs on the real region tree (after
           regions import), then the annual report (tables; ulanqab-2023-report.md and
           .csv in --report-dir), its figures read back from the services; --counties=N
           runs the N counties with the most villages, the figures scaled
  scenario scale [--villages=490000] [--villages-per-county=175] [--threads=8]
           N villages in synthetic counties (province 71): streaming imports, one contest
           round per county, the assessment; prints each stage's time
           scenarios reach every service by $TOUYAN_<SVC>_ADDR (or --personnel-addr …) and
           mint their tokens with --token-signing-key-file (or $TOKEN_SIGNING_KEY_FILE)
  audit    SERVICE list [--county_code=C --resource=R --actor=S --method=M
                 --start_time=T --end_time=T --all]   the service's audit trail (RFC 3339 times)
           SERVICE history RESOURCE          every change of one resource, in order
                                             (e.g. touyanctl audit personnel history cadres/150902-42)
           SERVICE verify COUNTY             walk the county's hash chain; exit 1 naming the
                                             first broken event
           SERVICE access [--resource=R --actor=S …]  who read whose personal data unmasked
  watch    SERVICE [--type=cadres,…] [--region=CODE] [--from=TOKEN | --from-oldest]
           [--save-token=FILE] [--count=N] [--idle-exit=DURATION]
           the service's change stream, one event per line as JSON (resume tokens on
           stderr); --save-token resumes from the token in FILE and keeps it current
  export   SERVICE METHOD [--FIELD=VALUE …] [--out=FILE]   a 台账 export (.xlsx) saved to FILE
           (default: the name the server gives it), e.g.
           touyanctl export training ExportClassRoster --class_id=150902-7 --out=roster.xlsx
  SERVICE  METHOD [--FIELD=VALUE …]       any unary method of personnel, training, contest or
           incentive, e.g. touyanctl incentive ListAssessments --year=2023 --all --output=csv
           --FIELD: request fields (nested by dots, enums by name, dates YYYY-MM-DD,
           lists comma-separated); --from-json=FILE (- for stdin) first; --all pages
           a list to the end; --output=table (default), csv or json;
           touyanctl SERVICE --help lists its methods, … METHOD --help their fields
  call     METHOD [JSON] [--timeout=30s]  any unary call, request and response as JSON
           METHOD: AddDesignation, or touyan.personnel.v1.PersonnelService/AddDesignation;
           training's methods go to $TOUYAN_TRAINING_ADDR, contest's to
           $TOUYAN_CONTEST_ADDR, incentive's to $TOUYAN_INCENTIVE_ADDR,
           unless --addr is given

Common flags: --addr (default $TOUYAN_PERSONNEL_ADDR), --token (default $TOUYAN_TOKEN),
              --json (print JSON instead of tables), --request-id (default: random)
TLS:          --ca-file (default $TOUYAN_CA_FILE; else the system's roots), --cert-file and
              --key-file (a client certificate), --insecure (plaintext; $TOUYAN_INSECURE=true)
Exit codes: 0 done, 1 refused or failed, 2 bad usage, 3 import partly refused.
)";

Args Split(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    if (absl::StartsWith(argv[i], "--")) {
      a.flags.push_back(argv[i]);
    } else {
      a.positional.push_back(argv[i]);
    }
  }
  return a;
}

int Main(int argc, char** argv) {
  Args a = Split(argc, argv);
  if (!a.positional.empty() && ServiceNamed(a.positional[0]) != nullptr) return Generic(a);
  if (!a.positional.empty() && a.positional[0] == "audit") return Audit(std::move(a));
  // touyanctl export SERVICE METHOD …: the file-export methods, by name.
  if (a.positional.size() > 1 && a.positional[0] == "export" && ServiceNamed(a.positional[1])) {
    a.positional.erase(a.positional.begin());
    return Generic(a);
  }
  if (a.positional.empty() || absl::c_linear_search(a.flags, std::string("--help"))) {
    for (const char* f : a.flags) {
      if (std::string(f) == "--help") {
        std::cout << kHelp;
        return 0;
      }
    }
    std::cerr << kHelp;
    return kUsage;
  }
  auto settings = Settings::FromArgs(static_cast<int>(a.flags.size()), a.flags.data());
  if (!settings.ok()) return Usage(std::string(settings.status().message()));
  const Settings& s = *settings;
  if (absl::Status tls = ConfigureClientTls(s); !tls.ok()) return Usage(std::string(tls.message()));
  const std::string& cmd = a.positional[0];
  const std::string sub = a.positional.size() > 1 ? a.positional[1] : "";
  const std::string arg = a.positional.size() > 2 ? a.positional[2] : "";
  int rc;
  if (cmd == "token") {
    rc = Token(s);
  } else if (cmd == "jwks") {
    rc = Jwks({a.positional.begin() + 1, a.positional.end()});
  } else if (cmd == "scenario") {
    if (sub.empty()) return Usage("scenario needs a name: ulanqab-2023 or scale");
    rc = Scenario(s, sub);
  } else {
    bool need_token = cmd != "health" && !(cmd == "cadres" && sub == "generate");
    auto c = CommonFlags(s, need_token);
    if (!c.ok()) return Usage(std::string(c.status().message()));
    if (cmd == "health") {
      rc = Health(*c);
    } else if (cmd == "regions" && sub == "import" && !arg.empty()) {
      rc = RegionsImport(*c, arg);
    } else if (cmd == "cadres" && sub == "import" && !arg.empty()) {
      auto batch = s.Int("batch", 500, 1, 10000);
      if (!batch.ok()) return Usage(std::string(batch.status().message()));
      rc = CadresImport(*c, s, arg, *batch);
    } else if (cmd == "cadres" && sub == "generate") {
      rc = CadresGenerate(s);
    } else if (cmd == "cadres" && sub == "get" && !arg.empty()) {
      rc = CadresGet(*c, arg);
    } else if (cmd == "cadres" && sub == "list") {
      rc = CadresList(*c, s);
    } else if (cmd == "watch" && !sub.empty()) {
      rc = Watch(*c, s, sub);
    } else if (cmd == "call" && !sub.empty()) {
      rc = Call(*c, s, sub, arg);
    } else {
      return Usage(absl::StrCat("unknown command '", absl::StrJoin(a.positional, " "), "'"));
    }
  }
  if (auto unused = s.Unused(); !unused.empty())
    return Usage(absl::StrCat("unknown flag --", unused[0]));
  return rc;
}

}  // namespace
}  // namespace touyan::ctl

int main(int argc, char** argv) { return touyan::ctl::Main(argc, argv); }
