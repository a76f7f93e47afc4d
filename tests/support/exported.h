// Reading exported files as their users' programs do: a workbook with
// openpyxl (Debian's python3-openpyxl), a PDF with pdftotext (poppler-utils),
// not with the library that wrote them.
// Also the streaming export's chunks put together.
#ifndef TOUYAN_TESTS_SUPPORT_EXPORTED_H_
#define TOUYAN_TESTS_SUPPORT_EXPORTED_H_

#include <grpcpp/grpcpp.h>

#include <cstdio>
#include <string>

#include "nlohmann/json.hpp"
#include "tests/support/temp_file.h"
#include "tests/support/test_env.h"
#include "touyan/files/v1/files.pb.h"

namespace touyan::testing {

// A streamed file: its first chunk's name and type, and the bytes.
struct Exported {
  std::string filename, content_type, bytes;
  int64_t total_bytes = 0;
  int chunks = 0;
  Outcome end;
};

template <typename Reader>
Exported ReadExport(Reader& reader) {
  Exported out;
  files::v1::FileChunk chunk;
  while (reader.Read(&chunk)) {
    if (out.chunks++ == 0) {
      out.filename = chunk.filename();
      out.content_type = chunk.content_type();
      out.total_bytes = chunk.total_bytes();
    }
    out.bytes += chunk.data();
  }
  out.end = OutcomeOf(reader.Finish());
  return out;
}

// The workbook as openpyxl reads it: {"sheets": {name: {"rows": [[cell, …],
// …], "freeze": "A2", "widths": {"A": 6.0, …}, "types": [[type, …], …]}}}.
// Numbers come back as numbers, dates as "YYYY-MM-DD", empty cells as null.
inline nlohmann::json ReadWorkbook(const std::string& bytes) {
  TempFile file("touyan-xlsx");
  const std::string path = file.path() + ".xlsx";  // openpyxl goes by the extension
  { std::ofstream(path, std::ios::binary) << bytes; }
  const std::string cmd =
      "/usr/bin/python3 -c '\n"
      "import json, sys, datetime, openpyxl\n"
      "wb = openpyxl.load_workbook(sys.argv[1])\n"
      "out = {}\n"
      "def v(x):\n"
      "    if isinstance(x, datetime.datetime): return x.date().isoformat()\n"
      "    return x\n"
      "for ws in wb.worksheets:\n"
      "    rows = [[v(c.value) for c in r] for r in ws.iter_rows()]\n"
      "    types = [[c.data_type for c in r] for r in ws.iter_rows()]\n"
      "    widths = {k: d.width for k, d in ws.column_dimensions.items()}\n"
      "    out[ws.title] = {\"rows\": rows, \"types\": types, \"freeze\": ws.freeze_panes, "
      "\"widths\": widths}\n"
      "print(json.dumps({\"sheets\": out}, ensure_ascii=False))\n"
      "' " +
      path;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return nullptr;
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
  const int rc = pclose(p);
  std::remove(path.c_str());
  if (rc != 0) return nullptr;
  return nlohmann::json::parse(text, nullptr, false);
}

// A PDF's text as pdftotext extracts it (reading order, no layout).
inline std::string PdfText(const std::string& bytes) {
  TempFile file("touyan-pdf");
  { std::ofstream(file.path(), std::ios::binary) << bytes; }
  FILE* p = popen(("pdftotext -enc UTF-8 " + file.path() + " -").c_str(), "r");
  if (p == nullptr) return "";
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
  return pclose(p) == 0 ? text : "";
}

}  // namespace touyan::testing

#endif  // TOUYAN_TESTS_SUPPORT_EXPORTED_H_
