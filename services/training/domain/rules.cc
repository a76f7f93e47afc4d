#include "services/training/domain/rules.h"

#include <algorithm>
#include <set>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/auth/principal.h"
#include "common/ids/resource_id.h"
#include "common/status/status.h"
#include "common/status/text.h"
#include "common/time/date.h"

namespace touyan::training {

Level LevelOfTier(v1::Tier tier) {
  switch (tier) {
    case v1::TIER_CITY:
      return Level::kCity;
    case v1::TIER_COUNTY:
      return Level::kCounty;
    case v1::TIER_TOWNSHIP:
      return Level::kTownship;
    default:
      return Level::kInvalid;
  }
}

namespace {

absl::Status CheckRegion(absl::string_view field, absl::string_view code,
                         std::initializer_list<Level> allowed, absl::string_view what) {
  if (code.empty()) return InvalidField(field, "is required", "REQUIRED");
  Level l = LevelOf(code);
  if (std::find(allowed.begin(), allowed.end(), l) == allowed.end()) {
    return InvalidField(field, absl::StrCat("'", code, "' is not ", what), "BAD_REGION_CODE");
  }
  return absl::OkStatus();
}

absl::Status CheckYearIn(absl::string_view field, int year, int year_max) {
  if (year < 2000 || year > year_max) {
    return InvalidField(field, absl::StrCat("must be a year from 2000 to ", year_max));
  }
  return absl::OkStatus();
}

absl::Status CheckPastDate(absl::string_view field, const google::type::Date& d,
                           absl::CivilDay today) {
  if (!IsSet(d)) return InvalidField(field, "is required", "REQUIRED");
  ASSIGN_OR_RETURN(absl::CivilDay day, ToCivilDay(field, d));
  if (day > today) return InvalidField(field, "must not be in the future", "DATE_IN_FUTURE");
  if (day.year() < 2000) return InvalidField(field, "must be in 2000 or later");
  return absl::OkStatus();
}

}  // namespace

absl::Status NormalizeClass(v1::TrainingClass& c, int year_max) {
  if (c.tier() == v1::TIER_UNSPECIFIED) return InvalidField("tier", "is required", "REQUIRED");
  if (!v1::Tier_IsValid(c.tier()))
    return InvalidField("tier", "is not a known value", "UNKNOWN_ENUM_VALUE");
  const Level need = LevelOfTier(c.tier());
  RETURN_IF_ERROR(CheckRegion("region_code", c.region_code(), {need},
                              need == Level::kCity     ? "a city code (tier CITY)"
                              : need == Level::kCounty ? "a county code (tier COUNTY)"
                                                       : "a township code (tier TOWNSHIP)"));
  RETURN_IF_ERROR(ValidateText("title", c.title(), 200));
  RETURN_IF_ERROR(ValidateText("theme", c.theme(), 100));
  RETURN_IF_ERROR(CheckYearIn("year", c.year(), year_max));
  if (c.formats().empty()) return InvalidField("formats", "needs at least one format", "REQUIRED");
  std::set<int> formats;
  for (int i = 0; i < c.formats_size(); ++i) {
    const int f = c.formats(i);
    const std::string field = absl::StrCat("formats[", i, "]");
    if (f == v1::FORMAT_UNSPECIFIED || !v1::Format_IsValid(f)) {
      return InvalidField(field, "is not a known format", "UNKNOWN_ENUM_VALUE");
    }
    if (!formats.insert(f).second) return InvalidField(field, "repeats a format", "DUPLICATE");
  }
  RETURN_IF_ERROR(ValidateText("venue", c.venue(), 200));
  if (c.venue_kind() == v1::VENUE_KIND_UNSPECIFIED) c.set_venue_kind(v1::VENUE_KIND_OTHER);
  if (!v1::VenueKind_IsValid(c.venue_kind())) {
    return InvalidField("venue_kind", "is not a known value", "UNKNOWN_ENUM_VALUE");
  }
  if (c.capacity() < 1 || c.capacity() > 100000) {
    return InvalidField("capacity", "must be from 1 to 100,000");
  }
  if (c.completion_min_percent() == 0) c.set_completion_min_percent(80);
  if (c.completion_min_percent() < 1 || c.completion_min_percent() > 100) {
    return InvalidField("completion_min_percent", "must be from 1 to 100");
  }
  if (c.segments().empty() || c.segments_size() > 20) {
    return InvalidField("segments", "needs 1 to 20 segments", "BAD_COUNT");
  }
  std::vector<std::pair<absl::CivilDay, v1::Segment>> segs;
  for (int i = 0; i < c.segments_size(); ++i) {
    const v1::Segment& s = c.segments(i);
    const std::string f = absl::StrCat("segments[", i, "].");
    RETURN_IF_ERROR(ValidateText(f + "title", s.title(), 200, /*required=*/false));
    if (!IsSet(s.start_date())) return InvalidField(f + "start_date", "is required", "REQUIRED");
    ASSIGN_OR_RETURN(absl::CivilDay start, ToCivilDay(f + "start_date", s.start_date()));
    absl::CivilDay end = start;
    if (IsSet(s.end_date())) {
      ASSIGN_OR_RETURN(end, ToCivilDay(f + "end_date", s.end_date()));
    }
    if (end < start) return InvalidField(f + "end_date", "must not be before start_date");
    if (start.year() < c.year() - 1 || start.year() > c.year() + 1) {
      return InvalidField(f + "start_date", "must lie within a year of the class's year");
    }
    v1::Segment n = s;
    *n.mutable_end_date() = ToDate(end);
    segs.emplace_back(start, std::move(n));
  }
  std::stable_sort(segs.begin(), segs.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  c.clear_segments();
  for (size_t i = 0; i < segs.size(); ++i) {
    segs[i].second.set_number(static_cast<int>(i) + 1);
    *c.add_segments() = std::move(segs[i].second);
  }
  const bool peer = formats.count(v1::FORMAT_PEER_LECTURE) > 0;
  if (peer && c.lecturer_cadre_ids().empty()) {
    return InvalidField("lecturer_cadre_ids",
                        "a peer lecture (书记讲给书记听) needs the secretaries who lecture",
                        "REQUIRED");
  }
  return ValidateCadreIds("lecturer_cadre_ids", c.lecturer_cadre_ids(), 0, 50);
}

absl::Status CheckNotCancelled(const v1::TrainingClass& c, absl::string_view field) {
  if (c.state() != v1::CLASS_STATE_CANCELLED) return absl::OkStatus();
  return WithField(WithReason(absl::FailedPreconditionError(absl::StrCat(
                                  "class ", c.id(), " was cancelled (", c.cancel_reason(), ")")),
                              "CLASS_CANCELLED"),
                   field);
}

absl::Status CheckReschedule(const v1::TrainingClass& c, int number,
                             const google::type::Date& start, const google::type::Date& end) {
  if (number < 1 || number > c.segments_size()) {
    return InvalidField("segment_number",
                        absl::StrCat("class ", c.id(), " has segments 1 to ", c.segments_size()));
  }
  if (!IsSet(start)) return InvalidField("start_date", "is required", "REQUIRED");
  ASSIGN_OR_RETURN(absl::CivilDay from, ToCivilDay("start_date", start));
  absl::CivilDay to = from;
  if (IsSet(end)) {
    ASSIGN_OR_RETURN(to, ToCivilDay("end_date", end));
  }
  if (to < from) return InvalidField("end_date", "must not be before start_date");
  if (from.year() < c.year() - 1 || from.year() > c.year() + 1) {
    return InvalidField("start_date", "must lie within a year of the class's year");
  }
  // Numbers stay; so must the order they stand for.
  if (number > 1) {
    const v1::Segment& prev = c.segments(number - 2);
    ASSIGN_OR_RETURN(absl::CivilDay p, ToCivilDay("start_date", prev.start_date()));
    if (from < p) {
      return InvalidField("start_date",
                          absl::StrCat("would come before segment ", prev.number(), " (",
                                       IsoDate(p), "); segments keep their order"),
                          "SEGMENT_ORDER");
    }
  }
  if (number < c.segments_size()) {
    const v1::Segment& next = c.segments(number);
    ASSIGN_OR_RETURN(absl::CivilDay n, ToCivilDay("start_date", next.start_date()));
    if (from > n) {
      return InvalidField("start_date",
                          absl::StrCat("would come after segment ", next.number(), " (", IsoDate(n),
                                       "); segments keep their order"),
                          "SEGMENT_ORDER");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateTrainee(const v1::Trainee& t) {
  if (t.kind() == v1::TRAINEE_KIND_UNSPECIFIED)
    return InvalidField("kind", "is required", "REQUIRED");
  if (!v1::TraineeKind_IsValid(t.kind())) {
    return InvalidField("kind", "is not a known value", "UNKNOWN_ENUM_VALUE");
  }
  const bool in_personnel =
      t.kind() == v1::TRAINEE_KIND_VILLAGE_SECRETARY || t.kind() == v1::TRAINEE_KIND_VILLAGE_CADRE;
  if (in_personnel || !t.cadre_id().empty()) {
    if (t.cadre_id().empty()) {
      return InvalidField("cadre_id", "is required for secretaries and village cadres", "REQUIRED");
    }
    ASSIGN_OR_RETURN(ResourceId id, ResourceId::Parse("cadre_id", t.cadre_id()));
    (void)id;
    return absl::OkStatus();
  }
  RETURN_IF_ERROR(ValidateText("name", t.name(), 50));
  return CheckRegion("region_code", t.region_code(), {Level::kTownship, Level::kVillage},
                     "a township or village code");
}

std::string PersonKey(const v1::Trainee& t) {
  if (!t.cadre_id().empty()) return absl::StrCat("cadre:", t.cadre_id());
  return absl::StrCat("person:", t.region_code(), ":", t.name());
}

bool Attended(v1::AttendanceStatus s) {
  return s == v1::ATTENDANCE_STATUS_PRESENT || s == v1::ATTENDANCE_STATUS_LATE;
}

v1::Completion EvaluateCompletion(int segments, int attended, int recorded, int min_percent) {
  if (segments <= 0) return v1::COMPLETION_IN_PROGRESS;
  // attended / segments >= min_percent / 100, in integers.
  auto reaches = [&](int n) { return int64_t{n} * 100 >= int64_t{min_percent} * segments; };
  if (reaches(attended)) return v1::COMPLETION_COMPLETED;
  const int best = attended + std::max(0, segments - recorded);
  if (!reaches(best)) return v1::COMPLETION_NOT_COMPLETED;
  return v1::COMPLETION_IN_PROGRESS;
}

absl::Status ValidateCadreIds(absl::string_view field,
                              const google::protobuf::RepeatedPtrField<std::string>& ids, int min,
                              int max) {
  if (ids.size() < min || ids.size() > max) {
    return InvalidField(field, absl::StrCat("must name ", min, " to ", max, " cadres"),
                        "BAD_COUNT");
  }
  absl::flat_hash_set<std::string> seen;
  for (int i = 0; i < ids.size(); ++i) {
    const std::string f = absl::StrCat(field, "[", i, "]");
    ASSIGN_OR_RETURN(ResourceId id, ResourceId::Parse(f, ids[i]));
    (void)id;
    if (!seen.insert(ids[i]).second)
      return InvalidField(f, "repeats an earlier cadre", "DUPLICATE");
  }
  return absl::OkStatus();
}

absl::Status ValidateFieldVisit(const v1::FieldVisit& v, absl::CivilDay today) {
  RETURN_IF_ERROR(CheckRegion("organiser_region_code", v.organiser_region_code(),
                              {Level::kCity, Level::kCounty}, "a city or county code"));
  RETURN_IF_ERROR(ValidateText("title", v.title(), 200));
  RETURN_IF_ERROR(CheckRegion("destination_region_code", v.destination_region_code(),
                              {Level::kCity, Level::kCounty, Level::kTownship, Level::kVillage},
                              "a region code"));
  if (v.sites().empty() || v.sites_size() > 50) {
    return InvalidField("sites", "needs 1 to 50 sites", "BAD_COUNT");
  }
  for (int i = 0; i < v.sites_size(); ++i) {
    RETURN_IF_ERROR(ValidateText(absl::StrCat("sites[", i, "]"), v.sites(i), 200));
  }
  RETURN_IF_ERROR(CheckPastDate("visit_date", v.visit_date(), today));
  if (!v.class_id().empty()) {
    ASSIGN_OR_RETURN(ResourceId id, ResourceId::Parse("class_id", v.class_id()));
    (void)id;
  }
  return ValidateCadreIds("participant_cadre_ids", v.participant_cadre_ids(), 1, 1000);
}

absl::Status ValidateExpertVisit(const v1::ExpertVisit& v, absl::CivilDay today) {
  RETURN_IF_ERROR(ValidateText("expert_name", v.expert_name(), 50));
  if (v.expert_kind() == v1::EXPERT_KIND_UNSPECIFIED) {
    return InvalidField("expert_kind", "is required", "REQUIRED");
  }
  if (!v1::ExpertKind_IsValid(v.expert_kind())) {
    return InvalidField("expert_kind", "is not a known value", "UNKNOWN_ENUM_VALUE");
  }
  RETURN_IF_ERROR(ValidateText("expert_organisation", v.expert_organisation(), 200, false));
  RETURN_IF_ERROR(
      CheckRegion("village_code", v.village_code(), {Level::kVillage}, "a village code"));
  RETURN_IF_ERROR(CheckPastDate("visit_date", v.visit_date(), today));
  if (v.topic() == v1::EXPERT_TOPIC_UNSPECIFIED)
    return InvalidField("topic", "is required", "REQUIRED");
  if (!v1::ExpertTopic_IsValid(v.topic())) {
    return InvalidField("topic", "is not a known value", "UNKNOWN_ENUM_VALUE");
  }
  RETURN_IF_ERROR(ValidateText("subject", v.subject(), 200));
  return ValidateCadreIds("secretary_cadre_ids", v.secretary_cadre_ids(), 1, 100);
}

absl::Status ValidateQuotas(const google::protobuf::RepeatedPtrField<v1::Quota>& quotas,
                            absl::string_view region_code) {
  if (quotas.empty() || quotas.size() > 5000) {
    return InvalidField("quotas", "needs 1 to 5,000 village quotas", "BAD_COUNT");
  }
  const std::string prefix = PrefixOf(region_code);
  absl::flat_hash_set<std::string> seen;
  for (int i = 0; i < quotas.size(); ++i) {
    const v1::Quota& q = quotas[i];
    const std::string f = absl::StrCat("quotas[", i, "].");
    RETURN_IF_ERROR(
        CheckRegion(f + "village_code", q.village_code(), {Level::kVillage}, "a village code"));
    if (!absl::StartsWith(q.village_code(), prefix)) {
      return InvalidField(f + "village_code",
                          absl::StrCat(q.village_code(), " is not inside ", region_code),
                          "OUTSIDE_REGION");
    }
    if (!seen.insert(q.village_code()).second) {
      return InvalidField(f + "village_code", "has a quota already", "DUPLICATE");
    }
    if (q.quantity() < 1 || q.quantity() > 1000000000) {
      return InvalidField(f + "quantity", "must be from 1 to 1,000,000,000");
    }
    RETURN_IF_ERROR(ValidateText(f + "responsible_name", q.responsible_name(), 50));
    if (!q.responsible_cadre_id().empty()) {
      ASSIGN_OR_RETURN(ResourceId id,
                       ResourceId::Parse(f + "responsible_cadre_id", q.responsible_cadre_id()));
      (void)id;
    }
  }
  return absl::OkStatus();
}

absl::Status ValidatePracticeTask(const v1::PracticeTask& t, int year_max) {
  RETURN_IF_ERROR(CheckRegion("region_code", t.region_code(), {Level::kCity, Level::kCounty},
                              "a city or county code"));
  RETURN_IF_ERROR(ValidateText("title", t.title(), 200));
  RETURN_IF_ERROR(ValidateText("description", t.description(), 4000, false));
  RETURN_IF_ERROR(CheckYearIn("year", t.year(), year_max));
  RETURN_IF_ERROR(ValidateText("unit", t.unit(), 20));
  if (IsSet(t.due_date())) {
    ASSIGN_OR_RETURN(absl::CivilDay due, ToCivilDay("due_date", t.due_date()));
    (void)due;
  }
  if (!t.supersedes().empty()) {
    ASSIGN_OR_RETURN(ResourceId id, ResourceId::Parse("supersedes", t.supersedes()));
    (void)id;
  }
  return ValidateQuotas(t.quotas(), t.region_code());
}

absl::Status ApplyTaskPatch(const v1::PracticeTask& patch, const std::vector<std::string>& paths,
                            v1::PracticeTask& current) {
  if (paths.empty()) return InvalidField("update_mask", "names no field", "REQUIRED");
  for (const std::string& p : paths) {
    if (p == "title") {
      current.set_title(patch.title());
    } else if (p == "description") {
      current.set_description(patch.description());
    } else if (p == "unit") {
      current.set_unit(patch.unit());
    } else if (p == "due_date") {
      *current.mutable_due_date() = patch.due_date();
    } else if (p == "quotas") {
      *current.mutable_quotas() = patch.quotas();
    } else {
      return InvalidField("update_mask", absl::StrCat("'", p, "' cannot be updated"),
                          "FIELD_NOT_UPDATABLE");
    }
  }
  return absl::OkStatus();
}

}  // namespace touyan::training
