#include "tools/touyanctl/records.h"

#include <random>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "common/status/status.h"
#include "services/personnel/domain/resident_id.h"

namespace touyan::ctl {
namespace {

absl::Status LineError(int64_t line, absl::string_view msg) {
  return absl::InvalidArgumentError(absl::StrCat("line ", line, ": ", msg));
}

pv1::RegionLevel ParseLevel(const std::string& s) {
  std::string l = absl::AsciiStrToLower(s);
  if (l == "province") return pv1::REGION_LEVEL_PROVINCE;
  if (l == "city") return pv1::REGION_LEVEL_CITY;
  if (l == "county") return pv1::REGION_LEVEL_COUNTY;
  if (l == "township") return pv1::REGION_LEVEL_TOWNSHIP;
  if (l == "village") return pv1::REGION_LEVEL_VILLAGE;
  return pv1::REGION_LEVEL_UNSPECIFIED;
}

// An enumeration value from a number or a name with or without its prefix.
template <typename E>
absl::Status ParseEnum(const std::string& column, const std::string& text,
                       const std::string& prefix, bool (*parse)(const std::string&, E*),
                       bool (*valid)(int), E* out) {
  int n = 0;
  std::string t = std::string(absl::StripAsciiWhitespace(text));
  if (absl::SimpleAtoi(t, &n) && valid(n)) {
    *out = static_cast<E>(n);
    return absl::OkStatus();
  }
  std::string upper = absl::AsciiStrToUpper(t);
  if (parse(upper, out) || parse(prefix + upper, out)) return absl::OkStatus();
  return InvalidField(column, absl::StrCat("'", text, "' is not a known value"));
}

constexpr const char* kSurnames[] = {"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴",
                                     "高", "郭", "马", "孙", "胡", "朱", "乌", "巴", "包", "白"};
constexpr const char* kGiven[] = {"建国",   "秀英", "海龙", "桂兰", "志强", "丽华",   "宝音",
                                  "其其格", "永平", "玉梅", "金山", "春花", "巴特尔", "斯琴",
                                  "东升",   "雪瑞", "文博", "晓燕", "国庆", "凤英"};
constexpr const char* kEthnicities[] = {"汉族", "汉族",   "汉族",   "汉族", "汉族",
                                        "汉族", "蒙古族", "蒙古族", "回族", "满族"};

}  // namespace

absl::StatusOr<std::vector<pv1::Region>> ReadRegions(std::istream& in) {
  CsvReader reader(in);
  std::vector<std::string> row;
  ASSIGN_OR_RETURN(bool any, reader.Next(&row));
  if (!any) return absl::InvalidArgumentError("the file is empty");
  CsvHeader header(row);
  for (const char* col : {"code", "name", "level", "parent_code"}) {
    if (!header.Has(col)) return LineError(1, absl::StrCat("missing column '", col, "'"));
  }
  std::vector<pv1::Region> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool more, reader.Next(&row));
    if (!more) break;
    if (row.size() == 1 && row[0].empty()) continue;
    pv1::Region r;
    r.set_code(*header.Get(row, "code"));
    r.set_name(header.Get(row, "name").value_or(""));
    r.set_level(ParseLevel(header.Get(row, "level").value_or("")));
    r.set_parent_code(header.Get(row, "parent_code").value_or(""));
    if (r.level() == pv1::REGION_LEVEL_UNSPECIFIED) {
      return LineError(reader.line(), "level must be province, city, county, township or village");
    }
    out.push_back(std::move(r));
  }
  return out;
}

const std::vector<std::string>& CadreColumns() {
  static const auto* kCols = new std::vector<std::string>{
      "county_code", "region_code",  "resident_id", "name",  "gender",        "ethnicity",
      "birth_date",  "party_member", "education",   "phone", "establishment", "origin"};
  return *kCols;
}

absl::StatusOr<pv1::Cadre> CadreFromCsv(const CsvHeader& h, const std::vector<std::string>& row) {
  pv1::Cadre c;
  c.set_region_code(h.Get(row, "region_code").value_or(""));
  c.set_resident_id(h.Get(row, "resident_id").value_or(""));
  c.set_name(h.Get(row, "name").value_or(""));
  c.set_ethnicity(h.Get(row, "ethnicity").value_or(""));
  c.set_phone(h.Get(row, "phone").value_or(""));
  if (auto g = h.Get(row, "gender"); g && !g->empty()) {
    pv1::Gender v = pv1::GENDER_UNSPECIFIED;
    RETURN_IF_ERROR(ParseEnum<pv1::Gender>("gender", *g, "GENDER_", pv1::Gender_Parse,
                                           pv1::Gender_IsValid, &v));
    c.set_gender(v);
  }
  if (auto b = h.Get(row, "birth_date"); b && !b->empty()) {
    absl::CivilDay d;
    if (!absl::ParseCivilTime(*b, &d)) return InvalidField("birth_date", "must be YYYY-MM-DD");
    c.mutable_birth_date()->set_year(static_cast<int>(d.year()));
    c.mutable_birth_date()->set_month(d.month());
    c.mutable_birth_date()->set_day(d.day());
  }
  std::string pm = absl::AsciiStrToLower(h.Get(row, "party_member").value_or(""));
  if (pm == "true" || pm == "t" || pm == "1" || pm == "yes" || pm == "是") {
    c.set_party_member(true);
  } else if (!(pm == "false" || pm == "f" || pm == "0" || pm == "no" || pm == "否" || pm.empty())) {
    return InvalidField("party_member", "must be true or false");
  }
  pv1::Education e = pv1::EDUCATION_UNSPECIFIED;
  RETURN_IF_ERROR(ParseEnum<pv1::Education>("education", h.Get(row, "education").value_or("0"),
                                            "EDUCATION_", pv1::Education_Parse,
                                            pv1::Education_IsValid, &e));
  c.set_education(e);
  pv1::EstablishmentStatus es = pv1::ESTABLISHMENT_STATUS_UNSPECIFIED;
  RETURN_IF_ERROR(ParseEnum<pv1::EstablishmentStatus>(
      "establishment", h.Get(row, "establishment").value_or("0"), "ESTABLISHMENT_STATUS_",
      pv1::EstablishmentStatus_Parse, pv1::EstablishmentStatus_IsValid, &es));
  c.set_establishment(es);
  pv1::Origin o = pv1::ORIGIN_UNSPECIFIED;
  RETURN_IF_ERROR(ParseEnum<pv1::Origin>("origin", h.Get(row, "origin").value_or("0"), "ORIGIN_",
                                         pv1::Origin_Parse, pv1::Origin_IsValid, &o));
  c.set_origin(o);
  return c;
}

void WriteCadreCsvHeader(std::ostream& out) {
  bool first = true;
  for (const auto& col : CadreColumns()) {
    out << (first ? "" : ",") << col;
    first = false;
  }
  out << '\n';
}

void WriteCadreCsv(const pv1::Cadre& c, std::ostream& out) {
  out << c.region_code().substr(0, 6) << ',' << c.region_code() << ',' << c.resident_id() << ','
      << CsvEscape(c.name()) << ',' << static_cast<int>(c.gender()) << ','
      << CsvEscape(c.ethnicity()) << ','
      << absl::StrFormat("%04d-%02d-%02d", c.birth_date().year(), c.birth_date().month(),
                         c.birth_date().day())
      << ',' << (c.party_member() ? "true" : "false") << ',' << static_cast<int>(c.education())
      << ',' << c.phone() << ',' << static_cast<int>(c.establishment()) << ','
      << static_cast<int>(c.origin()) << '\n';
}

pv1::Cadre GenerateCadre(std::mt19937_64& rng, int64_t i, const std::string& region) {
  const absl::CivilDay base(1960, 1, 1);
  // Birth day and sequence number come from i, so IDs never collide.
  absl::CivilDay birth = base + (i / 1000) % 14600;
  std::string first17 = absl::StrFormat("%s%04d%02d%02d%03d", region.substr(0, 6), birth.year(),
                                        birth.month(), birth.day(), i % 1000);
  pv1::Cadre c;
  c.set_region_code(region);
  c.set_resident_id(first17 + personnel::ResidentIdCheckChar(first17));
  c.set_name(absl::StrCat(kSurnames[rng() % 20], kGiven[rng() % 20]));
  c.set_gender((i % 1000) % 2 == 1 ? pv1::GENDER_MALE : pv1::GENDER_FEMALE);
  c.set_ethnicity(kEthnicities[rng() % 10]);
  c.mutable_birth_date()->set_year(static_cast<int>(birth.year()));
  c.mutable_birth_date()->set_month(birth.month());
  c.mutable_birth_date()->set_day(birth.day());
  c.set_party_member(rng() % 10 < 8);
  c.set_education(static_cast<pv1::Education>(2 + rng() % 5));
  c.set_phone(absl::StrFormat("1%d%09d", 3 + static_cast<int>(rng() % 7),
                              static_cast<int>(rng() % 1000000000)));
  uint64_t est = rng() % 10;
  c.set_establishment(est < 8    ? pv1::ESTABLISHMENT_STATUS_NONE
                      : est == 8 ? pv1::ESTABLISHMENT_STATUS_AGENCY
                                 : pv1::ESTABLISHMENT_STATUS_ENTERPRISE);
  c.set_origin(static_cast<pv1::Origin>(1 + rng() % 7));
  return c;
}

std::vector<pv1::Cadre> GenerateCadres(uint64_t seed, int64_t first, int64_t n,
                                       const std::vector<std::string>& villages) {
  std::vector<pv1::Cadre> out;
  out.reserve(n);
  std::mt19937_64 rng(seed ^ static_cast<uint64_t>(first));
  for (int64_t i = first; i < first + n; ++i) {
    out.push_back(
        GenerateCadre(rng, i, villages[(static_cast<uint64_t>(i) * 7919) % villages.size()]));
  }
  return out;
}

}  // namespace touyan::ctl
