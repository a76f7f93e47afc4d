#include "tools/touyanctl/csv.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace touyan::ctl {

absl::StatusOr<bool> CsvReader::Next(std::vector<std::string>* fields) {
  fields->clear();
  int c = in_.get();
  if (c == EOF) return false;
  if (first_) {
    first_ = false;
    if (c == 0xEF && in_.peek() == 0xBB) {  // UTF-8 byte order mark
      in_.get();
      if (in_.get() != 0xBF) return absl::InvalidArgumentError("line 1: broken byte order mark");
      c = in_.get();
      if (c == EOF) return false;
    }
  }
  record_line_ = line_;
  std::string field;
  bool quoted = false, after_quote = false;
  for (;; c = in_.get()) {
    if (quoted) {
      if (c == EOF) {
        return absl::InvalidArgumentError(
            absl::StrCat("line ", record_line_, ": a quoted field is not closed"));
      }
      if (c == '"') {
        if (in_.peek() == '"') {
          in_.get();
          field += '"';
        } else {
          quoted = false;
          after_quote = true;
        }
        continue;
      }
      if (c == '\n') ++line_;
      field += static_cast<char>(c);
      continue;
    }
    if (c == ',') {
      fields->push_back(std::move(field));
      field.clear();
      after_quote = false;
      continue;
    }
    if (c == '\r' && in_.peek() == '\n') continue;
    if (c == '\n' || c == EOF) {
      if (c == '\n') ++line_;
      fields->push_back(std::move(field));
      return true;
    }
    if (after_quote) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", line_, ": text after a closing quote"));
    }
    if (c == '"' && field.empty()) {
      quoted = true;
      continue;
    }
    field += static_cast<char>(c);
  }
}

CsvHeader::CsvHeader(const std::vector<std::string>& names) {
  for (size_t i = 0; i < names.size(); ++i) {
    index_[std::string(absl::StripAsciiWhitespace(names[i]))] = i;
  }
}

std::optional<std::string> CsvHeader::Get(const std::vector<std::string>& row,
                                          const std::string& column) const {
  auto it = index_.find(column);
  if (it == index_.end() || it->second >= row.size()) return std::nullopt;
  return row[it->second];
}

std::string CsvEscape(const std::string& f) {
  if (f.find_first_of(",\"\r\n") == std::string::npos) return f;
  std::string out = "\"";
  for (char c : f) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace touyan::ctl
