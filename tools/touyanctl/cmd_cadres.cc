#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
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

void PrintCadres(const std::vector<pv1::Cadre>& cadres) {
  std::printf("%-16s %-14s %-20s %-10s %-8s\n", "ID", "REGION", "RESIDENT ID", "NAME", "POSTS");
  for (const auto& c : cadres) {
    std::printf("%-16s %-14s %-20s %-10s %d\n", c.id().c_str(), c.region_code().c_str(),
                c.resident_id().c_str(), c.name().c_str(), c.current_positions_size());
  }
}

}  // namespace

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
    return Usage(absl::StrReplaceAll(
        ok.message(), {{"village_post", "village-post"}, {"term_start", "term-start"}}));
  }
  std::ifstream in(file);
  if (!in) return Usage(absl::StrCat("cannot read ", file));
  CsvReader reader(in);
  std::vector<std::string> row;
  auto any = reader.Next(&row);
  if (!any.ok() || !*any) return Usage(absl::StrCat(file, ": no header row"));
  CsvHeader header(row);
  // Rows are sent as they are read: the file is never held whole, and the
  // server works on the first batch while the rest is parsed. A malformed
  // record cancels the call, and the server stores nothing.
  std::error_code size_error;
  const auto size = static_cast<int64_t>(std::filesystem::file_size(file, size_error));
  const bool tty = isatty(STDERR_FILENO);
  int64_t total = 0, shown = -1;
  auto progress = [&](int64_t pos) {
    int64_t pct = size > 0 ? std::min<int64_t>(pos * 100 / size, 100) : 100;
    if (!tty) pct -= pct % 10;  // a line each tenth of the file
    if (pct == shown) return;
    shown = pct;
    std::fprintf(stderr,
                 tty ? "\rimporting %3lld%% (%lld rows)" : "importing %3lld%% (%lld rows)\n",
                 static_cast<long long>(pct), static_cast<long long>(total));
  };
  std::vector<int64_t> lines;  // stream row → file line
  int bad = 0;
  auto stub = pv1::PersonnelService::NewStub(Connect(c.addr));
  const pv1::PositionKind post = head.village_post();
  grpc::ClientContext ctx;
  Authorize(ctx, c.token);
  pv1::ImportCadresResponse resp;
  auto writer = stub->ImportCadres(&ctx, &resp);
  pv1::ImportCadresRequest msg = std::move(head);
  int in_msg = 0;
  bool open = true, sent_any = false;
  while (open) {
    auto more = reader.Next(&row);
    if (!more.ok()) {
      ctx.TryCancel();
      writer->Finish();
      if (tty) std::fprintf(stderr, "\n");
      return Usage(absl::StrCat(file, ": ", more.status().message(), " (nothing imported)"));
    }
    if (!*more) break;
    auto cadre = CadreFromCsv(header, row);
    if (!cadre.ok()) {
      ++bad;
      std::cerr << file << ":" << reader.line() << ": " << cadre.status().message() << "\n";
      continue;
    }
    *msg.add_cadres() = *std::move(cadre);
    lines.push_back(reader.line());
    ++total;
    if (++in_msg == batch) {
      open = writer->Write(msg);  // false: the server ended the call, Finish says why
      sent_any = true;
      msg.Clear();
      in_msg = 0;
      progress(static_cast<int64_t>(in.tellg()));
    }
  }
  if (open && (in_msg > 0 || !sent_any)) writer->Write(msg);
  writer->WritesDone();
  const grpc::Status finished = writer->Finish();
  absl::StatusOr<pv1::ImportCadresResponse> r =
      finished.ok() ? absl::StatusOr<pv1::ImportCadresResponse>(std::move(resp))
                    : absl::StatusOr<pv1::ImportCadresResponse>(FromGrpc(finished));
  if (r.ok()) progress(size);
  if (tty) std::fprintf(stderr, "\n");
  if (!r.ok()) return Fail(r.status());
  for (const auto& e : r->errors()) {
    int64_t line = e.row() >= 1 && e.row() <= total ? lines[e.row() - 1] : 0;
    std::cerr << file << ":" << line << ": " << e.field() << ": " << e.message() << " ["
              << e.reason() << "]\n";
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
  if (!count.ok() || !seed.ok() || !first.ok())
    return Usage("--count, --seed and --first take whole numbers");
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
    for (const auto& c : GenerateCadres(*seed, *first + done, n, villages))
      WriteCadreCsv(c, std::cout);
  }
  return 0;
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

}  // namespace touyan::ctl
