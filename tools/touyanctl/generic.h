// Every unary method of every Touyan service as a touyanctl command, from
// the services' descriptors: request fields as --path=value flags, paging
// through lists (--all), and the answer as a table, CSV or JSON.
//
//   touyanctl incentive ListAssessments --year=2023 --grade=EXCELLENT --all --output=csv
//   touyanctl personnel GetCadre --id=150929-5
//   touyanctl training CreateClass --from-json=class.json
#ifndef TOUYAN_TOOLS_TOUYANCTL_GENERIC_H_
#define TOUYAN_TOOLS_TOUYANCTL_GENERIC_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace touyan::ctl {

// The services by their short names, in start order.
const std::vector<std::string>& ServiceNames();
// "incentive" → touyan.incentive.v1.IncentiveService; nullptr if unknown.
const google::protobuf::ServiceDescriptor* ServiceNamed(const std::string& name);

// Sets request fields from flags: "cadre.name" → 张三 (nested messages by
// dots; enums by name, with or without the enum's prefix; bools true/false;
// repeated fields comma-separated; dates as YYYY-MM-DD). INVALID_ARGUMENT
// naming the flag on an unknown field or a bad value.
absl::Status ApplyFields(google::protobuf::Message& request,
                         const std::vector<std::pair<std::string, std::string>>& fields);

// The repeated message field that holds a list response's items, when the
// method pages (page_token in, next_page_token out); nullptr otherwise.
const google::protobuf::FieldDescriptor* ListItems(const google::protobuf::MethodDescriptor& m);

// Rows of scalar values, with their column names (nested fields dotted,
// dates YYYY-MM-DD, timestamps RFC 3339, repeated values comma-joined).
struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
};
// Adds `m` as one row (new columns are appended as they appear).
void AddRow(const google::protobuf::Message& m, Table& table);
// Aligned columns (CJK characters count two), or "field  value" lines for
// a single row.
std::string RenderTable(const Table& table);
// RFC 4180: a header line, then one line a row.
std::string RenderCsv(const Table& table);

// What `touyanctl SERVICE --help` and `touyanctl SERVICE METHOD --help` print.
std::string ServiceHelp(const google::protobuf::ServiceDescriptor& s);
std::string MethodHelp(const google::protobuf::MethodDescriptor& m);

}  // namespace touyan::ctl

#endif  // TOUYAN_TOOLS_TOUYANCTL_GENERIC_H_
