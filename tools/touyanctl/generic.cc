#include "tools/touyanctl/generic.h"

#include <algorithm>
#include <functional>
#include <map>
#include <type_traits>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "common/status/status.h"
#include "common/time/date.h"
#include "google/protobuf/descriptor.pb.h"
#include "touyan/contest/v1/contest.pb.h"
#include "touyan/incentive/v1/incentive.pb.h"
#include "touyan/personnel/v1/personnel.pb.h"
#include "touyan/training/v1/training.pb.h"

namespace touyan::ctl {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

bool IsDate(const Descriptor* d) { return d->full_name() == "google.type.Date"; }
bool IsTimestamp(const Descriptor* d) { return d->full_name() == "google.protobuf.Timestamp"; }

// An enum value by its name, or by the part after the enum's prefix
// ("EXCELLENT" for GRADE_EXCELLENT), case-insensitively.
const google::protobuf::EnumValueDescriptor* EnumValue(const EnumDescriptor* e,
                                                       const std::string& text) {
  const std::string upper = absl::AsciiStrToUpper(text);
  if (const auto* v = e->FindValueByName(upper)) return v;
  for (int i = 0; i < e->value_count(); ++i) {
    if (absl::EndsWith(e->value(i)->name(), "_" + upper)) return e->value(i);
  }
  return nullptr;
}

// Parses `v` as T (whole numbers, numbers, true/false); false if it is not one.
template <typename T>
bool ParseAs(const std::string& v, T* out) {
  if constexpr (std::is_same_v<T, bool>) {
    return absl::SimpleAtob(v, out);
  } else if constexpr (std::is_same_v<T, double>) {
    return absl::SimpleAtod(v, out);
  } else if constexpr (std::is_same_v<T, float>) {
    return absl::SimpleAtof(v, out);
  } else {
    return absl::SimpleAtoi(v, out);
  }
}

// Sets (or, for a repeated field, adds) a number or bool parsed from `v`
// with the reflection's setter of its type; `not_one` says why it is refused.
template <typename T>
absl::Status SetParsed(Message& m, const FieldDescriptor* f, const std::string& v,
                       void (Reflection::*add)(Message*, const FieldDescriptor*, T) const,
                       void (Reflection::*set)(Message*, const FieldDescriptor*, T) const,
                       const std::function<absl::Status()>& not_one) {
  T n;
  if (!ParseAs(v, &n)) return not_one();
  (m.GetReflection()->*(f->is_repeated() ? add : set))(&m, f, n);
  return absl::OkStatus();
}

absl::Status SetScalar(Message& m, const FieldDescriptor* f, const std::string& v,
                       const std::string& flag) {
  const Reflection* r = m.GetReflection();
  const bool rep = f->is_repeated();
  auto bad = [&](const std::string& what) {
    return absl::InvalidArgumentError(absl::StrCat("--", flag, "=", v, ": ", what));
  };
  auto whole = [&] { return bad("not a whole number"); };
  auto number = [&] { return bad("not a number"); };
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      rep ? r->AddString(&m, f, v) : r->SetString(&m, f, v);
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_INT32:
      return SetParsed<int32_t>(m, f, v, &Reflection::AddInt32, &Reflection::SetInt32, whole);
    case FieldDescriptor::CPPTYPE_INT64:
      return SetParsed<int64_t>(m, f, v, &Reflection::AddInt64, &Reflection::SetInt64, whole);
    case FieldDescriptor::CPPTYPE_UINT32:
      return SetParsed<uint32_t>(m, f, v, &Reflection::AddUInt32, &Reflection::SetUInt32, whole);
    case FieldDescriptor::CPPTYPE_UINT64:
      return SetParsed<uint64_t>(m, f, v, &Reflection::AddUInt64, &Reflection::SetUInt64, whole);
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return SetParsed<double>(m, f, v, &Reflection::AddDouble, &Reflection::SetDouble, number);
    case FieldDescriptor::CPPTYPE_FLOAT:
      return SetParsed<float>(m, f, v, &Reflection::AddFloat, &Reflection::SetFloat, number);
    case FieldDescriptor::CPPTYPE_BOOL:
      return SetParsed<bool>(m, f, v, &Reflection::AddBool, &Reflection::SetBool,
                             [&] { return bad("not true or false"); });
    case FieldDescriptor::CPPTYPE_ENUM: {
      const auto* e = EnumValue(f->enum_type(), v);
      if (e == nullptr) return bad("not a value of " + f->enum_type()->name() + " (see --help)");
      rep ? r->AddEnum(&m, f, e) : r->SetEnum(&m, f, e);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      if (!IsDate(f->message_type()))
        return bad("a message: give its fields as --" + flag + ".FIELD=…");
      absl::CivilDay day;
      if (!ParseIsoDate(v, &day)) return bad("not a date YYYY-MM-DD");
      Message* d = rep ? r->AddMessage(&m, f) : r->MutableMessage(&m, f);
      d->CopyFrom(ToDate(day));
      return absl::OkStatus();
    }
  }
  return bad("unsupported");
}

// The column text of a field's value (`i` < 0 for a singular field).
std::string Text(const Message& m, const FieldDescriptor* f, int i) {
  const Reflection* r = m.GetReflection();
  const bool rep = i >= 0;
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return rep ? r->GetRepeatedString(m, f, i) : r->GetString(m, f);
    case FieldDescriptor::CPPTYPE_INT32:
      return absl::StrCat(rep ? r->GetRepeatedInt32(m, f, i) : r->GetInt32(m, f));
    case FieldDescriptor::CPPTYPE_INT64:
      return absl::StrCat(rep ? r->GetRepeatedInt64(m, f, i) : r->GetInt64(m, f));
    case FieldDescriptor::CPPTYPE_UINT32:
      return absl::StrCat(rep ? r->GetRepeatedUInt32(m, f, i) : r->GetUInt32(m, f));
    case FieldDescriptor::CPPTYPE_UINT64:
      return absl::StrCat(rep ? r->GetRepeatedUInt64(m, f, i) : r->GetUInt64(m, f));
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return absl::StrCat(rep ? r->GetRepeatedDouble(m, f, i) : r->GetDouble(m, f));
    case FieldDescriptor::CPPTYPE_FLOAT:
      return absl::StrCat(rep ? r->GetRepeatedFloat(m, f, i) : r->GetFloat(m, f));
    case FieldDescriptor::CPPTYPE_BOOL:
      return (rep ? r->GetRepeatedBool(m, f, i) : r->GetBool(m, f)) ? "true" : "false";
    case FieldDescriptor::CPPTYPE_ENUM:
      return (rep ? r->GetRepeatedEnum(m, f, i) : r->GetEnum(m, f))->name();
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      const Message& x = rep ? r->GetRepeatedMessage(m, f, i) : r->GetMessage(m, f);
      const Descriptor* d = x.GetDescriptor();
      const Reflection* xr = x.GetReflection();
      if (IsDate(d)) {
        return absl::StrFormat("%04d-%02d-%02d", xr->GetInt32(x, d->FindFieldByName("year")),
                               xr->GetInt32(x, d->FindFieldByName("month")),
                               xr->GetInt32(x, d->FindFieldByName("day")));
      }
      if (IsTimestamp(d)) {
        absl::Time t = absl::FromUnixSeconds(xr->GetInt64(x, d->FindFieldByName("seconds"))) +
                       absl::Nanoseconds(xr->GetInt32(x, d->FindFieldByName("nanos")));
        return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
      }
      if (d->options().map_entry()) {
        return absl::StrCat(Text(x, d->field(0), -1), "=", Text(x, d->field(1), -1));
      }
      return absl::StrCat("(", d->name(), ")");
    }
  }
  return "";
}

void Flatten(const Message& m, const std::string& prefix,
             std::vector<std::pair<std::string, std::string>>& out) {
  std::vector<const FieldDescriptor*> fields;
  m.GetReflection()->ListFields(m, &fields);
  for (const FieldDescriptor* f : fields) {
    const std::string name = prefix + f->name();
    if (f->is_repeated()) {
      std::vector<std::string> parts;
      for (int i = 0; i < m.GetReflection()->FieldSize(m, f); ++i) parts.push_back(Text(m, f, i));
      out.emplace_back(name, absl::StrJoin(parts, ","));
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && !IsDate(f->message_type()) &&
               !IsTimestamp(f->message_type())) {
      Flatten(m.GetReflection()->GetMessage(m, f), name + ".", out);
    } else {
      out.emplace_back(name, Text(m, f, -1));
    }
  }
}

// Display width: East Asian wide characters take two columns.
size_t Width(const std::string& s) {
  size_t w = 0;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = s[i];
    const int len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    w += len >= 3 ? 2 : 1;
    i += len;
  }
  return w;
}

std::string Pad(const std::string& s, size_t width) {
  return s + std::string(width - std::min(width, Width(s)), ' ');
}

void FieldHelp(const Descriptor* d, const std::string& prefix, int depth, std::string& out) {
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    const std::string name = prefix + f->name();
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && !IsDate(f->message_type())) {
      if (f->is_repeated() || IsTimestamp(f->message_type()) || depth > 3) {
        absl::StrAppend(&out, "  --", name, "  (", f->message_type()->name(),
                        f->is_repeated() ? ", repeated: use --from-json" : "", ")\n");
      } else {
        FieldHelp(f->message_type(), name + ".", depth + 1, out);
      }
      continue;
    }
    std::string type = f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE ? "date YYYY-MM-DD"
                       : f->cpp_type() == FieldDescriptor::CPPTYPE_ENUM  ? f->enum_type()->name()
                                                                         : f->type_name();
    absl::StrAppend(&out, "  --", name, "  ", type, f->is_repeated() ? ", comma-separated" : "");
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_ENUM) {
      std::vector<std::string> values;
      for (int k = 1; k < f->enum_type()->value_count(); ++k)
        values.push_back(f->enum_type()->value(k)->name());
      absl::StrAppend(&out, ": ", absl::StrJoin(values, " "));
    }
    absl::StrAppend(&out, "\n");
  }
}

}  // namespace

const std::vector<std::string>& ServiceNames() {
  // Referencing each contract links its descriptors into the pool.
  (void)personnel::v1::Cadre::descriptor();
  (void)training::v1::TrainingClass::descriptor();
  (void)contest::v1::Contest::descriptor();
  (void)incentive::v1::Assessment::descriptor();
  static const auto* names =
      new std::vector<std::string>{"personnel", "training", "contest", "incentive"};
  return *names;
}

const google::protobuf::ServiceDescriptor* ServiceNamed(const std::string& name) {
  if (std::find(ServiceNames().begin(), ServiceNames().end(), name) == ServiceNames().end())
    return nullptr;
  std::string upper = name;
  upper[0] = absl::ascii_toupper(upper[0]);
  return google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
      absl::StrCat("touyan.", name, ".v1.", upper, "Service"));
}

absl::Status ApplyFields(Message& request,
                         const std::vector<std::pair<std::string, std::string>>& fields) {
  for (const auto& [path, value] : fields) {
    Message* m = &request;
    std::vector<std::string> parts = absl::StrSplit(path, '.');
    for (size_t i = 0; i < parts.size(); ++i) {
      const FieldDescriptor* f = m->GetDescriptor()->FindFieldByName(parts[i]);
      if (f == nullptr) {
        return absl::InvalidArgumentError(
            absl::StrCat("--", path, ": ", m->GetDescriptor()->full_name(), " has no field '",
                         parts[i], "' (see --help)"));
      }
      if (i + 1 < parts.size()) {
        if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE || f->is_repeated()) {
          return absl::InvalidArgumentError(
              absl::StrCat("--", path, ": '", parts[i], "' has no fields to set"));
        }
        m = m->GetReflection()->MutableMessage(m, f);
        continue;
      }
      if (f->is_repeated()) {
        m->GetReflection()->ClearField(m, f);
        for (absl::string_view v : absl::StrSplit(value, ',', absl::SkipEmpty())) {
          RETURN_IF_ERROR(SetScalar(*m, f, std::string(v), path));
        }
      } else {
        RETURN_IF_ERROR(SetScalar(*m, f, value, path));
      }
    }
  }
  return absl::OkStatus();
}

const FieldDescriptor* ListItems(const google::protobuf::MethodDescriptor& m) {
  if (m.input_type()->FindFieldByName("page_token") == nullptr ||
      m.output_type()->FindFieldByName("next_page_token") == nullptr) {
    return nullptr;
  }
  for (int i = 0; i < m.output_type()->field_count(); ++i) {
    const FieldDescriptor* f = m.output_type()->field(i);
    if (f->is_repeated() && f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) return f;
  }
  return nullptr;
}

void AddRow(const Message& m, Table& table) {
  std::vector<std::pair<std::string, std::string>> cells;
  Flatten(m, "", cells);
  std::vector<std::string> row(table.columns.size());
  for (auto& [name, value] : cells) {
    auto it = std::find(table.columns.begin(), table.columns.end(), name);
    if (it == table.columns.end()) {
      table.columns.push_back(name);
      row.push_back(value);
    } else {
      row[it - table.columns.begin()] = value;
    }
  }
  table.rows.push_back(std::move(row));
}

std::string RenderTable(const Table& t) {
  std::string out;
  if (t.rows.size() == 1) {  // one record: a field a line
    size_t w = 0;
    for (const auto& c : t.columns) w = std::max(w, Width(c));
    for (size_t i = 0; i < t.columns.size(); ++i) {
      absl::StrAppend(&out, Pad(t.columns[i], w), "  ", i < t.rows[0].size() ? t.rows[0][i] : "",
                      "\n");
    }
    return out;
  }
  std::vector<size_t> w(t.columns.size());
  for (size_t i = 0; i < t.columns.size(); ++i) w[i] = Width(t.columns[i]);
  for (const auto& r : t.rows) {
    for (size_t i = 0; i < r.size(); ++i) w[i] = std::max(w[i], std::min<size_t>(Width(r[i]), 60));
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string l;
    for (size_t i = 0; i < t.columns.size(); ++i) {
      std::string cell = i < cells.size() ? cells[i] : "";
      absl::StrAppend(&l, i ? "  " : "", i + 1 < t.columns.size() ? Pad(cell, w[i]) : cell);
    }
    absl::StrAppend(&out, l, "\n");
  };
  line(t.columns);
  for (const auto& r : t.rows) line(r);
  absl::StrAppend(&out, "(", t.rows.size(), t.rows.size() == 1 ? " row)\n" : " rows)\n");
  return out;
}

std::string RenderCsv(const Table& t) {
  auto cell = [](const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    return absl::StrCat("\"", absl::StrReplaceAll(s, {{"\"", "\"\""}}), "\"");
  };
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    for (size_t i = 0; i < t.columns.size(); ++i) {
      absl::StrAppend(&out, i ? "," : "", cell(i < cells.size() ? cells[i] : ""));
    }
    absl::StrAppend(&out, "\r\n");
  };
  line(t.columns);
  for (const auto& r : t.rows) line(r);
  return out;
}

std::string ServiceHelp(const google::protobuf::ServiceDescriptor& s) {
  std::string out = absl::StrCat(s.full_name(), " — touyanctl ",
                                 absl::AsciiStrToLower(s.name().substr(0, s.name().size() - 7)),
                                 " METHOD [--FIELD=VALUE …] (METHOD --help: its fields)\n\n");
  for (int i = 0; i < s.method_count(); ++i) {
    const auto* m = s.method(i);
    if (m->client_streaming() || m->server_streaming()) continue;
    absl::StrAppend(&out, "  ", m->name(), ListItems(*m) ? "  (list: --all pages to the end)" : "",
                    "\n");
  }
  return out;
}

std::string MethodHelp(const google::protobuf::MethodDescriptor& m) {
  std::string out = absl::StrCat(m.full_name(), "(", m.input_type()->name(), ") → ",
                                 m.output_type()->name(), "\n");
  if (const auto* items = ListItems(m)) {
    absl::StrAppend(&out, "A list of ", items->message_type()->name(),
                    ": --all pages to the end; --output=table|csv|json (JSON: one item a line)\n");
  }
  absl::StrAppend(&out,
                  "\nRequest fields (or --from-json=FILE, - for stdin, then these on top):\n");
  FieldHelp(m.input_type(), "", 0, out);
  return out;
}

}  // namespace touyan::ctl
