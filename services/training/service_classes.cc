#include "absl/strings/str_format.h"
#include "common/export/xlsx.h"
#include "common/grpc/file_stream.h"
#include "services/training/service_util.h"

// Classes, enrolment and attendance, coverage and statistics.
namespace touyan::training {

// ----------------------------------------------------------------- classes

TOUYAN_UNARY(TrainingService, CreateClass, v1::CreateClassRequest, v1::TrainingClass)
TOUYAN_UNARY(TrainingService, GetClass, v1::GetClassRequest, v1::TrainingClass)
TOUYAN_UNARY(TrainingService, ListClasses, v1::ListClassesRequest, v1::ListClassesResponse)
TOUYAN_UNARY(TrainingService, RescheduleSegment, v1::RescheduleSegmentRequest, v1::TrainingClass)
TOUYAN_UNARY(TrainingService, CancelClass, v1::CancelClassRequest, v1::TrainingClass)

absl::StatusOr<v1::TrainingClass> TrainingService::DoCreateClass(CallContext& call,
                                                                 const v1::CreateClassRequest& r) {
  v1::TrainingClass c = r.training_class();
  RETURN_IF_ERROR(NestField(NormalizeClass(c, YearMax(call)), "training_class."));
  RETURN_IF_ERROR(
      WithField(call.principal().CheckWrite(c.region_code()), "training_class.region_code"));
  ASSIGN_OR_RETURN(
      std::vector<pv1::Cadre> lecturers,
      personnel_.GetCadres(call, c.lecturer_cadre_ids(), "training_class.lecturer_cadre_ids"));
  for (size_t i = 0; i < lecturers.size(); ++i) {
    if (!personnel::IsSecretary(lecturers[i])) {
      return WithField(
          WithReason(absl::FailedPreconditionError(absl::StrCat(
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

absl::StatusOr<v1::TrainingClass> TrainingService::DoRescheduleSegment(
    CallContext& call, const v1::RescheduleSegmentRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  RETURN_IF_ERROR(ValidateText("reason", r.reason(), 500));
  ASSIGN_OR_RETURN(v1::TrainingClass c, VisibleClass(call, r.class_id(), "class_id"));
  RETURN_IF_ERROR(WithField(call.principal().CheckWrite(c.region_code()), "class_id"));
  RETURN_IF_ERROR(CheckNotCancelled(c, "class_id"));
  RETURN_IF_ERROR(CheckReschedule(c, r.segment_number(), r.start_date(), r.end_date()));
  ASSIGN_OR_RETURN(ResourceId cls, ResourceId::Parse("class_id", c.id()));
  return repo_->RescheduleSegment(call, r, cls);
}

absl::StatusOr<v1::TrainingClass> TrainingService::DoCancelClass(CallContext& call,
                                                                 const v1::CancelClassRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  RETURN_IF_ERROR(ValidateText("reason", r.reason(), 500));
  ASSIGN_OR_RETURN(v1::TrainingClass c, VisibleClass(call, r.id(), "id"));
  RETURN_IF_ERROR(WithField(call.principal().CheckWrite(c.region_code()), "id"));
  ASSIGN_OR_RETURN(ResourceId cls, ResourceId::Parse("id", c.id()));
  return repo_->CancelClass(call, r, cls);
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

TOUYAN_UNARY(TrainingService, Enrol, v1::EnrolRequest, v1::Enrolment)
TOUYAN_UNARY(TrainingService, ListEnrolments, v1::ListEnrolmentsRequest, v1::ListEnrolmentsResponse)
TOUYAN_UNARY(TrainingService, GetEnrolment, v1::GetEnrolmentRequest, v1::Enrolment)
TOUYAN_UNARY(TrainingService, RecordAttendance, v1::RecordAttendanceRequest,
             v1::RecordAttendanceResponse)

absl::StatusOr<v1::Enrolment> TrainingService::DoEnrol(CallContext& call,
                                                       const v1::EnrolRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  RETURN_IF_ERROR(NestField(ValidateTrainee(r.trainee()), "trainee."));
  ASSIGN_OR_RETURN(v1::TrainingClass c, VisibleClass(call, r.class_id(), "class_id"));
  RETURN_IF_ERROR(CheckNotCancelled(c, "class_id"));
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
    return WithReason(
        InvalidField(
            "trainee.region_code",
            absl::StrCat("'", t.region_code(), "' is not in the class's region ", c.region_code())),
        "OUTSIDE_REGION");
  }
  ASSIGN_OR_RETURN(ResourceId cls, ResourceId::Parse("class_id", c.id()));
  ASSIGN_OR_RETURN(v1::EnrolUncoveredResponse out,
                   repo_->Enrol(call, r, r.request_id(), cls, {t}, /*skip_enrolled=*/false));
  if (out.enrolments().empty()) return absl::InternalError("no enrolment was stored");
  return out.enrolments(0);
}

absl::StatusOr<v1::Enrolment> TrainingService::DoGetEnrolment(CallContext& call,
                                                              const v1::GetEnrolmentRequest& r) {
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "id", r.id(), /*write=*/false));
  ASSIGN_OR_RETURN(v1::Enrolment e, repo_->GetEnrolment(call, id));
  RETURN_IF_ERROR(WithField(call.principal().CheckCovers(e.trainee().region_code()), "id"));
  return e;
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

grpc::ServerWriteReactor<files::v1::FileChunk>* TrainingService::ExportClassRoster(
    Ctx* ctx, const v1::ExportClassRosterRequest* req) {
  return FileStream(
      rt_, ctx, req, "ExportClassRoster",
      [this](CallContext& call, const v1::ExportClassRosterRequest& r) -> absl::StatusOr<MadeFile> {
        ASSIGN_OR_RETURN(v1::TrainingClass c, VisibleClass(call, r.class_id(), "class_id"));
        ASSIGN_OR_RETURN(std::string bytes, ClassRoster(call, c));
        return MadeFile{absl::StrCat("class-", c.id(), "-roster.xlsx"), std::move(bytes)};
      });
}

namespace {

const char* TraineeKindLabel(v1::TraineeKind k) {
  switch (k) {
    case v1::TRAINEE_KIND_VILLAGE_SECRETARY:
      return "村党组织书记";
    case v1::TRAINEE_KIND_VILLAGE_CADRE:
      return "村干部";
    case v1::TRAINEE_KIND_WORK_TEAM_CADRE:
      return "驻村干部";
    case v1::TRAINEE_KIND_FARMER_HERDER:
      return "农牧民";
    default:
      return "";
  }
}

const char* AttendanceLabel(v1::AttendanceStatus s) {
  switch (s) {
    case v1::ATTENDANCE_STATUS_PRESENT:
      return "出勤";
    case v1::ATTENDANCE_STATUS_LATE:
      return "迟到";
    case v1::ATTENDANCE_STATUS_EXCUSED:
      return "请假";
    case v1::ATTENDANCE_STATUS_ABSENT:
      return "缺勤";
    default:
      return "";
  }
}

const char* CompletionLabel(v1::Completion c) {
  switch (c) {
    case v1::COMPLETION_IN_PROGRESS:
      return "进行中";
    case v1::COMPLETION_COMPLETED:
      return "已结业";
    case v1::COMPLETION_NOT_COMPLETED:
      return "未结业";
    default:
      return "";
  }
}

std::string DateText(const google::type::Date& d) {
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}

}  // namespace

absl::StatusOr<std::string> TrainingService::ClassRoster(CallContext& call,
                                                         const v1::TrainingClass& c) {
  v1::ListEnrolmentsRequest list;
  list.set_class_id(c.id());
  ASSIGN_OR_RETURN(std::vector<v1::Enrolment> all,
                   AllItems(
                       list, [&](const auto& r) { return DoListEnrolments(call, r); },
                       &v1::ListEnrolmentsResponse::mutable_enrolments));
  ASSIGN_OR_RETURN(ResourceId cls, ResourceId::Parse("class_id", c.id()));
  ASSIGN_OR_RETURN(auto marks, repo_->ClassAttendance(call, cls));

  xlsx::Sheet s{.name = "花名册",
                .headers = {"序号", "姓名", "类别", "所在村（社区）代码", "学员编号"}};
  for (const v1::Segment& seg : c.segments()) {
    s.headers.push_back(absl::StrCat("第", seg.number(), "段 ", seg.title(), "（",
                                     DateText(seg.start_date()), "）"));
  }
  for (const char* h : {"出勤段数", "已记录段数", "结业情况"}) s.headers.push_back(h);
  for (size_t i = 0; i < all.size(); ++i) {
    const v1::Enrolment& e = all[i];
    std::vector<xlsx::Cell> row = {
        xlsx::Cell::Number(static_cast<double>(i + 1)), xlsx::Cell::Text(e.trainee().name()),
        xlsx::Cell::Text(TraineeKindLabel(e.trainee().kind())),
        xlsx::Cell::Text(e.trainee().region_code()), xlsx::Cell::Text(e.id())};
    const auto& mine = marks[e.id()];
    for (const v1::Segment& seg : c.segments()) {
      auto it = mine.find(seg.number());
      row.push_back(it == mine.end() ? xlsx::Cell()
                                     : xlsx::Cell::Text(AttendanceLabel(it->second)));
    }
    row.push_back(xlsx::Cell::Number(e.segments_attended()));
    row.push_back(xlsx::Cell::Number(e.segments_recorded()));
    row.push_back(xlsx::Cell::Text(CompletionLabel(e.completion())));
    s.rows.push_back(std::move(row));
  }
  s.notes = {absl::StrCat("班次：", c.title(), "（", c.id(), "）；主题：", c.theme(), "；年度：",
                          c.year(), "；地点：", c.venue()),
             absl::StrCat("结业标准：出勤（含迟到）不少于全部课段的 ",
                          c.completion_min_percent() > 0 ? c.completion_min_percent() : 80, "%。"),
             absl::StrCat("共 ", all.size(), " 名学员。")};
  return xlsx::Workbook({s});
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
  RETURN_IF_ERROR(CheckNotCancelled(c, "class_id"));
  if (r.segment_number() < 1 || r.segment_number() > c.segments_size()) {
    return InvalidField("segment_number",
                        absl::StrCat("class ", c.id(), " has segments 1 to ", c.segments_size()));
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

// ---------------------------------------------------------------- coverage

TOUYAN_UNARY(TrainingService, GetCoverage, v1::GetCoverageRequest, v1::Coverage)
TOUYAN_UNARY(TrainingService, ListUncovered, v1::ListUncoveredRequest, v1::ListUncoveredResponse)
TOUYAN_UNARY(TrainingService, EnrolUncovered, v1::EnrolUncoveredRequest, v1::EnrolUncoveredResponse)
TOUYAN_UNARY(TrainingService, GetStatistics, v1::GetStatisticsRequest, v1::Statistics)

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
    return WithReason(
        InvalidField("class_id", absl::StrCat("class ", c.id(),
                                              " is not a township catch-up class (tier TOWNSHIP)")),
        "NOT_TOWNSHIP_CLASS");
  }
  RETURN_IF_ERROR(WithField(call.principal().CheckWrite(c.region_code()), "class_id"));
  RETURN_IF_ERROR(CheckNotCancelled(c, "class_id"));
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
  ASSIGN_OR_RETURN(std::string prefix,
                   ListPrefix(call.principal(), r.region_code(), "region_code"));
  return repo_->Statistics(call, prefix, r.year());
}

}  // namespace touyan::training
