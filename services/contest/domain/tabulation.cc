#include "services/contest/domain/tabulation.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/crypto/digest.h"

namespace touyan::contest {
namespace {

double Mean(const std::vector<double>& v) {
  if (v.empty()) return 0;
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

double Round6(double x) { return std::round(x * 1e6) / 1e6; }

struct Stats {
  double mean = 0, sd = 0;
};

}  // namespace

std::vector<v1::EntryResult> Tabulate(const TabulationInput& in) {
  const size_t dims = in.rubric.size();
  const size_t n_entries = in.entries.size();
  auto counts = [&](const ScoreRow& s) { return s.entry < n_entries && s.dimension < dims; };
  // Per judge and dimension: mean and (population) standard deviation.
  absl::flat_hash_map<std::pair<int64_t, size_t>, Stats> stats;
  if (in.aggregation == v1::AGGREGATION_Z_SCORE) {
    absl::flat_hash_map<std::pair<int64_t, size_t>, std::vector<double>> by_judge;
    for (const ScoreRow& s : in.scores) {
      if (counts(s)) by_judge[{s.judge, s.dimension}].push_back(s.value);
    }
    for (const auto& [k, v] : by_judge) {
      Stats st;
      st.mean = Mean(v);
      double var = 0;
      for (double x : v) var += (x - st.mean) * (x - st.mean);
      st.sd = std::sqrt(var / static_cast<double>(v.size()));
      stats[k] = st;
    }
  }
  // Per entry and dimension (entry-major): the values to aggregate.
  std::vector<std::vector<double>> values(n_entries * dims);
  for (const ScoreRow& s : in.scores) {
    if (!counts(s)) continue;
    double v = s.value;
    if (in.aggregation == v1::AGGREGATION_Z_SCORE) {
      const Stats& st = stats[{s.judge, s.dimension}];
      v = st.sd > 0 ? (s.value - st.mean) / st.sd : 0;
    }
    values[s.entry * dims + s.dimension].push_back(v);
  }

  std::vector<v1::EntryResult> out;
  out.reserve(n_entries);
  for (size_t i = 0; i < n_entries; ++i) {
    const EntryRef& e = in.entries[i];
    v1::EntryResult r;
    r.set_entry_id(e.entry_id);
    r.set_cadre_id(e.cadre_id);
    r.set_cadre_name(e.cadre_name);
    r.set_panel(e.panel);
    double total = 0;
    for (size_t d = 0; d < dims; ++d) {
      std::vector<double>& v = values[i * dims + d];
      if (in.aggregation == v1::AGGREGATION_TRIMMED_MEAN && v.size() >= 5) {
        std::sort(v.begin(), v.end());
        v.pop_back();
        v.erase(v.begin());
      }
      const double agg = Round6(Mean(v));
      (*r.mutable_by_dimension())[in.rubric[d].key()] = agg;
      total += in.rubric[d].weight() * agg;
    }
    r.set_total(Round6(total));
    out.push_back(std::move(r));
  }
  std::sort(out.begin(), out.end(), [](const v1::EntryResult& a, const v1::EntryResult& b) {
    if (a.total() != b.total()) return a.total() > b.total();
    return a.entry_id() < b.entry_id();
  });
  const int n = static_cast<int>(out.size());
  auto within_of = [](double share, int rank, int size) {
    return rank <= static_cast<int>(std::ceil(share * size - 1e-9));
  };
  auto within = [&](double share, int rank) { return within_of(share, rank, n); };
  // Ranks within each panel (same tie rule), and the panels' sizes.
  std::map<std::string, std::pair<int, const v1::EntryResult*>> seen;  // panel → (count, last)
  std::map<std::string, int> panel_size;
  for (const v1::EntryResult& r : out) ++panel_size[r.panel()];
  for (int i = 0; i < n; ++i) {
    v1::EntryResult& r = out[i];
    r.set_rank(i > 0 && out[i - 1].total() == r.total() ? out[i - 1].rank() : i + 1);
    for (const v1::StarBand& b : in.star_bands) {
      if (within(b.top_share(), r.rank())) {
        r.set_stars(b.stars());
        break;
      }
    }
    auto& [count, last] = seen[r.panel()];
    ++count;
    r.set_panel_rank(last != nullptr && last->total() == r.total() ? last->panel_rank() : count);
    last = &r;
    const int rank = in.advance_by_panel ? r.panel_rank() : r.rank();
    const int size = in.advance_by_panel ? panel_size[r.panel()] : n;
    const bool by_n = in.advance_top_n > 0 && rank <= in.advance_top_n;
    const bool by_share = in.advance_top_share > 0 && within_of(in.advance_top_share, rank, size);
    r.set_advances(by_n || by_share);
  }
  return out;
}

std::string CanonicalEncoding(const std::vector<v1::EntryResult>& results) {
  std::string out;
  for (const v1::EntryResult& r : results) {
    std::map<std::string, double> dims(r.by_dimension().begin(), r.by_dimension().end());
    std::string d;
    for (const auto& [k, v] : dims)
      absl::StrAppend(&d, d.empty() ? "" : ";", k, "=", absl::StrFormat("%.6f", v));
    absl::StrAppend(&out, r.entry_id(), "|", r.cadre_id(), "|", d, "|",
                    absl::StrFormat("%.6f", r.total()), "|", r.rank(), "|", r.stars(), "|",
                    r.advances() ? 1 : 0, "\n");
  }
  return out;
}

std::string Digest(const std::vector<v1::EntryResult>& results) {
  return crypto::Sha256Hex(CanonicalEncoding(results));
}

}  // namespace touyan::contest
