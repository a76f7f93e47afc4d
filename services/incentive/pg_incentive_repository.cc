#include "services/incentive/pg_incentive_repository.h"

#include <openssl/rand.h>
#include <openssl/sha.h>

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/str_format.h"
#include "common/crypto/sealed.h"
#include "common/ids/region.h"
#include "common/status/status.h"
#include "common/time/date.h"
#include "google/protobuf/util/json_util.h"

namespace touyan::incentive {
namespace {

std::string Json(const google::protobuf::Message& m) {
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(m, &out);
  return out;
}

// A JSON array of messages, for jsonb_array_elements.
template <typename M>
std::string JsonArray(const std::vector<M>& all) {
  std::string out = "[";
  for (size_t i = 0; i < all.size(); ++i) absl::StrAppend(&out, i ? "," : "", Json(all[i]));
  return out + "]";
}

std::string Iso(const std::optional<absl::CivilDay>& d) { return d ? IsoDate(*d) : std::string(); }
std::optional<absl::CivilDay> Day(const pqxx::field& f) {
  absl::CivilDay d;
  if (f.is_null() || !ParseIsoDate(f.as<std::string>(), &d)) return std::nullopt;
  return d;
}

// Sets a string field of any message by name (the records' "id", "county_code").
void SetString(google::protobuf::Message& m, const char* name, const std::string& value) {
  const auto* f = m.GetDescriptor()->FindFieldByName(name);
  if (f != nullptr) m.GetReflection()->SetString(&m, f, value);
}

// The county-level LIKE pattern of a region prefix (row-level keys).
std::string CountyLike(const std::string& prefix) { return prefix.substr(0, 6) + "%"; }

std::string Sha256Hex(const std::string& text) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), md);
  std::string hex;
  for (unsigned char c : md) absl::StrAppend(&hex, absl::StrFormat("%02x", c));
  return hex;
}

std::string CodeHash(const ResourceId& evaluation, const std::string& code) {
  return Sha256Hex(absl::StrCat(evaluation.ToString(), ":", code));
}

// A voter code: 10 characters of an alphabet without look-alikes (50 bits).
std::string NewCode() {
  static constexpr char kAlphabet[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
  unsigned char bytes[10];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return "";
  std::string code;
  for (unsigned char b : bytes) code += kAlphabet[b % 32];
  return code;
}

absl::Status Failed(absl::string_view reason, const std::string& message, absl::string_view field = "") {
  absl::Status s = WithReason(absl::FailedPreconditionError(message), reason);
  return field.empty() ? s : WithField(s, field);
}

constexpr char kEvaluationCols[] =
    "county_code, id, body::text, closed, codes_issued, ballots, tallies::text, quorum_percent";

absl::StatusOr<v1::Evaluation> EvaluationFromRow(const pqxx::row& r) {
  v1::Evaluation e;
  RETURN_IF_ERROR(MergeFromJson(r[2].as<std::string>(), e));
  e.set_county_code(r[0].as<std::string>());
  e.set_id(ResourceId{e.county_code(), r[1].as<int64_t>()}.ToString());
  e.set_closed(r[3].as<bool>());
  e.set_codes_issued(r[4].as<int>());
  e.set_ballots(r[5].as<int>());
  RETURN_IF_ERROR(MergeFromJson(absl::StrCat("{\"tallies\":", r[6].as<std::string>(), "}"), e));
  e.set_quorum_percent(r[7].as<int>());
  return e;
}

absl::StatusOr<v1::Evaluation> LoadEvaluation(db::Tx& tx, const ResourceId& id, bool lock,
                                              absl::string_view field) {
  pqxx::result r = tx.exec_prepared(lock ? "evaluation_lock" : "evaluation_get", id.county_code, id.number);
  if (r.empty()) return NotFound(field, "evaluation", id.ToString());
  return EvaluationFromRow(r[0]);
}

absl::StatusOr<v1::Award> AwardFromRow(const pqxx::row& r) {
  v1::Award a;
  RETURN_IF_ERROR(MergeFromJson(r[2].as<std::string>(), a));
  a.set_county_code(r[0].as<std::string>());
  a.set_id(ResourceId{a.county_code(), r[1].as<int64_t>()}.ToString());
  *a.mutable_pay_time() = TimestampFromMicros(r[3].as<int64_t>());
  return a;
}

}  // namespace

namespace {

// Counselling notes, sealed under the current data key ("" stays empty: no note).
std::string NotesContext(const std::string& county) { return crypto::Context("records", "restricted_sealed", county); }
pqxx::binarystring SealNotes(CallContext& call, const std::string& county, const std::string& notes) {
  return pqxx::binarystring(notes.empty() ? std::string() : call.keys()->Seal(notes, NotesContext(county)));
}

}  // namespace

std::vector<db::Statement> PgIncentiveRepository::Statements() {
  const std::string ev = kEvaluationCols;
  return {
      {"scheme_upsert",
       "INSERT INTO schemes (county_code, year, body) VALUES ($1, $2, $3::jsonb) ON CONFLICT (county_code, year) "
       "DO UPDATE SET body = EXCLUDED.body, update_time = now() RETURNING " TOUYAN_MICROS("update_time")},
      {"scheme_get",
       "SELECT body::text, " TOUYAN_MICROS("update_time") " FROM schemes WHERE county_code = $1 AND year = $2"},
      {"record_insert",
       "INSERT INTO records (county_code, kind, cadre_id, region_code, year, on_date, due_date, open, body, "
       "restricted_sealed, owner) VALUES ($1, $2, $3, $4, $5, NULLIF($6, '')::date, NULLIF($7, '')::date, $8, "
       "$9::jsonb, NULLIF($10::bytea, ''), $11) RETURNING id"},
      {"record_lock",
       "SELECT body::text, cadre_id, region_code, year, on_date::text, due_date::text, open, restricted_sealed "
       "FROM records WHERE county_code = $1 AND id = $2 AND kind = $3 FOR UPDATE"},
      {"record_get", "SELECT body::text FROM records WHERE county_code = $1 AND id = $2 AND kind = $3"},
      {"record_update",
       "UPDATE records SET body = $4::jsonb, on_date = NULLIF($5, '')::date, due_date = NULLIF($6, '')::date, "
       "open = $7, restricted_sealed = NULLIF($8::bytea, '') WHERE county_code = $1 AND id = $2 AND kind = $3"},
      {"record_list",
       "SELECT county_code, id, body::text, owner, CASE WHEN $8 OR owner = $9 THEN restricted_sealed END, "
       "restricted_sealed IS NOT NULL FROM records WHERE kind = $1 AND county_code LIKE $2 AND starts_with(region_code, $3) "
       "AND ($4 = '' OR cadre_id = $4) AND ($5 = 0 OR year = $5) AND (NOT $6 OR open) "
       "AND ($7 = '' OR due_date < NULLIF($7, '')::date) AND (county_code, id) > ($10, $11) "
       "ORDER BY county_code, id LIMIT $12"},
      {"measures_of",
       "SELECT body->>'kind' FROM records WHERE county_code = $1 AND cadre_id = $2 AND kind = 3 "
       "AND coalesce(body->>'state', '') <> 'MEASURE_STATE_REVOKED'"},
      {"wellbeing_alerts",
       "SELECT c.county_code, c.id, c.body::text, $3::date - c.on_date FROM records c "
       "WHERE c.kind = 7 AND c.open AND c.county_code LIKE $1 AND starts_with(c.region_code, $2) "
       "AND c.on_date + 30 < $3::date AND NOT EXISTS (SELECT 1 FROM records f WHERE f.kind = 6 "
       "AND f.county_code = c.county_code AND f.cadre_id = c.cadre_id "
       "AND f.on_date BETWEEN c.on_date AND c.on_date + 30) AND (c.county_code, c.id) > ($4, $5) "
       "ORDER BY c.county_code, c.id LIMIT $6"},
      {"evaluation_insert",
       "INSERT INTO evaluations (county_code, village_code, year, body) VALUES ($1, $2, $3, $4::jsonb) "
       "RETURNING " + ev},
      {"evaluation_get", "SELECT " + ev + " FROM evaluations WHERE county_code = $1 AND id = $2"},
      {"evaluation_lock", "SELECT " + ev + " FROM evaluations WHERE county_code = $1 AND id = $2 FOR UPDATE"},
      {"codes_void", "DELETE FROM voter_codes WHERE county_code = $1 AND evaluation_id = $2"},
      {"codes_outstanding", "SELECT count(*) FROM voter_codes WHERE county_code = $1 AND evaluation_id = $2"},
      {"codes_insert",
       "INSERT INTO voter_codes (county_code, evaluation_id, code_hash) SELECT $1, $2, decode(h, 'hex') "
       "FROM json_array_elements_text($3::json) AS h"},
      {"evaluation_set_issued", "UPDATE evaluations SET codes_issued = $3 WHERE county_code = $1 AND id = $2"},
      {"code_use",
       "DELETE FROM voter_codes WHERE county_code = $1 AND evaluation_id = $2 AND code_hash = decode($3, 'hex')"},
      {"ballot_insert",
       "INSERT INTO ballots (county_code, evaluation_id, choices) VALUES ($1, $2, $3::smallint[])"},
      {"evaluation_count_ballot",
       "UPDATE evaluations SET ballots = ballots + 1 WHERE county_code = $1 AND id = $2 RETURNING ballots"},
      {"ballots_of", "SELECT array_to_string(choices, ',') FROM ballots WHERE county_code = $1 AND evaluation_id = $2"},
      {"evaluation_close",
       "UPDATE evaluations SET closed = true, tallies = $3::jsonb, quorum_percent = $4 "
       "WHERE county_code = $1 AND id = $2"},
      {"inputs_of_year",
       "SELECT cadre_id, body::text FROM records WHERE county_code = $1 AND kind = 1 AND year = $2 "
       "ORDER BY on_date, id"},
      {"tallies_of_year",
       "SELECT tallies::text FROM evaluations WHERE county_code = $1 AND year = $2 AND closed ORDER BY id"},
      {"assessments_clear", "DELETE FROM assessments WHERE county_code = $1 AND year = $2"},
      {"assessments_insert",
       "INSERT INTO assessments (county_code, year, cadre_id, region_code, grade, body) "
       "SELECT $1, $2, x->>'c', x->>'r', (x->>'g')::smallint, x->'b' "
       "FROM jsonb_array_elements($3::jsonb) AS x ORDER BY x->>'c'"},
      {"assessment_get",
       "SELECT body::text FROM assessments WHERE county_code = $1 AND year = $2 AND cadre_id = $3"},
      {"assessment_list",
       "SELECT county_code, id, body::text FROM assessments WHERE county_code LIKE $1 AND starts_with(region_code, $2) "
       "AND year = $3 AND ($4 = 0 OR grade = $4) AND (county_code, id) > ($5, $6) ORDER BY county_code, id LIMIT $7"},
      {"budget_upsert",
       "INSERT INTO budgets (county_code, region_code, year, programme, amount_fen) VALUES ($1, $2, $3, $4, $5) "
       "ON CONFLICT (county_code, region_code, year, programme) DO UPDATE SET amount_fen = EXCLUDED.amount_fen"},
      {"budget_lock",
       "SELECT amount_fen FROM budgets WHERE county_code = $1 AND region_code = $2 AND year = $3 AND programme = $4 "
       "FOR UPDATE"},
      {"budget_get",
       "SELECT amount_fen FROM budgets WHERE county_code = $1 AND region_code = $2 AND year = $3 AND programme = $4"},
      {"budget_paid",
       "SELECT coalesce(sum(amount_fen), 0)::bigint FROM awards WHERE budget_region = $1 AND year = $2 "
       "AND programme = $3"},
      {"award_insert",
       "INSERT INTO awards (county_code, cadre_id, year, programme, recipient, amount_fen, budget_region, body) "
       "VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb) ON CONFLICT (county_code, cadre_id, programme, year) "
       "DO NOTHING RETURNING id, " TOUYAN_MICROS("pay_time")},
      {"awards_paid",
       "SELECT cadre_id FROM awards WHERE year = $1 AND programme = $2 AND cadre_id = ANY(ARRAY(SELECT "
       "json_array_elements_text($3::json)))"},
      {"award_list",
       "SELECT county_code, id, body::text, " TOUYAN_MICROS("pay_time") " FROM awards WHERE county_code LIKE $1 "
       "AND starts_with(county_code, $2) AND ($3 = 0 OR year = $3) AND (county_code, id) > ($4, $5) "
       "ORDER BY county_code, id LIMIT $6"},
      {"ledger",
       "SELECT county_code, count(*), count(*) FILTER (WHERE recipient = 1), count(*) FILTER (WHERE recipient = 2), "
       "sum(amount_fen)::bigint FROM awards WHERE county_code LIKE $1 AND year = $2 GROUP BY 1 ORDER BY 1"},
      {"promotion_report",
       "SELECT county_code, body->>'channel', count(*) FROM records WHERE kind = 4 AND county_code LIKE $1 "
       "AND starts_with(region_code, $2) AND year = $3 GROUP BY 1, 2 ORDER BY 1, 2"},
  };
}

// ------------------------------------------------------------------ schemes

absl::StatusOr<v1::Scheme> PgIncentiveRepository::SetScheme(CallContext& call, const v1::SetSchemeRequest& request,
                                                             const v1::Scheme& scheme) {
  return call.Mutate<v1::Scheme>(request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::Scheme> {
    std::optional<v1::Scheme> before;
    if (pqxx::result r = tx.exec_prepared("scheme_get", scheme.county_code(), scheme.year()); !r.empty()) {
      before.emplace();
      RETURN_IF_ERROR(MergeFromJson(r[0][0].as<std::string>(), *before));
    }
    v1::Scheme out = scheme;
    out.clear_update_time();
    pqxx::row r = tx.exec_prepared1("scheme_upsert", scheme.county_code(), scheme.year(), Json(out));
    *out.mutable_update_time() = TimestampFromMicros(r[0].as<int64_t>());
    call.Audit({.county_code = scheme.county_code(),
                .resource = absl::StrCat("schemes/", scheme.county_code(), "/", scheme.year()),
                .before = before ? &*before : nullptr,
                .after = &out});
    return out;
  });
}

absl::StatusOr<v1::Scheme> PgIncentiveRepository::GetScheme(CallContext& call, const std::string& county, int year) {
  return call.Read<v1::Scheme>([&](db::Tx& tx) -> absl::StatusOr<v1::Scheme> {
    pqxx::result r = tx.exec_prepared("scheme_get", county, year);
    if (r.empty()) return NotFound("county_code", "assessment scheme of year " + std::to_string(year) + " for", county);
    v1::Scheme s;
    RETURN_IF_ERROR(MergeFromJson(r[0][0].as<std::string>(), s));
    *s.mutable_update_time() = TimestampFromMicros(r[0][1].as<int64_t>());
    return s;
  });
}

// ------------------------------------------------------------------ records

absl::Status PgIncentiveRepository::AddRecord(CallContext& call, const google::protobuf::Message& request,
                                              const std::string& request_id, RecordKind kind,
                                              const RecordMeta& meta, google::protobuf::Message& record,
                                              const Check& check) {
  const std::string county = CountyOf(meta.region_code);
  return call.MutateInto(request, request_id, record, [&](db::Tx& tx, google::protobuf::Message& out) -> absl::Status {
    if (check) RETURN_IF_ERROR(check(tx));
    SetString(out, "county_code", county);
    const int64_t id = tx.exec_prepared1("record_insert", county, static_cast<int>(kind), meta.cadre_id,
                                         meta.region_code, meta.year, Iso(meta.on), Iso(meta.due), meta.open,
                                         Json(out), SealNotes(call, county, meta.restricted),
                                         call.principal().subject)[0]
                           .as<int64_t>();
    const std::string rid = ResourceId{county, id}.ToString();
    SetString(out, "id", rid);
    call.Audit({.county_code = county,
                .resource = absl::StrCat(out.GetDescriptor()->name(), "/", rid),
                .after = &out});
    return absl::OkStatus();
  });
}

absl::Status PgIncentiveRepository::GetRecord(CallContext& call, RecordKind kind, const ResourceId& id,
                                              absl::string_view field, google::protobuf::Message& record) {
  return call.Read<bool>([&](db::Tx& tx) -> absl::StatusOr<bool> {
    pqxx::result r = tx.exec_prepared("record_get", id.county_code, id.number, static_cast<int>(kind));
    if (r.empty()) return NotFound(field, "record", id.ToString());
    record.Clear();
    RETURN_IF_ERROR(MergeFromJson(r[0][0].as<std::string>(), record));
    SetString(record, "id", id.ToString());
    return true;
  }).status();
}

absl::Status PgIncentiveRepository::ChangeRecord(CallContext& call, const google::protobuf::Message& request,
                                                 const std::string& request_id, RecordKind kind,
                                                 const ResourceId& id, absl::string_view field,
                                                 const Change& change, google::protobuf::Message& record) {
  return call.MutateInto(request, request_id, record, [&](db::Tx& tx, google::protobuf::Message& out) -> absl::Status {
    pqxx::result r = tx.exec_prepared("record_lock", id.county_code, id.number, static_cast<int>(kind));
    if (r.empty()) return NotFound(field, "record", id.ToString());
    out.Clear();
    RETURN_IF_ERROR(MergeFromJson(r[0][0].as<std::string>(), out));
    RecordMeta meta{.cadre_id = r[0][1].as<std::string>(),
                    .region_code = r[0][2].as<std::string>(),
                    .year = r[0][3].as<int>(),
                    .on = Day(r[0][4]),
                    .due = Day(r[0][5]),
                    .open = r[0][6].as<bool>(),
                    .restricted = crypto::Unseal(*call.keys(), r[0][7], NotesContext(id.county_code))};
    RETURN_IF_ERROR(WithField(call.principal().CheckWrite(meta.region_code), field));
    std::unique_ptr<google::protobuf::Message> before(out.New());
    before->CopyFrom(out);
    RETURN_IF_ERROR(change(tx, out, meta));
    SetString(out, "id", id.ToString());
    tx.exec_prepared("record_update", id.county_code, id.number, static_cast<int>(kind), Json(out), Iso(meta.on),
                     Iso(meta.due), meta.open, SealNotes(call, id.county_code, meta.restricted));
    call.Audit({.county_code = id.county_code,
                .resource = absl::StrCat(out.GetDescriptor()->name(), "/", id.ToString()),
                .before = before.get(),
                .after = &out});
    return absl::OkStatus();
  });
}

absl::StatusOr<PageOf<StoredRecord>> PgIncentiveRepository::ListRecords(CallContext& call,
                                                                        const RecordFilter& f,
                                                                        const paging::Page& page) {
  ASSIGN_OR_RETURN(Keyset after, Keyset::Parse(page.cursor));
  const bool reads_all = call.principal().role == auth::Role::kCityOrgDept;
  return call.Read<PageOf<StoredRecord>>([&](db::Tx& tx) {
    return KeysetPage(
        tx.exec_prepared("record_list", static_cast<int>(f.kind), CountyLike(f.region_prefix), f.region_prefix,
                         f.cadre_id, f.year, f.open_only, Iso(f.due_before), reads_all, call.principal().subject,
                         after.county, after.id, page.size + 1),
        page.size, [&](const pqxx::row& r) {
          StoredRecord s;
          s.record_id = ResourceId{r[0].as<std::string>(), r[1].as<int64_t>()}.ToString();
          s.json = r[2].as<std::string>();
          s.owner = r[3].as<std::string>();
          if (!r[4].is_null()) s.restricted = crypto::Unseal(*call.keys(), r[4], NotesContext(r[0].as<std::string>()));
          s.has_restricted = r[5].as<bool>();
          return s;
        });
  });
}

std::vector<v1::MeasureKind> PgIncentiveRepository::MeasuresOf(db::Tx& tx, const std::string& cadre_id) {
  std::vector<v1::MeasureKind> out;
  for (const auto& row : tx.exec_prepared("measures_of", cadre_id.substr(0, 6), cadre_id)) {
    v1::MeasureKind k;
    if (v1::MeasureKind_Parse(row[0].as<std::string>(), &k)) out.push_back(k);
  }
  return out;
}

absl::StatusOr<PageOf<v1::WellbeingAlert>> PgIncentiveRepository::WellbeingAlerts(CallContext& call,
                                                                                 const std::string& region_prefix,
                                                                                 absl::CivilDay today,
                                                                                 const paging::Page& page) {
  ASSIGN_OR_RETURN(Keyset after, Keyset::Parse(page.cursor));
  return call.Read<PageOf<v1::WellbeingAlert>>([&](db::Tx& tx) -> absl::StatusOr<PageOf<v1::WellbeingAlert>> {
    ASSIGN_OR_RETURN(PageOf<StoredRecord> rows,
                     KeysetPage(tx.exec_prepared("wellbeing_alerts", CountyLike(region_prefix), region_prefix,
                                                 IsoDate(today), after.county, after.id, page.size + 1),
                                page.size, [&](const pqxx::row& r) {
                                  StoredRecord s;
                                  s.record_id = ResourceId{r[0].as<std::string>(), r[1].as<int64_t>()}.ToString();
                                  s.json = r[2].as<std::string>();
                                  s.owner = r[3].as<std::string>();  // the days, as text
                                  return s;
                                }));
    PageOf<v1::WellbeingAlert> out;
    out.next_cursor = rows.next_cursor;
    for (const StoredRecord& s : rows.items) {
      v1::WellbeingAlert a;
      RETURN_IF_ERROR(MergeFromJson(s.json, *a.mutable_check_in()));
      a.mutable_check_in()->set_id(s.record_id);
      a.set_days_without_follow_up(std::stoi(s.owner));
      out.items.push_back(std::move(a));
    }
    return out;
  });
}

// -------------------------------------------------------------- evaluations

absl::StatusOr<v1::Evaluation> PgIncentiveRepository::OpenEvaluation(CallContext& call,
                                                                     const v1::OpenEvaluationRequest& request,
                                                                     const v1::Evaluation& evaluation) {
  return call.Mutate<v1::Evaluation>(request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::Evaluation> {
    ASSIGN_OR_RETURN(v1::Evaluation out,
                     EvaluationFromRow(tx.exec_prepared1("evaluation_insert", CountyOf(evaluation.village_code()),
                                                         evaluation.village_code(), evaluation.year(),
                                                         Json(evaluation))));
    call.Audit({.county_code = out.county_code(), .resource = "evaluations/" + out.id(), .after = &out});
    return out;
  });
}

absl::StatusOr<v1::Evaluation> PgIncentiveRepository::GetEvaluation(CallContext& call, const ResourceId& id) {
  return call.Read<v1::Evaluation>([&](db::Tx& tx) { return LoadEvaluation(tx, id, false, "id"); });
}

absl::StatusOr<v1::IssueVoterCodesResponse> PgIncentiveRepository::IssueVoterCodes(CallContext& call,
                                                                                   const ResourceId& id, int count,
                                                                                   bool void_unused) {
  return call.WriteOnce<v1::IssueVoterCodesResponse>([&](db::Tx& tx) -> absl::StatusOr<v1::IssueVoterCodesResponse> {
    ASSIGN_OR_RETURN(v1::Evaluation e, LoadEvaluation(tx, id, true, "evaluation_id"));
    RETURN_IF_ERROR(WithField(call.principal().CheckWrite(e.village_code()), "evaluation_id"));
    if (e.closed()) return Failed("EVALUATION_CLOSED", "evaluation " + e.id() + " is closed", "evaluation_id");
    if (void_unused) tx.exec_prepared("codes_void", id.county_code, id.number);
    const int outstanding = tx.exec_prepared1("codes_outstanding", id.county_code, id.number)[0].as<int>();
    if (outstanding + e.ballots() + count > e.electorate()) {
      return Failed("TOO_MANY_CODES",
                    absl::StrCat("the electorate is ", e.electorate(), ": ", e.ballots(), " voted and ", outstanding,
                                 " codes are outstanding, so at most ",
                                 std::max(0, e.electorate() - e.ballots() - outstanding), " more can be issued"),
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

absl::StatusOr<v1::CastBallotResponse> PgIncentiveRepository::CastBallot(CallContext& call, const ResourceId& id,
                                                                         const v1::CastBallotRequest& ballot) {
  return call.WriteOnce<v1::CastBallotResponse>([&](db::Tx& tx) -> absl::StatusOr<v1::CastBallotResponse> {
    ASSIGN_OR_RETURN(v1::Evaluation e, LoadEvaluation(tx, id, true, "evaluation_id"));
    RETURN_IF_ERROR(WithField(call.principal().CheckWrite(e.village_code()), "evaluation_id"));
    if (e.closed()) return Failed("EVALUATION_CLOSED", "evaluation " + e.id() + " is closed", "evaluation_id");
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
        return InvalidField("choices", "a choice for " + e.cadre_ids(static_cast<int>(k)) + " is missing",
                            "MISSING_CHOICE");
      }
    }
    if (tx.exec_prepared0("code_use", id.county_code, id.number, CodeHash(id, ballot.voter_code())).affected_rows() != 1) {
      return Failed("BALLOT_CODE_INVALID",
                    "not an unused voter code of evaluation " + e.id() + " (each code votes once)", "voter_code");
    }
    tx.exec_prepared("ballot_insert", id.county_code, id.number, IntArray(choices));
    v1::CastBallotResponse out;
    out.set_accepted(true);
    out.set_ballots(tx.exec_prepared1("evaluation_count_ballot", id.county_code, id.number)[0].as<int>());
    return out;
  });
}

absl::StatusOr<v1::Evaluation> PgIncentiveRepository::CloseEvaluation(CallContext& call,
                                                                      const v1::CloseEvaluationRequest& request,
                                                                      const ResourceId& id, int quorum_percent) {
  return call.Mutate<v1::Evaluation>(request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::Evaluation> {
    ASSIGN_OR_RETURN(v1::Evaluation before, LoadEvaluation(tx, id, true, "id"));
    RETURN_IF_ERROR(WithField(call.principal().CheckWrite(before.village_code()), "id"));
    if (before.closed()) return Failed("EVALUATION_CLOSED", "evaluation " + before.id() + " is closed already", "id");
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
      v1::Tally t = TallyOf(votes[k], ballots, before.electorate(), quorum_percent);
      t.set_cadre_id(before.cadre_ids(static_cast<int>(k)));
      *after.add_tallies() = std::move(t);
    }
    after.set_closed(true);
    after.set_quorum_percent(quorum_percent);
    std::vector<v1::Tally> tallies(after.tallies().begin(), after.tallies().end());
    tx.exec_prepared("evaluation_close", id.county_code, id.number, JsonArray(tallies), quorum_percent);
    tx.exec_prepared("codes_void", id.county_code, id.number);
    call.Audit({.county_code = id.county_code, .resource = "evaluations/" + after.id(), .before = &before,
                .after = &after});
    return after;
  });
}

// -------------------------------------------------------------- assessments

absl::StatusOr<YearInputs> PgIncentiveRepository::InputsOf(CallContext& call, const std::string& county, int year) {
  return call.Read<YearInputs>([&](db::Tx& tx) -> absl::StatusOr<YearInputs> {
    YearInputs out;
    if (pqxx::result r = tx.exec_prepared("scheme_get", county, year); !r.empty()) {
      out.scheme.emplace();
      RETURN_IF_ERROR(MergeFromJson(r[0][0].as<std::string>(), *out.scheme));
    }
    for (const auto& row : tx.exec_prepared("inputs_of_year", county, year)) {  // by day: the latest wins
      v1::AssessmentInput in;
      RETURN_IF_ERROR(MergeFromJson(row[1].as<std::string>(), in));
      Inputs& x = out.by_cadre[row[0].as<std::string>()];
      if (in.kind() == v1::INPUT_KIND_DAILY_MANAGEMENT) x.daily.push_back(in.value());
      if (in.kind() == v1::INPUT_KIND_STAR_RATING) x.stars = in.value();
      if (in.kind() == v1::INPUT_KIND_ANNUAL_REVIEW) x.annual_review = in.value();
    }
    for (const auto& row : tx.exec_prepared("tallies_of_year", county, year)) {
      v1::Evaluation e;
      RETURN_IF_ERROR(MergeFromJson(absl::StrCat("{\"tallies\":", row[0].as<std::string>(), "}"), e));
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
    CallContext& call, const v1::ComputeAssessmentsRequest& request, const std::vector<v1::Assessment>& all) {
  return call.Mutate<v1::ComputeAssessmentsResponse>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::ComputeAssessmentsResponse> {
        std::string rows = "[";
        std::map<v1::Grade, int> grades;
        for (size_t i = 0; i < all.size(); ++i) {
          const v1::Assessment& a = all[i];
          absl::StrAppend(&rows, i ? "," : "", "{\"c\":\"", a.cadre_id(), "\",\"r\":\"", a.region_code(),
                          "\",\"g\":", static_cast<int>(a.grade()), ",\"b\":", Json(a), "}");
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
        call.Audit({.county_code = request.county_code(),
                    .resource = absl::StrCat("assessments/", request.county_code(), "/", request.year()),
                    .after = &out});
        return out;
      });
}

absl::StatusOr<v1::Assessment> PgIncentiveRepository::GetAssessment(CallContext& call, const ResourceId& cadre,
                                                                    int year) {
  return call.Read<v1::Assessment>([&](db::Tx& tx) -> absl::StatusOr<v1::Assessment> {
    pqxx::result r = tx.exec_prepared("assessment_get", cadre.county_code, year, cadre.ToString());
    if (r.empty()) return NotFound("cadre_id", "assessment of year " + std::to_string(year) + " for cadre", cadre.ToString());
    v1::Assessment a;
    RETURN_IF_ERROR(MergeFromJson(r[0][0].as<std::string>(), a));
    return a;
  });
}

absl::StatusOr<PageOf<v1::Assessment>> PgIncentiveRepository::ListAssessments(CallContext& call,
                                                                              const std::string& region_prefix,
                                                                              int year, v1::Grade grade,
                                                                              const paging::Page& page) {
  ASSIGN_OR_RETURN(Keyset after, Keyset::Parse(page.cursor));
  return call.Read<PageOf<v1::Assessment>>([&](db::Tx& tx) -> absl::StatusOr<PageOf<v1::Assessment>> {
    pqxx::result rows = tx.exec_prepared("assessment_list", CountyLike(region_prefix), region_prefix,
                                         year, static_cast<int>(grade), after.county, after.id, page.size + 1);
    PageOf<v1::Assessment> out;
    for (const auto& r : rows) {
      if (static_cast<int>(out.items.size()) == page.size) {
        out.next_cursor = KeysetCursor(ResourceId{rows[page.size - 1][0].as<std::string>(),
                                                  rows[page.size - 1][1].as<int64_t>()}.ToString());
        break;
      }
      v1::Assessment a;
      RETURN_IF_ERROR(MergeFromJson(r[2].as<std::string>(), a));
      out.items.push_back(std::move(a));
    }
    return out;
  });
}

// ------------------------------------------------------------------- awards

absl::StatusOr<v1::Budget> PgIncentiveRepository::SetBudget(CallContext& call, const v1::SetBudgetRequest& request) {
  const v1::Budget& b = request.budget();
  const std::string county = CountyOf(b.region_code());
  return call.Mutate<v1::Budget>(request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::Budget> {
    std::optional<v1::Budget> before;
    if (pqxx::result r = tx.exec_prepared("budget_get", county, b.region_code(), b.year(), static_cast<int>(b.programme()));
        !r.empty()) {
      before = b;
      before->set_amount_fen(r[0][0].as<int64_t>());
    }
    tx.exec_prepared("budget_upsert", county, b.region_code(), b.year(), static_cast<int>(b.programme()),
                     b.amount_fen());
    v1::Budget out = b;
    out.set_paid_fen(
        tx.exec_prepared1("budget_paid", b.region_code(), b.year(), static_cast<int>(b.programme()))[0].as<int64_t>());
    if (before) before->set_paid_fen(out.paid_fen());
    call.Audit({.county_code = county,
                .resource = absl::StrCat("budgets/", b.region_code(), "/", b.year()),
                .before = before ? &*before : nullptr,
                .after = &out});
    return out;
  });
}

absl::StatusOr<v1::PayCareAwardsResponse> PgIncentiveRepository::PayAwards(CallContext& call,
                                                                           const v1::PayCareAwardsRequest& request,
                                                                           const std::vector<v1::Award>& awards) {
  const std::string region = request.region_code();
  const int programme = v1::PROGRAMME_CARE;
  return call.Mutate<v1::PayCareAwardsResponse>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::PayCareAwardsResponse> {
        // The budget row's lock orders every payment from this budget.
        pqxx::result b = tx.exec_prepared("budget_lock", CountyOf(region), region, request.year(), programme);
        if (b.empty()) {
          return Failed("NO_BUDGET",
                        absl::StrCat("no care-award budget for ", region, " in ", request.year(), ": SetBudget first"),
                        "region_code");
        }
        const int64_t budget = b[0][0].as<int64_t>();
        const int64_t paid = tx.exec_prepared1("budget_paid", region, request.year(), programme)[0].as<int64_t>();
        google::protobuf::RepeatedPtrField<std::string> ids;
        for (const v1::Award& a : awards) *ids.Add() = a.cadre_id();
        std::set<std::string> done;
        for (const auto& row : tx.exec_prepared("awards_paid", request.year(), programme, JsonStrings(ids))) {
          done.insert(row[0].as<std::string>());
        }
        v1::PayCareAwardsResponse out;
        int64_t due = 0;
        for (const v1::Award& a : awards) due += done.count(a.cadre_id()) ? 0 : a.amount_fen();
        if (paid + due > budget) {
          return Failed("BUDGET_EXCEEDED",
                        absl::StrFormat("paying %d fen more would exceed the budget of %s for %d: %d fen, of which "
                                        "%d are paid; nothing was paid",
                                        due, region, request.year(), budget, paid),
                        "region_code");
        }
        for (const v1::Award& a : awards) {
          if (done.count(a.cadre_id())) {
            out.set_already_paid(out.already_paid() + 1);
            continue;
          }
          v1::Award stored = a;
          stored.set_budget_region(region);
          pqxx::result r = tx.exec_prepared("award_insert", a.county_code(), a.cadre_id(), a.year(), programme,
                                            static_cast<int>(a.recipient()), a.amount_fen(), region, Json(stored));
          if (r.empty()) {  // paid meanwhile from another budget
            out.set_already_paid(out.already_paid() + 1);
            continue;
          }
          stored.set_id(ResourceId{a.county_code(), r[0][0].as<int64_t>()}.ToString());
          *stored.mutable_pay_time() = TimestampFromMicros(r[0][1].as<int64_t>());
          out.set_paid(out.paid() + 1);
          out.set_amount_fen(out.amount_fen() + a.amount_fen());
          *out.add_awards() = stored;
        }
        for (const v1::Award& a : out.awards()) {
          call.Audit({.county_code = a.county_code(), .resource = "awards/" + a.id(), .after = &a});
        }
        return out;
      });
}

absl::StatusOr<PageOf<v1::Award>> PgIncentiveRepository::ListAwards(CallContext& call,
                                                                    const std::string& region_prefix, int year,
                                                                    const paging::Page& page) {
  ASSIGN_OR_RETURN(Keyset after, Keyset::Parse(page.cursor));
  return call.Read<PageOf<v1::Award>>([&](db::Tx& tx) {
    return KeysetPage(tx.exec_prepared("award_list", CountyLike(region_prefix), region_prefix.substr(0, 6), year,
                                       after.county, after.id, page.size + 1),
                      page.size, AwardFromRow);
  });
}

absl::StatusOr<v1::Ledger> PgIncentiveRepository::Ledger(CallContext& call, const std::string& region_code, int year) {
  return call.Read<v1::Ledger>([&](db::Tx& tx) -> absl::StatusOr<v1::Ledger> {
    v1::Ledger out;
    out.set_region_code(region_code);
    out.set_year(year);
    for (const auto& row : tx.exec_prepared("ledger", CountyLike(PrefixOf(region_code)), year)) {
      v1::CountyLedger* c = out.add_counties();
      c->set_county_code(row[0].as<std::string>());
      c->set_awards(row[1].as<int>());
      c->set_to_persons(row[2].as<int>());
      c->set_to_party_orgs(row[3].as<int>());
      c->set_amount_fen(row[4].as<int64_t>());
      out.set_total_fen(out.total_fen() + c->amount_fen());
    }
    pqxx::result b = tx.exec_prepared("budget_get", CountyOf(region_code), region_code, year,
                                      static_cast<int>(v1::PROGRAMME_CARE));
    if (!b.empty()) {
      out.set_budget_fen(b[0][0].as<int64_t>());
      const int64_t paid = tx.exec_prepared1("budget_paid", region_code, year,
                                             static_cast<int>(v1::PROGRAMME_CARE))[0].as<int64_t>();
      out.set_remaining_fen(out.budget_fen() - paid);
    }
    return out;
  });
}

absl::StatusOr<v1::PromotionReportResponse> PgIncentiveRepository::PromotionReport(CallContext& call,
                                                                                   const std::string& region_prefix,
                                                                                   int year) {
  return call.Read<v1::PromotionReportResponse>([&](db::Tx& tx) -> absl::StatusOr<v1::PromotionReportResponse> {
    v1::PromotionReportResponse out;
    out.set_year(year);
    std::map<v1::Channel, int> totals;
    for (int c = v1::CHANNEL_TOWNSHIP_DEPUTY; c <= v1::CHANNEL_PUBLIC_INSTITUTION; ++c) {
      totals[static_cast<v1::Channel>(c)] = 0;
    }
    v1::CountyPromotions* county = nullptr;
    for (const auto& row : tx.exec_prepared("promotion_report", CountyLike(region_prefix), region_prefix, year)) {
      v1::Channel ch;
      if (!v1::Channel_Parse(row[1].as<std::string>(), &ch)) continue;
      if (county == nullptr || county->county_code() != row[0].as<std::string>()) {
        county = out.add_counties();
        county->set_county_code(row[0].as<std::string>());
      }
      v1::ChannelCount* c = county->add_channels();
      c->set_channel(ch);
      c->set_promotions(row[2].as<int>());
      totals[ch] += c->promotions();
    }
    for (const auto& [ch, n] : totals) {
      v1::ChannelCount* c = out.add_totals();
      c->set_channel(ch);
      c->set_promotions(n);
    }
    return out;
  });
}

}  // namespace touyan::incentive
