#include "services/contest/contest_service.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/idempotency/idempotency.h"
#include "common/grpc/handlers.h"
#include "common/grpc/watch.h"
#include "common/ids/region.h"
#include "common/status/status.h"
#include "common/status/text.h"
#include "services/contest/domain/rules.h"

namespace touyan::contest {
namespace pv1 = ::touyan::personnel::v1;

namespace {

// A score batch: buffered (validated on arrival), stored all at once.
class ScoreBatch final : public StreamSink<v1::SubmitScoresRequest, v1::SubmitScoresResponse> {
 public:
  explicit ScoreBatch(ContestRepository& repo) : repo_(repo) {}

  absl::StatusOr<bool> OnMessage(CallContext& call, const v1::SubmitScoresRequest& m) override {
    if (all_.request_id().empty()) {
      RETURN_IF_ERROR(idempotency::ValidateRequestId(m.request_id()));
      ASSIGN_OR_RETURN(round_, ResourceId::Parse("round_id", m.round_id()));
      RETURN_IF_ERROR(WithField(CheckCounty(call.principal(), round_.county_code, true), "round_id"));
      all_.set_request_id(m.request_id());
      all_.set_round_id(m.round_id());
    }
    if (all_.scores_size() + m.scores_size() > 200000) {
      return InvalidField("scores", "at most 200,000 scores in one batch", "BAD_COUNT");
    }
    for (const v1::Score& s : m.scores()) *all_.add_scores() = s;
    return true;
  }

  absl::StatusOr<v1::SubmitScoresResponse> OnFinish(CallContext& call) override {
    if (all_.request_id().empty()) {
      return InvalidField("request_id", "the stream was empty: send request_id, round_id and scores", "REQUIRED");
    }
    std::vector<v1::Score> scores(all_.scores().begin(), all_.scores().end());
    return repo_.SubmitScores(call, all_, all_.request_id(), round_, scores, /*batch=*/true);
  }

 private:
  ContestRepository& repo_;
  v1::SubmitScoresRequest all_;
  ResourceId round_;
};

}  // namespace

TOUYAN_UNARY(ContestService, CreateContest, v1::CreateContestRequest, v1::Contest)
TOUYAN_UNARY(ContestService, GetContest, v1::GetContestRequest, v1::Contest)
TOUYAN_UNARY(ContestService, ListContests, v1::ListContestsRequest, v1::ListContestsResponse)
TOUYAN_UNARY(ContestService, CreateRound, v1::CreateRoundRequest, v1::Round)
TOUYAN_UNARY(ContestService, GetRound, v1::GetRoundRequest, v1::Round)
TOUYAN_UNARY(ContestService, AdvanceRound, v1::AdvanceRoundRequest, v1::Round)
TOUYAN_UNARY(ContestService, SetRubric, v1::SetRubricRequest, v1::Round)
TOUYAN_UNARY(ContestService, CreateEntry, v1::CreateEntryRequest, v1::Entry)
TOUYAN_UNARY(ContestService, EnterSecretaries, v1::EnterSecretariesRequest, v1::EnterSecretariesResponse)
TOUYAN_UNARY(ContestService, WithdrawEntry, v1::WithdrawEntryRequest, v1::Entry)
TOUYAN_UNARY(ContestService, ListEntries, v1::ListEntriesRequest, v1::ListEntriesResponse)
TOUYAN_UNARY(ContestService, AddJudge, v1::AddJudgeRequest, v1::Judge)
TOUYAN_UNARY(ContestService, AssignPanel, v1::AssignPanelRequest, v1::Entry)
TOUYAN_UNARY(ContestService, ListMissingScores, v1::ListMissingScoresRequest, v1::ListMissingScoresResponse)
TOUYAN_UNARY(ContestService, SubmitScore, v1::SubmitScoreRequest, v1::Score)
TOUYAN_UNARY(ContestService, GetResults, v1::GetResultsRequest, v1::Results)
TOUYAN_UNARY(ContestService, SignResults, v1::SignResultsRequest, v1::SignOff)
TOUYAN_UNARY(ContestService, FileAppeal, v1::FileAppealRequest, v1::Appeal)
TOUYAN_UNARY(ContestService, DecideAppeal, v1::DecideAppealRequest, v1::Appeal)
TOUYAN_UNARY(ContestService, RetabulateRound, v1::RetabulateRoundRequest, v1::Round)
TOUYAN_UNARY(ContestService, ConvertOutcomes, v1::ConvertOutcomesRequest, v1::ConvertOutcomesResponse)
TOUYAN_UNARY(ContestService, ListOutcomes, v1::ListOutcomesRequest, v1::ListOutcomesResponse)
TOUYAN_UNARY(ContestService, BatchGetCadreResults, v1::BatchGetCadreResultsRequest, v1::BatchGetCadreResultsResponse)
TOUYAN_UNARY(ContestService, PromoteAdvancers, v1::PromoteAdvancersRequest, v1::PromoteAdvancersResponse)

grpc::ServerReadReactor<v1::SubmitScoresRequest>* ContestService::SubmitScores(Ctx* ctx,
                                                                              v1::SubmitScoresResponse* resp) {
  return rt_.ClientStream<v1::SubmitScoresRequest, v1::SubmitScoresResponse>(
      ctx, resp, "SubmitScores", std::make_unique<ScoreBatch>(*repo_));
}

grpc::ServerWriteReactor<v1::Standings>* ContestService::WatchStandings(Ctx* ctx,
                                                                       const v1::WatchStandingsRequest* req) {
  auto version = std::make_shared<std::string>();
  return Watch<v1::WatchStandingsRequest, v1::Standings>(
      rt_, ctx, req, "WatchStandings", absl::Milliseconds(300),
      [this, version](CallContext& call,
                      const v1::WatchStandingsRequest& r) -> absl::StatusOr<WatchStep<v1::Standings>> {
        ASSIGN_OR_RETURN(ResourceId round, ScopedId(call, "round_id", r.round_id(), false));
        ASSIGN_OR_RETURN(std::optional<v1::Standings> s, repo_->Standings(call, round, version.get()));
        WatchStep<v1::Standings> step;
        step.done = s && s->final();
        step.message = std::move(s);
        return step;
      });
}

// ---------------------------------------------------------------- contests

absl::StatusOr<v1::Contest> ContestService::DoCreateContest(CallContext& call, const v1::CreateContestRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  RETURN_IF_ERROR(NestField(ValidateContest(r.contest(), YearMax(call)), "contest."));
  RETURN_IF_ERROR(WithField(call.principal().CheckWrite(r.contest().region_code()), "contest.region_code"));
  return repo_->CreateContest(call, r, r.contest());
}

absl::StatusOr<v1::Contest> ContestService::DoGetContest(CallContext& call, const v1::GetContestRequest& r) {
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "id", r.id(), false));
  return repo_->GetContest(call, id);
}

absl::StatusOr<v1::ListContestsResponse> ContestService::DoListContests(CallContext& call,
                                                                        const v1::ListContestsRequest& r) {
  ASSIGN_OR_RETURN(std::string prefix, ListPrefix(call.principal(), r.region_code(), "region_code"));
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, true));
  ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
  ASSIGN_OR_RETURN(PageOf<v1::Contest> rows, repo_->ListContests(call, prefix, r.year(), page));
  return ListResponse(call, r, std::move(rows), &v1::ListContestsResponse::mutable_contests);
}

// ------------------------------------------------------------------ rounds

absl::StatusOr<v1::Round> ContestService::DoCreateRound(CallContext& call, const v1::CreateRoundRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  ASSIGN_OR_RETURN(ResourceId contest, ScopedId(call, "round.contest_id", r.round().contest_id(), true));
  v1::Round round = r.round();
  RETURN_IF_ERROR(NestField(NormalizeRound(round), "round."));
  return repo_->CreateRound(call, r, contest, round);
}

absl::StatusOr<v1::Round> ContestService::DoGetRound(CallContext& call, const v1::GetRoundRequest& r) {
  ASSIGN_OR_RETURN(ResourceId id, ResourceId::Parse("id", r.id()));
  absl::StatusOr<v1::Round> round = repo_->GetRound(call, id);
  // Published rounds are public; another county's others are out of scope.
  if (!round.ok() && round.status().code() == absl::StatusCode::kNotFound) {
    RETURN_IF_ERROR(WithField(CheckCounty(call.principal(), id.county_code, false), "id"));
  }
  return round;
}

absl::StatusOr<v1::Round> ContestService::DoAdvanceRound(CallContext& call, const v1::AdvanceRoundRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "id", r.id(), true));
  RETURN_IF_ERROR(CheckEnum("to", r.to(), v1::RoundState_IsValid));
  return repo_->AdvanceRound(call, r, id);
}

absl::StatusOr<v1::Round> ContestService::DoSetRubric(CallContext& call, const v1::SetRubricRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "round_id", r.round_id(), true));
  RETURN_IF_ERROR(ValidateRubric(r.rubric(), "rubric"));
  RETURN_IF_ERROR(CheckEnum("aggregation", r.aggregation(), v1::Aggregation_IsValid));
  return repo_->SetRubric(call, r, id);
}

// ----------------------------------------------------------------- entries

absl::StatusOr<v1::Entry> ContestService::DoCreateEntry(CallContext& call, const v1::CreateEntryRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  ASSIGN_OR_RETURN(ResourceId round_id, ScopedId(call, "entry.round_id", r.entry().round_id(), true));
  RETURN_IF_ERROR(NestField(ValidateReport(r.entry().report()), "entry.report."));
  ASSIGN_OR_RETURN(ResourceId cadre_id, ResourceId::Parse("entry.cadre_id", r.entry().cadre_id()));
  (void)cadre_id;
  ASSIGN_OR_RETURN(v1::Round round, repo_->GetRound(call, round_id));
  ASSIGN_OR_RETURN(ResourceId contest_id, ResourceId::Parse("entry.round_id", round.contest_id()));
  ASSIGN_OR_RETURN(v1::Contest contest, repo_->GetContest(call, contest_id));
  ASSIGN_OR_RETURN(pv1::Cadre cadre, personnel_.GetCadre(call, r.entry().cadre_id(), "entry.cadre_id"));
  if (!absl::StartsWith(cadre.region_code(), PrefixOf(contest.region_code()))) {
    return WithField(WithReason(absl::FailedPreconditionError(absl::StrCat(
                                    "cadre ", cadre.id(), " of ", cadre.region_code(), " is not in the contest's region ",
                                    contest.region_code())),
                                "OUTSIDE_REGION"),
                     "entry.cadre_id");
  }
  ASSIGN_OR_RETURN(pv1::Position post, personnel_.SecretaryPost(call, cadre.id(), "entry.cadre_id"));
  // The organisation's kind must be one of the contest's fields (same numbering).
  ASSIGN_OR_RETURN(pv1::PartyOrg org, personnel_.GetPartyOrg(call, post.party_org_id(), "entry.cadre_id"));
  if (std::find(contest.fields().begin(), contest.fields().end(), static_cast<int>(org.kind())) ==
      contest.fields().end()) {
    return WithField(WithReason(absl::FailedPreconditionError(absl::StrCat(
                                    "cadre ", cadre.id(), " leads ", org.id(), " (", pv1::PartyOrgKind_Name(org.kind()),
                                    "), a field this contest does not cover")),
                                "FIELD_NOT_IN_CONTEST"),
                     "entry.cadre_id");
  }
  v1::Entry e = r.entry();
  e.set_cadre_name(cadre.name());
  e.set_village_code(cadre.region_code());
  e.set_party_org_id(post.party_org_id());
  return repo_->CreateEntry(call, r, round_id, e);
}

absl::StatusOr<v1::EnterSecretariesResponse> ContestService::DoEnterSecretaries(
    CallContext& call, const v1::EnterSecretariesRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  ASSIGN_OR_RETURN(ResourceId round_id, ScopedId(call, "round_id", r.round_id(), true));
  RETURN_IF_ERROR(ValidateText("panel", r.panel(), 20, /*required=*/false));
  ASSIGN_OR_RETURN(v1::Round round, repo_->GetRound(call, round_id));
  ASSIGN_OR_RETURN(ResourceId contest_id, ResourceId::Parse("round_id", round.contest_id()));
  ASSIGN_OR_RETURN(v1::Contest contest, repo_->GetContest(call, contest_id));
  ASSIGN_OR_RETURN(std::vector<pv1::Secretary> secretaries,
                   personnel_.Secretaries(call, contest.region_code(), pv1::PARTY_ORG_KIND_UNSPECIFIED));
  std::vector<v1::Entry> entries;
  entries.reserve(secretaries.size());
  for (const pv1::Secretary& s : secretaries) {
    // The organisation's kind and the contest's field share their numbering.
    if (std::find(contest.fields().begin(), contest.fields().end(), static_cast<int>(s.party_org_kind())) ==
        contest.fields().end()) {
      continue;
    }
    v1::Entry& e = entries.emplace_back();
    e.set_round_id(round.id());
    e.set_cadre_id(s.cadre_id());
    e.set_cadre_name(s.cadre_name());
    e.set_village_code(s.region_code());
    e.set_party_org_id(s.party_org_id());
    e.set_panel(r.panel());
    e.mutable_report()->set_title("述职报告");
  }
  return repo_->EnterSecretaries(call, r, round_id, entries);
}

absl::StatusOr<v1::Entry> ContestService::DoWithdrawEntry(CallContext& call, const v1::WithdrawEntryRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "id", r.id(), true));
  return repo_->WithdrawEntry(call, r, id);
}

absl::StatusOr<v1::ListEntriesResponse> ContestService::DoListEntries(CallContext& call,
                                                                      const v1::ListEntriesRequest& r) {
  ASSIGN_OR_RETURN(ResourceId round, ScopedId(call, "round_id", r.round_id(), false));
  ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
  ASSIGN_OR_RETURN(PageOf<v1::Entry> rows, repo_->ListEntries(call, round, page));
  return ListResponse(call, r, std::move(rows), &v1::ListEntriesResponse::mutable_entries);
}

// ------------------------------------------------------------------ judges

absl::StatusOr<v1::Judge> ContestService::DoAddJudge(CallContext& call, const v1::AddJudgeRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  ASSIGN_OR_RETURN(ResourceId round, ScopedId(call, "judge.round_id", r.judge().round_id(), true));
  const v1::Judge& j = r.judge();
  RETURN_IF_ERROR(ValidateText("judge.name", j.name(), 50));
  RETURN_IF_ERROR(ValidateText("judge.panel", j.panel(), 20));
  if (!j.cadre_id().empty()) {
    ASSIGN_OR_RETURN(ResourceId cadre, ResourceId::Parse("judge.cadre_id", j.cadre_id()));
    (void)cadre;
  }
  if (!j.party_org_id().empty()) {
    ASSIGN_OR_RETURN(ResourceId org, ResourceId::Parse("judge.party_org_id", j.party_org_id()));
    (void)org;
  }
  if (!j.region_code().empty() && LevelOf(j.region_code()) == Level::kInvalid) {
    return InvalidField("judge.region_code", "is not a 12-digit region code", "BAD_REGION_CODE");
  }
  return repo_->AddJudge(call, r, round);
}

absl::StatusOr<v1::Entry> ContestService::DoAssignPanel(CallContext& call, const v1::AssignPanelRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  ASSIGN_OR_RETURN(ResourceId entry, ScopedId(call, "entry_id", r.entry_id(), true));
  RETURN_IF_ERROR(ValidateText("panel", r.panel(), 20));
  return repo_->AssignPanel(call, r, entry);
}

absl::StatusOr<v1::ListMissingScoresResponse> ContestService::DoListMissingScores(
    CallContext& call, const v1::ListMissingScoresRequest& r) {
  ASSIGN_OR_RETURN(ResourceId round, ScopedId(call, "round_id", r.round_id(), false));
  return repo_->MissingScores(call, round);
}

// ------------------------------------------------------------------ scores

absl::StatusOr<v1::Score> ContestService::DoSubmitScore(CallContext& call, const v1::SubmitScoreRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  ASSIGN_OR_RETURN(ResourceId round, ScopedId(call, "round_id", r.round_id(), true));
  RETURN_IF_ERROR(repo_->SubmitScores(call, r, r.request_id(), round, {r.score()}, /*batch=*/false).status());
  return r.score();
}

absl::StatusOr<v1::Results> ContestService::DoGetResults(CallContext& call, const v1::GetResultsRequest& r) {
  ASSIGN_OR_RETURN(ResourceId round, ResourceId::Parse("round_id", r.round_id()));
  absl::StatusOr<v1::Results> out = repo_->GetResults(call, round);
  if (!out.ok() && out.status().code() == absl::StatusCode::kNotFound) {
    RETURN_IF_ERROR(WithField(CheckCounty(call.principal(), round.county_code, false), "round_id"));
  }
  return out;
}

absl::StatusOr<v1::SignOff> ContestService::DoSignResults(CallContext& call, const v1::SignResultsRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  ASSIGN_OR_RETURN(ResourceId round, ScopedId(call, "sign_off.round_id", r.sign_off().round_id(), true));
  const v1::SignOff& s = r.sign_off();
  if (s.role() == v1::SIGNER_ROLE_UNSPECIFIED) return InvalidField("sign_off.role", "is required", "REQUIRED");
  RETURN_IF_ERROR(CheckEnum("sign_off.role", s.role(), v1::SignerRole_IsValid));
  RETURN_IF_ERROR(ValidateText("sign_off.name", s.name(), 50));
  return repo_->SignResults(call, r, round);
}

// ---------------------------------------------------------------- appeals

absl::StatusOr<v1::Appeal> ContestService::DoFileAppeal(CallContext& call, const v1::FileAppealRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  ASSIGN_OR_RETURN(ResourceId entry, ScopedId(call, "entry_id", r.entry_id(), true));
  RETURN_IF_ERROR(ValidateText("reason", r.reason(), 2000));
  return repo_->FileAppeal(call, r, entry);
}

absl::StatusOr<v1::Appeal> ContestService::DoDecideAppeal(CallContext& call, const v1::DecideAppealRequest& r) {
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

// --------------------------------------------------------------- outcomes

absl::StatusOr<v1::ConvertOutcomesResponse> ContestService::DoConvertOutcomes(
    CallContext& call, const v1::ConvertOutcomesRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  ASSIGN_OR_RETURN(ResourceId round, ScopedId(call, "round_id", r.round_id(), true));
  if (r.rules().empty() || r.rules_size() > 4) return InvalidField("rules", "needs 1 to 4 rules", "BAD_COUNT");
  for (int i = 0; i < r.rules_size(); ++i) {
    const std::string f = absl::StrCat("rules[", i, "].");
    if (r.rules(i).kind() == v1::OUTCOME_KIND_UNSPECIFIED || !v1::OutcomeKind_IsValid(r.rules(i).kind())) {
      return InvalidField(f + "kind", "is required", "REQUIRED");
    }
    if (r.rules(i).n() < 1 || r.rules(i).n() > 1000) return InvalidField(f + "n", "must be from 1 to 1000");
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
    d.set_note(absl::StrCat("擂台比武 round ", o.round_id(), ", rank ", o.rank(), " (", o.cadre_name(), ")"));
    ASSIGN_OR_RETURN(pv1::Designation written,
                     personnel_.AddDesignation(call, absl::StrCat("contest-outcome-", o.id()), d));
    ASSIGN_OR_RETURN(ResourceId oid, ResourceId::Parse("round_id", o.id()));
    RETURN_IF_ERROR(repo_->SetOutcomeDesignation(call, absl::StrCat("contest-outcome-", o.id(), "-recorded"), oid,
                                                 written.id()));
    o.set_designation_id(written.id());
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

absl::StatusOr<v1::ListOutcomesResponse> ContestService::DoListOutcomes(CallContext& call,
                                                                        const v1::ListOutcomesRequest& r) {
  ASSIGN_OR_RETURN(std::string prefix, ListPrefix(call.principal(), r.region_code(), "region_code"));
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

}  // namespace touyan::contest
