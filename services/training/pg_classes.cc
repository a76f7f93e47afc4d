// Classes, enrolment, attendance, coverage input and statistics.
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/ids/region.h"
#include "common/status/status.h"
#include "common/time/date.h"
#include "services/training/domain/rules.h"
#include "services/training/pg_training_repository.h"

namespace touyan::training {
namespace {

// A date column as proto3 JSON of google.type.Date.
#define TOUYAN_DATE_JSON(col)                                                                   \
  "json_build_object('year', extract(year FROM " col ")::int, 'month', extract(month FROM " col \
  ")::int, 'day', extract(day FROM " col ")::int)"

constexpr char kClassCols[] =
    "c.county_code, c.id, c.region_code, c.tier, c.title, c.theme, c.year, "
    "array_to_string(c.formats, ','), c.venue, c.venue_kind, c.capacity, c.enrolled, c.min_percent, "
    "array_to_string(c.lecturers, ','), " TOUYAN_MICROS("c.create_time") ", "
    "(SELECT json_build_object('segments', coalesce(json_agg(json_build_object('number', s.number, "
    "'title', s.title, 'startDate', " TOUYAN_DATE_JSON("s.start_date") ", 'endDate', "
    TOUYAN_DATE_JSON("s.end_date") ", 'rescheduleReason', s.reschedule_reason) ORDER BY "
    "s.number), '[]'))::text FROM class_segments s "
    "WHERE s.county_code = c.county_code AND s.class_id = c.id), "
    "c.state, c.cancel_reason, c.cancelled_by, coalesce(" TOUYAN_MICROS("c.cancel_time") ", 0), "
    TOUYAN_ETAG("c");

constexpr char kEnrolmentCols[] =
    "county_code, id, class_county, class_id, kind, cadre_id, name, region_code, attended, "
    "recorded, completion, " TOUYAN_MICROS("create_time") ", class_cancelled";

absl::StatusOr<v1::TrainingClass> ClassFromRow(const pqxx::row& r) {
  v1::TrainingClass c;
  c.set_county_code(r[0].as<std::string>());
  c.set_id(ResourceId{c.county_code(), r[1].as<int64_t>()}.ToString());
  c.set_region_code(r[2].as<std::string>());
  c.set_tier(static_cast<v1::Tier>(r[3].as<int>()));
  c.set_title(r[4].as<std::string>());
  c.set_theme(r[5].as<std::string>());
  c.set_year(r[6].as<int>());
  for (absl::string_view f : absl::StrSplit(r[7].as<std::string>(), ',', absl::SkipEmpty())) {
    int v = 0;
    if (absl::SimpleAtoi(f, &v)) c.add_formats(static_cast<v1::Format>(v));
  }
  c.set_venue(r[8].as<std::string>());
  c.set_venue_kind(static_cast<v1::VenueKind>(r[9].as<int>()));
  c.set_capacity(r[10].as<int>());
  c.set_enrolled(r[11].as<int>());
  c.set_completion_min_percent(r[12].as<int>());
  for (absl::string_view id : absl::StrSplit(r[13].as<std::string>(), ',', absl::SkipEmpty())) {
    c.add_lecturer_cadre_ids(std::string(id));
  }
  *c.mutable_create_time() = TimestampFromMicros(r[14].as<int64_t>());
  RETURN_IF_ERROR(MergeFromJson(r[15].as<std::string>(), c));
  c.set_state(static_cast<v1::ClassState>(r[16].as<int>()));
  c.set_cancel_reason(r[17].as<std::string>());
  c.set_cancelled_by(r[18].as<std::string>());
  if (int64_t t = r[19].as<int64_t>()) *c.mutable_cancel_time() = TimestampFromMicros(t);
  c.set_etag(r[20].as<std::string>());
  return c;
}

v1::Enrolment EnrolmentFromRow(const pqxx::row& r) {
  v1::Enrolment e;
  e.set_county_code(r[0].as<std::string>());
  e.set_id(ResourceId{e.county_code(), r[1].as<int64_t>()}.ToString());
  e.set_class_id(ResourceId{r[2].as<std::string>(), r[3].as<int64_t>()}.ToString());
  v1::Trainee* t = e.mutable_trainee();
  t->set_kind(static_cast<v1::TraineeKind>(r[4].as<int>()));
  t->set_cadre_id(r[5].as<std::string>());
  t->set_name(r[6].as<std::string>());
  t->set_region_code(r[7].as<std::string>());
  e.set_segments_attended(r[8].as<int>());
  e.set_segments_recorded(r[9].as<int>());
  e.set_completion(static_cast<v1::Completion>(r[10].as<int>()));
  *e.mutable_create_time() = TimestampFromMicros(r[11].as<int64_t>());
  e.set_class_cancelled(r[12].as<bool>());
  return e;
}

absl::Status ClassNotFound(const ResourceId& id) {
  return NotFound("class_id", "class", id.ToString());
}

}  // namespace

std::vector<db::Statement> ClassStatements() {
  const std::string cls = kClassCols;
  const std::string enr = kEnrolmentCols;
  return {
      {"class_insert",
       "INSERT INTO classes (county_code, region_code, region_prefix, tier, title, theme, year, "
       "formats, venue, venue_kind, capacity, min_percent, lecturers) VALUES ($1, $2, $3, $4, $5, "
       "$6, $7, $8::smallint[], $9, $10, $11, $12, ARRAY(SELECT "
       "json_array_elements_text($13::json))) "
       "RETURNING id"},
      {"segment_insert",
       "INSERT INTO class_segments (county_code, class_id, number, title, start_date, end_date) "
       "VALUES ($1, $2, $3, $4, $5::date, $6::date)"},
      {"class_get", "SELECT " + cls + " FROM classes c WHERE c.county_code = $1 AND c.id = $2"},
      {"class_get_for_update",
       "SELECT " + cls + " FROM classes c WHERE c.county_code = $1 AND c.id = $2 FOR UPDATE"},
      // Attendance recorded in the class: at segment $3, or at any if 0.
      {"class_attendance_count",
       "SELECT count(*) FROM enrolments e JOIN attendance a ON a.county_code = e.county_code "
       "AND a.enrolment_id = e.id WHERE e.class_county = $1 AND e.class_id = $2 "
       "AND ($3 = 0 OR a.segment = $3)"},
      {"segment_reschedule",
       "UPDATE class_segments SET start_date = $4::date, end_date = $5::date, "
       "reschedule_reason = $6 WHERE county_code = $1 AND class_id = $2 AND number = $3"},
      // A new version of the class row: its etag covers its segments.
      {"class_touch", "UPDATE classes SET state = state WHERE county_code = $1 AND id = $2"},
      {"class_cancel",
       "UPDATE classes SET state = 2, cancel_reason = $3, cancelled_by = $4, cancel_time = now() "
       "WHERE county_code = $1 AND id = $2"},
      {"enrolments_cancel",
       "UPDATE enrolments SET class_cancelled = true WHERE class_county = $1 "
       "AND class_id = $2 AND NOT class_cancelled RETURNING " +
           enr},
      {"class_state", "SELECT state FROM classes WHERE county_code = $1 AND id = $2"},
      {"class_list", "SELECT " + cls +
                         " FROM classes c WHERE (starts_with(c.region_prefix, $1) OR "
                         "starts_with($1, c.region_prefix)) AND ($2 = 0 OR c.tier = $2) AND ($3 = "
                         "0 OR c.year = $3) "
                         "AND ($4 = '' OR c.theme = $4) AND (c.county_code, c.id) > ($5, $6) "
                         "ORDER BY c.county_code, c.id LIMIT $7"},
      {"class_take_seats", "SELECT take_seats($1, $2, $3)"},
      {"enrolment_insert",
       "INSERT INTO enrolments (county_code, class_county, class_id, kind, cadre_id, person_key, "
       "name, region_code) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
       "ON CONFLICT (county_code, class_county, class_id, person_key) DO NOTHING RETURNING " +
           enr},
      {"enrolment_get", "SELECT " + enr + " FROM enrolments WHERE county_code = $1 AND id = $2"},
      {"enrolment_list", "SELECT " + enr +
                             " FROM enrolments WHERE class_county = $1 AND class_id = $2 "
                             "AND (county_code, id) > ($3, $4) ORDER BY county_code, id LIMIT $5"},
      {"attendance_of_class",
       "SELECT e.county_code, e.id, a.segment, a.status FROM enrolments e JOIN attendance a ON "
       "a.county_code = e.county_code AND a.enrolment_id = e.id "
       "WHERE e.class_county = $1 AND e.class_id = $2"},
      {"enrolment_lock", "SELECT " + enr +
                             " FROM enrolments WHERE county_code = $1 AND id = $2 "
                             "AND class_county = $3 AND class_id = $4 FOR UPDATE"},
      {"attendance_upsert",
       "INSERT INTO attendance (county_code, enrolment_id, segment, status) VALUES ($1, $2, $3, "
       "$4) "
       "ON CONFLICT (county_code, enrolment_id, segment) DO UPDATE SET status = EXCLUDED.status, "
       "recorded_at = now()"},
      {"attendance_tally",
       "SELECT count(*) FILTER (WHERE status IN (1, 2)), count(*) FROM attendance "
       "WHERE county_code = $1 AND enrolment_id = $2"},
      {"enrolment_set_completion",
       "UPDATE enrolments SET attended = $3, recorded = $4, completion = $5 "
       "WHERE county_code = $1 AND id = $2 RETURNING " +
           enr},
      {"coverage_completed",
       "SELECT DISTINCT e.cadre_id FROM enrolments e JOIN classes c ON c.county_code = "
       "e.class_county "
       "AND c.id = e.class_id WHERE e.completion = 2 AND e.cadre_id <> '' AND e.county_code >= $1 "
       "AND e.county_code < ($1 || ':') "
       "AND c.year = $2 AND c.theme = $3"},
      {"class_themes",
       "SELECT DISTINCT theme FROM classes WHERE year = $1 AND (starts_with(region_prefix, $2) "
       "OR starts_with($2, region_prefix)) ORDER BY theme"},
      {"statistics",
       "WITH x AS (SELECT c.tier, c.county_code AS cc, c.county_code || ':' || c.id AS cid, "
       "e.kind, e.person_key, e.completion FROM classes c LEFT JOIN enrolments e "
       "ON e.class_county = c.county_code AND e.class_id = c.id "
       "WHERE c.year = $1 AND starts_with(c.region_prefix, $2) AND c.state = 1) "
       "SELECT tier, coalesce(cc, ''), coalesce(kind, 0), count(DISTINCT cid), "
       "count(DISTINCT person_key), count(person_key), count(*) FILTER (WHERE completion = 2), "
       "GROUPING(kind) FROM x GROUP BY GROUPING SETS ((tier), (tier, kind), (tier, cc), (tier, cc, "
       "kind)) "
       "HAVING GROUPING(kind) = 1 OR kind IS NOT NULL "
       "ORDER BY tier, GROUPING(cc) DESC, cc, GROUPING(kind) DESC, kind"},
  };
}

absl::StatusOr<v1::TrainingClass> PgTrainingRepository::CreateClass(
    CallContext& call, const v1::CreateClassRequest& request, const v1::TrainingClass& c) {
  return call.Mutate<v1::TrainingClass>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::TrainingClass> {
        const std::string county = c.region_code().substr(0, 6);
        std::vector<int> formats(c.formats().begin(), c.formats().end());
        const int64_t id =
            tx.exec_prepared1("class_insert", county, c.region_code(), PrefixOf(c.region_code()),
                              static_cast<int>(c.tier()), c.title(), c.theme(), c.year(),
                              IntArray(formats), c.venue(), static_cast<int>(c.venue_kind()),
                              c.capacity(), c.completion_min_percent(),
                              JsonStrings(c.lecturer_cadre_ids()))[0]
                .as<int64_t>();
        for (const v1::Segment& s : c.segments()) {
          tx.exec_prepared("segment_insert", county, id, s.number(), s.title(),
                           IsoDate(*ToCivilDay("", s.start_date())),
                           IsoDate(*ToCivilDay("", s.end_date())));
        }
        pqxx::result r = tx.exec_prepared("class_get", county, id);
        ASSIGN_OR_RETURN(v1::TrainingClass out, ClassFromRow(r[0]));
        call.Audit({.county_code = county, .resource = "classes/" + out.id(), .after = &out});
        return out;
      });
}

absl::StatusOr<v1::TrainingClass> PgTrainingRepository::GetClass(CallContext& call,
                                                                 const ResourceId& id) {
  return call.Read<v1::TrainingClass>([&](db::Tx& tx) -> absl::StatusOr<v1::TrainingClass> {
    pqxx::result r = tx.exec_prepared("class_get", id.county_code, id.number);
    if (r.empty()) return ClassNotFound(id);
    return ClassFromRow(r[0]);
  });
}

namespace {

// The class locked for a correction: NOT_FOUND, ABORTED on a stale etag,
// FAILED_PRECONDITION once attendance is recorded at `segment` (0: any).
absl::StatusOr<v1::TrainingClass> LockForCorrection(db::Tx& tx, const ResourceId& id,
                                                    const std::string& etag, int segment) {
  pqxx::result r = tx.exec_prepared("class_get_for_update", id.county_code, id.number);
  if (r.empty()) return ClassNotFound(id);
  ASSIGN_OR_RETURN(v1::TrainingClass c, ClassFromRow(r[0]));
  RETURN_IF_ERROR(CheckEtag(etag, c.etag(), "class", c.id()));
  const int64_t marks =
      tx.exec_prepared1("class_attendance_count", id.county_code, id.number, segment)[0]
          .as<int64_t>();
  if (marks > 0) {
    return WithReason(absl::FailedPreconditionError(absl::StrCat(
                          "attendance is recorded for ", marks,
                          segment == 0 ? " marks of class " : " marks of segment ",
                          segment == 0 ? c.id() : absl::StrCat(segment, " of class ", c.id()),
                          ": what took place is not changed")),
                      "ATTENDANCE_RECORDED");
  }
  return c;
}

// The class as a correction left it, audited against `before`.
absl::StatusOr<v1::TrainingClass> Corrected(CallContext& call, db::Tx& tx, const ResourceId& id,
                                            const v1::TrainingClass& before) {
  ASSIGN_OR_RETURN(v1::TrainingClass after,
                   ClassFromRow(tx.exec_prepared1("class_get", id.county_code, id.number)));
  call.Audit({.county_code = id.county_code,
              .resource = "classes/" + after.id(),
              .before = &before,
              .after = &after});
  return after;
}

}  // namespace

absl::StatusOr<v1::TrainingClass> PgTrainingRepository::RescheduleSegment(
    CallContext& call, const v1::RescheduleSegmentRequest& request, const ResourceId& id) {
  return call.Mutate<v1::TrainingClass>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::TrainingClass> {
        ASSIGN_OR_RETURN(const v1::TrainingClass before,
                         LockForCorrection(tx, id, request.etag(), request.segment_number()));
        RETURN_IF_ERROR(CheckNotCancelled(before, "class_id"));
        const absl::CivilDay start = *ToCivilDay("", request.start_date());
        const absl::CivilDay end =
            IsSet(request.end_date()) ? *ToCivilDay("", request.end_date()) : start;
        tx.exec_prepared("segment_reschedule", id.county_code, id.number, request.segment_number(),
                         IsoDate(start), IsoDate(end), request.reason());
        tx.exec_prepared("class_touch", id.county_code, id.number);
        ASSIGN_OR_RETURN(v1::TrainingClass after, Corrected(call, tx, id, before));
        return after;
      });
}

absl::StatusOr<v1::TrainingClass> PgTrainingRepository::CancelClass(
    CallContext& call, const v1::CancelClassRequest& request, const ResourceId& id) {
  return call.Mutate<v1::TrainingClass>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::TrainingClass> {
        ASSIGN_OR_RETURN(const v1::TrainingClass before,
                         LockForCorrection(tx, id, request.etag(), /*segment=*/0));
        if (before.state() == v1::CLASS_STATE_CANCELLED) return before;
        tx.exec_prepared("class_cancel", id.county_code, id.number, request.reason(),
                         call.principal().subject);
        ASSIGN_OR_RETURN(v1::TrainingClass after, Corrected(call, tx, id, before));
        // Each enrolment says so, in its trainee's county: in county order,
        // as every writer takes the counties' audit chains.
        std::vector<v1::Enrolment> cancelled;
        for (const auto& row : tx.exec_prepared("enrolments_cancel", id.county_code, id.number)) {
          cancelled.push_back(EnrolmentFromRow(row));
        }
        std::sort(cancelled.begin(), cancelled.end(), [](const auto& a, const auto& b) {
          return std::tie(a.county_code(), a.id()) < std::tie(b.county_code(), b.id());
        });
        for (const v1::Enrolment& e : cancelled) {
          v1::Enrolment was = e;
          was.set_class_cancelled(false);
          call.Audit({.county_code = e.county_code(),
                      .resource = "enrolments/" + e.id(),
                      .before = &was,
                      .after = &e});
        }
        return after;
      });
}

absl::StatusOr<PageOf<v1::TrainingClass>> PgTrainingRepository::ListClasses(
    CallContext& call, const ClassQuery& q, const paging::Page& page) {
  ASSIGN_OR_RETURN(Keyset after, Keyset::Parse(page.cursor));
  return call.Read<PageOf<v1::TrainingClass>>(
      [&](db::Tx& tx) -> absl::StatusOr<PageOf<v1::TrainingClass>> {
        return KeysetPage(tx.exec_prepared("class_list", q.region_prefix, q.tier, q.year, q.theme,
                                           after.county, after.id, page.size + 1),
                          page.size, ClassFromRow);
      });
}

absl::StatusOr<v1::EnrolUncoveredResponse> PgTrainingRepository::Enrol(
    CallContext& call, const google::protobuf::Message& request, const std::string& request_id,
    const ResourceId& cls, const std::vector<v1::Trainee>& trainees, bool skip_enrolled) {
  return call.Mutate<v1::EnrolUncoveredResponse>(
      request, request_id, [&](db::Tx& tx) -> absl::StatusOr<v1::EnrolUncoveredResponse> {
        v1::EnrolUncoveredResponse out;
        for (const v1::Trainee& t : trainees) {
          pqxx::result r = tx.exec_prepared("enrolment_insert", t.region_code().substr(0, 6),
                                            cls.county_code, cls.number, static_cast<int>(t.kind()),
                                            t.cadre_id(), PersonKey(t), t.name(), t.region_code());
          if (r.empty()) {
            if (skip_enrolled) continue;
            return WithReason(
                WithField(absl::AlreadyExistsError(absl::StrCat("the trainee is enrolled in class ",
                                                                cls.ToString(), " already")),
                          "trainee"),
                "ALREADY_ENROLLED");
          }
          v1::Enrolment e = EnrolmentFromRow(r[0]);
          call.Audit(
              {.county_code = e.county_code(), .resource = "enrolments/" + e.id(), .after = &e});
          *out.add_enrolments() = std::move(e);
        }
        out.set_enrolled(out.enrolments_size());
        if (out.enrolled() > 0 &&
            !tx.exec_prepared1("class_take_seats", cls.county_code, cls.number, out.enrolled())[0]
                 .as<bool>()) {
          if (tx.exec_prepared1("class_state", cls.county_code, cls.number)[0].as<int>() ==
              v1::CLASS_STATE_CANCELLED) {
            return WithReason(absl::FailedPreconditionError(
                                  absl::StrCat("class ", cls.ToString(), " was cancelled")),
                              "CLASS_CANCELLED");
          }
          return WithReason(absl::FailedPreconditionError(absl::StrCat(
                                "class ", cls.ToString(), " has fewer than ", out.enrolled(),
                                " free seats; raise its capacity or use another class")),
                            "CLASS_FULL");
        }
        return out;
      });
}

absl::StatusOr<v1::Enrolment> PgTrainingRepository::GetEnrolment(CallContext& call,
                                                                 const ResourceId& id) {
  return call.Read<v1::Enrolment>([&](db::Tx& tx) -> absl::StatusOr<v1::Enrolment> {
    pqxx::result r = tx.exec_prepared("enrolment_get", id.county_code, id.number);
    if (r.empty()) return NotFound("id", "enrolment", id.ToString());
    return EnrolmentFromRow(r[0]);
  });
}

absl::StatusOr<PageOf<v1::Enrolment>> PgTrainingRepository::ListEnrolments(
    CallContext& call, const ResourceId& cls, const paging::Page& page) {
  ASSIGN_OR_RETURN(Keyset after, Keyset::Parse(page.cursor));
  return call.Read<PageOf<v1::Enrolment>>([&](db::Tx& tx) -> absl::StatusOr<PageOf<v1::Enrolment>> {
    pqxx::result r = tx.exec_prepared("enrolment_list", cls.county_code, cls.number, after.county,
                                      after.id, page.size + 1);
    return KeysetPage(r, page.size, EnrolmentFromRow);
  });
}

absl::StatusOr<std::map<std::string, std::map<int, v1::AttendanceStatus>>>
PgTrainingRepository::ClassAttendance(CallContext& call, const ResourceId& cls) {
  using Marks = std::map<std::string, std::map<int, v1::AttendanceStatus>>;
  return call.Read<Marks>([&](db::Tx& tx) -> absl::StatusOr<Marks> {
    Marks out;
    for (const auto& row : tx.exec_prepared("attendance_of_class", cls.county_code, cls.number)) {
      const std::string id = ResourceId{row[0].as<std::string>(), row[1].as<int64_t>()}.ToString();
      out[id][row[2].as<int>()] = static_cast<v1::AttendanceStatus>(row[3].as<int>());
    }
    return out;
  });
}

absl::StatusOr<v1::RecordAttendanceResponse> PgTrainingRepository::RecordAttendance(
    CallContext& call, const v1::RecordAttendanceRequest& request, const v1::TrainingClass& c) {
  ASSIGN_OR_RETURN(ResourceId cls, ResourceId::Parse("class_id", c.id()));
  return call.Mutate<v1::RecordAttendanceResponse>(
      request, request.request_id(),
      [&](db::Tx& tx) -> absl::StatusOr<v1::RecordAttendanceResponse> {
        v1::RecordAttendanceResponse out;
        for (int i = 0; i < request.marks_size(); ++i) {
          const v1::AttendanceMark& m = request.marks(i);
          const std::string field = absl::StrCat("marks[", i, "].enrolment_id");
          ASSIGN_OR_RETURN(ResourceId id, ResourceId::Parse(field, m.enrolment_id()));
          pqxx::result r = tx.exec_prepared("enrolment_lock", id.county_code, id.number,
                                            cls.county_code, cls.number);
          if (r.empty()) {
            return WithField(NotFound(field, "enrolment", m.enrolment_id() + " in class " + c.id()),
                             field);
          }
          const v1::Enrolment before = EnrolmentFromRow(r[0]);
          tx.exec_prepared("attendance_upsert", id.county_code, id.number, request.segment_number(),
                           static_cast<int>(m.status()));
          pqxx::row tally = tx.exec_prepared1("attendance_tally", id.county_code, id.number);
          const int attended = tally[0].as<int>(), recorded = tally[1].as<int>();
          const v1::Completion done =
              EvaluateCompletion(c.segments_size(), attended, recorded, c.completion_min_percent());
          v1::Enrolment after = EnrolmentFromRow(
              tx.exec_prepared1("enrolment_set_completion", id.county_code, id.number, attended,
                                recorded, static_cast<int>(done)));
          call.Audit({.county_code = id.county_code,
                      .resource = "enrolments/" + after.id(),
                      .before = &before,
                      .after = &after});
          *out.add_enrolments() = std::move(after);
        }
        return out;
      });
}

absl::StatusOr<absl::flat_hash_set<std::string>> PgTrainingRepository::CompletedCadres(
    CallContext& call, const std::string& region_prefix, int year, const std::string& theme) {
  using Set = absl::flat_hash_set<std::string>;
  return call.Read<Set>([&](db::Tx& tx) -> absl::StatusOr<Set> {
    Set out;
    for (const auto& row :
         tx.exec_prepared("coverage_completed", CountyPrefix(region_prefix), year, theme)) {
      out.insert(row[0].as<std::string>());
    }
    return out;
  });
}

absl::StatusOr<std::vector<std::string>> PgTrainingRepository::Themes(
    CallContext& call, const std::string& region_prefix, int year) {
  using Out = std::vector<std::string>;
  return call.Read<Out>([&](db::Tx& tx) -> absl::StatusOr<Out> {
    Out out;
    for (const auto& row : tx.exec_prepared("class_themes", year, region_prefix)) {
      out.push_back(row[0].as<std::string>());
    }
    return out;
  });
}

absl::StatusOr<v1::Statistics> PgTrainingRepository::Statistics(CallContext& call,
                                                                const std::string& region_prefix,
                                                                int year) {
  return call.Read<v1::Statistics>([&](db::Tx& tx) -> absl::StatusOr<v1::Statistics> {
    v1::Statistics out;
    out.set_year(year);
    for (const auto& row : tx.exec_prepared("statistics", year, region_prefix)) {
      v1::StatisticsRow* s = out.add_rows();
      s->set_tier(static_cast<v1::Tier>(row[0].as<int>()));
      s->set_county_code(row[1].as<std::string>());
      s->set_trainee_kind(static_cast<v1::TraineeKind>(row[2].as<int>()));
      s->set_classes(row[3].as<int64_t>());
      s->set_trainees(row[4].as<int64_t>());
      s->set_enrolments(row[5].as<int64_t>());
      s->set_completions(row[6].as<int64_t>());
    }
    return out;
  });
}

}  // namespace touyan::training
