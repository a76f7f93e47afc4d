// RFC 4180 CSV: comma-separated, fields optionally quoted with "", a quote
// inside a quoted field doubled, LF or CRLF line ends, a UTF-8 BOM skipped.
#ifndef TOUYAN_TOOLS_TOUYANCTL_CSV_H_
#define TOUYAN_TOOLS_TOUYANCTL_CSV_H_

#include <istream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace touyan::ctl {

class CsvReader {
 public:
  explicit CsvReader(std::istream& in) : in_(in) {}
  // Reads the next record into `fields`. Returns false at the end of input;
  // INVALID_ARGUMENT (with the line) for a malformed record.
  absl::StatusOr<bool> Next(std::vector<std::string>* fields);
  // The line the last record started on (1-based).
  int64_t line() const { return record_line_; }

 private:
  std::istream& in_;
  int64_t line_ = 1;
  int64_t record_line_ = 0;
  bool first_ = true;
};

// A header row: column name → index.
class CsvHeader {
 public:
  explicit CsvHeader(const std::vector<std::string>& names);
  // The field named `column` in `row`, if the column exists.
  std::optional<std::string> Get(const std::vector<std::string>& row,
                                 const std::string& column) const;
  bool Has(const std::string& column) const { return index_.contains(column); }

 private:
  std::map<std::string, size_t> index_;
};

std::string CsvEscape(const std::string& field);

}  // namespace touyan::ctl

#endif  // TOUYAN_TOOLS_TOUYANCTL_CSV_H_
