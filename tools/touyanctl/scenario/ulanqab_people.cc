// The Ulanqab 2023 scenario: organisations, people, the reserve (seeds) and
// the good secretaries.
#include "tools/touyanctl/scenario/ulanqab.h"

namespace touyan::ctl::scenario::u23 {

// ----------------------------------------------------------- organisations

void Ulanqab::Organisations() {
  // The village and community organisations the region import created.
  Progress p("personnel: village organisations (read)", static_cast<int64_t>(counties_.size()));
  std::map<std::string, Org> by_region;
  for (const auto& county : counties_) {
    pv1::ListPartyOrgsRequest req;
    req.set_region_code(county);
    for (const auto& o : s_.All(s_.personnel(), &pv1::PersonnelService::Stub::ListPartyOrgs, req,
                                &pv1::ListPartyOrgsResponse::party_orgs, *city_, "ListPartyOrgs")) {
      if (o.kind() != pv1::PARTY_ORG_KIND_VILLAGE && o.kind() != pv1::PARTY_ORG_KIND_COMMUNITY)
        continue;
      Org& x = by_region[o.region_code()];
      x.id = o.id();
      x.kind = o.kind();
      x.name = o.name();
    }
    p.Add();
  }
  p.Done();
  for (const auto& v : village_regions_) {
    auto it = by_region.find(v);
    if (it == by_region.end()) {
      throw Failure(absl::StrCat("village ", v,
                                 " has no Party organisation: load the region tree first "
                                 "(touyanctl regions import ",
                                 o_.regions_file, ")"));
    }
    Org o = it->second;
    o.region = v;
    o.township = TownshipOf(v);
    o.county = CountyOf(v);
    orgs_.push_back(o);
  }
  villages_ = orgs_.size();
  // Organisations of the other fields, spread over the townships.
  const pv1::PartyOrgKind kinds[] = {pv1::PARTY_ORG_KIND_AGENCY, pv1::PARTY_ORG_KIND_SCHOOL,
                                     pv1::PARTY_ORG_KIND_PUBLIC_INSTITUTION,
                                     pv1::PARTY_ORG_KIND_ENTERPRISE, pv1::PARTY_ORG_KIND_OTHER};
  const char* words[] = {"机关", "学校", "卫生院", "企业", "合作社"};
  const int64_t units = want_.secretaries - static_cast<int64_t>(villages_);
  if (units < 0) throw Failure("more villages than secretaries to create");
  for (int64_t u = 0; u < units; ++u) {
    Org o;
    o.township = townships_[u % townships_.size()];
    o.region = o.township;
    o.county = CountyOf(o.township);
    o.kind = kinds[(u / townships_.size()) % 5];
    o.name = absl::StrCat(names_[o.township], words[(u / townships_.size()) % 5],
                          u / townships_.size() / 5 + 1, "党支部");
    orgs_.push_back(o);
  }
  Progress q("personnel: organisations of the other fields", units);
  ParallelFor(units, o_.threads, &q, [&](int64_t u) {
    Org& o = orgs_[villages_ + u];
    pv1::CreatePartyOrgRequest req;
    req.set_request_id(Rid("org", u));
    req.mutable_party_org()->set_name(o.name);
    req.mutable_party_org()->set_kind(o.kind);
    req.mutable_party_org()->set_region_code(o.region);
    o.id = s_.Call(s_.personnel(), &pv1::PersonnelService::Stub::CreatePartyOrg, req, *city_,
                   "CreatePartyOrg")
               .id();
  });
  q.Done();
}

// ------------------------------------------------------------------ people

void Ulanqab::Import(const std::string& key, const std::string& what,
                     const std::vector<pv1::Cadre>& people, pv1::PositionKind post) {
  Progress p("personnel: import " + what, static_cast<int64_t>(people.size()));
  pv1::ImportCadresRequest head;
  head.set_request_id(Rid("import", key));
  if (post != pv1::POSITION_KIND_UNSPECIFIED) {
    head.set_village_post(post);
    *head.mutable_term_start() = D(2021, 1, 15);  // the 2021 村"两委" elections
  }
  int64_t shown = 0;
  auto r = ImportCadres(s_.personnel(), *city_, head, people, 1000, [&](int64_t sent) {
    p.Add(sent - shown);
    shown = sent;
  });
  p.Done();
  if (!r.ok()) throw Failure(absl::StrCat("ImportCadres (", what, "): ", r.status().message()));
  if (r->rows_failed() > 0) {
    const auto& e = r->errors(0);
    throw Failure(
        absl::StrCat("ImportCadres (", what, "): ", r->rows_failed(), " rows refused, first: row ",
                     e.row(), " ", e.field(), ": ", e.message(),
                     " — the scenario wants a database without its people (a fresh one)"));
  }
}

void Ulanqab::People() {
  std::vector<pv1::Cadre> secretaries, members, unit_secretaries;
  for (size_t v = 0; v < villages_; ++v) {
    Org& o = orgs_[v];
    o.secretary = GenerateCadre(rng_, kPersonBase + static_cast<int64_t>(v), o.region);
    o.secretary.set_party_member(true);
    secretaries.push_back(o.secretary);
    for (int k = 0; k < 2; ++k) {
      pv1::Cadre m =
          GenerateCadre(rng_, kPersonBase + 100000 + 2 * static_cast<int64_t>(v) + k, o.region);
      members.push_back(m);
    }
  }
  for (size_t u = villages_; u < orgs_.size(); ++u) {
    orgs_[u].secretary =
        GenerateCadre(rng_, kPersonBase + 200000 + static_cast<int64_t>(u), orgs_[u].region);
    orgs_[u].secretary.set_party_member(true);
    unit_secretaries.push_back(orgs_[u].secretary);
  }
  Import("secretaries", "village secretaries (一肩挑)", secretaries, pv1::POSITION_KIND_DUAL_ROLE);
  Import("members", "village committee members", members, pv1::POSITION_KIND_COMMITTEE_MEMBER);
  Import("units", "secretaries of the other fields", unit_secretaries,
         pv1::POSITION_KIND_UNSPECIFIED);

  // Their ids, by resident ID (the city's department sees them whole).
  std::map<std::string, std::string> id_of;
  Progress p("personnel: read back the cadres' ids", static_cast<int64_t>(counties_.size()));
  for (const auto& county : counties_) {
    pv1::ListCadresRequest req;
    req.set_region_code(county);
    for (const auto& c : s_.All(s_.personnel(), &pv1::PersonnelService::Stub::ListCadres, req,
                                &pv1::ListCadresResponse::cadres, *city_, "ListCadres")) {
      id_of[c.resident_id()] = c.id();
    }
    p.Add();
  }
  p.Done();
  auto id = [&](const pv1::Cadre& c) {
    auto it = id_of.find(c.resident_id());
    if (it == id_of.end()) throw Failure("an imported cadre is not listed: " + c.resident_id());
    return it->second;
  };
  for (size_t v = 0; v < villages_; ++v) {
    orgs_[v].secretary_id = id(orgs_[v].secretary);
    orgs_[v].members = {id(members[2 * v]), id(members[2 * v + 1])};
  }
  for (auto& o : orgs_) o.secretary_name = o.secretary.name();
  Progress q("personnel: secretaries of the other fields take office",
             static_cast<int64_t>(orgs_.size() - villages_));
  ParallelFor(static_cast<int64_t>(orgs_.size() - villages_), o_.threads, &q, [&](int64_t u) {
    Org& o = orgs_[villages_ + u];
    o.secretary_id = id(o.secretary);
    pv1::CreatePositionRequest req;
    req.set_request_id(Rid("position", u));
    req.mutable_position()->set_cadre_id(o.secretary_id);
    req.mutable_position()->set_party_org_id(o.id);
    req.mutable_position()->set_kind(pv1::POSITION_KIND_BRANCH_SECRETARY);
    *req.mutable_position()->mutable_term_start() = D(2021, 3, 1);
    s_.Call(s_.personnel(), &pv1::PersonnelService::Stub::CreatePosition, req, *city_,
            "CreatePosition");
  });
  q.Done();
}

// ------------------------------------------------------------------- seeds

void Ulanqab::Seeds() {
  const int64_t n = static_cast<int64_t>(villages_) * 2;
  Progress p("personnel: reserve seeds (村推 → 镇选 → 县考)", n);
  ParallelFor(n, o_.threads, &p, [&](int64_t i) {
    std::mt19937_64 rng(o_.seed + i);
    ApproveSeed(orgs_[i / 2], GenerateCadre(rng, kPersonBase + 400000 + i, orgs_[i / 2].region),
                i % 2 ? "致富能手，带领群众发展特色种养" : "返乡大学生，熟悉电商与合作社经营",
                absl::StrCat(i));
  });
  p.Done();
}

void Ulanqab::ApproveSeed(const Org& o, const pv1::Cadre& person, const std::string& strengths,
                          const std::string& key) {
  const std::string& township = s_.Token(auth::Role::kTownshipOperator, o.township);
  const std::string& county = s_.Token(auth::Role::kCountyOperator, o.county);
  pv1::NominateSeedRequest nom;
  nom.set_request_id(Rid("seed", key));
  *nom.mutable_seed()->mutable_person() = person;
  nom.mutable_seed()->set_strengths(strengths);
  auto seed = s_.Call(s_.personnel(), &pv1::PersonnelService::Stub::NominateSeed, nom, township,
                      "NominateSeed");
  pv1::SelectSeedRequest sel;
  sel.set_request_id(Rid("seed-select", key));
  sel.set_id(seed.id());
  sel.set_selected(true);
  sel.set_note("苏木乡镇党委研究确定");
  s_.Call(s_.personnel(), &pv1::PersonnelService::Stub::SelectSeed, sel, township, "SelectSeed");
  pv1::ExamineSeedRequest ex;
  ex.set_request_id(Rid("seed-examine", key));
  ex.set_id(seed.id());
  ex.set_approved(true);
  ex.set_note("旗县委组织部考察通过");
  s_.Call(s_.personnel(), &pv1::PersonnelService::Stub::ExamineSeed, ex, county, "ExamineSeed");
}

// -------------------------------------------------- good secretaries (好支书)

void Ulanqab::GoodSecretaries() {
  std::map<std::string, size_t> org_of_cadre;
  for (size_t i = 0; i < orgs_.size(); ++i) org_of_cadre[orgs_[i].secretary_id] = i;
  // Each county's best village secretaries in its final, then its preliminaries.
  for (size_t ci = 0; ci < counties_.size(); ++ci) {
    std::vector<std::string> ranked;
    for (const auto& e : finals_[ci].results.entries()) ranked.push_back(e.cadre_id());
    std::vector<std::pair<double, std::string>> rest;
    for (size_t v = 0; v < villages_; ++v) {
      if (orgs_[v].county == counties_[ci]) {
        const auto [rank, n] = prelim_rank_[orgs_[v].secretary_id];
        rest.push_back({static_cast<double>(rank) / std::max(1, n), orgs_[v].secretary_id});
      }
    }
    std::sort(rest.begin(), rest.end());
    for (const auto& [share, id] : rest) ranked.push_back(id);
    std::set<std::string> taken;
    for (const auto& id : ranked) {
      if (static_cast<int64_t>(taken.size()) == quotas_[ci]) break;
      auto it = org_of_cadre.find(id);
      if (it == org_of_cadre.end() || orgs_[it->second].kind != pv1::PARTY_ORG_KIND_VILLAGE)
        continue;
      if (taken.insert(id).second) good_.push_back(it->second);
    }
  }
  pv1::SetProfileThresholdsRequest th;
  th.set_request_id(Rid("thresholds", kYear));
  th.mutable_thresholds()->set_year(kYear);
  for (int c = pv1::CRITERION_POLITICAL_STANCE; c <= pv1::CRITERION_SATISFACTION; ++c) {
    auto* t = th.mutable_thresholds()->add_thresholds();
    t->set_criterion(static_cast<pv1::Criterion>(c));
    t->set_min_score(80);
  }
  s_.Call(s_.personnel(), &pv1::PersonnelService::Stub::SetProfileThresholds, th, *city_,
          "SetProfileThresholds");
  pv1::CreateSelectionRoundRequest sr;
  sr.set_request_id(Rid("selection", kYear));
  sr.mutable_round()->set_year(kYear);
  sr.mutable_round()->set_region_code(kCity);
  sr.mutable_round()->set_total_quota(static_cast<int>(want_.good_secretaries));
  for (size_t ci = 0; ci < counties_.size(); ++ci) {
    auto* q = sr.mutable_round()->add_quotas();
    q->set_county_code(counties_[ci].substr(0, 6));
    q->set_quota(static_cast<int>(quotas_[ci]));
  }
  auto round = s_.Call(s_.personnel(), &pv1::PersonnelService::Stub::CreateSelectionRound, sr,
                       *city_, "CreateSelectionRound");
  Progress p("personnel: precise profiles and 好支书 confirmed",
             static_cast<int64_t>(good_.size()));
  ParallelFor(static_cast<int64_t>(good_.size()), o_.threads, &p, [&](int64_t i) {
    const Org& o = orgs_[good_[i]];
    const std::string& county = s_.Token(auth::Role::kCountyOperator, o.county);
    const char* evidence[] = {"政治立场坚定，带头落实上级决策部署",
                              "能力本领过硬，擂台比武名列前茅", "政策执行有力，惠民政策落实到位",
                              "工作业绩突出，村集体经济收入增长", "党员群众满意，民主测评满意率高"};
    for (int c = 0; c < 5; ++c) {
      pv1::RecordEvaluationRequest ev;
      ev.set_request_id(Rid("evaluation", absl::StrCat(o.secretary_id, "-", c)));
      auto* e = ev.mutable_evaluation();
      e->set_cadre_id(o.secretary_id);
      e->set_criterion(static_cast<pv1::Criterion>(c + 1));
      e->set_score(85 + static_cast<int>(Pick(o.secretary_id + evidence[c], 13, o_.seed)));
      e->set_evaluator("旗县委组织部考察组");
      *e->mutable_evaluated_on() = D(2023, 10, 10 + c);
      e->set_evidence(evidence[c]);
      s_.Call(s_.personnel(), &pv1::PersonnelService::Stub::RecordEvaluation, ev, county,
              "RecordEvaluation");
    }
    pv1::NominateGoodSecretaryRequest nom;
    nom.set_request_id(Rid("nominate", o.secretary_id));
    nom.set_round_id(round.id());
    nom.set_cadre_id(o.secretary_id);
    nom.set_reason("精准画像五项基本条件均达标，擂台比武成绩突出");
    auto n = s_.Call(s_.personnel(), &pv1::PersonnelService::Stub::NominateGoodSecretary, nom,
                     county, "NominateGoodSecretary");
    pv1::ConfirmGoodSecretaryRequest cf;
    cf.set_request_id(Rid("confirm", o.secretary_id));
    cf.set_id(n.id());
    s_.Call(s_.personnel(), &pv1::PersonnelService::Stub::ConfirmGoodSecretary, cf, *city_,
            "ConfirmGoodSecretary");
  });
  p.Done();
}

}  // namespace touyan::ctl::scenario::u23
