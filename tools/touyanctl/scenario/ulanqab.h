// The Ulanqab 2023 scenario, internal: the year's state and its chapters,
// one file each (ulanqab.cc runs them; ulanqab_people.cc, _training.cc,
// _contest.cc, _incentive.cc write them through the public APIs).
#ifndef TOUYAN_TOOLS_TOUYANCTL_SCENARIO_ULANQAB_H_
#define TOUYAN_TOOLS_TOUYANCTL_SCENARIO_ULANQAB_H_

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

namespace touyan::ctl::scenario::u23 {

inline constexpr int kYear = 2023;
inline constexpr char kCity[] = "150900000000";
inline constexpr char kTheme[] = "乡村振兴";
inline constexpr char kHouqi[] = "150928000000";  // 察右后旗
inline constexpr int64_t kPersonBase = 6000000;   // generated people's sequence numbers start here

inline google::type::Date D(int y, int m, int d) {
  google::type::Date out;
  out.set_year(y);
  out.set_month(m);
  out.set_day(d);
  return out;
}

// A stable number in [0, n) for a key: the scenario's "randomness".
inline uint64_t Pick(const std::string& key, uint64_t n, uint64_t seed) {
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
};

struct RoundRun {
  std::string id;
  cv1::Results results;
};

class Ulanqab {
 public:
  Ulanqab(Session& s, const UlanqabOptions& o) : s_(s), o_(o), rng_(o.seed) {}

  int Run();

 private:
  void Write();

  int Publish();

  template <typename T>
  std::string Rid(const std::string& what, const T& i) {
    return absl::StrCat("u23-", o_.seed, "-", counties_.size(), "-", what, "-", i);
  }
  int64_t Scaled(double full) const { return std::max<int64_t>(1, std::llround(full * f_)); }

  void LoadRegions();

  std::string CountyOf(const std::string& code) const { return code.substr(0, 6) + "000000"; }
  std::string TownshipOf(const std::string& code) const { return code.substr(0, 9) + "000"; }

  // Shares of `total` for `weights` by the largest remainder (they sum to total).
  static std::vector<int64_t> Apportion(int64_t total, const std::vector<int64_t>& weights);

  void Organisations();

  void Import(const std::string& key, const std::string& what,
              const std::vector<pv1::Cadre>& people, pv1::PositionKind post);

  void People();

  void Seeds();
  // `person` through the seed pipeline of `o`'s village (村推 → 镇选 → 县考),
  // approved; `key` keys the requests.
  void ApproveSeed(const Org& o, const pv1::Cadre& person, const std::string& strengths,
                   const std::string& key);

  tv1::TrainingClass NewClass(
      tv1::Tier tier, const std::string& region, const std::string& title, int capacity,
      std::vector<std::pair<google::type::Date, google::type::Date>> segments);

  std::string CreateClass(const std::string& rid, const tv1::TrainingClass& c);

  // Marks every enrolment of a class for each segment: present unless `absent`.
  void Attend(const std::string& class_id, int segments,
              const std::vector<tv1::Enrolment>& enrolments, const std::set<std::string>& absent,
              const std::string& rid);

  void Training();

  // Townships catch up whoever is not covered (兜底轮训) in a class from
  // `first` to `last` (`tag` keys the requests): in November, those who
  // missed their county class and the secretaries who took over in the
  // autumn; in December, the successors of the promoted.
  void CatchUp(const std::string& tag, const google::type::Date& first,
               const google::type::Date& last);

  void Visits();

  std::string NewRound(const std::string& key, cv1::Level level, const std::string& region,
                       const std::string& title, const std::string& round_name, int advance_n,
                       double advance_share);

  // How well a secretary presents: stable per person, 55–95.
  double Quality(const std::string& cadre) const {
    return 55 + static_cast<double>(Pick(cadre, 400, o_.seed)) / 10.0;
  }

  // Judged to the end (scores around each secretary's quality), then its results.
  cv1::Results Judge(const std::string& round, const std::string& round_name, int judges);

  void Promote(const std::string& from, const std::string& to);

  void Contests();

  void GoodSecretaries();

  void SupervisionAndAdjustments();

  void Assessment();
  // What the grades lead to: the counties' proposals and their decisions.
  void Consequences();

  void Rewards();
  // 雨露计划: the city's best candidates of each channel promoted out of
  // their villages; each vacancy filled from the village's reserve.
  void Promotions();
  // A vacancy of `o` filled on `on` from the village's reserve (its first
  // approved seed, appointed), and the reserve refilled with a new seed
  // (generated person number `person`); `tag` keys the requests.
  void FillFromReserve(const Org& o, const google::type::Date& on, const std::string& tag,
                       int64_t person);

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

}  // namespace touyan::ctl::scenario::u23

#endif  // TOUYAN_TOOLS_TOUYANCTL_SCENARIO_ULANQAB_H_
