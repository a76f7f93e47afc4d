// The gRPC adapter of touyan.training.v1: checks requests and the caller's
// scope, asks personnel who and where (PersonnelClient), calls the domain
// rules and the repository, shapes responses.
#ifndef TOUYAN_SERVICES_TRAINING_TRAINING_SERVICE_H_
#define TOUYAN_SERVICES_TRAINING_TRAINING_SERVICE_H_

#include <memory>

#include "common/grpc/runtime.h"
#include "common/grpc/server.h"
#include "services/personnel/client/personnel_client.h"
#include "services/training/domain/coverage.h"
#include "services/training/training_repository.h"
#include "touyan/training/v1/training.grpc.pb.h"

namespace touyan::training {

class TrainingService final : public v1::TrainingService::CallbackService, public GaugeSource {
 public:
  TrainingService(Runtime& rt, std::unique_ptr<TrainingRepository> repo)
      : rt_(rt), repo_(std::move(repo)), personnel_(rt.downstream("personnel")) {}

  using Ctx = grpc::CallbackServerContext;
  grpc::ServerUnaryReactor* CreateClass(Ctx*, const v1::CreateClassRequest*,
                                        v1::TrainingClass*) override;
  grpc::ServerUnaryReactor* GetClass(Ctx*, const v1::GetClassRequest*, v1::TrainingClass*) override;
  grpc::ServerUnaryReactor* RescheduleSegment(Ctx*, const v1::RescheduleSegmentRequest*,
                                              v1::TrainingClass*) override;
  grpc::ServerUnaryReactor* CancelClass(Ctx*, const v1::CancelClassRequest*,
                                        v1::TrainingClass*) override;
  grpc::ServerUnaryReactor* ListClasses(Ctx*, const v1::ListClassesRequest*,
                                        v1::ListClassesResponse*) override;
  grpc::ServerUnaryReactor* GetEnrolment(Ctx*, const v1::GetEnrolmentRequest*,
                                         v1::Enrolment*) override;
  grpc::ServerUnaryReactor* Enrol(Ctx*, const v1::EnrolRequest*, v1::Enrolment*) override;
  grpc::ServerUnaryReactor* ListEnrolments(Ctx*, const v1::ListEnrolmentsRequest*,
                                           v1::ListEnrolmentsResponse*) override;
  grpc::ServerWriteReactor<files::v1::FileChunk>* PrintPracticeTaskNotice(
      Ctx*, const v1::PrintPracticeTaskNoticeRequest*) override;
  grpc::ServerWriteReactor<files::v1::FileChunk>* ExportClassRoster(
      Ctx*, const v1::ExportClassRosterRequest*) override;
  grpc::ServerUnaryReactor* RecordAttendance(Ctx*, const v1::RecordAttendanceRequest*,
                                             v1::RecordAttendanceResponse*) override;
  grpc::ServerUnaryReactor* GetCoverage(Ctx*, const v1::GetCoverageRequest*,
                                        v1::Coverage*) override;
  grpc::ServerUnaryReactor* ListUncovered(Ctx*, const v1::ListUncoveredRequest*,
                                          v1::ListUncoveredResponse*) override;
  grpc::ServerUnaryReactor* EnrolUncovered(Ctx*, const v1::EnrolUncoveredRequest*,
                                           v1::EnrolUncoveredResponse*) override;
  grpc::ServerUnaryReactor* GetStatistics(Ctx*, const v1::GetStatisticsRequest*,
                                          v1::Statistics*) override;
  grpc::ServerUnaryReactor* CreateFieldVisit(Ctx*, const v1::CreateFieldVisitRequest*,
                                             v1::FieldVisit*) override;
  grpc::ServerUnaryReactor* ListFieldVisits(Ctx*, const v1::ListFieldVisitsRequest*,
                                            v1::ListFieldVisitsResponse*) override;
  grpc::ServerUnaryReactor* CreateExpertVisit(Ctx*, const v1::CreateExpertVisitRequest*,
                                              v1::ExpertVisit*) override;
  grpc::ServerUnaryReactor* ListExpertVisits(Ctx*, const v1::ListExpertVisitsRequest*,
                                             v1::ListExpertVisitsResponse*) override;
  grpc::ServerUnaryReactor* GetFieldVisit(Ctx*, const v1::GetFieldVisitRequest*,
                                          v1::FieldVisit*) override;
  grpc::ServerUnaryReactor* GetExpertVisit(Ctx*, const v1::GetExpertVisitRequest*,
                                           v1::ExpertVisit*) override;
  grpc::ServerUnaryReactor* GetPracticeProgressReport(Ctx*,
                                                      const v1::GetPracticeProgressReportRequest*,
                                                      v1::PracticeProgressReport*) override;
  grpc::ServerUnaryReactor* ListPracticeProgressReports(
      Ctx*, const v1::ListPracticeProgressReportsRequest*,
      v1::ListPracticeProgressReportsResponse*) override;
  grpc::ServerUnaryReactor* CreatePracticeTask(Ctx*, const v1::CreatePracticeTaskRequest*,
                                               v1::PracticeTask*) override;
  grpc::ServerUnaryReactor* UpdatePracticeTask(Ctx*, const v1::UpdatePracticeTaskRequest*,
                                               v1::PracticeTask*) override;
  grpc::ServerUnaryReactor* PublishPracticeTask(Ctx*, const v1::PublishPracticeTaskRequest*,
                                                v1::PracticeTask*) override;
  grpc::ServerUnaryReactor* GetPracticeTask(Ctx*, const v1::GetPracticeTaskRequest*,
                                            v1::PracticeTask*) override;
  grpc::ServerUnaryReactor* ListPracticeTasks(Ctx*, const v1::ListPracticeTasksRequest*,
                                              v1::ListPracticeTasksResponse*) override;
  grpc::ServerUnaryReactor* ReportPracticeProgress(Ctx*, const v1::ReportPracticeProgressRequest*,
                                                   v1::PracticeProgressReport*) override;
  grpc::ServerUnaryReactor* GetPracticeTaskProgress(Ctx*, const v1::GetPracticeTaskProgressRequest*,
                                                    v1::PracticeTaskProgress*) override;

  // touyan_training_coverage_ratio{theme} and
  // touyan_training_secretaries_uncovered{theme}: this year's coverage of
  // each theme of this year's classes, over the deployment's scope.
  absl::Status RefreshGauges(CallContext& call) override;

 private:
  absl::StatusOr<v1::TrainingClass> DoCreateClass(CallContext& call,
                                                  const v1::CreateClassRequest& r);
  absl::StatusOr<v1::TrainingClass> DoGetClass(CallContext& call, const v1::GetClassRequest& r);
  absl::StatusOr<v1::TrainingClass> DoRescheduleSegment(CallContext& call,
                                                        const v1::RescheduleSegmentRequest& r);
  absl::StatusOr<v1::TrainingClass> DoCancelClass(CallContext& call,
                                                  const v1::CancelClassRequest& r);
  absl::StatusOr<v1::ListClassesResponse> DoListClasses(CallContext& call,
                                                        const v1::ListClassesRequest& r);
  absl::StatusOr<v1::Enrolment> DoGetEnrolment(CallContext& call, const v1::GetEnrolmentRequest& r);
  absl::StatusOr<v1::Enrolment> DoEnrol(CallContext& call, const v1::EnrolRequest& r);
  absl::StatusOr<v1::ListEnrolmentsResponse> DoListEnrolments(CallContext& call,
                                                              const v1::ListEnrolmentsRequest& r);
  // The PDF of PrintPracticeTaskNotice.
  absl::StatusOr<std::string> PracticeTaskNotice(CallContext& call,
                                                 const v1::PrintPracticeTaskNoticeRequest& r);
  // The roster workbook of ExportClassRoster.
  absl::StatusOr<std::string> ClassRoster(CallContext& call, const v1::TrainingClass& c);
  absl::StatusOr<v1::RecordAttendanceResponse> DoRecordAttendance(
      CallContext& call, const v1::RecordAttendanceRequest& r);
  absl::StatusOr<v1::Coverage> DoGetCoverage(CallContext& call, const v1::GetCoverageRequest& r);
  absl::StatusOr<v1::ListUncoveredResponse> DoListUncovered(CallContext& call,
                                                            const v1::ListUncoveredRequest& r);
  absl::StatusOr<v1::EnrolUncoveredResponse> DoEnrolUncovered(CallContext& call,
                                                              const v1::EnrolUncoveredRequest& r);
  absl::StatusOr<v1::Statistics> DoGetStatistics(CallContext& call,
                                                 const v1::GetStatisticsRequest& r);
  absl::StatusOr<v1::FieldVisit> DoCreateFieldVisit(CallContext& call,
                                                    const v1::CreateFieldVisitRequest& r);
  absl::StatusOr<v1::ListFieldVisitsResponse> DoListFieldVisits(
      CallContext& call, const v1::ListFieldVisitsRequest& r);
  absl::StatusOr<v1::ExpertVisit> DoCreateExpertVisit(CallContext& call,
                                                      const v1::CreateExpertVisitRequest& r);
  absl::StatusOr<v1::ListExpertVisitsResponse> DoListExpertVisits(
      CallContext& call, const v1::ListExpertVisitsRequest& r);
  absl::StatusOr<v1::FieldVisit> DoGetFieldVisit(CallContext& call,
                                                 const v1::GetFieldVisitRequest& r);
  absl::StatusOr<v1::ExpertVisit> DoGetExpertVisit(CallContext& call,
                                                   const v1::GetExpertVisitRequest& r);
  absl::StatusOr<v1::PracticeProgressReport> DoGetPracticeProgressReport(
      CallContext& call, const v1::GetPracticeProgressReportRequest& r);
  absl::StatusOr<v1::ListPracticeProgressReportsResponse> DoListPracticeProgressReports(
      CallContext& call, const v1::ListPracticeProgressReportsRequest& r);
  absl::StatusOr<v1::PracticeTask> DoCreatePracticeTask(CallContext& call,
                                                        const v1::CreatePracticeTaskRequest& r);
  absl::StatusOr<v1::PracticeTask> DoUpdatePracticeTask(CallContext& call,
                                                        const v1::UpdatePracticeTaskRequest& r);
  absl::StatusOr<v1::PracticeTask> DoPublishPracticeTask(CallContext& call,
                                                         const v1::PublishPracticeTaskRequest& r);
  absl::StatusOr<v1::PracticeTask> DoGetPracticeTask(CallContext& call,
                                                     const v1::GetPracticeTaskRequest& r);
  absl::StatusOr<v1::ListPracticeTasksResponse> DoListPracticeTasks(
      CallContext& call, const v1::ListPracticeTasksRequest& r);
  absl::StatusOr<v1::PracticeProgressReport> DoReportPracticeProgress(
      CallContext& call, const v1::ReportPracticeProgressRequest& r);
  absl::StatusOr<v1::PracticeTaskProgress> DoGetPracticeTaskProgress(
      CallContext& call, const v1::GetPracticeTaskProgressRequest& r);

  // Coverage of `region_code` for a year and theme (personnel's secretaries
  // against completed enrolments).
  absl::StatusOr<CoverageResult> Cover(CallContext& call, const std::string& region_code, int year,
                                       const std::string& theme);
  // A class the caller may see: NOT_FOUND, or PERMISSION_DENIED for another
  // county's, naming `field`.
  absl::StatusOr<v1::TrainingClass> VisibleClass(CallContext& call, const std::string& id,
                                                 absl::string_view field);

  Runtime& rt_;
  std::unique_ptr<TrainingRepository> repo_;
  personnel::PersonnelClient personnel_;
};

}  // namespace touyan::training

#endif  // TOUYAN_SERVICES_TRAINING_TRAINING_SERVICE_H_
