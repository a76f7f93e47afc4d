// Printable public notices (公示) as PDF, drawn with cairo and set in Noto
// Sans CJK (Debian's fonts-noto-cjk, found through fontconfig): A4, a
// centred title, paragraphs wrapped to the page, a numbered table, and the
// issuer and date at the foot. The text is real text (pdftotext reads it
// back), not pictures of it.
#ifndef TOUYAN_COMMON_EXPORT_PDF_H_
#define TOUYAN_COMMON_EXPORT_PDF_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace touyan::pdf {

struct Notice {
  std::string title;
  std::vector<std::string> before;   // paragraphs above the table
  std::vector<std::string> headers;  // the table's columns
  std::vector<std::vector<std::string>> rows;
  std::vector<double> widths;          // each column's share of the line (sum 1)
  std::vector<std::string> after;      // paragraphs below it
  std::vector<std::string> signature;  // right-aligned lines at the foot
};

// The notice's PDF bytes.
absl::StatusOr<std::string> NoticePdf(const Notice& notice);

}  // namespace touyan::pdf

#endif  // TOUYAN_COMMON_EXPORT_PDF_H_
