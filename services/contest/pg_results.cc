#include "common/call/read_row.h"
#include "services/contest/pg_rows.h"

// Results and sign-offs, appeals, outcomes, standings, promotion to the next round.
namespace touyan::contest {

std::vector<db::Statement> ResultStatements() {
  const std::string c = kContestCols, r = kRoundCols, e = kEntryCols, j = kJudgeCols;
  return {
      {"results_get",
       "SELECT result::text FROM results WHERE county_code = $1 AND round_id = $2 ORDER BY "
       "position"},
      {"appeal_insert",
       "INSERT INTO appeals (county_code, entry_id, reason) VALUES ($1, $2, $3) RETURNING " +
           std::string(kAppealCols)},
      {"appeal_lock", "SELECT " + std::string(kAppealCols) +
                          " FROM appeals WHERE county_code = $1 AND id = $2 FOR UPDATE"},
      {"appeal_get",
       "SELECT " + std::string(kAppealCols) + " FROM appeals WHERE county_code = $1 AND id = $2"},
      {"appeal_list",
       "SELECT a.county_code, a.id, a.entry_id, a.reason, a.state, a.decision_note, " TOUYAN_MICROS(
           "a.file_time") " FROM appeals a JOIN entries e ON e.county_code = a.county_code AND "
                          "e.id = a.entry_id "
                          "WHERE a.county_code = $1 AND e.round_id = $2 AND ($3 = 0 OR a.state = "
                          "$3) "
                          "AND a.id > $4 ORDER BY a.id LIMIT $5"},
      {"appeal_decide",
       "UPDATE appeals SET state = $3, decision_note = $4 WHERE county_code = $1 AND id = $2"},
      {"entry_reopen", "UPDATE entries SET reopened = true WHERE county_code = $1 AND id = $2"},
      {"entries_reopened",
       "SELECT count(*) FROM entries WHERE county_code = $1 AND round_id = $2 AND reopened"},
      {"entries_close_reopened",
       "UPDATE entries SET reopened = false WHERE county_code = $1 AND round_id = $2 AND reopened"},
      {"outcome_insert",
       "INSERT INTO outcomes (county_code, round_id, entry_id, kind, rank, year, region_prefix, "
       "instructor, rectification_deadline) "
       "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULLIF($9, '')::date) ON CONFLICT (county_code, "
       "round_id, entry_id, kind) DO "
       "NOTHING"},
      {"entry_fields", "SELECT id, field FROM entries WHERE county_code = $1 AND round_id = $2"},
      {"outcome_set_designation",
       "UPDATE outcomes SET designation_id = $3 WHERE county_code = $1 AND id = $2 AND "
       "designation_id = ''"},
      {"outcomes_of_round", "SELECT " + std::string(kOutcomeCols) +
                                " FROM outcomes o JOIN entries e ON e.county_code = o.county_code "
                                "AND e.id = o.entry_id WHERE o.county_code = $1 AND o.round_id = "
                                "$2 ORDER BY o.kind, o.rank, o.id"},
      {"outcome_get", "SELECT " + std::string(kOutcomeCols) +
                          " FROM outcomes o JOIN entries e ON e.county_code = o.county_code "
                          "AND e.id = o.entry_id WHERE o.county_code = $1 AND o.id = $2"},
      {"outcome_list",
       "SELECT " + std::string(kOutcomeCols) +
           " FROM outcomes o JOIN entries e ON e.county_code = o.county_code "
           "AND e.id = o.entry_id WHERE o.county_code >= $1 AND o.county_code < ($1 || ':') AND "
           "starts_with(o.region_prefix, $2) "
           "AND ($3 = 0 OR o.year = $3) AND (o.county_code, o.id) > ($4, $5) ORDER BY "
           "o.county_code, o.id LIMIT $6"},
      // Each cadre's best row: the highest level, then the latest round.
      // Driven by the ids asked for, each looked up by results_cadre_id (a
      // plain column, usable under row-level security): a join the other
      // way round read every result of the year.
      {"cadre_results",
       "SELECT want.cadre_id, b.* FROM (SELECT DISTINCT id FROM json_array_elements_text($2::json) "
       "AS t(id)) "
       "AS want(cadre_id) CROSS JOIN LATERAL ("
       "SELECT r.county_code, r.id, r.name, c.level, "
       "(res.result->>'rank')::int, (SELECT count(*) FROM results x WHERE x.county_code = "
       "res.county_code "
       "AND x.round_id = res.round_id), coalesce((res.result->>'total')::float8, 0), "
       "coalesce((res.result->>'stars')::int, 0) FROM results res JOIN rounds r ON r.county_code = "
       "res.county_code "
       "AND r.id = res.round_id JOIN contests c ON c.county_code = r.county_code AND c.id = "
       "r.contest_id "
       "WHERE res.published AND c.year = $1 AND res.cadre_id = want.cadre_id "
       "ORDER BY c.level DESC, r.number DESC, r.id DESC LIMIT 1) b ORDER BY want.cadre_id"},
      // The scores stored (values, not sheets) and the latest change.
      {"scores_version",
       "SELECT coalesce(sum(num_nonnulls(VARIADIC value)), 0), "
       "coalesce(" TOUYAN_MICROS("max(update_time)") ", 0) FROM score_sheets "
                                                     "WHERE county_code = $1 AND round_id = $2"},
      {"sign_off_insert",
       "INSERT INTO sign_offs (county_code, round_id, role, name, digest, signer) VALUES ($1, $2, "
       "$3, $4, $5, $6) "
       "ON CONFLICT DO NOTHING RETURNING " TOUYAN_MICROS("sign_time")},
      {"sign_offs_get", "SELECT role, name, digest, " TOUYAN_MICROS(
                            "sign_time") " FROM sign_offs "
                                         "WHERE county_code = $1 AND round_id = $2 AND digest = $3 "
                                         "ORDER BY role, name"},
  };
}

// ----------------------------------------------------------------- results

absl::StatusOr<v1::Results> PgContestRepository::GetResults(CallContext& call,
                                                            const ResourceId& round) {
  return call.Read<v1::Results>([&](db::Tx& tx) -> absl::StatusOr<v1::Results> {
    ASSIGN_OR_RETURN(v1::Round r, LoadRound(tx, round, false, "round_id"));
    RETURN_IF_ERROR(HasResults(r));
    v1::Results out;
    out.set_round_id(r.id());
    out.set_state(r.state());
    out.set_aggregation(r.aggregation());
    out.set_digest(r.results_digest());
    for (const auto& row : tx.exec_prepared("results_get", round.county_code, round.number)) {
      RETURN_IF_ERROR(
          ReadResult(absl::string_view(row[0].c_str(), row[0].size()), *out.add_entries()));
    }
    for (const auto& row :
         tx.exec_prepared("sign_offs_get", round.county_code, round.number, r.results_digest())) {
      v1::SignOff* s = out.add_sign_offs();
      s->set_round_id(r.id());
      s->set_role(static_cast<v1::SignerRole>(row[0].as<int>()));
      s->set_name(row[1].as<std::string>());
      s->set_digest(row[2].as<std::string>());
      *s->mutable_sign_time() = TimestampFromMicros(row[3].as<int64_t>());
    }
    return out;
  });
}

absl::StatusOr<v1::SignOff> PgContestRepository::SignResults(CallContext& call,
                                                             const v1::SignResultsRequest& request,
                                                             const ResourceId& round) {
  return call.Mutate<v1::SignOff>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::SignOff> {
        ASSIGN_OR_RETURN(v1::Round r, LoadRound(tx, round, true, "sign_off.round_id"));
        RETURN_IF_ERROR(MayWriteRound(tx, call, round, "sign_off.round_id"));
        const v1::SignOff& s = request.sign_off();
        RETURN_IF_ERROR(NestField(CheckSignOff(r, s), "sign_off."));
        pqxx::result row = tx.exec_prepared("sign_off_insert", round.county_code, round.number,
                                            static_cast<int>(s.role()), s.name(), s.digest(),
                                            call.principal().subject);
        v1::SignOff out = s;
        out.set_round_id(r.id());
        if (!row.empty()) *out.mutable_sign_time() = TimestampFromMicros(row[0][0].as<int64_t>());
        call.Audit({.county_code = round.county_code,
                    .resource = "rounds/" + r.id() + "/signOffs",
                    .after = &out});
        return out;
      });
}

// ----------------------------------------------------------------- appeals

absl::StatusOr<v1::Appeal> PgContestRepository::FileAppeal(CallContext& call,
                                                           const v1::FileAppealRequest& request,
                                                           const ResourceId& entry) {
  return call.Mutate<v1::Appeal>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::Appeal> {
        ASSIGN_OR_RETURN(v1::Entry e, LoadEntry(tx, entry, true, "entry_id"));
        ASSIGN_OR_RETURN(ResourceId round, ResourceId::Parse("entry_id", e.round_id()));
        ASSIGN_OR_RETURN(v1::Round r, LoadRound(tx, round, false, "entry_id"));
        RETURN_IF_ERROR(MayWriteRound(tx, call, round, "entry_id"));
        RETURN_IF_ERROR(MayAppeal(r, call.clock().Now()));
        v1::Appeal out = AppealFromRow(
            tx.exec_prepared1("appeal_insert", entry.county_code, entry.number, request.reason()));
        call.Audit(
            {.county_code = entry.county_code, .resource = "appeals/" + out.id(), .after = &out});
        return out;
      });
}

absl::StatusOr<v1::Appeal> PgContestRepository::DecideAppeal(CallContext& call,
                                                             const v1::DecideAppealRequest& request,
                                                             const ResourceId& id) {
  return call.Mutate<v1::Appeal>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::Appeal> {
        pqxx::result row = tx.exec_prepared("appeal_lock", id.county_code, id.number);
        if (row.empty()) return NotFound("id", "appeal", id.ToString());
        const v1::Appeal before = AppealFromRow(row[0]);
        RETURN_IF_ERROR(MayDecide(before));
        ASSIGN_OR_RETURN(ResourceId entry, ResourceId::Parse("id", before.entry_id()));
        ASSIGN_OR_RETURN(v1::Entry e, LoadEntry(tx, entry, true, "id"));
        ASSIGN_OR_RETURN(ResourceId round, ResourceId::Parse("id", e.round_id()));
        ASSIGN_OR_RETURN(v1::Round r, LoadRound(tx, round, true, "id"));
        RETURN_IF_ERROR(MayWriteRound(tx, call, round, "id"));
        RETURN_IF_ERROR(RequireState(r.state(), v1::ROUND_STATE_CLOSED, "appeals are decided"));
        v1::Appeal after = before;
        after.set_state(request.upheld() ? v1::APPEAL_STATE_UPHELD : v1::APPEAL_STATE_REJECTED);
        after.set_decision_note(request.note());
        tx.exec_prepared("appeal_decide", id.county_code, id.number,
                         static_cast<int>(after.state()), request.note());
        if (request.upheld()) tx.exec_prepared("entry_reopen", entry.county_code, entry.number);
        call.Audit({.county_code = id.county_code,
                    .resource = "appeals/" + after.id(),
                    .before = &before,
                    .after = &after});
        return after;
      });
}

absl::StatusOr<v1::Round> PgContestRepository::Retabulate(CallContext& call,
                                                          const v1::RetabulateRoundRequest& request,
                                                          const ResourceId& round) {
  return call.Mutate<v1::Round>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::Round> {
        ASSIGN_OR_RETURN(v1::Round before, LoadRound(tx, round, true, "round_id"));
        RETURN_IF_ERROR(MayWriteRound(tx, call, round, "round_id"));
        RETURN_IF_ERROR(MayRetabulate(
            before, tx.exec_prepared1("entries_reopened", round.county_code, round.number)[0]
                        .as<int64_t>()));
        v1::Round after = before;
        RETURN_IF_ERROR(Tabulate(tx, round, after));
        tx.exec_prepared("entries_close_reopened", round.county_code, round.number);
        call.Audit({.county_code = round.county_code,
                    .resource = "rounds/" + after.id(),
                    .before = &before,
                    .after = &after});
        return after;
      });
}

// ---------------------------------------------------------------- outcomes

absl::StatusOr<v1::ConvertOutcomesResponse> PgContestRepository::SelectOutcomes(
    CallContext& call, const v1::ConvertOutcomesRequest& request, const ResourceId& round) {
  return call.Mutate<v1::ConvertOutcomesResponse>(
      request, request.request_id(),
      [&](db::Tx& tx) -> absl::StatusOr<v1::ConvertOutcomesResponse> {
        ASSIGN_OR_RETURN(v1::Round r, LoadRound(tx, round, true, "round_id"));
        RETURN_IF_ERROR(MayWriteRound(tx, call, round, "round_id"));
        pqxx::row c = tx.exec_prepared1("round_contest", round.county_code, round.number);
        RETURN_IF_ERROR(MayConvertOutcomes(r));
        const int year = c[1].as<int>();
        const std::string prefix = c[2].as<std::string>();
        std::map<int64_t, int> field;  // entry → its organisation's kind
        for (const auto& row : tx.exec_prepared("entry_fields", round.county_code, round.number)) {
          field[row[0].as<int64_t>()] = row[1].as<int>();
        }
        struct Ranked {
          int64_t entry;
          int rank;
        };
        std::vector<Ranked> results;  // best first
        for (const auto& row : tx.exec_prepared("results_get", round.county_code, round.number)) {
          v1::EntryResult er;
          RETURN_IF_ERROR(ReadResult(absl::string_view(row[0].c_str(), row[0].size()), er));
          ASSIGN_OR_RETURN(ResourceId entry, ResourceId::Parse("round_id", er.entry_id()));
          results.push_back({entry.number, er.rank()});
        }
        for (const v1::OutcomeRule& rule : request.rules()) {
          std::vector<Ranked> among;  // the rule's fields only
          for (const Ranked& x : results) {
            if (rule.fields().empty() || std::find(rule.fields().begin(), rule.fields().end(),
                                                   field[x.entry]) != rule.fields().end()) {
              among.push_back(x);
            }
          }
          const bool bottom = rule.kind() == v1::OUTCOME_KIND_RECTIFICATION_TARGET;
          // The rank at the cut: the n-th from the top (or bottom); ties at it are in.
          const int n = std::min<int>(rule.n(), static_cast<int>(among.size()));
          if (n == 0) continue;
          const int cut = bottom ? among[among.size() - n].rank : among[n - 1].rank;
          const std::string deadline =
              IsSet(rule.rectification_deadline())
                  ? IsoDate(*ToCivilDay("rectification_deadline", rule.rectification_deadline()))
                  : "";
          for (const Ranked& x : among) {
            if (bottom ? x.rank < cut : x.rank > cut) continue;
            tx.exec_prepared("outcome_insert", round.county_code, round.number, x.entry,
                             static_cast<int>(rule.kind()), x.rank, year, prefix, rule.instructor(),
                             deadline);
          }
        }
        v1::ConvertOutcomesResponse out;
        for (const auto& row :
             tx.exec_prepared("outcomes_of_round", round.county_code, round.number)) {
          *out.add_outcomes() = OutcomeFromRow(row);
        }
        call.Audit({.county_code = round.county_code,
                    .resource = "rounds/" + r.id() + "/outcomes",
                    .after = &out});
        return out;
      });
}

absl::Status PgContestRepository::SetOutcomeDesignation(CallContext& call,
                                                        const std::string& request_id,
                                                        const ResourceId& outcome,
                                                        const std::string& designation_id) {
  v1::Outcome marker;
  marker.set_id(outcome.ToString());
  marker.set_designation_id(designation_id);
  return call
      .Mutate<v1::Outcome>(marker, request_id,
                           [&](db::Tx& tx) -> absl::StatusOr<v1::Outcome> {
                             tx.exec_prepared("outcome_set_designation", outcome.county_code,
                                              outcome.number, designation_id);
                             call.Audit({.county_code = outcome.county_code,
                                         .resource = "outcomes/" + marker.id(),
                                         .after = &marker});
                             return marker;
                           })
      .status();
}

absl::StatusOr<std::vector<v1::Outcome>> PgContestRepository::RoundOutcomes(
    CallContext& call, const ResourceId& round) {
  using Out = std::vector<v1::Outcome>;
  return call.Read<Out>([&](db::Tx& tx) -> absl::StatusOr<Out> {
    Out out;
    for (const auto& row : tx.exec_prepared("outcomes_of_round", round.county_code, round.number)) {
      out.push_back(OutcomeFromRow(row));
    }
    return out;
  });
}

absl::StatusOr<v1::BatchGetCadreResultsResponse> PgContestRepository::CadreResults(
    CallContext& call, int year, const google::protobuf::RepeatedPtrField<std::string>& cadre_ids) {
  return call.Read<v1::BatchGetCadreResultsResponse>([&](db::Tx& tx) {
    v1::BatchGetCadreResultsResponse out;
    for (const auto& row : tx.exec_prepared("cadre_results", year, JsonStrings(cadre_ids))) {
      v1::CadreResult* c = out.add_results();
      c->set_cadre_id(row[0].as<std::string>());
      c->set_round_id(ResourceId{row[1].as<std::string>(), row[2].as<int64_t>()}.ToString());
      c->set_round_name(row[3].as<std::string>());
      c->set_level(static_cast<v1::Level>(row[4].as<int>()));
      c->set_rank(row[5].as<int>());
      c->set_entrants(row[6].as<int>());
      c->set_total(row[7].as<double>());
      c->set_stars(row[8].as<int>());
    }
    return absl::StatusOr<v1::BatchGetCadreResultsResponse>(std::move(out));
  });
}

absl::StatusOr<PageOf<v1::Outcome>> PgContestRepository::ListOutcomes(
    CallContext& call, const std::string& region_prefix, int year, const paging::Page& page) {
  ASSIGN_OR_RETURN(Keyset after, Keyset::Parse(page.cursor));
  return call.Read<PageOf<v1::Outcome>>([&](db::Tx& tx) -> absl::StatusOr<PageOf<v1::Outcome>> {
    return KeysetPage(tx.exec_prepared("outcome_list", CountyPrefix(region_prefix), region_prefix,
                                       year, after.county, after.id, page.size + 1),
                      page.size, OutcomeFromRow);
  });
}

// --------------------------------------------------------------- standings

absl::StatusOr<std::optional<v1::Standings>> PgContestRepository::Standings(CallContext& call,
                                                                            const ResourceId& round,
                                                                            std::string* version) {
  using Out = std::optional<v1::Standings>;
  return call.Read<Out>([&](db::Tx& tx) -> absl::StatusOr<Out> {
    ASSIGN_OR_RETURN(v1::Round r, LoadRound(tx, round, false, "round_id"));
    RETURN_IF_ERROR(HasStandings(r));
    pqxx::row v = tx.exec_prepared1("scores_version", round.county_code, round.number);
    const std::string now = absl::StrCat(r.state(), ":", v[0].as<int64_t>(), ":",
                                         v[1].as<int64_t>(), ":", r.results_digest());
    if (now == *version) return Out();
    *version = now;
    v1::Standings out;
    out.set_round_id(r.id());
    out.set_state(r.state());
    out.set_scores(v[0].as<int64_t>());
    out.set_final(r.state() >= v1::ROUND_STATE_CLOSED);
    for (auto& e : contest::Tabulate(LoadInput(tx, round, r))) *out.add_entries() = std::move(e);
    return out;
  });
}

// --------------------------------------------------------------- promotion

absl::StatusOr<v1::PromoteAdvancersResponse> PgContestRepository::PromoteAdvancers(
    CallContext& call, const v1::PromoteAdvancersRequest& request, const ResourceId& from,
    const ResourceId& to) {
  return call.Mutate<v1::PromoteAdvancersResponse>(
      request, request.request_id(),
      [&](db::Tx& tx) -> absl::StatusOr<v1::PromoteAdvancersResponse> {
        ASSIGN_OR_RETURN(v1::Round source, LoadRound(tx, from, false, "from_round_id"));
        RETURN_IF_ERROR(WithField(
            RequireState(source.state(), v1::ROUND_STATE_PUBLISHED, "advancers are promoted"),
            "from_round_id"));
        ASSIGN_OR_RETURN(v1::Round target, LoadRound(tx, to, true, "to_round_id"));
        RETURN_IF_ERROR(MayWriteRound(tx, call, to, "to_round_id"));
        RETURN_IF_ERROR(
            WithField(RequireState(target.state(), v1::ROUND_STATE_OPEN, "entries are accepted"),
                      "to_round_id"));
        const std::string region =
            tx.exec_prepared1("round_contest", to.county_code, to.number)[2].as<std::string>();
        v1::PromoteAdvancersResponse out;
        for (const auto& row : tx.exec_prepared("results_get", from.county_code, from.number)) {
          v1::EntryResult er;
          RETURN_IF_ERROR(ReadResult(absl::string_view(row[0].c_str(), row[0].size()), er));
          if (!er.advances()) continue;
          ASSIGN_OR_RETURN(ResourceId eid, ResourceId::Parse("from_round_id", er.entry_id()));
          ASSIGN_OR_RETURN(v1::Entry e, LoadEntry(tx, eid, false, "from_round_id"));
          RETURN_IF_ERROR(WithField(WithinRegion(e, region), "to_round_id"));
          pqxx::result made = tx.exec_prepared(
              "entry_insert", to.county_code, to.number, e.cadre_id(), e.cadre_name(),
              e.village_code(), ToJson(e.report()), e.party_org_id(), static_cast<int>(e.field()));
          if (made.empty()) continue;  // entered already
          ASSIGN_OR_RETURN(v1::Entry created, EntryFromRow(made[0]));
          call.Audit({.county_code = to.county_code,
                      .resource = "entries/" + created.id(),
                      .after = &created});
          *out.add_entries() = std::move(created);
        }
        return out;
      });
}

// ----------------------------------------------------------------- appeals

absl::StatusOr<v1::Appeal> PgContestRepository::GetAppeal(CallContext& call, const ResourceId& id) {
  return ReadRow(call, "appeal_get", "appeal", id, AppealFromRow);
}

absl::StatusOr<PageOf<v1::Appeal>> PgContestRepository::ListAppeals(CallContext& call,
                                                                    const ResourceId& round,
                                                                    int state,
                                                                    const paging::Page& page) {
  ASSIGN_OR_RETURN(Keyset after, Keyset::Parse(page.cursor));
  return call.Read<PageOf<v1::Appeal>>([&](db::Tx& tx) -> absl::StatusOr<PageOf<v1::Appeal>> {
    RETURN_IF_ERROR(LoadRound(tx, round, false, "round_id").status());
    return KeysetPage(tx.exec_prepared("appeal_list", round.county_code, round.number, state,
                                       after.id, page.size + 1),
                      page.size, AppealFromRow);
  });
}

absl::StatusOr<v1::Outcome> PgContestRepository::GetOutcome(CallContext& call,
                                                            const ResourceId& id) {
  return ReadRow(call, "outcome_get", "outcome", id, OutcomeFromRow);
}

}  // namespace touyan::contest
