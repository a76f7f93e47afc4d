// The Ulanqab 2023 scenario: the year the source describes, written through
// the public APIs on the real region tree, then its annual report.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <set>

#include "absl/hash/hash.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/touyanctl/client.h"
#include "tools/touyanctl/records.h"
#include "tools/touyanctl/scenario/report.h"
#include "tools/touyanctl/scenario/scenario.h"

namespace touyan::ctl::scenario {
namespace {

constexpr int kYear = 2023;
constexpr char kCity[] = "150900000000";
constexpr char kTheme[] = "乡村振兴";
constexpr char kHouqi[] = "150928000000";  // 察右后旗
constexpr int64_t kPersonBase = 6000000;   // generated people's sequence numbers start here

google::type::Date D(int y, int m, int d) {
  google::type::Date out;
  out.set_year(y);
  out.set_month(m);
  out.set_day(d);
  return out;
}

// A stable number in [0, n) for a key: the scenario's "randomness".
uint64_t Pick(const std::string& key, uint64_t n, uint64_t seed) {
  std::seed_seq s(key.begin(), key.end());
  std::mt19937_64 rng(s);
  return (rng() ^ seed * 0x9E3779B97F4A7C15ULL) % n;
}

struct Org {
  std::string id, region, township, county, name;
  pv1::PartyOrgKind kind = pv1::PARTY_ORG_KIND_UNSPECIFIED;
  std::string secretary_id, secretary_name;
  pv1::Cadre secretary;              // as generated
  std::vector<std::string> members;  // committee members' cadre ids
  std::string successor_id;          // who takes over when adjusted
};

struct RoundRun {
  std::string id;
  cv1::Results results;
};

class Ulanqab {
 public:
  Ulanqab(Session& s, const UlanqabOptions& o) : s_(s), o_(o), rng_(o.seed) {}

  int Run() {
    LoadRegions();
    city_ = &s_.Token(auth::Role::kCityOrgDept, kCity);
    std::fprintf(stderr, "[touyan] Ulanqab 2023 on %zu counties, %zu townships, %zu villages (scale %.3f)\n",
                 counties_.size(), townships_.size(), village_regions_.size(), f_);
    if (!o_.report_only) Write();
    return Publish();
  }

 private:
  void Write() {
    Organisations();
    People();
    Seeds();
    Training();
    Visits();
    Contests();
    GoodSecretaries();
    SupervisionAndAdjustments();
    CatchUp();
    Assessment();
    Rewards();
  }

  int Publish() {
    Report r = BuildReport(s_, kCity, kYear, kTheme, want_);
    const std::string stem = o_.report_dir + "/ulanqab-2023-report";
    auto files = WriteReport(r,
                             absl::StrCat("乌兰察布市“头雁工程” 2023 annual report — ", counties_.size(),
                                          " of 11 counties, figures read back from the services"),
                             f_ < 1 ? absl::StrFormat("source 2023 × %.3f", f_) : "source 2023", stem);
    for (const auto& f : files) std::fprintf(stderr, "[touyan] wrote %s\n", f.c_str());
    if (!r.ok()) {
      std::fprintf(stderr, "[touyan] some figures differ from what the scenario set out to produce (✗ above)\n");
      return 1;
    }
    return 0;
  }

  template <typename T>
  std::string Rid(const std::string& what, const T& i) {
    return absl::StrCat("u23-", o_.seed, "-", counties_.size(), "-", what, "-", i);
  }
  int64_t Scaled(double full) const { return std::max<int64_t>(1, std::llround(full * f_)); }

  // ------------------------------------------------------------- regions
  void LoadRegions() {
    std::ifstream in(o_.regions_file);
    if (!in) throw Failure("cannot read the region tree " + o_.regions_file + " (--regions=FILE)");
    auto regions = ReadRegions(in);
    if (!regions.ok()) throw Failure(std::string(regions.status().message()));
    int64_t all_villages = 0;
    std::vector<std::string> counties;
    std::map<std::string, int64_t> villages_in;
    for (const auto& r : *regions) {
      names_[r.code()] = r.name();
      if (r.level() == pv1::REGION_LEVEL_COUNTY && absl::StartsWith(r.code(), "1509")) counties.push_back(r.code());
      if (r.level() == pv1::REGION_LEVEL_VILLAGE) {
        ++all_villages;
        ++villages_in[CountyOf(r.code())];
      }
    }
    // Part of the city: the counties with the most villages.
    std::sort(counties.begin(), counties.end(), [&](const std::string& a, const std::string& b) {
      return villages_in[a] != villages_in[b] ? villages_in[a] > villages_in[b] : a < b;
    });
    if (o_.counties > 0 && o_.counties < static_cast<int>(counties.size())) counties.resize(o_.counties);
    std::sort(counties.begin(), counties.end());
    std::set<std::string> in_scope(counties.begin(), counties.end());
    counties_ = counties;
    for (const auto& r : *regions) {
      if (!in_scope.count(r.code().substr(0, 6) + "000000")) continue;
      if (r.level() == pv1::REGION_LEVEL_TOWNSHIP) townships_.push_back(r.code());
      if (r.level() == pv1::REGION_LEVEL_VILLAGE) village_regions_.push_back(r.code());
    }
    std::sort(townships_.begin(), townships_.end());
    std::sort(village_regions_.begin(), village_regions_.end());
    if (village_regions_.empty()) throw Failure("no villages in the region tree " + o_.regions_file);
    f_ = static_cast<double>(village_regions_.size()) / static_cast<double>(all_villages);
    want_.villages = static_cast<int64_t>(village_regions_.size());
    want_.secretaries = std::llround(4247 * f_);
    want_.city_classes = 2;
    want_.city_trainees = std::max<int64_t>(2, std::llround(340 * f_));
    want_.county_classes = std::max<int64_t>(static_cast<int64_t>(counties_.size()), std::llround(359 * f_));
    want_.county_trainees = std::llround(45000 * f_);
    want_.good_secretaries = Scaled(100);
    want_.adjusted = Scaled(62);
    want_.deputies = Scaled(13);
    want_.civil_servants = Scaled(7);
    want_.institution_staff = Scaled(4);
  }

  std::string CountyOf(const std::string& code) const { return code.substr(0, 6) + "000000"; }
  std::string TownshipOf(const std::string& code) const { return code.substr(0, 9) + "000"; }

  // Shares of `total` for `weights` by the largest remainder (they sum to total).
  static std::vector<int64_t> Apportion(int64_t total, const std::vector<int64_t>& weights) {
    int64_t sum = 0;
    for (auto w : weights) sum += w;
    std::vector<int64_t> out(weights.size());
    std::vector<std::pair<double, size_t>> rest;
    int64_t given = 0;
    for (size_t i = 0; i < weights.size(); ++i) {
      double exact = sum ? static_cast<double>(total) * weights[i] / sum : 0;
      out[i] = static_cast<int64_t>(exact);
      given += out[i];
      rest.push_back({exact - out[i], i});
    }
    std::sort(rest.begin(), rest.end(),
              [](auto a, auto b) { return a.first > b.first || (a.first == b.first && a.second < b.second); });
    for (size_t k = 0; given < total; ++k, ++given) ++out[rest[k % rest.size()].second];
    return out;
  }

  // -------------------------------------------------------- organisations
  void Organisations() {
    // The village and community organisations the region import created.
    Progress p("personnel: village organisations (read)", static_cast<int64_t>(counties_.size()));
    std::map<std::string, Org> by_region;
    for (const auto& county : counties_) {
      pv1::ListPartyOrgsRequest req;
      req.set_region_code(county);
      for (const auto& o : s_.All(s_.personnel(), &pv1::PersonnelService::Stub::ListPartyOrgs, req,
                                  &pv1::ListPartyOrgsResponse::party_orgs, *city_, "ListPartyOrgs")) {
        if (o.kind() != pv1::PARTY_ORG_KIND_VILLAGE && o.kind() != pv1::PARTY_ORG_KIND_COMMUNITY) continue;
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
                                       pv1::PARTY_ORG_KIND_PUBLIC_INSTITUTION, pv1::PARTY_ORG_KIND_ENTERPRISE,
                                       pv1::PARTY_ORG_KIND_OTHER};
    const char* words[] = {"机关", "学校", "卫生院", "企业", "合作社"};
    const int64_t units = want_.secretaries - static_cast<int64_t>(villages_);
    if (units < 0) throw Failure("more villages than secretaries to create");
    for (int64_t u = 0; u < units; ++u) {
      Org o;
      o.township = townships_[u % townships_.size()];
      o.region = o.township;
      o.county = CountyOf(o.township);
      o.kind = kinds[(u / townships_.size()) % 5];
      o.name =
          absl::StrCat(names_[o.township], words[(u / townships_.size()) % 5], u / townships_.size() / 5 + 1, "党支部");
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
      o.id = s_.Call(s_.personnel(), &pv1::PersonnelService::Stub::CreatePartyOrg, req, *city_, "CreatePartyOrg").id();
    });
    q.Done();
  }

  // ---------------------------------------------------------------- people
  void Import(const std::string& key, const std::string& what, const std::vector<pv1::Cadre>& people,
              pv1::PositionKind post) {
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
      throw Failure(absl::StrCat("ImportCadres (", what, "): ", r->rows_failed(), " rows refused, first: row ", e.row(),
                                 " ", e.field(), ": ", e.message(),
                                 " — the scenario wants a database without its people (a fresh one)"));
    }
  }

  void People() {
    std::vector<pv1::Cadre> secretaries, members, unit_secretaries, successors;
    for (size_t v = 0; v < villages_; ++v) {
      Org& o = orgs_[v];
      o.secretary = GenerateCadre(rng_, kPersonBase + static_cast<int64_t>(v), o.region);
      o.secretary.set_party_member(true);
      secretaries.push_back(o.secretary);
      for (int k = 0; k < 2; ++k) {
        pv1::Cadre m = GenerateCadre(rng_, kPersonBase + 100000 + 2 * static_cast<int64_t>(v) + k, o.region);
        members.push_back(m);
      }
    }
    for (size_t u = villages_; u < orgs_.size(); ++u) {
      orgs_[u].secretary = GenerateCadre(rng_, kPersonBase + 200000 + static_cast<int64_t>(u), orgs_[u].region);
      orgs_[u].secretary.set_party_member(true);
      unit_secretaries.push_back(orgs_[u].secretary);
    }
    // Who will take over from the secretaries adjusted during the year: one
    // prepared in each village (the reserve the seed plan builds).
    for (size_t v = 0; v < villages_; ++v) {
      pv1::Cadre c = GenerateCadre(rng_, kPersonBase + 300000 + static_cast<int64_t>(v), orgs_[v].region);
      c.set_party_member(true);
      successors.push_back(c);
    }
    Import("secretaries", "village secretaries (一肩挑)", secretaries, pv1::POSITION_KIND_DUAL_ROLE);
    Import("members", "village committee members", members, pv1::POSITION_KIND_COMMITTEE_MEMBER);
    Import("units", "secretaries of the other fields", unit_secretaries, pv1::POSITION_KIND_UNSPECIFIED);
    Import("successors", "successors in reserve", successors, pv1::POSITION_KIND_UNSPECIFIED);

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
      orgs_[v].successor_id = id(successors[v]);
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
      s_.Call(s_.personnel(), &pv1::PersonnelService::Stub::CreatePosition, req, *city_, "CreatePosition");
    });
    q.Done();
  }

  // ----------------------------------------------------------------- seeds
  void Seeds() {
    const int64_t n = static_cast<int64_t>(villages_) * 2;
    Progress p("personnel: reserve seeds (村推 → 镇选 → 县考)", n);
    ParallelFor(n, o_.threads, &p, [&](int64_t i) {
      const Org& o = orgs_[i / 2];
      const std::string& township = s_.Token(auth::Role::kTownshipOperator, o.township);
      const std::string& county = s_.Token(auth::Role::kCountyOperator, o.county);
      std::mt19937_64 rng(o_.seed + i);
      pv1::NominateSeedRequest nom;
      nom.set_request_id(Rid("seed", i));
      *nom.mutable_seed()->mutable_person() = GenerateCadre(rng, kPersonBase + 400000 + i, o.region);
      nom.mutable_seed()->set_strengths(i % 2 ? "致富能手，带领群众发展特色种养" : "返乡大学生，熟悉电商与合作社经营");
      auto seed = s_.Call(s_.personnel(), &pv1::PersonnelService::Stub::NominateSeed, nom, township, "NominateSeed");
      pv1::SelectSeedRequest sel;
      sel.set_request_id(Rid("seed-select", i));
      sel.set_id(seed.id());
      sel.set_selected(true);
      sel.set_note("苏木乡镇党委研究确定");
      s_.Call(s_.personnel(), &pv1::PersonnelService::Stub::SelectSeed, sel, township, "SelectSeed");
      pv1::ExamineSeedRequest ex;
      ex.set_request_id(Rid("seed-examine", i));
      ex.set_id(seed.id());
      ex.set_approved(true);
      ex.set_note("旗县委组织部考察通过");
      s_.Call(s_.personnel(), &pv1::PersonnelService::Stub::ExamineSeed, ex, county, "ExamineSeed");
    });
    p.Done();
  }

  // -------------------------------------------------------------- training
  tv1::TrainingClass NewClass(tv1::Tier tier, const std::string& region, const std::string& title, int capacity,
                              std::vector<std::pair<google::type::Date, google::type::Date>> segments) {
    tv1::TrainingClass c;
    c.set_tier(tier);
    c.set_region_code(region);
    c.set_title(title);
    c.set_theme(kTheme);
    c.set_year(kYear);
    c.add_formats(tv1::FORMAT_LECTURE);
    c.add_formats(tier == tv1::TIER_TOWNSHIP ? tv1::FORMAT_TOPIC_PRACTICE : tv1::FORMAT_SEMINAR);
    if (tier == tv1::TIER_CITY) c.add_formats(tv1::FORMAT_FIELD_VISIT);
    c.set_venue(tier == tv1::TIER_CITY ? "中共乌兰察布市委党校"
                                       : absl::StrCat(names_[region.substr(0, 6) + "000000"], "委党校"));
    c.set_venue_kind(tier == tv1::TIER_CITY     ? tv1::VENUE_KIND_CITY_PARTY_SCHOOL
                     : tier == tv1::TIER_COUNTY ? tv1::VENUE_KIND_COUNTY_PARTY_SCHOOL
                                                : tv1::VENUE_KIND_OTHER);
    c.set_capacity(capacity);
    c.set_completion_min_percent(80);
    int k = 1;
    for (const auto& [from, to] : segments) {
      auto* s = c.add_segments();
      s->set_title(absl::StrCat("第", k++, "段"));
      *s->mutable_start_date() = from;
      *s->mutable_end_date() = to;
    }
    return c;
  }

  std::string CreateClass(const std::string& rid, const tv1::TrainingClass& c) {
    tv1::CreateClassRequest req;
    req.set_request_id(rid);
    *req.mutable_training_class() = c;
    return s_.Call(s_.training(), &tv1::TrainingService::Stub::CreateClass, req, *city_, "CreateClass").id();
  }

  // Marks every enrolment of a class for each segment: present unless `absent`.
  void Attend(const std::string& class_id, int segments, const std::vector<tv1::Enrolment>& enrolments,
              const std::set<std::string>& absent, const std::string& rid) {
    for (int seg = 1; seg <= segments; ++seg) {
      for (size_t i = 0; i < enrolments.size(); i += 1000) {
        tv1::RecordAttendanceRequest req;
        req.set_request_id(absl::StrCat(rid, "-", seg, "-", i));
        req.set_class_id(class_id);
        req.set_segment_number(seg);
        for (size_t k = i; k < std::min(enrolments.size(), i + 1000); ++k) {
          auto* m = req.add_marks();
          m->set_enrolment_id(enrolments[k].id());
          m->set_status(absent.count(enrolments[k].id()) ? tv1::ATTENDANCE_STATUS_ABSENT
                                                         : tv1::ATTENDANCE_STATUS_PRESENT);
        }
        s_.Call(s_.training(), &tv1::TrainingService::Stub::RecordAttendance, req, *city_, "RecordAttendance");
      }
    }
  }

  void Training() {
    // Two city demonstration classes of village secretaries.
    const int64_t city_n = want_.city_trainees;
    std::vector<size_t> city_people;
    std::vector<size_t> villages_only;
    for (size_t v = 0; v < villages_; ++v) {
      if (orgs_[v].kind == pv1::PARTY_ORG_KIND_VILLAGE) villages_only.push_back(v);
    }
    for (int64_t k = 0; k < city_n; ++k) {
      city_people.push_back(villages_only[static_cast<size_t>(k) * villages_only.size() / city_n]);
    }
    std::set<size_t> in_city(city_people.begin(), city_people.end());
    struct Planned {
      std::string id;
      int segments = 2;
      std::vector<tv1::Trainee> trainees;
      std::vector<tv1::Enrolment> enrolled;
      std::set<std::string> absent_cadres;
    };
    std::vector<Planned> classes;
    for (int c = 0; c < 2; ++c) {
      Planned pl;
      pl.id = CreateClass(
          Rid("city-class", c),
          NewClass(
              tv1::TIER_CITY, kCity, absl::StrCat("全市嘎查村党组织书记乡村振兴专题示范培训班（第", c + 1, "期）"),
              static_cast<int>(city_n / 2 + 1),
              c == 0 ? std::vector<std::pair<google::type::Date, google::type::Date>>{{D(2023, 4, 17), D(2023, 4, 21)},
                                                                                      {D(2023, 5, 15), D(2023, 5, 19)}}
                     : std::vector<std::pair<google::type::Date, google::type::Date>>{
                           {D(2023, 7, 10), D(2023, 7, 14)}, {D(2023, 8, 14), D(2023, 8, 18)}}));
      classes.push_back(pl);
    }
    for (size_t k = 0; k < city_people.size(); ++k) {
      tv1::Trainee t;
      t.set_kind(tv1::TRAINEE_KIND_VILLAGE_SECRETARY);
      t.set_cadre_id(orgs_[city_people[k]].secretary_id);
      classes[k % 2].trainees.push_back(t);
    }
    // County classes: every village's secretary, its committee members, a
    // work-team cadre and farmers and herders until the county's share of
    // 45,000 is reached.
    std::vector<int64_t> weights;
    std::map<std::string, std::vector<size_t>> villages_of;
    for (size_t v = 0; v < villages_; ++v) villages_of[orgs_[v].county].push_back(v);
    for (const auto& c : counties_) weights.push_back(static_cast<int64_t>(villages_of[c].size()));
    const auto class_counts = Apportion(want_.county_classes, weights);
    const int64_t farmers = std::max<int64_t>(0, want_.county_trainees + 100 - 4 * static_cast<int64_t>(villages_));
    const auto farmer_counts = Apportion(farmers, weights);
    const char* surnames[] = {"王", "李", "张", "刘", "陈", "杨", "赵", "郭", "马", "高", "乌", "巴", "其", "苏"};
    int64_t person = 0;
    for (size_t ci = 0; ci < counties_.size(); ++ci) {
      const std::string& county = counties_[ci];
      const size_t first = classes.size();
      const int64_t k = std::max<int64_t>(1, class_counts[ci]);
      for (int64_t j = 0; j < k; ++j) {
        Planned pl;
        const int month = 3 + static_cast<int>(j % 8);
        pl.id = CreateClass(
            Rid("county-class", absl::StrCat(county, "-", j)),
            NewClass(tv1::TIER_COUNTY, county, absl::StrCat(names_[county], "乡村振兴专题培训班（第", j + 1, "期）"),
                     100000, {{D(2023, month, 6), D(2023, month, 8)}, {D(2023, month, 20), D(2023, month, 21)}}));
        classes.push_back(pl);
      }
      auto add = [&](tv1::Trainee t, size_t slot) { classes[first + slot % k].trainees.push_back(std::move(t)); };
      size_t slot = 0;
      for (size_t v : villages_of[county]) {
        const Org& o = orgs_[v];
        tv1::Trainee sec;
        sec.set_kind(tv1::TRAINEE_KIND_VILLAGE_SECRETARY);
        sec.set_cadre_id(o.secretary_id);
        // One in 25 misses the county class (and is caught up by the township).
        if (!in_city.count(v) && Pick(o.region, 25, o_.seed) == 0) {
          classes[first + slot % k].absent_cadres.insert(o.secretary_id);
        }
        add(sec, slot++);
        for (const auto& m : o.members) {
          tv1::Trainee c;
          c.set_kind(tv1::TRAINEE_KIND_VILLAGE_CADRE);
          c.set_cadre_id(m);
          add(c, slot++);
        }
        tv1::Trainee w;
        w.set_kind(tv1::TRAINEE_KIND_WORK_TEAM_CADRE);
        w.set_name(absl::StrCat(surnames[person++ % 14], "驻村队员", v + 1));
        w.set_region_code(o.region);
        add(w, slot++);
      }
      const auto& vs = villages_of[county];
      for (int64_t x = 0; x < farmer_counts[ci]; ++x) {
        tv1::Trainee fh;
        fh.set_kind(tv1::TRAINEE_KIND_FARMER_HERDER);
        fh.set_name(absl::StrCat(surnames[person++ % 14], "农牧民", x + 1));
        fh.set_region_code(orgs_[vs[static_cast<size_t>(x) % vs.size()]].region);
        add(fh, slot++);
      }
    }
    // Enrol everyone, many calls in flight.
    std::vector<std::pair<size_t, size_t>> work;
    for (size_t c = 0; c < classes.size(); ++c) {
      classes[c].enrolled.resize(classes[c].trainees.size());
      for (size_t t = 0; t < classes[c].trainees.size(); ++t) work.push_back({c, t});
    }
    Progress p("training: enrolments (city and county classes)", static_cast<int64_t>(work.size()));
    ParallelFor(static_cast<int64_t>(work.size()), o_.threads, &p, [&](int64_t i) {
      auto [c, t] = work[i];
      tv1::EnrolRequest req;
      req.set_request_id(Rid("enrol", absl::StrCat(c, "-", t)));
      req.set_class_id(classes[c].id);
      *req.mutable_trainee() = classes[c].trainees[t];
      classes[c].enrolled[t] = s_.Call(s_.training(), &tv1::TrainingService::Stub::Enrol, req, *city_, "Enrol");
    });
    p.Done();
    Progress a("training: attendance", static_cast<int64_t>(classes.size()));
    ParallelFor(static_cast<int64_t>(classes.size()), o_.threads, &a, [&](int64_t c) {
      std::set<std::string> absent;
      for (const auto& e : classes[c].enrolled) {
        if (classes[c].absent_cadres.count(e.trainee().cadre_id())) absent.insert(e.id());
      }
      Attend(classes[c].id, classes[c].segments, classes[c].enrolled, absent, Rid("attend", c));
    });
    a.Done();
  }

  // Townships catch up whoever is not covered by November (兜底轮训): those
  // who missed their county class, and the secretaries who took over in
  // the autumn.
  void CatchUp() {
    Progress t("training: township catch-up classes", static_cast<int64_t>(counties_.size()));
    ParallelFor(static_cast<int64_t>(counties_.size()), o_.threads, &t, [&](int64_t ci) {
      tv1::GetCoverageRequest gc;
      gc.set_year(kYear);
      gc.set_theme(kTheme);
      gc.set_region_code(counties_[ci]);
      auto cov = s_.Call(s_.training(), &tv1::TrainingService::Stub::GetCoverage, gc, *city_, "GetCoverage");
      for (const auto& u : cov.townships()) {
        if (u.missing() == 0) continue;
        const std::string id =
            CreateClass(Rid("township-class", u.region_code()),
                        NewClass(tv1::TIER_TOWNSHIP, u.region_code(),
                                 absl::StrCat(names_[u.region_code()], "嘎查村党组织书记兜底轮训班"),
                                 static_cast<int>(u.missing() + 5), {{D(2023, 11, 20), D(2023, 11, 22)}}));
        tv1::EnrolUncoveredRequest eu;
        eu.set_request_id(Rid("enrol-uncovered", u.region_code()));
        eu.set_class_id(id);
        auto got = s_.Call(s_.training(), &tv1::TrainingService::Stub::EnrolUncovered, eu, *city_, "EnrolUncovered");
        std::vector<tv1::Enrolment> es(got.enrolments().begin(), got.enrolments().end());
        Attend(id, 1, es, {}, Rid("attend-township", u.region_code()));
      }
    });
    t.Done();
  }

  void Visits() {
    std::vector<size_t> villages_only;
    for (size_t v = 0; v < villages_; ++v) {
      if (orgs_[v].kind == pv1::PARTY_ORG_KIND_VILLAGE) villages_only.push_back(v);
    }
    // The March field visit to 察右后旗, in groups of up to 1,000.
    std::vector<std::string> visitors;
    for (size_t v : villages_only) visitors.push_back(orgs_[v].secretary_id);
    for (size_t i = 0; i < visitors.size(); i += 1000) {
      tv1::CreateFieldVisitRequest req;
      req.set_request_id(Rid("field-visit", i));
      auto* fv = req.mutable_field_visit();
      fv->set_organiser_region_code(kCity);
      fv->set_title(absl::StrCat("赴察右后旗推进乡村振兴现场观摩学习（第", i / 1000 + 1, "组）"));
      fv->set_destination_region_code(kHouqi);
      fv->add_sites("乌兰哈达苏木望山民宿");
      fv->add_sites("望山庭院");
      *fv->mutable_visit_date() = D(2023, 3, 16 + static_cast<int>(i / 1000));
      for (size_t k = i; k < std::min(visitors.size(), i + 1000); ++k) fv->add_participant_cadre_ids(visitors[k]);
      s_.Call(s_.training(), &tv1::TrainingService::Stub::CreateFieldVisit, req, *city_, "CreateFieldVisit");
    }
    // Experts and technology commissioners in every township's villages.
    std::map<std::string, std::vector<size_t>> by_township;
    for (size_t v : villages_only) by_township[orgs_[v].township].push_back(v);
    std::vector<std::string> tws;
    for (const auto& [tw, vs] : by_township) tws.push_back(tw);
    Progress e("training: expert visits", static_cast<int64_t>(tws.size()));
    ParallelFor(static_cast<int64_t>(tws.size()), o_.threads, &e, [&](int64_t i) {
      const auto& vs = by_township[tws[i]];
      tv1::CreateExpertVisitRequest req;
      req.set_request_id(Rid("expert", tws[i]));
      auto* x = req.mutable_expert_visit();
      const bool planting = i % 2 == 0;
      x->set_expert_name(absl::StrCat(i % 3 == 0 ? "科技特派员" : "农牧业专家", i + 1, "号"));
      x->set_expert_kind(i % 3 == 0   ? tv1::EXPERT_KIND_TECH_COMMISSIONER
                         : i % 3 == 1 ? tv1::EXPERT_KIND_COLLEGE
                                      : tv1::EXPERT_KIND_RESEARCH_INSTITUTE);
      x->set_expert_organisation(i % 3 == 1 ? "集宁师范学院" : "乌兰察布市农林科学研究所");
      x->set_village_code(orgs_[vs[0]].region);
      *x->mutable_visit_date() = D(2023, 5 + static_cast<int>(i % 4), 10);
      x->set_topic(planting ? tv1::EXPERT_TOPIC_PLANTING : tv1::EXPERT_TOPIC_BREEDING);
      x->set_subject(planting ? "马铃薯脱毒种薯繁育与田间管理" : "肉羊舍饲养殖与疫病防控");
      for (size_t k = 0; k < vs.size() && k < 100; ++k) x->add_secretary_cadre_ids(orgs_[vs[k]].secretary_id);
      s_.Call(s_.training(), &tv1::TrainingService::Stub::CreateExpertVisit, req, *city_, "CreateExpertVisit");
    });
    e.Done();
    // Practice tasks, quantified to each village with a named person, on the public board.
    Progress pt("training: practice tasks published, progress reported", static_cast<int64_t>(counties_.size()));
    ParallelFor(static_cast<int64_t>(counties_.size()), o_.threads, &pt, [&](int64_t ci) {
      const std::string& county = counties_[ci];
      std::vector<size_t> vs;
      for (size_t v : villages_only) {
        if (orgs_[v].county == county) vs.push_back(v);
      }
      if (vs.empty()) return;
      tv1::CreatePracticeTaskRequest req;
      req.set_request_id(Rid("task", county));
      auto* task = req.mutable_task();
      task->set_region_code(county);
      task->set_title("农村牧区人居环境整治：户厕改造");
      task->set_description("两件大事任务分解，量化到村、责任到人，在公开栏公示");
      task->set_year(kYear);
      task->set_unit("户");
      *task->mutable_due_date() = D(2023, 11, 30);
      for (size_t v : vs) {
        auto* q = task->add_quotas();
        q->set_village_code(orgs_[v].region);
        q->set_quantity(20 + static_cast<int64_t>(Pick(orgs_[v].region + "task", 40, o_.seed)));
        q->set_responsible_name(orgs_[v].secretary_name);
        q->set_responsible_cadre_id(orgs_[v].secretary_id);
      }
      auto made =
          s_.Call(s_.training(), &tv1::TrainingService::Stub::CreatePracticeTask, req, *city_, "CreatePracticeTask");
      tv1::PublishPracticeTaskRequest pub;
      pub.set_request_id(Rid("task-publish", county));
      pub.set_id(made.id());
      s_.Call(s_.training(), &tv1::TrainingService::Stub::PublishPracticeTask, pub, *city_, "PublishPracticeTask");
      for (const auto& q : made.quotas()) {
        tv1::ReportPracticeProgressRequest rep;
        rep.set_request_id(Rid("task-progress", q.village_code()));
        rep.set_task_id(made.id());
        rep.set_village_code(q.village_code());
        rep.set_completed(q.quantity() - static_cast<int64_t>(Pick(q.village_code() + "done", 3, o_.seed)));
        *rep.mutable_report_date() = D(2023, 11, 25);
        s_.Call(s_.training(), &tv1::TrainingService::Stub::ReportPracticeProgress, rep, *city_,
                "ReportPracticeProgress");
      }
    });
    pt.Done();
  }

  // --------------------------------------------------------------- contest
  std::string NewRound(const std::string& key, cv1::Level level, const std::string& region, const std::string& title,
                       const std::string& round_name, int advance_n, double advance_share) {
    cv1::CreateContestRequest cc;
    cc.set_request_id(Rid("contest", key));
    auto* c = cc.mutable_contest();
    c->set_level(level);
    c->set_region_code(region);
    c->set_year(kYear);
    c->set_title(title);
    for (int f = cv1::FIELD_VILLAGE; f <= cv1::FIELD_OTHER; ++f) c->add_fields(static_cast<cv1::Field>(f));
    auto contest = s_.Call(s_.contest(), &cv1::ContestService::Stub::CreateContest, cc, *city_, "CreateContest");
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
    auto round = s_.Call(s_.contest(), &cv1::ContestService::Stub::CreateRound, cr, *city_, "CreateRound");
    AdvanceRound(s_, round.id(), cv1::ROUND_STATE_OPEN, *city_, Rid("judge", round.id()));
    return round.id();
  }

  // How well a secretary presents: stable per person, 55–95.
  double Quality(const std::string& cadre) const { return 55 + static_cast<double>(Pick(cadre, 400, o_.seed)) / 10.0; }

  // Judged to the end (scores around each secretary's quality), then its results.
  cv1::Results Judge(const std::string& round, const std::string& round_name, int judges) {
    JudgeAndPublish(
        s_, round, judges, *city_, Rid("judge", round), [&](const cv1::Entry& e, int j, const cv1::Dimension& d) {
          const double noise = static_cast<double>(Pick(
                                   absl::StrCat(e.cadre_id(), "/", round_name, "/", j, "/", d.key()), 101, o_.seed)) /
                                   10.0 -
                               5;
          return std::round(std::clamp(Quality(e.cadre_id()) + noise, 0.0, d.max()) * 10) / 10;
        });
    cv1::GetResultsRequest gr;
    gr.set_round_id(round);
    return s_.Call(s_.contest(), &cv1::ContestService::Stub::GetResults, gr, *city_, "GetResults");
  }

  void Promote(const std::string& from, const std::string& to) {
    cv1::PromoteAdvancersRequest pa;
    pa.set_request_id(Rid("promote", absl::StrCat(from, "-", to)));
    pa.set_from_round_id(from);
    pa.set_to_round_id(to);
    auto got = s_.Call(s_.contest(), &cv1::ContestService::Stub::PromoteAdvancers, pa, *city_, "PromoteAdvancers");
    for (const auto& e : got.entries()) {
      cv1::AssignPanelRequest ap;
      ap.set_request_id(Rid("panel", e.id()));
      ap.set_entry_id(e.id());
      ap.set_panel("A");
      s_.Call(s_.contest(), &cv1::ContestService::Stub::AssignPanel, ap, *city_, "AssignPanel");
    }
  }

  void Contests() {
    // Township preliminaries: every secretary of the township takes the stage.
    std::vector<RoundRun> prelims(townships_.size());
    Progress p("contest: township preliminaries (初赛)", static_cast<int64_t>(townships_.size()));
    ParallelFor(static_cast<int64_t>(townships_.size()), std::min(o_.threads, 6), &p, [&](int64_t i) {
      const std::string& tw = townships_[i];
      RoundRun& run = prelims[i];
      run.id = NewRound(tw, cv1::LEVEL_TOWNSHIP, tw, absl::StrCat(names_[tw], "基层党组织书记“擂台比武”"),
                        "苏木乡镇初赛", 0, 0.3);
      cv1::EnterSecretariesRequest es;
      es.set_request_id(Rid("enter", tw));
      es.set_round_id(run.id);
      es.set_panel("A");
      s_.Call(s_.contest(), &cv1::ContestService::Stub::EnterSecretaries, es, *city_, "EnterSecretaries");
      run.results = Judge(run.id, "township", 5);
    });
    p.Done();
    for (const auto& r : prelims) {
      for (const auto& e : r.results.entries()) prelim_rank_[e.cadre_id()] = {e.rank(), r.results.entries_size()};
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
                        absl::StrCat(names_[county], "村党组织书记抓党建促乡村振兴“擂台比武”"), "旗县决赛",
                        static_cast<int>(std::max<int64_t>(3, quotas_[ci] / 2)), 0);
      for (size_t i = 0; i < townships_.size(); ++i) {
        if (CountyOf(townships_[i]) == county) Promote(prelims[i].id, run.id);
      }
      run.results = Judge(run.id, "county", 7);
    });
    q.Done();
    // The city round: each county's best.
    Progress c("contest: city round, outcomes", 1);
    const std::string city_round =
        NewRound("city", cv1::LEVEL_CITY, kCity, "全市嘎查村党组织书记“擂台比武”", "市级擂台赛", 0, 0);
    for (const auto& f : finals_) Promote(f.id, city_round);
    const cv1::Results city = Judge(city_round, "city", 9);
    // Model villages (乡村振兴精品示范村) are villages: the best-ranked village
    // organisations of the city round, designated in personnel directly.
    std::vector<std::string> model;
    for (const auto& e : city.entries()) {
      for (const auto& o : orgs_) {
        if (o.secretary_id == e.cadre_id() && o.kind == pv1::PARTY_ORG_KIND_VILLAGE &&
            static_cast<int64_t>(model.size()) < Scaled(15)) {
          model.push_back(o.id);
        }
      }
    }
    for (const auto& id : model) {
      pv1::AddDesignationRequest ad;
      ad.set_request_id(Rid("model-village", id));
      ad.mutable_designation()->set_party_org_id(id);
      ad.mutable_designation()->set_kind(pv1::DESIGNATION_KIND_MODEL_VILLAGE);
      ad.mutable_designation()->set_year(kYear);
      ad.mutable_designation()->set_source("contest/city-round/" + city_round);
      ad.mutable_designation()->set_note("“比武争星”排名靠前，列为乡村振兴精品示范村创建对象，加大项目、资金支持");
      s_.Call(s_.personnel(), &pv1::PersonnelService::Stub::AddDesignation, ad, *city_, "AddDesignation");
    }
    cv1::ConvertOutcomesRequest co;
    co.set_request_id(Rid("outcomes", "city"));
    co.set_round_id(city_round);
    const std::pair<cv1::OutcomeKind, int64_t> top[] = {{cv1::OUTCOME_KIND_DEMONSTRATION_SITE, Scaled(20)},
                                                        {cv1::OUTCOME_KIND_STRONGEST_BRANCH, Scaled(10)}};
    for (auto [kind, n] : top) {
      auto* r = co.add_rules();
      r->set_kind(kind);
      r->set_n(static_cast<int>(n));
    }
    s_.Call(s_.contest(), &cv1::ContestService::Stub::ConvertOutcomes, co, *city_, "ConvertOutcomes");
    c.Done();
    // The last village of each larger township's preliminary: a rectification
    // target, with an instructor sent (派员指导). Outcomes come from county and
    // city rounds, so the county designates these in personnel itself.
    std::map<std::string, const Org*> org_of;
    for (const auto& o : orgs_) org_of[o.secretary_id] = &o;
    Progress r("contest: rectification targets", static_cast<int64_t>(prelims.size()));
    ParallelFor(static_cast<int64_t>(prelims.size()), o_.threads, &r, [&](int64_t i) {
      const auto& entries = prelims[i].results.entries();
      if (entries.size() < 25) return;
      for (auto e = entries.rbegin(); e != entries.rend(); ++e) {
        auto it = org_of.find(e->cadre_id());
        if (it == org_of.end() || it->second->kind != pv1::PARTY_ORG_KIND_VILLAGE) continue;
        pv1::AddDesignationRequest ad;
        ad.set_request_id(Rid("rectify", it->second->id));
        auto* d = ad.mutable_designation();
        d->set_party_org_id(it->second->id);
        d->set_kind(pv1::DESIGNATION_KIND_RECTIFICATION_TARGET);
        d->set_year(kYear);
        d->set_source("contest/round/" + prelims[i].id);
        d->set_note(absl::StrCat("乡镇初赛排名末位（第", e->rank(), "名）"));
        d->set_instructor("旗县委组织部派驻指导员");
        *d->mutable_rectification_deadline() = D(2023, 12, 31);
        s_.Call(s_.personnel(), &pv1::PersonnelService::Stub::AddDesignation, ad,
                s_.Token(auth::Role::kCountyOperator, it->second->county), "AddDesignation");
        return;
      }
    });
    r.Done();
  }

  // ------------------------------------------------- good secretaries (好支书)
  void GoodSecretaries() {
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
        if (it == org_of_cadre.end() || orgs_[it->second].kind != pv1::PARTY_ORG_KIND_VILLAGE) continue;
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
    s_.Call(s_.personnel(), &pv1::PersonnelService::Stub::SetProfileThresholds, th, *city_, "SetProfileThresholds");
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
    auto round =
        s_.Call(s_.personnel(), &pv1::PersonnelService::Stub::CreateSelectionRound, sr, *city_, "CreateSelectionRound");
    Progress p("personnel: precise profiles and 好支书 confirmed", static_cast<int64_t>(good_.size()));
    ParallelFor(static_cast<int64_t>(good_.size()), o_.threads, &p, [&](int64_t i) {
      const Org& o = orgs_[good_[i]];
      const std::string& county = s_.Token(auth::Role::kCountyOperator, o.county);
      const char* evidence[] = {"政治立场坚定，带头落实上级决策部署", "能力本领过硬，擂台比武名列前茅",
                                "政策执行有力，惠民政策落实到位", "工作业绩突出，村集体经济收入增长",
                                "党员群众满意，民主测评满意率高"};
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
        s_.Call(s_.personnel(), &pv1::PersonnelService::Stub::RecordEvaluation, ev, county, "RecordEvaluation");
      }
      pv1::NominateGoodSecretaryRequest nom;
      nom.set_request_id(Rid("nominate", o.secretary_id));
      nom.set_round_id(round.id());
      nom.set_cadre_id(o.secretary_id);
      nom.set_reason("精准画像五项基本条件均达标，擂台比武成绩突出");
      auto n = s_.Call(s_.personnel(), &pv1::PersonnelService::Stub::NominateGoodSecretary, nom, county,
                       "NominateGoodSecretary");
      pv1::ConfirmGoodSecretaryRequest cf;
      cf.set_request_id(Rid("confirm", o.secretary_id));
      cf.set_id(n.id());
      s_.Call(s_.personnel(), &pv1::PersonnelService::Stub::ConfirmGoodSecretary, cf, *city_, "ConfirmGoodSecretary");
    });
    p.Done();
  }

  // ------------------------------------- supervision, exits, adjustments
  void SupervisionAndAdjustments() {
    std::set<size_t> good(good_.begin(), good_.end());
    // The weakest village secretaries in their preliminaries.
    std::vector<std::pair<double, size_t>> weakest;
    for (size_t v = 0; v < villages_; ++v) {
      if (orgs_[v].kind != pv1::PARTY_ORG_KIND_VILLAGE || good.count(v)) continue;
      const auto [rank, n] = prelim_rank_[orgs_[v].secretary_id];
      weakest.push_back({-static_cast<double>(rank) / std::max(1, n), v});
    }
    std::sort(weakest.begin(), weakest.end());
    const int64_t adjusted = want_.adjusted, rectified = Scaled(40);
    const int64_t flagged = std::min<int64_t>(adjusted + rectified, static_cast<int64_t>(weakest.size()));
    Progress p("incentive: supervision, exit measures, adjustments", flagged);
    ParallelFor(flagged, o_.threads, &p, [&](int64_t i) {
      const Org& o = orgs_[weakest[i].second];
      const std::string& county = s_.Token(auth::Role::kCountyOperator, o.county);
      const bool adjust = i < adjusted;
      iv1::RaiseFlagRequest rf;
      rf.set_request_id(Rid("flag", o.secretary_id));
      auto* c = rf.mutable_supervision_case();
      c->set_cadre_id(o.secretary_id);
      c->set_kind(static_cast<iv1::FlagKind>(1 + i % 3));
      c->set_reminder("苏木乡镇党委书记提醒谈话，明确整改要求");
      *c->mutable_raised_on() = D(2023, 5, 10 + static_cast<int>(i % 15));
      *c->mutable_rectify_by() = D(2023, 7, 10 + static_cast<int>(i % 15));
      auto made = s_.Call(s_.incentive(), &iv1::IncentiveService::Stub::RaiseFlag, rf, county, "RaiseFlag");
      iv1::AddFollowUpRequest fu;
      fu.set_request_id(Rid("follow-up", o.secretary_id));
      fu.set_case_id(made.id());
      *fu.mutable_follow_up()->mutable_on() = D(2023, 7, 28);
      fu.mutable_follow_up()->set_rectified(!adjust);
      fu.mutable_follow_up()->set_note(adjust ? "整改不到位，工作仍无起色" : "已按要求完成整改");
      s_.Call(s_.incentive(), &iv1::IncentiveService::Stub::AddFollowUp, fu, county, "AddFollowUp");
      iv1::RecordCareRequest care;
      care.set_request_id(Rid("care-talk", o.secretary_id));
      care.mutable_record()->set_cadre_id(o.secretary_id);
      care.mutable_record()->set_kind(iv1::CARE_KIND_TALK);
      *care.mutable_record()->mutable_on() = D(2023, 5, 28);
      care.mutable_record()->set_summary("谈心谈话，了解思想状况和工作困难");
      s_.Call(s_.incentive(), &iv1::IncentiveService::Stub::RecordCare, care, county, "RecordCare");
      if (!adjust) return;
      iv1::DecideExitMeasureRequest dm;
      dm.set_request_id(Rid("measure", o.secretary_id));
      auto* m = dm.mutable_measure();
      m->set_cadre_id(o.secretary_id);
      m->set_kind(iv1::MEASURE_KIND_ADMONITION);
      m->set_grounds("督促整改期满仍未整改到位");
      *m->mutable_decided_on() = D(2023, 8, 5);
      m->set_deciding_body("旗县委组织部");
      m->set_cadre_statement("本人已知悉，将认真反思");
      m->set_appeal_window_days(15);
      s_.Call(s_.incentive(), &iv1::IncentiveService::Stub::DecideExitMeasure, dm, county, "DecideExitMeasure");
      pv1::ReplaceSecretaryRequest rs;
      rs.set_request_id(Rid("replace", o.id));
      rs.set_party_org_id(o.id);
      rs.set_new_cadre_id(o.successor_id);
      *rs.mutable_effective_on() = D(2023, 9, 15 + static_cast<int>(i % 10));
      rs.set_reason(pv1::POSITION_END_REASON_ADJUSTMENT);
      rs.set_kind(pv1::POSITION_KIND_DUAL_ROLE);
      rs.set_note("履职不力，经旗县委研究予以调整");
      s_.Call(s_.personnel(), &pv1::PersonnelService::Stub::ReplaceSecretary, rs, county, "ReplaceSecretary");
    });
    p.Done();
    // Counselling and hardship aid for a few; wellbeing check-ins.
    Progress w("incentive: care and wellbeing check-ins", static_cast<int64_t>(villages_));
    ParallelFor(static_cast<int64_t>(villages_), o_.threads, &w, [&](int64_t v) {
      const Org& o = orgs_[v];
      if (Pick(o.region + "checkin", 5, o_.seed) != 0) return;
      const std::string& county = s_.Token(auth::Role::kCountyOperator, o.county);
      iv1::CheckInRequest ci;
      ci.set_request_id(Rid("check-in", o.region));
      auto* c = ci.mutable_check_in();
      c->set_cadre_id(o.secretary_id);
      *c->mutable_on() = D(2023, 10, 20);
      const bool low = Pick(o.region + "low", 6, o_.seed) == 0;
      c->set_mind(low ? 2 : 4);
      c->set_body(4);
      c->set_work(low ? 2 : 5);
      c->set_life(4);
      s_.Call(s_.incentive(), &iv1::IncentiveService::Stub::CheckIn, ci, county, "CheckIn");
      if (!low) return;
      iv1::RecordCareRequest care;
      care.set_request_id(Rid("care", o.region));
      care.mutable_record()->set_cadre_id(o.secretary_id);
      const bool aid = v % 2 == 0;
      care.mutable_record()->set_kind(aid ? iv1::CARE_KIND_HARDSHIP_AID : iv1::CARE_KIND_COUNSELLING);
      *care.mutable_record()->mutable_on() = D(2023, 10, 28);
      care.mutable_record()->set_summary(aid ? "家庭困难帮扶" : "心理疏导");
      if (aid) care.mutable_record()->set_aid_fen(300000);
      if (!aid) care.mutable_record()->set_notes("工作压力大，约定每月回访");
      s_.Call(s_.incentive(), &iv1::IncentiveService::Stub::RecordCare, care, county, "RecordCare");
    });
    w.Done();
  }

  // ------------------------------------------------------------ assessment
  void Assessment() {
    for (const auto& county : counties_) {
      SetScheme(s_, county.substr(0, 6), kYear, *city_, Rid("scheme", county));
    }
    // The current secretaries, read from personnel (successors included).
    std::vector<pv1::Secretary> current;
    pv1::ListSecretariesRequest ls;
    ls.set_region_code(kCity);
    for (const auto& x : s_.All(s_.personnel(), &pv1::PersonnelService::Stub::ListSecretaries, ls,
                                &pv1::ListSecretariesResponse::secretaries, *city_, "ListSecretaries")) {
      if (std::count(counties_.begin(), counties_.end(), x.county_code() + "000000")) current.push_back(x);
    }
    Progress p("incentive: daily management, stars, annual review", static_cast<int64_t>(current.size()));
    ParallelFor(static_cast<int64_t>(current.size()), o_.threads, &p, [&](int64_t i) {
      const auto& x = current[i];
      const std::string& county = s_.Token(auth::Role::kCountyOperator, x.county_code() + "000000");
      const double q = Quality(x.cadre_id());
      const auto it = prelim_rank_.find(x.cadre_id());
      const int stars =
          it == prelim_rank_.end() ? 0 : 5 - std::min(4, 5 * (it->second.first - 1) / std::max(1, it->second.second));
      const std::tuple<iv1::InputKind, double, const char*> inputs[] = {
          {iv1::INPUT_KIND_DAILY_MANAGEMENT, std::min(100.0, q + 15), "日常管理考勤与工作纪实"},
          {iv1::INPUT_KIND_STAR_RATING, static_cast<double>(stars), "星级评定"},
          {iv1::INPUT_KIND_ANNUAL_REVIEW, std::min(100.0, q + 12), "年度考核"}};
      int k = 0;
      for (const auto& [kind, value, note] : inputs) {
        iv1::RecordInputRequest ri;
        ri.set_request_id(Rid("input", absl::StrCat(x.cadre_id(), "-", k++)));
        auto* in = ri.mutable_input();
        in->set_cadre_id(x.cadre_id());
        in->set_year(kYear);
        in->set_kind(kind);
        in->set_value(std::round(value * 10) / 10);
        *in->mutable_recorded_on() = D(2023, 12, 5);
        in->set_note(note);
        s_.Call(s_.incentive(), &iv1::IncentiveService::Stub::RecordInput, ri, county, "RecordInput");
      }
    });
    p.Done();
    // Democratic evaluation (民主评议) of each village's secretary by secret ballot.
    std::vector<const pv1::Secretary*> village_secs;
    for (const auto& x : current) {
      if (x.party_org_kind() == pv1::PARTY_ORG_KIND_VILLAGE || x.party_org_kind() == pv1::PARTY_ORG_KIND_COMMUNITY) {
        village_secs.push_back(&x);
      }
    }
    Progress d("incentive: democratic evaluations (secret ballots)", static_cast<int64_t>(village_secs.size()));
    ParallelFor(static_cast<int64_t>(village_secs.size()), o_.threads, &d, [&](int64_t i) {
      const auto& x = *village_secs[i];
      const std::string& county = s_.Token(auth::Role::kCountyOperator, x.county_code() + "000000");
      iv1::OpenEvaluationRequest oe;
      oe.set_request_id(Rid("evaluation-open", x.party_org_id()));
      auto* e = oe.mutable_evaluation();
      e->set_village_code(x.region_code());
      e->set_year(kYear);
      *e->mutable_meeting_date() = D(2023, 12, 10);
      e->add_cadre_ids(x.cadre_id());
      e->set_electorate(15);
      auto ev = s_.Call(s_.incentive(), &iv1::IncentiveService::Stub::OpenEvaluation, oe, county, "OpenEvaluation");
      if (ev.closed()) return;  // a rerun: counted already
      iv1::IssueVoterCodesRequest ic;
      ic.set_evaluation_id(ev.id());
      ic.set_count(15 - ev.codes_issued());
      std::vector<std::string> codes;
      if (ic.count() > 0) {
        auto got =
            s_.Call(s_.incentive(), &iv1::IncentiveService::Stub::IssueVoterCodes, ic, county, "IssueVoterCodes");
        codes.assign(got.codes().begin(), got.codes().end());
      }
      const double q = Quality(x.cadre_id());
      for (size_t k = 0; k < codes.size() && k < 13; ++k) {
        iv1::CastBallotRequest cb;
        cb.set_evaluation_id(ev.id());
        cb.set_voter_code(codes[k]);
        auto* c = cb.add_choices();
        c->set_cadre_id(x.cadre_id());
        const uint64_t r = Pick(absl::StrCat(x.cadre_id(), "/ballot/", k), 100, o_.seed);
        c->set_choice(r < q - 10   ? iv1::CHOICE_SATISFIED
                      : r < q + 15 ? iv1::CHOICE_BASICALLY_SATISFIED
                                   : iv1::CHOICE_DISSATISFIED);
        s_.Call(s_.incentive(), &iv1::IncentiveService::Stub::CastBallot, cb, "" + county, "CastBallot");
      }
      iv1::CloseEvaluationRequest ce;
      ce.set_request_id(Rid("evaluation-close", x.party_org_id()));
      ce.set_id(ev.id());
      s_.Call(s_.incentive(), &iv1::IncentiveService::Stub::CloseEvaluation, ce, county, "CloseEvaluation");
    });
    d.Done();
    Progress a("incentive: differentiated assessment (差异化考核)", static_cast<int64_t>(counties_.size()));
    ParallelFor(static_cast<int64_t>(counties_.size()), 2, &a, [&](int64_t ci) {
      iv1::ComputeAssessmentsRequest ca;
      ca.set_request_id(Rid("assess", counties_[ci]));
      ca.set_county_code(counties_[ci].substr(0, 6));
      ca.set_year(kYear);
      s_.Call(s_.incentive(), &iv1::IncentiveService::Stub::ComputeAssessments, ca,
              s_.Token(auth::Role::kCountyOperator, counties_[ci]), "ComputeAssessments");
    });
    a.Done();
  }

  // --------------------------------------- awards, promotions, publicity
  void Rewards() {
    Progress p("incentive: care awards, promotions, interviews", static_cast<int64_t>(good_.size()) + 1);
    iv1::SetBudgetRequest sb;
    sb.set_request_id(Rid("budget", kYear));
    sb.mutable_budget()->set_region_code(kCity);
    sb.mutable_budget()->set_year(kYear);
    sb.mutable_budget()->set_programme(iv1::PROGRAMME_CARE);
    sb.mutable_budget()->set_amount_fen(want_.good_secretaries * want_.award_fen);
    s_.Call(s_.incentive(), &iv1::IncentiveService::Stub::SetBudget, sb, *city_, "SetBudget");
    iv1::PayCareAwardsRequest pay;
    pay.set_request_id(Rid("pay", kYear));
    pay.set_region_code(kCity);
    pay.set_year(kYear);
    s_.Call(s_.incentive(), &iv1::IncentiveService::Stub::PayCareAwards, pay, *city_, "PayCareAwards");
    p.Add();
    const int64_t deputies = want_.deputies, civil = want_.civil_servants, staff = want_.institution_staff;
    ParallelFor(static_cast<int64_t>(good_.size()), o_.threads, &p, [&](int64_t i) {
      const Org& o = orgs_[good_[i]];
      const std::string& county = s_.Token(auth::Role::kCountyOperator, o.county);
      if (i < deputies + civil + staff) {
        iv1::RecordPromotionRequest rp;
        rp.set_request_id(Rid("promotion", o.secretary_id));
        auto* pr = rp.mutable_promotion();
        pr->set_cadre_id(o.secretary_id);
        pr->set_year(kYear);
        const auto ch = i < deputies           ? iv1::CHANNEL_TOWNSHIP_DEPUTY
                        : i < deputies + civil ? iv1::CHANNEL_CIVIL_SERVICE
                                               : iv1::CHANNEL_PUBLIC_INSTITUTION;
        pr->set_channel(ch);
        pr->set_post(absl::StrCat(names_[o.township], ch == iv1::CHANNEL_TOWNSHIP_DEPUTY ? "副镇长（副苏木达）"
                                                      : ch == iv1::CHANNEL_CIVIL_SERVICE ? "公务员"
                                                                                         : "事业编制人员"));
        *pr->mutable_effective_on() = D(2023, 12, 1 + static_cast<int>(i % 20));
        s_.Call(s_.incentive(), &iv1::IncentiveService::Stub::RecordPromotion, rp, county, "RecordPromotion");
      }
      iv1::ArrangeInterviewRequest ai;
      ai.set_request_id(Rid("interview", o.secretary_id));
      auto* in = ai.mutable_interview();
      in->set_cadre_id(o.secretary_id);
      in->set_basis(iv1::BASIS_GOOD_SECRETARY);
      in->set_outlet(i % 2 ? "乌兰察布日报" : "乌兰察布广播电视台");
      in->set_topic("乡村振兴担当作为好支书专访");
      *in->mutable_on() = D(2023, 12, 20);
      in->set_year(kYear);
      s_.Call(s_.incentive(), &iv1::IncentiveService::Stub::ArrangeInterview, ai, county, "ArrangeInterview");
    });
    p.Done();
  }

  Session& s_;
  const UlanqabOptions& o_;
  std::mt19937_64 rng_;
  const std::string* city_ = nullptr;
  double f_ = 1;
  Expected want_;
  std::map<std::string, std::string> names_;
  std::vector<std::string> counties_, townships_, village_regions_;
  std::vector<Org> orgs_;  // the villages' first, then the other fields'
  size_t villages_ = 0;
  std::map<std::string, std::pair<int, int>> prelim_rank_;  // cadre → rank, entrants
  std::vector<RoundRun> finals_;
  std::vector<int64_t> quotas_;
  std::vector<size_t> good_;
};

}  // namespace

int RunUlanqab2023(const UlanqabOptions& options) {
  Session session(options.endpoints);
  return RunScenario("Ulanqab 2023", [&] { return Ulanqab(session, options).Run(); });
}

}  // namespace touyan::ctl::scenario
