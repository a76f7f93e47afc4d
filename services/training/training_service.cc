#include "services/training/training_service.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/idempotency/idempotency.h"
#include "common/grpc/handlers.h"
#include "common/status/status.h"
#include "common/status/text.h"
#include "common/time/date.h"
#include "services/training/domain/rules.h"

namespace touyan::training {
namespace pv1 = ::touyan::personnel::v1;

namespace {

// Whether the caller sees rows of `region_code`: inside the scope, or a
// region that contains the whole scope (the city's classes for a county).
bool CanSee(const Principal& p, const std::string& region_code) {
  const std::string prefix = PrefixOf(region_code);
  return absl::StartsWith(prefix, p.scope_prefix) || absl::StartsWith(p.scope_prefix, prefix);
}

// The same judged from an id's county alone (before any query).
absl::Status CheckIdVisible(const Principal& p, const ResourceId& id, absl::string_view field) {
  if (CanSee(p, id.county_code + "000000") ||
      absl::StartsWith(id.county_code, p.RlsCountyPrefix())) {
    return absl::OkStatus();
  }
  return WithField(WithReason(absl::PermissionDeniedError(absl::StrCat(
                                  id.ToString(), " belongs to county ", id.county_code,
                                  ", outside the caller's scope ", p.scope)),
                              "OUT_OF_SCOPE"),
                   field);
}

absl::Status CheckTheme(const v1::GetCoverageRequest& r, const CallContext& call) {
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, false));
  return ValidateText("theme", r.theme(), 100);
}

// Lists `missing` from the cursor (an offset) on.
v1::ListUncoveredResponse UncoveredPage(CallContext& call, const v1::ListUncoveredRequest& r,
                                        const std::vector<v1::UncoveredSecretary>& missing,
                                        const paging::Page& page, size_t from) {
  v1::ListUncoveredResponse out;
  size_t end = std::min(missing.size(), from + static_cast<size_t>(page.size));
  for (size_t i = from; i < end; ++i) *out.add_secretaries() = missing[i];
  if (end < missing.size()) out.set_next_page_token(call.pager().Next(r, absl::StrCat(end)));
  return out;
}

}  // namespace

TOUYAN_UNARY(TrainingService, CreateClass, v1::CreateClassRequest, v1::TrainingClass)
TOUYAN_UNARY(TrainingService, GetClass, v1::GetClassRequest, v1::TrainingClass)
TOUYAN_UNARY(TrainingService, ListClasses, v1::ListClassesRequest, v1::ListClassesResponse)
TOUYAN_UNARY(TrainingService, Enrol, v1::EnrolRequest, v1::Enrolment)
TOUYAN_UNARY(TrainingService, ListEnrolments, v1::ListEnrolmentsRequest, v1::ListEnrolmentsResponse)
TOUYAN_UNARY(TrainingService, RecordAttendance, v1::RecordAttendanceRequest, v1::RecordAttendanceResponse)
TOUYAN_UNARY(TrainingService, GetCoverage, v1::GetCoverageRequest, v1::Coverage)
TOUYAN_UNARY(TrainingService, ListUncovered, v1::ListUncoveredRequest, v1::ListUncoveredResponse)
TOUYAN_UNARY(TrainingService, EnrolUncovered, v1::EnrolUncoveredRequest, v1::EnrolUncoveredResponse)
TOUYAN_UNARY(TrainingService, GetStatistics, v1::GetStatisticsRequest, v1::Statistics)
TOUYAN_UNARY(TrainingService, CreateFieldVisit, v1::CreateFieldVisitRequest, v1::FieldVisit)
TOUYAN_UNARY(TrainingService, ListFieldVisits, v1::ListFieldVisitsRequest, v1::ListFieldVisitsResponse)
TOUYAN_UNARY(TrainingService, CreateExpertVisit, v1::CreateExpertVisitRequest, v1::ExpertVisit)
TOUYAN_UNARY(TrainingService, ListExpertVisits, v1::ListExpertVisitsRequest, v1::ListExpertVisitsResponse)
TOUYAN_UNARY(TrainingService, CreatePracticeTask, v1::CreatePracticeTaskRequest, v1::PracticeTask)
TOUYAN_UNARY(TrainingService, UpdatePracticeTask, v1::UpdatePracticeTaskRequest, v1::PracticeTask)
TOUYAN_UNARY(TrainingService, PublishPracticeTask, v1::PublishPracticeTaskRequest, v1::PracticeTask)
TOUYAN_UNARY(TrainingService, GetPracticeTask, v1::GetPracticeTaskRequest, v1::PracticeTask)
TOUYAN_UNARY(TrainingService, ListPracticeTasks, v1::ListPracticeTasksRequest, v1::ListPracticeTasksResponse)
TOUYAN_UNARY(TrainingService, ReportPracticeProgress, v1::ReportPracticeProgressRequest, v1::PracticeProgressReport)
TOUYAN_UNARY(TrainingService, GetPracticeTaskProgress, v1::GetPracticeTaskProgressRequest, v1::PracticeTaskProgress)

absl::StatusOr<v1::TrainingClass> TrainingService::VisibleClass(CallContext& call,
                                                                const std::string& id,
                                                                absl::string_view field) {
  ASSIGN_OR_RETURN(ResourceId rid, ResourceId::Parse(field, id));
  RETURN_IF_ERROR(CheckIdVisible(call.principal(), rid, field));
  absl::StatusOr<v1::TrainingClass> c = repo_->GetClass(call, rid);
  if (!c.ok()) return WithField(c.status(), field);
  if (!CanSee(call.principal(), c->region_code())) {
    return WithField(call.principal().CheckCovers(c->region_code()), field);
  }
  return c;
}

// ---------------------------------------------------------------- classes

absl::StatusOr<v1::TrainingClass> TrainingService::DoCreateClass(CallContext& call,
                                                                 const v1::CreateClassRequest& r) {
  v1::TrainingClass c = r.training_class();
  RETURN_IF_ERROR(NestField(NormalizeClass(c, YearMax(call)), "training_class."));
  RETURN_IF_ERROR(WithField(call.principal().CheckWrite(c.region_code()), "training_class.region_code"));
  ASSIGN_OR_RETURN(std::vector<pv1::Cadre> lecturers,
                   personnel_.GetCadres(call, c.lecturer_cadre_ids(), "training_class.lecturer_cadre_ids"));
  for (size_t i = 0; i < lecturers.size(); ++i) {
    if (!personnel::IsSecretary(lecturers[i])) {
      return WithField(WithReason(absl::FailedPreconditionError(absl::StrCat(
                                      "cadre ", lecturers[i].id(),
                                      " holds no secretary post; a peer lecture is given by secretaries")),
                                  "NOT_A_SECRETARY"),
                       absl::StrCat("training_class.lecturer_cadre_ids[", i, "]"));
    }
  }
  return repo_->CreateClass(call, r, c);
}

absl::StatusOr<v1::TrainingClass> TrainingService::DoGetClass(CallContext& call,
                                                              const v1::GetClassRequest& r) {
  return VisibleClass(call, r.id(), "id");
}

absl::StatusOr<v1::ListClassesResponse> TrainingService::DoListClasses(
    CallContext& call, const v1::ListClassesRequest& r) {
  ClassQuery q;
  ASSIGN_OR_RETURN(q.region_prefix, ListPrefix(call.principal(), r.region_code(), "region_code"));
  RETURN_IF_ERROR(CheckEnum("tier", r.tier(), v1::Tier_IsValid));
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, true));
  RETURN_IF_ERROR(ValidateText("theme", r.theme(), 100, false));
  q.tier = r.tier();
  q.year = r.year();
  q.theme = r.theme();
  ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
  ASSIGN_OR_RETURN(PageOf<v1::TrainingClass> rows, repo_->ListClasses(call, q, page));
  return ListResponse(call, r, std::move(rows), &v1::ListClassesResponse::mutable_classes);
}

// ------------------------------------------------ enrolment and attendance

absl::StatusOr<v1::Enrolment> TrainingService::DoEnrol(CallContext& call, const v1::EnrolRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  RETURN_IF_ERROR(NestField(ValidateTrainee(r.trainee()), "trainee."));
  ASSIGN_OR_RETURN(v1::TrainingClass c, VisibleClass(call, r.class_id(), "class_id"));
  v1::Trainee t = r.trainee();
  if (!t.cadre_id().empty()) {
    ASSIGN_OR_RETURN(pv1::Cadre cadre, personnel_.GetCadre(call, t.cadre_id(), "trainee.cadre_id"));
    if (t.kind() == v1::TRAINEE_KIND_VILLAGE_SECRETARY && !personnel::IsSecretary(cadre)) {
      return WithField(WithReason(absl::FailedPreconditionError(absl::StrCat(
                                      "cadre ", cadre.id(),
                                      " holds no secretary post; enrol as a village cadre")),
                                  "NOT_A_SECRETARY"),
                       "trainee.kind");
    }
    t.set_name(cadre.name());
    t.set_region_code(cadre.region_code());
  }
  RETURN_IF_ERROR(WithField(call.principal().CheckWrite(t.region_code()), "trainee"));
  if (!absl::StartsWith(t.region_code(), PrefixOf(c.region_code()))) {
    return WithReason(InvalidField("trainee.region_code", absl::StrCat("'", t.region_code(),
                                                                       "' is not in the class's region ",
                                                                       c.region_code())),
                      "OUTSIDE_REGION");
  }
  ASSIGN_OR_RETURN(ResourceId cls, ResourceId::Parse("class_id", c.id()));
  ASSIGN_OR_RETURN(v1::EnrolUncoveredResponse out, repo_->Enrol(call, r, r.request_id(), cls, {t}, /*skip_enrolled=*/false));
  if (out.enrolments().empty()) return absl::InternalError("no enrolment was stored");
  return out.enrolments(0);
}

absl::StatusOr<v1::ListEnrolmentsResponse> TrainingService::DoListEnrolments(
    CallContext& call, const v1::ListEnrolmentsRequest& r) {
  ASSIGN_OR_RETURN(v1::TrainingClass c, VisibleClass(call, r.class_id(), "class_id"));
  ASSIGN_OR_RETURN(ResourceId cls, ResourceId::Parse("class_id", c.id()));
  ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
  ASSIGN_OR_RETURN(PageOf<v1::Enrolment> rows, repo_->ListEnrolments(call, cls, page));
  // A township operator sees its own township's trainees only.
  const Principal& p = call.principal();
  std::erase_if(rows.items, [&](const v1::Enrolment& e) {
    return !absl::StartsWith(e.trainee().region_code(), p.scope_prefix);
  });
  return ListResponse(call, r, std::move(rows), &v1::ListEnrolmentsResponse::mutable_enrolments);
}

absl::StatusOr<v1::RecordAttendanceResponse> TrainingService::DoRecordAttendance(
    CallContext& call, const v1::RecordAttendanceRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  if (r.marks().empty() || r.marks_size() > 1000) {
    return InvalidField("marks", "needs 1 to 1,000 marks", "BAD_COUNT");
  }
  absl::flat_hash_set<std::string> seen;
  for (int i = 0; i < r.marks_size(); ++i) {
    const v1::AttendanceMark& m = r.marks(i);
    const std::string f = absl::StrCat("marks[", i, "].");
    ASSIGN_OR_RETURN(ResourceId id, ResourceId::Parse(f + "enrolment_id", m.enrolment_id()));
    if (!seen.insert(id.ToString()).second) {
      return InvalidField(f + "enrolment_id", "is marked twice", "DUPLICATE");
    }
    if (m.status() == v1::ATTENDANCE_STATUS_UNSPECIFIED) {
      return InvalidField(f + "status", "is required", "REQUIRED");
    }
    RETURN_IF_ERROR(CheckEnum(f + "status", m.status(), v1::AttendanceStatus_IsValid));
  }
  ASSIGN_OR_RETURN(v1::TrainingClass c, VisibleClass(call, r.class_id(), "class_id"));
  RETURN_IF_ERROR(WithField(call.principal().CheckWrite(c.region_code()), "class_id"));
  if (r.segment_number() < 1 || r.segment_number() > c.segments_size()) {
    return InvalidField("segment_number", absl::StrCat("class ", c.id(), " has segments 1 to ",
                                                       c.segments_size()));
  }
  const v1::Segment& seg = c.segments(r.segment_number() - 1);
  ASSIGN_OR_RETURN(absl::CivilDay start, ToCivilDay("segment_number", seg.start_date()));
  if (start > call.clock().Today()) {
    return WithField(WithReason(absl::FailedPreconditionError(absl::StrCat(
                                    "segment ", seg.number(), " starts on ", IsoDate(start),
                                    "; attendance can be recorded from that day")),
                                "SEGMENT_NOT_STARTED"),
                     "segment_number");
  }
  return repo_->RecordAttendance(call, r, c);
}

// --------------------------------------------------------------- coverage

absl::StatusOr<CoverageResult> TrainingService::Cover(CallContext& call,
                                                      const std::string& region_code, int year,
                                                      const std::string& theme) {
  ASSIGN_OR_RETURN(std::string prefix, ListPrefix(call.principal(), region_code, "region_code"));
  const std::string code = region_code.empty() ? call.principal().scope : region_code;
  ASSIGN_OR_RETURN(std::vector<pv1::Secretary> found,
                   personnel_.Secretaries(call, code, pv1::PARTY_ORG_KIND_VILLAGE));
  std::vector<SecretaryRef> secretaries;
  for (const pv1::Secretary& s : found) {
    secretaries.push_back({s.cadre_id(), s.cadre_name(), s.party_org_id(), s.region_code()});
  }
  ASSIGN_OR_RETURN(auto completed, repo_->CompletedCadres(call, prefix, year, theme));
  CoverageResult out = ComputeCoverage(secretaries, completed);
  out.summary.set_year(year);
  out.summary.set_theme(theme);
  return out;
}

absl::StatusOr<v1::Coverage> TrainingService::DoGetCoverage(CallContext& call,
                                                            const v1::GetCoverageRequest& r) {
  RETURN_IF_ERROR(CheckTheme(r, call));
  ASSIGN_OR_RETURN(CoverageResult c, Cover(call, r.region_code(), r.year(), r.theme()));
  return c.summary;
}

absl::StatusOr<v1::ListUncoveredResponse> TrainingService::DoListUncovered(
    CallContext& call, const v1::ListUncoveredRequest& r) {
  v1::GetCoverageRequest check;
  check.set_year(r.year());
  check.set_theme(r.theme());
  RETURN_IF_ERROR(CheckTheme(check, call));
  ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
  size_t from = 0;
  if (!page.cursor.empty() && !absl::SimpleAtoi(page.cursor, &from)) {
    return InvalidField("page_token", "is corrupt", "BAD_PAGE_TOKEN");
  }
  ASSIGN_OR_RETURN(CoverageResult c, Cover(call, r.region_code(), r.year(), r.theme()));
  return UncoveredPage(call, r, c.missing, page, from);
}

absl::StatusOr<v1::EnrolUncoveredResponse> TrainingService::DoEnrolUncovered(
    CallContext& call, const v1::EnrolUncoveredRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  ASSIGN_OR_RETURN(v1::TrainingClass c, VisibleClass(call, r.class_id(), "class_id"));
  if (c.tier() != v1::TIER_TOWNSHIP) {
    return WithReason(InvalidField("class_id", absl::StrCat("class ", c.id(),
                                                            " is not a township catch-up class (tier TOWNSHIP)")),
                      "NOT_TOWNSHIP_CLASS");
  }
  RETURN_IF_ERROR(WithField(call.principal().CheckWrite(c.region_code()), "class_id"));
  ASSIGN_OR_RETURN(CoverageResult cover, Cover(call, c.region_code(), c.year(), c.theme()));
  std::vector<v1::Trainee> trainees;
  for (const v1::UncoveredSecretary& s : cover.missing) {
    v1::Trainee t;
    t.set_kind(v1::TRAINEE_KIND_VILLAGE_SECRETARY);
    t.set_cadre_id(s.cadre_id());
    t.set_name(s.cadre_name());
    t.set_region_code(s.village_code());
    trainees.push_back(std::move(t));
  }
  ASSIGN_OR_RETURN(ResourceId cls, ResourceId::Parse("class_id", c.id()));
  // Secretaries enrolled in this class already (not yet completed) are
  // skipped, not refused.
  return repo_->Enrol(call, r, r.request_id(), cls, trainees, /*skip_enrolled=*/true);
}

absl::StatusOr<v1::Statistics> TrainingService::DoGetStatistics(CallContext& call,
                                                                const v1::GetStatisticsRequest& r) {
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, false));
  ASSIGN_OR_RETURN(std::string prefix, ListPrefix(call.principal(), r.region_code(), "region_code"));
  return repo_->Statistics(call, prefix, r.year());
}

// ----------------------------------------------------------------- visits

absl::StatusOr<v1::FieldVisit> TrainingService::DoCreateFieldVisit(
    CallContext& call, const v1::CreateFieldVisitRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  const v1::FieldVisit& v = r.field_visit();
  RETURN_IF_ERROR(NestField(ValidateFieldVisit(v, call.clock().Today()), "field_visit."));
  RETURN_IF_ERROR(WithField(call.principal().CheckWrite(v.organiser_region_code()),
                            "field_visit.organiser_region_code"));
  if (!v.class_id().empty()) {
    RETURN_IF_ERROR(VisibleClass(call, v.class_id(), "field_visit.class_id").status());
  }
  RETURN_IF_ERROR(
      personnel_.GetCadres(call, v.participant_cadre_ids(), "field_visit.participant_cadre_ids").status());
  return repo_->CreateFieldVisit(call, r, v);
}

absl::StatusOr<v1::ListFieldVisitsResponse> TrainingService::DoListFieldVisits(
    CallContext& call, const v1::ListFieldVisitsRequest& r) {
  ASSIGN_OR_RETURN(std::string prefix, ListPrefix(call.principal(), r.region_code(), "region_code"));
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, true));
  ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
  ASSIGN_OR_RETURN(PageOf<v1::FieldVisit> rows, repo_->ListFieldVisits(call, prefix, r.year(), page));
  return ListResponse(call, r, std::move(rows), &v1::ListFieldVisitsResponse::mutable_field_visits);
}

absl::StatusOr<v1::ExpertVisit> TrainingService::DoCreateExpertVisit(
    CallContext& call, const v1::CreateExpertVisitRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  const v1::ExpertVisit& v = r.expert_visit();
  RETURN_IF_ERROR(NestField(ValidateExpertVisit(v, call.clock().Today()), "expert_visit."));
  RETURN_IF_ERROR(WithField(call.principal().CheckWrite(v.village_code()), "expert_visit.village_code"));
  RETURN_IF_ERROR(
      personnel_.GetCadres(call, v.secretary_cadre_ids(), "expert_visit.secretary_cadre_ids").status());
  return repo_->CreateExpertVisit(call, r, v);
}

absl::StatusOr<v1::ListExpertVisitsResponse> TrainingService::DoListExpertVisits(
    CallContext& call, const v1::ListExpertVisitsRequest& r) {
  ASSIGN_OR_RETURN(std::string prefix, ListPrefix(call.principal(), r.region_code(), "region_code"));
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, true));
  RETURN_IF_ERROR(CheckEnum("topic", r.topic(), v1::ExpertTopic_IsValid));
  ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
  ASSIGN_OR_RETURN(PageOf<v1::ExpertVisit> rows,
                   repo_->ListExpertVisits(call, prefix, r.year(), r.topic(), page));
  return ListResponse(call, r, std::move(rows), &v1::ListExpertVisitsResponse::mutable_expert_visits);
}

// --------------------------------------------------------- practice tasks

absl::StatusOr<v1::PracticeTask> TrainingService::DoCreatePracticeTask(
    CallContext& call, const v1::CreatePracticeTaskRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  const v1::PracticeTask& t = r.task();
  RETURN_IF_ERROR(NestField(ValidatePracticeTask(t, YearMax(call)), "task."));
  RETURN_IF_ERROR(WithField(call.principal().CheckWrite(t.region_code()), "task.region_code"));
  google::protobuf::RepeatedPtrField<std::string> responsible;
  for (const v1::Quota& q : t.quotas()) {
    if (!q.responsible_cadre_id().empty()) *responsible.Add() = q.responsible_cadre_id();
  }
  RETURN_IF_ERROR(personnel_.GetCadres(call, responsible, "task.quotas.responsible_cadre_id").status());
  return repo_->CreatePracticeTask(call, r, t);
}

absl::StatusOr<v1::PracticeTask> TrainingService::DoUpdatePracticeTask(
    CallContext& call, const v1::UpdatePracticeTaskRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  ASSIGN_OR_RETURN(ResourceId id, ResourceId::Parse("task.id", r.task().id()));
  RETURN_IF_ERROR(CheckCounty(call.principal(), id.county_code, true));
  std::vector<std::string> paths(r.update_mask().paths().begin(), r.update_mask().paths().end());
  const int year_max = YearMax(call);
  return repo_->UpdatePracticeTask(call, r, id, [&](v1::PracticeTask& t) -> absl::Status {
    RETURN_IF_ERROR(ApplyTaskPatch(r.task(), paths, t));
    return NestField(ValidatePracticeTask(t, year_max), "task.");
  });
}

absl::StatusOr<v1::PracticeTask> TrainingService::DoPublishPracticeTask(
    CallContext& call, const v1::PublishPracticeTaskRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  ASSIGN_OR_RETURN(ResourceId id, ResourceId::Parse("id", r.id()));
  RETURN_IF_ERROR(WithField(CheckCounty(call.principal(), id.county_code, true), "id"));
  return repo_->PublishPracticeTask(call, r, id);
}

absl::StatusOr<v1::PracticeTask> TrainingService::DoGetPracticeTask(
    CallContext& call, const v1::GetPracticeTaskRequest& r) {
  // Published tasks are public: row-level security decides what is visible.
  ASSIGN_OR_RETURN(ResourceId id, ResourceId::Parse("id", r.id()));
  return repo_->GetPracticeTask(call, id);
}

absl::StatusOr<v1::ListPracticeTasksResponse> TrainingService::DoListPracticeTasks(
    CallContext& call, const v1::ListPracticeTasksRequest& r) {
  TaskQuery q;
  q.with_public = r.region_code().empty();
  if (r.region_code().empty()) {
    q.region_prefix = call.principal().scope_prefix;
  } else {
    // The public board of any region is readable; drafts stay in scope (RLS).
    ASSIGN_OR_RETURN(q.region_prefix, auth::RegionPrefix(r.region_code()));
  }
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, true));
  RETURN_IF_ERROR(CheckEnum("status", r.status(), v1::TaskStatus_IsValid));
  q.year = r.year();
  q.status = r.status();
  ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
  ASSIGN_OR_RETURN(PageOf<v1::PracticeTask> rows, repo_->ListPracticeTasks(call, q, page));
  return ListResponse(call, r, std::move(rows), &v1::ListPracticeTasksResponse::mutable_tasks);
}

absl::StatusOr<v1::PracticeProgressReport> TrainingService::DoReportPracticeProgress(
    CallContext& call, const v1::ReportPracticeProgressRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  ASSIGN_OR_RETURN(ResourceId task, ResourceId::Parse("task_id", r.task_id()));
  if (LevelOf(r.village_code()) != Level::kVillage) {
    return InvalidField("village_code", "must be a village code", "BAD_REGION_CODE");
  }
  RETURN_IF_ERROR(WithField(call.principal().CheckWrite(r.village_code()), "village_code"));
  if (r.completed() < 0) return InvalidField("completed", "must not be negative");
  if (!IsSet(r.report_date())) return InvalidField("report_date", "is required", "REQUIRED");
  ASSIGN_OR_RETURN(absl::CivilDay day, ToCivilDay("report_date", r.report_date()));
  if (day > call.clock().Today()) return InvalidField("report_date", "must not be in the future");
  RETURN_IF_ERROR(ValidateText("note", r.note(), 1000, false));
  return repo_->ReportProgress(call, r, task);
}

absl::StatusOr<v1::PracticeTaskProgress> TrainingService::DoGetPracticeTaskProgress(
    CallContext& call, const v1::GetPracticeTaskProgressRequest& r) {
  ASSIGN_OR_RETURN(ResourceId task, ResourceId::Parse("task_id", r.task_id()));
  return repo_->GetProgress(call, task);
}

absl::Status TrainingService::RefreshGauges(CallContext& call) {
  const int year = static_cast<int>(call.clock().Today().year());
  ASSIGN_OR_RETURN(std::vector<std::string> themes,
                   repo_->Themes(call, call.principal().scope_prefix, year));
  for (const std::string& theme : themes) {
    ASSIGN_OR_RETURN(CoverageResult c, Cover(call, "", year, theme));
    Metrics& m = call.metrics();
    m.Gauge("touyan_training_coverage_ratio",
            "Share of current village secretaries who completed a class on the theme this year.",
            {{"theme", theme}})
        .Set(c.summary.rate());
    m.Gauge("touyan_training_secretaries_uncovered",
            "Current village secretaries still missing a completed class on the theme this year.",
            {{"theme", theme}})
        .Set(static_cast<double>(c.summary.missing()));
  }
  return absl::OkStatus();
}

}  // namespace touyan::training
