// The Ulanqab 2023 scenario: the arena contests, township to city.
#include "tools/touyanctl/scenario/ulanqab.h"

namespace touyan::ctl::scenario::u23 {

// ----------------------------------------------------------------- contest

std::string Ulanqab::NewRound(const std::string& key, cv1::Level level, const std::string& region,
                              const std::string& title, const std::string& round_name,
                              int advance_n, double advance_share) {
  cv1::CreateContestRequest cc;
  cc.set_request_id(Rid("contest", key));
  auto* c = cc.mutable_contest();
  c->set_level(level);
  c->set_region_code(region);
  c->set_year(kYear);
  c->set_title(title);
  for (int f = cv1::FIELD_VILLAGE; f <= cv1::FIELD_OTHER; ++f)
    c->add_fields(static_cast<cv1::Field>(f));
  auto contest =
      s_.Call(s_.contest(), &cv1::ContestService::Stub::CreateContest, cc, *city_, "CreateContest");
  cv1::CreateRoundRequest cr;
  cr.set_request_id(Rid("round", key));
  auto* r = cr.mutable_round();
  r->set_contest_id(contest.id());
  r->set_name(round_name);
  r->set_aggregation(cv1::AGGREGATION_TRIMMED_MEAN);
  if (advance_n > 0) r->set_advance_top_n(advance_n);
  if (advance_share > 0) r->set_advance_top_share(advance_share);
  const std::pair<int, double> bands[] = {{5, 0.1}, {4, 0.3}, {3, 0.6}, {2, 0.9}, {1, 1.0}};
  for (auto [stars, share] : bands) {
    auto* b = r->add_star_bands();
    b->set_stars(stars);
    b->set_top_share(share);
  }
  auto round =
      s_.Call(s_.contest(), &cv1::ContestService::Stub::CreateRound, cr, *city_, "CreateRound");
  AdvanceRound(s_, round.id(), cv1::ROUND_STATE_OPEN, *city_, Rid("judge", round.id()));
  return round.id();
}

cv1::Results Ulanqab::Judge(const std::string& round, const std::string& round_name, int judges) {
  JudgeAndPublish(
      s_, round, judges, *city_, Rid("judge", round),
      [&](const cv1::Entry& e, int j, const cv1::Dimension& d) {
        const double noise =
            static_cast<double>(Pick(
                absl::StrCat(e.cadre_id(), "/", round_name, "/", j, "/", d.key()), 101, o_.seed)) /
                10.0 -
            5;
        return std::round(std::clamp(Quality(e.cadre_id()) + noise, 0.0, d.max()) * 10) / 10;
      });
  cv1::GetResultsRequest gr;
  gr.set_round_id(round);
  return s_.Call(s_.contest(), &cv1::ContestService::Stub::GetResults, gr, *city_, "GetResults");
}

void Ulanqab::Promote(const std::string& from, const std::string& to) {
  cv1::PromoteAdvancersRequest pa;
  pa.set_request_id(Rid("promote", absl::StrCat(from, "-", to)));
  pa.set_from_round_id(from);
  pa.set_to_round_id(to);
  auto got = s_.Call(s_.contest(), &cv1::ContestService::Stub::PromoteAdvancers, pa, *city_,
                     "PromoteAdvancers");
  for (const auto& e : got.entries()) {
    cv1::AssignPanelRequest ap;
    ap.set_request_id(Rid("panel", e.id()));
    ap.set_entry_id(e.id());
    ap.set_panel("A");
    s_.Call(s_.contest(), &cv1::ContestService::Stub::AssignPanel, ap, *city_, "AssignPanel");
  }
}

void Ulanqab::Contests() {
  // Township preliminaries: every secretary of the township takes the stage.
  std::vector<RoundRun> prelims(townships_.size());
  Progress p("contest: township preliminaries (初赛)", static_cast<int64_t>(townships_.size()));
  ParallelFor(static_cast<int64_t>(townships_.size()), std::min(o_.threads, 6), &p, [&](int64_t i) {
    const std::string& tw = townships_[i];
    RoundRun& run = prelims[i];
    run.id = NewRound(tw, cv1::LEVEL_TOWNSHIP, tw,
                      absl::StrCat(names_[tw], "基层党组织书记“擂台比武”"), "苏木乡镇初赛", 0, 0.3);
    cv1::EnterSecretariesRequest es;
    es.set_request_id(Rid("enter", tw));
    es.set_round_id(run.id);
    es.set_panel("A");
    s_.Call(s_.contest(), &cv1::ContestService::Stub::EnterSecretaries, es, *city_,
            "EnterSecretaries");
    run.results = Judge(run.id, "township", 5);
  });
  p.Done();
  for (const auto& r : prelims) {
    for (const auto& e : r.results.entries())
      prelim_rank_[e.cadre_id()] = {e.rank(), r.results.entries_size()};
  }
  // Good-secretary quotas by county, in proportion to its villages.
  std::vector<int64_t> weights;
  for (const auto& c : counties_) {
    int64_t n = 0;
    for (size_t v = 0; v < villages_; ++v) n += orgs_[v].county == c ? 1 : 0;
    weights.push_back(n);
  }
  quotas_ = Apportion(want_.good_secretaries, weights);
  // County finals: the township's top 30 % advance.
  finals_.resize(counties_.size());
  Progress q("contest: county finals (旗县决赛)", static_cast<int64_t>(counties_.size()));
  ParallelFor(static_cast<int64_t>(counties_.size()), std::min(o_.threads, 6), &q, [&](int64_t ci) {
    const std::string& county = counties_[ci];
    RoundRun& run = finals_[ci];
    run.id = NewRound(county, cv1::LEVEL_COUNTY, county,
                      absl::StrCat(names_[county], "村党组织书记抓党建促乡村振兴“擂台比武”"),
                      "旗县决赛", static_cast<int>(std::max<int64_t>(3, quotas_[ci] / 2)), 0);
    for (size_t i = 0; i < townships_.size(); ++i) {
      if (CountyOf(townships_[i]) == county) Promote(prelims[i].id, run.id);
    }
    run.results = Judge(run.id, "county", 7);
  });
  q.Done();
  // The city round: each county's best.
  Progress c("contest: city round, outcomes", 1);
  const std::string city_round = NewRound("city", cv1::LEVEL_CITY, kCity,
                                          "全市嘎查村党组织书记“擂台比武”", "市级擂台赛", 0, 0);
  for (const auto& f : finals_) Promote(f.id, city_round);
  const cv1::Results city = Judge(city_round, "city", 9);
  // The outcomes, converted by the contest itself: demonstration sites and
  // strongest branches from the whole city round; model villages
  // (乡村振兴精品示范村) among its villages (嘎查村) only. Each gets support
  // (加大项目、资金等支持力度) in the same conversion: the amounts are the
  // scenario's (the source gives none) — a project of 500,000 yuan for a
  // model village, 200,000 yuan of funds for every one.
  cv1::ConvertOutcomesRequest co;
  co.set_request_id(Rid("outcomes", "city"));
  co.set_round_id(city_round);
  const std::tuple<cv1::OutcomeKind, int64_t, bool> top[] = {
      {cv1::OUTCOME_KIND_DEMONSTRATION_SITE, Scaled(20), false},
      {cv1::OUTCOME_KIND_STRONGEST_BRANCH, Scaled(10), false},
      {cv1::OUTCOME_KIND_MODEL_VILLAGE, Scaled(15), true}};
  for (auto [kind, n, villages_only] : top) {
    auto* r = co.add_rules();
    r->set_kind(kind);
    r->set_n(static_cast<int>(n));
    if (villages_only) r->add_fields(cv1::FIELD_VILLAGE);
    auto* funds = r->add_support();
    funds->set_kind(pv1::SUPPORT_KIND_FUNDS);
    funds->set_amount_fen(20'000'000);
    funds->set_title("党建示范创建经费");
    *funds->mutable_granted_on() = D(2023, 11, 30);
    if (kind == cv1::OUTCOME_KIND_MODEL_VILLAGE) {
      auto* project = r->add_support();
      project->set_kind(pv1::SUPPORT_KIND_PROJECT);
      project->set_amount_fen(50'000'000);
      project->set_title("乡村振兴精品示范村产业项目");
      *project->mutable_granted_on() = D(2023, 11, 30);
    }
  }
  s_.Call(s_.contest(), &cv1::ContestService::Stub::ConvertOutcomes, co, *city_, "ConvertOutcomes");
  c.Done();
  // The last village of each larger township's preliminary: a rectification
  // target (软弱涣散), with an instructor sent (派员指导) in the same conversion.
  Progress r("contest: rectification targets", static_cast<int64_t>(prelims.size()));
  ParallelFor(static_cast<int64_t>(prelims.size()), o_.threads, &r, [&](int64_t i) {
    if (prelims[i].results.entries_size() < 25) return;
    cv1::ConvertOutcomesRequest rc;
    rc.set_request_id(Rid("outcomes", prelims[i].id));
    rc.set_round_id(prelims[i].id);
    auto* rule = rc.add_rules();
    rule->set_kind(cv1::OUTCOME_KIND_RECTIFICATION_TARGET);
    rule->set_n(1);
    rule->add_fields(cv1::FIELD_VILLAGE);
    rule->set_instructor("旗县委组织部派驻指导员");
    *rule->mutable_rectification_deadline() = D(2023, 12, 31);
    s_.Call(s_.contest(), &cv1::ContestService::Stub::ConvertOutcomes, rc,
            s_.Token(auth::Role::kCountyOperator, CountyOf(townships_[i])), "ConvertOutcomes");
  });
  r.Done();
}

}  // namespace touyan::ctl::scenario::u23
