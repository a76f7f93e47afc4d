// Personnel's domain rules: what makes a region, a cadre and a position
// valid. Pure functions over the contract's messages; no I/O.
#ifndef TOUYAN_SERVICES_PERSONNEL_DOMAIN_RULES_H_
#define TOUYAN_SERVICES_PERSONNEL_DOMAIN_RULES_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "common/status/text.h"
#include "touyan/personnel/v1/personnel.pb.h"

namespace touyan::personnel {

// ------------------------------------------------------------------ regions

// The level a 12-digit code denotes by its trailing zeros, or UNSPECIFIED.
v1::RegionLevel LevelOfCode(absl::string_view code);
// The codes from the top of the tree down to `code` itself (by prefix).
std::vector<std::string> AncestorCodes(absl::string_view code);
// Checks code, name, level and parent of an imported region; field names are
// relative to the Region message.
absl::Status ValidateRegion(const v1::Region& region);

// ------------------------------------------------------------------- cadres

// Validates a cadre to be stored and fills what the resident ID implies
// (normalised ID, birth date, gender). Field names are relative to Cadre.
absl::Status NormalizeCadre(v1::Cadre& cadre, absl::CivilDay today);

// The fields UpdateCadre may change.
const std::vector<std::string>& UpdatableCadreFields();
// Applies the `paths` of `patch` onto `current`; INVALID_ARGUMENT naming
// update_mask for an unknown or immutable path, or a region in another county.
absl::Status ApplyCadrePatch(const v1::Cadre& patch, const std::vector<std::string>& paths,
                             v1::Cadre& current);

// ---------------------------------------------------------------- positions

bool IsSecretary(v1::PositionKind k);
bool IsDirector(v1::PositionKind k);
// The kinds that count as holding `k` (DUAL_ROLE counts as both posts).
std::vector<int> KindsHolding(v1::PositionKind k);

struct CurrentPost {
  v1::PositionKind kind;
  int64_t cadre_number;
};

// Checks a new position against its organisation, the cadre's birth date
// and the organisation's current posts. INVALID_ARGUMENT for a bad request;
// FAILED_PRECONDITION (ORG_HAS_SECRETARY, ORG_HAS_DIRECTOR,
// CADRE_ALREADY_HOLDS_POST, DIRECTOR_NEEDS_VILLAGE, TOO_YOUNG) for one that
// conflicts with what is stored.
absl::Status ValidatePosition(const v1::Position& position, v1::PartyOrgKind org_kind,
                              int64_t cadre_number, absl::CivilDay cadre_birth,
                              const std::vector<CurrentPost>& current, absl::CivilDay today);

}  // namespace touyan::personnel

#endif  // TOUYAN_SERVICES_PERSONNEL_DOMAIN_RULES_H_

namespace touyan::personnel {
// The Party organisation a village region gets on import: "霸王河村村委会" →
// "霸王河村党支部" (VILLAGE); "恩和路社区居委会" → "恩和路社区党支部" (COMMUNITY).
v1::PartyOrg VillageOrgFor(const v1::Region& village);
}  // namespace touyan::personnel
