#include "absl/strings/ascii.h"
#include "common/metrics/metrics.h"
#include "services/contest/service_util.h"

// Contests and rounds.
namespace touyan::contest {

// ---------------------------------------------------------------- contests

TOUYAN_UNARY(ContestService, CreateContest, v1::CreateContestRequest, v1::Contest)
TOUYAN_UNARY(ContestService, GetContest, v1::GetContestRequest, v1::Contest)
TOUYAN_UNARY(ContestService, ListContests, v1::ListContestsRequest, v1::ListContestsResponse)

absl::StatusOr<v1::Contest> ContestService::DoCreateContest(CallContext& call,
                                                            const v1::CreateContestRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  RETURN_IF_ERROR(NestField(ValidateContest(r.contest(), YearMax(call)), "contest."));
  RETURN_IF_ERROR(
      WithField(call.principal().CheckWrite(r.contest().region_code()), "contest.region_code"));
  return repo_->CreateContest(call, r, r.contest());
}

absl::StatusOr<v1::Contest> ContestService::DoGetContest(CallContext& call,
                                                         const v1::GetContestRequest& r) {
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "id", r.id(), false));
  return repo_->GetContest(call, id);
}

absl::StatusOr<v1::ListContestsResponse> ContestService::DoListContests(
    CallContext& call, const v1::ListContestsRequest& r) {
  ASSIGN_OR_RETURN(std::string prefix,
                   ListPrefix(call.principal(), r.region_code(), "region_code"));
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, true));
  ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
  ASSIGN_OR_RETURN(PageOf<v1::Contest> rows, repo_->ListContests(call, prefix, r.year(), page));
  return ListResponse(call, r, std::move(rows), &v1::ListContestsResponse::mutable_contests);
}

// ------------------------------------------------------------------ rounds

TOUYAN_UNARY(ContestService, CreateRound, v1::CreateRoundRequest, v1::Round)
TOUYAN_UNARY(ContestService, GetRound, v1::GetRoundRequest, v1::Round)
TOUYAN_UNARY(ContestService, ListRounds, v1::ListRoundsRequest, v1::ListRoundsResponse)
TOUYAN_UNARY(ContestService, AdvanceRound, v1::AdvanceRoundRequest, v1::Round)
TOUYAN_UNARY(ContestService, SetRubric, v1::SetRubricRequest, v1::Round)

absl::StatusOr<v1::Round> ContestService::DoCreateRound(CallContext& call,
                                                        const v1::CreateRoundRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  ASSIGN_OR_RETURN(ResourceId contest,
                   ScopedId(call, "round.contest_id", r.round().contest_id(), true));
  v1::Round round = r.round();
  RETURN_IF_ERROR(NestField(NormalizeRound(round), "round."));
  return repo_->CreateRound(call, r, contest, round);
}

absl::StatusOr<v1::Round> ContestService::DoGetRound(CallContext& call,
                                                     const v1::GetRoundRequest& r) {
  ASSIGN_OR_RETURN(ResourceId id, ResourceId::Parse("id", r.id()));
  absl::StatusOr<v1::Round> round = repo_->GetRound(call, id);
  // Published rounds are public; another county's others are out of scope.
  if (!round.ok() && round.status().code() == absl::StatusCode::kNotFound) {
    RETURN_IF_ERROR(WithField(CheckCounty(call.principal(), id.county_code, false), "id"));
  }
  return round;
}

absl::StatusOr<v1::ListRoundsResponse> ContestService::DoListRounds(
    CallContext& call, const v1::ListRoundsRequest& r) {
  if (r.contest_id().empty()) return InvalidField("contest_id", "is required", "REQUIRED");
  ASSIGN_OR_RETURN(ResourceId contest, ResourceId::Parse("contest_id", r.contest_id()));
  RETURN_IF_ERROR(CheckEnum("state", r.state(), v1::RoundState_IsValid));
  // Another county's contest: its published rounds, as GetRound; none at
  // all (or no such contest) is out of scope for the caller.
  const bool in_scope = CheckCounty(call.principal(), contest.county_code, false).ok();
  if (in_scope) RETURN_IF_ERROR(repo_->GetContest(call, contest).status());
  ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
  ASSIGN_OR_RETURN(PageOf<v1::Round> rows, repo_->ListRounds(call, contest, r.state(), page));
  if (!in_scope && rows.items.empty() && page.cursor.empty()) {
    RETURN_IF_ERROR(
        WithField(CheckCounty(call.principal(), contest.county_code, false), "contest_id"));
  }
  return ListResponse(call, r, std::move(rows), &v1::ListRoundsResponse::mutable_rounds);
}

absl::StatusOr<v1::Round> ContestService::DoAdvanceRound(CallContext& call,
                                                         const v1::AdvanceRoundRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "id", r.id(), true));
  RETURN_IF_ERROR(CheckEnum("to", r.to(), v1::RoundState_IsValid));
  return repo_->AdvanceRound(call, r, id);
}

absl::StatusOr<v1::Round> ContestService::DoSetRubric(CallContext& call,
                                                      const v1::SetRubricRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "round_id", r.round_id(), true));
  RETURN_IF_ERROR(ValidateRubric(r.rubric(), "rubric"));
  RETURN_IF_ERROR(CheckEnum("aggregation", r.aggregation(), v1::Aggregation_IsValid));
  return repo_->SetRubric(call, r, id);
}

absl::Status ContestService::RefreshGauges(CallContext& call) {
  ASSIGN_OR_RETURN(ContestGauges g, repo_->Gauges(call, call.principal().scope_prefix));
  if (g.year == 0) return absl::OkStatus();
  const std::string year = absl::StrCat(g.year);
  Metrics& m = call.metrics();
  for (v1::RoundState s : {v1::ROUND_STATE_DRAFT, v1::ROUND_STATE_OPEN, v1::ROUND_STATE_JUDGING,
                           v1::ROUND_STATE_CLOSED, v1::ROUND_STATE_PUBLISHED}) {
    std::string state = absl::AsciiStrToLower(v1::RoundState_Name(s).substr(12));  // "ROUND_STATE_"
    m.Gauge("touyan_contest_rounds",
            "Rounds of the latest year's contests (擂台比武) organised in the scope, by state.",
            {{"year", year}, {"state", state}})
        .Set(static_cast<double>(g.rounds[s]));
  }
  m.Gauge("touyan_contest_entries",
          "Secretaries entered (not withdrawn) in the rounds of the latest year's contests.",
          {{"year", year}})
      .Set(static_cast<double>(g.entries));
  return absl::OkStatus();
}

}  // namespace touyan::contest
