#include "services/personnel/domain/rules.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/auth/principal.h"
#include "common/status/status.h"
#include "common/time/date.h"
#include "services/personnel/domain/resident_id.h"

namespace touyan::personnel {
namespace {

// The 56 recognised ethnic groups, plus 其他 (other) and 外国血统 (foreign
// origin), as registered on resident cards.
const std::set<absl::string_view>& Ethnicities() {
  static const auto* kSet = new std::set<absl::string_view>{
      "汉族",       "蒙古族",   "回族",     "藏族",   "维吾尔族", "苗族",     "彝族",
      "壮族",       "布依族",   "朝鲜族",   "满族",   "侗族",     "瑶族",     "白族",
      "土家族",     "哈尼族",   "哈萨克族", "傣族",   "黎族",     "傈僳族",   "佤族",
      "畲族",       "高山族",   "拉祜族",   "水族",   "东乡族",   "纳西族",   "景颇族",
      "柯尔克孜族", "土族",     "达斡尔族", "仫佬族", "羌族",     "布朗族",   "撒拉族",
      "毛南族",     "仡佬族",   "锡伯族",   "阿昌族", "普米族",   "塔吉克族", "怒族",
      "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族", "保安族",   "裕固族",   "京族",
      "塔塔尔族",   "独龙族",   "鄂伦春族", "赫哲族", "门巴族",   "珞巴族",   "基诺族",
      "其他",       "外国血统"};
  return *kSet;
}

bool IsPhone(absl::string_view p) {
  auto digits = [](absl::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return absl::ascii_isdigit(c); });
  };
  if (p.size() == 11 && p[0] == '1' && p[1] >= '3' && p[1] <= '9' && digits(p)) return true;
  // Landline: 0 + area code (2-3 digits) + optional dash + 7-8 digits.
  if (p.size() >= 10 && p.size() <= 13 && p[0] == '0') {
    std::string s;
    for (char c : p) {
      if (c != '-') s += c;
    }
    return digits(s) && s.size() >= 10 && s.size() <= 12 &&
           std::count(p.begin(), p.end(), '-') <= 1;
  }
  return false;
}

template <typename E>
absl::Status RequireEnum(absl::string_view field, int value, bool (*valid)(int)) {
  if (value == 0 || !valid(value)) {
    return InvalidField(field, value == 0 ? "is required" : "is not a known value",
                        value == 0 ? "REQUIRED" : "UNKNOWN_ENUM_VALUE");
  }
  return absl::OkStatus();
}

}  // namespace

// ------------------------------------------------------------------ regions

v1::RegionLevel LevelOfCode(absl::string_view code) {
  absl::StatusOr<std::string> p = auth::RegionPrefix(code);
  if (!p.ok()) return v1::REGION_LEVEL_UNSPECIFIED;
  switch (p->size()) {
    case 2:
      return v1::REGION_LEVEL_PROVINCE;
    case 4:
      return v1::REGION_LEVEL_CITY;
    case 6:
      return v1::REGION_LEVEL_COUNTY;
    case 9:
      return v1::REGION_LEVEL_TOWNSHIP;
    case 12:
      return v1::REGION_LEVEL_VILLAGE;
    default:
      return v1::REGION_LEVEL_UNSPECIFIED;
  }
}

std::vector<std::string> AncestorCodes(absl::string_view code) {
  std::vector<std::string> out;
  absl::StatusOr<std::string> p = auth::RegionPrefix(code);
  if (!p.ok()) return out;
  for (size_t len : {2, 4, 6, 9, 12}) {
    if (len > p->size()) break;
    out.push_back(p->substr(0, len) + std::string(12 - len, '0'));
  }
  return out;
}

absl::Status ValidateRegion(const v1::Region& r) {
  v1::RegionLevel level = LevelOfCode(r.code());
  if (level == v1::REGION_LEVEL_UNSPECIFIED) {
    return InvalidField("code", absl::StrCat("'", r.code(), "' is not a 12-digit region code"));
  }
  if (r.level() != level) {
    return InvalidField("level", absl::StrCat("does not match code ", r.code(), " (expected ",
                                              v1::RegionLevel_Name(level), ")"));
  }
  RETURN_IF_ERROR(ValidateText("name", r.name(), 100));
  if (r.parent_code().empty()) return absl::OkStatus();  // the top of an imported tree
  std::vector<std::string> ancestors = AncestorCodes(r.code());
  if (std::find(ancestors.begin(), ancestors.end() - 1, r.parent_code()) == ancestors.end() - 1) {
    return InvalidField("parent_code",
                        absl::StrCat(r.parent_code(), " is not an ancestor of ", r.code()));
  }
  return absl::OkStatus();
}

// ------------------------------------------------------------------- cadres

absl::Status NormalizeCadre(v1::Cadre& c, absl::CivilDay today) {
  v1::RegionLevel level = LevelOfCode(c.region_code());
  if (level != v1::REGION_LEVEL_COUNTY && level != v1::REGION_LEVEL_TOWNSHIP &&
      level != v1::REGION_LEVEL_VILLAGE) {
    return InvalidField(
        "region_code",
        c.region_code().empty()
            ? "is required"
            : absl::StrCat("'", c.region_code(), "' is not a county, township or village code"),
        c.region_code().empty() ? "REQUIRED" : "BAD_REGION_CODE");
  }
  ASSIGN_OR_RETURN(ResidentIdInfo info, ParseResidentId(c.resident_id(), today));
  c.set_resident_id(NormalizeResidentId(c.resident_id()));
  if (IsSet(c.birth_date())) {
    ASSIGN_OR_RETURN(absl::CivilDay given, ToCivilDay("birth_date", c.birth_date()));
    if (given != info.birth_date) {
      return InvalidField("birth_date", "does not match the resident ID", "MISMATCH");
    }
  }
  *c.mutable_birth_date() = ToDate(info.birth_date);
  v1::Gender implied = info.male ? v1::GENDER_MALE : v1::GENDER_FEMALE;
  if (c.gender() == v1::GENDER_UNSPECIFIED) {
    c.set_gender(implied);
  } else if (c.gender() != implied) {
    return InvalidField("gender", "does not match the resident ID", "MISMATCH");
  }
  RETURN_IF_ERROR(ValidateText("name", c.name(), 50));
  if (!Ethnicities().contains(c.ethnicity())) {
    return InvalidField(
        "ethnicity",
        c.ethnicity().empty() ? "is required" : "must be a registered ethnic group such as 蒙古族",
        c.ethnicity().empty() ? "REQUIRED" : "UNKNOWN_ETHNICITY");
  }
  if (!c.phone().empty() && !IsPhone(c.phone())) {
    return InvalidField("phone",
                        "must be a mobile (13912345678) or landline (0474-1234567) number");
  }
  RETURN_IF_ERROR(RequireEnum<v1::Education>("education", c.education(), v1::Education_IsValid));
  RETURN_IF_ERROR(RequireEnum<v1::EstablishmentStatus>("establishment", c.establishment(),
                                                       v1::EstablishmentStatus_IsValid));
  RETURN_IF_ERROR(RequireEnum<v1::Origin>("origin", c.origin(), v1::Origin_IsValid));
  if (!v1::Gender_IsValid(c.gender())) return InvalidField("gender", "is not a known value");
  return absl::OkStatus();
}

const std::vector<std::string>& UpdatableCadreFields() {
  static const auto* kFields =
      new std::vector<std::string>{"name",  "ethnicity",     "party_member", "education",
                                   "phone", "establishment", "origin",       "region_code"};
  return *kFields;
}

absl::Status ApplyCadrePatch(const v1::Cadre& patch, const std::vector<std::string>& paths,
                             v1::Cadre& current) {
  if (paths.empty()) {
    return InvalidField("update_mask",
                        absl::StrCat("name the fields to change among: ",
                                     absl::StrJoin(UpdatableCadreFields(), ", ")),
                        "REQUIRED");
  }
  for (const std::string& p : paths) {
    if (p == "name")
      current.set_name(patch.name());
    else if (p == "ethnicity")
      current.set_ethnicity(patch.ethnicity());
    else if (p == "party_member")
      current.set_party_member(patch.party_member());
    else if (p == "education")
      current.set_education(patch.education());
    else if (p == "phone")
      current.set_phone(patch.phone());
    else if (p == "establishment")
      current.set_establishment(patch.establishment());
    else if (p == "origin")
      current.set_origin(patch.origin());
    else if (p == "region_code") {
      if (!absl::StartsWith(patch.region_code(), current.county_code())) {
        return InvalidField("cadre.region_code",
                            "must stay in the cadre's county; moving a cadre to another county "
                            "is a transfer, not an update",
                            "CROSS_COUNTY_MOVE");
      }
      current.set_region_code(patch.region_code());
    } else {
      return InvalidField("update_mask",
                          absl::StrCat("'", p, "' cannot be updated; allowed: ",
                                       absl::StrJoin(UpdatableCadreFields(), ", ")),
                          "IMMUTABLE_FIELD");
    }
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------- positions

bool IsSecretary(v1::PositionKind k) {
  return k == v1::POSITION_KIND_BRANCH_SECRETARY || k == v1::POSITION_KIND_DUAL_ROLE;
}
bool IsDirector(v1::PositionKind k) {
  return k == v1::POSITION_KIND_COMMITTEE_DIRECTOR || k == v1::POSITION_KIND_DUAL_ROLE;
}

std::vector<int> KindsHolding(v1::PositionKind k) {
  switch (k) {
    case v1::POSITION_KIND_BRANCH_SECRETARY:
      return {1, 3};
    case v1::POSITION_KIND_COMMITTEE_DIRECTOR:
      return {2, 3};
    case v1::POSITION_KIND_DUAL_ROLE:
      return {3};
    case v1::POSITION_KIND_COMMITTEE_MEMBER:
      return {4};
    default:
      return {};
  }
}

absl::Status ValidatePosition(const v1::Position& p, v1::PartyOrgKind org_kind,
                              int64_t cadre_number, absl::CivilDay birth,
                              const std::vector<CurrentPost>& current, absl::CivilDay today) {
  if (p.kind() == v1::POSITION_KIND_UNSPECIFIED || !v1::PositionKind_IsValid(p.kind())) {
    return InvalidField("position.kind", "is required", "REQUIRED");
  }
  if (!IsSet(p.term_start())) return InvalidField("position.term_start", "is required", "REQUIRED");
  ASSIGN_OR_RETURN(absl::CivilDay start, ToCivilDay("position.term_start", p.term_start()));
  if (start > today + 366) {
    return InvalidField("position.term_start", "must be within a year from today");
  }
  if (IsSet(p.term_end())) {
    ASSIGN_OR_RETURN(absl::CivilDay end, ToCivilDay("position.term_end", p.term_end()));
    if (end < start) return InvalidField("position.term_end", "must not be before term_start");
  }
  if ((IsDirector(p.kind()) || p.kind() == v1::POSITION_KIND_COMMITTEE_MEMBER) &&
      org_kind != v1::PARTY_ORG_KIND_VILLAGE && org_kind != v1::PARTY_ORG_KIND_COMMUNITY) {
    return WithReason(absl::FailedPreconditionError(
                          "a committee director, dual role or committee member needs a village "
                          "or community organisation"),
                      "DIRECTOR_NEEDS_VILLAGE");
  }
  absl::CivilDay adult(birth.year() + 18, birth.month(), birth.day());
  if (start < adult) {
    return WithReason(absl::FailedPreconditionError("the cadre is under 18 at the term's start"),
                      "TOO_YOUNG");
  }
  for (const CurrentPost& c : current) {
    if (c.cadre_number == cadre_number) {
      return WithReason(absl::FailedPreconditionError(
                            "the cadre already holds a current post in this organisation; end "
                            "it first (holding both posts is DUAL_ROLE)"),
                        "CADRE_ALREADY_HOLDS_POST");
    }
    if (IsSecretary(c.kind) && IsSecretary(p.kind())) {
      return WithReason(absl::FailedPreconditionError(
                            "the organisation already has a current secretary; end that term "
                            "first"),
                        "ORG_HAS_SECRETARY");
    }
    if (IsDirector(c.kind) && IsDirector(p.kind())) {
      return WithReason(absl::FailedPreconditionError(
                            "the organisation already has a current committee director"),
                        "ORG_HAS_DIRECTOR");
    }
  }
  return absl::OkStatus();
}

}  // namespace touyan::personnel

namespace touyan::personnel {

v1::PartyOrg VillageOrgFor(const v1::Region& village) {
  std::string base = village.name();
  for (absl::string_view suffix :
       {"村民委员会", "居民委员会", "嘎查委员会", "委员会", "村委会", "居委会"}) {
    if (absl::EndsWith(base, suffix) && base.size() > suffix.size()) {
      base.resize(base.size() - suffix.size());
      break;
    }
  }
  bool community = absl::StrContains(village.name(), "社区") ||
                   absl::StrContains(village.name(), "居委会") ||
                   absl::StrContains(village.name(), "居民委员会");
  if (absl::EndsWith(village.name(), "嘎查委员会") && !absl::EndsWith(base, "嘎查")) base += "嘎查";
  v1::PartyOrg org;
  org.set_name(base + "党支部");
  org.set_kind(community ? v1::PARTY_ORG_KIND_COMMUNITY : v1::PARTY_ORG_KIND_VILLAGE);
  org.set_region_code(village.code());
  return org;
}

}  // namespace touyan::personnel
