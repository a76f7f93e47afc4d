// Shared by incentive's repository files (pg_*.cc), internal: column lists,
// row mapping, loading and locking, and the statement lists of each area.
#ifndef TOUYAN_SERVICES_INCENTIVE_PG_ROWS_H_
#define TOUYAN_SERVICES_INCENTIVE_PG_ROWS_H_

#include <openssl/rand.h>

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "common/crypto/digest.h"
#include "common/crypto/sealed.h"
#include "common/db/rows.h"
#include "common/ids/region.h"
#include "common/status/status.h"
#include "common/time/date.h"
#include "services/incentive/pg_incentive_repository.h"

namespace touyan::incentive {

inline std::string Iso(const std::optional<absl::CivilDay>& d) {
  return d ? IsoDate(*d) : std::string();
}
inline std::optional<absl::CivilDay> Day(const pqxx::field& f) {
  absl::CivilDay d;
  if (f.is_null() || !ParseIsoDate(f.as<std::string>(), &d)) return std::nullopt;
  return d;
}

// Sets a string field of any message by name (the records' "id", "county_code").
inline void SetString(google::protobuf::Message& m, const char* name, const std::string& value) {
  const auto* f = m.GetDescriptor()->FindFieldByName(name);
  if (f != nullptr) m.GetReflection()->SetString(&m, f, value);
}

inline std::string CodeHash(const ResourceId& evaluation, const std::string& code) {
  return crypto::Sha256Hex(absl::StrCat(evaluation.ToString(), ":", code));
}

// A voter code: 10 characters of an alphabet without look-alikes (50 bits).
inline std::string NewCode() {
  static constexpr char kAlphabet[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
  unsigned char bytes[10];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return "";
  std::string code;
  for (unsigned char b : bytes) code += kAlphabet[b % 32];
  return code;
}

inline absl::Status Failed(absl::string_view reason, const std::string& message,
                           absl::string_view field = "") {
  absl::Status s = WithReason(absl::FailedPreconditionError(message), reason);
  return field.empty() ? s : WithField(s, field);
}

inline constexpr char kEvaluationCols[] =
    "county_code, id, body::text, closed, codes_issued, ballots, tallies::text, quorum_percent, "
    "fail_percent";

inline absl::StatusOr<v1::Evaluation> EvaluationFromRow(const pqxx::row& r) {
  v1::Evaluation e;
  RETURN_IF_ERROR(MergeFromJson(r[2].as<std::string>(), e));
  e.set_county_code(r[0].as<std::string>());
  e.set_id(ResourceId{e.county_code(), r[1].as<int64_t>()}.ToString());
  e.set_closed(r[3].as<bool>());
  e.set_codes_issued(r[4].as<int>());
  e.set_ballots(r[5].as<int>());
  RETURN_IF_ERROR(MergeFromJson(absl::StrCat("{\"tallies\":", r[6].as<std::string>(), "}"), e));
  e.set_quorum_percent(r[7].as<int>());
  if (e.closed()) e.set_dissatisfied_fail_percent(r[8].as<int>());
  return e;
}

inline absl::StatusOr<v1::Evaluation> LoadEvaluation(db::Tx& tx, const ResourceId& id, bool lock,
                                                     absl::string_view field) {
  pqxx::result r =
      tx.exec_prepared(lock ? "evaluation_lock" : "evaluation_get", id.county_code, id.number);
  if (r.empty()) return NotFound(field, "evaluation", id.ToString());
  return EvaluationFromRow(r[0]);
}

// The columns AwardFromRow reads, from `awards`.
#define TOUYAN_AWARD_COLS                                                     \
  "county_code, id, body::text, " TOUYAN_MICROS("pay_time") ", " TOUYAN_ETAG( \
      "awards") ", reverse_reason, reversed_by, coalesce(" TOUYAN_MICROS("reverse_time") ", 0)"

inline absl::StatusOr<v1::Award> AwardFromRow(const pqxx::row& r) {
  v1::Award a;
  RETURN_IF_ERROR(MergeFromJson(r[2].as<std::string>(), a));
  a.set_county_code(r[0].as<std::string>());
  a.set_id(ResourceId{a.county_code(), r[1].as<int64_t>()}.ToString());
  *a.mutable_pay_time() = TimestampFromMicros(r[3].as<int64_t>());
  a.set_etag(r[4].as<std::string>());
  a.set_reverse_reason(r[5].as<std::string>());
  a.set_reversed_by(r[6].as<std::string>());
  const int64_t reversed = r[7].as<int64_t>();
  if (reversed != 0) *a.mutable_reverse_time() = TimestampFromMicros(reversed);
  a.set_state(reversed != 0 ? v1::AWARD_STATE_REVERSED : v1::AWARD_STATE_PAID);
  return a;
}

// Counselling notes, sealed under the current data key ("" stays empty: no note).
inline std::string NotesContext(const std::string& county) {
  return crypto::Context("records", "restricted_sealed", county);
}
inline pqxx::binarystring SealNotes(CallContext& call, const std::string& county,
                                    const std::string& notes) {
  return pqxx::binarystring(notes.empty() ? std::string()
                                          : call.keys()->Seal(notes, NotesContext(county)));
}

std::vector<db::Statement> AssessmentStatements();  // pg_assessments.cc
std::vector<db::Statement> RecordStatements();      // pg_records.cc
std::vector<db::Statement> AwardStatements();       // pg_awards.cc
std::vector<db::Statement> ProposalStatements();    // pg_proposals.cc

}  // namespace touyan::incentive

#endif  // TOUYAN_SERVICES_INCENTIVE_PG_ROWS_H_
