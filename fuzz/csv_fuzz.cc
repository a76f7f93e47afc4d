// Any bytes as a cadre CSV: the reader and the row mapping never crash.
#include <cstdint>
#include <sstream>
#include <string>

#include "tools/touyanctl/csv.h"
#include "tools/touyanctl/records.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  touyan::ctl::CsvReader reader(in);
  std::vector<std::string> row;
  auto first = reader.Next(&row);
  if (!first.ok() || !*first) return 0;
  touyan::ctl::CsvHeader header(row);
  for (int i = 0; i < 1000; ++i) {
    auto more = reader.Next(&row);
    if (!more.ok() || !*more) break;
    (void)touyan::ctl::CadreFromCsv(header, row);
  }
  return 0;
}
