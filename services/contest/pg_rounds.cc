#include "services/contest/pg_rows.h"

// Contests and rounds: creating, reading, the state machine, the rubric.
namespace touyan::contest {

std::vector<db::Statement> RoundStatements() {
  const std::string c = kContestCols, r = kRoundCols, e = kEntryCols, j = kJudgeCols;
  return {
      {"contest_insert",
       "INSERT INTO contests (county_code, level, region_code, region_prefix, year, title, fields) "
       "VALUES ($1, $2, $3, $4, $5, $6, $7::smallint[]) RETURNING " +
           c},
      {"contest_get", "SELECT " + c + " FROM contests WHERE county_code = $1 AND id = $2"},
      {"contest_list",
       "SELECT " + c +
           " FROM contests WHERE county_code >= $1 AND county_code < ($1 || ':') AND "
           "starts_with(region_prefix, $2) "
           "AND ($3 = 0 OR year = $3) AND (county_code, id) > ($4, $5) ORDER BY county_code, id "
           "LIMIT $6"},
      {"round_insert",
       "INSERT INTO rounds (county_code, contest_id, number, name, state, aggregation, rubric, "
       "advance_top_n, advance_top_share, star_bands, appeal_window_days) SELECT $1, $2, "
       "coalesce(max(number), 0) + 1, $3, 1, $4, $5::jsonb, $6, $7, $8::jsonb, $9 FROM rounds "
       "WHERE county_code = $1 AND contest_id = $2 RETURNING id"},
      {"round_set_state",
       "UPDATE rounds SET state = $3::smallint, close_time = CASE WHEN $3::smallint = 4 THEN now() "
       "ELSE close_time END "
       "WHERE county_code = $1 AND id = $2 RETURNING " TOUYAN_MICROS("now()")},
      {"round_list", "SELECT " + r +
                         " FROM rounds r WHERE r.county_code = $1 AND r.contest_id = $2 "
                         "AND ($3 = 0 OR r.state = $3) AND (r.county_code, r.id) > ($4, $5) "
                         "ORDER BY r.county_code, r.id LIMIT $6"},
      {"round_set_rubric",
       "UPDATE rounds SET rubric = $3::jsonb, aggregation = $4 WHERE county_code = $1 AND id = $2"},
      {"results_publish",
       "UPDATE results SET published = true WHERE county_code = $1 AND round_id = $2"},
      {"sign_off_roles",
       "SELECT count(DISTINCT role) FROM sign_offs WHERE county_code = $1 AND round_id = $2 AND "
       "digest = $3"},
      {"sign_offs_publish",
       "UPDATE sign_offs SET published = true WHERE county_code = $1 AND round_id = $2 AND digest "
       "= $3"},
  };
}

// ---------------------------------------------------------------- contests

absl::StatusOr<v1::Contest> PgContestRepository::CreateContest(
    CallContext& call, const v1::CreateContestRequest& request, const v1::Contest& c) {
  return call.Mutate<v1::Contest>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::Contest> {
        std::vector<int> fields(c.fields().begin(), c.fields().end());
        v1::Contest out = ContestFromRow(tx.exec_prepared1(
            "contest_insert", c.region_code().substr(0, 6), static_cast<int>(c.level()),
            c.region_code(), PrefixOf(c.region_code()), c.year(), c.title(), IntArray(fields)));
        call.Audit(
            {.county_code = out.county_code(), .resource = "contests/" + out.id(), .after = &out});
        return out;
      });
}

absl::StatusOr<v1::Contest> PgContestRepository::GetContest(CallContext& call,
                                                            const ResourceId& id) {
  return call.Read<v1::Contest>([&](db::Tx& tx) -> absl::StatusOr<v1::Contest> {
    pqxx::result r = tx.exec_prepared("contest_get", id.county_code, id.number);
    if (r.empty()) return NotFound("id", "contest", id.ToString());
    return ContestFromRow(r[0]);
  });
}

absl::StatusOr<PageOf<v1::Contest>> PgContestRepository::ListContests(
    CallContext& call, const std::string& region_prefix, int year, const paging::Page& page) {
  ASSIGN_OR_RETURN(Keyset after, Keyset::Parse(page.cursor));
  return call.Read<PageOf<v1::Contest>>([&](db::Tx& tx) -> absl::StatusOr<PageOf<v1::Contest>> {
    return KeysetPage(tx.exec_prepared("contest_list", CountyPrefix(region_prefix), region_prefix,
                                       year, after.county, after.id, page.size + 1),
                      page.size, ContestFromRow);
  });
}

// ------------------------------------------------------------------ rounds

absl::StatusOr<v1::Round> PgContestRepository::CreateRound(CallContext& call,
                                                           const v1::CreateRoundRequest& request,
                                                           const ResourceId& contest,
                                                           const v1::Round& r) {
  return call.Mutate<v1::Round>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::Round> {
        pqxx::result c = tx.exec_prepared("contest_get", contest.county_code, contest.number);
        if (c.empty()) return NotFound("round.contest_id", "contest", contest.ToString());
        RETURN_IF_ERROR(WithField(call.principal().CheckWrite(ContestFromRow(c[0]).region_code()),
                                  "round.contest_id"));
        const int64_t id =
            tx.exec_prepared1("round_insert", contest.county_code, contest.number, r.name(),
                              static_cast<int>(r.aggregation()), RubricJson(r), r.advance_top_n(),
                              r.advance_top_share(), BandsJson(r), r.appeal_window_days())[0]
                .as<int64_t>();
        ASSIGN_OR_RETURN(v1::Round out, LoadRound(tx, {contest.county_code, id}, false, "id"));
        call.Audit(
            {.county_code = contest.county_code, .resource = "rounds/" + out.id(), .after = &out});
        return out;
      });
}

absl::StatusOr<v1::Round> PgContestRepository::GetRound(CallContext& call, const ResourceId& id) {
  return call.Read<v1::Round>([&](db::Tx& tx) { return LoadRound(tx, id, false, "id"); });
}

absl::StatusOr<PageOf<v1::Round>> PgContestRepository::ListRounds(CallContext& call,
                                                                  const ResourceId& contest,
                                                                  v1::RoundState state,
                                                                  const paging::Page& page) {
  ASSIGN_OR_RETURN(Keyset after, Keyset::Parse(page.cursor));
  return call.Read<PageOf<v1::Round>>([&](db::Tx& tx) -> absl::StatusOr<PageOf<v1::Round>> {
    return KeysetPage(
        tx.exec_prepared("round_list", contest.county_code, contest.number, static_cast<int>(state),
                         after.county, after.id, page.size + 1),
        page.size, RoundFromRow);
  });
}

absl::StatusOr<v1::Round> PgContestRepository::AdvanceRound(CallContext& call,
                                                            const v1::AdvanceRoundRequest& request,
                                                            const ResourceId& id) {
  return call.Mutate<v1::Round>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::Round> {
        ASSIGN_OR_RETURN(v1::Round before, LoadRound(tx, id, true, "id"));
        RETURN_IF_ERROR(MayWriteRound(tx, call, id, "id"));
        RETURN_IF_ERROR(WithField(CheckTransition(before.state(), request.to()), "to"));
        v1::Round after = before;
        after.set_state(request.to());
        if (request.to() == v1::ROUND_STATE_CLOSED) RETURN_IF_ERROR(Tabulate(tx, id, after));
        if (request.to() == v1::ROUND_STATE_PUBLISHED) {
          RETURN_IF_ERROR(
              MayPublish(before, tx.exec_prepared1("sign_off_roles", id.county_code, id.number,
                                                   before.results_digest())[0]
                                     .as<int>()));
          tx.exec_prepared("results_publish", id.county_code, id.number);
          tx.exec_prepared("sign_offs_publish", id.county_code, id.number, before.results_digest());
        }
        pqxx::row now = tx.exec_prepared1("round_set_state", id.county_code, id.number,
                                          static_cast<int>(request.to()));
        if (request.to() == v1::ROUND_STATE_CLOSED)
          *after.mutable_close_time() = TimestampFromMicros(now[0].as<int64_t>());
        call.Audit({.county_code = id.county_code,
                    .resource = "rounds/" + after.id(),
                    .before = &before,
                    .after = &after});
        return after;
      });
}

absl::StatusOr<v1::Round> PgContestRepository::SetRubric(CallContext& call,
                                                         const v1::SetRubricRequest& request,
                                                         const ResourceId& id) {
  return call.Mutate<v1::Round>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::Round> {
        ASSIGN_OR_RETURN(v1::Round before, LoadRound(tx, id, true, "round_id"));
        RETURN_IF_ERROR(MayWriteRound(tx, call, id, "round_id"));
        RETURN_IF_ERROR(MayChangeRubric(before));
        v1::Round after = before;
        *after.mutable_rubric() = request.rubric();
        if (request.aggregation() != v1::AGGREGATION_UNSPECIFIED)
          after.set_aggregation(request.aggregation());
        tx.exec_prepared("round_set_rubric", id.county_code, id.number, RubricJson(after),
                         static_cast<int>(after.aggregation()));
        call.Audit({.county_code = id.county_code,
                    .resource = "rounds/" + after.id(),
                    .before = &before,
                    .after = &after});
        return after;
      });
}

}  // namespace touyan::contest
