// Field visits, expert visits and practice tasks with quotas and progress.
#include "absl/strings/str_cat.h"
#include "common/call/read_row.h"
#include "common/ids/region.h"
#include "common/status/status.h"
#include "common/time/date.h"
#include "services/training/domain/rules.h"
#include "services/training/pg_training_repository.h"

namespace touyan::training {
namespace {

constexpr char kFieldVisitCols[] =
    "county_code, id, region_code, title, destination, visit_date::text, class_id, "
    TOUYAN_MICROS("create_time") ", "
    "json_build_object('sites', sites, 'participantCadreIds', participants)::text";

constexpr char kExpertVisitCols[] =
    "county_code, id, expert_name, expert_kind, expert_org, village_code, visit_date::text, topic, "
    "subject, " TOUYAN_MICROS(
        "create_time") ", json_build_object('secretaryCadreIds', secretaries)::text";

constexpr char kTaskCols[] =
    "t.county_code, t.id, t.region_code, t.title, t.description, t.year, t.unit, "
    "coalesce(t.due_date::text, ''), t.status, t.supersedes, t.superseded_by, "
    "coalesce(" TOUYAN_MICROS("t.publish_time") ", 0), " TOUYAN_MICROS("t.create_time") ", "
    "(SELECT json_build_object('quotas', coalesce(json_agg(json_build_object('villageCode', "
    "q.village_code, 'quantity', q.quantity, 'responsibleName', q.responsible, "
    "'responsibleCadreId', q.responsible_cadre) ORDER BY q.village_code), '[]'))::text "
    "FROM practice_quotas q WHERE q.task_county = t.county_code AND q.task_id = t.id), "
    TOUYAN_ETAG("t");

std::string DateText(const google::type::Date& d) {
  if (!IsSet(d)) return "";
  absl::StatusOr<absl::CivilDay> day = ToCivilDay("", d);
  return day.ok() ? IsoDate(*day) : "";
}

absl::StatusOr<v1::FieldVisit> FieldVisitFromRow(const pqxx::row& r) {
  v1::FieldVisit v;
  v.set_county_code(r[0].as<std::string>());
  v.set_id(ResourceId{v.county_code(), r[1].as<int64_t>()}.ToString());
  v.set_organiser_region_code(r[2].as<std::string>());
  v.set_title(r[3].as<std::string>());
  v.set_destination_region_code(r[4].as<std::string>());
  if (auto d = DateFromIso(r[5].as<std::string>())) *v.mutable_visit_date() = *d;
  v.set_class_id(r[6].as<std::string>());
  *v.mutable_create_time() = TimestampFromMicros(r[7].as<int64_t>());
  RETURN_IF_ERROR(MergeFromJson(r[8].as<std::string>(), v));
  return v;
}

absl::StatusOr<v1::ExpertVisit> ExpertVisitFromRow(const pqxx::row& r) {
  v1::ExpertVisit v;
  v.set_county_code(r[0].as<std::string>());
  v.set_id(ResourceId{v.county_code(), r[1].as<int64_t>()}.ToString());
  v.set_expert_name(r[2].as<std::string>());
  v.set_expert_kind(static_cast<v1::ExpertKind>(r[3].as<int>()));
  v.set_expert_organisation(r[4].as<std::string>());
  v.set_village_code(r[5].as<std::string>());
  if (auto d = DateFromIso(r[6].as<std::string>())) *v.mutable_visit_date() = *d;
  v.set_topic(static_cast<v1::ExpertTopic>(r[7].as<int>()));
  v.set_subject(r[8].as<std::string>());
  *v.mutable_create_time() = TimestampFromMicros(r[9].as<int64_t>());
  RETURN_IF_ERROR(MergeFromJson(r[10].as<std::string>(), v));
  return v;
}

absl::StatusOr<v1::PracticeTask> TaskFromRow(const pqxx::row& r) {
  v1::PracticeTask t;
  t.set_county_code(r[0].as<std::string>());
  t.set_id(ResourceId{t.county_code(), r[1].as<int64_t>()}.ToString());
  t.set_region_code(r[2].as<std::string>());
  t.set_title(r[3].as<std::string>());
  t.set_description(r[4].as<std::string>());
  t.set_year(r[5].as<int>());
  t.set_unit(r[6].as<std::string>());
  if (auto d = DateFromIso(r[7].as<std::string>())) *t.mutable_due_date() = *d;
  t.set_status(static_cast<v1::TaskStatus>(r[8].as<int>()));
  t.set_supersedes(r[9].as<std::string>());
  t.set_superseded_by(r[10].as<std::string>());
  if (int64_t p = r[11].as<int64_t>(); p != 0) *t.mutable_publish_time() = TimestampFromMicros(p);
  *t.mutable_create_time() = TimestampFromMicros(r[12].as<int64_t>());
  RETURN_IF_ERROR(MergeFromJson(r[13].as<std::string>(), t));
  t.set_etag(r[14].as<std::string>());
  return t;
}

absl::StatusOr<v1::PracticeTask> LoadTask(db::Tx& tx, const ResourceId& id, bool lock,
                                          absl::string_view field = "id") {
  pqxx::result r = tx.exec_prepared(lock ? "task_lock" : "task_get", id.county_code, id.number);
  if (r.empty()) return NotFound(field, "practice task", id.ToString());
  return TaskFromRow(r[0]);
}

void InsertQuotas(db::Tx& tx, const ResourceId& task, const v1::PracticeTask& t) {
  for (const v1::Quota& q : t.quotas()) {
    tx.exec_prepared("quota_insert", task.county_code, task.number, q.village_code(),
                     q.village_code().substr(0, 6), q.quantity(), q.responsible_name(),
                     q.responsible_cadre_id());
  }
}

absl::Status TaskPublished(const v1::PracticeTask& t) {
  return WithReason(
      absl::FailedPreconditionError(absl::StrCat("practice task ", t.id(),
                                                 " is on the public board and cannot be edited; "
                                                 "create a task with supersedes=",
                                                 t.id(), " and publish it")),
      "TASK_PUBLISHED");
}

}  // namespace

std::vector<db::Statement> FieldStatements() {
  const std::string fv = kFieldVisitCols, ev = kExpertVisitCols, task = kTaskCols;
  return {
      {"field_visit_insert",
       "INSERT INTO field_visits (county_code, region_code, region_prefix, title, destination, "
       "sites, visit_date, participants, class_id) VALUES ($1, $2, $3, $4, $5, "
       "ARRAY(SELECT json_array_elements_text($6::json)), $7::date, "
       "ARRAY(SELECT json_array_elements_text($8::json)), $9) RETURNING " +
           fv},
      {"field_visit_list",
       "SELECT " + fv +
           " FROM field_visits WHERE (starts_with(region_prefix, $1) OR "
           "starts_with($1, region_prefix)) AND ($2 = 0 OR extract(year FROM visit_date) = $2) "
           "AND (county_code, id) > ($3, $4) ORDER BY county_code, id LIMIT $5"},
      {"field_visit_get", "SELECT " + fv + " FROM field_visits WHERE county_code = $1 AND id = $2"},
      {"expert_visit_get",
       "SELECT " + ev + " FROM expert_visits WHERE county_code = $1 AND id = $2"},
      {"progress_get",
       "SELECT county_code, id, task_county, task_id, village_code, completed, report_date::text, "
       "note, " TOUYAN_MICROS("create_time") " FROM practice_progress WHERE county_code = $1 "
                                             "AND id = $2"},
      {"progress_list",
       "SELECT county_code, id, task_county, task_id, village_code, completed, report_date::text, "
       "note, " TOUYAN_MICROS("create_time") " FROM practice_progress WHERE task_county = $1 "
                                             "AND task_id = $2 AND ($3 = '' OR village_code = $3) "
                                             "AND (county_code, id) > ($4, $5) "
                                             "ORDER BY county_code, id LIMIT $6"},
      {"expert_visit_insert",
       "INSERT INTO expert_visits (county_code, expert_name, expert_kind, expert_org, "
       "village_code, "
       "visit_date, topic, subject, secretaries) VALUES ($1, $2, $3, $4, $5, $6::date, $7, $8, "
       "ARRAY(SELECT json_array_elements_text($9::json))) RETURNING " +
           ev},
      {"expert_visit_list",
       "SELECT " + ev +
           " FROM expert_visits WHERE county_code >= $1 AND county_code < ($1 || ':') AND "
           "starts_with(village_code, $2) "
           "AND ($3 = 0 OR extract(year FROM visit_date) = $3) AND ($4 = 0 OR topic = $4) "
           "AND (county_code, id) > ($5, $6) ORDER BY county_code, id LIMIT $7"},
      {"task_insert",
       "INSERT INTO practice_tasks (county_code, region_code, region_prefix, title, description, "
       "year, unit, due_date, status, supersedes) VALUES ($1, $2, $3, $4, $5, $6, $7, "
       "NULLIF($8, '')::date, 1, $9) RETURNING id"},
      {"quota_insert",
       "INSERT INTO practice_quotas (task_county, task_id, village_code, county_code, quantity, "
       "responsible, responsible_cadre) VALUES ($1, $2, $3, $4, $5, $6, $7)"},
      {"quota_delete", "DELETE FROM practice_quotas WHERE task_county = $1 AND task_id = $2"},
      {"task_get",
       "SELECT " + task + " FROM practice_tasks t WHERE t.county_code = $1 AND t.id = $2"},
      {"task_lock", "SELECT " + task +
                        " FROM practice_tasks t WHERE t.county_code = $1 AND t.id = $2 FOR UPDATE"},
      {"task_update",
       "UPDATE practice_tasks SET title = $3, description = $4, unit = $5, "
       "due_date = NULLIF($6, '')::date WHERE county_code = $1 AND id = $2 AND status = 1"},
      {"task_publish",
       "UPDATE practice_tasks SET status = 2, publish_time = now() "
       "WHERE county_code = $1 AND id = $2 AND status = 1"},
      {"quota_publish",
       "UPDATE practice_quotas SET published = true WHERE task_county = $1 AND task_id = $2"},
      {"task_supersede",
       "UPDATE practice_tasks SET status = 3, superseded_by = $3 "
       "WHERE county_code = $1 AND id = $2 AND status = 2"},
      {"task_list",
       "SELECT " + task +
           " FROM practice_tasks t WHERE (starts_with(t.region_prefix, $1) OR "
           "($2 AND t.status <> 1)) AND ($3 = 0 OR t.year = $3) AND ($4 = 0 OR t.status = $4) "
           "AND (t.county_code, t.id) > ($5, $6) ORDER BY t.county_code, t.id LIMIT $7"},
      {"quota_get",
       "SELECT quantity FROM practice_quotas WHERE task_county = $1 AND task_id = $2 "
       "AND village_code = $3"},
      {"progress_insert",
       "INSERT INTO practice_progress (county_code, task_county, task_id, village_code, completed, "
       "report_date, note) VALUES ($1, $2, $3, $4, $5, $6::date, $7) RETURNING id, " TOUYAN_MICROS(
           "create_time")},
      {"progress_rollup",
       "SELECT q.village_code, q.responsible, q.quantity, coalesce(p.completed, 0), "
       "coalesce(p.report_date::text, '') FROM practice_quotas q LEFT JOIN LATERAL ("
       "SELECT completed, report_date FROM practice_progress p WHERE p.task_county = q.task_county "
       "AND p.task_id = q.task_id AND p.village_code = q.village_code "
       "ORDER BY p.report_date DESC, p.id DESC LIMIT 1) p ON true "
       "WHERE q.task_county = $1 AND q.task_id = $2 ORDER BY q.village_code"},
  };
}

std::vector<db::Statement> PgTrainingRepository::Statements() {
  std::vector<db::Statement> all = ClassStatements();
  for (auto& s : FieldStatements()) all.push_back(std::move(s));
  return all;
}

// ------------------------------------------------------------------ visits

absl::StatusOr<v1::FieldVisit> PgTrainingRepository::CreateFieldVisit(
    CallContext& call, const v1::CreateFieldVisitRequest& request, const v1::FieldVisit& v) {
  return call.Mutate<v1::FieldVisit>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::FieldVisit> {
        const std::string county = v.organiser_region_code().substr(0, 6);
        pqxx::result r = tx.exec_prepared("field_visit_insert", county, v.organiser_region_code(),
                                          PrefixOf(v.organiser_region_code()), v.title(),
                                          v.destination_region_code(), JsonStrings(v.sites()),
                                          DateText(v.visit_date()),
                                          JsonStrings(v.participant_cadre_ids()), v.class_id());
        ASSIGN_OR_RETURN(v1::FieldVisit out, FieldVisitFromRow(r[0]));
        call.Audit({.county_code = county, .resource = "fieldVisits/" + out.id(), .after = &out});
        return out;
      });
}

absl::StatusOr<PageOf<v1::FieldVisit>> PgTrainingRepository::ListFieldVisits(
    CallContext& call, const std::string& region_prefix, int year, const paging::Page& page) {
  ASSIGN_OR_RETURN(Keyset after, Keyset::Parse(page.cursor));
  return call.Read<PageOf<v1::FieldVisit>>([&](db::Tx& tx) {
    return KeysetPage(tx.exec_prepared("field_visit_list", region_prefix, year, after.county,
                                       after.id, page.size + 1),
                      page.size, FieldVisitFromRow);
  });
}

absl::StatusOr<v1::ExpertVisit> PgTrainingRepository::CreateExpertVisit(
    CallContext& call, const v1::CreateExpertVisitRequest& request, const v1::ExpertVisit& v) {
  return call.Mutate<v1::ExpertVisit>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::ExpertVisit> {
        const std::string county = v.village_code().substr(0, 6);
        pqxx::result r = tx.exec_prepared(
            "expert_visit_insert", county, v.expert_name(), static_cast<int>(v.expert_kind()),
            v.expert_organisation(), v.village_code(), DateText(v.visit_date()),
            static_cast<int>(v.topic()), v.subject(), JsonStrings(v.secretary_cadre_ids()));
        ASSIGN_OR_RETURN(v1::ExpertVisit out, ExpertVisitFromRow(r[0]));
        call.Audit({.county_code = county, .resource = "expertVisits/" + out.id(), .after = &out});
        return out;
      });
}

absl::StatusOr<PageOf<v1::ExpertVisit>> PgTrainingRepository::ListExpertVisits(
    CallContext& call, const std::string& region_prefix, int year, int topic,
    const paging::Page& page) {
  ASSIGN_OR_RETURN(Keyset after, Keyset::Parse(page.cursor));
  return call.Read<PageOf<v1::ExpertVisit>>([&](db::Tx& tx) {
    return KeysetPage(
        tx.exec_prepared("expert_visit_list", CountyPrefix(region_prefix), region_prefix, year,
                         topic, after.county, after.id, page.size + 1),
        page.size, ExpertVisitFromRow);
  });
}

// ----------------------------------------------------------- practice tasks

absl::StatusOr<v1::PracticeTask> PgTrainingRepository::CreatePracticeTask(
    CallContext& call, const v1::CreatePracticeTaskRequest& request, const v1::PracticeTask& t) {
  return call.Mutate<v1::PracticeTask>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::PracticeTask> {
        if (!t.supersedes().empty()) {
          ASSIGN_OR_RETURN(ResourceId old, ResourceId::Parse("task.supersedes", t.supersedes()));
          ASSIGN_OR_RETURN(v1::PracticeTask prior, LoadTask(tx, old, false, "task.supersedes"));
          if (prior.status() != v1::TASK_STATUS_PUBLISHED) {
            return WithField(
                WithReason(absl::FailedPreconditionError(absl::StrCat(
                               "practice task ", prior.id(),
                               " is not published (only a published task is superseded)")),
                           "NOT_PUBLISHED"),
                "task.supersedes");
          }
          RETURN_IF_ERROR(
              WithField(call.principal().CheckWrite(prior.region_code()), "task.supersedes"));
        }
        const std::string county = t.region_code().substr(0, 6);
        const int64_t id =
            tx.exec_prepared1("task_insert", county, t.region_code(), PrefixOf(t.region_code()),
                              t.title(), t.description(), t.year(), t.unit(),
                              DateText(t.due_date()), t.supersedes())[0]
                .as<int64_t>();
        const ResourceId rid{county, id};
        InsertQuotas(tx, rid, t);
        ASSIGN_OR_RETURN(v1::PracticeTask out, LoadTask(tx, rid, false));
        call.Audit({.county_code = county, .resource = "practiceTasks/" + out.id(), .after = &out});
        return out;
      });
}

absl::StatusOr<v1::PracticeTask> PgTrainingRepository::UpdatePracticeTask(
    CallContext& call, const v1::UpdatePracticeTaskRequest& request, const ResourceId& id,
    const std::function<absl::Status(v1::PracticeTask&)>& apply) {
  return call.Mutate<v1::PracticeTask>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::PracticeTask> {
        ASSIGN_OR_RETURN(v1::PracticeTask before, LoadTask(tx, id, true, "task.id"));
        RETURN_IF_ERROR(WithField(call.principal().CheckWrite(before.region_code()), "task.id"));
        RETURN_IF_ERROR(CheckEtag(request.task().etag(), before.etag(), "practice task",
                                  before.id(), "task.etag"));
        if (before.status() != v1::TASK_STATUS_DRAFT) return TaskPublished(before);
        v1::PracticeTask after = before;
        RETURN_IF_ERROR(apply(after));
        tx.exec_prepared("task_update", id.county_code, id.number, after.title(),
                         after.description(), after.unit(), DateText(after.due_date()));
        tx.exec_prepared("quota_delete", id.county_code, id.number);
        InsertQuotas(tx, id, after);
        ASSIGN_OR_RETURN(after, LoadTask(tx, id, false));
        call.Audit({.county_code = id.county_code,
                    .resource = "practiceTasks/" + after.id(),
                    .before = &before,
                    .after = &after});
        return after;
      });
}

absl::StatusOr<v1::PracticeTask> PgTrainingRepository::PublishPracticeTask(
    CallContext& call, const v1::PublishPracticeTaskRequest& request, const ResourceId& id) {
  return call.Mutate<v1::PracticeTask>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::PracticeTask> {
        ASSIGN_OR_RETURN(v1::PracticeTask before, LoadTask(tx, id, true));
        RETURN_IF_ERROR(WithField(call.principal().CheckWrite(before.region_code()), "id"));
        if (before.status() != v1::TASK_STATUS_DRAFT) {
          return WithReason(absl::FailedPreconditionError(absl::StrCat(
                                "practice task ", before.id(), " is published already")),
                            "TASK_PUBLISHED");
        }
        if (!before.supersedes().empty()) {
          ASSIGN_OR_RETURN(ResourceId old, ResourceId::Parse("supersedes", before.supersedes()));
          ASSIGN_OR_RETURN(v1::PracticeTask prior, LoadTask(tx, old, true, "id"));
          if (prior.status() != v1::TASK_STATUS_PUBLISHED) {
            return WithReason(
                absl::FailedPreconditionError(absl::StrCat("practice task ", prior.id(),
                                                           " which this one supersedes is no "
                                                           "longer published (superseded by ",
                                                           prior.superseded_by(), ")")),
                "NOT_PUBLISHED");
          }
          tx.exec_prepared("task_supersede", old.county_code, old.number, before.id());
          v1::PracticeTask replaced = prior;
          replaced.set_status(v1::TASK_STATUS_SUPERSEDED);
          replaced.set_superseded_by(before.id());
          call.Audit({.county_code = old.county_code,
                      .resource = "practiceTasks/" + prior.id(),
                      .before = &prior,
                      .after = &replaced});
        }
        tx.exec_prepared("task_publish", id.county_code, id.number);
        tx.exec_prepared("quota_publish", id.county_code, id.number);
        ASSIGN_OR_RETURN(v1::PracticeTask after, LoadTask(tx, id, false));
        call.Audit({.county_code = id.county_code,
                    .resource = "practiceTasks/" + after.id(),
                    .before = &before,
                    .after = &after});
        return after;
      });
}

absl::StatusOr<v1::PracticeTask> PgTrainingRepository::GetPracticeTask(CallContext& call,
                                                                       const ResourceId& id) {
  return call.Read<v1::PracticeTask>([&](db::Tx& tx) { return LoadTask(tx, id, false); });
}

absl::StatusOr<PageOf<v1::PracticeTask>> PgTrainingRepository::ListPracticeTasks(
    CallContext& call, const TaskQuery& q, const paging::Page& page) {
  ASSIGN_OR_RETURN(Keyset after, Keyset::Parse(page.cursor));
  return call.Read<PageOf<v1::PracticeTask>>([&](db::Tx& tx) {
    return KeysetPage(tx.exec_prepared("task_list", q.region_prefix, q.with_public, q.year,
                                       q.status, after.county, after.id, page.size + 1),
                      page.size, TaskFromRow);
  });
}

absl::StatusOr<v1::PracticeProgressReport> PgTrainingRepository::ReportProgress(
    CallContext& call, const v1::ReportPracticeProgressRequest& request, const ResourceId& task) {
  return call.Mutate<v1::PracticeProgressReport>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::PracticeProgressReport> {
        ASSIGN_OR_RETURN(v1::PracticeTask t, LoadTask(tx, task, false, "task_id"));
        if (t.status() == v1::TASK_STATUS_DRAFT) {
          return WithReason(absl::FailedPreconditionError(absl::StrCat(
                                "practice task ", t.id(), " is a draft; publish it first")),
                            "TASK_NOT_PUBLISHED");
        }
        if (t.status() == v1::TASK_STATUS_SUPERSEDED) {
          return WithReason(absl::FailedPreconditionError(
                                absl::StrCat("practice task ", t.id(), " was superseded by ",
                                             t.superseded_by(), "; report on that task")),
                            "TASK_SUPERSEDED");
        }
        pqxx::result q =
            tx.exec_prepared("quota_get", task.county_code, task.number, request.village_code());
        if (q.empty()) {
          return WithReason(
              InvalidField("village_code",
                           absl::StrCat(request.village_code(), " has no quota in task ", t.id())),
              "NO_QUOTA");
        }
        if (request.completed() > q[0][0].as<int64_t>()) {
          return InvalidField("completed", absl::StrCat("must not exceed the village's quota of ",
                                                        q[0][0].as<int64_t>()));
        }
        const std::string county = request.village_code().substr(0, 6);
        pqxx::row r = tx.exec_prepared1("progress_insert", county, task.county_code, task.number,
                                        request.village_code(), request.completed(),
                                        DateText(request.report_date()), request.note());
        v1::PracticeProgressReport out;
        out.set_id(ResourceId{county, r[0].as<int64_t>()}.ToString());
        out.set_task_id(t.id());
        out.set_village_code(request.village_code());
        out.set_completed(request.completed());
        *out.mutable_report_date() = request.report_date();
        out.set_note(request.note());
        *out.mutable_create_time() = TimestampFromMicros(r[1].as<int64_t>());
        call.Audit(
            {.county_code = county, .resource = "practiceProgress/" + out.id(), .after = &out});
        return out;
      });
}

absl::StatusOr<v1::PracticeTaskProgress> PgTrainingRepository::GetProgress(CallContext& call,
                                                                           const ResourceId& task) {
  return call.Read<v1::PracticeTaskProgress>(
      [&](db::Tx& tx) -> absl::StatusOr<v1::PracticeTaskProgress> {
        ASSIGN_OR_RETURN(v1::PracticeTask t, LoadTask(tx, task, false, "task_id"));
        v1::PracticeTaskProgress out;
        out.set_task_id(t.id());
        for (const auto& row : tx.exec_prepared("progress_rollup", task.county_code, task.number)) {
          v1::VillageProgress* v = out.add_by_village();
          v->set_village_code(row[0].as<std::string>());
          v->set_responsible_name(row[1].as<std::string>());
          v->set_quantity(row[2].as<int64_t>());
          v->set_completed(row[3].as<int64_t>());
          if (auto d = DateFromIso(row[4].as<std::string>())) *v->mutable_last_report_date() = *d;
          out.set_quantity(out.quantity() + v->quantity());
          out.set_completed(out.completed() + v->completed());
          out.set_villages(out.villages() + 1);
          if (v->completed() >= v->quantity()) out.set_villages_done(out.villages_done() + 1);
        }
        out.set_share(out.quantity() == 0 ? 0.0
                                          : static_cast<double>(out.completed()) /
                                                static_cast<double>(out.quantity()));
        return out;
      });
}

// ------------------------------------------------------------------ by id

namespace {

absl::StatusOr<v1::PracticeProgressReport> ProgressFromRow(const pqxx::row& r) {
  v1::PracticeProgressReport p;
  p.set_id(ResourceId{r[0].as<std::string>(), r[1].as<int64_t>()}.ToString());
  p.set_task_id(ResourceId{r[2].as<std::string>(), r[3].as<int64_t>()}.ToString());
  p.set_village_code(r[4].as<std::string>());
  p.set_completed(r[5].as<int64_t>());
  if (auto d = DateFromIso(r[6].as<std::string>())) *p.mutable_report_date() = *d;
  p.set_note(r[7].as<std::string>());
  *p.mutable_create_time() = TimestampFromMicros(r[8].as<int64_t>());
  return p;
}

}  // namespace

absl::StatusOr<v1::FieldVisit> PgTrainingRepository::GetFieldVisit(CallContext& call,
                                                                   const ResourceId& id) {
  return ReadRow(call, "field_visit_get", "field visit", id, FieldVisitFromRow);
}

absl::StatusOr<v1::ExpertVisit> PgTrainingRepository::GetExpertVisit(CallContext& call,
                                                                     const ResourceId& id) {
  return ReadRow(call, "expert_visit_get", "expert visit", id, ExpertVisitFromRow);
}

absl::StatusOr<v1::PracticeProgressReport> PgTrainingRepository::GetProgressReport(
    CallContext& call, const ResourceId& id) {
  return ReadRow(call, "progress_get", "progress report", id, ProgressFromRow);
}

absl::StatusOr<PageOf<v1::PracticeProgressReport>> PgTrainingRepository::ListProgressReports(
    CallContext& call, const ResourceId& task, const std::string& village_code,
    const paging::Page& page) {
  ASSIGN_OR_RETURN(Keyset after, Keyset::Parse(page.cursor));
  return call.Read<PageOf<v1::PracticeProgressReport>>(
      [&](db::Tx& tx) -> absl::StatusOr<PageOf<v1::PracticeProgressReport>> {
        RETURN_IF_ERROR(LoadTask(tx, task, false, "task_id").status());
        return KeysetPage(tx.exec_prepared("progress_list", task.county_code, task.number,
                                           village_code, after.county, after.id, page.size + 1),
                          page.size, ProgressFromRow);
      });
}

}  // namespace touyan::training
