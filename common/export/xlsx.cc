#include "common/export/xlsx.h"

#include <stdlib.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace touyan::xlsx {
namespace {

constexpr double kMaxWidth = 60;

std::string CellText(const Cell& c) {
  switch (c.kind) {
    case Cell::Kind::kText:
      return c.text;
    case Cell::Kind::kNumber:
      return absl::StrCat(c.number);
    case Cell::Kind::kDate:
      return "2023-01-01";
    case Cell::Kind::kEmpty:
      return "";
  }
  return "";
}

}  // namespace

size_t DisplayWidth(const std::string& s) {
  size_t width = 0;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = s[i];
    const size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    width += len >= 3 ? 2 : 1;  // CJK and other wide characters are 3 or 4 bytes
    i += len;
  }
  return width;
}

absl::StatusOr<std::string> Workbook(const std::vector<Sheet>& sheets) {
  char path[] = "/tmp/touyan-export-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) return absl::InternalError("cannot create a temporary file for the export");
  close(fd);
  lxw_workbook_options options = {
      .constant_memory = LXW_FALSE, .tmpdir = const_cast<char*>("/tmp"), .use_zip64 = LXW_FALSE};
  lxw_workbook* wb = workbook_new_opt(path, &options);
  if (wb == nullptr) {
    unlink(path);
    return absl::InternalError("cannot start the workbook");
  }
  lxw_format* header = workbook_add_format(wb);
  format_set_bold(header);
  format_set_bg_color(header, 0xDDEBF7);
  format_set_border(header, LXW_BORDER_THIN);
  lxw_format* date = workbook_add_format(wb);
  format_set_num_format(date, "yyyy-mm-dd");
  for (const Sheet& s : sheets) {
    lxw_worksheet* ws = workbook_add_worksheet(wb, s.name.c_str());
    if (ws == nullptr) {
      workbook_close(wb);
      unlink(path);
      return absl::InternalError(absl::StrCat("bad sheet name '", s.name, "'"));
    }
    std::vector<size_t> widths(s.headers.size(), 4);
    for (size_t c = 0; c < s.headers.size(); ++c) {
      worksheet_write_string(ws, 0, static_cast<lxw_col_t>(c), s.headers[c].c_str(), header);
      widths[c] = std::max(widths[c], DisplayWidth(s.headers[c]));
    }
    for (size_t r = 0; r < s.rows.size(); ++r) {
      const auto row = static_cast<lxw_row_t>(r + 1);
      for (size_t c = 0; c < s.rows[r].size() && c < s.headers.size(); ++c) {
        const Cell& cell = s.rows[r][c];
        const auto col = static_cast<lxw_col_t>(c);
        switch (cell.kind) {
          case Cell::Kind::kText:
            worksheet_write_string(ws, row, col, cell.text.c_str(), nullptr);
            break;
          case Cell::Kind::kNumber:
            worksheet_write_number(ws, row, col, cell.number, nullptr);
            break;
          case Cell::Kind::kDate: {
            lxw_datetime d = {cell.year, cell.month, cell.day, 0, 0, 0};
            worksheet_write_datetime(ws, row, col, &d, date);
            break;
          }
          case Cell::Kind::kEmpty:
            break;
        }
        widths[c] = std::max(widths[c], DisplayWidth(CellText(cell)));
      }
    }
    for (size_t i = 0; i < s.notes.size(); ++i) {
      worksheet_write_string(ws, static_cast<lxw_row_t>(s.rows.size() + 2 + i), 0,
                             s.notes[i].c_str(), nullptr);
    }
    for (size_t c = 0; c < widths.size(); ++c) {
      worksheet_set_column(ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c),
                           std::min(kMaxWidth, static_cast<double>(widths[c]) + 2), nullptr);
    }
    worksheet_freeze_panes(ws, 1, 0);
  }
  const lxw_error err = workbook_close(wb);
  if (err != LXW_NO_ERROR) {
    unlink(path);
    return absl::InternalError(
        absl::StrCat("the workbook could not be written: ", lxw_strerror(err)));
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  unlink(path);
  return bytes.str();
}

}  // namespace touyan::xlsx
