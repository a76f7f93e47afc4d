// PersonnelRepository on Postgres: prepared statements, keyset paging,
// audit rows and idempotency in the same transaction as each change.
#ifndef TOUYAN_SERVICES_PERSONNEL_PG_PERSONNEL_REPOSITORY_H_
#define TOUYAN_SERVICES_PERSONNEL_PG_PERSONNEL_REPOSITORY_H_

#include <optional>
#include <pqxx/pqxx>
#include <vector>

#include "common/call/read_row.h"
#include "common/crypto/sealed.h"
#include "common/db/pool.h"
#include "common/db/rows.h"
#include "common/status/status.h"
#include "google/type/date.pb.h"
#include "services/personnel/personnel_repository.h"

namespace touyan::personnel {

class PgPersonnelRepository final : public PersonnelRepository {
 public:
  // The statements this repository prepares on every connection.
  static std::vector<db::Statement> Statements();

  absl::StatusOr<v1::Region> GetRegion(CallContext& call, const std::string& code) override;
  absl::StatusOr<std::vector<v1::Region>> GetRegions(
      CallContext& call, const std::vector<std::string>& codes) override;
  absl::StatusOr<PageOf<v1::Region>> ListRegions(CallContext& call, const RegionQuery& q,
                                                 const paging::Page& page) override;
  absl::StatusOr<v1::ImportRegionsResponse> ImportRegions(
      CallContext& call, const v1::ImportRegionsRequest& all) override;

  absl::StatusOr<v1::PartyOrg> CreatePartyOrg(CallContext& call,
                                              const v1::CreatePartyOrgRequest& request,
                                              const v1::PartyOrg& org) override;
  absl::StatusOr<v1::PartyOrg> GetPartyOrg(CallContext& call, const ResourceId& id) override;
  absl::StatusOr<v1::PartyOrg> RenamePartyOrg(CallContext& call,
                                              const v1::UpdatePartyOrgRequest& request,
                                              const ResourceId& id) override;
  absl::StatusOr<PageOf<v1::PartyOrg>> ListPartyOrgs(CallContext& call,
                                                     const std::string& region_prefix, int kind,
                                                     const paging::Page& page) override;

  absl::StatusOr<v1::Cadre> CreateCadre(CallContext& call, const v1::CreateCadreRequest& request,
                                        const v1::Cadre& cadre) override;
  absl::StatusOr<v1::Cadre> GetCadre(CallContext& call, const ResourceId& id) override;
  absl::StatusOr<PersonnelGauges> Gauges(CallContext& call,
                                         const std::string& region_prefix) override;
  absl::StatusOr<std::vector<v1::Cadre>> GetCadres(CallContext& call,
                                                   const std::vector<ResourceId>& ids) override;
  absl::StatusOr<PageOf<v1::Secretary>> ListSecretaries(CallContext& call,
                                                        const std::string& region_prefix,
                                                        int org_kind,
                                                        const paging::Page& page) override;
  absl::StatusOr<v1::Cadre> TransferCadre(CallContext& call,
                                          const v1::TransferCadreRequest& request,
                                          const ResourceId& id) override;
  absl::StatusOr<v1::Cadre> UpdateCadre(
      CallContext& call, const v1::UpdateCadreRequest& request, const ResourceId& id,
      const std::function<absl::Status(v1::Cadre&)>& apply) override;
  absl::StatusOr<PageOf<v1::Cadre>> ListCadres(CallContext& call, const CadreQuery& q,
                                               const paging::Page& page) override;
  std::unique_ptr<StreamSink<v1::ImportCadresRequest, v1::ImportCadresResponse>> NewCadreImport()
      override;

  absl::StatusOr<v1::Position> CreatePosition(CallContext& call,
                                              const v1::CreatePositionRequest& request,
                                              const ResourceId& cadre,
                                              const ResourceId& org) override;
  absl::StatusOr<PageOf<v1::Position>> ListPositions(CallContext& call, const PositionQuery& q,
                                                     const paging::Page& page) override;
  absl::StatusOr<v1::Position> EndPosition(CallContext& call, const v1::EndPositionRequest& request,
                                           const ResourceId& id) override;
  absl::StatusOr<v1::ReplaceSecretaryResponse> ReplaceSecretary(
      CallContext& call, const v1::ReplaceSecretaryRequest& request, const ResourceId& org,
      const ResourceId& cadre) override;
  absl::StatusOr<std::vector<v1::CountyAdjustments>> CountAdjustments(
      CallContext& call, const std::string& region_prefix, int year) override;
  absl::StatusOr<PageOf<v1::Vacancy>> ListVacancies(CallContext& call,
                                                    const std::string& region_prefix,
                                                    bool without_reserve,
                                                    const paging::Page& page) override;

  absl::StatusOr<v1::Designation> AddDesignation(CallContext& call,
                                                 const v1::AddDesignationRequest& request,
                                                 const ResourceId& org) override;
  absl::StatusOr<v1::Designation> UpdateDesignation(
      CallContext& call, const google::protobuf::Message& request, const std::string& request_id,
      const ResourceId& id, const std::function<absl::Status(v1::Designation&)>& apply) override;
  absl::StatusOr<v1::SupportEntry> RecordSupport(CallContext& call,
                                                 const v1::RecordSupportRequest& request,
                                                 const ResourceId& designation) override;
  absl::StatusOr<PageOf<v1::SupportEntry>> ListSupport(CallContext& call, const SupportQuery& q,
                                                       const paging::Page& page) override;
  absl::StatusOr<PageOf<v1::Designation>> ListDesignations(CallContext& call,
                                                           const DesignationQuery& q,
                                                           const paging::Page& page) override;

  // Profiles (精准画像) and the candidate search.
  absl::StatusOr<v1::Evaluation> RecordEvaluation(CallContext& call,
                                                  const v1::RecordEvaluationRequest& request,
                                                  const ResourceId& cadre) override;
  // The year's thresholds, defaults filled in.
  absl::StatusOr<v1::ProfileThresholds> GetProfileThresholds(CallContext& call, int year) override;
  absl::StatusOr<v1::ProfileThresholds> SetProfileThresholds(
      CallContext& call, const v1::SetProfileThresholdsRequest& request) override;
  absl::StatusOr<v1::Profile> GetProfile(CallContext& call, const ResourceId& cadre,
                                         int year) override;
  absl::StatusOr<PageOf<v1::Cadre>> SearchCadres(CallContext& call, const CadreSearch& q,
                                                 const paging::Page& page) override;

  // Good-secretary selection.
  absl::StatusOr<v1::SelectionRound> CreateSelectionRound(
      CallContext& call, const v1::CreateSelectionRoundRequest& request) override;
  // `id`: county_code = the city's 6 digits, number = the year.
  absl::StatusOr<v1::SelectionRound> GetSelectionRound(CallContext& call,
                                                       const ResourceId& id) override;
  absl::StatusOr<v1::Nomination> NominateGoodSecretary(
      CallContext& call, const v1::NominateGoodSecretaryRequest& request, const ResourceId& round,
      const ResourceId& cadre) override;
  absl::StatusOr<v1::Nomination> ConfirmGoodSecretary(
      CallContext& call, const v1::ConfirmGoodSecretaryRequest& request,
      const ResourceId& id) override;
  absl::StatusOr<v1::Nomination> GetNomination(CallContext& call, const ResourceId& id) override;
  absl::StatusOr<v1::Nomination> WithdrawGoodSecretary(
      CallContext& call, const v1::WithdrawGoodSecretaryRequest& request,
      const ResourceId& id) override;
  absl::StatusOr<PageOf<v1::Nomination>> ListGoodSecretaries(CallContext& call,
                                                             const std::string& region_prefix,
                                                             int year, int status,
                                                             const paging::Page& page) override;

  // Seed pipeline and returnees. `person` is validated by the caller.
  absl::StatusOr<v1::Seed> NominateSeed(CallContext& call, const v1::NominateSeedRequest& request,
                                        const v1::Cadre& person) override;
  // Selection and examination: checks the level and stage, records the step.
  absl::StatusOr<v1::Seed> AdvanceSeed(CallContext& call, const google::protobuf::Message& request,
                                       const std::string& request_id, const ResourceId& id,
                                       SeedStep step, bool yes, const std::string& note) override;
  absl::StatusOr<PageOf<v1::Seed>> ListSeeds(CallContext& call, const std::string& region_prefix,
                                             int stage, const paging::Page& page) override;
  // The cursor of `page` is a village code.
  absl::StatusOr<v1::SeedCoverageResponse> SeedCoverage(CallContext& call,
                                                        const std::string& region_prefix,
                                                        int min_seeds,
                                                        const paging::Page& page) override;
  absl::StatusOr<v1::Returnee> CreateReturnee(CallContext& call,
                                              const v1::CreateReturneeRequest& request,
                                              const v1::Cadre& person) override;
  absl::StatusOr<PageOf<v1::Returnee>> ListReturnees(CallContext& call,
                                                     const std::string& region_prefix, int origin,
                                                     int status, const paging::Page& page) override;
  absl::StatusOr<v1::ReturneeStatisticsResponse> ReturneeStatistics(
      CallContext& call, const std::string& region_prefix) override;
  absl::StatusOr<v1::Position> GetPosition(CallContext& call, const ResourceId& id) override;
  absl::StatusOr<v1::Designation> GetDesignation(CallContext& call, const ResourceId& id) override;
  absl::StatusOr<v1::SupportEntry> GetSupportEntry(CallContext& call,
                                                   const ResourceId& id) override;
  absl::StatusOr<v1::Evaluation> GetEvaluation(CallContext& call, const ResourceId& id) override;
  absl::StatusOr<PageOf<v1::Evaluation>> ListEvaluations(CallContext& call, const ResourceId& cadre,
                                                         int year,
                                                         const paging::Page& page) override;
  absl::StatusOr<v1::Seed> GetSeed(CallContext& call, const ResourceId& id) override;
  absl::StatusOr<v1::Returnee> GetReturnee(CallContext& call, const ResourceId& id) override;
  absl::StatusOr<PageOf<v1::SelectionRound>> ListSelectionRounds(CallContext& call,
                                                                 const std::string& city, int year,
                                                                 const paging::Page& page) override;
  // Appoints the seed or returnee `from` into organisation `org`.
  absl::StatusOr<v1::AppointResponse> Appoint(CallContext& call, const v1::AppointRequest& request,
                                              const ResourceId& from,
                                              const ResourceId& org) override;
};

// ------------------------------------- shared by the repository's pg_*.cc files

std::vector<db::Statement> RegionStatements();       // pg_regions.cc
std::vector<db::Statement> CadreStatements();        // pg_cadres.cc
std::vector<db::Statement> CadreImportStatements();  // pg_cadre_import.cc
std::vector<db::Statement> PositionStatements();     // pg_positions.cc
std::vector<db::Statement> DesignationStatements();  // pg_designations.cc
std::vector<db::Statement> ProfileStatements();      // pg_profiles.cc
std::vector<db::Statement> SeedStatements();         // pg_seeds.cc
// ALREADY_REGISTERED naming the county that holds the person (and its name).
absl::Status AlreadyRegistered(const std::string& county, const std::string& county_name);
// REGION_NOT_FOUND naming cadre.region_code.
absl::Status RegionMissing(const std::string& code);
// The columns CadreFromRow reads, from `cadres c`.
const std::string& CadreSelectColumns();

v1::Cadre CadreFromRow(const pqxx::row& row, const crypto::Keyring& keys);

// A person's resident ID and phone number sealed for a row of `table` in
// `county`, and the resident ID's blind index (phone "" = none).
struct SealedPerson {
  pqxx::binarystring resident_id, index, phone;
};
SealedPerson SealPerson(const crypto::Keyring& keys, const std::string& table,
                        const std::string& county, const v1::Cadre& person);
// Sets the person's resident ID and phone from a row's sealed columns.
void UnsealPerson(const crypto::Keyring& keys, const std::string& table, const std::string& county,
                  const pqxx::field& resident_id, const pqxx::field& phone, v1::Cadre& person);
// The blind index of a resident ID.
pqxx::binarystring ResidentIndex(const crypto::Keyring& keys, const std::string& resident_id);

// Registers a validated cadre and audits it: ALREADY_EXISTS (ALREADY_REGISTERED,
// naming the county) for a resident ID registered anywhere in the deployment,
// NOT_FOUND for an unknown region. `transferred_from` names the record a
// transfer moves the person from.
absl::StatusOr<v1::Cadre> InsertCadre(db::Tx& tx, CallContext& call, const v1::Cadre& cadre,
                                      const std::string& transferred_from = "");

// The name an anonymised record keeps.
inline constexpr char kAnonymisedName[] = "（已匿名）";

// Anonymises, `batch` a transaction, the departed cadres of `scope` whose
// last post ended longer than `retention` ago (statement cadre_anonymise).
// Returns how many.
absl::StatusOr<int64_t> AnonymiseDeparted(db::Lease& lease, const db::Scope& scope,
                                          absl::Duration retention, int batch, absl::Time deadline);

// Where an appointment comes from (numbers of the same county; 0 = none).
struct Lineage {
  int64_t seed = 0;
  int64_t returnee = 0;
};

// Checks and stores a new position in organisation `org` (locked by the
// caller, of kind `org_kind`) against the organisation's current posts, and
// audits it.
absl::StatusOr<v1::Position> InsertPosition(db::Tx& tx, CallContext& call, const ResourceId& cadre,
                                            const ResourceId& org, v1::PartyOrgKind org_kind,
                                            const v1::Position& p, const Lineage& from);
}  // namespace touyan::personnel

#endif  // TOUYAN_SERVICES_PERSONNEL_PG_PERSONNEL_REPOSITORY_H_
