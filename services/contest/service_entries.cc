#include "common/export/xlsx.h"
#include "common/grpc/file_stream.h"
#include "services/contest/service_util.h"

// Entries, judges and panels, scores.
namespace touyan::contest {

namespace {

// A score batch: each message's scores parsed compact (ids as numbers,
// dimensions named once) and handed to the repository's writer, which
// checks them and writes them on while the rest streams in; the request's
// idempotency fingerprint hashed as it arrives.
class ScoreBatch final : public StreamSink<v1::SubmitScoresRequest, v1::SubmitScoresResponse> {
 public:
  explicit ScoreBatch(ContestRepository& repo) : repo_(repo) {}

  absl::StatusOr<bool> OnMessage(CallContext& call, const v1::SubmitScoresRequest& m) override {
    if (!writer_) {
      RETURN_IF_ERROR(idempotency::ValidateRequestId(m.request_id()));
      ASSIGN_OR_RETURN(round_, ResourceId::Parse("round_id", m.round_id()));
      RETURN_IF_ERROR(
          WithField(CheckCounty(call.principal(), round_.county_code, true), "round_id"));
      ASSIGN_OR_RETURN(writer_, repo_.WriteScores(call, m.request_id(), round_));
      // As the merged request serializes: request_id, round_id, scores.
      fingerprint_.AddString(v1::SubmitScoresRequest::kRequestIdFieldNumber, m.request_id());
      fingerprint_.AddString(v1::SubmitScoresRequest::kRoundIdFieldNumber, m.round_id());
    }
    if (count_ + static_cast<size_t>(m.scores_size()) > 200000) {
      return InvalidField("scores", "at most 200,000 scores in one batch", "BAD_COUNT");
    }
    ScoreList scores(round_.county_code);
    for (const v1::Score& s : m.scores()) {
      scores.Add(s);
      fingerprint_.AddMessage(v1::SubmitScoresRequest::kScoresFieldNumber, s);
    }
    RETURN_IF_ERROR(writer_->Add(scores, count_));
    count_ += scores.size();
    return true;
  }

  absl::StatusOr<v1::SubmitScoresResponse> OnFinish(CallContext&) override {
    if (!writer_) {
      return InvalidField("request_id",
                          "the stream was empty: send request_id, round_id and scores", "REQUIRED");
    }
    return writer_->Finish(fingerprint_.Finish());
  }

 private:
  ContestRepository& repo_;
  ResourceId round_;
  std::unique_ptr<ScoreWriter> writer_;  // from the first message on
  size_t count_ = 0;                     // scores so far
  idempotency::FingerprintBuilder fingerprint_;
};

}  // namespace

// ----------------------------------------------------------------- entries

TOUYAN_UNARY(ContestService, CreateEntry, v1::CreateEntryRequest, v1::Entry)
TOUYAN_UNARY(ContestService, EnterSecretaries, v1::EnterSecretariesRequest,
             v1::EnterSecretariesResponse)
TOUYAN_UNARY(ContestService, WithdrawEntry, v1::WithdrawEntryRequest, v1::Entry)
TOUYAN_UNARY(ContestService, ListEntries, v1::ListEntriesRequest, v1::ListEntriesResponse)

absl::StatusOr<v1::Entry> ContestService::DoCreateEntry(CallContext& call,
                                                        const v1::CreateEntryRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  ASSIGN_OR_RETURN(ResourceId round_id,
                   ScopedId(call, "entry.round_id", r.entry().round_id(), true));
  RETURN_IF_ERROR(NestField(ValidateReport(r.entry().report()), "entry.report."));
  ASSIGN_OR_RETURN(ResourceId cadre_id, ResourceId::Parse("entry.cadre_id", r.entry().cadre_id()));
  (void)cadre_id;
  ASSIGN_OR_RETURN(v1::Round round, repo_->GetRound(call, round_id));
  ASSIGN_OR_RETURN(ResourceId contest_id, ResourceId::Parse("entry.round_id", round.contest_id()));
  ASSIGN_OR_RETURN(v1::Contest contest, repo_->GetContest(call, contest_id));
  ASSIGN_OR_RETURN(pv1::Cadre cadre,
                   personnel_.GetCadre(call, r.entry().cadre_id(), "entry.cadre_id"));
  if (!absl::StartsWith(cadre.region_code(), PrefixOf(contest.region_code()))) {
    return WithField(WithReason(absl::FailedPreconditionError(absl::StrCat(
                                    "cadre ", cadre.id(), " of ", cadre.region_code(),
                                    " is not in the contest's region ", contest.region_code())),
                                "OUTSIDE_REGION"),
                     "entry.cadre_id");
  }
  ASSIGN_OR_RETURN(pv1::Position post,
                   personnel_.SecretaryPost(call, cadre.id(), "entry.cadre_id"));
  // The organisation's kind must be one of the contest's fields (same numbering).
  ASSIGN_OR_RETURN(pv1::PartyOrg org,
                   personnel_.GetPartyOrg(call, post.party_org_id(), "entry.cadre_id"));
  if (std::find(contest.fields().begin(), contest.fields().end(), static_cast<int>(org.kind())) ==
      contest.fields().end()) {
    return WithField(WithReason(absl::FailedPreconditionError(
                                    absl::StrCat("cadre ", cadre.id(), " leads ", org.id(), " (",
                                                 pv1::PartyOrgKind_Name(org.kind()),
                                                 "), a field this contest does not cover")),
                                "FIELD_NOT_IN_CONTEST"),
                     "entry.cadre_id");
  }
  v1::Entry e = r.entry();
  e.set_cadre_name(cadre.name());
  e.set_village_code(cadre.region_code());
  e.set_party_org_id(post.party_org_id());
  e.set_field(static_cast<v1::Field>(org.kind()));  // the same numbering
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
  ASSIGN_OR_RETURN(
      std::vector<pv1::Secretary> secretaries,
      personnel_.Secretaries(call, contest.region_code(), pv1::PARTY_ORG_KIND_UNSPECIFIED));
  std::vector<v1::Entry> entries;
  entries.reserve(secretaries.size());
  for (const pv1::Secretary& s : secretaries) {
    // The organisation's kind and the contest's field share their numbering.
    if (std::find(contest.fields().begin(), contest.fields().end(),
                  static_cast<int>(s.party_org_kind())) == contest.fields().end()) {
      continue;
    }
    v1::Entry& e = entries.emplace_back();
    e.set_round_id(round.id());
    e.set_cadre_id(s.cadre_id());
    e.set_cadre_name(s.cadre_name());
    e.set_village_code(s.region_code());
    e.set_party_org_id(s.party_org_id());
    e.set_field(static_cast<v1::Field>(s.party_org_kind()));
    e.set_panel(r.panel());
    e.mutable_report()->set_title("述职报告");
  }
  return repo_->EnterSecretaries(call, r, round_id, entries);
}

absl::StatusOr<v1::Entry> ContestService::DoWithdrawEntry(CallContext& call,
                                                          const v1::WithdrawEntryRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "id", r.id(), true));
  return repo_->WithdrawEntry(call, r, id);
}

absl::StatusOr<v1::ListEntriesResponse> ContestService::DoListEntries(
    CallContext& call, const v1::ListEntriesRequest& r) {
  ASSIGN_OR_RETURN(ResourceId round, ScopedId(call, "round_id", r.round_id(), false));
  ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
  ASSIGN_OR_RETURN(PageOf<v1::Entry> rows, repo_->ListEntries(call, round, page));
  return ListResponse(call, r, std::move(rows), &v1::ListEntriesResponse::mutable_entries);
}

// ------------------------------------------------------------------ judges

TOUYAN_UNARY(ContestService, AddJudge, v1::AddJudgeRequest, v1::Judge)
TOUYAN_UNARY(ContestService, AssignPanel, v1::AssignPanelRequest, v1::Entry)
TOUYAN_UNARY(ContestService, ListMissingScores, v1::ListMissingScoresRequest,
             v1::ListMissingScoresResponse)

absl::StatusOr<v1::Judge> ContestService::DoAddJudge(CallContext& call,
                                                     const v1::AddJudgeRequest& r) {
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

absl::StatusOr<v1::Entry> ContestService::DoAssignPanel(CallContext& call,
                                                        const v1::AssignPanelRequest& r) {
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

TOUYAN_UNARY(ContestService, SubmitScore, v1::SubmitScoreRequest, v1::Score)
TOUYAN_UNARY(ContestService, GetResults, v1::GetResultsRequest, v1::Results)
TOUYAN_UNARY(ContestService, SignResults, v1::SignResultsRequest, v1::SignOff)

absl::StatusOr<v1::Score> ContestService::DoSubmitScore(CallContext& call,
                                                        const v1::SubmitScoreRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  ASSIGN_OR_RETURN(ResourceId round, ScopedId(call, "round_id", r.round_id(), true));
  ScoreList one(round.county_code);
  one.Add(r.score());
  RETURN_IF_ERROR(
      repo_->SubmitScore(call, idempotency::FingerprintOf(r), r.request_id(), round, one).status());
  return r.score();
}

absl::StatusOr<v1::Results> ContestService::DoGetResults(CallContext& call,
                                                         const v1::GetResultsRequest& r) {
  ASSIGN_OR_RETURN(ResourceId round, ResourceId::Parse("round_id", r.round_id()));
  absl::StatusOr<v1::Results> out = repo_->GetResults(call, round);
  if (!out.ok() && out.status().code() == absl::StatusCode::kNotFound) {
    RETURN_IF_ERROR(WithField(CheckCounty(call.principal(), round.county_code, false), "round_id"));
  }
  return out;
}

grpc::ServerWriteReactor<files::v1::FileChunk>* ContestService::ExportResults(
    Ctx* ctx, const v1::ExportResultsRequest* req) {
  return FileStream(
      rt_, ctx, req, "ExportResults",
      [this](CallContext& call, const v1::ExportResultsRequest& r) -> absl::StatusOr<MadeFile> {
        ASSIGN_OR_RETURN(std::string bytes, ResultsWorkbook(call, r.round_id()));
        return MadeFile{absl::StrCat("round-", r.round_id(), "-results.xlsx"), std::move(bytes)};
      });
}

absl::StatusOr<std::string> ContestService::ResultsWorkbook(CallContext& call,
                                                            const std::string& round_id) {
  v1::GetResultsRequest get;
  get.set_round_id(round_id);
  ASSIGN_OR_RETURN(v1::Results res, DoGetResults(call, get));
  // The rubric's names for the dimensions, from the round (readable as its
  // results are); keys without one keep the key.
  std::vector<std::pair<std::string, std::string>> dims;
  v1::GetRoundRequest get_round;
  get_round.set_id(round_id);
  ASSIGN_OR_RETURN(v1::Round round, DoGetRound(call, get_round));
  for (const v1::Dimension& d : round.rubric()) dims.emplace_back(d.key(), d.name());
  for (const v1::EntryResult& e : res.entries()) {
    for (const auto& kv : e.by_dimension()) {
      const std::string& key =
          kv.first;  // a lambda may not capture a structured binding (clang 14)
      if (std::none_of(dims.begin(), dims.end(), [&](const auto& d) { return d.first == key; }))
        dims.emplace_back(key, key);
    }
  }
  xlsx::Sheet s{.name = "比武结果",
                .headers = {"名次", "姓名", "干部编号", "参赛编号", "分组", "组内名次"}};
  for (const auto& [key, name] : dims) s.headers.push_back(name);
  for (const char* h : {"总分", "星级", "晋级"}) s.headers.push_back(h);
  for (const v1::EntryResult& e : res.entries()) {
    std::vector<xlsx::Cell> row = {
        xlsx::Cell::Number(e.rank()),
        xlsx::Cell::Text(e.cadre_name()),
        xlsx::Cell::Text(e.cadre_id()),
        xlsx::Cell::Text(e.entry_id()),
        xlsx::Cell::Text(e.panel()),
        e.panel_rank() > 0 ? xlsx::Cell::Number(e.panel_rank()) : xlsx::Cell()};
    for (const auto& [key, name] : dims) {
      auto it = e.by_dimension().find(key);
      row.push_back(it == e.by_dimension().end() ? xlsx::Cell() : xlsx::Cell::Number(it->second));
    }
    row.push_back(xlsx::Cell::Number(e.total()));
    row.push_back(xlsx::Cell::Number(e.stars()));
    row.push_back(xlsx::Cell::Text(e.advances() ? "是" : "否"));
    s.rows.push_back(std::move(row));
  }
  s.notes = {absl::StrCat("轮次：", round.name(), "（", round.id(), "）"),
             absl::StrCat("结果摘要（SHA-256）：", res.digest())};
  for (const v1::SignOff& so : res.sign_offs()) {
    s.notes.push_back(absl::StrCat(so.role() == v1::SIGNER_ROLE_MONITOR ? "监票人" : "计票人", "：",
                                   so.name(), "，签于摘要 ", so.digest()));
  }
  return xlsx::Workbook({s});
}

absl::StatusOr<v1::SignOff> ContestService::DoSignResults(CallContext& call,
                                                          const v1::SignResultsRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  ASSIGN_OR_RETURN(ResourceId round,
                   ScopedId(call, "sign_off.round_id", r.sign_off().round_id(), true));
  const v1::SignOff& s = r.sign_off();
  if (s.role() == v1::SIGNER_ROLE_UNSPECIFIED)
    return InvalidField("sign_off.role", "is required", "REQUIRED");
  RETURN_IF_ERROR(CheckEnum("sign_off.role", s.role(), v1::SignerRole_IsValid));
  RETURN_IF_ERROR(ValidateText("sign_off.name", s.name(), 50));
  return repo_->SignResults(call, r, round);
}

grpc::ServerReadReactor<v1::SubmitScoresRequest>* ContestService::SubmitScores(
    Ctx* ctx, v1::SubmitScoresResponse* resp) {
  return rt_.ClientStream<v1::SubmitScoresRequest, v1::SubmitScoresResponse>(
      ctx, resp, "SubmitScores", std::make_unique<ScoreBatch>(*repo_));
}

// ------------------------------------------------------------------ by id

TOUYAN_UNARY(ContestService, GetEntry, v1::GetEntryRequest, v1::Entry)
TOUYAN_UNARY(ContestService, GetJudge, v1::GetJudgeRequest, v1::Judge)
TOUYAN_UNARY(ContestService, ListJudges, v1::ListJudgesRequest, v1::ListJudgesResponse)
TOUYAN_UNARY(ContestService, GetAppeal, v1::GetAppealRequest, v1::Appeal)
TOUYAN_UNARY(ContestService, ListAppeals, v1::ListAppealsRequest, v1::ListAppealsResponse)

absl::StatusOr<v1::Entry> ContestService::DoGetEntry(CallContext& call,
                                                     const v1::GetEntryRequest& r) {
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "id", r.id(), /*write=*/false));
  return repo_->GetEntry(call, id);
}

absl::StatusOr<v1::Judge> ContestService::DoGetJudge(CallContext& call,
                                                     const v1::GetJudgeRequest& r) {
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "id", r.id(), /*write=*/false));
  return repo_->GetJudge(call, id);
}

absl::StatusOr<v1::ListJudgesResponse> ContestService::DoListJudges(
    CallContext& call, const v1::ListJudgesRequest& r) {
  ASSIGN_OR_RETURN(ResourceId round, ScopedId(call, "round_id", r.round_id(), false));
  RETURN_IF_ERROR(ValidateText("panel", r.panel(), 20, /*required=*/false));
  ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
  ASSIGN_OR_RETURN(PageOf<v1::Judge> rows, repo_->ListJudges(call, round, r.panel(), page));
  return ListResponse(call, r, std::move(rows), &v1::ListJudgesResponse::mutable_judges);
}

absl::StatusOr<v1::Appeal> ContestService::DoGetAppeal(CallContext& call,
                                                       const v1::GetAppealRequest& r) {
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "id", r.id(), /*write=*/false));
  return repo_->GetAppeal(call, id);
}

absl::StatusOr<v1::ListAppealsResponse> ContestService::DoListAppeals(
    CallContext& call, const v1::ListAppealsRequest& r) {
  ASSIGN_OR_RETURN(ResourceId round, ScopedId(call, "round_id", r.round_id(), false));
  RETURN_IF_ERROR(CheckEnum("state", r.state(), v1::AppealState_IsValid));
  ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
  ASSIGN_OR_RETURN(PageOf<v1::Appeal> rows, repo_->ListAppeals(call, round, r.state(), page));
  return ListResponse(call, r, std::move(rows), &v1::ListAppealsResponse::mutable_appeals);
}

}  // namespace touyan::contest
