#include "services/incentive/pg_rows.h"

// Records about cadres: inputs, supervision cases, exit measures, promotions, interviews, care,
// check-ins, delegates.
namespace touyan::incentive {

std::vector<db::Statement> RecordStatements() {
  const std::string ev = kEvaluationCols;
  return {
      {"record_insert",
       "INSERT INTO records (county_code, kind, cadre_id, region_code, year, on_date, due_date, "
       "open, body, "
       "restricted_sealed, owner) VALUES ($1, $2, $3, $4, $5, NULLIF($6, '')::date, NULLIF($7, "
       "'')::date, $8, "
       "$9::jsonb, NULLIF($10::bytea, ''), $11) RETURNING id, " TOUYAN_ETAG("records")},
      {"record_lock",
       "SELECT body::text, cadre_id, region_code, year, on_date::text, due_date::text, open, "
       "restricted_sealed, " TOUYAN_ETAG(
           "records") " "
                      "FROM records WHERE county_code = $1 AND id = $2 AND kind = $3 FOR UPDATE"},
      {"record_get", "SELECT body::text, " TOUYAN_ETAG(
                         "records") ", region_code, CASE WHEN $4 OR owner = $5 "
                                    "THEN restricted_sealed END, "
                                    "restricted_sealed IS NOT NULL FROM records "
                                    "WHERE county_code = $1 AND id = $2 AND kind = $3"},
      {"record_update",
       "UPDATE records SET body = $4::jsonb, on_date = NULLIF($5, '')::date, due_date = NULLIF($6, "
       "'')::date, "
       "open = $7, restricted_sealed = NULLIF($8::bytea, '') WHERE county_code = $1 AND id = $2 "
       "AND kind = $3 RETURNING " TOUYAN_ETAG("records")},
      {"record_list",
       "SELECT county_code, id, body::text, owner, CASE WHEN $8 OR owner = $9 THEN "
       "restricted_sealed END, "
       "restricted_sealed IS NOT NULL, " TOUYAN_ETAG(
           "records") " FROM records WHERE kind = $1 AND county_code >= $2 AND county_code < ($2 "
                      "|| ':') AND "
                      "starts_with(region_code, $3) "
                      "AND ($4 = '' OR cadre_id = $4) AND ($5 = 0 OR year = $5) AND (NOT $6 OR "
                      "open) "
                      "AND ($7 = '' OR due_date < NULLIF($7, '')::date) AND (county_code, id) > "
                      "($10, $11) "
                      "AND ($13 = '' OR body->>'kind' = $13) AND ($14 = '' OR body->>'state' = "
                      "$14) "
                      "ORDER BY county_code, id LIMIT $12"},
      {"measures_of",
       "SELECT body->>'kind' FROM records WHERE county_code = $1 AND cadre_id = $2 AND kind = 3 "
       "AND coalesce(body->>'state', '') <> 'MEASURE_STATE_REVOKED'"},
      // 30::int: the constant keeps its type in pg_stat_statements' text
      // ($n::int), so bench/plans.sql can explain it (date + unknown is
      // ambiguous); the cut-off is on the index side, on_date < day - 30.
      {"wellbeing_alerts",
       "SELECT c.county_code, c.id, c.body::text, $3::date - c.on_date FROM records c "
       "WHERE c.kind = 7 AND c.open AND c.county_code >= $1 AND c.county_code < ($1 || ':') AND "
       "starts_with(c.region_code, $2) "
       "AND c.on_date < $3::date - 30::int AND NOT EXISTS (SELECT 1 FROM records f "
       "WHERE f.kind = 6 AND f.county_code = c.county_code AND f.cadre_id = c.cadre_id "
       "AND f.on_date BETWEEN c.on_date AND c.on_date + 30::int) "
       "AND (c.county_code, c.id) > ($4, $5) "
       "ORDER BY c.county_code, c.id LIMIT $6"},
  };
}

// ----------------------------------------------------------------- records

absl::Status PgIncentiveRepository::AddRecord(CallContext& call,
                                              const google::protobuf::Message& request,
                                              const std::string& request_id, RecordKind kind,
                                              const RecordMeta& meta,
                                              google::protobuf::Message& record,
                                              const Check& check) {
  return call.MutateInto(request, request_id, record,
                         [&](db::Tx& tx, google::protobuf::Message& out) -> absl::Status {
                           if (check) RETURN_IF_ERROR(check(tx));
                           InsertRecord(call, tx, kind, meta, out);
                           return absl::OkStatus();
                         });
}

void PgIncentiveRepository::InsertRecord(CallContext& call, db::Tx& tx, RecordKind kind,
                                         const RecordMeta& meta,
                                         google::protobuf::Message& record) {
  const std::string county = CountyOf(meta.region_code);
  SetString(record, "county_code", county);
  SetString(record, "etag", "");  // the row's version, never stored in the body
  const pqxx::row row = tx.exec_prepared1(
      "record_insert", county, static_cast<int>(kind), meta.cadre_id, meta.region_code, meta.year,
      Iso(meta.on), Iso(meta.due), meta.open, ToJson(record),
      SealNotes(call, county, meta.restricted), call.principal().subject);
  const std::string rid = ResourceId{county, row[0].as<int64_t>()}.ToString();
  SetString(record, "id", rid);
  SetString(record, "etag", row[1].as<std::string>());
  call.Audit({.county_code = county,
              .resource = absl::StrCat(record.GetDescriptor()->name(), "/", rid),
              .after = &record});
}

absl::Status PgIncentiveRepository::GetRecord(CallContext& call, RecordKind kind,
                                              const ResourceId& id, absl::string_view field,
                                              google::protobuf::Message& record,
                                              StoredRecord* restricted) {
  const bool reads_all = call.principal().role == auth::Role::kCityOrgDept;
  return call
      .Read<bool>([&](db::Tx& tx) -> absl::StatusOr<bool> {
        pqxx::result r =
            tx.exec_prepared("record_get", id.county_code, id.number, static_cast<int>(kind),
                             reads_all, call.principal().subject);
        if (r.empty()) return NotFound(field, "record", id.ToString());
        // A township operator's finer scope, against the record's cadre.
        RETURN_IF_ERROR(WithField(call.principal().CheckCovers(r[0][2].as<std::string>()), field));
        record.Clear();
        RETURN_IF_ERROR(MergeFromJson(r[0][0].as<std::string>(), record));
        SetString(record, "id", id.ToString());
        SetString(record, "etag", r[0][1].as<std::string>());
        if (restricted != nullptr) {
          restricted->record_id = id.ToString();
          restricted->restricted.reset();
          if (!r[0][3].is_null()) {
            restricted->restricted =
                crypto::Unseal(*call.keys(), r[0][3], NotesContext(id.county_code));
          }
          restricted->has_restricted = r[0][4].as<bool>();
        }
        return true;
      })
      .status();
}

absl::Status PgIncentiveRepository::ChangeRecord(CallContext& call,
                                                 const google::protobuf::Message& request,
                                                 const std::string& request_id, RecordKind kind,
                                                 const ResourceId& id, absl::string_view field,
                                                 const Change& change,
                                                 google::protobuf::Message& record) {
  return call.MutateInto(
      request, request_id, record, [&](db::Tx& tx, google::protobuf::Message& out) -> absl::Status {
        pqxx::result r =
            tx.exec_prepared("record_lock", id.county_code, id.number, static_cast<int>(kind));
        if (r.empty()) return NotFound(field, "record", id.ToString());
        out.Clear();
        RETURN_IF_ERROR(MergeFromJson(r[0][0].as<std::string>(), out));
        SetString(out, "etag", r[0][8].as<std::string>());
        RecordMeta meta{
            .cadre_id = r[0][1].as<std::string>(),
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
        SetString(out, "etag", "");
        SetString(
            out, "etag",
            tx.exec_prepared1("record_update", id.county_code, id.number, static_cast<int>(kind),
                              ToJson(out), Iso(meta.on), Iso(meta.due), meta.open,
                              SealNotes(call, id.county_code, meta.restricted))[0]
                .as<std::string>());
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
        tx.exec_prepared("record_list", static_cast<int>(f.kind), CountyPrefix(f.region_prefix),
                         f.region_prefix, f.cadre_id, f.year, f.open_only, Iso(f.due_before),
                         reads_all, call.principal().subject, after.county, after.id, page.size + 1,
                         f.kind_name, f.state_name),
        page.size, [&](const pqxx::row& r) {
          StoredRecord s;
          s.record_id = ResourceId{r[0].as<std::string>(), r[1].as<int64_t>()}.ToString();
          s.json = r[2].as<std::string>();
          s.owner = r[3].as<std::string>();
          if (!r[4].is_null())
            s.restricted = crypto::Unseal(*call.keys(), r[4], NotesContext(r[0].as<std::string>()));
          s.has_restricted = r[5].as<bool>();
          s.etag = r[6].as<std::string>();
          return s;
        });
  });
}

std::vector<v1::MeasureKind> PgIncentiveRepository::MeasuresOf(db::Tx& tx,
                                                               const std::string& cadre_id) {
  std::vector<v1::MeasureKind> out;
  for (const auto& row : tx.exec_prepared("measures_of", cadre_id.substr(0, 6), cadre_id)) {
    v1::MeasureKind k;
    if (v1::MeasureKind_Parse(row[0].as<std::string>(), &k)) out.push_back(k);
  }
  return out;
}

absl::StatusOr<PageOf<v1::WellbeingAlert>> PgIncentiveRepository::WellbeingAlerts(
    CallContext& call, const std::string& region_prefix, absl::CivilDay today,
    const paging::Page& page) {
  ASSIGN_OR_RETURN(Keyset after, Keyset::Parse(page.cursor));
  return call.Read<PageOf<v1::WellbeingAlert>>(
      [&](db::Tx& tx) -> absl::StatusOr<PageOf<v1::WellbeingAlert>> {
        ASSIGN_OR_RETURN(
            PageOf<StoredRecord> rows,
            KeysetPage(
                tx.exec_prepared("wellbeing_alerts", CountyPrefix(region_prefix), region_prefix,
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

}  // namespace touyan::incentive
