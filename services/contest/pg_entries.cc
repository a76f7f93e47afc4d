#include <charconv>
#include <optional>
#include <pqxx/pipeline>
#include <utility>

#include "common/call/read_row.h"
#include "services/contest/pg_rows.h"

// Entries, judges and panels, scores.
namespace touyan::contest {

std::vector<db::Statement> EntryStatements() {
  const std::string c = kContestCols, r = kRoundCols, e = kEntryCols, j = kJudgeCols;
  return {
      {"round_lock_rubric",
       "UPDATE rounds SET rubric_locked = true WHERE county_code = $1 AND id = $2"},
      {"entry_set_state", "UPDATE entries SET state = $3 WHERE county_code = $1 AND id = $2"},
      {"entry_set_panel", "UPDATE entries SET panel = $3 WHERE county_code = $1 AND id = $2"},
      {"entry_list", "SELECT " + e +
                         " FROM entries WHERE county_code = $1 AND round_id = $2 AND id > $3 "
                         "ORDER BY id LIMIT $4"},
      {"entries_of_panel",
       "SELECT " + e +
           " FROM entries WHERE county_code = $1 AND round_id = $2 AND panel = $3 AND state = 1"},
      {"judge_insert",
       "INSERT INTO judges (county_code, round_id, name, panel, cadre_id, region_code, "
       "party_org_id) "
       "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING " +
           j},
      {"judge_get", "SELECT " + j + " FROM judges WHERE county_code = $1 AND id = $2"},
      {"judge_list",
       "SELECT " + j +
           " FROM judges WHERE county_code = $1 AND round_id = $2 AND ($3 = '' OR panel = $3) "
           "AND id > $4 ORDER BY id LIMIT $5"},
      {"judges_of_panel",
       "SELECT " + j + " FROM judges WHERE county_code = $1 AND round_id = $2 AND panel = $3"},
      // Per judge: the values due (active entries of the judge's panel ×
      // dimensions) and those scored.
      {"missing_scores",
       "SELECT j.id, j.name, (SELECT count(*) FROM entries e WHERE e.county_code = j.county_code "
       "AND e.round_id = j.round_id AND e.panel = j.panel AND e.state = 1) * $3::bigint, "
       "(SELECT coalesce(sum(num_nonnulls(VARIADIC s.value)), 0) FROM score_sheets s JOIN entries "
       "e ON e.county_code = s.county_code AND e.id = s.entry_id AND e.state = 1 "
       "WHERE s.county_code = j.county_code AND s.round_id = j.round_id AND s.judge_id = j.id) "
       "FROM judges j WHERE j.county_code = $1 AND j.round_id = $2 ORDER BY j.id"},
      {"round_has_scores",
       "SELECT EXISTS (SELECT 1 FROM score_sheets WHERE county_code = $1 AND round_id = $2)"},
      {"panels_of_round",
       "SELECT j.id, j.panel, j.name FROM judges j WHERE j.county_code = $1 AND j.round_id = $2"},
      {"entry_panels_of_round",
       "SELECT id, panel, state, reopened FROM entries WHERE county_code = $1 AND round_id = $2"},
  };
}

// ----------------------------------------------------------------- entries

absl::StatusOr<v1::Entry> PgContestRepository::CreateEntry(CallContext& call,
                                                           const v1::CreateEntryRequest& request,
                                                           const ResourceId& round,
                                                           const v1::Entry& entry) {
  return call.Mutate<v1::Entry>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::Entry> {
        ASSIGN_OR_RETURN(v1::Round r, LoadRound(tx, round, true, "entry.round_id"));
        RETURN_IF_ERROR(MayWriteRound(tx, call, round, "entry.round_id"));
        RETURN_IF_ERROR(RequireState(r.state(), v1::ROUND_STATE_OPEN, "entries are accepted"));
        pqxx::result row =
            tx.exec_prepared("entry_insert", round.county_code, round.number, entry.cadre_id(),
                             entry.cadre_name(), entry.village_code(), ToJson(entry.report()),
                             entry.party_org_id(), static_cast<int>(entry.field()));
        if (row.empty()) {
          return WithReason(WithField(absl::AlreadyExistsError(absl::StrCat(
                                          "cadre ", entry.cadre_id(), " has entered round ",
                                          round.ToString(), " already")),
                                      "entry.cadre_id"),
                            "ALREADY_ENTERED");
        }
        ASSIGN_OR_RETURN(v1::Entry out, EntryFromRow(row[0]));
        call.Audit(
            {.county_code = round.county_code, .resource = "entries/" + out.id(), .after = &out});
        return out;
      });
}

absl::StatusOr<v1::EnterSecretariesResponse> PgContestRepository::EnterSecretaries(
    CallContext& call, const v1::EnterSecretariesRequest& request, const ResourceId& round,
    const std::vector<v1::Entry>& entries) {
  return call.Mutate<v1::EnterSecretariesResponse>(
      request, request.request_id(),
      [&](db::Tx& tx) -> absl::StatusOr<v1::EnterSecretariesResponse> {
        ASSIGN_OR_RETURN(v1::Round r, LoadRound(tx, round, true, "round_id"));
        RETURN_IF_ERROR(MayWriteRound(tx, call, round, "round_id"));
        RETURN_IF_ERROR(WithField(
            RequireState(r.state(), v1::ROUND_STATE_OPEN, "entries are accepted"), "round_id"));
        v1::EnterSecretariesResponse out;
        for (const v1::Entry& e : entries) {
          pqxx::result made = tx.exec_prepared(
              "entry_insert", round.county_code, round.number, e.cadre_id(), e.cadre_name(),
              e.village_code(), ToJson(e.report()), e.party_org_id(), static_cast<int>(e.field()));
          if (made.empty()) {
            out.set_already_entered(out.already_entered() + 1);
            continue;
          }
          out.set_entered(out.entered() + 1);
          if (!e.panel().empty()) {
            tx.exec_prepared("entry_set_panel", made[0][0].as<std::string>(),
                             made[0][1].as<int64_t>(), e.panel());
          }
        }
        // One audit row for the batch: what it entered, not each entry.
        call.Audit({.county_code = round.county_code,
                    .resource = "rounds/" + r.id() + "/entries",
                    .after = &out});
        return out;
      });
}

absl::StatusOr<v1::Entry> PgContestRepository::WithdrawEntry(
    CallContext& call, const v1::WithdrawEntryRequest& request, const ResourceId& id) {
  return call.Mutate<v1::Entry>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::Entry> {
        ASSIGN_OR_RETURN(v1::Entry before, LoadEntry(tx, id, true, "id"));
        ASSIGN_OR_RETURN(ResourceId round, ResourceId::Parse("id", before.round_id()));
        ASSIGN_OR_RETURN(v1::Round r, LoadRound(tx, round, true, "id"));
        RETURN_IF_ERROR(MayWriteRound(tx, call, round, "id"));
        RETURN_IF_ERROR(BeforeJudging(r, "an entry may be withdrawn"));
        v1::Entry after = before;
        after.set_state(v1::ENTRY_STATE_WITHDRAWN);
        tx.exec_prepared("entry_set_state", id.county_code, id.number,
                         static_cast<int>(after.state()));
        call.Audit({.county_code = id.county_code,
                    .resource = "entries/" + after.id(),
                    .before = &before,
                    .after = &after});
        return after;
      });
}

absl::StatusOr<PageOf<v1::Entry>> PgContestRepository::ListEntries(CallContext& call,
                                                                   const ResourceId& round,
                                                                   const paging::Page& page) {
  ASSIGN_OR_RETURN(Keyset after, Keyset::Parse(page.cursor));
  return call.Read<PageOf<v1::Entry>>([&](db::Tx& tx) -> absl::StatusOr<PageOf<v1::Entry>> {
    return KeysetPage(
        tx.exec_prepared("entry_list", round.county_code, round.number, after.id, page.size + 1),
        page.size, EntryFromRow);
  });
}

// ------------------------------------------------------------------ judges

absl::StatusOr<v1::Judge> PgContestRepository::AddJudge(CallContext& call,
                                                        const v1::AddJudgeRequest& request,
                                                        const ResourceId& round) {
  return call.Mutate<v1::Judge>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::Judge> {
        ASSIGN_OR_RETURN(v1::Round r, LoadRound(tx, round, true, "judge.round_id"));
        RETURN_IF_ERROR(MayWriteRound(tx, call, round, "judge.round_id"));
        RETURN_IF_ERROR(BeforeJudging(r, "judges are added"));
        const v1::Judge& j = request.judge();
        v1::Judge candidate = j;
        candidate.set_id("(new)");
        for (const auto& row :
             tx.exec_prepared("entries_of_panel", round.county_code, round.number, j.panel())) {
          ASSIGN_OR_RETURN(v1::Entry e, EntryFromRow(row));
          RETURN_IF_ERROR(WithField(CheckConflict(candidate, e), "judge"));
        }
        v1::Judge out = JudgeFromRow(
            tx.exec_prepared1("judge_insert", round.county_code, round.number, j.name(), j.panel(),
                              j.cadre_id(), j.region_code(), j.party_org_id()));
        call.Audit(
            {.county_code = round.county_code, .resource = "judges/" + out.id(), .after = &out});
        return out;
      });
}

absl::StatusOr<v1::Entry> PgContestRepository::AssignPanel(CallContext& call,
                                                           const v1::AssignPanelRequest& request,
                                                           const ResourceId& entry) {
  return call.Mutate<v1::Entry>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::Entry> {
        ASSIGN_OR_RETURN(v1::Entry before, LoadEntry(tx, entry, true, "entry_id"));
        ASSIGN_OR_RETURN(ResourceId round, ResourceId::Parse("entry_id", before.round_id()));
        ASSIGN_OR_RETURN(v1::Round r, LoadRound(tx, round, true, "entry_id"));
        RETURN_IF_ERROR(MayWriteRound(tx, call, round, "entry_id"));
        RETURN_IF_ERROR(BeforeJudging(r, "panels are assigned"));
        for (const auto& row : tx.exec_prepared("judges_of_panel", round.county_code, round.number,
                                                request.panel())) {
          RETURN_IF_ERROR(WithField(CheckConflict(JudgeFromRow(row), before), "panel"));
        }
        v1::Entry after = before;
        after.set_panel(request.panel());
        tx.exec_prepared("entry_set_panel", entry.county_code, entry.number, request.panel());
        call.Audit({.county_code = entry.county_code,
                    .resource = "entries/" + after.id(),
                    .before = &before,
                    .after = &after});
        return after;
      });
}

absl::StatusOr<v1::ListMissingScoresResponse> PgContestRepository::MissingScores(
    CallContext& call, const ResourceId& round) {
  return call.Read<v1::ListMissingScoresResponse>(
      [&](db::Tx& tx) -> absl::StatusOr<v1::ListMissingScoresResponse> {
        ASSIGN_OR_RETURN(v1::Round r, LoadRound(tx, round, false, "round_id"));
        v1::ListMissingScoresResponse out;
        for (const auto& row : tx.exec_prepared("missing_scores", round.county_code, round.number,
                                                static_cast<int64_t>(r.rubric_size()))) {
          v1::MissingScores* m = out.add_judges();
          m->set_judge_id(ResourceId{round.county_code, row[0].as<int64_t>()}.ToString());
          m->set_judge_name(row[1].as<std::string>());
          m->set_expected(row[2].as<int64_t>());
          m->set_scored(row[3].as<int64_t>());
          m->set_missing(std::max<int64_t>(0, m->expected() - m->scored()));
        }
        return out;
      });
}

// ------------------------------------------------------------------ scores

namespace {

// The scores of one call, checked one by one against the round as they
// arrive and held as one sheet per judge and entry (a later score for the
// same dimension wins). Store sends on the sheets that are ready, so a
// batch's rows are written while the rest of it streams in.
class ScoreSheets {
 public:
  // Loads and locks the round, and what its scores are checked against.
  // `batch`: errors name "scores[i].", else "score.".
  static absl::StatusOr<ScoreSheets> Load(db::Tx& tx, CallContext& call, const ResourceId& round,
                                          bool batch) {
    ScoreSheets s;
    s.round_ = round;
    s.batch_ = batch;
    ASSIGN_OR_RETURN(s.r_, LoadRound(tx, round, true, batch ? "round_id" : "score.entry_id"));
    RETURN_IF_ERROR(MayWriteRound(tx, call, round, "round_id"));
    // While CLOSED, only entries reopened by an upheld appeal take scores.
    RETURN_IF_ERROR(AcceptsScores(s.r_));
    for (const auto& row : tx.exec_prepared("panels_of_round", round.county_code, round.number)) {
      s.judge_panel_[row[0].as<int64_t>()] = row[1].as<std::string>();
    }
    for (const auto& row :
         tx.exec_prepared("entry_panels_of_round", round.county_code, round.number)) {
      s.entry_of_[row[0].as<int64_t>()] = {.active = row[2].as<int>() == 1,
                                           .reopened = row[3].as<bool>(),
                                           .panel = row[1].as<std::string>()};
    }
    s.dims_ = static_cast<size_t>(s.r_.rubric_size());
    // A round without scores takes its sheets by plain inserts: nothing to
    // conflict with (the round is locked), so no look-up per row.
    s.insert_ =
        !tx.exec_prepared1("round_has_scores", round.county_code, round.number)[0].as<bool>();
    return s;
  }

  // Checks `scores`, the batch's scores from position `first` on; the
  // first bad one fails with its field named.
  absl::Status Add(const ScoreList& scores, size_t first) {
    auto named = [&](absl::Status st, size_t i) {
      if (st.ok()) return st;
      return NestField(std::move(st),
                       batch_ ? absl::StrCat("scores[", first + i, "].") : std::string("score."));
    };
    // Each dimension named, found in the rubric once.
    std::vector<absl::StatusOr<int>> dimension_at;
    dimension_at.reserve(scores.dimensions().size());
    for (const std::string& key : scores.dimensions()) {
      dimension_at.push_back(DimensionOf(key, r_.rubric()));
    }
    ResourceId here_judge{round_.county_code, 0}, here_entry{round_.county_code, 0};
    ResourceId whole_judge, whole_entry;
    for (size_t i = 0; i < scores.size(); ++i) {
      const ScoreList::Item& s = scores[i];
      int dim = 0;
      ResourceId& judge = s.whole < 0 ? here_judge : whole_judge;
      ResourceId& entry = s.whole < 0 ? here_entry : whole_entry;
      if (s.whole < 0) {
        const absl::StatusOr<int>& at = dimension_at[s.dimension];
        RETURN_IF_ERROR(named(at.status(), i));
        dim = *at;
        RETURN_IF_ERROR(named(CheckScoreValue(s.value, r_.rubric(dim)), i));
        judge.number = s.judge;
        entry.number = s.entry;
      } else {
        // An id that does not parse or names another county: refused
        // below, after the checks that come first.
        const v1::Score& w = scores.whole(s);
        absl::StatusOr<int> at = ValidateScore(w, r_.rubric());
        RETURN_IF_ERROR(named(at.status(), i));
        dim = *at;
        absl::StatusOr<ResourceId> judge_id = ResourceId::Parse("judge_id", w.judge_id());
        RETURN_IF_ERROR(named(judge_id.status(), i));
        absl::StatusOr<ResourceId> entry_id = ResourceId::Parse("entry_id", w.entry_id());
        RETURN_IF_ERROR(named(entry_id.status(), i));
        judge = *std::move(judge_id);
        entry = *std::move(entry_id);
      }
      auto jp = judge.county_code == round_.county_code ? judge_panel_.find(judge.number)
                                                        : judge_panel_.end();
      auto ep =
          entry.county_code == round_.county_code ? entry_of_.find(entry.number) : entry_of_.end();
      RETURN_IF_ERROR(named(MayScore(r_, judge, jp == judge_panel_.end() ? nullptr : &jp->second,
                                     entry, ep == entry_of_.end() ? nullptr : &ep->second),
                            i));
      Set(judge.number, entry.number, static_cast<size_t>(dim), s.value);
    }
    scores_ += static_cast<int64_t>(scores.size());
    return absl::OkStatus();
  }

  // Sheets ready to send: every dimension scored and not yet sent, or
  // changed since.
  size_t ready() const { return ready_.size(); }

  // The statements that store the ready sheets (`all`: every sheet not
  // stored as it stands), as text: a batch sends them through a pipeline
  // while it streams. Each sheet's values are an array literal, one per
  // rubric dimension, NULL where no score was given; an upsert keeps the
  // stored values the new sheet leaves NULL. Literals need no escaping:
  // the county code is digits (ResourceId), the rest numbers.
  void Store(absl::FunctionRef<void(const std::string&)> run, bool all) {
    if (all) {
      for (size_t k = 0; k < sheets_.size(); ++k) {
        if (!sheets_[k].ready && !sheets_[k].stored) Ready(k);
      }
    }
    std::vector<int64_t> judges[2], entries[2];
    std::string values[2];  // 0: inserts, 1: upserts
    char buf[32];
    for (size_t k : ready_) {
      Sheet& sheet = sheets_[k];
      const int how = insert_ && !sheet.stored ? 0 : 1;
      sheet.ready = false;
      sheet.stored = true;
      judges[how].push_back(sheet.judge);
      entries[how].push_back(sheet.entry);
      // {"{1.5,NULL,3}",…}: each value the shortest text that reads back
      // as the same double.
      std::string& text = values[how];
      text += text.empty() ? "{\"{" : ",\"{";
      for (size_t d = 0; d < dims_; ++d) {
        if (d) text += ',';
        const std::optional<double>& v = values_[k * dims_ + d];
        if (v) {
          text.append(buf, std::to_chars(buf, buf + sizeof buf, *v).ptr);
        } else {
          text += "NULL";
        }
      }
      text += "}\"";
    }
    ready_.clear();
    for (int how : {0, 1}) {
      if (judges[how].empty()) continue;
      values[how] += "}";
      std::string sql = absl::StrCat(
          "INSERT INTO score_sheets (county_code, round_id, judge_id, entry_id, value) SELECT '",
          round_.county_code, "', ", round_.number, ", j, e, v::float8[] FROM unnest('",
          IntArray64(judges[how]), "'::bigint[], '", IntArray64(entries[how]), "'::bigint[], '",
          values[how], "'::text[]) AS x(j, e, v)");
      if (how == 1) {
        sql +=
            " ON CONFLICT (county_code, round_id, entry_id, judge_id) DO UPDATE SET "
            "value = ARRAY(SELECT coalesce(n, o) FROM unnest(EXCLUDED.value, score_sheets.value) "
            "WITH ORDINALITY AS u(n, o, i) ORDER BY i), update_time = now()";
      }
      run(sql);
    }
  }

  // After the last Store: the answer, the rubric locked once scored, and
  // one audit row for the call (who stored how many scores in which round).
  v1::SubmitScoresResponse Finish(db::Tx& tx, CallContext& call) {
    if (scores_ > 0 && !r_.rubric_locked()) {
      tx.exec_prepared("round_lock_rubric", round_.county_code, round_.number);
    }
    v1::SubmitScoresResponse out;
    out.set_scores_stored(scores_);
    call.Audit({.county_code = round_.county_code,
                .resource = "rounds/" + round_.ToString() + "/scores",
                .after = &out});
    return out;
  }

 private:
  struct Sheet {
    int64_t judge = 0, entry = 0;
    size_t scored = 0;   // dimensions with a value
    bool ready = false;  // in ready_
    bool stored = false;
  };

  void Set(int64_t judge, int64_t entry, size_t dim, double value) {
    auto [it, fresh] = sheet_of_.emplace(std::make_pair(judge, entry), sheets_.size());
    if (fresh) {
      sheets_.push_back({.judge = judge, .entry = entry});
      values_.resize(values_.size() + dims_);
    }
    const size_t k = it->second;
    std::optional<double>& v = values_[k * dims_ + dim];
    Sheet& sheet = sheets_[k];
    if (!v) ++sheet.scored;
    v = value;
    if (!sheet.ready && (sheet.stored || sheet.scored == dims_)) Ready(k);
  }
  void Ready(size_t k) {
    sheets_[k].ready = true;
    ready_.push_back(k);
  }

  ResourceId round_;
  bool batch_ = false;
  v1::Round r_;
  size_t dims_ = 0;
  bool insert_ = false;
  absl::flat_hash_map<int64_t, std::string> judge_panel_;
  absl::flat_hash_map<int64_t, ScoredEntry> entry_of_;
  absl::flat_hash_map<std::pair<int64_t, int64_t>, size_t> sheet_of_;
  std::vector<Sheet> sheets_;
  std::vector<std::optional<double>> values_;  // dims_ per sheet
  std::vector<size_t> ready_;
  int64_t scores_ = 0;
};

// A batch of scores written as it streams in: groups of sheets go through
// a pipeline (pqxx::pipeline: sent at once, results read at the end), so
// Postgres stores one group while the next streams in and is checked.
class PgScoreWriter final : public ScoreWriter {
 public:
  // Sheets sent in one statement while the batch streams (~2,500 scores of
  // a five-dimension rubric; B5 measured 500 against 1,200 and 2,400).
  static constexpr size_t kGroup = 500;

  absl::Status Begin(CallContext& call, const std::string& request_id, const ResourceId& round) {
    call_ = &call;
    RETURN_IF_ERROR(mutation_.Begin(call, request_id));
    if (mutation_.tx() == nullptr) return absl::OkStatus();  // a retry
    ASSIGN_OR_RETURN(ScoreSheets s, ScoreSheets::Load(*mutation_.tx(), call, round, true));
    sheets_.emplace(std::move(s));
    pipeline_ = std::make_unique<pqxx::pipeline>(*mutation_.tx());
    return absl::OkStatus();
  }

  absl::Status Add(const ScoreList& scores, size_t first) override {
    if (!sheets_) return absl::OkStatus();  // a retry: compared at the end
    RETURN_IF_ERROR(sheets_->Add(scores, first));
    if (sheets_->ready() >= kGroup) {
      sheets_->Store([&](const std::string& sql) { pipeline_->insert(sql); }, false);
    }
    return absl::OkStatus();
  }

  absl::StatusOr<v1::SubmitScoresResponse> Finish(
      const idempotency::Fingerprint& request) override {
    v1::SubmitScoresResponse out;
    if (sheets_) {
      sheets_->Store([&](const std::string& sql) { pipeline_->insert(sql); }, true);
      // Every result read: a statement that failed throws here.
      while (!pipeline_->empty()) pipeline_->retrieve();
      pipeline_.reset();
      out = sheets_->Finish(*mutation_.tx(), *call_);
    }
    RETURN_IF_ERROR(mutation_.Finish(request, out));
    return out;
  }

 private:
  CallContext* call_ = nullptr;
  StreamMutation mutation_;
  std::optional<ScoreSheets> sheets_;  // null on a retry
  std::unique_ptr<pqxx::pipeline> pipeline_;
};

}  // namespace

absl::StatusOr<v1::SubmitScoresResponse> PgContestRepository::SubmitScore(
    CallContext& call, const idempotency::Fingerprint& request, const std::string& request_id,
    const ResourceId& round, const ScoreList& score) {
  return call.Mutate<v1::SubmitScoresResponse>(
      request, request_id, [&](db::Tx& tx) -> absl::StatusOr<v1::SubmitScoresResponse> {
        ASSIGN_OR_RETURN(ScoreSheets sheets, ScoreSheets::Load(tx, call, round, false));
        RETURN_IF_ERROR(sheets.Add(score, 0));
        sheets.Store([&](const std::string& sql) { tx.exec(sql); }, true);
        return sheets.Finish(tx, call);
      });
}

absl::StatusOr<std::unique_ptr<ScoreWriter>> PgContestRepository::WriteScores(
    CallContext& call, const std::string& request_id, const ResourceId& round) {
  auto writer = std::make_unique<PgScoreWriter>();
  RETURN_IF_ERROR(writer->Begin(call, request_id, round));
  return writer;
}

// ------------------------------------------------------------------ by id

absl::StatusOr<v1::Entry> PgContestRepository::GetEntry(CallContext& call, const ResourceId& id) {
  return call.Read<v1::Entry>([&](db::Tx& tx) { return LoadEntry(tx, id, false, "id"); });
}

absl::StatusOr<v1::Judge> PgContestRepository::GetJudge(CallContext& call, const ResourceId& id) {
  return ReadRow(call, "judge_get", "judge", id, JudgeFromRow);
}

absl::StatusOr<PageOf<v1::Judge>> PgContestRepository::ListJudges(CallContext& call,
                                                                  const ResourceId& round,
                                                                  const std::string& panel,
                                                                  const paging::Page& page) {
  ASSIGN_OR_RETURN(Keyset after, Keyset::Parse(page.cursor));
  return call.Read<PageOf<v1::Judge>>([&](db::Tx& tx) -> absl::StatusOr<PageOf<v1::Judge>> {
    RETURN_IF_ERROR(LoadRound(tx, round, false, "round_id").status());
    return KeysetPage(tx.exec_prepared("judge_list", round.county_code, round.number, panel,
                                       after.id, page.size + 1),
                      page.size, JudgeFromRow);
  });
}

}  // namespace touyan::contest
