// Files ↔ contract messages: the region tree CSV (code,name,level,
// parent_code) and cadre CSVs, and a deterministic generator of cadres.
#ifndef TOUYAN_TOOLS_TOUYANCTL_RECORDS_H_
#define TOUYAN_TOOLS_TOUYANCTL_RECORDS_H_

#include <istream>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/touyanctl/csv.h"
#include "touyan/personnel/v1/personnel.pb.h"

namespace touyan::ctl {

namespace pv1 = ::touyan::personnel::v1;

// Reads the whole region tree; INVALID_ARGUMENT naming the line otherwise.
absl::StatusOr<std::vector<pv1::Region>> ReadRegions(std::istream& in);

// The columns of a cadre CSV, in the order `WriteCadreCsv` writes them. They
// are the cadres table's columns, so `psql \copy` reads the same file.
// Enumerations are numbers or names (BACHELOR / EDUCATION_BACHELOR).
const std::vector<std::string>& CadreColumns();
absl::StatusOr<pv1::Cadre> CadreFromCsv(const CsvHeader& header,
                                        const std::vector<std::string>& row);
void WriteCadreCsvHeader(std::ostream& out);
void WriteCadreCsv(const pv1::Cadre& c, std::ostream& out);

// One valid cadre of `region` (12 digits); resident IDs differ for
// different i below 14 million, the rest is drawn from `rng`.
pv1::Cadre GenerateCadre(std::mt19937_64& rng, int64_t i, const std::string& region);

// `n` valid cadres spread over `villages`, the same for the same seed;
// resident IDs are unique for n below 14 million.
std::vector<pv1::Cadre> GenerateCadres(uint64_t seed, int64_t first, int64_t n,
                                       const std::vector<std::string>& villages);

}  // namespace touyan::ctl

#endif  // TOUYAN_TOOLS_TOUYANCTL_RECORDS_H_
