// .xlsx workbooks for the 台账 exports, written with libxlsxwriter: a bold
// header row that stays in view (frozen), columns as wide as their contents
// (CJK characters count double), numbers stored as numbers and dates as
// dates, so that a ledger sorts, sums and filters in Excel or WPS as typed.
#ifndef TOUYAN_COMMON_EXPORT_XLSX_H_
#define TOUYAN_COMMON_EXPORT_XLSX_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace touyan::xlsx {

struct Cell {
  enum class Kind { kEmpty, kText, kNumber, kDate };
  Kind kind = Kind::kEmpty;
  std::string text;
  double number = 0;
  int year = 0, month = 0, day = 0;

  static Cell Text(std::string s) { return {.kind = Kind::kText, .text = std::move(s)}; }
  static Cell Number(double n) { return {.kind = Kind::kNumber, .number = n}; }
  // A calendar date; an unset one (year 0) is an empty cell.
  static Cell Date(int y, int m, int d) {
    if (y == 0) return {};
    return {.kind = Kind::kDate, .year = y, .month = m, .day = d};
  }
};

struct Sheet {
  std::string name;                  // the tab: at most 31 characters, no []:*?/\.
  std::vector<std::string> headers;  // the first row
  std::vector<std::vector<Cell>> rows;
  // Lines written under the table, one per row, after a blank row (a
  // round's digest, the rule a column follows).
  std::vector<std::string> notes;
};

// The workbook's bytes.
absl::StatusOr<std::string> Workbook(const std::vector<Sheet>& sheets);

// How wide `s` shows in a spreadsheet, in character widths.
size_t DisplayWidth(const std::string& s);

}  // namespace touyan::xlsx

#endif  // TOUYAN_COMMON_EXPORT_XLSX_H_
