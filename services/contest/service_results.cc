#include "common/crypto/digest.h"
#include "common/time/date.h"
#include "services/contest/service_util.h"

// Appeals, outcomes, cadres' results, promotion to the next round, live standings.
namespace touyan::contest {

// ----------------------------------------------------------------- appeals

TOUYAN_UNARY(ContestService, FileAppeal, v1::FileAppealRequest, v1::Appeal)
TOUYAN_UNARY(ContestService, DecideAppeal, v1::DecideAppealRequest, v1::Appeal)
TOUYAN_UNARY(ContestService, RetabulateRound, v1::RetabulateRoundRequest, v1::Round)

absl::StatusOr<v1::Appeal> ContestService::DoFileAppeal(CallContext& call,
                                                        const v1::FileAppealRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  ASSIGN_OR_RETURN(ResourceId entry, ScopedId(call, "entry_id", r.entry_id(), true));
  RETURN_IF_ERROR(ValidateText("reason", r.reason(), 2000));
  return repo_->FileAppeal(call, r, entry);
}

absl::StatusOr<v1::Appeal> ContestService::DoDecideAppeal(CallContext& call,
                                                          const v1::DecideAppealRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "id", r.id(), true));
  RETURN_IF_ERROR(ValidateText("note", r.note(), 2000, false));
  return repo_->DecideAppeal(call, r, id);
}

absl::StatusOr<v1::Round> ContestService::DoRetabulateRound(CallContext& call,
                                                            const v1::RetabulateRoundRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  ASSIGN_OR_RETURN(ResourceId round, ScopedId(call, "round_id", r.round_id(), true));
  return repo_->Retabulate(call, r, round);
}

// ---------------------------------------------------------------- outcomes

TOUYAN_UNARY(ContestService, ConvertOutcomes, v1::ConvertOutcomesRequest,
             v1::ConvertOutcomesResponse)
TOUYAN_UNARY(ContestService, PromoteAdvancers, v1::PromoteAdvancersRequest,
             v1::PromoteAdvancersResponse)
TOUYAN_UNARY(ContestService, ListOutcomes, v1::ListOutcomesRequest, v1::ListOutcomesResponse)
TOUYAN_UNARY(ContestService, BatchGetCadreResults, v1::BatchGetCadreResultsRequest,
             v1::BatchGetCadreResultsResponse)

absl::StatusOr<v1::ConvertOutcomesResponse> ContestService::DoConvertOutcomes(
    CallContext& call, const v1::ConvertOutcomesRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  ASSIGN_OR_RETURN(ResourceId round, ScopedId(call, "round_id", r.round_id(), true));
  if (r.rules().empty() || r.rules_size() > 4)
    return InvalidField("rules", "needs 1 to 4 rules", "BAD_COUNT");
  for (int i = 0; i < r.rules_size(); ++i) {
    const std::string f = absl::StrCat("rules[", i, "].");
    if (r.rules(i).kind() == v1::OUTCOME_KIND_UNSPECIFIED ||
        !v1::OutcomeKind_IsValid(r.rules(i).kind())) {
      return InvalidField(f + "kind", "is required", "REQUIRED");
    }
    if (r.rules(i).n() < 1 || r.rules(i).n() > 1000)
      return InvalidField(f + "n", "must be from 1 to 1000");
    for (int k = 0; k < r.rules(i).fields_size(); ++k) {
      RETURN_IF_ERROR(
          CheckEnum(absl::StrCat(f, "fields[", k, "]"), r.rules(i).fields(k), v1::Field_IsValid));
    }
    if (r.rules(i).kind() == v1::OUTCOME_KIND_RECTIFICATION_TARGET) {
      // 派员指导: a rectification target gets its instructor in the same conversion.
      RETURN_IF_ERROR(ValidateText(f + "instructor", r.rules(i).instructor(), 50));
      if (!IsSet(r.rules(i).rectification_deadline())) {
        return InvalidField(f + "rectification_deadline", "is required", "REQUIRED");
      }
      RETURN_IF_ERROR(
          ToCivilDay(f + "rectification_deadline", r.rules(i).rectification_deadline()).status());
    } else if (!r.rules(i).instructor().empty() || IsSet(r.rules(i).rectification_deadline())) {
      return InvalidField(f + "instructor", "only rectification targets get an instructor",
                          "NOT_A_RECTIFICATION");
    }
    if (r.rules(i).kind() == v1::OUTCOME_KIND_RECTIFICATION_TARGET &&
        !r.rules(i).support().empty()) {
      return InvalidField(f + "support", "goes to the top of a contest, not to rectification",
                          "NOT_A_COMMENDATION");
    }
    for (int k = 0; k < r.rules(i).support_size(); ++k) {
      const v1::SupportGrant& g = r.rules(i).support(k);
      const std::string sf = absl::StrCat(f, "support[", k, "].");
      if (g.kind() == pv1::SUPPORT_KIND_UNSPECIFIED || !pv1::SupportKind_IsValid(g.kind())) {
        return InvalidField(sf + "kind", "is required", "REQUIRED");
      }
      if (g.amount_fen() < 1 || g.amount_fen() > 1'000'000'000'000) {
        return InvalidField(sf + "amount_fen", "must be from 1 to 10^12 fen", "OUT_OF_RANGE");
      }
      RETURN_IF_ERROR(ValidateText(sf + "title", g.title(), 200));
      if (!IsSet(g.granted_on())) return InvalidField(sf + "granted_on", "is required", "REQUIRED");
      ASSIGN_OR_RETURN(absl::CivilDay on, ToCivilDay(sf + "granted_on", g.granted_on()));
      if (on > call.clock().Today()) {
        return InvalidField(sf + "granted_on", "must not be in the future", "IN_FUTURE");
      }
    }
  }
  // Stored first (once per entry and kind), then written to personnel one
  // by one with a request id of their own: a retry finishes what a failure
  // left, and never writes a designation twice.
  RETURN_IF_ERROR(repo_->SelectOutcomes(call, r, round).status());
  ASSIGN_OR_RETURN(std::vector<v1::Outcome> outcomes, repo_->RoundOutcomes(call, round));
  for (v1::Outcome& o : outcomes) {
    if (!o.designation_id().empty()) continue;
    pv1::Designation d;
    d.set_party_org_id(o.party_org_id());
    d.set_kind(static_cast<pv1::DesignationKind>(o.kind()));  // the same numbering
    d.set_year(o.year());
    d.set_source(absl::StrCat("contest/outcomes/", o.id()));
    d.set_note(absl::StrCat("擂台比武 round ", o.round_id(), ", rank ", o.rank(), " (",
                            o.cadre_name(), ")"));
    ASSIGN_OR_RETURN(pv1::Designation written,
                     personnel_.AddDesignation(call, absl::StrCat("contest-outcome-", o.id()), d));
    ASSIGN_OR_RETURN(ResourceId oid, ResourceId::Parse("round_id", o.id()));
    RETURN_IF_ERROR(repo_->SetOutcomeDesignation(
        call, absl::StrCat("contest-outcome-", o.id(), "-recorded"), oid, written.id()));
    o.set_designation_id(written.id());
  }
  // The instructors, each with a request id of its own: a retry replays.
  for (const v1::Outcome& o : outcomes) {
    if (o.instructor().empty()) continue;
    RETURN_IF_ERROR(
        personnel_
            .AssignInstructor(call, absl::StrCat("contest-outcome-", o.id(), "-instructor"),
                              o.designation_id(), o.instructor(), o.rectification_deadline())
            .status());
  }
  // The support each rule grants (项目、资金), one ledger entry per
  // organisation and grant; the request id names the grant, so a retry
  // replays and another grant adds an entry.
  for (const v1::OutcomeRule& rule : r.rules()) {
    for (const v1::SupportGrant& g : rule.support()) {
      const std::string grant = crypto::Sha256Hex(g.SerializeAsString()).substr(0, 16);
      for (const v1::Outcome& o : outcomes) {
        if (o.kind() != rule.kind() || o.designation_id().empty()) continue;
        pv1::SupportEntry e;
        e.set_designation_id(o.designation_id());
        e.set_kind(g.kind());
        e.set_amount_fen(g.amount_fen());
        e.set_title(g.title());
        *e.mutable_granted_on() = g.granted_on();
        RETURN_IF_ERROR(
            personnel_
                .RecordSupport(call, absl::StrCat("contest-outcome-", o.id(), "-support-", grant),
                               e, "rules")
                .status());
      }
    }
  }
  v1::ConvertOutcomesResponse out;
  for (auto& o : outcomes) *out.add_outcomes() = std::move(o);
  return out;
}

absl::StatusOr<v1::PromoteAdvancersResponse> ContestService::DoPromoteAdvancers(
    CallContext& call, const v1::PromoteAdvancersRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  ASSIGN_OR_RETURN(ResourceId from, ScopedId(call, "from_round_id", r.from_round_id(), false));
  ASSIGN_OR_RETURN(ResourceId to, ScopedId(call, "to_round_id", r.to_round_id(), true));
  return repo_->PromoteAdvancers(call, r, from, to);
}

absl::StatusOr<v1::ListOutcomesResponse> ContestService::DoListOutcomes(
    CallContext& call, const v1::ListOutcomesRequest& r) {
  ASSIGN_OR_RETURN(std::string prefix,
                   ListPrefix(call.principal(), r.region_code(), "region_code"));
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, true));
  ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
  ASSIGN_OR_RETURN(PageOf<v1::Outcome> rows, repo_->ListOutcomes(call, prefix, r.year(), page));
  return ListResponse(call, r, std::move(rows), &v1::ListOutcomesResponse::mutable_outcomes);
}

absl::StatusOr<v1::BatchGetCadreResultsResponse> ContestService::DoBatchGetCadreResults(
    CallContext& call, const v1::BatchGetCadreResultsRequest& r) {
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, false));
  if (r.cadre_ids_size() < 1 || r.cadre_ids_size() > 1000) {
    return InvalidField("cadre_ids", "name 1 to 1,000 cadres", "BAD_COUNT");
  }
  for (int i = 0; i < r.cadre_ids_size(); ++i) {
    RETURN_IF_ERROR(ResourceId::Parse(absl::StrCat("cadre_ids[", i, "]"), r.cadre_ids(i)).status());
  }
  return repo_->CadreResults(call, r.year(), r.cadre_ids());
}

namespace {

// The round's standings each time they change (a score, a state), until
// the round closes: woken by the county's changes (common/grpc/event_hub.h).
class StandingsSource final : public StreamSource<v1::Standings> {
 public:
  StandingsSource(ContestRepository& repo, ResourceId round) : repo_(repo), round_(round) {}

  absl::StatusOr<Next> Produce(CallContext& call, v1::Standings& out) override {
    if (done_) return Next::kEnd;
    ASSIGN_OR_RETURN(std::optional<v1::Standings> s, repo_.Standings(call, round_, &version_));
    if (!s) return Next::kWait;
    done_ = s->final();
    out = *std::move(s);
    return Next::kMessage;
  }
  std::string WaitPrefix() const override { return round_.county_code; }

 private:
  ContestRepository& repo_;
  const ResourceId round_;
  std::string version_;  // of the standings last sent
  bool done_ = false;
};

}  // namespace

grpc::ServerWriteReactor<v1::Standings>* ContestService::WatchStandings(
    Ctx* ctx, const v1::WatchStandingsRequest* req) {
  return rt_.ServerStream<v1::WatchStandingsRequest, v1::Standings>(
      ctx, req, "WatchStandings",
      [this](CallContext& call, const v1::WatchStandingsRequest& r)
          -> absl::StatusOr<std::unique_ptr<StreamSource<v1::Standings>>> {
        ASSIGN_OR_RETURN(ResourceId round, ScopedId(call, "round_id", r.round_id(), false));
        return std::make_unique<StandingsSource>(*repo_, round);
      });
}

TOUYAN_UNARY(ContestService, GetOutcome, v1::GetOutcomeRequest, v1::Outcome)

absl::StatusOr<v1::Outcome> ContestService::DoGetOutcome(CallContext& call,
                                                         const v1::GetOutcomeRequest& r) {
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "id", r.id(), /*write=*/false));
  return repo_->GetOutcome(call, id);
}

}  // namespace touyan::contest
