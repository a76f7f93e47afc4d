// Storage for personnel. Implementations run in the caller's CallContext
// (its transaction, row-level security scope and deadline). Authorisation
// checks that need no data happen before these calls, in the service.
#ifndef TOUYAN_SERVICES_PERSONNEL_PERSONNEL_REPOSITORY_H_
#define TOUYAN_SERVICES_PERSONNEL_PERSONNEL_REPOSITORY_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/call/call_context.h"
#include "common/db/rows.h"
#include "common/ids/resource_id.h"
#include "common/paging/page_token.h"
#include "services/personnel/domain/seed.h"
#include "touyan/personnel/v1/personnel.pb.h"

namespace touyan::personnel {

struct RegionQuery {
  std::string parent_code;                               // empty: the top
  v1::RegionLevel level = v1::REGION_LEVEL_UNSPECIFIED;  // set: all of a level below parent
  std::string parent_prefix;                             // significant digits of parent_code
};

struct CadreQuery {
  std::string region_prefix;        // significant digits; "" = everything in scope
  std::vector<int> position_kinds;  // any of these, current; empty = no filter
  int origin = 0;
  int establishment = 0;
  bool anonymised = false;  // only the records anonymised after their holder departed
};

struct PositionQuery {
  std::string region_prefix;  // of the organisation; the caller's scope at most
  int64_t party_org = 0;
  int64_t cadre = 0;
  bool current_only = false;
};

struct DesignationQuery {
  std::string region_prefix;  // of the organisation
  int64_t party_org = 0;
  int year = 0;
  int kind = 0;
  bool include_revoked = false;
};

struct SupportQuery {
  std::string region_prefix;  // of the organisation
  int64_t party_org = 0;
  int year = 0;  // the designation's
};

struct CadreSearch {
  std::string region_prefix;
  int max_age = 0;  // 0 = any
  int min_education = 0;
  std::vector<int> position_kinds;
  int profile_year = 0;
  bool all_conditions_met = false;
};

// What the domain gauges show (PersonnelService::RefreshGauges).
struct PersonnelGauges {
  int64_t villages = 0;
  int64_t villages_below_seed_target = 0;  // fewer than 2 approved seeds
  int64_t current_secretaries = 0;
};

class PersonnelRepository {
 public:
  virtual ~PersonnelRepository() = default;

  // NOT_FOUND if there is no such region.
  virtual absl::StatusOr<v1::Region> GetRegion(CallContext& call, const std::string& code) = 0;
  // The regions that exist among `codes`, ordered by code.
  virtual absl::StatusOr<std::vector<v1::Region>> GetRegions(
      CallContext& call, const std::vector<std::string>& codes) = 0;
  virtual absl::StatusOr<PageOf<v1::Region>> ListRegions(CallContext& call, const RegionQuery& q,
                                                         const paging::Page& page) = 0;
  // Upserts validated regions and creates missing village organisations.
  virtual absl::StatusOr<v1::ImportRegionsResponse> ImportRegions(
      CallContext& call, const v1::ImportRegionsRequest& all) = 0;

  virtual absl::StatusOr<v1::PartyOrg> CreatePartyOrg(CallContext& call,
                                                      const v1::CreatePartyOrgRequest& request,
                                                      const v1::PartyOrg& org) = 0;
  virtual absl::StatusOr<v1::PartyOrg> GetPartyOrg(CallContext& call, const ResourceId& id) = 0;
  // Renames organisation `id` to request.party_org().name() (validated), if
  // its etag is the one sent (or none was).
  virtual absl::StatusOr<v1::PartyOrg> RenamePartyOrg(CallContext& call,
                                                      const v1::UpdatePartyOrgRequest& request,
                                                      const ResourceId& id) = 0;
  virtual absl::StatusOr<PageOf<v1::PartyOrg>> ListPartyOrgs(CallContext& call,
                                                             const std::string& region_prefix,
                                                             int kind,
                                                             const paging::Page& page) = 0;

  virtual absl::StatusOr<v1::Cadre> CreateCadre(CallContext& call,
                                                const v1::CreateCadreRequest& request,
                                                const v1::Cadre& cadre) = 0;
  virtual absl::StatusOr<v1::Cadre> GetCadre(CallContext& call, const ResourceId& id) = 0;
  virtual absl::StatusOr<PersonnelGauges> Gauges(CallContext& call,
                                                 const std::string& region_prefix) = 0;
  // The cadres found among `ids` (any order; the missing ones are absent).
  virtual absl::StatusOr<std::vector<v1::Cadre>> GetCadres(CallContext& call,
                                                           const std::vector<ResourceId>& ids) = 0;
  // Current secretaries of organisations under `region_prefix` (of `org_kind`, 0 = any).
  virtual absl::StatusOr<PageOf<v1::Secretary>> ListSecretaries(CallContext& call,
                                                                const std::string& region_prefix,
                                                                int org_kind,
                                                                const paging::Page& page) = 0;
  // Reads the cadre, lets `apply` change it, stores the result.
  virtual absl::StatusOr<v1::Cadre> UpdateCadre(
      CallContext& call, const v1::UpdateCadreRequest& request, const ResourceId& id,
      const std::function<absl::Status(v1::Cadre&)>& apply) = 0;
  virtual absl::StatusOr<PageOf<v1::Cadre>> ListCadres(CallContext& call, const CadreQuery& q,
                                                       const paging::Page& page) = 0;
  // Moves cadre `id` to village request.region_code() of another county: a
  // new record there (returned), the old one's posts ended, each naming the
  // other; the deployment's registry follows the person.
  virtual absl::StatusOr<v1::Cadre> TransferCadre(CallContext& call,
                                                  const v1::TransferCadreRequest& request,
                                                  const ResourceId& id) = 0;
  virtual std::unique_ptr<StreamSink<v1::ImportCadresRequest, v1::ImportCadresResponse>>
  NewCadreImport() = 0;

  virtual absl::StatusOr<v1::Position> CreatePosition(CallContext& call,
                                                      const v1::CreatePositionRequest& request,
                                                      const ResourceId& cadre,
                                                      const ResourceId& org) = 0;
  virtual absl::StatusOr<PageOf<v1::Position>> ListPositions(CallContext& call,
                                                             const PositionQuery& q,
                                                             const paging::Page& page) = 0;
  virtual absl::StatusOr<v1::Position> EndPosition(CallContext& call,
                                                   const v1::EndPositionRequest& request,
                                                   const ResourceId& id) = 0;
  // Ends the organisation's current secretary term and appoints `cadre`.
  virtual absl::StatusOr<v1::ReplaceSecretaryResponse> ReplaceSecretary(
      CallContext& call, const v1::ReplaceSecretaryRequest& request, const ResourceId& org,
      const ResourceId& cadre) = 0;
  virtual absl::StatusOr<std::vector<v1::CountyAdjustments>> CountAdjustments(
      CallContext& call, const std::string& region_prefix, int year) = 0;
  // Village and community organisations under the prefix with no current
  // secretary (`without_reserve`: only those with no seed or returnee to appoint).
  virtual absl::StatusOr<PageOf<v1::Vacancy>> ListVacancies(CallContext& call,
                                                            const std::string& region_prefix,
                                                            bool without_reserve,
                                                            const paging::Page& page) = 0;

  virtual absl::StatusOr<v1::Designation> AddDesignation(CallContext& call,
                                                         const v1::AddDesignationRequest& request,
                                                         const ResourceId& org) = 0;
  // Reads the designation, lets `apply` change it (instructor, close-out,
  // revocation), stores the result.
  virtual absl::StatusOr<v1::Designation> UpdateDesignation(
      CallContext& call, const google::protobuf::Message& request, const std::string& request_id,
      const ResourceId& id, const std::function<absl::Status(v1::Designation&)>& apply) = 0;
  virtual absl::StatusOr<PageOf<v1::Designation>> ListDesignations(CallContext& call,
                                                                   const DesignationQuery& q,
                                                                   const paging::Page& page) = 0;
  // A support entry (checked as sent) against its designation, checked
  // there (CheckSupported) and in the caller's scope.
  virtual absl::StatusOr<v1::SupportEntry> RecordSupport(CallContext& call,
                                                         const v1::RecordSupportRequest& request,
                                                         const ResourceId& designation) = 0;
  virtual absl::StatusOr<PageOf<v1::SupportEntry>> ListSupport(CallContext& call,
                                                               const SupportQuery& q,
                                                               const paging::Page& page) = 0;

  // Profiles (精准画像) and the candidate search.
  virtual absl::StatusOr<v1::Evaluation> RecordEvaluation(
      CallContext& call, const v1::RecordEvaluationRequest& request, const ResourceId& cadre) = 0;
  // The year's thresholds, defaults filled in.
  virtual absl::StatusOr<v1::ProfileThresholds> GetProfileThresholds(CallContext& call,
                                                                     int year) = 0;
  virtual absl::StatusOr<v1::ProfileThresholds> SetProfileThresholds(
      CallContext& call, const v1::SetProfileThresholdsRequest& request) = 0;
  virtual absl::StatusOr<v1::Profile> GetProfile(CallContext& call, const ResourceId& cadre,
                                                 int year) = 0;
  virtual absl::StatusOr<PageOf<v1::Cadre>> SearchCadres(CallContext& call, const CadreSearch& q,
                                                         const paging::Page& page) = 0;

  // One position, designation, support entry, evaluation, seed or returnee;
  // NOT_FOUND naming "id", PERMISSION_DENIED when the caller's scope does not
  // cover its region (the organisation's, the cadre's, the village's).
  virtual absl::StatusOr<v1::Position> GetPosition(CallContext& call, const ResourceId& id) = 0;
  virtual absl::StatusOr<v1::Designation> GetDesignation(CallContext& call,
                                                         const ResourceId& id) = 0;
  virtual absl::StatusOr<v1::SupportEntry> GetSupportEntry(CallContext& call,
                                                           const ResourceId& id) = 0;
  virtual absl::StatusOr<v1::Evaluation> GetEvaluation(CallContext& call, const ResourceId& id) = 0;
  // A cadre's evaluations (of `year`, 0 = any) in the order recorded;
  // NOT_FOUND naming "cadre_id", PERMISSION_DENIED when the caller's scope
  // does not cover the cadre's region.
  virtual absl::StatusOr<PageOf<v1::Evaluation>> ListEvaluations(CallContext& call,
                                                                 const ResourceId& cadre, int year,
                                                                 const paging::Page& page) = 0;
  virtual absl::StatusOr<v1::Seed> GetSeed(CallContext& call, const ResourceId& id) = 0;
  virtual absl::StatusOr<v1::Returnee> GetReturnee(CallContext& call, const ResourceId& id) = 0;

  // Good-secretary selection.
  virtual absl::StatusOr<v1::SelectionRound> CreateSelectionRound(
      CallContext& call, const v1::CreateSelectionRoundRequest& request) = 0;
  // `id`: county_code = the city's 6 digits, number = the year.
  virtual absl::StatusOr<v1::SelectionRound> GetSelectionRound(CallContext& call,
                                                               const ResourceId& id) = 0;
  // Rounds by (city, year), of `city` (6 digits; "" = every city) and `year`
  // (0 = every year); the cursor is a Keyset (county = city, id = year).
  virtual absl::StatusOr<PageOf<v1::SelectionRound>> ListSelectionRounds(
      CallContext& call, const std::string& city, int year, const paging::Page& page) = 0;
  virtual absl::StatusOr<v1::Nomination> NominateGoodSecretary(
      CallContext& call, const v1::NominateGoodSecretaryRequest& request, const ResourceId& round,
      const ResourceId& cadre) = 0;
  virtual absl::StatusOr<v1::Nomination> ConfirmGoodSecretary(
      CallContext& call, const v1::ConfirmGoodSecretaryRequest& request, const ResourceId& id) = 0;
  // Withdraws nomination `id` (a confirmed one only by the city), if its
  // etag is the one sent (or none was); an already withdrawn one is returned.
  // Nomination `id`; NOT_FOUND naming "id"; PERMISSION_DENIED when the
  // caller's scope does not cover its cadre's village.
  virtual absl::StatusOr<v1::Nomination> GetNomination(CallContext& call, const ResourceId& id) = 0;
  virtual absl::StatusOr<v1::Nomination> WithdrawGoodSecretary(
      CallContext& call, const v1::WithdrawGoodSecretaryRequest& request, const ResourceId& id) = 0;
  virtual absl::StatusOr<PageOf<v1::Nomination>> ListGoodSecretaries(
      CallContext& call, const std::string& region_prefix, int year, int status,
      const paging::Page& page) = 0;

  // Seed pipeline and returnees. `person` is validated by the caller.
  virtual absl::StatusOr<v1::Seed> NominateSeed(CallContext& call,
                                                const v1::NominateSeedRequest& request,
                                                const v1::Cadre& person) = 0;
  // Selection and examination: checks the level and stage, records the step.
  virtual absl::StatusOr<v1::Seed> AdvanceSeed(CallContext& call,
                                               const google::protobuf::Message& request,
                                               const std::string& request_id, const ResourceId& id,
                                               SeedStep step, bool yes,
                                               const std::string& note) = 0;
  virtual absl::StatusOr<PageOf<v1::Seed>> ListSeeds(CallContext& call,
                                                     const std::string& region_prefix, int stage,
                                                     const paging::Page& page) = 0;
  // The cursor of `page` is a village code.
  virtual absl::StatusOr<v1::SeedCoverageResponse> SeedCoverage(CallContext& call,
                                                                const std::string& region_prefix,
                                                                int min_seeds,
                                                                const paging::Page& page) = 0;
  virtual absl::StatusOr<v1::Returnee> CreateReturnee(CallContext& call,
                                                      const v1::CreateReturneeRequest& request,
                                                      const v1::Cadre& person) = 0;
  virtual absl::StatusOr<PageOf<v1::Returnee>> ListReturnees(CallContext& call,
                                                             const std::string& region_prefix,
                                                             int origin, int status,
                                                             const paging::Page& page) = 0;
  virtual absl::StatusOr<v1::ReturneeStatisticsResponse> ReturneeStatistics(
      CallContext& call, const std::string& region_prefix) = 0;
  // Appoints the seed or returnee `from` into organisation `org`.
  virtual absl::StatusOr<v1::AppointResponse> Appoint(CallContext& call,
                                                      const v1::AppointRequest& request,
                                                      const ResourceId& from,
                                                      const ResourceId& org) = 0;
};

}  // namespace touyan::personnel

#endif  // TOUYAN_SERVICES_PERSONNEL_PERSONNEL_REPOSITORY_H_
