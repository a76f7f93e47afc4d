// TrainingRepository on Postgres (schema "training"): prepared statements,
// row-level security by county, audit in the same transaction.
#ifndef TOUYAN_SERVICES_TRAINING_PG_TRAINING_REPOSITORY_H_
#define TOUYAN_SERVICES_TRAINING_PG_TRAINING_REPOSITORY_H_

#include <vector>

#include "common/db/pool.h"
#include "services/training/training_repository.h"

namespace touyan::training {

class PgTrainingRepository final : public TrainingRepository {
 public:
  static std::vector<db::Statement> Statements();

  absl::StatusOr<v1::TrainingClass> CreateClass(CallContext& call,
                                                const v1::CreateClassRequest& request,
                                                const v1::TrainingClass& c) override;
  absl::StatusOr<v1::TrainingClass> GetClass(CallContext& call, const ResourceId& id) override;
  absl::StatusOr<v1::TrainingClass> RescheduleSegment(CallContext& call,
                                                      const v1::RescheduleSegmentRequest& request,
                                                      const ResourceId& id) override;
  absl::StatusOr<v1::TrainingClass> CancelClass(CallContext& call,
                                                const v1::CancelClassRequest& request,
                                                const ResourceId& id) override;
  absl::StatusOr<PageOf<v1::TrainingClass>> ListClasses(CallContext& call, const ClassQuery& q,
                                                        const paging::Page& page) override;
  absl::StatusOr<v1::Enrolment> GetEnrolment(CallContext& call, const ResourceId& id) override;
  absl::StatusOr<v1::EnrolUncoveredResponse> Enrol(
      CallContext& call, const google::protobuf::Message& request, const std::string& request_id,
      const ResourceId& cls, const std::vector<v1::Trainee>& trainees, bool skip_enrolled) override;
  absl::StatusOr<std::map<std::string, std::map<int, v1::AttendanceStatus>>> ClassAttendance(
      CallContext& call, const ResourceId& cls) override;
  absl::StatusOr<PageOf<v1::Enrolment>> ListEnrolments(CallContext& call, const ResourceId& cls,
                                                       const paging::Page& page) override;
  absl::StatusOr<v1::RecordAttendanceResponse> RecordAttendance(
      CallContext& call, const v1::RecordAttendanceRequest& request,
      const v1::TrainingClass& c) override;
  absl::StatusOr<absl::flat_hash_set<std::string>> CompletedCadres(
      CallContext& call, const std::string& region_prefix, int year,
      const std::string& theme) override;
  absl::StatusOr<std::vector<std::string>> Themes(CallContext& call,
                                                  const std::string& region_prefix,
                                                  int year) override;
  absl::StatusOr<v1::Statistics> Statistics(CallContext& call, const std::string& region_prefix,
                                            int year) override;

  absl::StatusOr<v1::FieldVisit> CreateFieldVisit(CallContext& call,
                                                  const v1::CreateFieldVisitRequest& request,
                                                  const v1::FieldVisit& v) override;
  absl::StatusOr<PageOf<v1::FieldVisit>> ListFieldVisits(CallContext& call,
                                                         const std::string& region_prefix, int year,
                                                         const paging::Page& page) override;
  absl::StatusOr<v1::ExpertVisit> CreateExpertVisit(CallContext& call,
                                                    const v1::CreateExpertVisitRequest& request,
                                                    const v1::ExpertVisit& v) override;
  absl::StatusOr<PageOf<v1::ExpertVisit>> ListExpertVisits(CallContext& call,
                                                           const std::string& region_prefix,
                                                           int year, int topic,
                                                           const paging::Page& page) override;

  absl::StatusOr<v1::PracticeTask> CreatePracticeTask(CallContext& call,
                                                      const v1::CreatePracticeTaskRequest& request,
                                                      const v1::PracticeTask& t) override;
  absl::StatusOr<v1::PracticeTask> UpdatePracticeTask(
      CallContext& call, const v1::UpdatePracticeTaskRequest& request, const ResourceId& id,
      const std::function<absl::Status(v1::PracticeTask&)>& apply) override;
  absl::StatusOr<v1::PracticeTask> PublishPracticeTask(
      CallContext& call, const v1::PublishPracticeTaskRequest& request,
      const ResourceId& id) override;
  absl::StatusOr<v1::PracticeTask> GetPracticeTask(CallContext& call,
                                                   const ResourceId& id) override;
  absl::StatusOr<PageOf<v1::PracticeTask>> ListPracticeTasks(CallContext& call, const TaskQuery& q,
                                                             const paging::Page& page) override;
  absl::StatusOr<v1::PracticeProgressReport> ReportProgress(
      CallContext& call, const v1::ReportPracticeProgressRequest& request,
      const ResourceId& task) override;
  absl::StatusOr<v1::PracticeTaskProgress> GetProgress(CallContext& call,
                                                       const ResourceId& task) override;
  absl::StatusOr<v1::FieldVisit> GetFieldVisit(CallContext& call, const ResourceId& id) override;
  absl::StatusOr<v1::ExpertVisit> GetExpertVisit(CallContext& call, const ResourceId& id) override;
  absl::StatusOr<v1::PracticeProgressReport> GetProgressReport(CallContext& call,
                                                               const ResourceId& id) override;
  absl::StatusOr<PageOf<v1::PracticeProgressReport>> ListProgressReports(
      CallContext& call, const ResourceId& task, const std::string& village_code,
      const paging::Page& page) override;
};

// Shared by the repository's files.
std::vector<db::Statement> ClassStatements();  // pg_classes.cc
std::vector<db::Statement> FieldStatements();  // pg_field.cc

}  // namespace touyan::training

#endif  // TOUYAN_SERVICES_TRAINING_PG_TRAINING_REPOSITORY_H_
