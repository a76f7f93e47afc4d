// B5: one contest round at the city's scale through the public APIs —
// `--entries` secretaries (each leading an organisation of their own),
// `--judges` judges on one panel, the default three dimensions — then times
// what the benchmark compares: ingesting every score (one client-streaming
// batch) and closing the round (tabulation, ranking, digest). It checks the
// service's ranking and digest against the same tabulation done here, and
// writes the scores as CSV for the baseline (psql \copy + one window query).
//
//   contest-round --personnel=HOST:PORT --contest=HOST:PORT --token=T
//                 --regions=data/ulanqab_regions.csv --scores-csv=FILE
//                 [--entries=4247] [--judges=7] [--seed=1]
// Prints one line: entries= scores= setup_s= ingest_s= close_s= ranked_ok=1
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/config/config.h"
#include "services/contest/domain/tabulation.h"
#include "tools/touyanctl/client.h"
#include "tools/touyanctl/records.h"
#include "touyan/contest/v1/contest.grpc.pb.h"
#include "touyan/personnel/v1/personnel.grpc.pb.h"

namespace {

namespace pv1 = touyan::personnel::v1;
namespace cv1 = touyan::contest::v1;
using Clock = std::chrono::steady_clock;

[[noreturn]] void Die(const std::string& what, const grpc::Status& s = grpc::Status::OK) {
  std::fprintf(stderr, "contest-round: %s%s%s\n", what.c_str(), s.ok() ? "" : ": ",
               s.error_message().c_str());
  std::exit(1);
}

class Caller {
 public:
  explicit Caller(std::string token) : token_(std::move(token)) {}
  template <typename Stub, typename Req, typename Resp>
  Resp Call(Stub& stub, grpc::Status (Stub::*m)(grpc::ClientContext*, const Req&, Resp*),
            const Req& req, const char* what) {
    grpc::ClientContext ctx;
    touyan::ctl::Authorize(ctx, token_);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
    Resp out;
    grpc::Status s = (stub.*m)(&ctx, req, &out);
    if (!s.ok()) Die(what, s);
    return out;
  }
  const std::string& token() const { return token_; }

 private:
  std::string token_;
};

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

}  // namespace

int main(int argc, char** argv) {
  auto settings = touyan::Settings::FromArgs(argc, argv);
  if (!settings.ok()) Die(std::string(settings.status().message()));
  const auto& s = *settings;
  if (absl::Status tls = touyan::ctl::ConfigureClientTls(s); !tls.ok())
    Die(std::string(tls.message()));
  const std::string token = s.String("token", "");
  const int n = *s.Int("entries", 4247, 2, 100000);
  const int judges = *s.Int("judges", 7, 1, 50);
  const int seed = *s.Int("seed", 1, 0, 1000000);
  const std::string csv_path = s.String("scores-csv", "/tmp/contest-scores.csv");
  std::ifstream regions_in(s.String("regions", "data/ulanqab_regions.csv"));
  auto regions = touyan::ctl::ReadRegions(regions_in);
  if (!regions.ok() || token.empty()) Die("needs --token and a readable --regions file");
  std::vector<std::string> villages;
  for (const auto& r : *regions) {
    if (r.level() == pv1::REGION_LEVEL_VILLAGE) villages.push_back(r.code());
  }
  auto personnel = pv1::PersonnelService::NewStub(touyan::ctl::Connect(s.String("personnel", "")));
  auto contest = cv1::ContestService::NewStub(touyan::ctl::Connect(s.String("contest", "")));
  Caller c(token);
  const auto t_setup = Clock::now();

  // Secretaries: n cadres, each made secretary of an organisation of their own.
  std::vector<pv1::Cadre> people = touyan::ctl::GenerateCadres(seed, 30000000, n, villages);
  if (auto r = touyan::ctl::ImportCadres(*personnel, token, absl::StrCat("b5-import-", seed),
                                         people, 1000);
      !r.ok() || r->rows_imported() != n) {
    Die("importing the entrants failed");
  }
  // Their ids: the listed cadres with the generated resident IDs (the city
  // sees them unmasked), in generation order.
  absl::flat_hash_map<std::string, int> wanted;
  for (int i = 0; i < n; ++i) wanted[people[i].resident_id()] = i;
  std::vector<pv1::Cadre> cadres(n);
  int found = 0;
  pv1::ListCadresRequest list;
  list.set_page_size(1000);
  do {
    auto page = c.Call(*personnel, &pv1::PersonnelService::Stub::ListCadres, list, "ListCadres");
    for (auto& x : *page.mutable_cadres()) {
      if (auto it = wanted.find(x.resident_id()); it != wanted.end()) {
        cadres[it->second] = std::move(x);
        ++found;
      }
    }
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());
  if (found != n) Die(absl::StrCat("found ", found, " of the ", n, " imported cadres"));
  const pv1::PartyOrgKind kinds[] = {
      pv1::PARTY_ORG_KIND_AGENCY, pv1::PARTY_ORG_KIND_ENTERPRISE, pv1::PARTY_ORG_KIND_SCHOOL,
      pv1::PARTY_ORG_KIND_PUBLIC_INSTITUTION, pv1::PARTY_ORG_KIND_OTHER};
  for (int i = 0; i < n; ++i) {
    pv1::CreatePartyOrgRequest org;
    org.set_request_id(absl::StrCat("b5-org-", seed, "-", i));
    org.mutable_party_org()->set_name(absl::StrCat("比武单位", i, "党支部"));
    org.mutable_party_org()->set_kind(kinds[i % 5]);
    org.mutable_party_org()->set_region_code(cadres[i].region_code());
    auto made =
        c.Call(*personnel, &pv1::PersonnelService::Stub::CreatePartyOrg, org, "CreatePartyOrg");
    pv1::CreatePositionRequest pos;
    pos.set_request_id(absl::StrCat("b5-pos-", seed, "-", i));
    pos.mutable_position()->set_cadre_id(cadres[i].id());
    pos.mutable_position()->set_party_org_id(made.id());
    pos.mutable_position()->set_kind(pv1::POSITION_KIND_BRANCH_SECRETARY);
    pos.mutable_position()->mutable_term_start()->set_year(2021);
    pos.mutable_position()->mutable_term_start()->set_month(1);
    pos.mutable_position()->mutable_term_start()->set_day(15);
    c.Call(*personnel, &pv1::PersonnelService::Stub::CreatePosition, pos, "CreatePosition");
  }

  // The city round: entries on one panel, the judges, JUDGING.
  cv1::CreateContestRequest cc;
  cc.set_request_id(absl::StrCat("b5-contest-", seed));
  cc.mutable_contest()->set_level(cv1::LEVEL_CITY);
  cc.mutable_contest()->set_region_code("150900000000");
  cc.mutable_contest()->set_year(2023);
  cc.mutable_contest()->set_title("全市村党组织书记擂台比武");
  for (auto f : {cv1::FIELD_AGENCY, cv1::FIELD_ENTERPRISE, cv1::FIELD_SCHOOL,
                 cv1::FIELD_PUBLIC_INSTITUTION, cv1::FIELD_OTHER}) {
    cc.mutable_contest()->add_fields(f);
  }
  auto contest_made =
      c.Call(*contest, &cv1::ContestService::Stub::CreateContest, cc, "CreateContest");
  cv1::CreateRoundRequest cr;
  cr.set_request_id(absl::StrCat("b5-round-", seed));
  cr.mutable_round()->set_contest_id(contest_made.id());
  cr.mutable_round()->set_name("市级决赛");
  cr.mutable_round()->set_aggregation(cv1::AGGREGATION_TRIMMED_MEAN);
  auto* band = cr.mutable_round()->add_star_bands();
  band->set_stars(5);
  band->set_top_share(0.1);
  const cv1::Round round =
      c.Call(*contest, &cv1::ContestService::Stub::CreateRound, cr, "CreateRound");
  auto advance = [&](cv1::RoundState to) {
    cv1::AdvanceRoundRequest a;
    a.set_request_id(absl::StrCat("b5-adv-", seed, "-", to));
    a.set_id(round.id());
    a.set_to(to);
    return c.Call(*contest, &cv1::ContestService::Stub::AdvanceRound, a, "AdvanceRound");
  };
  advance(cv1::ROUND_STATE_OPEN);
  std::vector<cv1::Entry> entries;
  for (int i = 0; i < n; ++i) {
    cv1::CreateEntryRequest e;
    e.set_request_id(absl::StrCat("b5-entry-", seed, "-", i));
    e.mutable_entry()->set_round_id(round.id());
    e.mutable_entry()->set_cadre_id(cadres[i].id());
    e.mutable_entry()->mutable_report()->set_title("述职报告");
    entries.push_back(c.Call(*contest, &cv1::ContestService::Stub::CreateEntry, e, "CreateEntry"));
    cv1::AssignPanelRequest p;
    p.set_request_id(absl::StrCat("b5-panel-", seed, "-", i));
    p.set_entry_id(entries.back().id());
    p.set_panel("A");
    c.Call(*contest, &cv1::ContestService::Stub::AssignPanel, p, "AssignPanel");
  }
  std::vector<cv1::Judge> panel;
  for (int j = 0; j < judges; ++j) {
    cv1::AddJudgeRequest a;
    a.set_request_id(absl::StrCat("b5-judge-", seed, "-", j));
    a.mutable_judge()->set_round_id(round.id());
    a.mutable_judge()->set_name(absl::StrCat("评委", j + 1));
    a.mutable_judge()->set_panel("A");
    panel.push_back(c.Call(*contest, &cv1::ContestService::Stub::AddJudge, a, "AddJudge"));
  }
  advance(cv1::ROUND_STATE_JUDGING);
  const auto t_scores = Clock::now();

  // Scores: deterministic, one decimal, in [40, 100].
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> tenth(400, 1000);
  touyan::contest::TabulationInput expected;
  expected.aggregation = cv1::AGGREGATION_TRIMMED_MEAN;
  expected.rubric.assign(round.rubric().begin(), round.rubric().end());
  expected.star_bands.assign(round.star_bands().begin(), round.star_bands().end());
  std::vector<cv1::Score> scores;
  std::ofstream csv(csv_path);
  csv << "judge_id,entry_id,dimension,value\n";
  for (const auto& e : entries) {
    const size_t entry_at = expected.entries.size();
    expected.entries.push_back({e.id(), e.cadre_id(), e.cadre_name()});
    for (size_t ji = 0; ji < panel.size(); ++ji) {
      const cv1::Judge& j = panel[ji];
      for (size_t di = 0; di < static_cast<size_t>(round.rubric_size()); ++di) {
        const cv1::Dimension& d = round.rubric(static_cast<int>(di));
        cv1::Score sc;
        sc.set_judge_id(j.id());
        sc.set_entry_id(e.id());
        sc.set_dimension(d.key());
        sc.set_value(tenth(rng) / 10.0);
        csv << j.id() << ',' << e.id() << ',' << d.key() << ',' << sc.value() << '\n';
        expected.scores.push_back({static_cast<int64_t>(ji), entry_at, di, sc.value()});
        scores.push_back(std::move(sc));
      }
    }
  }
  csv.close();

  // Timed: the batch, then closing.
  const auto t0 = Clock::now();
  {
    grpc::ClientContext ctx;
    touyan::ctl::Authorize(ctx, token);
    cv1::SubmitScoresResponse resp;
    auto writer = contest->SubmitScores(&ctx, &resp);
    for (size_t i = 0; i < scores.size(); i += 1000) {
      cv1::SubmitScoresRequest m;
      if (i == 0) {
        m.set_request_id(absl::StrCat("b5-scores-", seed));
        m.set_round_id(round.id());
      }
      for (size_t k = i; k < std::min(scores.size(), i + 1000); ++k) *m.add_scores() = scores[k];
      if (!writer->Write(m)) break;
    }
    writer->WritesDone();
    grpc::Status st = writer->Finish();
    if (!st.ok()) Die("SubmitScores", st);
    if (resp.scores_stored() != static_cast<int64_t>(scores.size()))
      Die("not every score was stored");
  }
  const auto t1 = Clock::now();
  const cv1::Round closed = advance(cv1::ROUND_STATE_CLOSED);
  const auto t2 = Clock::now();

  // Correct: the service's ranking and digest are the tabulation's.
  std::vector<cv1::EntryResult> mine = touyan::contest::Tabulate(expected);
  cv1::GetResultsRequest gr;
  gr.set_round_id(round.id());
  const auto t3 = Clock::now();
  cv1::Results got = c.Call(*contest, &cv1::ContestService::Stub::GetResults, gr, "GetResults");
  const auto t4 = Clock::now();
  bool ok = got.entries_size() == static_cast<int>(mine.size()) &&
            closed.results_digest() == touyan::contest::Digest(mine) &&
            got.digest() == closed.results_digest();
  for (int i = 0; ok && i < got.entries_size(); ++i) {
    ok = got.entries(i).entry_id() == mine[i].entry_id() && got.entries(i).rank() == mine[i].rank();
  }
  std::printf(
      "entries=%d scores=%zu setup_s=%.2f ingest_s=%.3f close_s=%.3f results_s=%.3f ranked_ok=%d\n",
      n, scores.size(), Seconds(t_setup, t_scores), Seconds(t0, t1), Seconds(t1, t2),
      Seconds(t3, t4), ok ? 1 : 0);
  return ok ? 0 : 1;
}
