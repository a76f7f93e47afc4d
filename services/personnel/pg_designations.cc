// PgPersonnelRepository: designations of organisations for a year.
#include "absl/strings/str_cat.h"
#include "common/ids/region.h"
#include "common/status/status.h"
#include "common/time/date.h"
#include "services/personnel/domain/designation.h"
#include "services/personnel/pg_personnel_repository.h"

namespace touyan::personnel {
namespace {

constexpr char kDesignationCols[] =
    "d.county_code, d.id, d.party_org_id, d.kind, d.year, d.source, d.note, d.instructor, "
    "coalesce(d.rectification_deadline::text, ''), coalesce(d.closed_on::text, ''), "
    "d.close_result, d.revoked, d.revoke_reason, o.region_code AS scope_region, " TOUYAN_MICROS(
        "d.create_time");
constexpr char kFrom[] =
    " FROM designations d JOIN party_orgs o ON o.county_code = d.county_code "
    "AND o.id = d.party_org_id ";

constexpr char kSupportCols[] =
    "s.county_code, s.id, s.designation_id, s.kind, s.amount_fen, s.title, s.granted_on::text, "
    "s.recorded_by, d.party_org_id, d.year, d.kind, o.region_code AS scope_region ";
constexpr char kSupportFrom[] =
    "FROM support_entries s JOIN designations d ON d.county_code = s.county_code "
    "AND d.id = s.designation_id JOIN party_orgs o ON o.county_code = d.county_code "
    "AND o.id = d.party_org_id ";

v1::SupportEntry SupportFromRow(const pqxx::row& row) {
  v1::SupportEntry e;
  const std::string county = row[0].as<std::string>();
  e.set_county_code(county);
  e.set_id(ResourceId{county, row[1].as<int64_t>()}.ToString());
  e.set_designation_id(ResourceId{county, row[2].as<int64_t>()}.ToString());
  e.set_kind(static_cast<v1::SupportKind>(row[3].as<int>()));
  e.set_amount_fen(row[4].as<int64_t>());
  e.set_title(row[5].as<std::string>());
  if (auto day = DateFromIso(row[6].as<std::string>())) *e.mutable_granted_on() = *day;
  e.set_recorded_by(row[7].as<std::string>());
  e.set_party_org_id(ResourceId{county, row[8].as<int64_t>()}.ToString());
  e.set_year(row[9].as<int>());
  e.set_designation_kind(static_cast<v1::DesignationKind>(row[10].as<int>()));
  e.set_region_code(row[11].as<std::string>());
  return e;
}

v1::Designation DesignationFromRow(const pqxx::row& r) {
  v1::Designation d;
  std::string county = r[0].as<std::string>();
  d.set_county_code(county);
  d.set_id(ResourceId{county, r[1].as<int64_t>()}.ToString());
  d.set_party_org_id(ResourceId{county, r[2].as<int64_t>()}.ToString());
  d.set_kind(static_cast<v1::DesignationKind>(r[3].as<int>()));
  d.set_year(r[4].as<int>());
  d.set_source(r[5].as<std::string>());
  d.set_note(r[6].as<std::string>());
  d.set_instructor(r[7].as<std::string>());
  if (auto day = DateFromIso(r[8].as<std::string>())) *d.mutable_rectification_deadline() = *day;
  if (auto day = DateFromIso(r[9].as<std::string>())) *d.mutable_closed_on() = *day;
  d.set_close_result(r[10].as<std::string>());
  d.set_revoked(r[11].as<bool>());
  d.set_revoke_reason(r[12].as<std::string>());
  d.set_region_code(r[13].as<std::string>());
  *d.mutable_create_time() = TimestampFromMicros(r[14].as<int64_t>());
  return d;
}

std::string Iso(const google::type::Date& d) { return IsSet(d) ? IsoDate(*ToCivilDay("", d)) : ""; }

}  // namespace

std::vector<db::Statement> DesignationStatements() {
  return {
      {"designation_same_year",
       absl::StrCat("SELECT ", kDesignationCols, kFrom,
                    "WHERE d.county_code = $1 AND d.party_org_id = $2 AND d.year = $3 "
                    "AND NOT d.revoked")},
      {"designation_insert",
       "INSERT INTO designations (county_code, party_org_id, kind, year, source, note, instructor, "
       "rectification_deadline) VALUES ($1, $2, $3, $4, $5, $6, $7, NULLIF($8, '')::date) "
       "RETURNING id"},
      {"designation_get",
       absl::StrCat("SELECT ", kDesignationCols, kFrom, "WHERE d.county_code = $1 AND d.id = $2")},
      {"designation_get_for_update",
       absl::StrCat("SELECT ", kDesignationCols, kFrom,
                    "WHERE d.county_code = $1 AND d.id = $2 FOR UPDATE OF d")},
      {"designation_update",
       "UPDATE designations SET instructor = $3, rectification_deadline = NULLIF($4, '')::date, "
       "closed_on = NULLIF($5, '')::date, close_result = $6, revoked = $7, revoke_reason = $8 "
       "WHERE county_code = $1 AND id = $2"},
      {"designation_list",
       absl::StrCat("SELECT ", kDesignationCols, kFrom,
                    "WHERE d.county_code >= $1 AND d.county_code < ($1 || ':') AND o.region_code "
                    ">= $2 AND o.region_code < ($2 || ':') "
                    "AND ($3 = 0 OR d.party_org_id = $3) AND ($4 = 0 OR d.year = $4) "
                    "AND ($5 = 0 OR d.kind = $5) AND ($6 OR NOT d.revoked) "
                    "AND (d.county_code, d.id) > ($7, $8) ORDER BY d.county_code, d.id LIMIT $9")},
      {"support_insert",
       "INSERT INTO support_entries (county_code, designation_id, kind, amount_fen, title, "
       "granted_on, recorded_by) VALUES ($1, $2, $3, $4, $5, $6::date, $7) RETURNING id"},
      {"support_get", absl::StrCat("SELECT ", kSupportCols, kSupportFrom,
                                   "WHERE s.county_code = $1 AND s.id = $2")},
      {"support_list",
       absl::StrCat("SELECT ", kSupportCols, kSupportFrom,
                    "WHERE s.county_code >= $1 AND s.county_code < ($1 || ':') AND o.region_code "
                    ">= $2 AND o.region_code < ($2 || ':') "
                    "AND ($3 = 0 OR d.party_org_id = $3) AND ($4 = 0 OR d.year = $4) "
                    "AND (s.county_code, s.id) > ($5, $6) ORDER BY s.county_code, s.id LIMIT $7")},
  };
}

absl::StatusOr<v1::Designation> PgPersonnelRepository::AddDesignation(
    CallContext& call, const v1::AddDesignationRequest& request, const ResourceId& org) {
  return call.Mutate<v1::Designation>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::Designation> {
        const v1::Designation& d = request.designation();
        // Locking the organisation serialises designations of it.
        pqxx::result o = tx.exec_prepared("org_lock", org.county_code, org.number);
        if (o.empty())
          return NotFound("designation.party_org_id", "party organisation", org.ToString());
        RETURN_IF_ERROR(WithField(call.principal().CheckWrite(o[0][1].as<std::string>()),
                                  "designation.party_org_id"));
        RETURN_IF_ERROR(ValidateNewDesignation(d, static_cast<v1::PartyOrgKind>(o[0][0].as<int>()),
                                               call.clock().Today()));
        std::vector<v1::DesignationKind> same_year;
        for (const auto& row :
             tx.exec_prepared("designation_same_year", org.county_code, org.number, d.year())) {
          v1::Designation existing = DesignationFromRow(row);
          if (existing.kind() == d.kind()) {
            // The same outcome written again (another request id): nothing new.
            if (existing.source() == d.source()) return existing;
            return WithReason(
                absl::AlreadyExistsError(absl::StrCat("the organisation is already ",
                                                      v1::DesignationKind_Name(d.kind()), " for ",
                                                      d.year(), " (from ", existing.source(), ")")),
                "ALREADY_DESIGNATED");
          }
          same_year.push_back(existing.kind());
        }
        RETURN_IF_ERROR(CheckDesignationConflict(d.kind(), same_year));
        pqxx::result id = tx.exec_prepared(
            "designation_insert", org.county_code, org.number, static_cast<int>(d.kind()), d.year(),
            d.source(), d.note(), d.instructor(), Iso(d.rectification_deadline()));
        v1::Designation created = DesignationFromRow(
            tx.exec_prepared("designation_get", org.county_code, id[0][0].as<int64_t>())[0]);
        call.Audit({.county_code = org.county_code,
                    .resource = "designations/" + created.id(),
                    .after = &created});
        return created;
      });
}

absl::StatusOr<v1::Designation> PgPersonnelRepository::UpdateDesignation(
    CallContext& call, const google::protobuf::Message& request, const std::string& request_id,
    const ResourceId& id, const std::function<absl::Status(v1::Designation&)>& apply) {
  return call.Mutate<v1::Designation>(
      request, request_id, [&](db::Tx& tx) -> absl::StatusOr<v1::Designation> {
        pqxx::result r = tx.exec_prepared("designation_get_for_update", id.county_code, id.number);
        if (r.empty()) return NotFound("id", "designation", id.ToString());
        const v1::Designation before = DesignationFromRow(r[0]);
        RETURN_IF_ERROR(call.principal().CheckWrite(before.region_code()));
        v1::Designation after = before;
        RETURN_IF_ERROR(apply(after));
        tx.exec_prepared("designation_update", id.county_code, id.number, after.instructor(),
                         Iso(after.rectification_deadline()), Iso(after.closed_on()),
                         after.close_result(), after.revoked(), after.revoke_reason());
        call.Audit({.county_code = id.county_code,
                    .resource = "designations/" + after.id(),
                    .before = &before,
                    .after = &after});
        return after;
      });
}

absl::StatusOr<PageOf<v1::Designation>> PgPersonnelRepository::ListDesignations(
    CallContext& call, const DesignationQuery& q, const paging::Page& page) {
  ASSIGN_OR_RETURN(Keyset after, Keyset::Parse(page.cursor));
  return call.Read<PageOf<v1::Designation>>(
      [&](db::Tx& tx) -> absl::StatusOr<PageOf<v1::Designation>> {
        pqxx::result r = tx.exec_prepared("designation_list", CountyPrefix(q.region_prefix),
                                          q.region_prefix, q.party_org, q.year, q.kind,
                                          q.include_revoked, after.county, after.id, page.size + 1);
        return KeysetPage(r, page.size, DesignationFromRow);
      });
}

absl::StatusOr<v1::SupportEntry> PgPersonnelRepository::RecordSupport(
    CallContext& call, const v1::RecordSupportRequest& request, const ResourceId& designation) {
  return call.Mutate<v1::SupportEntry>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::SupportEntry> {
        pqxx::result r =
            tx.exec_prepared("designation_get", designation.county_code, designation.number);
        if (r.empty()) {
          return NotFound("entry.designation_id", "designation", designation.ToString());
        }
        const v1::Designation d = DesignationFromRow(r[0]);
        RETURN_IF_ERROR(
            WithField(call.principal().CheckWrite(d.region_code()), "entry.designation_id"));
        RETURN_IF_ERROR(WithField(CheckSupported(d), "entry.designation_id"));
        v1::SupportEntry e = request.entry();
        e.set_designation_id(d.id());
        e.set_party_org_id(d.party_org_id());
        e.set_year(d.year());
        e.set_designation_kind(d.kind());
        e.set_county_code(d.county_code());
        e.set_region_code(d.region_code());
        e.set_recorded_by(call.principal().subject);
        const int64_t id =
            tx.exec_prepared1("support_insert", designation.county_code, designation.number,
                              static_cast<int>(e.kind()), e.amount_fen(), e.title(),
                              Iso(e.granted_on()), e.recorded_by())[0]
                .as<int64_t>();
        e.set_id(ResourceId{designation.county_code, id}.ToString());
        call.Audit({.county_code = designation.county_code,
                    .resource = "support-entries/" + e.id(),
                    .after = &e});
        return e;
      });
}

absl::StatusOr<PageOf<v1::SupportEntry>> PgPersonnelRepository::ListSupport(
    CallContext& call, const SupportQuery& q, const paging::Page& page) {
  ASSIGN_OR_RETURN(Keyset after, Keyset::Parse(page.cursor));
  return call.Read<PageOf<v1::SupportEntry>>(
      [&](db::Tx& tx) -> absl::StatusOr<PageOf<v1::SupportEntry>> {
        pqxx::result r =
            tx.exec_prepared("support_list", CountyPrefix(q.region_prefix), q.region_prefix,
                             q.party_org, q.year, after.county, after.id, page.size + 1);
        return KeysetPage(r, page.size, SupportFromRow);
      });
}

absl::StatusOr<v1::Designation> PgPersonnelRepository::GetDesignation(CallContext& call,
                                                                      const ResourceId& id) {
  return ReadRow(call, "designation_get", "designation", id, DesignationFromRow, "scope_region");
}

absl::StatusOr<v1::SupportEntry> PgPersonnelRepository::GetSupportEntry(CallContext& call,
                                                                        const ResourceId& id) {
  return ReadRow(call, "support_get", "support entry", id, SupportFromRow, "scope_region");
}

}  // namespace touyan::personnel
