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
#include <random>
#include <map>
#include <set>
#include <sstream>

#include "absl/algorithm/container.h"
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "common/auth/issuer.h"
#include "common/auth/jwt.h"
#include "common/config/config.h"
#include "common/grpc/grpc_status.h"
#include "common/status/status.h"
#include "google/protobuf/descriptor.h"
#include "touyan/privacy/v1/privacy.pb.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/util/json_util.h"
#include "tools/touyanctl/client.h"
#include "tools/touyanctl/generic.h"
#include "touyan/audit/v1/audit.grpc.pb.h"
#include "touyan/contest/v1/contest.pb.h"
#include "touyan/incentive/v1/incentive.pb.h"
#include "touyan/training/v1/training.pb.h"
#include "tools/touyanctl/records.h"
#include "tools/touyanctl/scenario/scenario.h"

namespace touyan::ctl {
namespace {

constexpr int kUsage = 2, kFailed = 1, kPartial = 3;

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

struct Args {
  std::vector<std::string> positional;
  std::vector<const char*> flags{"touyanctl"};
};

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

int Usage(const std::string& msg) {
  std::cerr << "touyanctl: " << msg << "\n(see touyanctl --help)\n";
  return kUsage;
}

int Fail(const absl::Status& s) {
  std::cerr << "touyanctl: " << absl::StatusCodeToString(s.code()) << ": " << s.message() << "\n";
  return kFailed;
}

int FailRpc(const grpc::Status& s) {
  ErrorDetails d = DetailsOf(s);
  std::cerr << "touyanctl: " << absl::StatusCodeToString(static_cast<absl::StatusCode>(s.error_code()))
            << ": " << s.error_message();
  if (!d.field.empty()) std::cerr << " [field " << d.field << "]";
  if (!d.reason.empty()) std::cerr << " [reason " << d.reason << "]";
  std::cerr << "\n";
  return kFailed;
}

std::string RandomId() {
  std::random_device rd;
  return absl::StrFormat("ctl-%08x%08x", rd(), rd());
}

std::string Json(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions o;
  o.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(m, &out, o);
  return out;
}

struct Common {
  std::string addr, token, request_id;
  bool json = false;
};

absl::StatusOr<Common> CommonFlags(const Settings& s, bool need_token) {
  Common c;
  c.addr = s.String("addr", s.Get("touyan-personnel-addr").value_or("127.0.0.1:50051"));
  c.token = s.String("token", s.Get("touyan-token").value_or(""));
  c.request_id = s.String("request-id", RandomId());
  auto json = s.Bool("json", false);
  if (!json.ok()) return json.status();
  c.json = *json;
  if (need_token && c.token.empty()) {
    return absl::InvalidArgumentError("no token: pass --token or set TOUYAN_TOKEN (touyanctl token …)");
  }
  return c;
}

// The development issuer's key from --token-signing-key-file ($TOKEN_SIGNING_KEY_FILE).
absl::StatusOr<auth::TokenSigner> SigningKey(const Settings& s) {
  auto f = s.Get("token-signing-key-file");
  if (!f) {
    return absl::InvalidArgumentError(
        "no signing key: pass --token-signing-key-file=.local/issuer.key (or set "
        "TOKEN_SIGNING_KEY_FILE); development only");
  }
  return auth::TokenSigner::FromPemFile(*f);
}

int Token(const Settings& s) {
  auto signer = SigningKey(s);
  if (!signer.ok()) return Usage(std::string(signer.status().message()));
  auto role = auth::ParseRole(s.String("role", ""));
  if (!role) return Usage("--role must be one of city_org_dept county_operator township_operator auditor service");
  auto ttl = s.Duration("ttl", absl::Hours(12));
  if (!ttl.ok()) return Usage(std::string(ttl.status().message()));
  if (*ttl <= absl::ZeroDuration() || *ttl > absl::Hours(12)) {
    return Usage("--ttl must be more than 0 and at most 12h (the services' --token-max-lifetime)");
  }
  auth::IssueOptions o;
  o.issuer = s.String("token-issuer", o.issuer);
  if (auto aud = s.Get("token-audience")) {
    o.audiences.clear();
    for (absl::string_view a : absl::StrSplit(*aud, ',', absl::SkipEmpty())) o.audiences.emplace_back(a);
  }
  auto p = auth::Principal::Make(s.String("subject", std::string(auth::RoleName(*role))), *role,
                                 s.String("scope", ""));
  if (!p.ok()) return Usage(std::string(p.status().message()));
  std::cout << signer->Issue(*p, absl::Now(), *ttl, o) << "\n";
  return 0;
}

// touyanctl jwks KEYFILE…: the public JWK Set of development keys.
int Jwks(const std::vector<std::string>& files) {
  if (files.empty()) return Usage("jwks needs one or more private key files (PEM)");
  std::vector<auth::TokenSigner> signers;
  for (const std::string& f : files) {
    auto s = auth::TokenSigner::FromPemFile(f);
    if (!s.ok()) return Usage(std::string(s.status().message()));
    signers.push_back(*std::move(s));
  }
  std::vector<const auth::TokenSigner*> ptrs;
  for (const auto& s : signers) ptrs.push_back(&s);
  std::cout << auth::JwkSetOf(ptrs);
  return 0;
}

// touyanctl scenario ulanqab-2023 | scale: endpoints from $TOUYAN_<SVC>_ADDR
// (or --personnel-addr …), tokens minted with the signing key.
int Scenario(const Settings& s, const std::string& which) {
  scenario::Endpoints e;
  e.personnel = s.String("personnel-addr", s.Get("touyan-personnel-addr").value_or("127.0.0.1:50051"));
  e.training = s.String("training-addr", s.Get("touyan-training-addr").value_or("127.0.0.1:50052"));
  e.contest = s.String("contest-addr", s.Get("touyan-contest-addr").value_or("127.0.0.1:50053"));
  e.incentive = s.String("incentive-addr", s.Get("touyan-incentive-addr").value_or("127.0.0.1:50054"));
  auto key = SigningKey(s);
  if (!key.ok()) {
    return Usage(absl::StrCat("the scenario acts as the city, counties and townships and signs their tokens "
                              "as the development issuer: ", key.status().message()));
  }
  e.signer = std::make_shared<auth::TokenSigner>(*std::move(key));
  auto threads = s.Int("threads", 16, 1, 256);
  if (!threads.ok()) return Usage(std::string(threads.status().message()));
  if (which == "ulanqab-2023") {
    scenario::UlanqabOptions o;
    o.endpoints = e;
    o.regions_file = s.String("regions", o.regions_file);
    o.report_dir = s.String("report-dir", o.report_dir);
    o.threads = *threads;
    auto counties = s.Int("counties", 0, 0, 11);
    auto seed = s.Int("seed", 2023, 0, 1 << 30);
    if (!counties.ok() || !seed.ok()) return Usage("--counties takes 1 to 11 and --seed a whole number");
    o.counties = static_cast<int>(*counties);
    auto report_only = s.Bool("report-only", false);
    if (!report_only.ok()) return Usage(std::string(report_only.status().message()));
    o.report_only = *report_only;
    o.seed = static_cast<uint64_t>(*seed);
    return scenario::RunUlanqab2023(o);
  }
  if (which == "scale") {
    scenario::ScaleOptions o;
    o.endpoints = e;
    o.threads = s.Get("threads") ? static_cast<int>(*threads) : o.threads;
    auto villages = s.Int("villages", o.villages, 1, 5000000);
    auto per = s.Int("villages-per-county", o.villages_per_county, 1, 999);
    auto seed = s.Int("seed", 1, 0, 1 << 30);
    if (!villages.ok() || !per.ok() || !seed.ok()) {
      return Usage("--villages takes 1 to 5,000,000, --villages-per-county 1 to 999, --seed a whole number");
    }
    o.villages = *villages;
    o.villages_per_county = static_cast<int>(*per);
    o.seed = static_cast<uint64_t>(*seed);
    return scenario::RunScale(o);
  }
  return Usage(absl::StrCat("unknown scenario '", which, "': ulanqab-2023 or scale"));
}

int Health(const Common& c) {
  auto channel = Connect(c.addr);
  auto status = CheckHealth(*channel);
  if (!status.ok()) return Fail(status.status());
  auto services = ListServices(*channel);
  if (!services.ok()) return Fail(services.status());
  std::cout << c.addr << " " << *status << "\n";
  for (const auto& s : *services) std::cout << "  " << s << "\n";
  return *status == "SERVING" ? 0 : kFailed;
}

int RegionsImport(const Common& c, const std::string& file) {
  std::ifstream in(file);
  if (!in) return Usage(absl::StrCat("cannot read ", file));
  auto regions = ReadRegions(in);
  if (!regions.ok()) return Usage(absl::StrCat(file, ": ", regions.status().message()));
  auto stub = pv1::PersonnelService::NewStub(Connect(c.addr));
  auto r = ImportRegions(*stub, c.token, c.request_id, *regions);
  if (!r.ok()) return Fail(r.status());
  if (c.json) {
    std::cout << Json(*r) << "\n";
  } else {
    std::cout << "regions upserted: " << r->regions_upserted()
              << "\nparty organisations created: " << r->party_orgs_created() << "\n";
  }
  return 0;
}

int CadresImport(const Common& c, const Settings& s, const std::string& file, int batch) {
  // --village-post=DUAL_ROLE --term-start=2021-01-15: each row also takes the post.
  pv1::ImportCadresRequest head;
  head.set_request_id(c.request_id);
  std::vector<std::pair<std::string, std::string>> options;
  if (auto v = s.Get("village-post")) options.emplace_back("village_post", *v);
  if (auto v = s.Get("term-start")) options.emplace_back("term_start", *v);
  if (absl::Status ok = ApplyFields(head, options); !ok.ok()) {
    return Usage(absl::StrReplaceAll(ok.message(), {{"village_post", "village-post"}, {"term_start", "term-start"}}));
  }
  std::ifstream in(file);
  if (!in) return Usage(absl::StrCat("cannot read ", file));
  CsvReader reader(in);
  std::vector<std::string> row;
  auto any = reader.Next(&row);
  if (!any.ok() || !*any) return Usage(absl::StrCat(file, ": no header row"));
  CsvHeader header(row);
  std::vector<pv1::Cadre> cadres;
  std::vector<int64_t> lines;  // stream row → file line
  int bad = 0;
  for (;;) {
    auto more = reader.Next(&row);
    if (!more.ok()) return Usage(absl::StrCat(file, ": ", more.status().message()));
    if (!*more) break;
    auto cadre = CadreFromCsv(header, row);
    if (!cadre.ok()) {
      ++bad;
      std::cerr << file << ":" << reader.line() << ": " << cadre.status().message() << "\n";
      continue;
    }
    cadres.push_back(*std::move(cadre));
    lines.push_back(reader.line());
  }
  const bool tty = isatty(STDERR_FILENO);
  int64_t total = static_cast<int64_t>(cadres.size()), shown = -1;
  auto progress = [&](int64_t sent) {
    int64_t pct = total ? sent * 100 / total : 100;
    if (pct == shown || (!tty && pct % 10 != 0)) return;
    shown = pct;
    std::fprintf(stderr, tty ? "\rimporting %3lld%% (%lld/%lld rows)" : "importing %3lld%% (%lld/%lld rows)\n",
                 static_cast<long long>(pct), static_cast<long long>(sent), static_cast<long long>(total));
  };
  auto stub = pv1::PersonnelService::NewStub(Connect(c.addr));
  const pv1::PositionKind post = head.village_post();
  auto r = ImportCadres(*stub, c.token, std::move(head), cadres, batch, progress);
  if (tty) std::fprintf(stderr, "\n");
  if (!r.ok()) return Fail(r.status());
  for (const auto& e : r->errors()) {
    int64_t line = e.row() >= 1 && e.row() <= total ? lines[e.row() - 1] : 0;
    std::cerr << file << ":" << line << ": " << e.field() << ": " << e.message() << " [" << e.reason() << "]\n";
  }
  if (c.json) {
    std::cout << Json(*r) << "\n";
  } else {
    std::cout << "rows read: " << total + bad << "\nrows imported: " << r->rows_imported()
              << "\nrows refused: " << r->rows_failed() + bad << "\n";
    if (post != pv1::POSITION_KIND_UNSPECIFIED) {
      std::cout << "posts created: " << r->positions_created() << "\n";
    }
  }
  return (r->rows_failed() + bad) > 0 ? kPartial : 0;
}

int CadresGenerate(const Settings& s) {
  auto count = s.Int("count", 1000, 1, 14000000);
  auto seed = s.Int("seed", 1, 0, 1 << 30);
  auto first = s.Int("first", 0, 0, 1 << 30);
  if (!count.ok() || !seed.ok() || !first.ok()) return Usage("--count, --seed and --first take whole numbers");
  std::string file = s.String("regions", "data/ulanqab_regions.csv");
  std::ifstream in(file);
  if (!in) return Usage(absl::StrCat("cannot read --regions=", file));
  auto regions = ReadRegions(in);
  if (!regions.ok()) return Usage(std::string(regions.status().message()));
  std::vector<std::string> villages;
  for (const auto& r : *regions) {
    if (r.level() == pv1::REGION_LEVEL_VILLAGE) villages.push_back(r.code());
  }
  if (villages.empty()) return Usage("the region file has no villages");
  WriteCadreCsvHeader(std::cout);
  for (int64_t done = 0; done < *count; done += 10000) {
    int64_t n = std::min<int64_t>(10000, *count - done);
    for (const auto& c : GenerateCadres(*seed, *first + done, n, villages)) WriteCadreCsv(c, std::cout);
  }
  return 0;
}

void PrintCadres(const std::vector<pv1::Cadre>& cadres) {
  std::printf("%-16s %-14s %-20s %-10s %-8s\n", "ID", "REGION", "RESIDENT ID", "NAME", "POSTS");
  for (const auto& c : cadres) {
    std::printf("%-16s %-14s %-20s %-10s %d\n", c.id().c_str(), c.region_code().c_str(),
                c.resident_id().c_str(), c.name().c_str(), c.current_positions_size());
  }
}

int CadresGet(const Common& c, const std::string& id) {
  auto stub = pv1::PersonnelService::NewStub(Connect(c.addr));
  grpc::ClientContext ctx;
  Authorize(ctx, c.token);
  pv1::GetCadreRequest req;
  req.set_id(id);
  pv1::Cadre cadre;
  grpc::Status s = stub->GetCadre(&ctx, req, &cadre);
  if (!s.ok()) return FailRpc(s);
  if (c.json) {
    std::cout << Json(cadre) << "\n";
  } else {
    PrintCadres({cadre});
  }
  return 0;
}

int CadresList(const Common& c, const Settings& s) {
  auto stub = pv1::PersonnelService::NewStub(Connect(c.addr));
  pv1::ListCadresRequest req;
  req.set_region_code(s.String("region", ""));
  auto size = s.Int("page-size", 100, 1, 1000);
  auto all = s.Bool("all", false);
  if (!size.ok() || !all.ok()) return Usage("--page-size takes 1..1000, --all true or false");
  req.set_page_size(*size);
  std::vector<pv1::Cadre> out;
  do {
    grpc::ClientContext ctx;
    Authorize(ctx, c.token);
    pv1::ListCadresResponse resp;
    grpc::Status st = stub->ListCadres(&ctx, req, &resp);
    if (!st.ok()) return FailRpc(st);
    for (auto& x : *resp.mutable_cadres()) out.push_back(std::move(x));
    req.set_page_token(resp.next_page_token());
  } while (*all && !req.page_token().empty());
  if (c.json) {
    for (const auto& x : out) std::cout << Json(x) << "\n";
  } else {
    PrintCadres(out);
    if (!req.page_token().empty()) std::cout << "(more: --all pages through everything)\n";
  }
  return 0;
}

// touyanctl SERVICE METHOD [--FIELD=VALUE …]: see generic.h. `svc`, when
// given, is the contract called on SERVICE's address instead of its own (the
// audit trail). Returns 1 when `fails_unless` names a bool field of the
// answer that is false.
int Generic(const Args& a, const google::protobuf::ServiceDescriptor* svc = nullptr,
            const std::string& fails_unless = "") {
  if (svc == nullptr) svc = ServiceNamed(a.positional[0]);
  static const auto* kControl = new std::set<std::string>{
      "addr", "token", "output", "all", "timeout", "from-json", "json", "help", "request-id",
      "ca-file", "cert-file", "key-file", "insecure"};
  std::vector<const char*> control{"touyanctl"};
  std::vector<std::pair<std::string, std::string>> fields;
  bool help = false;
  for (size_t i = 1; i < a.flags.size(); ++i) {
    absl::string_view f = a.flags[i];
    f.remove_prefix(2);
    const size_t eq = f.find('=');
    const std::string name(f.substr(0, eq));
    if (name == "help") help = true;
    if (kControl->contains(name)) {
      control.push_back(a.flags[i]);
    } else {
      fields.emplace_back(name, eq == absl::string_view::npos ? "true" : std::string(f.substr(eq + 1)));
    }
  }
  if (a.positional.size() < 2) {
    (help ? std::cout : std::cerr) << ServiceHelp(*svc);
    return help ? 0 : kUsage;
  }
  const google::protobuf::MethodDescriptor* m = svc->FindMethodByName(a.positional[1]);
  if (m == nullptr) {
    return Usage(absl::StrCat("the ", a.positional[0], " service has no method '", a.positional[1],
                              "' (touyanctl ", a.positional[0], " --help lists them)"));
  }
  if (m->client_streaming() || m->server_streaming()) {
    return Usage(absl::StrCat(m->name(), " streams: use the import commands"));
  }
  if (help) {
    std::cout << MethodHelp(*m);
    return 0;
  }
  if (a.positional.size() > 2) return Usage(absl::StrCat("unexpected argument '", a.positional[2], "'"));
  auto settings = Settings::FromArgs(static_cast<int>(control.size()), control.data());
  if (!settings.ok()) return Usage(std::string(settings.status().message()));
  const Settings& s = *settings;
  if (absl::Status tls = ConfigureClientTls(s); !tls.ok()) return Usage(std::string(tls.message()));
  auto c = CommonFlags(s, true);
  if (!c.ok()) return Usage(std::string(c.status().message()));
  const std::string output = s.String("output", c->json ? "json" : "table");
  if (output != "table" && output != "csv" && output != "json") {
    return Usage("--output must be table, csv or json");
  }
  auto all = s.Bool("all", false);
  auto timeout = s.Duration("timeout", absl::Seconds(30));
  if (!all.ok()) return Usage(std::string(all.status().message()));
  if (!timeout.ok()) return Usage(std::string(timeout.status().message()));
  std::string addr = c->addr;
  if (!s.Get("addr")) {
    if (auto x = s.Get(absl::StrCat("touyan-", a.positional[0], "-addr"))) addr = *x;
  }

  auto* factory = google::protobuf::MessageFactory::generated_factory();
  std::unique_ptr<google::protobuf::Message> req(factory->GetPrototype(m->input_type())->New());
  if (auto file = s.Get("from-json")) {
    std::stringstream text;
    if (*file == "-") {
      text << std::cin.rdbuf();
    } else {
      std::ifstream in(*file);
      if (!in) return Usage(absl::StrCat("--from-json: cannot read ", *file));
      text << in.rdbuf();
    }
    if (auto st = google::protobuf::util::JsonStringToMessage(text.str(), req.get()); !st.ok()) {
      return Usage(absl::StrCat("--from-json: not a ", m->input_type()->full_name(), ": ", std::string(st.message())));
    }
  }
  if (absl::Status st = ApplyFields(*req, fields); !st.ok()) return Usage(std::string(st.message()));
  if (const auto* rid = m->input_type()->FindFieldByName("request_id");
      rid != nullptr && req->GetReflection()->GetString(*req, rid).empty()) {
    req->GetReflection()->SetString(req.get(), rid, c->request_id);
  }
  if (auto unused = s.Unused(); !unused.empty()) return Usage(absl::StrCat("unknown flag --", unused[0]));

  const google::protobuf::FieldDescriptor* items = ListItems(*m);
  const auto* page_token = m->input_type()->FindFieldByName("page_token");
  auto channel = Connect(addr);
  Table table;
  std::string more;
  bool failed = false;
  while (true) {
    std::string bytes;
    grpc::Status status = CallUnary(*channel, absl::StrCat("/", svc->full_name(), "/", m->name()),
                                    req->SerializeAsString(), c->token, *timeout, &bytes);
    if (!status.ok()) return FailRpc(status);
    std::unique_ptr<google::protobuf::Message> resp(factory->GetPrototype(m->output_type())->New());
    if (!resp->ParseFromString(bytes)) return Fail(absl::DataLossError("the response did not parse"));
    if (items == nullptr) {
      if (output == "json") {
        std::cout << Json(*resp) << "\n";
      } else {
        AddRow(*resp, table);
      }
      if (const auto* f = m->output_type()->FindFieldByName(fails_unless);
          f != nullptr && !resp->GetReflection()->GetBool(*resp, f)) {
        failed = true;
      }
      break;
    }
    const auto* r = resp->GetReflection();
    for (int i = 0; i < r->FieldSize(*resp, items); ++i) {
      const auto& item = r->GetRepeatedMessage(*resp, items, i);
      if (output == "json") {
        std::cout << Json(item) << "\n";
      } else {
        AddRow(item, table);
      }
    }
    more = r->GetString(*resp, m->output_type()->FindFieldByName("next_page_token"));
    if (more.empty() || !*all) break;
    req->GetReflection()->SetString(req.get(), page_token, more);
  }
  if (output == "table") std::cout << (table.rows.empty() ? "(no rows)\n" : RenderTable(table));
  if (output == "csv") std::cout << RenderCsv(table);
  if (!more.empty() && !*all) {
    std::cerr << "(more: --all pages to the end, or --page_token=" << more << ")\n";
  }
  return failed ? kFailed : 0;
}

// The unary methods of the Touyan services linked into touyanctl.
const google::protobuf::MethodDescriptor* FindMethod(const std::string& name) {
  static const char* kServices[] = {"touyan.personnel.v1.PersonnelService",
                                    "touyan.training.v1.TrainingService",
                                    "touyan.contest.v1.ContestService",
                                    "touyan.incentive.v1.IncentiveService",
                                    "touyan.privacy.v1.PrivacyService"};
  // Referencing each contract links its descriptors into the pool.
  (void)touyan::training::v1::TrainingClass::descriptor();
  (void)touyan::contest::v1::Contest::descriptor();
  (void)touyan::incentive::v1::Assessment::descriptor();
  (void)touyan::privacy::v1::PersonalDataExport::descriptor();
  std::string service_part, method = name;
  if (size_t slash = name.rfind('/'); slash != std::string::npos) {
    service_part = name.substr(0, slash);
    method = name.substr(slash + 1);
  }
  for (const char* s : kServices) {
    if (!service_part.empty() && service_part != s) continue;
    const auto* svc = google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(s);
    if (svc == nullptr) continue;
    if (const auto* m = svc->FindMethodByName(method)) return m;
  }
  return nullptr;
}

int Call(const Common& c, const Settings& s, const std::string& name, const std::string& json) {
  const google::protobuf::MethodDescriptor* m = FindMethod(name);
  if (m == nullptr) return Usage(absl::StrCat("no method '", name, "' (try AddDesignation or GetRegion)"));
  if (m->client_streaming() || m->server_streaming()) {
    return Usage(absl::StrCat(name, " streams: use the import commands"));
  }
  auto timeout = s.Duration("timeout", absl::Seconds(30));
  if (!timeout.ok()) return Usage(std::string(timeout.status().message()));
  auto* factory = google::protobuf::MessageFactory::generated_factory();
  std::unique_ptr<google::protobuf::Message> req(factory->GetPrototype(m->input_type())->New());
  std::unique_ptr<google::protobuf::Message> resp(factory->GetPrototype(m->output_type())->New());
  if (auto st = google::protobuf::util::JsonStringToMessage(json.empty() ? "{}" : json, req.get()); !st.ok()) {
    return Usage(absl::StrCat("the request is not a ", m->input_type()->full_name(), ": ",
                              std::string(st.message())));
  }
  // Without --addr, each service's address comes from TOUYAN_<SERVICE>_ADDR
  // (what scripts/run.sh writes to .local/endpoints.env).
  std::string addr = c.addr;
  if (!s.Get("addr")) {
    const std::string svc(absl::StripPrefix(m->service()->file()->package(), "touyan."));
    if (auto a = s.Get(absl::StrCat("touyan-", svc.substr(0, svc.find('.')), "-addr"))) addr = *a;
  }
  std::string bytes;
  grpc::Status status = CallUnary(*Connect(addr),
                                  absl::StrCat("/", m->service()->full_name(), "/", m->name()),
                                  req->SerializeAsString(), c.token, *timeout, &bytes);
  if (!status.ok()) return FailRpc(status);
  if (!resp->ParseFromString(bytes)) return Fail(absl::DataLossError("the response did not parse"));
  std::cout << Json(*resp) << "\n";
  return 0;
}

// touyanctl audit SERVICE list|history RESOURCE|verify COUNTY: the audit
// trail's methods on SERVICE's address, through Generic.
int Audit(Args a) {
  // Through a message of the contract: that links its descriptors in.
  const auto* svc = audit::v1::AuditEvent::descriptor()->file()->FindServiceByName("AuditService");
  const std::string what = a.positional.size() > 2 ? a.positional[2] : "";
  if (a.positional.size() < 3 || ServiceNamed(a.positional[1]) == nullptr ||
      ((what == "list" || what == "access") != (a.positional.size() == 3)) || a.positional.size() > 4) {
    return Usage("audit needs SERVICE list, SERVICE history RESOURCE, SERVICE verify COUNTY or SERVICE access");
  }
  // What each word calls: the method, the flag its argument fills, whether
  // a list pages to its end, the answer's field that must be true.
  struct Word {
    const char* method;
    const char* flag;
    bool all;
    const char* fails_unless;
  };
  static const auto* kWords = new std::map<std::string, Word>{
      {"list", {"ListAuditEvents", nullptr, false, ""}},
      {"access", {"ListAccessRecords", nullptr, false, ""}},
      {"history", {"ListAuditEvents", "--resource=", true, ""}},
      {"verify", {"VerifyAuditChain", "--county_code=", false, "intact"}},
  };
  auto word = kWords->find(what);
  if (word == kWords->end()) {
    return Usage(absl::StrCat("audit: unknown '", what, "' (list, history, verify or access)"));
  }
  Args b{.positional = {a.positional[1], word->second.method}, .flags = a.flags};
  static std::string argument;  // outlives the call: flags are C strings
  if (word->second.flag != nullptr) {
    argument = absl::StrCat(word->second.flag, a.positional[3]);
    b.flags.push_back(argument.c_str());
  }
  if (word->second.all) b.flags.push_back("--all");
  return Generic(b, svc, word->second.fails_unless);
}

int Main(int argc, char** argv) {
  Args a = Split(argc, argv);
  if (!a.positional.empty() && ServiceNamed(a.positional[0]) != nullptr) return Generic(a);
  if (!a.positional.empty() && a.positional[0] == "audit") return Audit(std::move(a));
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
    } else if (cmd == "call" && !sub.empty()) {
      rc = Call(*c, s, sub, arg);
    } else {
      return Usage(absl::StrCat("unknown command '", absl::StrJoin(a.positional, " "), "'"));
    }
  }
  if (auto unused = s.Unused(); !unused.empty()) return Usage(absl::StrCat("unknown flag --", unused[0]));
  return rc;
}

}  // namespace
}  // namespace touyan::ctl

int main(int argc, char** argv) { return touyan::ctl::Main(argc, argv); }
