// Scores as the service receives them (one message of a batch, or one
// score), held compact for the repository to check and store.
#ifndef TOUYAN_SERVICES_CONTEST_SCORE_LIST_H_
#define TOUYAN_SERVICES_CONTEST_SCORE_LIST_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "touyan/contest/v1/contest.pb.h"

namespace touyan::contest {

// Held as messages, a batch of 89,000 scores cost ~80 ms of a B5 round's
// ingest, most of it in fresh memory (perf); held as numbers it takes 32
// bytes a score. Ids of the round's county are kept as their numbers and
// dimensions as positions in dimensions(); a score whose id does not parse
// or names another county is kept whole, for the repository to refuse with
// the error it earns.
class ScoreList {
 public:
  struct Item {
    int64_t judge = 0;  // numbers in the round's county
    int64_t entry = 0;
    double value = 0;
    uint32_t dimension = 0;  // in dimensions()
    int32_t whole = -1;      // ≥ 0: the score is whole(item)
  };

  explicit ScoreList(std::string county_code) : county_code_(std::move(county_code)) {}

  void Add(const v1::Score& s);

  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  const Item& operator[](size_t i) const { return items_[i]; }
  // The dimensions named, in the order first named.
  const std::vector<std::string>& dimensions() const { return dimensions_; }
  const v1::Score& whole(const Item& item) const { return whole_[static_cast<size_t>(item.whole)]; }

 private:
  std::string county_code_;
  std::vector<Item> items_;
  std::vector<std::string> dimensions_;
  absl::flat_hash_map<std::string, uint32_t> dimension_of_;
  std::vector<v1::Score> whole_;
};

}  // namespace touyan::contest

#endif  // TOUYAN_SERVICES_CONTEST_SCORE_LIST_H_
