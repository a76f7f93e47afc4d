// Any bytes as training's request payloads: parsing and the domain
// validation the service runs on them never crash, and what validation
// accepts satisfies the invariants the database relies on.
#include <cstdint>

#include "common/time/date.h"
#include "services/training/domain/rules.h"
#include "touyan/training/v1/training.pb.h"

namespace v1 = touyan::training::v1;
namespace tr = touyan::training;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const absl::CivilDay today(2026, 11, 26);
  const uint8_t* p = data + 1;
  const int n = static_cast<int>(size - 1);
  switch (data[0] % 5) {
    case 0: {
      v1::TrainingClass c;
      if (!c.ParseFromArray(p, n)) return 0;
      if (tr::NormalizeClass(c, 2027).ok()) {
        // Numbered 1..n in date order, a rule in range, a region of the tier's level.
        if (c.completion_min_percent() < 1 || c.completion_min_percent() > 100) __builtin_trap();
        if (touyan::LevelOf(c.region_code()) != tr::LevelOfTier(c.tier())) __builtin_trap();
        for (int i = 0; i < c.segments_size(); ++i) {
          if (c.segments(i).number() != i + 1) __builtin_trap();
          if (i > 0 && *touyan::ToCivilDay("", c.segments(i).start_date()) <
                           *touyan::ToCivilDay("", c.segments(i - 1).start_date())) {
            __builtin_trap();
          }
        }
      }
      break;
    }
    case 1: {
      v1::Trainee t;
      if (t.ParseFromArray(p, n) && tr::ValidateTrainee(t).ok() && tr::PersonKey(t).empty()) {
        __builtin_trap();
      }
      break;
    }
    case 2: {
      v1::FieldVisit v;
      if (v.ParseFromArray(p, n)) (void)tr::ValidateFieldVisit(v, today);
      v1::ExpertVisit e;
      if (e.ParseFromArray(p, n)) (void)tr::ValidateExpertVisit(e, today);
      break;
    }
    case 3: {
      v1::PracticeTask t;
      if (t.ParseFromArray(p, n)) (void)tr::ValidatePracticeTask(t, 2027);
      break;
    }
    case 4: {
      if (size < 5) return 0;
      const int segments = data[1] % 25, attended = data[2] % 25, recorded = data[3] % 25,
                percent = data[4];
      v1::Completion c = tr::EvaluateCompletion(segments, attended, recorded, percent);
      if (c == v1::COMPLETION_UNSPECIFIED) __builtin_trap();
      break;
    }
  }
  return 0;
}
