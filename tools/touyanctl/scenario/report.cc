#include "tools/touyanctl/scenario/report.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/time/date.h"
#include "tools/touyanctl/generic.h"

namespace touyan::ctl::scenario {
namespace {

// A request for `city`, and `year` where the request has one.
template <typename Req>
Req For(const std::string& city, int year) {
  Req r;
  r.set_region_code(city);
  if constexpr (requires { r.set_year(year); }) r.set_year(year);
  return r;
}

// How many items a list has, as "1,234".
template <typename T>
std::string CountOf(const std::vector<T>& items) {
  return Grouped(static_cast<int64_t>(items.size()));
}

std::string Yuan(int64_t fen) { return absl::StrCat(Grouped(fen / 100), " 元"); }

class Builder {
 public:
  explicit Builder(Report& r) : r_(r) {}
  void Section(std::string s) { section_ = std::move(s); }
  // A figure the source reports: compared.
  void Exact(const std::string& figure, int64_t source, int64_t got) {
    r_.rows.push_back({section_, figure, Grouped(source), Grouped(got), true, source == got});
  }
  void AtLeast(const std::string& figure, int64_t source, int64_t got) {
    r_.rows.push_back({section_, figure, Grouped(source) + "+", Grouped(got), true, got >= source});
  }
  // A figure the run produced that the source does not give.
  void Info(const std::string& figure, const std::string& got) {
    r_.rows.push_back({section_, figure, "—", got, false, true});
  }
  void Check(const std::string& figure, const std::string& source, const std::string& got,
             bool ok) {
    r_.rows.push_back({section_, figure, source, got, true, ok});
  }

 private:
  Report& r_;
  std::string section_;
};

const char* KindName(pv1::PartyOrgKind k) {
  switch (k) {
    case pv1::PARTY_ORG_KIND_VILLAGE:
      return "嘎查村";
    case pv1::PARTY_ORG_KIND_COMMUNITY:
      return "社区";
    case pv1::PARTY_ORG_KIND_AGENCY:
      return "机关";
    case pv1::PARTY_ORG_KIND_ENTERPRISE:
      return "企业";
    case pv1::PARTY_ORG_KIND_SCHOOL:
      return "学校";
    case pv1::PARTY_ORG_KIND_PUBLIC_INSTITUTION:
      return "事业单位";
    default:
      return "其他";
  }
}

int Width(const std::string& s) {
  int w = 0;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    int len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    w += len >= 3 ? 2 : 1;  // CJK and the like take two columns
    i += len;
  }
  return w;
}

std::string Pad(const std::string& s, int w, bool right = false) {
  std::string fill(std::max(0, w - Width(s)), ' ');
  return right ? fill + s : s + fill;
}

std::string Csv(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

bool Report::ok() const {
  for (const auto& r : rows) {
    if (!r.ok) return false;
  }
  return true;
}

Report BuildReport(Session& s, const std::string& city, int year, const std::string& theme,
                   const Expected& want) {
  Report report;
  Builder b(report);
  const std::string& token =
      s.Token(auth::Role::kAuditor, city);  // an auditor reads everything, writes nothing
  std::map<std::string, CountyRow> counties;

  // ---- personnel
  b.Section("组织与人员 personnel");
  pv1::ListRegionsRequest lr;
  lr.set_parent_code(city);
  for (const auto& c : s.All(s.personnel(), &pv1::PersonnelService::Stub::ListRegions, lr,
                             &pv1::ListRegionsResponse::regions, token, "ListRegions")) {
    counties[c.county_code()].code = c.county_code();
    counties[c.county_code()].name = c.name();
  }
  auto ls = For<pv1::ListSecretariesRequest>(city, year);
  auto secretaries = s.All(s.personnel(), &pv1::PersonnelService::Stub::ListSecretaries, ls,
                           &pv1::ListSecretariesResponse::secretaries, token, "ListSecretaries");
  std::map<int, int64_t> by_kind;
  for (const auto& x : secretaries) {
    ++by_kind[x.party_org_kind()];
    ++counties[x.county_code()].secretaries;
  }
  b.Exact("基层党组织书记 (all fields)", want.secretaries,
          static_cast<int64_t>(secretaries.size()));
  for (const auto& [kind, n] : by_kind) {
    b.Info(absl::StrCat("  of which ", KindName(static_cast<pv1::PartyOrgKind>(kind))), Grouped(n));
  }
  auto sc = For<pv1::SeedCoverageRequest>(city, year);
  sc.set_min_seeds(2);
  sc.set_page_size(1000);
  auto coverage =
      s.Call(s.personnel(), &pv1::PersonnelService::Stub::SeedCoverage, sc, token, "SeedCoverage");
  // The counties the programme ran in: those with secretaries.
  int64_t villages = 0, seeded = 0;
  for (const auto& c : coverage.counties()) {
    CountyRow& row = counties[c.region_code().substr(0, 6)];
    row.villages_below_seed_target = c.villages_below();
    if (row.secretaries == 0) continue;
    villages += c.villages();
    seeded += c.villages() - c.villages_below();
  }
  b.Exact("villages (嘎查村 and communities)", want.villages, villages);
  b.Exact("  with ≥ 2 approved reserve seeds (种子计划)", want.villages, seeded);
  auto seeds = For<pv1::ListSeedsRequest>(city, year);
  seeds.set_stage(pv1::SEED_STAGE_APPROVED);
  b.Info("approved reserve seeds",
         CountOf(s.All(s.personnel(), &pv1::PersonnelService::Stub::ListSeeds, seeds,
                       &pv1::ListSeedsResponse::seeds, token, "ListSeeds")));
  auto lg = For<pv1::ListGoodSecretariesRequest>(city, year);
  lg.set_status(pv1::NOMINATION_STATUS_CONFIRMED);
  auto good = s.All(s.personnel(), &pv1::PersonnelService::Stub::ListGoodSecretaries, lg,
                    &pv1::ListGoodSecretariesResponse::nominations, token, "ListGoodSecretaries");
  for (const auto& n : good) ++counties[n.county_code()].good;
  b.Exact("乡村振兴担当作为好支书 confirmed", want.good_secretaries,
          static_cast<int64_t>(good.size()));
  pv1::GetSelectionRoundRequest gr;
  gr.set_id(absl::StrCat(city.substr(0, 4), "00-", year));
  auto round = s.Call(s.personnel(), &pv1::PersonnelService::Stub::GetSelectionRound, gr, token,
                      "GetSelectionRound");
  bool within = true;
  for (const auto& q : round.quotas()) {
    counties[q.county_code()].quota = q.quota();
    within = within && counties[q.county_code()].good <= q.quota();
  }
  b.Check("  every county within its quota", "yes", within ? "yes" : "no", within);
  auto ca = For<pv1::CountAdjustmentsRequest>(city, year);
  auto adjusted = s.Call(s.personnel(), &pv1::PersonnelService::Stub::CountAdjustments, ca, token,
                         "CountAdjustments");
  for (const auto& c : adjusted.counties()) counties[c.county_code()].adjusted = c.adjustments();
  b.Exact("secretaries adjusted during the year (动态调整)", want.adjusted, adjusted.total());

  // ---- training
  b.Section("培训 training");
  auto gs = For<tv1::GetStatisticsRequest>(city, year);
  auto stats =
      s.Call(s.training(), &tv1::TrainingService::Stub::GetStatistics, gs, token, "GetStatistics");
  auto row = [&](tv1::Tier tier, tv1::TraineeKind kind) {
    for (const auto& r : stats.rows()) {
      if (r.tier() == tier && r.county_code().empty() && r.trainee_kind() == kind) return r;
    }
    return tv1::StatisticsRow();
  };
  const auto city_all = row(tv1::TIER_CITY, tv1::TRAINEE_KIND_UNSPECIFIED);
  b.Exact("city demonstration classes (市级专题示范培训班)", want.city_classes, city_all.classes());
  b.Exact("  village secretaries trained in them", want.city_trainees,
          row(tv1::TIER_CITY, tv1::TRAINEE_KIND_VILLAGE_SECRETARY).trainees());
  const auto county_all = row(tv1::TIER_COUNTY, tv1::TRAINEE_KIND_UNSPECIFIED);
  b.Exact("county classes (旗县专题培训期次)", want.county_classes, county_all.classes());
  b.AtLeast("  trainees: village cadres, work-team cadres, farmers and herders",
            want.county_trainees, county_all.trainees());
  const std::pair<tv1::TraineeKind, const char*> kinds[] = {
      {tv1::TRAINEE_KIND_VILLAGE_SECRETARY, "    village secretaries"},
      {tv1::TRAINEE_KIND_VILLAGE_CADRE, "    village cadres"},
      {tv1::TRAINEE_KIND_WORK_TEAM_CADRE, "    work-team cadres (驻村干部)"},
      {tv1::TRAINEE_KIND_FARMER_HERDER, "    farmers and herders (农牧民)"}};
  for (const auto& [kind, name] : kinds)
    b.Info(name, Grouped(row(tv1::TIER_COUNTY, kind).trainees()));
  const auto township_all = row(tv1::TIER_TOWNSHIP, tv1::TRAINEE_KIND_UNSPECIFIED);
  b.Info("township catch-up classes (兜底轮训)",
         absl::StrCat(Grouped(township_all.classes()), " classes, ",
                      Grouped(township_all.trainees()), " secretaries"));
  auto gc = For<tv1::GetCoverageRequest>(city, year);
  gc.set_theme(theme);
  auto cov =
      s.Call(s.training(), &tv1::TrainingService::Stub::GetCoverage, gc, token, "GetCoverage");
  for (const auto& c : cov.counties()) {
    counties[c.region_code().substr(0, 6)].coverage =
        c.secretaries() ? static_cast<double>(c.covered()) / c.secretaries() : 1;
  }
  b.Check(absl::StrCat("village secretaries trained on ", theme, " (coverage)"), "100%",
          absl::StrFormat("%.1f%% (%s of %s)", cov.rate() * 100, Grouped(cov.covered()),
                          Grouped(cov.secretaries())),
          cov.missing() == 0 && cov.secretaries() > 0);
  auto fv = For<tv1::ListFieldVisitsRequest>(city, year);
  auto visits = s.All(s.training(), &tv1::TrainingService::Stub::ListFieldVisits, fv,
                      &tv1::ListFieldVisitsResponse::field_visits, token, "ListFieldVisits");
  int64_t visitors = 0;
  bool march_to_houqi = false;
  for (const auto& v : visits) {
    visitors += v.participant_cadre_ids_size();
    march_to_houqi = march_to_houqi ||
                     (v.destination_region_code() == "150928000000" && v.visit_date().month() == 3);
  }
  b.Check("March field visit to 察右后旗 (现场观摩)", "yes",
          absl::StrCat(march_to_houqi ? "yes" : "no", ": ", visits.size(), " visit(s), ",
                       Grouped(visitors), " secretaries"),
          march_to_houqi);
  auto ev = For<tv1::ListExpertVisitsRequest>(city, year);
  b.Info("expert visits (专家、科技特派员进村)",
         CountOf(s.All(s.training(), &tv1::TrainingService::Stub::ListExpertVisits, ev,
                       &tv1::ListExpertVisitsResponse::expert_visits, token, "ListExpertVisits")));
  auto pt = For<tv1::ListPracticeTasksRequest>(city, year);
  pt.set_status(tv1::TASK_STATUS_PUBLISHED);
  auto tasks = s.All(s.training(), &tv1::TrainingService::Stub::ListPracticeTasks, pt,
                     &tv1::ListPracticeTasksResponse::tasks, token, "ListPracticeTasks");
  int64_t quotas = 0;
  for (const auto& t : tasks) quotas += t.quotas_size();
  b.Info("practice tasks on the public board (任务公示)",
         absl::StrCat(tasks.size(), " tasks, ", Grouped(quotas), " village quotas"));

  // ---- contest
  b.Section("擂台比武 contest");
  auto lc = For<cv1::ListContestsRequest>(city, year);
  std::map<int, int64_t> contests;
  for (const auto& c : s.All(s.contest(), &cv1::ContestService::Stub::ListContests, lc,
                             &cv1::ListContestsResponse::contests, token, "ListContests")) {
    ++contests[c.level()];
  }
  b.Info("contests: township preliminaries / county finals / city",
         absl::StrCat(contests[cv1::LEVEL_TOWNSHIP], " / ", contests[cv1::LEVEL_COUNTY], " / ",
                      contests[cv1::LEVEL_CITY]));
  // Everyone who ever held a post: their best published result of the year.
  auto lcad = For<pv1::ListCadresRequest>(city, year);
  std::vector<std::string> ids;
  for (const auto& c : s.All(s.personnel(), &pv1::PersonnelService::Stub::ListCadres, lcad,
                             &pv1::ListCadresResponse::cadres, token, "ListCadres")) {
    ids.push_back(c.id());
  }
  std::map<int, int64_t> reached, stars;
  int64_t entrants = 0;
  for (size_t i = 0; i < ids.size(); i += 1000) {
    cv1::BatchGetCadreResultsRequest bg;
    bg.set_year(year);
    for (size_t k = i; k < std::min(ids.size(), i + 1000); ++k) bg.add_cadre_ids(ids[k]);
    auto got = s.Call(s.contest(), &cv1::ContestService::Stub::BatchGetCadreResults, bg, token,
                      "BatchGetCadreResults");
    for (const auto& r : got.results()) {
      ++entrants;
      ++reached[r.level()];
      ++stars[r.stars()];
    }
  }
  b.Exact("secretaries who took the stage, ranked in published rounds (登台述职)", want.secretaries,
          entrants);
  b.Info("  reached the county finals",
         Grouped(reached[cv1::LEVEL_COUNTY] + reached[cv1::LEVEL_CITY]));
  b.Info("  reached the city round", Grouped(reached[cv1::LEVEL_CITY]));
  std::string star_line;
  for (int k = 5; k >= 0; --k)
    absl::StrAppend(&star_line, k == 5 ? "" : " ", k, "★", Grouped(stars[k]));
  b.Info("  stars at the highest round reached", star_line);
  // Outcomes as designations of the organisations in personnel.
  auto ld = For<pv1::ListDesignationsRequest>(city, year);
  std::map<int, int64_t> outcomes;
  for (const auto& d :
       s.All(s.personnel(), &pv1::PersonnelService::Stub::ListDesignations, ld,
             &pv1::ListDesignationsResponse::designations, token, "ListDesignations")) {
    ++outcomes[d.kind()];
  }
  b.Info("outcomes: demonstration sites / model villages / strongest branches",
         absl::StrCat(outcomes[pv1::DESIGNATION_KIND_DEMONSTRATION_SITE], " / ",
                      outcomes[pv1::DESIGNATION_KIND_MODEL_VILLAGE], " / ",
                      outcomes[pv1::DESIGNATION_KIND_STRONGEST_BRANCH]));
  b.Info("  rectification targets (软弱涣散整顿对象)",
         Grouped(outcomes[pv1::DESIGNATION_KIND_RECTIFICATION_TARGET]));
  // The support granted to the top (项目、资金), from the ledger per village.
  auto lsup = For<pv1::ListSupportRequest>(city, year);
  std::set<std::string> supported;
  int64_t projects = 0, project_fen = 0, funds_fen = 0;
  for (const auto& e : s.All(s.personnel(), &pv1::PersonnelService::Stub::ListSupport, lsup,
                             &pv1::ListSupportResponse::entries, token, "ListSupport")) {
    supported.insert(e.designation_id());
    if (e.kind() == pv1::SUPPORT_KIND_PROJECT) {
      ++projects;
      project_fen += e.amount_fen();
    } else {
      funds_fen += e.amount_fen();
    }
  }
  b.Exact("  → commendations with support recorded (项目、资金)",
          outcomes[pv1::DESIGNATION_KIND_DEMONSTRATION_SITE] +
              outcomes[pv1::DESIGNATION_KIND_MODEL_VILLAGE] +
              outcomes[pv1::DESIGNATION_KIND_STRONGEST_BRANCH],
          static_cast<int64_t>(supported.size()));
  b.Info("  → support: projects / project investment / funds",
         absl::StrCat(projects, " / ", Yuan(project_fen), " / ", Yuan(funds_fen)));

  // ---- incentive
  b.Section("考核与激励 incentive");
  auto la = For<iv1::ListAssessmentsRequest>(city, year);
  auto assessments = s.All(s.incentive(), &iv1::IncentiveService::Stub::ListAssessments, la,
                           &iv1::ListAssessmentsResponse::assessments, token, "ListAssessments");
  std::map<int, int64_t> grades;
  for (const auto& a : assessments) {
    ++grades[a.grade()];
    ++counties[a.county_code()].assessed;
  }
  b.Exact("secretaries assessed (差异化考核)", want.secretaries,
          static_cast<int64_t>(assessments.size()));
  b.Info("  优秀 / 称职 / 基本称职 / 不称职",
         absl::StrCat(Grouped(grades[iv1::GRADE_EXCELLENT]), " / ",
                      Grouped(grades[iv1::GRADE_COMPETENT]), " / ",
                      Grouped(grades[iv1::GRADE_BASICALLY_COMPETENT]), " / ",
                      Grouped(grades[iv1::GRADE_INCOMPETENT])));
  // The chain: grades → proposals → decisions → effects.
  auto lpr = For<iv1::ListProposalsRequest>(city, year);
  auto proposals = s.All(s.incentive(), &iv1::IncentiveService::Stub::ListProposals, lpr,
                         &iv1::ListProposalsResponse::proposals, token, "ListProposals");
  std::map<std::pair<int, int>, int64_t> decided;  // (kind, state) → proposals
  int64_t exit_grades = 0, effects = 0;
  for (const auto& x : proposals) {
    ++decided[{x.kind(), x.state()}];
    if (x.kind() == iv1::PROPOSAL_KIND_EXIT_STEP && x.grade() == iv1::GRADE_INCOMPETENT) {
      ++exit_grades;
    }
    effects += x.measure_id().empty() ? 0 : 1;
  }
  auto count = [&](iv1::ProposalKind k, iv1::ProposalState st) { return decided[{k, st}]; };
  const int64_t exit_confirmed = count(iv1::PROPOSAL_KIND_EXIT_STEP, iv1::PROPOSAL_STATE_CONFIRMED);
  b.Exact("  → 不称职 proposed an exit step (supervision + 诫勉谈话 …)",
          grades[iv1::GRADE_INCOMPETENT], exit_grades);
  b.Info(
      "  → proposals: exit steps / eligibilities (优秀)",
      absl::StrCat(Grouped(count(iv1::PROPOSAL_KIND_EXIT_STEP, iv1::PROPOSAL_STATE_PENDING) +
                           exit_confirmed +
                           count(iv1::PROPOSAL_KIND_EXIT_STEP, iv1::PROPOSAL_STATE_REJECTED)),
                   " / ",
                   Grouped(count(iv1::PROPOSAL_KIND_ELIGIBILITY, iv1::PROPOSAL_STATE_PENDING) +
                           count(iv1::PROPOSAL_KIND_ELIGIBILITY, iv1::PROPOSAL_STATE_CONFIRMED) +
                           count(iv1::PROPOSAL_KIND_ELIGIBILITY, iv1::PROPOSAL_STATE_REJECTED))));
  b.Info(
      "  → decisions: exit steps confirmed / rejected; eligibilities confirmed",
      absl::StrCat(Grouped(exit_confirmed), " / ",
                   Grouped(count(iv1::PROPOSAL_KIND_EXIT_STEP, iv1::PROPOSAL_STATE_REJECTED)), "; ",
                   Grouped(count(iv1::PROPOSAL_KIND_ELIGIBILITY, iv1::PROPOSAL_STATE_CONFIRMED))));
  b.Exact("  → confirmed exit steps that opened a case and decided a measure", exit_confirmed,
          effects);
  b.Exact("  → proposals awaiting a decision", 0,
          count(iv1::PROPOSAL_KIND_EXIT_STEP, iv1::PROPOSAL_STATE_PENDING) +
              count(iv1::PROPOSAL_KIND_ELIGIBILITY, iv1::PROPOSAL_STATE_PENDING));
  auto gl = For<iv1::GetLedgerRequest>(city, year);
  auto ledger =
      s.Call(s.incentive(), &iv1::IncentiveService::Stub::GetLedger, gl, token, "GetLedger");
  int64_t awards = 0, to_orgs = 0, to_persons = 0;
  for (const auto& c : ledger.counties()) {
    awards += c.awards();
    to_orgs += c.to_party_orgs();
    to_persons += c.to_persons();
  }
  b.Exact("care awards paid (关爱计划, 1万元 each)", want.good_secretaries, awards);
  b.Info("  to the village Party organisation (secretary on an establishment) / to the person",
         absl::StrCat(to_orgs, " / ", to_persons));
  b.Check("  paid in all", Yuan(want.good_secretaries * want.award_fen), Yuan(ledger.total_fen()),
          ledger.total_fen() == want.good_secretaries * want.award_fen);
  auto pr = For<iv1::PromotionReportRequest>(city, year);
  auto promotions = s.Call(s.incentive(), &iv1::IncentiveService::Stub::PromotionReport, pr, token,
                           "PromotionReport");
  std::map<int, int64_t> channel;
  for (const auto& c : promotions.totals()) channel[c.channel()] = c.promotions();
  b.Exact("promoted to township leadership (苏木乡镇副职)", want.deputies,
          channel[iv1::CHANNEL_TOWNSHIP_DEPUTY]);
  b.Exact("recruited as township civil servants (定向招录公务员)", want.civil_servants,
          channel[iv1::CHANNEL_CIVIL_SERVICE]);
  b.Exact("recruited to public-institution posts (专项招聘事业编制)", want.institution_staff,
          channel[iv1::CHANNEL_PUBLIC_INSTITUTION]);
  // The chain: promotions end village posts; the reserve fills them.
  auto lp = For<iv1::ListPromotionsRequest>(city, year);
  auto promoted = s.All(s.incentive(), &iv1::IncentiveService::Stub::ListPromotions, lp,
                        &iv1::ListPromotionsResponse::promotions, token, "ListPromotions");
  int64_t posts_ended = 0;
  for (const auto& x : promoted) posts_ended += x.position_id().empty() ? 0 : 1;
  const int64_t all_promoted = want.deputies + want.civil_servants + want.institution_staff;
  b.Exact("  → village posts they left (ended: PROMOTION)", all_promoted, posts_ended);
  auto appointed = For<pv1::ListSeedsRequest>(city, year);
  appointed.set_stage(pv1::SEED_STAGE_APPOINTED);
  b.Exact("successors appointed from the reserve (种子), for the adjusted and the promoted",
          want.adjusted + all_promoted,
          static_cast<int64_t>(s.All(s.personnel(), &pv1::PersonnelService::Stub::ListSeeds,
                                     appointed, &pv1::ListSeedsResponse::seeds, token, "ListSeeds")
                                   .size()));
  pv1::ListVacanciesRequest lv;
  lv.set_region_code(city);
  int64_t left_open = 0;
  for (const auto& v : s.All(s.personnel(), &pv1::PersonnelService::Stub::ListVacancies, lv,
                             &pv1::ListVacanciesResponse::vacancies, token, "ListVacancies")) {
    left_open += v.reason() == pv1::POSITION_END_REASON_PROMOTION ? 1 : 0;
  }
  b.Exact("  → villages a promotion left without a secretary", 0, left_open);
  auto lcases = For<iv1::ListCasesRequest>(city, year);
  auto cases = s.All(s.incentive(), &iv1::IncentiveService::Stub::ListCases, lcases,
                     &iv1::ListCasesResponse::cases, token, "ListCases");
  int64_t rectified = 0;
  for (const auto& c : cases) rectified += c.rectified() ? 1 : 0;
  b.Info("supervision cases (状态差、慢作为、不敢担当)",
         absl::StrCat(Grouped(static_cast<int64_t>(cases.size())), ", ", Grouped(rectified),
                      " rectified"));
  auto lm = For<iv1::ListExitMeasuresRequest>(city, year);
  auto measures = s.All(s.incentive(), &iv1::IncentiveService::Stub::ListExitMeasures, lm,
                        &iv1::ListExitMeasuresResponse::measures, token, "ListExitMeasures");
  b.Info("exit-ladder measures (诫勉谈话 …)", CountOf(measures));
  int64_t removed = 0;
  for (const auto& m : measures) {
    removed += m.state() == iv1::MEASURE_STATE_ENFORCED && IsSet(m.enforced_on()) &&
                       m.enforced_on().year() == year
                   ? 1
                   : 0;
  }
  b.Exact("  adjustments carried out through the exit ladder (组织调整 …, enforced)", want.adjusted,
          removed);
  auto lcare = For<iv1::ListCareRequest>(city, year);
  b.Info("care records (谈心谈话、心理疏导、帮扶救助)",
         CountOf(s.All(s.incentive(), &iv1::IncentiveService::Stub::ListCare, lcare,
                       &iv1::ListCareResponse::records, token, "ListCare")));
  auto li = For<iv1::ListInterviewsRequest>(city, year);
  b.Info("media interviews (阳光计划)",
         CountOf(s.All(s.incentive(), &iv1::IncentiveService::Stub::ListInterviews, li,
                       &iv1::ListInterviewsResponse::interviews, token, "ListInterviews")));
  for (auto& [code, c] : counties) {
    if (c.secretaries > 0) report.counties.push_back(c);
  }
  return report;
}

std::vector<std::string> WriteReport(const Report& r, const std::string& title,
                                     const std::string& source_label, const std::string& stem) {
  int w[4] = {0, 0, 0, 0};
  for (const auto& row : r.rows) {
    w[0] = std::max(w[0], Width(row.figure));
    w[1] = std::max(w[1], Width(row.source));
    w[2] = std::max(w[2], Width(row.touyan));
  }
  std::ostream& out = std::cout;
  out << "\n" << title << "\n";
  std::string section;
  for (const auto& row : r.rows) {
    if (row.section != section) {
      section = row.section;
      out << "\n  " << section << "\n  " << Pad("figure", w[0]) << "  "
          << Pad(source_label, w[1], true) << "  " << Pad("Touyan", w[2], true) << "\n";
    }
    out << "  " << Pad(row.figure, w[0]) << "  " << Pad(row.source, w[1], true) << "  "
        << Pad(row.touyan, w[2], true) << (row.checked ? (row.ok ? "  ✓" : "  ✗ differs") : "")
        << "\n";
  }
  out << "\n  " << Pad("county", 14) << Pad("secretaries", 13, true) << Pad("good/quota", 12, true)
      << Pad("adjusted", 10, true) << Pad("assessed", 10, true) << Pad("trained", 9, true)
      << Pad("seedless", 10, true) << "\n";
  for (const auto& c : r.counties) {
    out << "  " << Pad(c.name, 14) << Pad(Grouped(c.secretaries), 13, true)
        << Pad(absl::StrCat(c.good, "/", c.quota), 12, true) << Pad(Grouped(c.adjusted), 10, true)
        << Pad(Grouped(c.assessed), 10, true)
        << Pad(absl::StrFormat("%.0f%%", c.coverage * 100), 9, true)
        << Pad(Grouped(c.villages_below_seed_target), 10, true) << "\n";
  }
  out << "\n" << std::flush;  // before what follows on stderr

  std::vector<std::string> written;
  std::ofstream md(stem + ".md");
  md << "# " << title << "\n\nEvery figure is read back from the services after the run.\n";
  section.clear();
  for (const auto& row : r.rows) {
    if (row.section != section) {
      section = row.section;
      md << "\n## " << section << "\n\n| figure | " << source_label
         << " | Touyan | |\n|---|---:|---:|---|\n";
    }
    md << "| " << row.figure << " | " << row.source << " | " << row.touyan << " | "
       << (row.checked ? (row.ok ? "✓" : "✗ differs") : "") << " |\n";
  }
  md << "\n## counties\n\n| county | secretaries | good secretaries / quota | adjusted | assessed "
        "| trained on the "
        "theme | villages below the seed target |\n|---|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& c : r.counties) {
    md << "| " << c.name << " (" << c.code << ") | " << c.secretaries << " | " << c.good << " / "
       << c.quota << " | " << c.adjusted << " | " << c.assessed << " | "
       << absl::StrFormat("%.1f%%", c.coverage * 100) << " | " << c.villages_below_seed_target
       << " |\n";
  }
  written.push_back(stem + ".md");
  std::ofstream csv(stem + ".csv");
  csv << "section,figure,source_2023,touyan,checked,matches\n";
  for (const auto& row : r.rows) {
    csv << Csv(row.section) << ',' << Csv(row.figure) << ',' << Csv(row.source) << ','
        << Csv(row.touyan) << ',' << (row.checked ? "yes" : "no") << ',' << (row.ok ? "yes" : "no")
        << "\n";
  }
  written.push_back(stem + ".csv");
  std::ofstream cc(stem + "-counties.csv");
  cc << "county_code,county,secretaries,good_secretaries,quota,adjusted,assessed,coverage,villages_"
        "below_seed_target\n";
  for (const auto& c : r.counties) {
    cc << c.code << ',' << Csv(c.name) << ',' << c.secretaries << ',' << c.good << ',' << c.quota
       << ',' << c.adjusted << ',' << c.assessed << ',' << absl::StrFormat("%.4f", c.coverage)
       << ',' << c.villages_below_seed_target << "\n";
  }
  written.push_back(stem + "-counties.csv");
  return written;
}

}  // namespace touyan::ctl::scenario
