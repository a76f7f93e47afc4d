// Shared by contest's repository files (pg_*.cc), internal: column lists,
// row mapping, loading and locking, and the statement lists of each area.
#ifndef TOUYAN_SERVICES_CONTEST_PG_ROWS_H_
#define TOUYAN_SERVICES_CONTEST_PG_ROWS_H_

#include <charconv>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <system_error>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/db/rows.h"
#include "common/ids/region.h"
#include "common/status/status.h"
#include "common/time/date.h"
#include "services/contest/domain/rounds.h"
#include "services/contest/domain/rules.h"
#include "services/contest/domain/tabulation.h"
#include "services/contest/pg_contest_repository.h"

namespace touyan::contest {

inline constexpr char kContestCols[] =
    "county_code, id, level, region_code, year, title, array_to_string(fields, "
    "','), " TOUYAN_MICROS("create_time");
inline constexpr char kRoundCols[] =
    "r.county_code, r.id, r.contest_id, r.number, r.name, r.state, r.aggregation, r.rubric::text, "
    "r.rubric_locked, r.advance_top_n, r.advance_top_share, r.star_bands::text, "
    "r.digest, " TOUYAN_MICROS("r.create_time") ", r.appeal_window_days, coalesce(" TOUYAN_MICROS(
        "r.close_time") ", 0)";
inline constexpr char kEntryCols[] =
    "county_code, id, round_id, cadre_id, cadre_name, village_code, report::text, state, "
    "panel, " TOUYAN_MICROS("create_time") ", party_org_id, reopened, field";
inline constexpr char kJudgeCols[] =
    "county_code, id, round_id, name, panel, cadre_id, region_code, " TOUYAN_MICROS(
        "create_time") ", party_org_id";

inline v1::Contest ContestFromRow(const pqxx::row& r) {
  v1::Contest c;
  c.set_county_code(r[0].as<std::string>());
  c.set_id(ResourceId{c.county_code(), r[1].as<int64_t>()}.ToString());
  c.set_level(static_cast<v1::Level>(r[2].as<int>()));
  c.set_region_code(r[3].as<std::string>());
  c.set_year(r[4].as<int>());
  c.set_title(r[5].as<std::string>());
  for (absl::string_view f : absl::StrSplit(r[6].as<std::string>(), ',', absl::SkipEmpty())) {
    int v = 0;
    if (absl::SimpleAtoi(f, &v)) c.add_fields(static_cast<v1::Field>(v));
  }
  *c.mutable_create_time() = TimestampFromMicros(r[7].as<int64_t>());
  return c;
}

inline absl::StatusOr<v1::Round> RoundFromRow(const pqxx::row& r) {
  v1::Round x;
  const std::string county = r[0].as<std::string>();
  x.set_id(ResourceId{county, r[1].as<int64_t>()}.ToString());
  x.set_contest_id(ResourceId{county, r[2].as<int64_t>()}.ToString());
  x.set_number(r[3].as<int>());
  x.set_name(r[4].as<std::string>());
  x.set_state(static_cast<v1::RoundState>(r[5].as<int>()));
  x.set_aggregation(static_cast<v1::Aggregation>(r[6].as<int>()));
  RETURN_IF_ERROR(MergeFromJson(r[7].as<std::string>(), x));
  x.set_rubric_locked(r[8].as<bool>());
  x.set_advance_top_n(r[9].as<int>());
  x.set_advance_top_share(r[10].as<double>());
  RETURN_IF_ERROR(MergeFromJson(r[11].as<std::string>(), x));
  x.set_results_digest(r[12].as<std::string>());
  *x.mutable_create_time() = TimestampFromMicros(r[13].as<int64_t>());
  x.set_appeal_window_days(r[14].as<int>());
  if (int64_t closed = r[15].as<int64_t>(); closed != 0)
    *x.mutable_close_time() = TimestampFromMicros(closed);
  return x;
}

inline absl::StatusOr<v1::Entry> EntryFromRow(const pqxx::row& r) {
  v1::Entry e;
  const std::string county = r[0].as<std::string>();
  e.set_id(ResourceId{county, r[1].as<int64_t>()}.ToString());
  e.set_round_id(ResourceId{county, r[2].as<int64_t>()}.ToString());
  e.set_cadre_id(r[3].as<std::string>());
  e.set_cadre_name(r[4].as<std::string>());
  e.set_village_code(r[5].as<std::string>());
  RETURN_IF_ERROR(MergeFromJson(absl::StrCat("{\"report\":", r[6].as<std::string>(), "}"), e));
  e.set_state(static_cast<v1::EntryState>(r[7].as<int>()));
  e.set_panel(r[8].as<std::string>());
  *e.mutable_create_time() = TimestampFromMicros(r[9].as<int64_t>());
  e.set_party_org_id(r[10].as<std::string>());
  e.set_reopened(r[11].as<bool>());
  e.set_field(static_cast<v1::Field>(r[12].as<int>()));
  return e;
}

inline v1::Judge JudgeFromRow(const pqxx::row& r) {
  v1::Judge j;
  const std::string county = r[0].as<std::string>();
  j.set_id(ResourceId{county, r[1].as<int64_t>()}.ToString());
  j.set_round_id(ResourceId{county, r[2].as<int64_t>()}.ToString());
  j.set_name(r[3].as<std::string>());
  j.set_panel(r[4].as<std::string>());
  j.set_cadre_id(r[5].as<std::string>());
  j.set_region_code(r[6].as<std::string>());
  *j.mutable_create_time() = TimestampFromMicros(r[7].as<int64_t>());
  j.set_party_org_id(r[8].as<std::string>());
  return j;
}

// The round's rubric and star bands as stored (JSON of a Round holding them).
inline std::string RubricJson(const v1::Round& r) {
  v1::Round only;
  *only.mutable_rubric() = r.rubric();
  return ToJson(only);
}
// The star bands and the per-panel switch (the rest of the round's rules).
inline std::string BandsJson(const v1::Round& r) {
  v1::Round only;
  *only.mutable_star_bands() = r.star_bands();
  only.set_advance_by_panel(r.advance_by_panel());
  return ToJson(only);
}

inline absl::StatusOr<v1::Round> LoadRound(db::Tx& tx, const ResourceId& id, bool lock,
                                           absl::string_view field) {
  pqxx::result r = tx.exec_prepared(lock ? "round_lock" : "round_get", id.county_code, id.number);
  if (r.empty()) return NotFound(field, "round", id.ToString());
  return RoundFromRow(r[0]);
}

inline absl::StatusOr<v1::Entry> LoadEntry(db::Tx& tx, const ResourceId& id, bool lock,
                                           absl::string_view field) {
  pqxx::result r = tx.exec_prepared(lock ? "entry_lock" : "entry_get", id.county_code, id.number);
  if (r.empty()) return NotFound(field, "entry", id.ToString());
  return EntryFromRow(r[0]);
}

inline constexpr char kAppealCols[] =
    "county_code, id, entry_id, reason, state, decision_note, " TOUYAN_MICROS("file_time");
inline constexpr char kOutcomeCols[] =
    "o.county_code, o.id, o.round_id, o.entry_id, e.cadre_id, e.cadre_name, e.party_org_id, "
    "o.kind, o.rank, o.year, o.designation_id, o.instructor, "
    "coalesce(o.rectification_deadline::text, '')";

inline v1::Appeal AppealFromRow(const pqxx::row& r) {
  v1::Appeal a;
  const std::string county = r[0].as<std::string>();
  a.set_id(ResourceId{county, r[1].as<int64_t>()}.ToString());
  a.set_entry_id(ResourceId{county, r[2].as<int64_t>()}.ToString());
  a.set_reason(r[3].as<std::string>());
  a.set_state(static_cast<v1::AppealState>(r[4].as<int>()));
  a.set_decision_note(r[5].as<std::string>());
  *a.mutable_file_time() = TimestampFromMicros(r[6].as<int64_t>());
  return a;
}

inline v1::Outcome OutcomeFromRow(const pqxx::row& r) {
  v1::Outcome o;
  const std::string county = r[0].as<std::string>();
  o.set_id(ResourceId{county, r[1].as<int64_t>()}.ToString());
  o.set_round_id(ResourceId{county, r[2].as<int64_t>()}.ToString());
  o.set_entry_id(ResourceId{county, r[3].as<int64_t>()}.ToString());
  o.set_cadre_id(r[4].as<std::string>());
  o.set_cadre_name(r[5].as<std::string>());
  o.set_party_org_id(r[6].as<std::string>());
  o.set_kind(static_cast<v1::OutcomeKind>(r[7].as<int>()));
  o.set_rank(r[8].as<int>());
  o.set_year(r[9].as<int>());
  o.set_designation_id(r[10].as<std::string>());
  o.set_instructor(r[11].as<std::string>());
  if (auto d = DateFromIso(r[12].as<std::string>())) *o.mutable_rectification_deadline() = *d;
  return o;
}

// The caller may change the round: its contest's region lies in the
// caller's writable scope (a township operator runs its township's
// preliminaries, not the county's final).
inline absl::Status MayWriteRound(db::Tx& tx, CallContext& call, const ResourceId& round,
                                  absl::string_view field) {
  pqxx::result r = tx.exec_prepared("round_contest", round.county_code, round.number);
  if (r.empty()) return NotFound(field, "round", round.ToString());
  return WithField(call.principal().CheckWrite(r[0][3].as<std::string>()), field);
}

// What tabulating a round starts from: its rules, entries and scores.
inline TabulationInput LoadInput(db::Tx& tx, const ResourceId& id, const v1::Round& round) {
  TabulationInput in;
  in.aggregation = round.aggregation();
  in.rubric.assign(round.rubric().begin(), round.rubric().end());
  in.star_bands.assign(round.star_bands().begin(), round.star_bands().end());
  in.advance_top_n = round.advance_top_n();
  in.advance_top_share = round.advance_top_share();
  in.advance_by_panel = round.advance_by_panel();
  // Active entries by number → their position in `entries`.
  absl::flat_hash_map<int64_t, size_t> active;
  for (const auto& row : tx.exec_prepared("tab_entries", id.county_code, id.number)) {
    const int64_t n = row[0].as<int64_t>();
    active.emplace(n, in.entries.size());
    in.entries.push_back({ResourceId{id.county_code, n}.ToString(), row[1].as<std::string>(),
                          row[2].as<std::string>(), row[3].as<std::string>()});
  }
  const pqxx::result sheets = tx.exec_prepared("tab_scores", id.county_code, id.number);
  in.scores.reserve(sheets.size() * in.rubric.size());
  for (const auto& row : sheets) {
    auto entry = active.find(row[1].as<int64_t>());
    if (entry == active.end()) continue;  // withdrawn
    const int64_t judge = row[0].as<int64_t>();
    // "{55,NULL,40.5}": one value per rubric dimension, in its order (the
    // rubric is locked by the first score).
    const absl::string_view text(row[2].c_str(), row[2].size());
    size_t dim = 0;
    for (absl::string_view v : absl::StrSplit(text.substr(1, text.size() - 2), ',')) {
      double value = 0;
      if (v != "NULL" && dim < in.rubric.size() &&
          std::from_chars(v.data(), v.data() + v.size(), value).ec == std::errc()) {
        in.scores.push_back({judge, entry->second, dim, value});
      }
      ++dim;
    }
  }
  return in;
}

// Results as one JSON array, one object per result in proto3 JSON (the
// stored form: GetResults parses it, SQL reads cadreId, rank, total, stars
// and cadreName), every field written. Written by hand: for 4,247 results
// the protobuf JSON printer took 23 ms, this 2-4 ms.
inline std::string ResultsJson(const std::vector<v1::EntryResult>& results) {
  std::string out = "[";
  out.reserve(results.size() * 320);
  for (const v1::EntryResult& r : results) {
    if (out.size() > 1) out += ',';
    out += "{\"entryId\":";
    AppendJsonString(&out, r.entry_id());
    out += ",\"cadreId\":";
    AppendJsonString(&out, r.cadre_id());
    out += ",\"cadreName\":";
    AppendJsonString(&out, r.cadre_name());
    out += ",\"byDimension\":{";
    bool first = true;
    for (const auto& [key, value] : r.by_dimension()) {
      if (!first) out += ',';
      first = false;
      AppendJsonString(&out, key);
      out += ':';
      AppendJsonNumber(&out, value);
    }
    out += "},\"total\":";
    AppendJsonNumber(&out, r.total());
    absl::StrAppend(&out, ",\"rank\":", r.rank(), ",\"stars\":", r.stars(),
                    ",\"advances\":", r.advances() ? "true" : "false", ",\"panel\":");
    AppendJsonString(&out, r.panel());
    absl::StrAppend(&out, ",\"panelRank\":", r.panel_rank(), "}");
  }
  return out + "]";
}

// A number of a result as stored: a JSON number, or "NaN", "Infinity" or
// "-Infinity" (proto3 JSON's strings for what JSON has no number for).
inline std::optional<double> ResultNumber(const nlohmann::json& v) {
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
    if (s == "Infinity") return std::numeric_limits<double>::infinity();
    if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
  }
  return std::nullopt;
}

// Reads one stored result (what ResultsJson wrote, as Postgres gives jsonb
// back: its own spacing, key order and number text). A field left out is
// its default, as in rows the protobuf printer wrote. Much cheaper than the
// protobuf JSON parser, whose set-up per call dominated a large round's
// GetResults.
inline absl::Status ReadResult(absl::string_view json, v1::EntryResult& r) {
  const nlohmann::json j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  auto corrupt = [&](absl::string_view what) {
    return absl::InternalError(absl::StrCat("a stored result is corrupt (", what, ")"));
  };
  if (!j.is_object()) return corrupt("not an object");
  r.Clear();
  for (const auto& [key, v] : j.items()) {
    if (key == "entryId" || key == "cadreId" || key == "cadreName" || key == "panel") {
      if (!v.is_string()) return corrupt(key);
      std::string value = v.get<std::string>();
      if (key == "entryId") r.set_entry_id(std::move(value));
      if (key == "cadreId") r.set_cadre_id(std::move(value));
      if (key == "cadreName") r.set_cadre_name(std::move(value));
      if (key == "panel") r.set_panel(std::move(value));
    } else if (key == "rank" || key == "stars" || key == "panelRank") {
      if (!v.is_number_integer()) return corrupt(key);
      const int32_t value = v.get<int32_t>();
      if (key == "rank") r.set_rank(value);
      if (key == "stars") r.set_stars(value);
      if (key == "panelRank") r.set_panel_rank(value);
    } else if (key == "total") {
      std::optional<double> total = ResultNumber(v);
      if (!total) return corrupt(key);
      r.set_total(*total);
    } else if (key == "advances") {
      if (!v.is_boolean()) return corrupt(key);
      r.set_advances(v.get<bool>());
    } else if (key == "byDimension") {
      if (!v.is_object()) return corrupt(key);
      for (const auto& [dimension, x] : v.items()) {
        std::optional<double> value = ResultNumber(x);
        if (!value) return corrupt(key);
        (*r.mutable_by_dimension())[dimension] = *value;
      }
    }  // a field this version does not know is skipped (written by a newer one)
  }
  return absl::OkStatus();
}

// Tabulates a round from its entries and scores; stores the results and
// the digest.
inline absl::Status Tabulate(db::Tx& tx, const ResourceId& id, v1::Round& round) {
  std::vector<v1::EntryResult> results = contest::Tabulate(LoadInput(tx, id, round));
  round.set_results_digest(Digest(results));
  tx.exec_prepared("results_clear", id.county_code, id.number);
  tx.exec_prepared("results_insert", id.county_code, id.number, ResultsJson(results));
  tx.exec_prepared("round_set_digest", id.county_code, id.number, round.results_digest());
  return absl::OkStatus();
}

std::vector<db::Statement> RoundStatements();   // pg_rounds.cc
std::vector<db::Statement> EntryStatements();   // pg_entries.cc
std::vector<db::Statement> ResultStatements();  // pg_results.cc

}  // namespace touyan::contest

#endif  // TOUYAN_SERVICES_CONTEST_PG_ROWS_H_
