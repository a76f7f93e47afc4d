#include "services/contest/domain/rules.h"

#include <cmath>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/ids/region.h"
#include "common/status/status.h"
#include "common/status/text.h"

namespace touyan::contest {

absl::Status ValidateContest(const v1::Contest& c, int year_max) {
  if (c.level() == v1::LEVEL_UNSPECIFIED) return InvalidField("level", "is required", "REQUIRED");
  if (!v1::Level_IsValid(c.level()))
    return InvalidField("level", "is not a known value", "UNKNOWN_ENUM_VALUE");
  const Level need = c.level() == v1::LEVEL_CITY     ? Level::kCity
                     : c.level() == v1::LEVEL_COUNTY ? Level::kCounty
                                                     : Level::kTownship;
  if (LevelOf(c.region_code()) != need) {
    return InvalidField("region_code",
                        absl::StrCat("'", c.region_code(), "' is not a ",
                                     need == Level::kCity     ? "city"
                                     : need == Level::kCounty ? "county"
                                                              : "township",
                                     " code (the contest's level)"),
                        "BAD_REGION_CODE");
  }
  if (c.year() < 2000 || c.year() > year_max) {
    return InvalidField("year", absl::StrCat("must be a year from 2000 to ", year_max));
  }
  RETURN_IF_ERROR(ValidateText("title", c.title(), 200));
  if (c.fields().empty()) return InvalidField("fields", "needs at least one field", "REQUIRED");
  std::set<int> seen;
  for (int i = 0; i < c.fields_size(); ++i) {
    const std::string f = absl::StrCat("fields[", i, "]");
    if (c.fields(i) == v1::FIELD_UNSPECIFIED || !v1::Field_IsValid(c.fields(i))) {
      return InvalidField(f, "is not a known field", "UNKNOWN_ENUM_VALUE");
    }
    if (!seen.insert(c.fields(i)).second) return InvalidField(f, "repeats a field", "DUPLICATE");
  }
  return absl::OkStatus();
}

std::vector<v1::Dimension> DefaultRubric() {
  std::vector<v1::Dimension> out;
  for (auto [key, name] :
       {std::pair{"rural_governance", "乡村治理"}, std::pair{"collective_economy", "壮大集体经济"},
        std::pair{"practical_deeds", "为民办实事"}}) {
    v1::Dimension d;
    d.set_key(key);
    d.set_name(name);
    d.set_weight(1);
    d.set_max(100);
    out.push_back(std::move(d));
  }
  return out;
}

absl::Status ValidateRubric(const google::protobuf::RepeatedPtrField<v1::Dimension>& rubric,
                            absl::string_view field) {
  if (rubric.empty() || rubric.size() > 10) {
    return InvalidField(field, "needs 1 to 10 dimensions", "BAD_COUNT");
  }
  std::set<std::string> keys;
  for (int i = 0; i < rubric.size(); ++i) {
    const v1::Dimension& d = rubric[i];
    const std::string f = absl::StrCat(field, "[", i, "].");
    const bool key_ok = !d.key().empty() && d.key().size() <= 32 &&
                        std::all_of(d.key().begin(), d.key().end(),
                                    [](char c) { return absl::ascii_islower(c) || c == '_'; });
    if (!key_ok) return InvalidField(f + "key", "must be 1 to 32 of a-z and _");
    if (!keys.insert(d.key()).second) return InvalidField(f + "key", "repeats a key", "DUPLICATE");
    RETURN_IF_ERROR(ValidateText(f + "name", d.name(), 50));
    if (!(d.weight() > 0) || !std::isfinite(d.weight()) || d.weight() > 1000) {
      return InvalidField(f + "weight", "must be more than 0 and at most 1000");
    }
    if (!(d.max() > 0) || !std::isfinite(d.max()) || d.max() > 10000) {
      return InvalidField(f + "max", "must be more than 0 and at most 10000");
    }
  }
  return absl::OkStatus();
}

absl::Status NormalizeRound(v1::Round& r) {
  RETURN_IF_ERROR(ValidateText("name", r.name(), 100));
  if (r.aggregation() == v1::AGGREGATION_UNSPECIFIED) r.set_aggregation(v1::AGGREGATION_MEAN);
  if (!v1::Aggregation_IsValid(r.aggregation())) {
    return InvalidField("aggregation", "is not a known value", "UNKNOWN_ENUM_VALUE");
  }
  if (r.rubric().empty()) {
    for (auto& d : DefaultRubric()) *r.add_rubric() = std::move(d);
  }
  RETURN_IF_ERROR(ValidateRubric(r.rubric(), "rubric"));
  if (r.advance_top_n() < 0) return InvalidField("advance_top_n", "must not be negative");
  if (r.advance_top_share() < 0 || r.advance_top_share() > 1 ||
      !std::isfinite(r.advance_top_share())) {
    return InvalidField("advance_top_share", "must be from 0 to 1");
  }
  if (r.appeal_window_days() == 0) r.set_appeal_window_days(7);
  if (r.appeal_window_days() < 0 || r.appeal_window_days() > 30) {
    return InvalidField("appeal_window_days", "must be from 1 to 30");
  }
  if (r.star_bands_size() > 5) return InvalidField("star_bands", "at most 5 bands", "BAD_COUNT");
  double last = 0;
  for (int i = 0; i < r.star_bands_size(); ++i) {
    const v1::StarBand& b = r.star_bands(i);
    const std::string f = absl::StrCat("star_bands[", i, "].");
    if (b.stars() < 1 || b.stars() > 5) return InvalidField(f + "stars", "must be from 1 to 5");
    if (!(b.top_share() > 0) || b.top_share() > 1)
      return InvalidField(f + "top_share", "must be in (0, 1]");
    if (b.top_share() <= last)
      return InvalidField(f + "top_share", "bands go from the best (smallest share) down");
    last = b.top_share();
  }
  return absl::OkStatus();
}

absl::Status ValidateReport(const v1::WorkReport& report) {
  RETURN_IF_ERROR(ValidateText("title", report.title(), 200));
  RETURN_IF_ERROR(ValidateText("summary", report.summary(), 4000, false));
  if (report.materials_size() > 20) return InvalidField("materials", "at most 20", "BAD_COUNT");
  for (int i = 0; i < report.materials_size(); ++i) {
    const v1::Material& m = report.materials(i);
    const std::string f = absl::StrCat("materials[", i, "].");
    if (m.kind() == v1::MATERIAL_KIND_UNSPECIFIED || !v1::MaterialKind_IsValid(m.kind())) {
      return InvalidField(f + "kind", "is required", "REQUIRED");
    }
    if (!(absl::StartsWith(m.uri(), "https://") || absl::StartsWith(m.uri(), "s3://")) ||
        m.uri().size() > 2000 || Utf8Chars(m.uri()) < 0 || absl::StrContains(m.uri(), " ")) {
      return InvalidField(
          f + "uri", "must be an https:// or s3:// address of at most 2000 characters", "BAD_URI");
    }
    const std::string& t = m.media_type();
    const size_t slash = t.find('/');
    const bool type_ok =
        slash != std::string::npos && slash > 0 && slash + 1 < t.size() && t.size() <= 100 &&
        std::all_of(t.begin(), t.end(), [](char c) {
          return absl::ascii_isalnum(c) || c == '/' || c == '.' || c == '+' || c == '-';
        });
    if (!type_ok)
      return InvalidField(f + "media_type", "must be a media type such as video/mp4",
                          "BAD_MEDIA_TYPE");
    if (m.byte_size() < 1 || m.byte_size() > (int64_t{10} << 30)) {
      return InvalidField(f + "byte_size", "must be from 1 byte to 10 GiB");
    }
    const bool hex =
        m.sha256().size() == 64 && std::all_of(m.sha256().begin(), m.sha256().end(), [](char c) {
          return absl::ascii_isdigit(c) || (c >= 'a' && c <= 'f');
        });
    if (!hex) return InvalidField(f + "sha256", "must be 64 lowercase hex digits", "BAD_SHA256");
  }
  return absl::OkStatus();
}

absl::StatusOr<int> DimensionOf(absl::string_view key,
                                const google::protobuf::RepeatedPtrField<v1::Dimension>& rubric) {
  for (int i = 0; i < rubric.size(); ++i) {
    if (rubric[i].key() == key) return i;
  }
  return InvalidField("dimension", absl::StrCat("'", key, "' is not in the round's rubric"),
                      "UNKNOWN_DIMENSION");
}

absl::Status CheckScoreValue(double value, const v1::Dimension& d) {
  if (!std::isfinite(value) || value < 0 || value > d.max()) {
    return InvalidField("value", absl::StrCat("must be from 0 to ", d.max(), " (", d.name(), ")"),
                        "SCORE_OUT_OF_RANGE");
  }
  return absl::OkStatus();
}

absl::StatusOr<int> ValidateScore(const v1::Score& s,
                                  const google::protobuf::RepeatedPtrField<v1::Dimension>& rubric) {
  ASSIGN_OR_RETURN(int i, DimensionOf(s.dimension(), rubric));
  RETURN_IF_ERROR(CheckScoreValue(s.value(), rubric[i]));
  return i;
}

absl::Status CheckConflict(const v1::Judge& judge, const v1::Entry& entry) {
  std::string why;
  if (!judge.cadre_id().empty() && judge.cadre_id() == entry.cadre_id()) {
    why = "is the entrant";
  } else if (!judge.region_code().empty() && judge.region_code() == entry.village_code()) {
    why = absl::StrCat("comes from the entrant's own village ", entry.village_code());
  } else if (!judge.party_org_id().empty() && judge.party_org_id() == entry.party_org_id()) {
    why = absl::StrCat("belongs to the entrant's own organisation ", entry.party_org_id());
  }
  if (why.empty()) return absl::OkStatus();
  return WithReason(absl::FailedPreconditionError(absl::StrCat(
                        "judge ", judge.id(), " ", why, ": may not judge entry ", entry.id())),
                    "CONFLICT_OF_INTEREST");
}

}  // namespace touyan::contest
