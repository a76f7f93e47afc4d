// Any bytes as contest's request payloads: validation never crashes, what it
// accepts keeps the invariants storage relies on, and tabulation of any
// accepted scores is finite and deterministic.
#include <cmath>
#include <cstdint>

#include "services/contest/domain/rules.h"
#include "services/contest/domain/tabulation.h"
#include "touyan/contest/v1/contest.pb.h"

namespace v1 = touyan::contest::v1;
namespace ct = touyan::contest;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t* p = data + 1;
  const int n = static_cast<int>(size - 1);
  switch (data[0] % 4) {
    case 0: {
      v1::Contest c;
      if (c.ParseFromArray(p, n)) (void)ct::ValidateContest(c, 2027);
      break;
    }
    case 1: {
      v1::Round r;
      if (r.ParseFromArray(p, n) && ct::NormalizeRound(r).ok()) {
        if (r.rubric().empty() || r.aggregation() == v1::AGGREGATION_UNSPECIFIED) __builtin_trap();
      }
      break;
    }
    case 2: {
      v1::WorkReport w;
      if (w.ParseFromArray(p, n)) (void)ct::ValidateReport(w);
      break;
    }
    case 3: {
      // A rubric and scores: only those ValidateScore accepts are tabulated.
      v1::Round r;
      if (!r.ParseFromArray(p, n) || !ct::NormalizeRound(r).ok()) return 0;
      ct::TabulationInput in;
      in.aggregation = r.aggregation();
      in.rubric.assign(r.rubric().begin(), r.rubric().end());
      in.star_bands.assign(r.star_bands().begin(), r.star_bands().end());
      in.entries = {{"e1", "c1", "a", "A"}, {"e2", "c2", "b", "A"}};
      for (size_t i = 0; i + 1 < size; i += 2) {
        v1::Score s;
        s.set_dimension(r.rubric(data[i] % r.rubric_size()).key());
        s.set_value(data[i + 1] % 101);
        absl::StatusOr<int> dim = ct::ValidateScore(s, r.rubric());
        if (dim.ok()) {
          in.scores.push_back(
              {i % 3 ? 1 : 2, i % 2 ? size_t{0} : size_t{1}, static_cast<size_t>(*dim), s.value()});
        }
      }
      auto a = ct::Tabulate(in);
      for (const auto& e : a) {
        if (!std::isfinite(e.total()) || e.rank() < 1) __builtin_trap();
      }
      if (ct::Digest(a) != ct::Digest(ct::Tabulate(in))) __builtin_trap();
      break;
    }
  }
  return 0;
}
