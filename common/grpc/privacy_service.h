// touyan.privacy.v1.PrivacyService: data-subject requests, served by every
// Touyan server on its API port (Server registers it). Each service declares
// what it holds about a cadre (ServiceSpec::personal_data); a service that
// reads others (ServiceSpec::export_includes) gathers theirs too.
#ifndef TOUYAN_COMMON_GRPC_PRIVACY_SERVICE_H_
#define TOUYAN_COMMON_GRPC_PRIVACY_SERVICE_H_

#include <string>
#include <vector>

#include "common/grpc/runtime.h"
#include "touyan/privacy/v1/privacy.grpc.pb.h"

namespace touyan {

// What a service holds about the person of one cadre record, from one table:
// `sql` selects its rows, reading `target` (county_code text, number bigint,
// cadre_id text "150902-42"). The rows go out as JSON: columns named
// *_sealed opened (sealed with `kind` as their table) under the name without
// the suffix, *_index columns left out.
struct PersonalDataQuery {
  std::string kind;  // the table: "positions"
  std::string sql;   // "SELECT p.* FROM positions p, target t WHERE …"
};

class PrivacyService final : public privacy::v1::PrivacyService::CallbackService {
 public:
  PrivacyService(Runtime& rt, std::vector<PersonalDataQuery> queries,
                 std::vector<std::string> includes)
      : rt_(rt), queries_(std::move(queries)), includes_(std::move(includes)) {}

  grpc::ServerUnaryReactor* ExportPersonalData(grpc::CallbackServerContext* ctx,
                                               const privacy::v1::ExportPersonalDataRequest* req,
                                               privacy::v1::PersonalDataExport* resp) override;

 private:
  absl::StatusOr<privacy::v1::PersonalDataExport> DoExportPersonalData(
      CallContext& call, const privacy::v1::ExportPersonalDataRequest& r);

  Runtime& rt_;
  const std::vector<PersonalDataQuery> queries_;
  const std::vector<std::string> includes_;
};

}  // namespace touyan

#endif  // TOUYAN_COMMON_GRPC_PRIVACY_SERVICE_H_
