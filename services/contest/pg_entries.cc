#include <charconv>
#include <optional>
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
      // Score sheets: $5 holds each sheet's values as an array literal, one
      // per rubric dimension, NULL where the batch has none. A sheet already
      // stored keeps the values the new one leaves NULL.
      {"score_upsert_many",
       "INSERT INTO score_sheets (county_code, round_id, judge_id, entry_id, value) "
       "SELECT $1, $2, j, e, v::float8[] FROM unnest($3::bigint[], $4::bigint[], $5::text[]) "
       "AS x(j, e, v) "
       "ON CONFLICT (county_code, round_id, entry_id, judge_id) DO UPDATE SET "
       "value = ARRAY(SELECT coalesce(n, o) FROM unnest(EXCLUDED.value, score_sheets.value) "
       "WITH ORDINALITY AS u(n, o, i) ORDER BY i), update_time = now()"},
      // A round's first scores: nothing to conflict with (the round is
      // locked), so no look-up per row.
      {"score_insert_many",
       "INSERT INTO score_sheets (county_code, round_id, judge_id, entry_id, value) "
       "SELECT $1, $2, j, e, v::float8[] FROM unnest($3::bigint[], $4::bigint[], $5::text[]) "
       "AS x(j, e, v)"},
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

absl::StatusOr<v1::SubmitScoresResponse> PgContestRepository::SubmitScores(
    CallContext& call, const idempotency::Fingerprint& request, const std::string& request_id,
    const ResourceId& round, const ScoreList& scores, bool batch) {
  return call.Mutate<v1::SubmitScoresResponse>(
      request, request_id, [&](db::Tx& tx) -> absl::StatusOr<v1::SubmitScoresResponse> {
        ASSIGN_OR_RETURN(v1::Round r,
                         LoadRound(tx, round, true, batch ? "round_id" : "score.entry_id"));
        RETURN_IF_ERROR(MayWriteRound(tx, call, round, "round_id"));
        // While CLOSED, only entries reopened by an upheld appeal take scores.
        RETURN_IF_ERROR(AcceptsScores(r));
        // The round's judges and entries by number, with their panels.
        absl::flat_hash_map<int64_t, std::string> judge_panel;
        absl::flat_hash_map<int64_t, ScoredEntry> entry_of;
        for (const auto& row :
             tx.exec_prepared("panels_of_round", round.county_code, round.number)) {
          judge_panel[row[0].as<int64_t>()] = row[1].as<std::string>();
        }
        for (const auto& row :
             tx.exec_prepared("entry_panels_of_round", round.county_code, round.number)) {
          entry_of[row[0].as<int64_t>()] = {.active = row[2].as<int>() == 1,
                                            .reopened = row[3].as<bool>(),
                                            .panel = row[1].as<std::string>()};
        }
        // Checked one by one, stored in one statement as one sheet per judge
        // and entry (a later score for the same dimension wins).
        const size_t dims = static_cast<size_t>(r.rubric_size());
        absl::flat_hash_map<std::pair<int64_t, int64_t>, size_t> sheet_of;
        std::vector<int64_t> judges, entries;
        std::vector<std::optional<double>> values;  // dims per sheet
        // An error names the score's field; its prefix is built only then.
        auto named = [&](absl::Status st, size_t i) {
          if (st.ok()) return st;
          return NestField(std::move(st),
                           batch ? absl::StrCat("scores[", i, "].") : std::string("score."));
        };
        // Each dimension named, found in the rubric once.
        std::vector<absl::StatusOr<int>> dimension_at;
        dimension_at.reserve(scores.dimensions().size());
        for (const std::string& key : scores.dimensions()) {
          dimension_at.push_back(DimensionOf(key, r.rubric()));
        }
        ResourceId here_judge{round.county_code, 0}, here_entry{round.county_code, 0};
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
            RETURN_IF_ERROR(named(CheckScoreValue(s.value, r.rubric(dim)), i));
            judge.number = s.judge;
            entry.number = s.entry;
          } else {
            // An id that does not parse or names another county: refused
            // below, after the checks that come first.
            const v1::Score& w = scores.whole(s);
            absl::StatusOr<int> at = ValidateScore(w, r.rubric());
            RETURN_IF_ERROR(named(at.status(), i));
            dim = *at;
            absl::StatusOr<ResourceId> judge_id = ResourceId::Parse("judge_id", w.judge_id());
            RETURN_IF_ERROR(named(judge_id.status(), i));
            absl::StatusOr<ResourceId> entry_id = ResourceId::Parse("entry_id", w.entry_id());
            RETURN_IF_ERROR(named(entry_id.status(), i));
            judge = *std::move(judge_id);
            entry = *std::move(entry_id);
          }
          auto jp = judge.county_code == round.county_code ? judge_panel.find(judge.number)
                                                           : judge_panel.end();
          auto ep =
              entry.county_code == round.county_code ? entry_of.find(entry.number) : entry_of.end();
          RETURN_IF_ERROR(named(MayScore(r, judge, jp == judge_panel.end() ? nullptr : &jp->second,
                                         entry, ep == entry_of.end() ? nullptr : &ep->second),
                                i));
          auto [it, fresh] =
              sheet_of.emplace(std::make_pair(judge.number, entry.number), judges.size());
          if (fresh) {
            judges.push_back(judge.number);
            entries.push_back(entry.number);
            values.resize(values.size() + dims);
          }
          values[it->second * dims + static_cast<size_t>(dim)] = s.value;
        }
        if (!judges.empty()) {
          // Each sheet as an array literal, each value the shortest text that
          // reads back as the same double: {"{1.5,NULL,3}",…}.
          std::string sheets = "{";
          char buf[32];
          for (size_t k = 0; k < judges.size(); ++k) {
            sheets += k ? ",\"{" : "\"{";
            for (size_t d = 0; d < dims; ++d) {
              if (d) sheets += ',';
              const std::optional<double>& v = values[k * dims + d];
              if (v) {
                sheets.append(buf, std::to_chars(buf, buf + sizeof buf, *v).ptr);
              } else {
                sheets += "NULL";
              }
            }
            sheets += "}\"";
          }
          sheets += "}";
          // A batch into a round without scores inserts; otherwise the new
          // values replace the stored ones of the same judge, entry and
          // dimension.
          const bool first =
              batch &&
              !tx.exec_prepared1("round_has_scores", round.county_code, round.number)[0].as<bool>();
          tx.exec_prepared(first ? "score_insert_many" : "score_upsert_many", round.county_code,
                           round.number, IntArray64(judges), IntArray64(entries), sheets);
        }
        if (!scores.empty() && !r.rubric_locked()) {
          tx.exec_prepared("round_lock_rubric", round.county_code, round.number);
        }
        v1::SubmitScoresResponse out;
        out.set_scores_stored(static_cast<int64_t>(scores.size()));
        // One audit row for the batch: who stored how many scores in which round.
        call.Audit({.county_code = round.county_code,
                    .resource = "rounds/" + round.ToString() + "/scores",
                    .after = &out});
        return out;
      });
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
