// The gRPC adapter of touyan.personnel.v1: checks the request and the
// caller's scope, calls the repository, shapes the response (masking
// resident IDs the caller may not see).
#ifndef TOUYAN_SERVICES_PERSONNEL_PERSONNEL_SERVICE_H_
#define TOUYAN_SERVICES_PERSONNEL_PERSONNEL_SERVICE_H_

#include <memory>

#include "common/grpc/runtime.h"
#include "common/grpc/server.h"
#include "services/personnel/personnel_repository.h"
#include "touyan/personnel/v1/personnel.grpc.pb.h"

namespace touyan::personnel {

// A person (a cadre, a seed's or a returnee's person) as the caller may see
// it: the resident ID masked for those who do not manage cadres. What is
// shown unmasked — the resident ID, the phone number — is recorded as an
// access to `resource` ("seeds/150929-1") of `county`.
void ShowPerson(CallContext& call, v1::Cadre& person, const std::string& county,
                const std::string& resource);

class PersonnelService final : public v1::PersonnelService::CallbackService, public GaugeSource {
 public:
  PersonnelService(Runtime& rt, std::unique_ptr<PersonnelRepository> repo)
      : rt_(rt), repo_(std::move(repo)) {}

  using Ctx = grpc::CallbackServerContext;
  grpc::ServerUnaryReactor* GetRegion(Ctx*, const v1::GetRegionRequest*, v1::Region*) override;
  grpc::ServerUnaryReactor* ListRegions(Ctx*, const v1::ListRegionsRequest*,
                                        v1::ListRegionsResponse*) override;
  grpc::ServerUnaryReactor* GetRegionAncestors(Ctx*, const v1::GetRegionAncestorsRequest*,
                                               v1::GetRegionAncestorsResponse*) override;
  grpc::ServerReadReactor<v1::ImportRegionsRequest>* ImportRegions(
      Ctx*, v1::ImportRegionsResponse*) override;

  grpc::ServerUnaryReactor* CreatePartyOrg(Ctx*, const v1::CreatePartyOrgRequest*,
                                           v1::PartyOrg*) override;
  grpc::ServerUnaryReactor* GetPartyOrg(Ctx*, const v1::GetPartyOrgRequest*,
                                        v1::PartyOrg*) override;
  grpc::ServerUnaryReactor* UpdatePartyOrg(Ctx*, const v1::UpdatePartyOrgRequest*,
                                           v1::PartyOrg*) override;
  grpc::ServerUnaryReactor* ListPartyOrgs(Ctx*, const v1::ListPartyOrgsRequest*,
                                          v1::ListPartyOrgsResponse*) override;

  grpc::ServerUnaryReactor* CreateCadre(Ctx*, const v1::CreateCadreRequest*, v1::Cadre*) override;
  grpc::ServerUnaryReactor* GetCadre(Ctx*, const v1::GetCadreRequest*, v1::Cadre*) override;
  grpc::ServerUnaryReactor* UpdateCadre(Ctx*, const v1::UpdateCadreRequest*, v1::Cadre*) override;
  grpc::ServerUnaryReactor* TransferCadre(Ctx*, const v1::TransferCadreRequest*,
                                          v1::Cadre*) override;
  grpc::ServerUnaryReactor* ListCadres(Ctx*, const v1::ListCadresRequest*,
                                       v1::ListCadresResponse*) override;
  grpc::ServerUnaryReactor* BatchGetCadres(Ctx*, const v1::BatchGetCadresRequest*,
                                           v1::BatchGetCadresResponse*) override;
  grpc::ServerUnaryReactor* ListSecretaries(Ctx*, const v1::ListSecretariesRequest*,
                                            v1::ListSecretariesResponse*) override;
  grpc::ServerReadReactor<v1::ImportCadresRequest>* ImportCadres(
      Ctx*, v1::ImportCadresResponse*) override;

  grpc::ServerUnaryReactor* CreatePosition(Ctx*, const v1::CreatePositionRequest*,
                                           v1::Position*) override;
  grpc::ServerUnaryReactor* ListPositions(Ctx*, const v1::ListPositionsRequest*,
                                          v1::ListPositionsResponse*) override;
  grpc::ServerUnaryReactor* EndPosition(Ctx*, const v1::EndPositionRequest*,
                                        v1::Position*) override;
  grpc::ServerUnaryReactor* ReplaceSecretary(Ctx*, const v1::ReplaceSecretaryRequest*,
                                             v1::ReplaceSecretaryResponse*) override;
  grpc::ServerUnaryReactor* CountAdjustments(Ctx*, const v1::CountAdjustmentsRequest*,
                                             v1::CountAdjustmentsResponse*) override;
  grpc::ServerUnaryReactor* ListVacancies(Ctx*, const v1::ListVacanciesRequest*,
                                          v1::ListVacanciesResponse*) override;

  grpc::ServerUnaryReactor* AddDesignation(Ctx*, const v1::AddDesignationRequest*,
                                           v1::Designation*) override;
  grpc::ServerUnaryReactor* ListDesignations(Ctx*, const v1::ListDesignationsRequest*,
                                             v1::ListDesignationsResponse*) override;
  grpc::ServerUnaryReactor* AssignInstructor(Ctx*, const v1::AssignInstructorRequest*,
                                             v1::Designation*) override;
  grpc::ServerUnaryReactor* CloseRectification(Ctx*, const v1::CloseRectificationRequest*,
                                               v1::Designation*) override;
  grpc::ServerUnaryReactor* RevokeDesignation(Ctx*, const v1::RevokeDesignationRequest*,
                                              v1::Designation*) override;
  grpc::ServerUnaryReactor* RecordSupport(Ctx*, const v1::RecordSupportRequest*,
                                          v1::SupportEntry*) override;
  grpc::ServerUnaryReactor* ListSupport(Ctx*, const v1::ListSupportRequest*,
                                        v1::ListSupportResponse*) override;

  grpc::ServerUnaryReactor* RecordEvaluation(Ctx*, const v1::RecordEvaluationRequest*,
                                             v1::Evaluation*) override;
  grpc::ServerUnaryReactor* SetProfileThresholds(Ctx*, const v1::SetProfileThresholdsRequest*,
                                                 v1::ProfileThresholds*) override;
  grpc::ServerUnaryReactor* GetProfileThresholds(Ctx*, const v1::GetProfileThresholdsRequest*,
                                                 v1::ProfileThresholds*) override;
  grpc::ServerUnaryReactor* GetProfile(Ctx*, const v1::GetProfileRequest*, v1::Profile*) override;
  grpc::ServerUnaryReactor* SearchCadres(Ctx*, const v1::SearchCadresRequest*,
                                         v1::SearchCadresResponse*) override;
  grpc::ServerUnaryReactor* CreateSelectionRound(Ctx*, const v1::CreateSelectionRoundRequest*,
                                                 v1::SelectionRound*) override;
  grpc::ServerUnaryReactor* GetSelectionRound(Ctx*, const v1::GetSelectionRoundRequest*,
                                              v1::SelectionRound*) override;
  grpc::ServerUnaryReactor* NominateGoodSecretary(Ctx*, const v1::NominateGoodSecretaryRequest*,
                                                  v1::Nomination*) override;
  grpc::ServerUnaryReactor* ConfirmGoodSecretary(Ctx*, const v1::ConfirmGoodSecretaryRequest*,
                                                 v1::Nomination*) override;
  grpc::ServerUnaryReactor* GetNomination(Ctx*, const v1::GetNominationRequest*,
                                          v1::Nomination*) override;
  grpc::ServerUnaryReactor* WithdrawGoodSecretary(Ctx*, const v1::WithdrawGoodSecretaryRequest*,
                                                  v1::Nomination*) override;
  grpc::ServerUnaryReactor* ListGoodSecretaries(Ctx*, const v1::ListGoodSecretariesRequest*,
                                                v1::ListGoodSecretariesResponse*) override;

  grpc::ServerUnaryReactor* NominateSeed(Ctx*, const v1::NominateSeedRequest*, v1::Seed*) override;
  grpc::ServerUnaryReactor* SelectSeed(Ctx*, const v1::SelectSeedRequest*, v1::Seed*) override;
  grpc::ServerUnaryReactor* ExamineSeed(Ctx*, const v1::ExamineSeedRequest*, v1::Seed*) override;
  grpc::ServerUnaryReactor* ListSeeds(Ctx*, const v1::ListSeedsRequest*,
                                      v1::ListSeedsResponse*) override;
  grpc::ServerWriteReactor<files::v1::FileChunk>* PrintGoodSecretaryNotice(
      Ctx*, const v1::PrintGoodSecretaryNoticeRequest*) override;
  grpc::ServerWriteReactor<files::v1::FileChunk>* ExportSeeds(
      Ctx*, const v1::ExportSeedsRequest*) override;
  grpc::ServerUnaryReactor* SeedCoverage(Ctx*, const v1::SeedCoverageRequest*,
                                         v1::SeedCoverageResponse*) override;
  grpc::ServerUnaryReactor* CreateReturnee(Ctx*, const v1::CreateReturneeRequest*,
                                           v1::Returnee*) override;
  grpc::ServerUnaryReactor* ListReturnees(Ctx*, const v1::ListReturneesRequest*,
                                          v1::ListReturneesResponse*) override;
  grpc::ServerUnaryReactor* GetPosition(Ctx*, const v1::GetPositionRequest*,
                                        v1::Position*) override;
  grpc::ServerUnaryReactor* GetDesignation(Ctx*, const v1::GetDesignationRequest*,
                                           v1::Designation*) override;
  grpc::ServerUnaryReactor* GetSupportEntry(Ctx*, const v1::GetSupportEntryRequest*,
                                            v1::SupportEntry*) override;
  grpc::ServerUnaryReactor* GetEvaluation(Ctx*, const v1::GetEvaluationRequest*,
                                          v1::Evaluation*) override;
  grpc::ServerUnaryReactor* ListEvaluations(Ctx*, const v1::ListEvaluationsRequest*,
                                            v1::ListEvaluationsResponse*) override;
  grpc::ServerUnaryReactor* ListSelectionRounds(Ctx*, const v1::ListSelectionRoundsRequest*,
                                                v1::ListSelectionRoundsResponse*) override;
  grpc::ServerUnaryReactor* GetSeed(Ctx*, const v1::GetSeedRequest*, v1::Seed*) override;
  grpc::ServerUnaryReactor* GetReturnee(Ctx*, const v1::GetReturneeRequest*,
                                        v1::Returnee*) override;
  grpc::ServerUnaryReactor* ReturneeStatistics(Ctx*, const v1::ReturneeStatisticsRequest*,
                                               v1::ReturneeStatisticsResponse*) override;
  grpc::ServerUnaryReactor* Appoint(Ctx*, const v1::AppointRequest*, v1::AppointResponse*) override;

  // touyan_personnel_villages, touyan_personnel_villages_below_seed_target,
  // touyan_personnel_current_secretaries: of the deployment's scope.
  absl::Status RefreshGauges(CallContext& call) override;

 private:
  absl::StatusOr<v1::Region> DoGetRegion(CallContext& call, const v1::GetRegionRequest& r);
  absl::StatusOr<v1::ListRegionsResponse> DoListRegions(CallContext& call,
                                                        const v1::ListRegionsRequest& r);
  absl::StatusOr<v1::GetRegionAncestorsResponse> DoGetRegionAncestors(
      CallContext& call, const v1::GetRegionAncestorsRequest& r);
  absl::StatusOr<v1::PartyOrg> DoCreatePartyOrg(CallContext& call,
                                                const v1::CreatePartyOrgRequest& r);
  absl::StatusOr<v1::PartyOrg> DoGetPartyOrg(CallContext& call, const v1::GetPartyOrgRequest& r);
  absl::StatusOr<v1::PartyOrg> DoUpdatePartyOrg(CallContext& call,
                                                const v1::UpdatePartyOrgRequest& r);
  absl::StatusOr<v1::ListPartyOrgsResponse> DoListPartyOrgs(CallContext& call,
                                                            const v1::ListPartyOrgsRequest& r);
  absl::StatusOr<v1::Cadre> DoCreateCadre(CallContext& call, const v1::CreateCadreRequest& r);
  absl::StatusOr<v1::Cadre> DoGetCadre(CallContext& call, const v1::GetCadreRequest& r);
  absl::StatusOr<v1::Cadre> DoUpdateCadre(CallContext& call, const v1::UpdateCadreRequest& r);
  absl::StatusOr<v1::Cadre> DoTransferCadre(CallContext& call, const v1::TransferCadreRequest& r);
  absl::StatusOr<v1::ListCadresResponse> DoListCadres(CallContext& call,
                                                      const v1::ListCadresRequest& r);
  absl::StatusOr<v1::BatchGetCadresResponse> DoBatchGetCadres(CallContext& call,
                                                              const v1::BatchGetCadresRequest& r);
  absl::StatusOr<v1::ListSecretariesResponse> DoListSecretaries(
      CallContext& call, const v1::ListSecretariesRequest& r);
  absl::StatusOr<v1::Position> DoCreatePosition(CallContext& call,
                                                const v1::CreatePositionRequest& r);
  absl::StatusOr<v1::ListPositionsResponse> DoListPositions(CallContext& call,
                                                            const v1::ListPositionsRequest& r);
  absl::StatusOr<v1::Position> DoEndPosition(CallContext& call, const v1::EndPositionRequest& r);
  absl::StatusOr<v1::ReplaceSecretaryResponse> DoReplaceSecretary(
      CallContext& call, const v1::ReplaceSecretaryRequest& r);
  absl::StatusOr<v1::CountAdjustmentsResponse> DoCountAdjustments(
      CallContext& call, const v1::CountAdjustmentsRequest& r);
  absl::StatusOr<v1::ListVacanciesResponse> DoListVacancies(CallContext& call,
                                                            const v1::ListVacanciesRequest& r);
  absl::StatusOr<v1::Designation> DoAddDesignation(CallContext& call,
                                                   const v1::AddDesignationRequest& r);
  absl::StatusOr<v1::ListDesignationsResponse> DoListDesignations(
      CallContext& call, const v1::ListDesignationsRequest& r);
  absl::StatusOr<v1::Designation> DoAssignInstructor(CallContext& call,
                                                     const v1::AssignInstructorRequest& r);
  absl::StatusOr<v1::Designation> DoCloseRectification(CallContext& call,
                                                       const v1::CloseRectificationRequest& r);
  absl::StatusOr<v1::Designation> DoRevokeDesignation(CallContext& call,
                                                      const v1::RevokeDesignationRequest& r);
  absl::StatusOr<v1::SupportEntry> DoRecordSupport(CallContext& call,
                                                   const v1::RecordSupportRequest& r);
  absl::StatusOr<v1::ListSupportResponse> DoListSupport(CallContext& call,
                                                        const v1::ListSupportRequest& r);
  absl::StatusOr<v1::Evaluation> DoRecordEvaluation(CallContext& call,
                                                    const v1::RecordEvaluationRequest& r);
  absl::StatusOr<v1::ProfileThresholds> DoSetProfileThresholds(
      CallContext& call, const v1::SetProfileThresholdsRequest& r);
  absl::StatusOr<v1::ProfileThresholds> DoGetProfileThresholds(
      CallContext& call, const v1::GetProfileThresholdsRequest& r);
  absl::StatusOr<v1::Profile> DoGetProfile(CallContext& call, const v1::GetProfileRequest& r);
  absl::StatusOr<v1::SearchCadresResponse> DoSearchCadres(CallContext& call,
                                                          const v1::SearchCadresRequest& r);
  absl::StatusOr<v1::SelectionRound> DoCreateSelectionRound(
      CallContext& call, const v1::CreateSelectionRoundRequest& r);
  absl::StatusOr<v1::SelectionRound> DoGetSelectionRound(CallContext& call,
                                                         const v1::GetSelectionRoundRequest& r);
  absl::StatusOr<v1::Nomination> DoNominateGoodSecretary(CallContext& call,
                                                         const v1::NominateGoodSecretaryRequest& r);
  absl::StatusOr<v1::Nomination> DoConfirmGoodSecretary(CallContext& call,
                                                        const v1::ConfirmGoodSecretaryRequest& r);
  absl::StatusOr<v1::Nomination> DoGetNomination(CallContext& call,
                                                 const v1::GetNominationRequest& r);
  absl::StatusOr<v1::Nomination> DoWithdrawGoodSecretary(CallContext& call,
                                                         const v1::WithdrawGoodSecretaryRequest& r);
  absl::StatusOr<v1::ListGoodSecretariesResponse> DoListGoodSecretaries(
      CallContext& call, const v1::ListGoodSecretariesRequest& r);
  absl::StatusOr<v1::Seed> DoNominateSeed(CallContext& call, const v1::NominateSeedRequest& r);
  absl::StatusOr<v1::Seed> DoSelectSeed(CallContext& call, const v1::SelectSeedRequest& r);
  absl::StatusOr<v1::Seed> DoExamineSeed(CallContext& call, const v1::ExamineSeedRequest& r);
  // The PDF of PrintGoodSecretaryNotice.
  absl::StatusOr<std::string> GoodSecretaryNotice(CallContext& call,
                                                  const v1::PrintGoodSecretaryNoticeRequest& r);
  // The workbook of ExportSeeds.
  absl::StatusOr<std::string> SeedsWorkbook(CallContext& call, const v1::ExportSeedsRequest& r);
  absl::StatusOr<v1::ListSeedsResponse> DoListSeeds(CallContext& call,
                                                    const v1::ListSeedsRequest& r);
  absl::StatusOr<v1::SeedCoverageResponse> DoSeedCoverage(CallContext& call,
                                                          const v1::SeedCoverageRequest& r);
  absl::StatusOr<v1::Returnee> DoCreateReturnee(CallContext& call,
                                                const v1::CreateReturneeRequest& r);
  absl::StatusOr<v1::ListReturneesResponse> DoListReturnees(CallContext& call,
                                                            const v1::ListReturneesRequest& r);
  absl::StatusOr<v1::Position> DoGetPosition(CallContext& call, const v1::GetPositionRequest& r);
  absl::StatusOr<v1::Designation> DoGetDesignation(CallContext& call,
                                                   const v1::GetDesignationRequest& r);
  absl::StatusOr<v1::SupportEntry> DoGetSupportEntry(CallContext& call,
                                                     const v1::GetSupportEntryRequest& r);
  absl::StatusOr<v1::Evaluation> DoGetEvaluation(CallContext& call,
                                                 const v1::GetEvaluationRequest& r);
  absl::StatusOr<v1::ListEvaluationsResponse> DoListEvaluations(
      CallContext& call, const v1::ListEvaluationsRequest& r);
  absl::StatusOr<v1::ListSelectionRoundsResponse> DoListSelectionRounds(
      CallContext& call, const v1::ListSelectionRoundsRequest& r);
  absl::StatusOr<v1::Seed> DoGetSeed(CallContext& call, const v1::GetSeedRequest& r);
  absl::StatusOr<v1::Returnee> DoGetReturnee(CallContext& call, const v1::GetReturneeRequest& r);
  absl::StatusOr<v1::ReturneeStatisticsResponse> DoReturneeStatistics(
      CallContext& call, const v1::ReturneeStatisticsRequest& r);
  absl::StatusOr<v1::AppointResponse> DoAppoint(CallContext& call, const v1::AppointRequest& r);

  Runtime& rt_;
  std::unique_ptr<PersonnelRepository> repo_;
};

}  // namespace touyan::personnel

#endif  // TOUYAN_SERVICES_PERSONNEL_PERSONNEL_SERVICE_H_
