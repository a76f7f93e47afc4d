#include "common/export/pdf.h"

#include <cairo-pdf.h>
#include <cairo.h>

#include <numeric>

namespace touyan::pdf {
namespace {

constexpr double kWidth = 595.28, kHeight = 841.89;  // A4 in points
constexpr double kMargin = 64;
constexpr char kFont[] = "Noto Sans CJK SC";

cairo_status_t Append(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

// Draws text on one page after another, top to bottom.
class Writer {
 public:
  explicit Writer(cairo_t* cr) : cr_(cr), y_(kMargin) {}

  void Font(double size, bool bold) {
    cairo_select_font_face(cr_, kFont, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr_, size);
    size_ = size;
  }
  double Advance(const std::string& s) {
    cairo_text_extents_t e;
    cairo_text_extents(cr_, s.c_str(), &e);
    return e.x_advance;
  }
  // The lines `text` wraps to within `width`: between any two Chinese
  // characters (Chinese has no spaces to break at), but never inside a run
  // of Latin letters, digits and signs (a phone number, a date, an id).
  std::vector<std::string> Wrap(const std::string& text, double width) {
    std::vector<std::string> tokens;
    for (size_t i = 0; i < text.size();) {
      const unsigned char c = text[i];
      size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
      if (c < 0x80 && c != ' ') {
        while (i + len < text.size() && static_cast<unsigned char>(text[i + len]) < 0x80 &&
               text[i + len] != ' ') {
          ++len;
        }
      }
      tokens.push_back(text.substr(i, len));
      i += len;
    }
    std::vector<std::string> lines(1);
    for (const std::string& t : tokens) {
      std::string next = lines.back() + t;
      if (!lines.back().empty() && Advance(next) > width) {
        lines.push_back(t == " " ? "" : t);
      } else {
        lines.back() = std::move(next);
      }
    }
    return lines;
  }
  void NeedLines(int n) {
    if (y_ + n * size_ * 1.6 > kHeight - kMargin) {
      cairo_show_page(cr_);
      y_ = kMargin;
    }
  }
  void Line(const std::string& s, double x) {
    NeedLines(1);
    y_ += size_ * 1.6;
    cairo_move_to(cr_, x, y_);
    cairo_show_text(cr_, s.c_str());
  }
  void Centred(const std::string& s) { Line(s, (kWidth - Advance(s)) / 2); }
  void Right(const std::string& s) { Line(s, kWidth - kMargin - Advance(s)); }
  // A paragraph, its first line indented two characters.
  void Paragraph(const std::string& s) {
    const std::string indent = "\u3000\u3000";
    std::vector<std::string> lines = Wrap(indent + s, kWidth - 2 * kMargin);
    for (const std::string& l : lines) Line(l, kMargin);
  }
  // One row of cells, each wrapped in its column; rules above and below.
  void Row(const std::vector<std::string>& cells, const std::vector<double>& widths) {
    const double line = kWidth - 2 * kMargin;
    std::vector<std::vector<std::string>> wrapped;
    size_t height = 1;
    for (size_t c = 0; c < cells.size(); ++c) {
      wrapped.push_back(Wrap(cells[c], widths[c] * line - 8));
      height = std::max(height, wrapped.back().size());
    }
    NeedLines(static_cast<int>(height) + 1);
    const double top = y_ + size_ * 0.4;
    double x = kMargin;
    for (size_t c = 0; c < cells.size(); ++c) {
      double ly = y_;
      for (const std::string& l : wrapped[c]) {
        ly += size_ * 1.6;
        cairo_move_to(cr_, x + 4, ly);
        cairo_show_text(cr_, l.c_str());
      }
      x += widths[c] * line;
    }
    y_ += static_cast<double>(height) * size_ * 1.6;
    const double bottom = y_ + size_ * 0.6;
    cairo_set_line_width(cr_, 0.6);
    cairo_rectangle(cr_, kMargin, top, line, bottom - top);
    x = kMargin;
    for (size_t c = 0; c + 1 < cells.size(); ++c) {
      x += widths[c] * line;
      cairo_move_to(cr_, x, top);
      cairo_line_to(cr_, x, bottom);
    }
    cairo_stroke(cr_);
    y_ = bottom - size_ * 0.4;
  }
  void Skip(double lines) { y_ += lines * size_ * 1.6; }

 private:
  cairo_t* cr_;
  double y_;
  double size_ = 12;
};

}  // namespace

absl::StatusOr<std::string> NoticePdf(const Notice& n) {
  std::string out;
  cairo_surface_t* surface = cairo_pdf_surface_create_for_stream(Append, &out, kWidth, kHeight);
  cairo_t* cr = cairo_create(surface);
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, n.title.c_str());
  cairo_set_source_rgb(cr, 0, 0, 0);
  Writer w(cr);
  w.Font(20, true);
  w.Centred(n.title);
  w.Font(12, false);
  w.Skip(0.8);
  for (const std::string& p : n.before) w.Paragraph(p);
  if (!n.headers.empty()) {
    std::vector<double> widths = n.widths;
    if (widths.size() != n.headers.size()) widths.assign(n.headers.size(), 1.0 / n.headers.size());
    w.Skip(0.5);
    w.Font(12, true);
    w.Row(n.headers, widths);
    w.Font(12, false);
    for (const auto& row : n.rows) w.Row(row, widths);
    w.Skip(0.5);
  }
  for (const std::string& p : n.after) w.Paragraph(p);
  w.Skip(1.5);
  for (const std::string& s : n.signature) w.Right(s);
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  const cairo_status_t status = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  if (status != CAIRO_STATUS_SUCCESS) {
    return absl::InternalError(std::string("the notice could not be drawn: ") +
                               cairo_status_to_string(status));
  }
  return out;
}

}  // namespace touyan::pdf
