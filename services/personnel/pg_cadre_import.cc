// PgPersonnelRepository: the bulk import of cadres, streaming rows into
// Postgres with COPY.
#include <algorithm>
#include <map>
#include <tuple>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/idempotency/idempotency.h"
#include "common/log/log.h"
#include "common/log/trace.h"
#include "common/metrics/metrics.h"
#include "common/status/status.h"
#include "common/time/date.h"
#include "services/personnel/domain/rules.h"
#include "services/personnel/pg_personnel_repository.h"

namespace touyan::personnel {

std::vector<db::Statement> CadreImportStatements() {
  return {
      // Both look up each staged row by index (`OFFSET 0` keeps the
      // sub-select from becoming a join): a chunk's check costs its rows,
      // not a scan of every region or person of the province.
      {"cadre_import_missing_region",
       "DELETE FROM cadre_import s WHERE NOT EXISTS (SELECT 1 FROM regions r "
       "WHERE r.code = s.region_code OFFSET 0) RETURNING s.row_no, s.region_code"},
      {"cadre_import_registered",
       "DELETE FROM cadre_import s WHERE EXISTS (SELECT 1 FROM people p "
       "WHERE p.resident_id_index = s.resident_id_index OFFSET 0) RETURNING s.row_no, "
       "(SELECT p.county_code FROM people p WHERE p.resident_id_index = s.resident_id_index)"},
      // A fresh temporary table is read back in the order rows were written,
      // so ids follow the file without a sort. (ON CONFLICT DO NOTHING would
      // spare the check above but costs more per row: speculative insertion.)
      // The rows got their ids as they were copied in (the temporary
      // table's default): the registry and the cadres each take them in
      // one streaming statement, nothing materialised in between. The
      // registry's key is a keyed hash, random: taken in key order, its
      // index pages are filled in order rather than at random (500,000
      // rows into a registry of 200,000: 1.1-1.3 s against 1.8-2.2 s).
      {"cadre_import_register",
       "INSERT INTO people (resident_id_index, county_code, cadre_id) "
       "SELECT resident_id_index, county_code, id FROM cadre_import ORDER BY resident_id_index"},
      {"cadre_import_insert",
       "INSERT INTO cadres (county_code, id, region_code, resident_id_sealed, resident_id_index, "
       "name, "
       "gender, ethnicity, birth_date, party_member, education, phone_sealed, establishment, "
       "origin) "
       "SELECT county_code, id, region_code, resident_id_sealed, resident_id_index, name, gender, "
       "ethnicity, birth_date, party_member, education, NULLIF(phone_sealed, ''), establishment, "
       "origin "
       "FROM cadre_import"},
      // With a village post: rows without a village organisation, rows whose
      // organisation's post is taken ($1: the current kinds that take it), and
      // a second row for the same organisation; then cadres and posts at once.
      //
      // Each looks up its row's organisation (and posts) by index, row by
      // row: `OFFSET 0` keeps the sub-select from becoming a join, which the
      // planner would hash over every village organisation of the province
      // (490,000 at national scale: seconds a stream, growing with the
      // province instead of the stream).
      {"cadre_import_no_org",
       "DELETE FROM cadre_import s WHERE NOT EXISTS (SELECT 1 FROM party_orgs o WHERE "
       "o.county_code = s.county_code AND o.region_code = s.region_code AND o.kind IN (1, 2) "
       "OFFSET 0) RETURNING s.row_no, s.region_code"},
      {"cadre_import_post_taken",
       "DELETE FROM cadre_import s WHERE EXISTS (SELECT 1 FROM party_orgs o JOIN positions p ON "
       "p.county_code = o.county_code AND p.party_org_id = o.id WHERE o.county_code = "
       "s.county_code AND o.region_code = s.region_code AND o.kind IN (1, 2) "
       "AND p.ended_on IS NULL AND p.kind = ANY($1::smallint[]) OFFSET 0) RETURNING s.row_no"},
      {"cadre_import_post_repeated",
       "DELETE FROM cadre_import s WHERE EXISTS (SELECT 1 FROM cadre_import t "
       "WHERE t.region_code = s.region_code AND t.row_no < s.row_no) RETURNING s.row_no"},
      {"cadre_import_insert_posted",
       "WITH ins AS (INSERT INTO cadres (county_code, id, region_code, resident_id_sealed, "
       "resident_id_index, "
       "name, gender, ethnicity, birth_date, party_member, education, phone_sealed, establishment, "
       "origin) "
       "SELECT county_code, id, region_code, resident_id_sealed, resident_id_index, name, gender, "
       "ethnicity, birth_date, party_member, education, NULLIF(phone_sealed, ''), establishment, "
       "origin "
       "FROM cadre_import RETURNING county_code, id, region_code), "
       "pos AS (INSERT INTO positions (county_code, cadre_id, party_org_id, kind, term_start) "
       "SELECT i.county_code, i.id, o.id, $1, $2::date FROM ins i CROSS JOIN LATERAL "
       "(SELECT o.id FROM party_orgs o WHERE o.county_code = i.county_code AND o.region_code = "
       "i.region_code AND o.kind IN (1, 2) OFFSET 0) o RETURNING 1) "
       "SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM pos)"},
      // What the staged rows left after the checks add to each county's
      // count (the audit entries, written once at the end).
      {"cadre_import_counts",
       "SELECT county_code, count(*), min(row_no), max(row_no) FROM cadre_import GROUP BY 1"},
      {"cadre_import_audit",
       "INSERT INTO audit_log (county_code, subject, role, method, resource, request_id, after, "
       "trace_id) SELECT x.county_code, $1, $2, $3, 'cadres', $4, jsonb_build_object("
       "'cadres_imported', x.n, 'first_row', x.first_row, 'last_row', x.last_row), "
       "nullif($5, '') FROM jsonb_to_recordset($6::jsonb) AS x(county_code text, n bigint, "
       "first_row bigint, last_row bigint) ORDER BY 1"},
  };
}

namespace {

constexpr int kMaxReportedErrors = 1000;

// Rows staged and moved into cadres at a time (an import without a village
// post): the move of one chunk runs in Postgres while the next streams in.
constexpr size_t kChunkRows = 16384;

// The staging table's columns: every one but id, which its default numbers
// as the rows arrive.
const std::vector<std::string>& StagedColumns() {
  static const std::vector<std::string> kColumns = {"row_no",
                                                    "county_code",
                                                    "region_code",
                                                    "resident_id_sealed",
                                                    "resident_id_index",
                                                    "name",
                                                    "gender",
                                                    "ethnicity",
                                                    "birth_date",
                                                    "party_member",
                                                    "education",
                                                    "phone_sealed",
                                                    "establishment",
                                                    "origin"};
  return kColumns;
}

// One staged row, in StagedColumns' order.
using StagedRow =
    std::tuple<int64_t, std::string, std::string, std::string, std::string, std::string, int,
               std::string, std::string, bool, int, std::string, int, int>;

// A bytea in COPY's text form.
std::string Bytea(const pqxx::binarystring& b) { return "\\x" + absl::BytesToHexString(b.str()); }

// Rows are validated here, good ones copied in chunks with COPY into a
// temporary table, and then moved into cadres after the rows Postgres must
// judge (unknown region, already registered) are taken out and reported.
// COPY cannot go straight into cadres: Postgres refuses COPY FROM into a table
// with row-level security for any role but its owner.
//
// Without a village post each chunk is moved as soon as it is copied: its
// statements are sent at once (db::Pipelined) and read when the next chunk
// is full, so Postgres writes cadres while the service validates and seals
// the rows that follow. With a post, the checks span the whole import (a
// second row for the same organisation): every chunk is copied, then moved
// at the end.
class PgCadreImport final : public StreamSink<v1::ImportCadresRequest, v1::ImportCadresResponse> {
 public:
  absl::StatusOr<bool> OnMessage(CallContext& call, const v1::ImportCadresRequest& m) override {
    if (!begun_) {
      begun_ = true;
      RETURN_IF_ERROR(Begin(call, m));
    }
    for (const v1::Cadre& in : m.cadres()) {
      fingerprint_.AddMessage(v1::ImportCadresRequest::kCadresFieldNumber, in);
    }
    if (earlier_) return true;  // a retry: read to its end, then compare
    const absl::CivilDay today = call.clock().Today();
    for (const v1::Cadre& in : m.cadres()) {
      ++row_;
      v1::Cadre c = in;
      absl::Status s = NormalizeCadre(c, today);
      if (s.ok()) s = call.principal().CheckWrite(c.region_code());
      if (s.ok() && !seen_.insert(c.resident_id()).second) {
        s = InvalidField("resident_id", "appears more than once in this import",
                         "DUPLICATE_IN_IMPORT");
      }
      if (!s.ok()) {
        Fail(row_, s);
        continue;
      }
      // Sealed before they leave the process: the temporary table (and any
      // file it spills to) holds no plaintext either.
      const std::string county = CountyOf(c.region_code());
      const SealedPerson sealed = SealPerson(*call.keys(), "cadres", county, c);
      staged_.emplace_back(row_, county, c.region_code(), Bytea(sealed.resident_id),
                           Bytea(sealed.index), c.name(), static_cast<int>(c.gender()),
                           c.ethnicity(), IsoDate(*ToCivilDay("", c.birth_date())),
                           c.party_member(), static_cast<int>(c.education()), Bytea(sealed.phone),
                           static_cast<int>(c.establishment()), static_cast<int>(c.origin()));
    }
    if (staged_.size() >= kChunkRows) {
      if (post_ == v1::POSITION_KIND_UNSPECIFIED) {
        MoveChunk();
      } else {
        CopyStaged();
      }
    }
    return true;
  }

  absl::StatusOr<v1::ImportCadresResponse> OnFinish(CallContext& call) override {
    if (!begun_) {
      return InvalidField("request_id", "the stream was empty: send request_id and rows",
                          "REQUIRED");
    }
    // The whole request as the import read it: the first message's
    // request_id, every row, then the first message's options (the merged
    // request's serialization order).
    fingerprint_.AddFields(options_);
    const idempotency::Fingerprint request = fingerprint_.Finish();
    if (earlier_) {
      ASSIGN_OR_RETURN(std::string stored, idempotency::Replay(*earlier_, request));
      if (!resp_.ParseFromString(stored)) return absl::InternalError("stored response is corrupt");
      return resp_;
    }
    db::Tx& tx = *tx_;
    if (post_ == v1::POSITION_KIND_UNSPECIFIED) {
      MoveChunk();
      Moved(moving_->Wait());
      moving_.reset();
    } else {
      CopyStaged();
      for (const auto& r : tx.exec_prepared("cadre_import_missing_region")) {
        Fail(r[0].as<int64_t>(), RegionMissing(r[1].as<std::string>()));
      }
      for (const auto& r : tx.exec_prepared("cadre_import_registered")) {
        Fail(r[0].as<int64_t>(), AlreadyRegistered(r[1].as<std::string>(), ""));
      }
      ImportPosts(tx);
      for (const auto& r : tx.exec_prepared("cadre_import_counts")) {
        Count(r[0].as<std::string>(), r[1].as<int64_t>(), r[2].as<int64_t>(), r[3].as<int64_t>());
      }
    }
    resp_.set_rows_received(row_);
    std::sort(errors_.begin(), errors_.end(),
              [](const v1::RowError& a, const v1::RowError& b) { return a.row() < b.row(); });
    resp_.set_rows_failed(static_cast<int64_t>(errors_.size()));
    for (size_t i = 0; i < errors_.size() && i < kMaxReportedErrors; ++i) {
      *resp_.add_errors() = errors_[i];
    }
    std::string counts;
    for (const auto& [county, n] : counts_) {
      absl::StrAppend(&counts, counts.empty() ? "" : ",", R"({"county_code":")",
                      log::JsonEscape(county), R"(","n":)", n.rows, R"(,"first_row":)", n.first,
                      R"(,"last_row":)", n.last, "}");
    }
    tx.exec_prepared("cadre_import_audit", call.principal().subject,
                     std::string(auth::RoleName(call.principal().role)), call.method(), request_id_,
                     log::CurrentTrace().trace_id, "[" + counts + "]");
    idempotency::Complete(tx, request_id_, call.principal().subject, resp_, call.keys(), request);
    tx.commit();
    call.metrics()
        .Counter("touyan_personnel_cadres_imported_total", "Cadres stored by bulk imports.")
        .Increment(static_cast<double>(resp_.rows_imported()));
    return resp_;
  }

 private:
  absl::Status Begin(CallContext& call, const v1::ImportCadresRequest& first) {
    request_id_ = first.request_id();
    RETURN_IF_ERROR(idempotency::ValidateRequestId(request_id_));
    if (!call.principal().CanWrite()) return call.principal().CheckWrite("");
    post_ = first.village_post();
    if (!v1::PositionKind_IsValid(post_)) {
      return InvalidField("village_post", "is not a known PositionKind", "INVALID_ENUM");
    }
    if (post_ != v1::POSITION_KIND_UNSPECIFIED) {
      if (!first.has_term_start())
        return InvalidField("term_start", "is required with village_post", "REQUIRED");
      ASSIGN_OR_RETURN(absl::CivilDay start, ToCivilDay("term_start", first.term_start()));
      term_start_ = IsoDate(start);
    }
    ASSIGN_OR_RETURN(lease_, call.Lease());
    db::ApplySession(*lease_, call.scope(), call.deadline());
    tx_ = std::make_unique<pqxx::work>(lease_->conn());
    db::ApplyLocal(*lease_, call.scope(), call.deadline(), *tx_);
    fingerprint_.AddString(v1::ImportCadresRequest::kRequestIdFieldNumber, request_id_);
    options_.set_village_post(post_);
    if (first.has_term_start()) *options_.mutable_term_start() = first.term_start();
    // Claimed now, so a concurrent retry waits while this call streams; the
    // request is compared (a retry) or stored (this call) at the end.
    ASSIGN_OR_RETURN(
        earlier_, idempotency::ClaimStream(*tx_, call.scope(), request_id_,
                                           call.principal().subject, call.method(), call.keys()));
    if (earlier_) {
      tx_.reset();  // nothing to write: no transaction open while the retry streams
      return absl::OkStatus();
    }
    tx_->exec(
        "CREATE TEMP TABLE cadre_import (id bigint DEFAULT nextval('cadre_id_seq'), row_no bigint, "
        "county_code text COLLATE \"C\", "
        "region_code text COLLATE \"C\", resident_id_sealed bytea, resident_id_index bytea, name "
        "text, "
        "gender smallint, ethnicity text, birth_date date, party_member boolean, "
        "education smallint, phone_sealed bytea, establishment smallint, origin smallint) "
        "ON COMMIT DROP");
    staged_.reserve(kChunkRows);
    return absl::OkStatus();
  }

  // Copies the staged rows into the staging table.
  void CopyStaged() {
    if (staged_.empty()) return;
    pqxx::stream_to copy(*tx_, "cadre_import", StagedColumns());
    for (const StagedRow& r : staged_) copy << r;
    copy.complete();
    staged_.clear();
  }

  // Reads the moves of the last chunk, copies the staged rows and sends
  // their moves: the rows Postgres refuses taken out, the rest registered
  // and stored, their counts taken, the staging table emptied.
  void MoveChunk() {
    static const db::Call kMissing{"cadre_import_missing_region", "", {}};
    static const db::Call kRegistered{"cadre_import_registered", "", {}};
    static const db::Call kRegister{"cadre_import_register", "", {}};
    static const db::Call kInsert{"cadre_import_insert", "", {}};
    static const db::Call kCounts{"cadre_import_counts", "", {}};
    static const db::Call kEmpty{"", "TRUNCATE cadre_import", {}};
    if (moving_) {
      Moved(moving_->Wait());
      moving_.reset();
    }
    CopyStaged();
    moving_ = std::make_unique<db::Pipelined>(
        *lease_, std::vector<const db::Call*>{&kMissing, &kRegistered, &kRegister, &kInsert,
                                              &kCounts, &kEmpty});
  }

  // What a chunk's moves returned (MoveChunk's statements, in order).
  void Moved(const std::vector<db::Pipelined::Result>& r) {
    for (const auto& row : r[0].values) {
      Fail(std::stoll(*row[0]), RegionMissing(*row[1]));
    }
    for (const auto& row : r[1].values) {
      Fail(std::stoll(*row[0]), AlreadyRegistered(*row[1], ""));
    }
    resp_.set_rows_imported(resp_.rows_imported() + r[3].affected);
    for (const auto& row : r[4].values) {
      Count(*row[0], std::stoll(*row[1]), std::stoll(*row[2]), std::stoll(*row[3]));
    }
  }

  void Count(const std::string& county, int64_t rows, int64_t first, int64_t last) {
    CountyRows& c = counts_[county];
    c.first = c.rows == 0 ? first : std::min(c.first, first);
    c.last = std::max(c.last, last);
    c.rows += rows;
  }

  // The rows that cannot take the post are reported; the rest are stored
  // with their posts in one statement.
  void ImportPosts(db::Tx& tx) {
    for (const auto& r : tx.exec_prepared("cadre_import_no_org")) {
      Fail(
          r[0].as<int64_t>(),
          WithReason(
              WithField(absl::FailedPreconditionError(absl::StrCat(
                            "region ", r[1].as<std::string>(),
                            " has no village or community Party organisation to take the post in")),
                        "cadre.region_code"),
              "NO_VILLAGE_ORG"));
    }
    if (post_ != v1::POSITION_KIND_COMMITTEE_MEMBER) {
      // One secretary and one director an organisation; DUAL_ROLE is both.
      const char* taking = post_ == v1::POSITION_KIND_BRANCH_SECRETARY     ? "{1,3}"
                           : post_ == v1::POSITION_KIND_COMMITTEE_DIRECTOR ? "{2,3}"
                                                                           : "{1,2,3}";
      auto taken = [&](int64_t row, const char* why) {
        Fail(row, WithReason(WithField(absl::FailedPreconditionError(absl::StrCat(
                                           "the organisation of this row's village ", why,
                                           " a current ", v1::PositionKind_Name(post_))),
                                       "cadre.region_code"),
                             "POST_TAKEN"));
      };
      for (const auto& r : tx.exec_prepared("cadre_import_post_taken", taking)) {
        taken(r[0].as<int64_t>(), "already has");
      }
      for (const auto& r : tx.exec_prepared("cadre_import_post_repeated")) {
        taken(r[0].as<int64_t>(), "gets, from an earlier row of this import,");
      }
    }
    tx.exec_prepared("cadre_import_register");
    pqxx::row n =
        tx.exec_prepared1("cadre_import_insert_posted", static_cast<int>(post_), term_start_);
    resp_.set_rows_imported(n[0].as<int64_t>());
    resp_.set_positions_created(n[1].as<int64_t>());
  }

  void Fail(int64_t row, const absl::Status& s) {
    v1::RowError e;
    e.set_row(row);
    e.set_field(FieldOf(s).value_or(""));
    e.set_reason(ReasonOf(s));
    e.set_message(std::string(s.message()));
    errors_.push_back(std::move(e));
  }

  struct CountyRows {
    int64_t rows = 0, first = 0, last = 0;
  };

  db::Lease* lease_ = nullptr;
  std::unique_ptr<pqxx::work> tx_;
  std::unique_ptr<db::Pipelined> moving_;     // a chunk's moves, sent (read before tx_ ends)
  std::vector<StagedRow> staged_;             // rows not yet copied
  std::map<std::string, CountyRows> counts_;  // rows stored, by county: the audit entries
  bool begun_ = false;
  std::string request_id_;
  idempotency::FingerprintBuilder fingerprint_;
  v1::ImportCadresRequest options_;              // village_post, term_start
  std::optional<idempotency::Earlier> earlier_;  // a retry of a committed import
  v1::PositionKind post_ = v1::POSITION_KIND_UNSPECIFIED;
  std::string term_start_;  // YYYY-MM-DD, with post_
  int64_t row_ = 0;
  absl::flat_hash_set<std::string> seen_;  // resident IDs, for duplicates
  std::vector<v1::RowError> errors_;
  v1::ImportCadresResponse resp_;
};

}  // namespace

std::unique_ptr<StreamSink<v1::ImportCadresRequest, v1::ImportCadresResponse>>
PgPersonnelRepository::NewCadreImport() {
  return std::make_unique<PgCadreImport>();
}

}  // namespace touyan::personnel
