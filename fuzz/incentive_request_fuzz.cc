// Any bytes as incentive's request payloads: every validator either accepts
// or names a field, never crashes; what the scheme check accepts always
// gives a finite score within 0–100 and a grade, the same twice; tallies
// of any counts are well-formed.
#include <cmath>
#include <cstdint>

#include "common/status/status.h"
#include "services/incentive/domain/consequences.h"
#include "services/incentive/domain/rules.h"
#include "touyan/incentive/v1/incentive.pb.h"

namespace v1 = touyan::incentive::v1;
namespace in = touyan::incentive;

namespace {
const absl::CivilDay kToday(2026, 11, 26);

// A rejection must name the field it is about.
void Check(const absl::Status& s) {
  if (!s.ok() && s.code() == absl::StatusCode::kInvalidArgument && !touyan::FieldOf(s))
    __builtin_trap();
}

template <typename M>
bool Parse(M& m, const uint8_t* p, int n) {
  return m.ParseFromArray(p, n);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t* p = data + 1;
  const int n = static_cast<int>(size - 1);
  switch (data[0] % 13) {
    case 0: {
      v1::Scheme s;
      if (!Parse(s, p, n)) return 0;
      absl::Status st = in::NormalizeScheme(s);
      Check(st);
      if (!st.ok()) return 0;
      // Inputs derived from the same bytes, within what validation allows.
      in::Inputs x;
      for (size_t i = 0; i < size && i < 8; ++i) x.daily.push_back(data[i] % 101);
      if (size > 2) x.trained = data[1] & 1;
      if (size > 4) x.annual_review = data[3] % 101;
      if (size > 6) {
        x.contest = in::Inputs::Contest{1 + data[4] % 50, 50 + data[5] % 50, "r", data[2] % 6};
      }
      if (size > 9) x.democratic = in::Votes{data[6], data[7], data[8]};
      v1::Assessment a = in::Assess(s, x);
      if (!std::isfinite(a.score()) || a.score() < 0 || a.score() > 100.0001) __builtin_trap();
      if (a.grade() == v1::GRADE_UNSPECIFIED) __builtin_trap();
      if (in::Assess(s, x).SerializeAsString() != a.SerializeAsString()) __builtin_trap();
      break;
    }
    case 1: {
      v1::AssessmentInput m;
      if (Parse(m, p, n)) Check(in::ValidateInput(m, kToday));
      break;
    }
    case 2: {
      v1::Evaluation m;
      if (Parse(m, p, n)) Check(in::ValidateEvaluation(m, kToday));
      break;
    }
    case 3: {
      v1::CastBallotRequest m;
      if (Parse(m, p, n)) Check(in::ValidateBallot(m));
      break;
    }
    case 4: {
      v1::SupervisionCase m;
      if (Parse(m, p, n)) Check(in::ValidateCase(m, kToday));
      break;
    }
    case 5: {
      v1::FollowUp m;
      if (Parse(m, p, n)) Check(in::ValidateFollowUp(m, kToday));
      break;
    }
    case 6: {
      v1::ExitMeasure m;
      if (Parse(m, p, n)) Check(in::ValidateMeasure(m, kToday));
      break;
    }
    case 7: {
      v1::Promotion m;
      if (Parse(m, p, n)) Check(in::ValidatePromotion(m, kToday));
      break;
    }
    case 8: {
      v1::Interview m;
      if (Parse(m, p, n)) Check(in::ValidateInterview(m));
      break;
    }
    case 9: {
      v1::CareRecord m;
      if (Parse(m, p, n)) Check(in::ValidateCare(m, kToday));
      break;
    }
    case 10: {
      v1::WellbeingCheckIn m;
      if (Parse(m, p, n)) Check(in::ValidateCheckIn(m, kToday));
      break;
    }
    case 11: {
      v1::Delegate m;
      if (Parse(m, p, n)) Check(in::ValidateDelegate(m));
      if (size >= 4) {
        in::Votes v{data[1], data[2], data[3] % 128};
        v1::Tally t = in::TallyOf(v, v.total(), 1 + data[0], 1 + data[1] % 100, 1 + data[2] % 100);
        if (!std::isfinite(t.score()) || t.score() < 0 || t.score() > 100) __builtin_trap();
        if (t.failed() && !t.quorum_met()) __builtin_trap();
      }
      break;
    }
    case 12: {  // a policy as sent, and what a result calls for under it
      v1::ConsequencePolicy m;
      if (size < 3 || !Parse(m, p, n)) break;
      if (in::ValidateConsequencePolicy(m, kToday).ok()) {
        v1::Assessment a;
        a.set_grade(static_cast<v1::Grade>(data[1] % 5));
        v1::Component* c = a.add_components();
        c->set_name("democratic");
        c->set_value(data[2] % 101);
        for (const v1::Proposal& x : in::CalledFor(in::WithDefaults(m), a)) {
          if (x.kind() == v1::PROPOSAL_KIND_UNSPECIFIED || x.basis().empty()) __builtin_trap();
        }
      }
      break;
    }
  }
  return 0;
}
