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
#include "touyan/files/v1/files.pb.h"
#include "touyan/incentive/v1/incentive.pb.h"
#include "touyan/privacy/v1/privacy.pb.h"
#include "touyan/training/v1/training.pb.h"

namespace touyan::ctl {
namespace {

// The unary methods of the Touyan services linked into touyanctl.
const google::protobuf::MethodDescriptor* FindMethod(const std::string& name) {
  static const char* kServices[] = {
      "touyan.personnel.v1.PersonnelService", "touyan.training.v1.TrainingService",
      "touyan.contest.v1.ContestService", "touyan.incentive.v1.IncentiveService",
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

}  // namespace

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

// touyanctl scenario ulanqab-2023 | scale: endpoints from $TOUYAN_<SVC>_ADDR
// (or --personnel-addr …), tokens minted with the signing key.
int Scenario(const Settings& s, const std::string& which) {
  scenario::Endpoints e;
  e.personnel =
      s.String("personnel-addr", s.Get("touyan-personnel-addr").value_or("127.0.0.1:50051"));
  e.training = s.String("training-addr", s.Get("touyan-training-addr").value_or("127.0.0.1:50052"));
  e.contest = s.String("contest-addr", s.Get("touyan-contest-addr").value_or("127.0.0.1:50053"));
  e.incentive =
      s.String("incentive-addr", s.Get("touyan-incentive-addr").value_or("127.0.0.1:50054"));
  auto key = SigningKey(s);
  if (!key.ok()) {
    return Usage(
        absl::StrCat("the scenario acts as the city, counties and townships and signs their tokens "
                     "as the development issuer: ",
                     key.status().message()));
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
    if (!counties.ok() || !seed.ok())
      return Usage("--counties takes 1 to 11 and --seed a whole number");
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
      return Usage(
          "--villages takes 1 to 5,000,000, --villages-per-county 1 to 999, --seed a whole number");
    }
    o.villages = *villages;
    o.villages_per_county = static_cast<int>(*per);
    o.seed = static_cast<uint64_t>(*seed);
    return scenario::RunScale(o);
  }
  return Usage(absl::StrCat("unknown scenario '", which, "': ulanqab-2023 or scale"));
}

// touyanctl SERVICE METHOD [--FIELD=VALUE …]: see generic.h. `svc`, when
// given, is the contract called on SERVICE's address instead of its own (the
// audit trail). Returns 1 when `fails_unless` names a bool field of the
// answer that is false.
// A file export (a server stream of touyan.files.v1.FileChunk) saved to
// `out` (default: the name the server suggests), with progress on stderr.
int Export(grpc::Channel& channel, const google::protobuf::MethodDescriptor& m,
           const google::protobuf::Message& req, const std::string& token, absl::Duration timeout,
           std::string out) {
  files::v1::FileChunk chunk;
  std::ofstream file;
  int64_t total = 0, written = 0;
  std::string error;
  grpc::Status status = CallServerStream(
      channel, absl::StrCat("/", m.service()->full_name(), "/", m.name()), req.SerializeAsString(),
      token, timeout, [&](const std::string& bytes) {
        if (!chunk.ParseFromString(bytes)) {
          error = "a chunk did not parse";
          return false;
        }
        if (!file.is_open()) {
          if (out.empty()) out = chunk.filename();
          file.open(out, std::ios::binary | std::ios::trunc);
          if (!file) {
            error = absl::StrCat("cannot write ", out);
            return false;
          }
          total = chunk.total_bytes();
        }
        file << chunk.data();
        written += static_cast<int64_t>(chunk.data().size());
        std::cerr << "\r" << out << ": " << written << " of " << total << " bytes" << std::flush;
        return true;
      });
  if (written > 0) std::cerr << "\n";
  if (!status.ok()) return FailRpc(status);
  if (!error.empty()) return Fail(absl::DataLossError(error));
  file.close();
  if (!file || written != total) {
    return Fail(absl::DataLossError(absl::StrCat(out, ": got ", written, " of ", total, " bytes")));
  }
  std::cout << out << "\n";
  return 0;
}

int Generic(const Args& a, const google::protobuf::ServiceDescriptor* svc,
            const std::string& fails_unless) {
  if (svc == nullptr) svc = ServiceNamed(a.positional[0]);
  static const auto* kControl = new std::set<std::string>{
      "addr", "token",      "output",  "all",       "timeout",  "from-json", "json",
      "help", "request-id", "ca-file", "cert-file", "key-file", "insecure",  "out"};
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
      fields.emplace_back(name,
                          eq == absl::string_view::npos ? "true" : std::string(f.substr(eq + 1)));
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
  const bool file_export =
      m->server_streaming() && m->output_type()->full_name() == "touyan.files.v1.FileChunk";
  if (m->client_streaming() || (m->server_streaming() && !file_export)) {
    return Usage(absl::StrCat(m->name(), " streams: use the import or watch commands"));
  }
  if (help) {
    std::cout << MethodHelp(*m);
    return 0;
  }
  if (a.positional.size() > 2)
    return Usage(absl::StrCat("unexpected argument '", a.positional[2], "'"));
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
  const std::string out = s.String("out", "");
  if (!out.empty() && !file_export) return Usage("--out is for the Export… methods");
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
      return Usage(absl::StrCat("--from-json: not a ", m->input_type()->full_name(), ": ",
                                std::string(st.message())));
    }
  }
  if (absl::Status st = ApplyFields(*req, fields); !st.ok())
    return Usage(std::string(st.message()));
  if (const auto* rid = m->input_type()->FindFieldByName("request_id");
      rid != nullptr && req->GetReflection()->GetString(*req, rid).empty()) {
    req->GetReflection()->SetString(req.get(), rid, c->request_id);
  }
  if (auto unused = s.Unused(); !unused.empty())
    return Usage(absl::StrCat("unknown flag --", unused[0]));

  auto channel = Connect(addr);
  if (file_export) return Export(*channel, *m, *req, c->token, *timeout, out);
  const google::protobuf::FieldDescriptor* items = ListItems(*m);
  const auto* page_token = m->input_type()->FindFieldByName("page_token");
  Table table;
  std::string more;
  bool failed = false;
  while (true) {
    std::string bytes;
    grpc::Status status = CallUnary(*channel, absl::StrCat("/", svc->full_name(), "/", m->name()),
                                    req->SerializeAsString(), c->token, *timeout, &bytes);
    if (!status.ok()) return FailRpc(status);
    std::unique_ptr<google::protobuf::Message> resp(factory->GetPrototype(m->output_type())->New());
    if (!resp->ParseFromString(bytes))
      return Fail(absl::DataLossError("the response did not parse"));
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

int Call(const Common& c, const Settings& s, const std::string& name, const std::string& json) {
  const google::protobuf::MethodDescriptor* m = FindMethod(name);
  if (m == nullptr)
    return Usage(absl::StrCat("no method '", name, "' (try AddDesignation or GetRegion)"));
  if (m->client_streaming() || m->server_streaming()) {
    return Usage(absl::StrCat(name, " streams: use the import commands"));
  }
  auto timeout = s.Duration("timeout", absl::Seconds(30));
  if (!timeout.ok()) return Usage(std::string(timeout.status().message()));
  auto* factory = google::protobuf::MessageFactory::generated_factory();
  std::unique_ptr<google::protobuf::Message> req(factory->GetPrototype(m->input_type())->New());
  std::unique_ptr<google::protobuf::Message> resp(factory->GetPrototype(m->output_type())->New());
  if (auto st = google::protobuf::util::JsonStringToMessage(json.empty() ? "{}" : json, req.get());
      !st.ok()) {
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
  grpc::Status status =
      CallUnary(*Connect(addr), absl::StrCat("/", m->service()->full_name(), "/", m->name()),
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
      ((what == "list" || what == "access") != (a.positional.size() == 3)) ||
      a.positional.size() > 4) {
    return Usage(
        "audit needs SERVICE list, SERVICE history RESOURCE, SERVICE verify COUNTY or SERVICE "
        "access");
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

}  // namespace touyan::ctl
