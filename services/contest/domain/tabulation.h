// Contest tabulation, plain C++: aggregation of judges' scores (mean,
// trimmed mean, per-judge z-scores), weighted totals, ranking with shared
// ranks for equal totals, stars, advancement, and the SHA-256 digest of the
// result set that sign-offs refer to. No database, no network.
#ifndef TOUYAN_SERVICES_CONTEST_DOMAIN_TABULATION_H_
#define TOUYAN_SERVICES_CONTEST_DOMAIN_TABULATION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "touyan/contest/v1/contest.pb.h"

namespace touyan::contest {

// One judge's score of one entry in one dimension. Entries and dimensions
// are positions in TabulationInput's `entries` and `rubric`; judges are any
// numbers that tell them apart.
struct ScoreRow {
  int64_t judge = 0;
  size_t entry = 0;
  size_t dimension = 0;
  double value = 0;
};

struct EntryRef {
  std::string entry_id;
  std::string cadre_id;
  std::string cadre_name;
  std::string panel = {};
};

struct TabulationInput {
  v1::Aggregation aggregation = v1::AGGREGATION_MEAN;
  std::vector<v1::Dimension> rubric;
  std::vector<EntryRef> entries;  // every entry still in the round
  std::vector<ScoreRow> scores;   // of those entries (others are ignored)
  std::vector<v1::StarBand> star_bands;
  int advance_top_n = 0;
  double advance_top_share = 0;
  bool advance_by_panel = false;  // the rule applies within each panel
};

// Results by rank, then entry id. Totals are rounded to 6 decimals before
// ranking, so that equal sums computed in another order still tie. Stars:
// the first band (in the order given) whose top share of the entries
// (rounded up) includes the entry's rank. An entry without a score in a
// dimension gets 0 there. Each entry also gets its rank within its panel;
// with advance_by_panel the advancement rule applies to that rank and the
// panel's size.
std::vector<v1::EntryResult> Tabulate(const TabulationInput& in);

// The canonical encoding: one line per result in the order given,
// "entry_id|cadre_id|key=aggregate;…(keys sorted)|total|rank|stars|advances\n",
// numbers with 6 decimals; the digest is its SHA-256 in lowercase hex.
std::string CanonicalEncoding(const std::vector<v1::EntryResult>& results);
std::string Digest(const std::vector<v1::EntryResult>& results);

}  // namespace touyan::contest

#endif  // TOUYAN_SERVICES_CONTEST_DOMAIN_TABULATION_H_
