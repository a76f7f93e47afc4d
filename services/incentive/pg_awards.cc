#include "services/incentive/pg_rows.h"

// Care-award budgets and payments, the ledger; promotions: the report, the
// channels' policy, the last assessments their conditions read.
namespace touyan::incentive {

std::vector<db::Statement> AwardStatements() {
  const std::string ev = kEvaluationCols;
  return {
      {"budget_upsert",
       "INSERT INTO budgets (county_code, region_code, year, programme, amount_fen, award_fen) "
       "VALUES ($1, $2, $3, $4, $5, $6) "
       "ON CONFLICT (county_code, region_code, year, programme) DO UPDATE SET amount_fen = "
       "EXCLUDED.amount_fen, award_fen = EXCLUDED.award_fen"},
      {"budget_lock",
       "SELECT amount_fen, award_fen FROM budgets WHERE county_code = $1 AND region_code = $2 "
       "AND year = $3 AND programme = $4 FOR UPDATE"},
      {"budget_get",
       "SELECT amount_fen, award_fen FROM budgets WHERE county_code = $1 AND region_code = $2 "
       "AND year = $3 AND programme = $4"},
      {"budget_paid",
       "SELECT coalesce(sum(amount_fen), 0)::bigint FROM awards WHERE budget_region = $1 AND year "
       "= $2 AND programme = $3 AND reverse_time IS NULL"},
      {"award_insert",
       "INSERT INTO awards (county_code, cadre_id, year, programme, recipient, amount_fen, "
       "budget_region, body) "
       "VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb) ON CONFLICT (county_code, cadre_id, "
       "programme, year) "
       "DO NOTHING RETURNING " TOUYAN_AWARD_COLS},
      {"awards_paid",
       "SELECT cadre_id FROM awards WHERE year = $1 AND programme = $2 AND cadre_id = "
       "ANY(ARRAY(SELECT "
       "json_array_elements_text($3::json)))"},
      {"award_list", "SELECT " TOUYAN_AWARD_COLS " FROM awards WHERE county_code >= $1 "
                     "AND county_code < ($1 || ':') AND ($2 = 0 OR year = $2) "
                     "AND (county_code, id) > ($3, $4) ORDER BY county_code, id LIMIT $5"},
      {"award_get", "SELECT " TOUYAN_AWARD_COLS " FROM awards WHERE county_code = $1 AND id = $2"},
      {"award_lock",
       "SELECT " TOUYAN_AWARD_COLS " FROM awards WHERE county_code = $1 AND id = $2 FOR UPDATE"},
      {"award_reverse",
       "UPDATE awards SET reverse_reason = $3, reversed_by = $4, reverse_time = now() "
       "WHERE county_code = $1 AND id = $2 RETURNING " TOUYAN_AWARD_COLS},
      {"ledger",
       "SELECT county_code, count(*), count(*) FILTER (WHERE recipient = 1), count(*) FILTER "
       "(WHERE recipient = 2), "
       "coalesce(sum(amount_fen) FILTER (WHERE reverse_time IS NULL), 0)::bigint, "
       "count(*) FILTER (WHERE reverse_time IS NOT NULL), "
       "coalesce(sum(amount_fen) FILTER (WHERE reverse_time IS NOT NULL), 0)::bigint "
       "FROM awards WHERE county_code >= $1 AND county_code < ($1 || ':') AND year = $2 GROUP BY 1 "
       "ORDER BY 1"},
      {"gauge_grades",
       "WITH y AS (SELECT max(year) AS y FROM assessments WHERE county_code >= $1 "
       "AND county_code < ($1 || ':') AND starts_with(region_code, $2)) SELECT y.y, a.grade, "
       "count(*) FROM y JOIN assessments a ON a.year = y.y WHERE a.county_code >= $1 "
       "AND a.county_code < ($1 || ':') AND starts_with(a.region_code, $2) GROUP BY 1, 2"},
      {"gauge_awards",
       "WITH y AS (SELECT max(year) AS y FROM awards WHERE county_code >= $1 AND county_code < ($1 "
       "|| ':') AND programme = $2) "
       "SELECT y.y, count(*) FILTER (WHERE reverse_time IS NULL), "
       "count(*) FILTER (WHERE reverse_time IS NOT NULL), "
       "coalesce(sum(amount_fen) FILTER (WHERE reverse_time IS NULL), 0)::bigint "
       "FROM y JOIN awards a ON a.year = y.y WHERE a.county_code >= $1 AND a.county_code < ($1 || "
       "':') AND a.programme = $2 "
       "GROUP BY 1"},
      {"promotion_report",
       "SELECT county_code, body->>'channel', count(*) FROM records WHERE kind = 4 AND county_code "
       ">= $1 "
       "AND county_code < ($1 || ':') "
       "AND starts_with(region_code, $2) AND year = $3 GROUP BY 1, 2 ORDER BY 1, 2"},
      {"policy_latest",
       "SELECT body::text, version, updated_by, " TOUYAN_MICROS(
           "update_time") " FROM policies WHERE county_code = $1 AND year = $2 AND kind = $3 "
                          "ORDER BY version DESC LIMIT 1"},
      {"policy_insert",
       "INSERT INTO policies (county_code, year, kind, version, body, updated_by) "
       "SELECT $1, $2, $3, coalesce(max(version), 0) + 1, $4::jsonb, $5 FROM policies "
       "WHERE county_code = $1 AND year = $2 AND kind = $3 "
       "RETURNING version, " TOUYAN_MICROS("update_time")},
      {"assessments_last",
       "SELECT DISTINCT ON (cadre_id) body::text FROM assessments WHERE cadre_id = "
       "ANY(ARRAY(SELECT json_array_elements_text($1::json))) AND year <= $2 "
       "ORDER BY cadre_id, year DESC"},
  };
}

// ------------------------------------------------------------------ awards

absl::StatusOr<v1::Budget> PgIncentiveRepository::SetBudget(CallContext& call,
                                                            const v1::SetBudgetRequest& request) {
  const v1::Budget& b = request.budget();
  const std::string county = CountyOf(b.region_code());
  return call.Mutate<v1::Budget>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::Budget> {
        std::optional<v1::Budget> before;
        if (pqxx::result r = tx.exec_prepared("budget_get", county, b.region_code(), b.year(),
                                              static_cast<int>(b.programme()));
            !r.empty()) {
          before = b;
          before->set_amount_fen(r[0][0].as<int64_t>());
          before->set_award_fen(r[0][1].as<int64_t>());
        }
        tx.exec_prepared("budget_upsert", county, b.region_code(), b.year(),
                         static_cast<int>(b.programme()), b.amount_fen(), b.award_fen());
        v1::Budget out = b;
        out.set_paid_fen(tx.exec_prepared1("budget_paid", b.region_code(), b.year(),
                                           static_cast<int>(b.programme()))[0]
                             .as<int64_t>());
        if (before) before->set_paid_fen(out.paid_fen());
        call.Audit({.county_code = county,
                    .resource = absl::StrCat("budgets/", b.region_code(), "/", b.year()),
                    .before = before ? &*before : nullptr,
                    .after = &out});
        return out;
      });
}

absl::StatusOr<v1::PayCareAwardsResponse> PgIncentiveRepository::PayAwards(
    CallContext& call, const v1::PayCareAwardsRequest& request,
    const std::vector<v1::Award>& awards, const std::vector<v1::UnpaidAward>& unpaid) {
  const std::string region = request.region_code();
  const int programme = v1::PROGRAMME_CARE;
  return call.Mutate<v1::PayCareAwardsResponse>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::PayCareAwardsResponse> {
        // The budget row's lock orders every payment from this budget.
        pqxx::result b =
            tx.exec_prepared("budget_lock", CountyOf(region), region, request.year(), programme);
        if (b.empty()) {
          return Failed("NO_BUDGET",
                        absl::StrCat("no care-award budget for ", region, " in ", request.year(),
                                     ": SetBudget first"),
                        "region_code");
        }
        const int64_t budget = b[0][0].as<int64_t>();
        const int64_t each = CareAwardFen(b[0][1].as<int64_t>());
        const int64_t paid =
            tx.exec_prepared1("budget_paid", region, request.year(), programme)[0].as<int64_t>();
        google::protobuf::RepeatedPtrField<std::string> ids;
        for (const v1::Award& a : awards) *ids.Add() = a.cadre_id();
        std::set<std::string> done;
        for (const auto& row :
             tx.exec_prepared("awards_paid", request.year(), programme, JsonStrings(ids))) {
          done.insert(row[0].as<std::string>());
        }
        v1::PayCareAwardsResponse out;
        for (const v1::UnpaidAward& u : unpaid) *out.add_unpaid() = u;
        int64_t due = 0;
        for (const v1::Award& a : awards) due += done.count(a.cadre_id()) ? 0 : each;
        if (paid + due > budget) {
          return Failed(
              "BUDGET_EXCEEDED",
              absl::StrFormat(
                  "paying %d fen more would exceed the budget of %s for %d: %d fen, of which "
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
          stored.set_amount_fen(each);
          pqxx::result r =
              tx.exec_prepared("award_insert", a.county_code(), a.cadre_id(), a.year(), programme,
                               static_cast<int>(a.recipient()), each, region, ToJson(stored));
          if (r.empty()) {  // paid meanwhile from another budget
            out.set_already_paid(out.already_paid() + 1);
            continue;
          }
          ASSIGN_OR_RETURN(stored, AwardFromRow(r[0]));
          out.set_paid(out.paid() + 1);
          out.set_amount_fen(out.amount_fen() + each);
          *out.add_awards() = stored;
        }
        for (const v1::Award& a : out.awards()) {
          call.Audit({.county_code = a.county_code(), .resource = "awards/" + a.id(), .after = &a});
        }
        return out;
      });
}

absl::StatusOr<PageOf<v1::Award>> PgIncentiveRepository::ListAwards(
    CallContext& call, const std::string& region_prefix, int year, const paging::Page& page) {
  ASSIGN_OR_RETURN(Keyset after, Keyset::Parse(page.cursor));
  return call.Read<PageOf<v1::Award>>([&](db::Tx& tx) {
    return KeysetPage(tx.exec_prepared("award_list", CountyPrefix(region_prefix), year,
                                       after.county, after.id, page.size + 1),
                      page.size, AwardFromRow);
  });
}

absl::StatusOr<v1::Award> PgIncentiveRepository::GetAward(CallContext& call, const ResourceId& id) {
  return call.Read<v1::Award>([&](db::Tx& tx) -> absl::StatusOr<v1::Award> {
    pqxx::result r = tx.exec_prepared("award_get", id.county_code, id.number);
    if (r.empty()) return NotFound("id", "award", id.ToString());
    return AwardFromRow(r[0]);
  });
}

absl::StatusOr<v1::Award> PgIncentiveRepository::ReverseAward(
    CallContext& call, const v1::ReverseAwardRequest& request, const ResourceId& id) {
  return call.Mutate<v1::Award>(
      request, request.request_id(), [&](db::Tx& tx) -> absl::StatusOr<v1::Award> {
        pqxx::result r = tx.exec_prepared("award_lock", id.county_code, id.number);
        if (r.empty()) return NotFound("id", "award", id.ToString());
        ASSIGN_OR_RETURN(const v1::Award before, AwardFromRow(r[0]));
        // Paid from a budget, returned to it: by whoever may write the budget's region.
        RETURN_IF_ERROR(WithField(call.principal().CheckWrite(before.budget_region()), "id"));
        RETURN_IF_ERROR(CheckEtag(request.etag(), before.etag(), "award", before.id()));
        if (before.state() == v1::AWARD_STATE_REVERSED) return before;
        ASSIGN_OR_RETURN(v1::Award after, AwardFromRow(tx.exec_prepared1(
                                              "award_reverse", id.county_code, id.number,
                                              request.reason(), call.principal().subject)));
        call.Audit({.county_code = id.county_code,
                    .resource = "awards/" + after.id(),
                    .before = &before,
                    .after = &after});
        return after;
      });
}

absl::StatusOr<v1::Ledger> PgIncentiveRepository::Ledger(CallContext& call,
                                                         const std::string& region_code, int year) {
  return call.Read<v1::Ledger>([&](db::Tx& tx) -> absl::StatusOr<v1::Ledger> {
    v1::Ledger out;
    out.set_region_code(region_code);
    out.set_year(year);
    for (const auto& row : tx.exec_prepared("ledger", CountyPrefix(PrefixOf(region_code)), year)) {
      v1::CountyLedger* c = out.add_counties();
      c->set_county_code(row[0].as<std::string>());
      c->set_awards(row[1].as<int>());
      c->set_to_persons(row[2].as<int>());
      c->set_to_party_orgs(row[3].as<int>());
      c->set_amount_fen(row[4].as<int64_t>());
      c->set_reversals(row[5].as<int>());
      c->set_reversed_fen(row[6].as<int64_t>());
      out.set_total_fen(out.total_fen() + c->amount_fen());
    }
    pqxx::result b = tx.exec_prepared("budget_get", CountyOf(region_code), region_code, year,
                                      static_cast<int>(v1::PROGRAMME_CARE));
    if (!b.empty()) {
      out.set_budget_fen(b[0][0].as<int64_t>());
      const int64_t paid = tx.exec_prepared1("budget_paid", region_code, year,
                                             static_cast<int>(v1::PROGRAMME_CARE))[0]
                               .as<int64_t>();
      out.set_remaining_fen(out.budget_fen() - paid);
    }
    return out;
  });
}

absl::StatusOr<IncentiveGauges> PgIncentiveRepository::Gauges(CallContext& call,
                                                              const std::string& region_prefix) {
  return call.Read<IncentiveGauges>([&](db::Tx& tx) -> absl::StatusOr<IncentiveGauges> {
    IncentiveGauges g;
    for (const auto& row :
         tx.exec_prepared("gauge_grades", region_prefix.substr(0, 6), region_prefix)) {
      g.assessment_year = row[0].as<int>();
      g.grades[static_cast<v1::Grade>(row[1].as<int>())] = row[2].as<int64_t>();
    }
    for (const auto& row : tx.exec_prepared("gauge_awards", CountyPrefix(region_prefix),
                                            static_cast<int>(v1::PROGRAMME_CARE))) {
      g.award_year = row[0].as<int>();
      g.awards_paid = row[1].as<int64_t>();
      g.awards_reversed = row[2].as<int64_t>();
      g.award_fen = row[3].as<int64_t>();
    }
    return g;
  });
}

absl::StatusOr<v1::PromotionReportResponse> PgIncentiveRepository::PromotionReport(
    CallContext& call, const std::string& region_prefix, int year) {
  return call.Read<v1::PromotionReportResponse>(
      [&](db::Tx& tx) -> absl::StatusOr<v1::PromotionReportResponse> {
        v1::PromotionReportResponse out;
        out.set_year(year);
        std::map<v1::Channel, int> totals;
        for (int c = v1::CHANNEL_TOWNSHIP_DEPUTY; c <= v1::CHANNEL_PUBLIC_INSTITUTION; ++c) {
          totals[static_cast<v1::Channel>(c)] = 0;
        }
        v1::CountyPromotions* county = nullptr;
        for (const auto& row : tx.exec_prepared("promotion_report", CountyPrefix(region_prefix),
                                                region_prefix, year)) {
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

// ---------------------------------------------------------------- policies

namespace {

const char* KindName(PolicyKind k) {
  return k == PolicyKind::kPromotion ? "promotion" : "consequence";
}

// The policy's body as stored: the message without its key and metadata.
std::string PolicyBody(const google::protobuf::Message& policy) {
  std::unique_ptr<google::protobuf::Message> body(policy.New());
  body->CopyFrom(policy);
  for (const char* f : {"region_code", "year", "version", "updated_by", "update_time"}) {
    if (const auto* d = body->GetDescriptor()->FindFieldByName(f)) {
      body->GetReflection()->ClearField(body.get(), d);
    }
  }
  return ToJson(*body);
}

// Fills the key and metadata from the row (version, updated_by, update_time)
// and the request.
void SetPolicyMeta(google::protobuf::Message& p, const std::string& region, int year, int version,
                   const std::string& by, int64_t micros) {
  const auto* d = p.GetDescriptor();
  const auto* r = p.GetReflection();
  r->SetString(&p, d->FindFieldByName("region_code"), region);
  r->SetInt32(&p, d->FindFieldByName("year"), year);
  r->SetInt32(&p, d->FindFieldByName("version"), version);
  r->SetString(&p, d->FindFieldByName("updated_by"), by);
  r->MutableMessage(&p, d->FindFieldByName("update_time"))->CopyFrom(TimestampFromMicros(micros));
}

absl::Status PolicyFromRow(const pqxx::row& r, const std::string& region, int year,
                           google::protobuf::Message& p) {
  p.Clear();
  RETURN_IF_ERROR(MergeFromJson(r[0].as<std::string>(), p));
  SetPolicyMeta(p, region, year, r[1].as<int>(), r[2].as<std::string>(), r[3].as<int64_t>());
  return absl::OkStatus();
}

}  // namespace

absl::Status PgIncentiveRepository::SetPolicy(CallContext& call,
                                              const google::protobuf::Message& request,
                                              const std::string& request_id, PolicyKind kind,
                                              const std::string& city_region, int year,
                                              google::protobuf::Message& policy) {
  const std::string county = CountyOf(city_region);
  const std::string body = PolicyBody(policy);
  return call.MutateInto(
      request, request_id, policy, [&](db::Tx& tx, google::protobuf::Message& out) -> absl::Status {
        // The city's year is serialised by the primary key: two writers of
        // the same version, one fails and is retried with the next.
        std::unique_ptr<google::protobuf::Message> before;
        if (pqxx::result r = tx.exec_prepared("policy_latest", county, year, KindName(kind));
            !r.empty()) {
          before.reset(out.New());
          RETURN_IF_ERROR(PolicyFromRow(r[0], city_region, year, *before));
        }
        pqxx::row r = tx.exec_prepared1("policy_insert", county, year, KindName(kind), body,
                                        call.principal().subject);
        SetPolicyMeta(out, city_region, year, r[0].as<int>(), call.principal().subject,
                      r[1].as<int64_t>());
        call.Audit({.county_code = county,
                    .resource = absl::StrCat(KindName(kind), "-policies/", city_region, "/", year),
                    .before = before.get(),
                    .after = &out});
        return absl::OkStatus();
      });
}

absl::StatusOr<bool> PgIncentiveRepository::GetPolicy(CallContext& call, PolicyKind kind,
                                                      const std::string& city_region, int year,
                                                      google::protobuf::Message& policy) {
  return call.Read<bool>([&](db::Tx& tx) -> absl::StatusOr<bool> {
    pqxx::result r = tx.exec_prepared("policy_latest", CountyOf(city_region), year, KindName(kind));
    if (r.empty()) return false;
    RETURN_IF_ERROR(PolicyFromRow(r[0], city_region, year, policy));
    return true;
  });
}

absl::StatusOr<std::map<std::string, v1::Assessment>> PgIncentiveRepository::LastAssessments(
    CallContext& call, const std::vector<std::string>& cadre_ids, int year) {
  using Out = std::map<std::string, v1::Assessment>;
  return call.Read<Out>([&](db::Tx& tx) -> absl::StatusOr<Out> {
    google::protobuf::RepeatedPtrField<std::string> ids(cadre_ids.begin(), cadre_ids.end());
    Out out;
    for (const auto& row : tx.exec_prepared("assessments_last", JsonStrings(ids), year)) {
      v1::Assessment a;
      RETURN_IF_ERROR(MergeFromJson(row[0].as<std::string>(), a));
      out[a.cadre_id()] = std::move(a);
    }
    return out;
  });
}

}  // namespace touyan::incentive
