// Any byte string as a resident ID: parsing never crashes, and an accepted ID
// round-trips (normalised, 18 characters, check character consistent).
#include <cstdint>
#include <string>

#include "services/personnel/domain/resident_id.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string id(reinterpret_cast<const char*>(data), size);
  auto r = touyan::personnel::ParseResidentId(id, absl::CivilDay(2026, 11, 26));
  std::string masked = touyan::personnel::MaskResidentId(id);
  if (masked.size() != id.size() && id.size() == 18) __builtin_trap();
  if (r.ok()) {
    std::string n = touyan::personnel::NormalizeResidentId(id);
    if (n.size() != 18 || touyan::personnel::ResidentIdCheckChar(n) != n[17]) __builtin_trap();
  }
  return 0;
}
