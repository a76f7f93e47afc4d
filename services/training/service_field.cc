#include "common/export/pdf.h"
#include "common/grpc/file_stream.h"
#include "services/training/service_util.h"

// Field and expert visits, practice tasks on the public board.
namespace touyan::training {

// ------------------------------------------------------------------ visits

TOUYAN_UNARY(TrainingService, CreateFieldVisit, v1::CreateFieldVisitRequest, v1::FieldVisit)
TOUYAN_UNARY(TrainingService, ListFieldVisits, v1::ListFieldVisitsRequest,
             v1::ListFieldVisitsResponse)
TOUYAN_UNARY(TrainingService, CreateExpertVisit, v1::CreateExpertVisitRequest, v1::ExpertVisit)
TOUYAN_UNARY(TrainingService, ListExpertVisits, v1::ListExpertVisitsRequest,
             v1::ListExpertVisitsResponse)

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
      personnel_.GetCadres(call, v.participant_cadre_ids(), "field_visit.participant_cadre_ids")
          .status());
  return repo_->CreateFieldVisit(call, r, v);
}

absl::StatusOr<v1::ListFieldVisitsResponse> TrainingService::DoListFieldVisits(
    CallContext& call, const v1::ListFieldVisitsRequest& r) {
  ASSIGN_OR_RETURN(std::string prefix,
                   ListPrefix(call.principal(), r.region_code(), "region_code"));
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, true));
  ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
  ASSIGN_OR_RETURN(PageOf<v1::FieldVisit> rows,
                   repo_->ListFieldVisits(call, prefix, r.year(), page));
  return ListResponse(call, r, std::move(rows), &v1::ListFieldVisitsResponse::mutable_field_visits);
}

absl::StatusOr<v1::ExpertVisit> TrainingService::DoCreateExpertVisit(
    CallContext& call, const v1::CreateExpertVisitRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  const v1::ExpertVisit& v = r.expert_visit();
  RETURN_IF_ERROR(NestField(ValidateExpertVisit(v, call.clock().Today()), "expert_visit."));
  RETURN_IF_ERROR(
      WithField(call.principal().CheckWrite(v.village_code()), "expert_visit.village_code"));
  RETURN_IF_ERROR(
      personnel_.GetCadres(call, v.secretary_cadre_ids(), "expert_visit.secretary_cadre_ids")
          .status());
  return repo_->CreateExpertVisit(call, r, v);
}

absl::StatusOr<v1::ListExpertVisitsResponse> TrainingService::DoListExpertVisits(
    CallContext& call, const v1::ListExpertVisitsRequest& r) {
  ASSIGN_OR_RETURN(std::string prefix,
                   ListPrefix(call.principal(), r.region_code(), "region_code"));
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, true));
  RETURN_IF_ERROR(CheckEnum("topic", r.topic(), v1::ExpertTopic_IsValid));
  ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
  ASSIGN_OR_RETURN(PageOf<v1::ExpertVisit> rows,
                   repo_->ListExpertVisits(call, prefix, r.year(), r.topic(), page));
  return ListResponse(call, r, std::move(rows),
                      &v1::ListExpertVisitsResponse::mutable_expert_visits);
}

// ---------------------------------------------------------- practice tasks

TOUYAN_UNARY(TrainingService, CreatePracticeTask, v1::CreatePracticeTaskRequest, v1::PracticeTask)
TOUYAN_UNARY(TrainingService, UpdatePracticeTask, v1::UpdatePracticeTaskRequest, v1::PracticeTask)
TOUYAN_UNARY(TrainingService, PublishPracticeTask, v1::PublishPracticeTaskRequest, v1::PracticeTask)
TOUYAN_UNARY(TrainingService, GetPracticeTask, v1::GetPracticeTaskRequest, v1::PracticeTask)
TOUYAN_UNARY(TrainingService, ListPracticeTasks, v1::ListPracticeTasksRequest,
             v1::ListPracticeTasksResponse)
TOUYAN_UNARY(TrainingService, ReportPracticeProgress, v1::ReportPracticeProgressRequest,
             v1::PracticeProgressReport)
TOUYAN_UNARY(TrainingService, GetPracticeTaskProgress, v1::GetPracticeTaskProgressRequest,
             v1::PracticeTaskProgress)

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
  RETURN_IF_ERROR(
      personnel_.GetCadres(call, responsible, "task.quotas.responsible_cadre_id").status());
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

grpc::ServerWriteReactor<files::v1::FileChunk>* TrainingService::PrintPracticeTaskNotice(
    Ctx* ctx, const v1::PrintPracticeTaskNoticeRequest* req) {
  return FileStream(
      rt_, ctx, req, "PrintPracticeTaskNotice",
      [this](CallContext& call,
             const v1::PrintPracticeTaskNoticeRequest& r) -> absl::StatusOr<MadeFile> {
        ASSIGN_OR_RETURN(std::string bytes, PracticeTaskNotice(call, r));
        return MadeFile{absl::StrCat("practice-tasks-", ExportRegion(call, r.region_code()), "-",
                                     r.year(), "-notice.pdf"),
                        std::move(bytes)};
      });
}

absl::StatusOr<std::string> TrainingService::PracticeTaskNotice(
    CallContext& call, const v1::PrintPracticeTaskNoticeRequest& r) {
  if (r.region_code().empty()) {
    return InvalidField("region_code", "is required: the issuing city or county", "REQUIRED");
  }
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, false));
  ASSIGN_OR_RETURN(NoticeTerms terms, NoticeTermsOf(r));
  v1::ListPracticeTasksRequest list;
  list.set_region_code(r.region_code());
  list.set_year(r.year());
  list.set_status(v1::TASK_STATUS_PUBLISHED);
  ASSIGN_OR_RETURN(std::vector<v1::PracticeTask> tasks,
                   AllItems(
                       list, [&](const auto& q) { return DoListPracticeTasks(call, q); },
                       &v1::ListPracticeTasksResponse::mutable_tasks));
  if (tasks.empty()) {
    return WithReason(absl::FailedPreconditionError(absl::StrCat(
                          "no practice task of ", r.year(),
                          " is on the region's public board: publish them, then print the notice")),
                      "NOTHING_PUBLISHED");
  }
  pdf::Notice notice{
      .title = absl::StrCat(r.year(), "年度村党组织书记实践锻炼任务公示"),
      .before = {absl::StrCat("现将", r.year(), "年度实践锻炼任务（共 ", tasks.size(),
                              " 项）予以公示，接受监督。各项任务分解到村，由责任人负责落实。")},
      .headers = {"序号", "任务", "内容", "单位", "完成时限", "村数", "任务量"},
      .widths = {0.07, 0.18, 0.33, 0.07, 0.15, 0.08, 0.12}};
  for (size_t i = 0; i < tasks.size(); ++i) {
    const v1::PracticeTask& t = tasks[i];
    int64_t quantity = 0;
    for (const v1::Quota& q : t.quotas()) quantity += q.quantity();
    std::string due;
    if (absl::StatusOr<absl::CivilDay> d = ToCivilDay("due_date", t.due_date()); d.ok()) {
      due = ChineseDate(*d);
    }
    notice.rows.push_back({std::to_string(i + 1), t.title(), t.description(), t.unit(), due,
                           std::to_string(t.quotas_size()), std::to_string(quantity)});
  }
  CloseNotice(notice, terms);
  return pdf::NoticePdf(notice);
}

// ------------------------------------------------------------------ by id

TOUYAN_UNARY(TrainingService, GetFieldVisit, v1::GetFieldVisitRequest, v1::FieldVisit)
TOUYAN_UNARY(TrainingService, GetExpertVisit, v1::GetExpertVisitRequest, v1::ExpertVisit)
TOUYAN_UNARY(TrainingService, GetPracticeProgressReport, v1::GetPracticeProgressReportRequest,
             v1::PracticeProgressReport)

absl::StatusOr<v1::FieldVisit> TrainingService::DoGetFieldVisit(CallContext& call,
                                                                const v1::GetFieldVisitRequest& r) {
  // Visible as in ListFieldVisits: organised within the caller's scope, or
  // by a region that contains it (the city's visits, for a county).
  ASSIGN_OR_RETURN(ResourceId id, ResourceId::Parse("id", r.id()));
  RETURN_IF_ERROR(CheckIdVisible(call.principal(), id, "id"));
  ASSIGN_OR_RETURN(v1::FieldVisit v, repo_->GetFieldVisit(call, id));
  if (!CanSee(call.principal(), v.organiser_region_code())) {
    return WithField(call.principal().CheckCovers(v.organiser_region_code()), "id");
  }
  return v;
}

absl::StatusOr<v1::ExpertVisit> TrainingService::DoGetExpertVisit(
    CallContext& call, const v1::GetExpertVisitRequest& r) {
  ASSIGN_OR_RETURN(ResourceId id, ResourceId::Parse("id", r.id()));
  RETURN_IF_ERROR(CheckIdVisible(call.principal(), id, "id"));
  ASSIGN_OR_RETURN(v1::ExpertVisit v, repo_->GetExpertVisit(call, id));
  RETURN_IF_ERROR(WithField(call.principal().CheckCovers(v.village_code()), "id"));
  return v;
}

absl::StatusOr<v1::PracticeProgressReport> TrainingService::DoGetPracticeProgressReport(
    CallContext& call, const v1::GetPracticeProgressReportRequest& r) {
  // Reports exist for published tasks only, which are public: readable as
  // the task is.
  ASSIGN_OR_RETURN(ResourceId id, ResourceId::Parse("id", r.id()));
  ASSIGN_OR_RETURN(v1::PracticeProgressReport p, repo_->GetProgressReport(call, id));
  ASSIGN_OR_RETURN(ResourceId task, ResourceId::Parse("id", p.task_id()));
  RETURN_IF_ERROR(WithField(repo_->GetPracticeTask(call, task).status(), "id"));
  return p;
}

TOUYAN_UNARY(TrainingService, ListPracticeProgressReports, v1::ListPracticeProgressReportsRequest,
             v1::ListPracticeProgressReportsResponse)

absl::StatusOr<v1::ListPracticeProgressReportsResponse>
TrainingService::DoListPracticeProgressReports(CallContext& call,
                                               const v1::ListPracticeProgressReportsRequest& r) {
  ASSIGN_OR_RETURN(ResourceId task, ResourceId::Parse("task_id", r.task_id()));
  if (!r.village_code().empty() && LevelOf(r.village_code()) != Level::kVillage) {
    return InvalidField("village_code", "must be empty or a village code", "BAD_REGION_CODE");
  }
  ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
  ASSIGN_OR_RETURN(PageOf<v1::PracticeProgressReport> rows,
                   repo_->ListProgressReports(call, task, r.village_code(), page));
  return ListResponse(call, r, std::move(rows),
                      &v1::ListPracticeProgressReportsResponse::mutable_reports);
}

}  // namespace touyan::training
