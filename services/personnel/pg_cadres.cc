// PgPersonnelRepository: cadres, and the bulk import that streams rows into
// Postgres with COPY.
#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/idempotency/idempotency.h"
#include "common/metrics/metrics.h"
#include "common/status/status.h"
#include "common/time/date.h"
#include "services/personnel/domain/rules.h"
#include "services/personnel/pg_personnel_repository.h"

namespace touyan::personnel {
namespace {

constexpr int kMaxReportedErrors = 1000;

// A bytea in COPY's text form.
std::string Bytea(const pqxx::binarystring& b) { return "\\x" + absl::BytesToHexString(b.str()); }

absl::Status CadreNotFound(const ResourceId& id) {
  return WithReason(
      WithField(absl::NotFoundError(absl::StrCat("cadre ", id.ToString(), " does not exist")), "id"),
      "NOT_FOUND");
}

// One person, one record: the refusal names the county that holds it (a
// move between counties is TransferCadre).
absl::Status AlreadyRegistered(const std::string& county, const std::string& county_name) {
  return WithReason(
      WithField(absl::AlreadyExistsError(absl::StrCat(
                    "a cadre with this resident ID is already registered, in county ", county,
                    county_name.empty() ? "" : absl::StrCat(" (", county_name, ")"),
                    ": one person has one record; to move them here, transfer that record (TransferCadre)")),
                "cadre.resident_id"),
      "ALREADY_REGISTERED");
}

absl::Status Transferred(const v1::Cadre& c) {
  return WithReason(absl::FailedPreconditionError(absl::StrCat(
                        "cadre ", c.id(), " was transferred to another county; its record there is ",
                        c.transferred_to(), " (this one is kept as history)")),
                    "TRANSFERRED");
}

absl::Status RegionMissing(const std::string& code) {
  return WithReason(WithField(absl::NotFoundError(absl::StrCat("region ", code, " does not exist")),
                              "cadre.region_code"),
                    "REGION_NOT_FOUND");
}

}  // namespace

SealedPerson SealPerson(const crypto::Keyring& keys, const std::string& table, const std::string& county,
                        const v1::Cadre& person) {
  return SealedPerson{
      .resident_id = pqxx::binarystring(
          keys.Seal(person.resident_id(), crypto::Context(table, "resident_id_sealed", county))),
      .index = ResidentIndex(keys, person.resident_id()),
      .phone = pqxx::binarystring(person.phone().empty()
                                      ? std::string()
                                      : keys.Seal(person.phone(), crypto::Context(table, "phone_sealed", county))),
  };
}

void UnsealPerson(const crypto::Keyring& keys, const std::string& table, const std::string& county,
                  const pqxx::field& resident_id, const pqxx::field& phone, v1::Cadre& person) {
  person.set_resident_id(crypto::Unseal(keys, resident_id, crypto::Context(table, "resident_id_sealed", county)));
  person.set_phone(crypto::Unseal(keys, phone, crypto::Context(table, "phone_sealed", county)));
}

pqxx::binarystring ResidentIndex(const crypto::Keyring& keys, const std::string& resident_id) {
  return pqxx::binarystring(keys.BlindIndex("resident_id", resident_id));
}

v1::Cadre CadreFromRow(const pqxx::row& r, const crypto::Keyring& keys) {
  v1::Cadre c;
  c.set_county_code(r[0].as<std::string>());
  c.set_id(ResourceId{c.county_code(), r[1].as<int64_t>()}.ToString());
  c.set_region_code(r[2].as<std::string>());
  UnsealPerson(keys, "cadres", c.county_code(), r[3], r[10], c);
  c.set_name(r[4].as<std::string>());
  c.set_gender(static_cast<v1::Gender>(r[5].as<int>()));
  c.set_ethnicity(r[6].as<std::string>());
  absl::CivilDay birth;
  if (ParseIsoDate(r[7].as<std::string>(), &birth)) *c.mutable_birth_date() = ToDate(birth);
  c.set_party_member(r[8].as<bool>());
  c.set_education(static_cast<v1::Education>(r[9].as<int>()));
  c.set_establishment(static_cast<v1::EstablishmentStatus>(r[11].as<int>()));
  c.set_origin(static_cast<v1::Origin>(r[12].as<int>()));
  *c.mutable_create_time() = TimestampFromMicros(r[13].as<int64_t>());
  *c.mutable_update_time() = TimestampFromMicros(r[14].as<int64_t>());
  for (absl::string_view k : absl::StrSplit(r[15].as<std::string>(), ',', absl::SkipEmpty())) {
    c.add_current_positions(static_cast<v1::PositionKind>(k[0] - '0'));
  }
  c.set_transferred_from(r[16].as<std::string>());
  c.set_transferred_to(r[17].as<std::string>());
  c.set_anonymised(r[18].as<bool>());
  return c;
}

absl::StatusOr<v1::Cadre> InsertCadre(db::Tx& tx, CallContext& call, const v1::Cadre& cadre,
                                      const std::string& transferred_from) {
  const std::string county = CountyOf(cadre.region_code());
  const SealedPerson sealed = SealPerson(*call.keys(), "cadres", county, cadre);
  pqxx::result r;
  try {
    // A transfer moves the registry's entry to the new record; a registration adds one.
    r = tx.exec_prepared(transferred_from.empty() ? "cadre_insert" : "cadre_insert_transfer", county, cadre.region_code(), sealed.resident_id,
                         cadre.name(), static_cast<int>(cadre.gender()), cadre.ethnicity(),
                         IsoDate(*ToCivilDay("", cadre.birth_date())), cadre.party_member(),
                         static_cast<int>(cadre.education()), sealed.phone,
                         static_cast<int>(cadre.establishment()), static_cast<int>(cadre.origin()),
                         sealed.index, transferred_from);
  } catch (const pqxx::foreign_key_violation&) {  // the transaction rolls back
    return RegionMissing(cadre.region_code());
  }
  if (r.empty() && !transferred_from.empty()) {
    return WithReason(absl::FailedPreconditionError(
                          "the registry holds no entry for this record's person (registered twice before "
                          "one person one record): ask the operators to merge the records"),
                      "NOT_IN_REGISTRY");
  }
  if (r.empty()) {  // the registry holds the person already
    pqxx::result holder = tx.exec_prepared("person_holder", sealed.index);
    if (holder.empty()) return absl::AbortedError("the registration raced another; retry");
    return AlreadyRegistered(holder[0][0].as<std::string>(), holder[0][1].as<std::string>());
  }
  // A new cadre holds no post yet: the row is what was validated plus what
  // the insert returned, with no second read.
  v1::Cadre created = cadre;
  created.set_id(ResourceId{county, r[0][0].as<int64_t>()}.ToString());
  created.set_county_code(county);
  created.clear_current_positions();
  created.set_transferred_from(transferred_from);  // output only: what the caller sent is not kept
  created.clear_transferred_to();
  created.clear_anonymised();
  *created.mutable_create_time() = TimestampFromMicros(r[0][1].as<int64_t>());
  *created.mutable_update_time() = TimestampFromMicros(r[0][2].as<int64_t>());
  call.Audit({.county_code = county,
                  .resource = "cadres/" + created.id(),
                  .after = &created});
  call.metrics()
      .Counter("touyan_personnel_cadres_created_total", "Cadres registered one by one.")
      .Increment();
  return created;
}

absl::StatusOr<v1::Cadre> PgPersonnelRepository::CreateCadre(CallContext& call,
                                                             const v1::CreateCadreRequest& request,
                                                             const v1::Cadre& cadre) {
  return call.Mutate<v1::Cadre>(request, request.request_id(), [&](db::Tx& tx) {
    return InsertCadre(tx, call, cadre);
  });
}

absl::StatusOr<v1::Cadre> PgPersonnelRepository::GetCadre(CallContext& call, const ResourceId& id) {
  return call.Read<v1::Cadre>([&](db::Tx& tx) -> absl::StatusOr<v1::Cadre> {
    pqxx::result r = tx.exec_prepared("cadre_get", id.county_code, id.number);
    if (r.empty()) return CadreNotFound(id);
    return CadreFromRow(r[0], *call.keys());
  });
}

absl::StatusOr<std::vector<v1::Cadre>> PgPersonnelRepository::GetCadres(
    CallContext& call, const std::vector<ResourceId>& ids) {
  std::vector<std::string> counties;
  std::vector<int64_t> numbers;
  for (const ResourceId& id : ids) {
    counties.push_back(id.county_code);
    numbers.push_back(id.number);
  }
  return call.Read<std::vector<v1::Cadre>>([&](db::Tx& tx) -> absl::StatusOr<std::vector<v1::Cadre>> {
    std::vector<v1::Cadre> out;
    for (const auto& row : tx.exec_prepared("cadre_get_many", DigitArray(counties),
                                            IntArray64(numbers))) {
      out.push_back(CadreFromRow(row, *call.keys()));
    }
    return out;
  });
}

namespace {

v1::Secretary SecretaryFromRow(const pqxx::row& r) {
  v1::Secretary s;
  const std::string county = r[0].as<std::string>();
  s.set_county_code(county);
  s.set_position_id(ResourceId{county, r[1].as<int64_t>()}.ToString());
  s.set_position_kind(static_cast<v1::PositionKind>(r[2].as<int>()));
  s.set_cadre_id(ResourceId{county, r[3].as<int64_t>()}.ToString());
  s.set_cadre_name(r[4].as<std::string>());
  s.set_party_org_id(ResourceId{county, r[5].as<int64_t>()}.ToString());
  s.set_party_org_name(r[6].as<std::string>());
  s.set_party_org_kind(static_cast<v1::PartyOrgKind>(r[7].as<int>()));
  s.set_region_code(r[8].as<std::string>());
  return s;
}

}  // namespace

absl::StatusOr<PageOf<v1::Secretary>> PgPersonnelRepository::ListSecretaries(
    CallContext& call, const std::string& region_prefix, int org_kind, const paging::Page& page) {
  ASSIGN_OR_RETURN(Keyset after, Keyset::Parse(page.cursor));
  return call.Read<PageOf<v1::Secretary>>([&](db::Tx& tx) -> absl::StatusOr<PageOf<v1::Secretary>> {
    // County codes are digits: the prefix's range ends where its last digit
    // is one more ("71" → "72"; the nation, "" → "~").
    const std::string from = region_prefix.substr(0, 6);
    std::string to = from.empty() ? "~" : from;
    if (!from.empty()) ++to.back();
    pqxx::result r = tx.exec_prepared("secretary_list", from, region_prefix + "%", org_kind, after.county,
                                      after.id, page.size + 1, to);
    return KeysetPage(r, page.size, SecretaryFromRow, &v1::Secretary::position_id);
  });
}

absl::StatusOr<v1::Cadre> PgPersonnelRepository::UpdateCadre(
    CallContext& call, const v1::UpdateCadreRequest& request, const ResourceId& id,
    const std::function<absl::Status(v1::Cadre&)>& apply) {
  return call.Mutate<v1::Cadre>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::Cadre> {
        pqxx::result r = tx.exec_prepared("cadre_get_for_update", id.county_code, id.number);
        if (r.empty()) return CadreNotFound(id);
        const v1::Cadre before = CadreFromRow(r[0], *call.keys());
        if (!before.transferred_to().empty()) return Transferred(before);
        if (before.anonymised()) {
          return WithReason(absl::FailedPreconditionError(absl::StrCat(
                                "cadre ", before.id(), " departed and was anonymised: register the person anew")),
                            "ANONYMISED");
        }
        RETURN_IF_ERROR(call.principal().CheckWrite(before.region_code()));
        v1::Cadre after = before;
        RETURN_IF_ERROR(apply(after));
        // Every sealed value is sealed again: under the current key.
        const SealedPerson sealed = SealPerson(*call.keys(), "cadres", id.county_code, after);
        try {
          tx.exec_prepared("cadre_update", id.county_code, id.number, after.region_code(),
                           after.name(), after.ethnicity(), after.party_member(),
                           static_cast<int>(after.education()), sealed.phone,
                           static_cast<int>(after.establishment()),
                           static_cast<int>(after.origin()), sealed.resident_id);
        } catch (const pqxx::foreign_key_violation&) {
          return RegionMissing(after.region_code());
        }
        after = CadreFromRow(tx.exec_prepared("cadre_get", id.county_code, id.number)[0], *call.keys());
        call.Audit({.county_code = id.county_code,
                        .resource = "cadres/" + after.id(),
                        .before = &before,
                        .after = &after});
        return after;
      });
}

absl::StatusOr<PageOf<v1::Cadre>> PgPersonnelRepository::ListCadres(CallContext& call,
                                                                    const CadreQuery& q,
                                                                    const paging::Page& page) {
  ASSIGN_OR_RETURN(Keyset after, Keyset::Parse(page.cursor));
  return call.Read<PageOf<v1::Cadre>>([&](db::Tx& tx) -> absl::StatusOr<PageOf<v1::Cadre>> {
    pqxx::result r = tx.exec_prepared("cadre_list", q.region_prefix.substr(0, 6) + "%",
                                      q.region_prefix + "%", q.origin, q.establishment,
                                      IntArray(q.position_kinds), after.county, after.id,
                                      page.size + 1, q.anonymised);
    return KeysetPage(r, page.size, [&](const pqxx::row& row) { return CadreFromRow(row, *call.keys()); });
  });
}

absl::StatusOr<v1::Cadre> PgPersonnelRepository::TransferCadre(CallContext& call,
                                                               const v1::TransferCadreRequest& request,
                                                               const ResourceId& id) {
  return call.Mutate<v1::Cadre>(request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::Cadre> {
    pqxx::result r = tx.exec_prepared("cadre_get_for_update", id.county_code, id.number);
    if (r.empty()) return WithField(CadreNotFound(id), "cadre_id");
    const v1::Cadre before = CadreFromRow(r[0], *call.keys());
    if (!before.transferred_to().empty()) return WithField(Transferred(before), "cadre_id");
    RETURN_IF_ERROR(WithField(call.principal().CheckWrite(before.region_code()), "cadre_id"));
    const std::string to = request.region_code();
    if (CountyOf(to) == id.county_code) {
      return InvalidField("region_code", "is in the cadre's own county: a move within the county is "
                          "UpdateCadre's region_code", "SAME_COUNTY");
    }
    RETURN_IF_ERROR(WithField(call.principal().CheckWrite(to), "region_code"));
    v1::Cadre moved = before;
    moved.set_region_code(to);
    absl::StatusOr<v1::Cadre> created = InsertCadre(tx, call, moved, before.id());
    if (absl::IsNotFound(created.status())) return WithField(created.status(), "region_code");
    if (!created.ok()) return created.status();
    tx.exec_prepared("cadre_transferred", id.county_code, id.number, created->id());
    // Its posts end as an adjustment (动态调整), the note naming the new record.
    tx.exec_prepared("positions_end_all", id.county_code, id.number, IsoDate(call.clock().Today()),
                     absl::StrCat("transferred to ", created->id()));
    v1::Cadre left = CadreFromRow(tx.exec_prepared("cadre_get", id.county_code, id.number)[0], *call.keys());
    call.Audit({.county_code = id.county_code, .resource = "cadres/" + left.id(), .before = &before, .after = &left});
    return *created;
  });
}

absl::StatusOr<int64_t> AnonymiseDeparted(db::Lease& lease, const db::Scope& scope, absl::Duration retention,
                                          int batch, absl::Time deadline) {
  return db::RunBatches(lease, scope, batch, deadline, [&](db::Tx& tx) -> int64_t {
    return tx.exec_prepared1("cadre_anonymise", absl::ToDoubleSeconds(retention), batch,
                             std::string(kAnonymisedName))[0]
        .as<int64_t>();
  });
}

// ------------------------------------------------------------ bulk import

namespace {

// Rows are validated here, good ones streamed with COPY into a temporary
// table, and then moved into cadres in one statement after the rows Postgres
// must judge (unknown region, already registered) are taken out and reported.
// COPY cannot go straight into cadres: Postgres refuses COPY FROM into a table
// with row-level security for any role but its owner.
class PgCadreImport final : public StreamSink<v1::ImportCadresRequest, v1::ImportCadresResponse> {
 public:
  absl::StatusOr<bool> OnMessage(CallContext& call, const v1::ImportCadresRequest& m) override {
    if (tx_ == nullptr) {
      RETURN_IF_ERROR(Begin(call, m));
      if (replayed_) return false;
    }
    const absl::CivilDay today = call.clock().Today();
    for (const v1::Cadre& in : m.cadres()) {
      ++row_;
      v1::Cadre c = in;
      absl::Status s = NormalizeCadre(c, today);
      if (s.ok()) s = call.principal().CheckWrite(c.region_code());
      if (s.ok() && !seen_.insert(c.resident_id()).second) {
        s = InvalidField("resident_id", "appears more than once in this import", "DUPLICATE_IN_IMPORT");
      }
      if (!s.ok()) {
        Fail(row_, s);
        continue;
      }
      // Sealed before they leave the process: the temporary table (and any
      // file it spills to) holds no plaintext either.
      const std::string county = CountyOf(c.region_code());
      const SealedPerson sealed = SealPerson(*call.keys(), "cadres", county, c);
      stream_->operator<<(std::make_tuple(
          row_, county, c.region_code(), Bytea(sealed.resident_id), Bytea(sealed.index), c.name(),
          static_cast<int>(c.gender()), c.ethnicity(), IsoDate(*ToCivilDay("", c.birth_date())),
          c.party_member(), static_cast<int>(c.education()), Bytea(sealed.phone),
          static_cast<int>(c.establishment()), static_cast<int>(c.origin())));
    }
    return true;
  }

  absl::StatusOr<v1::ImportCadresResponse> OnFinish(CallContext& call) override {
    if (replayed_) return resp_;
    if (tx_ == nullptr) {
      return InvalidField("request_id", "the stream was empty: send request_id and rows",
                          "REQUIRED");
    }
    stream_->complete();
    db::Tx& tx = *tx_;
    for (const auto& r : tx.exec_prepared("cadre_import_missing_region")) {
      Fail(r[0].as<int64_t>(), RegionMissing(r[1].as<std::string>()));
    }
    for (const auto& r : tx.exec_prepared("cadre_import_registered")) {
      Fail(r[0].as<int64_t>(), AlreadyRegistered(r[1].as<std::string>(), ""));
    }
    if (post_ == v1::POSITION_KIND_UNSPECIFIED) {
      tx.exec_prepared("cadre_import_register");
      resp_.set_rows_imported(
          static_cast<int64_t>(tx.exec_prepared("cadre_import_insert").affected_rows()));
    } else {
      ImportPosts(tx);
    }
    resp_.set_rows_received(row_);
    std::sort(errors_.begin(), errors_.end(),
              [](const v1::RowError& a, const v1::RowError& b) { return a.row() < b.row(); });
    resp_.set_rows_failed(static_cast<int64_t>(errors_.size()));
    for (size_t i = 0; i < errors_.size() && i < kMaxReportedErrors; ++i) {
      *resp_.add_errors() = errors_[i];
    }
    tx.exec_prepared("cadre_import_audit", call.principal().subject,
                     std::string(auth::RoleName(call.principal().role)), call.method(),
                     request_id_);
    idempotency::Complete(tx, request_id_, resp_, call.keys());
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
      if (!first.has_term_start()) return InvalidField("term_start", "is required with village_post", "REQUIRED");
      ASSIGN_OR_RETURN(absl::CivilDay start, ToCivilDay("term_start", first.term_start()));
      term_start_ = IsoDate(start);
    }
    ASSIGN_OR_RETURN(db::Lease * lease, call.Lease());
    db::ApplySession(*lease, call.scope(), call.deadline());
    tx_ = std::make_unique<pqxx::work>(lease->conn());
    db::ApplyLocal(*lease, call.scope(), call.deadline(), *tx_);
    ASSIGN_OR_RETURN(std::optional<std::string> replay,
                     idempotency::Claim(*tx_, call.scope(), request_id_, call.principal().subject,
                                        call.method(), first, call.keys()));
    if (replay) {
      replayed_ = resp_.ParseFromString(*replay);
      if (!replayed_) return absl::InternalError("stored response is corrupt");
      return absl::OkStatus();
    }
    tx_->exec(
        "CREATE TEMP TABLE cadre_import (id bigint DEFAULT nextval('cadre_id_seq'), row_no bigint, "
        "county_code text COLLATE \"C\", "
        "region_code text COLLATE \"C\", resident_id_sealed bytea, resident_id_index bytea, name text, "
        "gender smallint, ethnicity text, birth_date date, party_member boolean, "
        "education smallint, phone_sealed bytea, establishment smallint, origin smallint) "
        "ON COMMIT DROP");
    // Every column but id, which its default numbers as the rows arrive.
    static const std::vector<std::string> kColumns = {
        "row_no", "county_code", "region_code", "resident_id_sealed", "resident_id_index", "name", "gender",
        "ethnicity", "birth_date", "party_member", "education", "phone_sealed", "establishment", "origin"};
    stream_ = std::make_unique<pqxx::stream_to>(*tx_, "cadre_import", kColumns);
    return absl::OkStatus();
  }

  // The rows that cannot take the post are reported; the rest are stored
  // with their posts in one statement.
  void ImportPosts(db::Tx& tx) {
    for (const auto& r : tx.exec_prepared("cadre_import_no_org")) {
      Fail(r[0].as<int64_t>(),
           WithReason(WithField(absl::FailedPreconditionError(absl::StrCat(
                                    "region ", r[1].as<std::string>(),
                                    " has no village or community Party organisation to take the post in")),
                                "cadre.region_code"),
                      "NO_VILLAGE_ORG"));
    }
    if (post_ != v1::POSITION_KIND_COMMITTEE_MEMBER) {
      // One secretary and one director an organisation; DUAL_ROLE is both.
      const char* taking = post_ == v1::POSITION_KIND_BRANCH_SECRETARY    ? "{1,3}"
                           : post_ == v1::POSITION_KIND_COMMITTEE_DIRECTOR ? "{2,3}"
                                                                           : "{1,2,3}";
      auto taken = [&](int64_t row, const char* why) {
        Fail(row, WithReason(WithField(absl::FailedPreconditionError(absl::StrCat(
                                           "the organisation of this row's village ", why, " a current ",
                                           v1::PositionKind_Name(post_))),
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
    pqxx::row n = tx.exec_prepared1("cadre_import_insert_posted", static_cast<int>(post_), term_start_);
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

  std::unique_ptr<pqxx::work> tx_;
  std::unique_ptr<pqxx::stream_to> stream_;
  std::string request_id_;
  bool replayed_ = false;
  v1::PositionKind post_ = v1::POSITION_KIND_UNSPECIFIED;
  std::string term_start_;  // YYYY-MM-DD, with post_
  int64_t row_ = 0;
  absl::flat_hash_set<std::string> seen_;     // resident IDs, for duplicates
  std::vector<v1::RowError> errors_;
  v1::ImportCadresResponse resp_;
};

}  // namespace

std::unique_ptr<StreamSink<v1::ImportCadresRequest, v1::ImportCadresResponse>>
PgPersonnelRepository::NewCadreImport() {
  return std::make_unique<PgCadreImport>();
}

}  // namespace touyan::personnel
