#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "common/export/xlsx.h"
#include "common/grpc/file_stream.h"
#include "services/incentive/service_util.h"

// The care award, publicity (interviews), care and wellbeing, delegates.
namespace touyan::incentive {

// ------------------------------------------------------------------ awards

TOUYAN_UNARY(IncentiveService, SetBudget, v1::SetBudgetRequest, v1::Budget)
TOUYAN_UNARY(IncentiveService, PayCareAwards, v1::PayCareAwardsRequest, v1::PayCareAwardsResponse)
TOUYAN_UNARY(IncentiveService, ListAwards, v1::ListAwardsRequest, v1::ListAwardsResponse)
TOUYAN_UNARY(IncentiveService, GetLedger, v1::GetLedgerRequest, v1::Ledger)
TOUYAN_UNARY(IncentiveService, ReverseAward, v1::ReverseAwardRequest, v1::Award)
TOUYAN_UNARY(IncentiveService, GetAward, v1::GetAwardRequest, v1::Award)
TOUYAN_UNARY(IncentiveService, GetInterview, v1::GetInterviewRequest, v1::Interview)
TOUYAN_UNARY(IncentiveService, GetDelegate, v1::GetDelegateRequest, v1::Delegate)

absl::StatusOr<v1::Interview> IncentiveService::DoGetInterview(CallContext& call,
                                                               const v1::GetInterviewRequest& r) {
  return RecordOf<v1::Interview>(call, RecordKind::kInterview, r.id());
}

absl::StatusOr<v1::Delegate> IncentiveService::DoGetDelegate(CallContext& call,
                                                             const v1::GetDelegateRequest& r) {
  return RecordOf<v1::Delegate>(call, RecordKind::kDelegate, r.id());
}

absl::StatusOr<v1::Award> IncentiveService::DoGetAward(CallContext& call,
                                                       const v1::GetAwardRequest& r) {
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "id", r.id(), /*write=*/false));
  return repo_->GetAward(call, id);
}

absl::StatusOr<v1::Budget> IncentiveService::DoSetBudget(CallContext& call,
                                                         const v1::SetBudgetRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  const v1::Budget& b = r.budget();
  RETURN_IF_ERROR(CheckCityOrCounty("budget.region_code", b.region_code()));
  RETURN_IF_ERROR(CheckYear("budget.year", b.year(), call, false));
  if (b.programme() != v1::PROGRAMME_CARE) {
    return InvalidField("budget.programme", "must be PROGRAMME_CARE", "REQUIRED");
  }
  if (b.amount_fen() < 0 || b.amount_fen() > 1'000'000'000'000) {
    return InvalidField("budget.amount_fen", "must be from 0 to 10 billion yuan (in fen)",
                        "OUT_OF_RANGE");
  }
  if (b.award_fen() < 0 || b.award_fen() > 100'000'000) {
    return InvalidField("budget.award_fen",
                        "must be from 0 (the source's 10,000 yuan) to 1 million yuan (in fen)",
                        "OUT_OF_RANGE");
  }
  RETURN_IF_ERROR(WithField(call.principal().CheckWrite(b.region_code()), "budget.region_code"));
  return repo_->SetBudget(call, r);
}

absl::StatusOr<v1::PayCareAwardsResponse> IncentiveService::DoPayCareAwards(
    CallContext& call, const v1::PayCareAwardsRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  RETURN_IF_ERROR(CheckCityOrCounty("region_code", r.region_code()));
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, false));
  RETURN_IF_ERROR(WithField(call.principal().CheckWrite(r.region_code()), "region_code"));
  ASSIGN_OR_RETURN(std::vector<pv1::Nomination> good,
                   personnel_.GoodSecretaries(call, r.region_code(), r.year()));
  std::vector<v1::Award> awards;
  std::vector<v1::UnpaidAward> unpaid;
  for (const pv1::Nomination& n : good) {
    v1::Award a;
    a.set_cadre_id(n.cadre_id());
    a.set_cadre_name(n.cadre_name());
    a.set_county_code(CountyOf(n.cadre_id()));
    a.set_year(r.year());
    a.set_nomination_id(n.id());
    const bool on_establishment = n.establishment() == pv1::ESTABLISHMENT_STATUS_AGENCY ||
                                  n.establishment() == pv1::ESTABLISHMENT_STATUS_ENTERPRISE;
    if (absl::Status s = ApplyCareRule(on_establishment, n.cadre_id(), n.party_org_id(), a);
        !s.ok()) {
      v1::UnpaidAward& u = unpaid.emplace_back();
      u.set_cadre_id(n.cadre_id());
      u.set_nomination_id(n.id());
      u.set_reason(ReasonOf(s));
      u.set_message(std::string(s.message()));
      continue;
    }
    awards.push_back(std::move(a));
  }
  return repo_->PayAwards(call, r, awards, unpaid);
}

absl::StatusOr<v1::ListAwardsResponse> IncentiveService::DoListAwards(
    CallContext& call, const v1::ListAwardsRequest& r) {
  ASSIGN_OR_RETURN(std::string prefix,
                   ListPrefix(call.principal(), r.region_code(), "region_code"));
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, true));
  ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
  ASSIGN_OR_RETURN(PageOf<v1::Award> rows, repo_->ListAwards(call, prefix, r.year(), page));
  return ListResponse(call, r, std::move(rows), &v1::ListAwardsResponse::mutable_awards);
}

absl::StatusOr<v1::Award> IncentiveService::DoReverseAward(CallContext& call,
                                                           const v1::ReverseAwardRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "id", r.id(), /*write=*/true));
  RETURN_IF_ERROR(ValidateText("reason", r.reason(), 500));
  return repo_->ReverseAward(call, r, id);
}

grpc::ServerWriteReactor<files::v1::FileChunk>* IncentiveService::ExportAwards(
    Ctx* ctx, const v1::ExportAwardsRequest* req) {
  return FileStream(
      rt_, ctx, req, "ExportAwards",
      [this](CallContext& call, const v1::ExportAwardsRequest& r) -> absl::StatusOr<MadeFile> {
        ASSIGN_OR_RETURN(std::string bytes, AwardsWorkbook(call, r));
        return MadeFile{
            absl::StrCat("care-awards-", ExportRegion(call, r.region_code()), "-",
                         r.year() == 0 ? std::string("all") : std::to_string(r.year()), ".xlsx"),
            std::move(bytes)};
      });
}

absl::StatusOr<std::string> IncentiveService::AwardsWorkbook(CallContext& call,
                                                             const v1::ExportAwardsRequest& r) {
  v1::ListAwardsRequest list;
  list.set_region_code(r.region_code());
  list.set_year(r.year());
  ASSIGN_OR_RETURN(std::vector<v1::Award> all,
                   AllItems(
                       list, [&](const auto& q) { return DoListAwards(call, q); },
                       &v1::ListAwardsResponse::mutable_awards));
  xlsx::Sheet s{.name = "关爱奖励台账",
                .headers = {"序号", "年度", "书记姓名", "干部编号", "旗县区代码", "发放对象",
                            "对象编号", "金额（元）", "优先提拔", "晋升职级", "评优评先",
                            "好支书推荐编号", "预算区域", "发放日期", "备注"}};
  int64_t fen = 0;
  int reversals = 0;
  auto yes = [](bool b) { return xlsx::Cell::Text(b ? "是" : "否"); };
  auto day = [](const google::protobuf::Timestamp& t) {
    const absl::CivilDay d =
        absl::ToCivilDay(absl::FromUnixSeconds(t.seconds()), absl::FixedTimeZone(8 * 3600));
    return xlsx::Cell::Date(static_cast<int>(d.year()), d.month(), d.day());
  };
  for (size_t i = 0; i < all.size(); ++i) {
    const v1::Award& a = all[i];
    const bool reversed = a.state() == v1::AWARD_STATE_REVERSED;
    std::vector<xlsx::Cell> row = {
        xlsx::Cell::Number(static_cast<double>(i + 1)),
        xlsx::Cell::Number(a.year()),
        xlsx::Cell::Text(a.cadre_name()),
        xlsx::Cell::Text(a.cadre_id()),
        xlsx::Cell::Text(a.county_code()),
        xlsx::Cell::Text(a.recipient() == v1::RECIPIENT_PARTY_ORG ? "村党组织" : "书记本人"),
        xlsx::Cell::Text(a.recipient_id()),
        xlsx::Cell::Number(static_cast<double>(a.amount_fen()) / 100),
        yes(a.priority_promotion()),
        yes(a.priority_rank()),
        yes(a.priority_honours()),
        xlsx::Cell::Text(a.nomination_id()),
        xlsx::Cell::Text(a.budget_region()),
        a.has_pay_time() ? day(a.pay_time()) : xlsx::Cell(),
        xlsx::Cell::Text(reversed ? "已冲销" : "")};
    s.rows.push_back(row);
    fen += a.amount_fen();
    if (reversed) {  // the reversal entry, under the payment it reverses
      ++reversals;
      row[0] = xlsx::Cell();
      row[7] = xlsx::Cell::Number(-static_cast<double>(a.amount_fen()) / 100);
      row[13] = day(a.reverse_time());
      row[14] = xlsx::Cell::Text(absl::StrCat("冲销：", a.reverse_reason()));
      s.rows.push_back(std::move(row));
      fen -= a.amount_fen();
    }
  }
  s.notes = {absl::StrFormat("共 %d 笔，%s合计 %d.%02d 元（发放日期为北京时间）。", all.size(),
                             reversals ? absl::StrCat("冲销 ", reversals, " 笔，") : "", fen / 100,
                             fen % 100)};
  return xlsx::Workbook({s});
}

absl::StatusOr<v1::Ledger> IncentiveService::DoGetLedger(CallContext& call,
                                                         const v1::GetLedgerRequest& r) {
  const std::string region = r.region_code().empty() ? call.principal().scope : r.region_code();
  RETURN_IF_ERROR(CheckCityOrCounty("region_code", region));
  RETURN_IF_ERROR(WithField(call.principal().CheckCovers(region), "region_code"));
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, false));
  return repo_->Ledger(call, region, r.year());
}

// --------------------------------------------------------------- publicity

TOUYAN_UNARY(IncentiveService, ArrangeInterview, v1::ArrangeInterviewRequest, v1::Interview)
TOUYAN_UNARY(IncentiveService, ListInterviews, v1::ListInterviewsRequest,
             v1::ListInterviewsResponse)

absl::StatusOr<v1::Interview> IncentiveService::DoArrangeInterview(
    CallContext& call, const v1::ArrangeInterviewRequest& r) {
  v1::Interview i = r.interview();
  RETURN_IF_ERROR(NestField(ValidateInterview(i), "interview."));
  i.clear_id();
  i.clear_county_code();
  const int year = static_cast<int>(DayOf(i.on())->year());
  i.set_year(year);
  // The basis must hold: a confirmed good secretary of the year, or an
  // elected delegate of the body.
  bool eligible = false;
  if (i.basis() == v1::BASIS_GOOD_SECRETARY) {
    ASSIGN_OR_RETURN(std::vector<pv1::Nomination> good,
                     personnel_.GoodSecretaries(call, CountyOf(i.cadre_id()) + "000000", year));
    eligible = std::any_of(good.begin(), good.end(),
                           [&](const auto& n) { return n.cadre_id() == i.cadre_id(); });
  } else {
    const v1::Body body = i.basis() == v1::BASIS_PARTY_CONGRESS     ? v1::BODY_PARTY_CONGRESS
                          : i.basis() == v1::BASIS_PEOPLES_CONGRESS ? v1::BODY_PEOPLES_CONGRESS
                                                                    : v1::BODY_CPPCC;
    ASSIGN_OR_RETURN(ResourceId cadre, ScopedId(call, "interview.cadre_id", i.cadre_id(), false));
    paging::Page page;
    page.size = 1000;
    ASSIGN_OR_RETURN(PageOf<StoredRecord> rows,
                     repo_->ListRecords(call,
                                        {.kind = RecordKind::kDelegate,
                                         .region_prefix = cadre.county_code,
                                         .cadre_id = cadre.ToString()},
                                        page));
    for (const StoredRecord& s : rows.items) {
      v1::Delegate d;
      RETURN_IF_ERROR(MergeFromJson(s.json, d));
      eligible |= d.body() == body && d.status() == v1::DELEGATE_STATUS_ELECTED;
    }
  }
  if (!eligible) {
    return Failed(
        "NOT_ELIGIBLE",
        absl::StrCat("cadre ", i.cadre_id(), " does not hold ", v1::Basis_Name(i.basis()),
                     i.basis() == v1::BASIS_GOOD_SECRETARY ? absl::StrCat(" in ", year) : ""),
        "interview.basis");
  }
  return AddCadreRecord(call, r, r.request_id(), RecordKind::kInterview, i, "interview.",
                        {.year = year, .on = DayOf(i.on())});
}

absl::StatusOr<v1::ListInterviewsResponse> IncentiveService::DoListInterviews(
    CallContext& call, const v1::ListInterviewsRequest& r) {
  ASSIGN_OR_RETURN(std::string prefix,
                   ListPrefix(call.principal(), r.region_code(), "region_code"));
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, true));
  return ListOf(call, r,
                {.kind = RecordKind::kInterview, .region_prefix = prefix, .year = r.year()},
                &v1::ListInterviewsResponse::mutable_interviews);
}

// -------------------------------------------------------------------- care

TOUYAN_UNARY(IncentiveService, RecordCare, v1::RecordCareRequest, v1::CareRecord)
TOUYAN_UNARY(IncentiveService, ListCare, v1::ListCareRequest, v1::ListCareResponse)
TOUYAN_UNARY(IncentiveService, CheckIn, v1::CheckInRequest, v1::WellbeingCheckIn)
TOUYAN_UNARY(IncentiveService, ListWellbeingAlerts, v1::ListWellbeingAlertsRequest,
             v1::ListWellbeingAlertsResponse)

absl::StatusOr<v1::CareRecord> IncentiveService::DoRecordCare(CallContext& call,
                                                              const v1::RecordCareRequest& r) {
  v1::CareRecord c = r.record();
  RETURN_IF_ERROR(NestField(ValidateCare(c, Today(call)), "record."));
  c.clear_id();
  c.clear_county_code();
  c.clear_notes_hidden();
  c.set_owner(call.principal().subject);
  RecordMeta meta{.year = static_cast<int>(DayOf(c.on())->year()), .on = DayOf(c.on())};
  std::string notes;
  if (c.kind() == v1::CARE_KIND_COUNSELLING) {  // restricted: kept outside the record
    meta.restricted = c.notes();
    notes = c.notes();
    c.clear_notes();
  }
  ASSIGN_OR_RETURN(v1::CareRecord out,
                   AddCadreRecord(call, r, r.request_id(), RecordKind::kCare, c, "record.", meta));
  if (!notes.empty()) out.set_notes(notes);  // the owner sees what they wrote
  return out;
}

namespace {

// A care record's restricted notes as the caller may see them: the text for
// the city and the owner (recorded as an access), else only that they exist.
void ShowNotes(CallContext& call, v1::CareRecord& c, const StoredRecord& s) {
  if (!s.has_restricted) return;
  if (s.restricted) {
    c.set_notes(*s.restricted);
    call.RecordAccess(c.county_code(), "care/" + c.id(), "notes");
  } else {
    c.set_notes_hidden(true);
  }
}

}  // namespace

absl::StatusOr<v1::ListCareResponse> IncentiveService::DoListCare(CallContext& call,
                                                                  const v1::ListCareRequest& r) {
  ASSIGN_OR_RETURN(std::string prefix,
                   ListPrefix(call.principal(), r.region_code(), "region_code"));
  if (!r.cadre_id().empty()) RETURN_IF_ERROR(ResourceId::Parse("cadre_id", r.cadre_id()).status());
  return ListOf<v1::CareRecord>(
      call, r, {.kind = RecordKind::kCare, .region_prefix = prefix, .cadre_id = r.cadre_id()},
      &v1::ListCareResponse::mutable_records,
      [&call](v1::CareRecord& c, const StoredRecord& s) { ShowNotes(call, c, s); });
}

absl::StatusOr<v1::WellbeingCheckIn> IncentiveService::DoCheckIn(CallContext& call,
                                                                 const v1::CheckInRequest& r) {
  v1::WellbeingCheckIn c = r.check_in();
  RETURN_IF_ERROR(NestField(ValidateCheckIn(c, Today(call)), "check_in."));
  c.clear_id();
  c.clear_county_code();
  c.set_low(IsLow(c));
  return AddCadreRecord(
      call, r, r.request_id(), RecordKind::kCheckIn, c, "check_in.",
      {.year = static_cast<int>(DayOf(c.on())->year()), .on = DayOf(c.on()), .open = c.low()});
}

absl::StatusOr<v1::ListWellbeingAlertsResponse> IncentiveService::DoListWellbeingAlerts(
    CallContext& call, const v1::ListWellbeingAlertsRequest& r) {
  ASSIGN_OR_RETURN(std::string prefix,
                   ListPrefix(call.principal(), r.region_code(), "region_code"));
  ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
  ASSIGN_OR_RETURN(PageOf<v1::WellbeingAlert> rows,
                   repo_->WellbeingAlerts(call, prefix, Today(call), page));
  return ListResponse(call, r, std::move(rows), &v1::ListWellbeingAlertsResponse::mutable_alerts);
}

// --------------------------------------------------------------- delegates

TOUYAN_UNARY(IncentiveService, RecommendDelegate, v1::RecommendDelegateRequest, v1::Delegate)
TOUYAN_UNARY(IncentiveService, DecideDelegate, v1::DecideDelegateRequest, v1::Delegate)
TOUYAN_UNARY(IncentiveService, ListDelegates, v1::ListDelegatesRequest, v1::ListDelegatesResponse)

absl::StatusOr<v1::Delegate> IncentiveService::DoRecommendDelegate(
    CallContext& call, const v1::RecommendDelegateRequest& r) {
  v1::Delegate d = r.delegate();
  RETURN_IF_ERROR(NestField(ValidateDelegate(d), "delegate."));
  RETURN_IF_ERROR(CheckYear("delegate.year", d.year(), call, false));
  d.clear_id();
  d.clear_county_code();
  d.set_status(v1::DELEGATE_STATUS_RECOMMENDED);
  return AddCadreRecord(call, r, r.request_id(), RecordKind::kDelegate, d, "delegate.",
                        {.year = d.year()});
}

absl::StatusOr<v1::Delegate> IncentiveService::DoDecideDelegate(
    CallContext& call, const v1::DecideDelegateRequest& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  if (r.status() != v1::DELEGATE_STATUS_ELECTED && r.status() != v1::DELEGATE_STATUS_NOT_ELECTED &&
      r.status() != v1::DELEGATE_STATUS_WITHDRAWN) {
    return InvalidField("status", "must be ELECTED, NOT_ELECTED or WITHDRAWN", "BAD_STATUS");
  }
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "id", r.id(), true));
  v1::Delegate out;
  RETURN_IF_ERROR(repo_->ChangeRecord(
      call, r, r.request_id(), RecordKind::kDelegate, id, "id",
      [&](db::Tx&, google::protobuf::Message& msg, RecordMeta&) -> absl::Status {
        auto& d = static_cast<v1::Delegate&>(msg);
        if (d.status() != v1::DELEGATE_STATUS_RECOMMENDED) {
          return Failed("WRONG_STATE", "recommendation " + id.ToString() + " is decided already",
                        "id");
        }
        d.set_status(r.status());
        return absl::OkStatus();
      },
      out));
  return out;
}

absl::StatusOr<v1::ListDelegatesResponse> IncentiveService::DoListDelegates(
    CallContext& call, const v1::ListDelegatesRequest& r) {
  ASSIGN_OR_RETURN(std::string prefix,
                   ListPrefix(call.principal(), r.region_code(), "region_code"));
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, true));
  return ListOf(call, r, {.kind = RecordKind::kDelegate, .region_prefix = prefix, .year = r.year()},
                &v1::ListDelegatesResponse::mutable_delegates);
}

TOUYAN_UNARY(IncentiveService, GetCareRecord, v1::GetCareRecordRequest, v1::CareRecord)
TOUYAN_UNARY(IncentiveService, GetCheckIn, v1::GetCheckInRequest, v1::WellbeingCheckIn)

absl::StatusOr<v1::CareRecord> IncentiveService::DoGetCareRecord(
    CallContext& call, const v1::GetCareRecordRequest& r) {
  ASSIGN_OR_RETURN(ResourceId id, ScopedId(call, "id", r.id(), /*write=*/false));
  v1::CareRecord c;
  StoredRecord notes;
  RETURN_IF_ERROR(repo_->GetRecord(call, RecordKind::kCare, id, "id", c, &notes));
  ShowNotes(call, c, notes);
  return c;
}

absl::StatusOr<v1::WellbeingCheckIn> IncentiveService::DoGetCheckIn(
    CallContext& call, const v1::GetCheckInRequest& r) {
  return RecordOf<v1::WellbeingCheckIn>(call, RecordKind::kCheckIn, r.id());
}

TOUYAN_UNARY(IncentiveService, ListCheckIns, v1::ListCheckInsRequest, v1::ListCheckInsResponse)

absl::StatusOr<v1::ListCheckInsResponse> IncentiveService::DoListCheckIns(
    CallContext& call, const v1::ListCheckInsRequest& r) {
  ASSIGN_OR_RETURN(std::string prefix,
                   ListPrefix(call.principal(), r.region_code(), "region_code"));
  if (!r.cadre_id().empty()) RETURN_IF_ERROR(ResourceId::Parse("cadre_id", r.cadre_id()).status());
  return ListOf(call, r,
                {.kind = RecordKind::kCheckIn, .region_prefix = prefix, .cadre_id = r.cadre_id()},
                &v1::ListCheckInsResponse::mutable_check_ins);
}

}  // namespace touyan::incentive
