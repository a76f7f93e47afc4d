// PersonnelRepository on Postgres: prepared statements, keyset paging,
// audit rows and idempotency in the same transaction as each change.
#ifndef TOUYAN_SERVICES_PERSONNEL_PG_PERSONNEL_REPOSITORY_H_
#define TOUYAN_SERVICES_PERSONNEL_PG_PERSONNEL_REPOSITORY_H_

#include <vector>

#include <pqxx/pqxx>

#include "common/db/pool.h"
#include "services/personnel/personnel_repository.h"

namespace touyan::personnel {

class PgPersonnelRepository final : public PersonnelRepository {
 public:
  // The statements this repository prepares on every connection.
  static std::vector<db::Statement> Statements();

  absl::StatusOr<v1::Region> GetRegion(CallContext& call, const std::string& code) override;
  absl::StatusOr<std::vector<v1::Region>> GetRegions(CallContext& call,
                                                     const std::vector<std::string>& codes) override;
  absl::StatusOr<PageOf<v1::Region>> ListRegions(CallContext& call, const RegionQuery& q,
                                                 const paging::Page& page) override;
  absl::StatusOr<v1::ImportRegionsResponse> ImportRegions(
      CallContext& call, const v1::ImportRegionsRequest& all) override;

  absl::StatusOr<v1::PartyOrg> CreatePartyOrg(CallContext& call,
                                              const v1::CreatePartyOrgRequest& request,
                                              const v1::PartyOrg& org) override;
  absl::StatusOr<v1::PartyOrg> GetPartyOrg(CallContext& call, const ResourceId& id) override;
  absl::StatusOr<PageOf<v1::PartyOrg>> ListPartyOrgs(CallContext& call,
                                                     const std::string& region_prefix, int kind,
                                                     const paging::Page& page) override;

  absl::StatusOr<v1::Cadre> CreateCadre(CallContext& call, const v1::CreateCadreRequest& request,
                                        const v1::Cadre& cadre) override;
  absl::StatusOr<v1::Cadre> GetCadre(CallContext& call, const ResourceId& id) override;
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
};

// Row mapping shared by the repository's files.
v1::Cadre CadreFromRow(const pqxx::row& row);
// Text[] literal for a list of small integers: {1,3}.
std::string IntArray(const std::vector<int>& v);

// The keyset position of county-keyed rows, ordered by (county_code, id):
// a page cursor "150902:42"; empty before the first page.
struct Keyset {
  std::string county;
  int64_t id = 0;
  // Returns INVALID_ARGUMENT naming page_token if `cursor` is not one.
  static absl::StatusOr<Keyset> Parse(const std::string& cursor);
};

// One page of items from rows fetched with LIMIT size + 1: the extra row
// only tells that another page follows.
template <typename T>
PageOf<T> KeysetPage(const pqxx::result& rows, int size, T (*from_row)(const pqxx::row&)) {
  PageOf<T> out;
  for (const auto& row : rows) {
    if (static_cast<int>(out.items.size()) == size) {
      const T& last = out.items.back();
      out.next_cursor = last.county_code() + ":" + last.id().substr(7);
      break;
    }
    out.items.push_back(from_row(row));
  }
  return out;
}

}  // namespace touyan::personnel

#endif  // TOUYAN_SERVICES_PERSONNEL_PG_PERSONNEL_REPOSITORY_H_
