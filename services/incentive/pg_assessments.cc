#include "services/incentive/pg_rows.h"

// Assessment schemes, democratic evaluations (codes, ballots, tallies), the year's assessments.
namespace touyan::incentive {

std::vector<db::Statement> AssessmentStatements() {
  const std::string ev = kEvaluationCols;
  return {
      {"scheme_upsert",
       "INSERT INTO schemes (county_code, year, body) VALUES ($1, $2, $3::jsonb) ON CONFLICT "
       "(county_code, year) "
       "DO UPDATE SET body = EXCLUDED.body, update_time = now() RETURNING " TOUYAN_MICROS(
           "update_time")},
      {"scheme_get", "SELECT body::text, " TOUYAN_MICROS(
                         "update_time") " FROM schemes WHERE county_code = $1 AND year = $2"},
      {"evaluation_insert",
       "INSERT INTO evaluations (county_code, village_code, year, body) VALUES ($1, $2, $3, "
       "$4::jsonb) "
       "RETURNING " +
           ev},
      {"evaluation_list", "SELECT " + ev +
                              " FROM evaluations WHERE county_code >= $1 AND county_code < ($1 || "
                              "':') AND starts_with(village_code, $2) "
                              "AND ($3 = 0 OR year = $3) AND (county_code, id) > ($4, $5) "
                              "ORDER BY county_code, id LIMIT $6"},
      {"codes_void", "DELETE FROM voter_codes WHERE county_code = $1 AND evaluation_id = $2"},
      {"codes_outstanding",
       "SELECT count(*) FROM voter_codes WHERE county_code = $1 AND evaluation_id = $2"},
      {"codes_insert",
       "INSERT INTO voter_codes (county_code, evaluation_id, code_hash) SELECT $1, $2, decode(h, "
       "'hex') "
       "FROM json_array_elements_text($3::json) AS h"},
      {"evaluation_set_issued",
       "UPDATE evaluations SET codes_issued = $3 WHERE county_code = $1 AND id = $2"},
      {"code_use",
       "DELETE FROM voter_codes WHERE county_code = $1 AND evaluation_id = $2 AND code_hash = "
       "decode($3, 'hex')"},
      {"ballot_insert",
       "INSERT INTO ballots (county_code, evaluation_id, choices) VALUES ($1, $2, $3::smallint[])"},
      {"evaluation_count_ballot",
       "UPDATE evaluations SET ballots = ballots + 1 WHERE county_code = $1 AND id = $2 RETURNING "
       "ballots"},
      {"ballots_of",
       "SELECT array_to_string(choices, ',') FROM ballots WHERE county_code = $1 AND evaluation_id "
       "= $2"},
      {"evaluation_close",
       "UPDATE evaluations SET closed = true, tallies = $3::jsonb, quorum_percent = $4, "
       "fail_percent = $5 "
       "WHERE county_code = $1 AND id = $2"},
      {"inputs_of_year",
       "SELECT cadre_id, body::text FROM records WHERE county_code = $1 AND kind = 1 AND year = $2 "
       "ORDER BY on_date, id"},
      {"tallies_of_year",
       "SELECT tallies::text FROM evaluations WHERE county_code = $1 AND year = $2 AND closed "
       "ORDER BY id"},
      {"assessments_clear", "DELETE FROM assessments WHERE county_code = $1 AND year = $2"},
      {"assessments_insert",
       "INSERT INTO assessments (county_code, year, cadre_id, region_code, grade, body) "
       "SELECT $1, $2, x->>'c', x->>'r', (x->>'g')::smallint, x->'b' "
       "FROM jsonb_array_elements($3::jsonb) AS x ORDER BY x->>'c'"},
      {"assessment_get",
       "SELECT body::text FROM assessments WHERE county_code = $1 AND year = $2 AND cadre_id = $3"},
      {"assessment_list",
       "SELECT county_code, id, body::text FROM assessments WHERE county_code >= $1 AND "
       "county_code < ($1 || ':') AND "
       "starts_with(region_code, $2) "
       "AND year = $3 AND ($4 = 0 OR grade = $4) AND (county_code, id) > ($5, $6) ORDER BY "
       "county_code, id LIMIT $7"},
  };
}

// ----------------------------------------------------------------- schemes

absl::StatusOr<v1::Scheme> PgIncentiveRepository::SetScheme(CallContext& call,
                                                            const v1::SetSchemeRequest& request,
                                                            const v1::Scheme& scheme) {
  return call.Mutate<v1::Scheme>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::Scheme> {
        std::optional<v1::Scheme> before;
        if (pqxx::result r = tx.exec_prepared("scheme_get", scheme.county_code(), scheme.year());
            !r.empty()) {
          before.emplace();
          RETURN_IF_ERROR(MergeFromJson(r[0][0].as<std::string>(), *before));
        }
        v1::Scheme out = scheme;
        out.clear_update_time();
        pqxx::row r =
            tx.exec_prepared1("scheme_upsert", scheme.county_code(), scheme.year(), ToJson(out));
        *out.mutable_update_time() = TimestampFromMicros(r[0].as<int64_t>());
        call.Audit({.county_code = scheme.county_code(),
                    .resource = absl::StrCat("schemes/", scheme.county_code(), "/", scheme.year()),
                    .before = before ? &*before : nullptr,
                    .after = &out});
        return out;
      });
}

absl::StatusOr<v1::Scheme> PgIncentiveRepository::GetScheme(CallContext& call,
                                                            const std::string& county, int year) {
  return call.Read<v1::Scheme>([&](db::Tx& tx) -> absl::StatusOr<v1::Scheme> {
    pqxx::result r = tx.exec_prepared("scheme_get", county, year);
    if (r.empty())
      return NotFound("county_code", "assessment scheme of year " + std::to_string(year) + " for",
                      county);
    v1::Scheme s;
    RETURN_IF_ERROR(MergeFromJson(r[0][0].as<std::string>(), s));
    *s.mutable_update_time() = TimestampFromMicros(r[0][1].as<int64_t>());
    return s;
  });
}

// ------------------------------------------------------------- evaluations

absl::StatusOr<v1::Evaluation> PgIncentiveRepository::OpenEvaluation(
    CallContext& call, const v1::OpenEvaluationRequest& request, const v1::Evaluation& evaluation) {
  return call.Mutate<v1::Evaluation>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::Evaluation> {
        ASSIGN_OR_RETURN(v1::Evaluation out,
                         EvaluationFromRow(tx.exec_prepared1(
                             "evaluation_insert", CountyOf(evaluation.village_code()),
                             evaluation.village_code(), evaluation.year(), ToJson(evaluation))));
        call.Audit({.county_code = out.county_code(),
                    .resource = "evaluations/" + out.id(),
                    .after = &out});
        return out;
      });
}

absl::StatusOr<v1::Evaluation> PgIncentiveRepository::GetEvaluation(CallContext& call,
                                                                    const ResourceId& id) {
  return call.Read<v1::Evaluation>([&](db::Tx& tx) { return LoadEvaluation(tx, id, false, "id"); });
}

absl::StatusOr<PageOf<v1::Evaluation>> PgIncentiveRepository::ListEvaluations(
    CallContext& call, const std::string& region_prefix, int year, const paging::Page& page) {
  ASSIGN_OR_RETURN(Keyset after, Keyset::Parse(page.cursor));
  return call.Read<PageOf<v1::Evaluation>>([&](db::Tx& tx) {
    return KeysetPage(tx.exec_prepared("evaluation_list", CountyPrefix(region_prefix),
                                       region_prefix, year, after.county, after.id, page.size + 1),
                      page.size, EvaluationFromRow);
  });
}

absl::StatusOr<v1::IssueVoterCodesResponse> PgIncentiveRepository::IssueVoterCodes(
    CallContext& call, const ResourceId& id, int count, bool void_unused) {
  return call.WriteOnce<v1::IssueVoterCodesResponse>(
      [&](db::Tx& tx) -> absl::StatusOr<v1::IssueVoterCodesResponse> {
        ASSIGN_OR_RETURN(v1::Evaluation e, LoadEvaluation(tx, id, true, "evaluation_id"));
        RETURN_IF_ERROR(WithField(call.principal().CheckWrite(e.village_code()), "evaluation_id"));
        if (e.closed())
          return Failed("EVALUATION_CLOSED", "evaluation " + e.id() + " is closed",
                        "evaluation_id");
        if (void_unused) tx.exec_prepared("codes_void", id.county_code, id.number);
        const int outstanding =
            tx.exec_prepared1("codes_outstanding", id.county_code, id.number)[0].as<int>();
        if (outstanding + e.ballots() + count > e.electorate()) {
          return Failed(
              "TOO_MANY_CODES",
              absl::StrCat("the electorate is ", e.electorate(), ": ", e.ballots(), " voted and ",
                           outstanding, " codes are outstanding, so at most ",
                           std::max(0, e.electorate() - e.ballots() - outstanding),
                           " more can be issued"),
              "count");
        }
        v1::IssueVoterCodesResponse out;
        google::protobuf::RepeatedPtrField<std::string> hashes;
        for (int i = 0; i < count; ++i) {
          std::string code = NewCode();
          if (code.empty()) return absl::InternalError("the random number generator failed");
          *hashes.Add() = CodeHash(id, code);
          out.add_codes(std::move(code));
        }
        tx.exec_prepared("codes_insert", id.county_code, id.number, JsonStrings(hashes));
        out.set_codes_issued(e.ballots() + outstanding + count);
        tx.exec_prepared("evaluation_set_issued", id.county_code, id.number, out.codes_issued());
        return out;
      });
}

absl::StatusOr<v1::CastBallotResponse> PgIncentiveRepository::CastBallot(
    CallContext& call, const ResourceId& id, const v1::CastBallotRequest& ballot) {
  return call.WriteOnce<v1::CastBallotResponse>([&](db::Tx& tx)
                                                    -> absl::StatusOr<v1::CastBallotResponse> {
    ASSIGN_OR_RETURN(v1::Evaluation e, LoadEvaluation(tx, id, true, "evaluation_id"));
    RETURN_IF_ERROR(WithField(call.principal().CheckWrite(e.village_code()), "evaluation_id"));
    if (e.closed())
      return Failed("EVALUATION_CLOSED", "evaluation " + e.id() + " is closed", "evaluation_id");
    // The choices in the order of the evaluation's cadres, each exactly once.
    std::vector<int> choices(e.cadre_ids_size(), 0);
    for (int i = 0; i < ballot.choices_size(); ++i) {
      const auto& c = ballot.choices(i);
      auto it = std::find(e.cadre_ids().begin(), e.cadre_ids().end(), c.cadre_id());
      const std::string field = absl::StrCat("choices[", i, "].cadre_id");
      if (it == e.cadre_ids().end()) {
        return InvalidField(field, "is not evaluated at this meeting", "NOT_EVALUATED");
      }
      int& slot = choices[it - e.cadre_ids().begin()];
      if (slot != 0) return InvalidField(field, "is chosen twice", "DUPLICATE");
      slot = static_cast<int>(c.choice());
    }
    for (size_t k = 0; k < choices.size(); ++k) {
      if (choices[k] == 0) {
        return InvalidField("choices",
                            "a choice for " + e.cadre_ids(static_cast<int>(k)) + " is missing",
                            "MISSING_CHOICE");
      }
    }
    if (tx.exec_prepared0("code_use", id.county_code, id.number, CodeHash(id, ballot.voter_code()))
            .affected_rows() != 1) {
      return Failed("BALLOT_CODE_INVALID",
                    "not an unused voter code of evaluation " + e.id() + " (each code votes once)",
                    "voter_code");
    }
    tx.exec_prepared("ballot_insert", id.county_code, id.number, IntArray(choices));
    v1::CastBallotResponse out;
    out.set_accepted(true);
    out.set_ballots(
        tx.exec_prepared1("evaluation_count_ballot", id.county_code, id.number)[0].as<int>());
    return out;
  });
}

absl::StatusOr<v1::Evaluation> PgIncentiveRepository::CloseEvaluation(
    CallContext& call, const v1::CloseEvaluationRequest& request, const ResourceId& id,
    int quorum_percent, int fail_percent) {
  return call.Mutate<v1::Evaluation>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::Evaluation> {
        ASSIGN_OR_RETURN(v1::Evaluation before, LoadEvaluation(tx, id, true, "id"));
        RETURN_IF_ERROR(WithField(call.principal().CheckWrite(before.village_code()), "id"));
        if (before.closed())
          return Failed("EVALUATION_CLOSED", "evaluation " + before.id() + " is closed already",
                        "id");
        std::vector<Votes> votes(before.cadre_ids_size());
        int ballots = 0;
        for (const auto& row : tx.exec_prepared("ballots_of", id.county_code, id.number)) {
          ++ballots;
          std::vector<std::string> parts = absl::StrSplit(row[0].as<std::string>(), ',');
          for (size_t k = 0; k < parts.size() && k < votes.size(); ++k) {
            if (parts[k] == "1") ++votes[k].satisfied;
            if (parts[k] == "2") ++votes[k].basically_satisfied;
            if (parts[k] == "3") ++votes[k].dissatisfied;
          }
        }
        v1::Evaluation after = before;
        after.clear_tallies();
        for (size_t k = 0; k < votes.size(); ++k) {
          v1::Tally t =
              TallyOf(votes[k], ballots, before.electorate(), quorum_percent, fail_percent);
          t.set_cadre_id(before.cadre_ids(static_cast<int>(k)));
          *after.add_tallies() = std::move(t);
        }
        after.set_closed(true);
        after.set_quorum_percent(quorum_percent);
        after.set_dissatisfied_fail_percent(fail_percent);
        std::vector<v1::Tally> tallies(after.tallies().begin(), after.tallies().end());
        tx.exec_prepared("evaluation_close", id.county_code, id.number, ToJsonArray(tallies),
                         quorum_percent, fail_percent);
        tx.exec_prepared("codes_void", id.county_code, id.number);
        call.Audit({.county_code = id.county_code,
                    .resource = "evaluations/" + after.id(),
                    .before = &before,
                    .after = &after});
        return after;
      });
}

// ------------------------------------------------------------- assessments

absl::StatusOr<YearInputs> PgIncentiveRepository::InputsOf(CallContext& call,
                                                           const std::string& county, int year) {
  return call.Read<YearInputs>([&](db::Tx& tx) -> absl::StatusOr<YearInputs> {
    YearInputs out;
    if (pqxx::result r = tx.exec_prepared("scheme_get", county, year); !r.empty()) {
      out.scheme.emplace();
      RETURN_IF_ERROR(MergeFromJson(r[0][0].as<std::string>(), *out.scheme));
    }
    for (const auto& row :
         tx.exec_prepared("inputs_of_year", county, year)) {  // by day: the latest wins
      v1::AssessmentInput in;
      RETURN_IF_ERROR(MergeFromJson(row[1].as<std::string>(), in));
      Inputs& x = out.by_cadre[row[0].as<std::string>()];
      if (in.kind() == v1::INPUT_KIND_DAILY_MANAGEMENT) x.daily.push_back(in.value());
      if (in.kind() == v1::INPUT_KIND_ANNUAL_REVIEW) x.annual_review = in.value();
    }
    for (const auto& row : tx.exec_prepared("tallies_of_year", county, year)) {
      v1::Evaluation e;
      RETURN_IF_ERROR(
          MergeFromJson(absl::StrCat("{\"tallies\":", row[0].as<std::string>(), "}"), e));
      for (const v1::Tally& t : e.tallies()) {
        if (!t.quorum_met()) continue;
        Inputs& x = out.by_cadre[t.cadre_id()];
        if (!x.democratic) x.democratic.emplace();
        x.democratic->satisfied += t.satisfied();
        x.democratic->basically_satisfied += t.basically_satisfied();
        x.democratic->dissatisfied += t.dissatisfied();
      }
    }
    return out;
  });
}

absl::StatusOr<v1::ComputeAssessmentsResponse> PgIncentiveRepository::StoreAssessments(
    CallContext& call, const v1::ComputeAssessmentsRequest& request,
    const std::vector<v1::Assessment>& all) {
  return call.Mutate<v1::ComputeAssessmentsResponse>(
      request, request.request_id(),
      [&](db::Tx& tx) -> absl::StatusOr<v1::ComputeAssessmentsResponse> {
        std::string rows = "[";
        std::map<v1::Grade, int> grades;
        for (size_t i = 0; i < all.size(); ++i) {
          const v1::Assessment& a = all[i];
          absl::StrAppend(&rows, i ? "," : "", "{\"c\":\"", a.cadre_id(), "\",\"r\":\"",
                          a.region_code(), "\",\"g\":", static_cast<int>(a.grade()),
                          ",\"b\":", ToJson(a), "}");
          ++grades[a.grade()];
        }
        rows += "]";
        tx.exec_prepared("assessments_clear", request.county_code(), request.year());
        tx.exec_prepared("assessments_insert", request.county_code(), request.year(), rows);
        v1::ComputeAssessmentsResponse out;
        out.set_county_code(request.county_code());
        out.set_year(request.year());
        out.set_assessed(static_cast<int>(all.size()));
        for (const auto& [grade, n] : grades) {
          v1::GradeCount* g = out.add_grades();
          g->set_grade(grade);
          g->set_cadres(n);
        }
        call.Audit(
            {.county_code = request.county_code(),
             .resource = absl::StrCat("assessments/", request.county_code(), "/", request.year()),
             .after = &out});
        return out;
      });
}

absl::StatusOr<v1::Assessment> PgIncentiveRepository::GetAssessment(CallContext& call,
                                                                    const ResourceId& cadre,
                                                                    int year) {
  return call.Read<v1::Assessment>([&](db::Tx& tx) -> absl::StatusOr<v1::Assessment> {
    pqxx::result r = tx.exec_prepared("assessment_get", cadre.county_code, year, cadre.ToString());
    if (r.empty())
      return NotFound("cadre_id", "assessment of year " + std::to_string(year) + " for cadre",
                      cadre.ToString());
    v1::Assessment a;
    RETURN_IF_ERROR(MergeFromJson(r[0][0].as<std::string>(), a));
    return a;
  });
}

absl::StatusOr<PageOf<v1::Assessment>> PgIncentiveRepository::ListAssessments(
    CallContext& call, const std::string& region_prefix, int year, v1::Grade grade,
    const paging::Page& page) {
  ASSIGN_OR_RETURN(Keyset after, Keyset::Parse(page.cursor));
  return call.Read<PageOf<v1::Assessment>>(
      [&](db::Tx& tx) -> absl::StatusOr<PageOf<v1::Assessment>> {
        pqxx::result rows =
            tx.exec_prepared("assessment_list", CountyPrefix(region_prefix), region_prefix, year,
                             static_cast<int>(grade), after.county, after.id, page.size + 1);
        PageOf<v1::Assessment> out;
        for (const auto& r : rows) {
          if (static_cast<int>(out.items.size()) == page.size) {
            out.next_cursor = KeysetCursor(ResourceId{rows[page.size - 1][0].as<std::string>(),
                                                      rows[page.size - 1][1].as<int64_t>()}
                                               .ToString());
            break;
          }
          v1::Assessment a;
          RETURN_IF_ERROR(MergeFromJson(r[2].as<std::string>(), a));
          out.items.push_back(std::move(a));
        }
        return out;
      });
}

}  // namespace touyan::incentive
