#include "services/incentive/domain/consequences.h"
#include "services/incentive/pg_rows.h"

// Proposals: what the assessments of a county's year lead to (records of
// kind 9; one live proposal of a kind per cadre and year, by index).
namespace touyan::incentive {

std::vector<db::Statement> ProposalStatements() {
  return {
      {"proposals_of_year",
       "SELECT id, cadre_id, body::text FROM records WHERE county_code = $1 AND kind = 9 "
       "AND year = $2 AND body->>'state' <> 'PROPOSAL_STATE_WITHDRAWN' ORDER BY id FOR UPDATE"},
      {"proposal_withdraw",
       "UPDATE records SET body = jsonb_set(body, '{state}', '\"PROPOSAL_STATE_WITHDRAWN\"'), "
       "open = false WHERE county_code = $1 AND id = $2 AND kind = 9"},
      {"proposal_pending_exit",
       "SELECT id FROM records WHERE county_code = $1 AND cadre_id = $2 AND kind = 9 AND open "
       "AND body->>'kind' = 'PROPOSAL_KIND_EXIT_STEP' ORDER BY id LIMIT 1"},
  };
}

std::string PgIncentiveRepository::PendingExitProposal(db::Tx& tx, const std::string& cadre_id) {
  const std::string county = cadre_id.substr(0, 6);
  pqxx::result r = tx.exec_prepared("proposal_pending_exit", county, cadre_id);
  return r.empty() ? "" : ResourceId{county, r[0][0].as<int64_t>()}.ToString();
}

absl::StatusOr<v1::ProposeConsequencesResponse> PgIncentiveRepository::ReviseProposals(
    CallContext& call, const v1::ProposeConsequencesRequest& request,
    const std::vector<v1::Proposal>& called, const std::map<std::string, std::string>& region_of) {
  const std::string& county = request.county_code();
  auto key = [](const std::string& cadre, const std::string& kind) { return cadre + "/" + kind; };
  return call.Mutate<v1::ProposeConsequencesResponse>(
      request, request.request_id(),
      [&](db::Tx& tx) -> absl::StatusOr<v1::ProposeConsequencesResponse> {
        v1::ProposeConsequencesResponse out;
        out.set_county_code(county);
        out.set_year(request.year());
        std::set<std::string> wanted;
        for (const v1::Proposal& p : called) {
          wanted.insert(key(p.cadre_id(), v1::ProposalKind_Name(p.kind())));
          out.set_policy_version(p.policy_version());
        }
        std::set<std::string> live;
        for (const auto& row : tx.exec_prepared("proposals_of_year", county, request.year())) {
          v1::Proposal p;
          RETURN_IF_ERROR(MergeFromJson(row[2].as<std::string>(), p));
          const std::string k = key(row[1].as<std::string>(), v1::ProposalKind_Name(p.kind()));
          if (wanted.count(k) || p.state() != v1::PROPOSAL_STATE_PENDING) {
            live.insert(k);
            out.set_kept(out.kept() + 1);
            continue;
          }
          const int64_t id = row[0].as<int64_t>();
          tx.exec_prepared("proposal_withdraw", county, id);
          v1::Proposal after = p;
          after.set_state(v1::PROPOSAL_STATE_WITHDRAWN);
          call.Audit({.county_code = county,
                      .resource = absl::StrCat("Proposal/", ResourceId{county, id}.ToString()),
                      .before = &p,
                      .after = &after});
          out.set_withdrawn(out.withdrawn() + 1);
        }
        for (const v1::Proposal& p : called) {
          if (live.count(key(p.cadre_id(), v1::ProposalKind_Name(p.kind())))) continue;
          auto region = region_of.find(p.cadre_id());
          if (region == region_of.end()) continue;
          v1::Proposal stored = p;
          stored.set_state(v1::PROPOSAL_STATE_PENDING);
          if (p.kind() == v1::PROPOSAL_KIND_EXIT_STEP) {
            stored.set_measure_kind(NextStep(MeasuresOf(tx, p.cadre_id())));
          }
          InsertRecord(call, tx, RecordKind::kProposal,
                       {.cadre_id = p.cadre_id(),
                        .region_code = region->second,
                        .year = p.year(),
                        .open = true},
                       stored);
          out.set_proposed(out.proposed() + 1);
        }
        return out;
      });
}

}  // namespace touyan::incentive
