#include "services/contest/score_list.h"

#include "common/ids/resource_id.h"

namespace touyan::contest {

void ScoreList::Add(const v1::Score& s) {
  Item item{.value = s.value()};
  auto [d, fresh] = dimension_of_.try_emplace(s.dimension(), dimensions_.size());
  if (fresh) dimensions_.push_back(s.dimension());
  item.dimension = d->second;
  absl::StatusOr<ResourceId> judge = ResourceId::Parse("judge_id", s.judge_id());
  absl::StatusOr<ResourceId> entry = ResourceId::Parse("entry_id", s.entry_id());
  if (judge.ok() && entry.ok() && judge->county_code == county_code_ &&
      entry->county_code == county_code_) {
    item.judge = judge->number;
    item.entry = entry->number;
  } else {
    item.whole = static_cast<int32_t>(whole_.size());
    whole_.push_back(s);
  }
  items_.push_back(item);
}

}  // namespace touyan::contest
