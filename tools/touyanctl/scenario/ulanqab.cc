// The Ulanqab 2023 scenario: the year the source describes, written through
// the public APIs on the real region tree, then its annual report.
#include "tools/touyanctl/scenario/ulanqab.h"

namespace touyan::ctl::scenario::u23 {

int Ulanqab::Run() {
  LoadRegions();
  city_ = &s_.Token(auth::Role::kCityOrgDept, kCity);
  std::fprintf(stderr,
               "[touyan] Ulanqab 2023 on %zu counties, %zu townships, %zu villages (scale %.3f)\n",
               counties_.size(), townships_.size(), village_regions_.size(), f_);
  if (!o_.report_only) Write();
  return Publish();
}

void Ulanqab::Write() {
  Organisations();
  People();
  Seeds();
  Training();
  Visits();
  Contests();
  GoodSecretaries();
  SupervisionAndAdjustments();
  CatchUp("township", D(2023, 11, 20), D(2023, 11, 22));
  Assessment();
  Consequences();
  Rewards();
  Promotions();
  // The successors who took office in December catch up on the theme.
  CatchUp("successors", D(2023, 12, 11), D(2023, 12, 13));
}

int Ulanqab::Publish() {
  Report r = BuildReport(s_, kCity, kYear, kTheme, want_);
  const std::string stem = o_.report_dir + "/ulanqab-2023-report";
  auto files =
      WriteReport(r,
                  absl::StrCat("乌兰察布市“头雁工程” 2023 annual report — ", counties_.size(),
                               " of 11 counties, figures read back from the services"),
                  f_ < 1 ? absl::StrFormat("source 2023 × %.3f", f_) : "source 2023", stem);
  for (const auto& f : files) std::fprintf(stderr, "[touyan] wrote %s\n", f.c_str());
  if (!r.ok()) {
    std::fprintf(
        stderr,
        "[touyan] some figures differ from what the scenario set out to produce (✗ above)\n");
    return 1;
  }
  return 0;
}

// ----------------------------------------------------------------- regions

void Ulanqab::LoadRegions() {
  std::ifstream in(o_.regions_file);
  if (!in) throw Failure("cannot read the region tree " + o_.regions_file + " (--regions=FILE)");
  auto regions = ReadRegions(in);
  if (!regions.ok()) throw Failure(std::string(regions.status().message()));
  int64_t all_villages = 0;
  std::vector<std::string> counties;
  std::map<std::string, int64_t> villages_in;
  for (const auto& r : *regions) {
    names_[r.code()] = r.name();
    if (r.level() == pv1::REGION_LEVEL_COUNTY && absl::StartsWith(r.code(), "1509"))
      counties.push_back(r.code());
    if (r.level() == pv1::REGION_LEVEL_VILLAGE) {
      ++all_villages;
      ++villages_in[CountyOf(r.code())];
    }
  }
  // Part of the city: the counties with the most villages.
  std::sort(counties.begin(), counties.end(), [&](const std::string& a, const std::string& b) {
    return villages_in[a] != villages_in[b] ? villages_in[a] > villages_in[b] : a < b;
  });
  if (o_.counties > 0 && o_.counties < static_cast<int>(counties.size()))
    counties.resize(o_.counties);
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
  want_.county_classes =
      std::max<int64_t>(static_cast<int64_t>(counties_.size()), std::llround(359 * f_));
  want_.county_trainees = std::llround(45000 * f_);
  want_.good_secretaries = Scaled(100);
  want_.adjusted = Scaled(62);
  want_.deputies = Scaled(13);
  want_.civil_servants = Scaled(7);
  want_.institution_staff = Scaled(4);
}

std::vector<int64_t> Ulanqab::Apportion(int64_t total, const std::vector<int64_t>& weights) {
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
  std::sort(rest.begin(), rest.end(), [](auto a, auto b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  });
  for (size_t k = 0; given < total; ++k, ++given) ++out[rest[k % rest.size()].second];
  return out;
}

}  // namespace touyan::ctl::scenario::u23

namespace touyan::ctl::scenario {

int RunUlanqab2023(const UlanqabOptions& options) {
  Session session(options.endpoints);
  return RunScenario("Ulanqab 2023", [&] { return u23::Ulanqab(session, options).Run(); });
}

}  // namespace touyan::ctl::scenario
