// Storage for training. Implementations run in the caller's CallContext
// (row-level security scope, deadline); mutations are idempotent through
// CallContext::Mutate. Checks that need no data (and the calls to personnel)
// happen before, in the adapter.
#ifndef TOUYAN_SERVICES_TRAINING_TRAINING_REPOSITORY_H_
#define TOUYAN_SERVICES_TRAINING_TRAINING_REPOSITORY_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "common/call/call_context.h"
#include "common/db/rows.h"
#include "common/ids/resource_id.h"
#include "common/paging/page_token.h"
#include "touyan/training/v1/training.pb.h"

namespace touyan::training {

struct ClassQuery {
  std::string region_prefix;
  int tier = 0;
  int year = 0;
  std::string theme;
};

struct TaskQuery {
  std::string region_prefix;  // issuing region within
  bool with_public = false;   // also every published task, wherever
  int year = 0;
  int status = 0;
};

class TrainingRepository {
 public:
  virtual ~TrainingRepository() = default;

  virtual absl::StatusOr<v1::TrainingClass> CreateClass(CallContext& call,
                                                        const v1::CreateClassRequest& request,
                                                        const v1::TrainingClass& c) = 0;
  virtual absl::StatusOr<v1::TrainingClass> GetClass(CallContext& call, const ResourceId& id) = 0;
  // Corrections of class `id` (checked by the caller: scope, dates, order),
  // applied only if its etag is the one in the request (or none was sent) and
  // no attendance is recorded for what they change (ATTENDANCE_RECORDED).
  virtual absl::StatusOr<v1::TrainingClass> RescheduleSegment(
      CallContext& call, const v1::RescheduleSegmentRequest& request, const ResourceId& id) = 0;
  // A class already cancelled is returned as it is.
  virtual absl::StatusOr<v1::TrainingClass> CancelClass(CallContext& call,
                                                        const v1::CancelClassRequest& request,
                                                        const ResourceId& id) = 0;
  virtual absl::StatusOr<PageOf<v1::TrainingClass>> ListClasses(CallContext& call,
                                                                const ClassQuery& q,
                                                                const paging::Page& page) = 0;

  // Enrols `trainees` (complete: name and region filled) into class `cls`,
  // all or none: FAILED_PRECONDITION CLASS_FULL without the seats,
  // ALREADY_EXISTS ALREADY_ENROLLED for a person enrolled already (skipped
  // instead with `skip_enrolled`).
  // Enrolment `id` (keyed by its trainee's county); NOT_FOUND naming "id".
  virtual absl::StatusOr<v1::Enrolment> GetEnrolment(CallContext& call, const ResourceId& id) = 0;
  virtual absl::StatusOr<v1::EnrolUncoveredResponse> Enrol(
      CallContext& call, const google::protobuf::Message& request, const std::string& request_id,
      const ResourceId& cls, const std::vector<v1::Trainee>& trainees, bool skip_enrolled) = 0;
  virtual absl::StatusOr<PageOf<v1::Enrolment>> ListEnrolments(CallContext& call,
                                                               const ResourceId& cls,
                                                               const paging::Page& page) = 0;
  // Each enrolment's attendance in class `cls` that the caller may see:
  // enrolment id → segment number → status.
  virtual absl::StatusOr<std::map<std::string, std::map<int, v1::AttendanceStatus>>>
  ClassAttendance(CallContext& call, const ResourceId& cls) = 0;
  // Stores the marks of one (started) segment of `c` and recomputes each
  // enrolment's completion.
  virtual absl::StatusOr<v1::RecordAttendanceResponse> RecordAttendance(
      CallContext& call, const v1::RecordAttendanceRequest& request,
      const v1::TrainingClass& c) = 0;

  // Cadre ids with a completed enrolment in a class of `year` and `theme`
  // whose trainee lies under `region_prefix`.
  virtual absl::StatusOr<absl::flat_hash_set<std::string>> CompletedCadres(
      CallContext& call, const std::string& region_prefix, int year, const std::string& theme) = 0;
  // The themes of the year's classes in (or above) `region_prefix`.
  virtual absl::StatusOr<std::vector<std::string>> Themes(CallContext& call,
                                                          const std::string& region_prefix,
                                                          int year) = 0;
  virtual absl::StatusOr<v1::Statistics> Statistics(CallContext& call,
                                                    const std::string& region_prefix, int year) = 0;

  virtual absl::StatusOr<v1::FieldVisit> CreateFieldVisit(
      CallContext& call, const v1::CreateFieldVisitRequest& request, const v1::FieldVisit& v) = 0;
  virtual absl::StatusOr<PageOf<v1::FieldVisit>> ListFieldVisits(CallContext& call,
                                                                 const std::string& region_prefix,
                                                                 int year,
                                                                 const paging::Page& page) = 0;
  virtual absl::StatusOr<v1::ExpertVisit> CreateExpertVisit(
      CallContext& call, const v1::CreateExpertVisitRequest& request, const v1::ExpertVisit& v) = 0;
  virtual absl::StatusOr<PageOf<v1::ExpertVisit>> ListExpertVisits(CallContext& call,
                                                                   const std::string& region_prefix,
                                                                   int year, int topic,
                                                                   const paging::Page& page) = 0;

  virtual absl::StatusOr<v1::PracticeTask> CreatePracticeTask(
      CallContext& call, const v1::CreatePracticeTaskRequest& request,
      const v1::PracticeTask& t) = 0;
  // Applies `apply` to a draft; FAILED_PRECONDITION TASK_PUBLISHED otherwise.
  virtual absl::StatusOr<v1::PracticeTask> UpdatePracticeTask(
      CallContext& call, const v1::UpdatePracticeTaskRequest& request, const ResourceId& id,
      const std::function<absl::Status(v1::PracticeTask&)>& apply) = 0;
  virtual absl::StatusOr<v1::PracticeTask> PublishPracticeTask(
      CallContext& call, const v1::PublishPracticeTaskRequest& request, const ResourceId& id) = 0;
  virtual absl::StatusOr<v1::PracticeTask> GetPracticeTask(CallContext& call,
                                                           const ResourceId& id) = 0;
  virtual absl::StatusOr<PageOf<v1::PracticeTask>> ListPracticeTasks(CallContext& call,
                                                                     const TaskQuery& q,
                                                                     const paging::Page& page) = 0;
  virtual absl::StatusOr<v1::PracticeProgressReport> ReportProgress(
      CallContext& call, const v1::ReportPracticeProgressRequest& request,
      const ResourceId& task) = 0;
  virtual absl::StatusOr<v1::PracticeTaskProgress> GetProgress(CallContext& call,
                                                               const ResourceId& task) = 0;
  // One field visit, expert visit or progress report as row-level security
  // lets the caller see it; NOT_FOUND naming "id".
  virtual absl::StatusOr<v1::FieldVisit> GetFieldVisit(CallContext& call, const ResourceId& id) = 0;
  virtual absl::StatusOr<v1::ExpertVisit> GetExpertVisit(CallContext& call,
                                                         const ResourceId& id) = 0;
  virtual absl::StatusOr<v1::PracticeProgressReport> GetProgressReport(CallContext& call,
                                                                       const ResourceId& id) = 0;
  // A task's reports (of `village_code`, "" = all), in the order recorded.
  virtual absl::StatusOr<PageOf<v1::PracticeProgressReport>> ListProgressReports(
      CallContext& call, const ResourceId& task, const std::string& village_code,
      const paging::Page& page) = 0;
};

}  // namespace touyan::training

#endif  // TOUYAN_SERVICES_TRAINING_TRAINING_REPOSITORY_H_
