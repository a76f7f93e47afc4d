// Any bytes as the mutation requests' payloads: parsing and the domain
// validation the services run on them never crash, and what validation
// accepts satisfies the invariants the database relies on.
#include <cstdint>
#include <string>

#include "services/personnel/domain/designation.h"
#include "services/personnel/domain/profile.h"
#include "services/personnel/domain/rules.h"
#include "touyan/personnel/v1/personnel.pb.h"

namespace v1 = touyan::personnel::v1;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const absl::CivilDay today(2026, 11, 26);
  const uint8_t which = data[0] % 5;
  const uint8_t* p = data + 1;
  const int n = static_cast<int>(size - 1);
  switch (which) {
    case 0: {
      v1::Cadre c;
      if (!c.ParseFromArray(p, n)) return 0;
      if (touyan::personnel::NormalizeCadre(c, today).ok()) {
        if (c.resident_id().size() != 18 || c.gender() == v1::GENDER_UNSPECIFIED) __builtin_trap();
      }
      break;
    }
    case 1: {
      v1::Region r;
      if (r.ParseFromArray(p, n)) (void)touyan::personnel::ValidateRegion(r);
      break;
    }
    case 2: {
      v1::Designation d;
      if (d.ParseFromArray(p, n)) {
        (void)touyan::personnel::ValidateNewDesignation(d, v1::PARTY_ORG_KIND_VILLAGE, today);
        (void)touyan::personnel::ValidateClose(d, d.closed_on(), d.close_result(), today);
      }
      break;
    }
    case 3: {
      v1::SelectionRound r;
      if (r.ParseFromArray(p, n)) (void)touyan::personnel::ValidateRound(r, today);
      v1::ProfileThresholds t;
      if (t.ParseFromArray(p, n)) (void)touyan::personnel::ValidateThresholds(t, today);
      break;
    }
    case 4: {
      v1::Position pos;
      if (pos.ParseFromArray(p, n)) {
        (void)touyan::personnel::ValidatePosition(pos, v1::PARTY_ORG_KIND_VILLAGE, 1,
                                                  absl::CivilDay(1980, 1, 1), {}, today);
      }
      break;
    }
  }
  return 0;
}
