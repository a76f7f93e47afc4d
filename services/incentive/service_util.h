// Shared by incentive's adapter files (service_*.cc), internal: small checks
// and the member templates every area uses.
#ifndef TOUYAN_SERVICES_INCENTIVE_SERVICE_UTIL_H_
#define TOUYAN_SERVICES_INCENTIVE_SERVICE_UTIL_H_

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/grpc/handlers.h"
#include "common/idempotency/idempotency.h"
#include "common/ids/region.h"
#include "common/status/status.h"
#include "common/status/text.h"
#include "common/time/date.h"
#include "services/incentive/domain/consequences.h"
#include "services/incentive/domain/promotion.h"
#include "services/incentive/domain/rules.h"
#include "services/incentive/incentive_service.h"

namespace touyan::incentive {
namespace pv1 = ::touyan::personnel::v1;

inline absl::CivilDay Today(const CallContext& call) { return call.clock().Today(); }

inline std::optional<absl::CivilDay> DayOf(const google::type::Date& d) {
  if (!IsSet(d)) return std::nullopt;
  absl::StatusOr<absl::CivilDay> day = ToCivilDay("", d);
  return day.ok() ? std::optional<absl::CivilDay>(*day) : std::nullopt;
}

inline absl::Status Failed(absl::string_view reason, const std::string& message,
                           absl::string_view field) {
  return WithField(WithReason(absl::FailedPreconditionError(message), reason), field);
}

// A region code that is a city or a county (budgets, ledgers).
inline absl::Status CheckCityOrCounty(absl::string_view field, const std::string& code) {
  const Level l = LevelOf(code);
  if (l != Level::kCity && l != Level::kCounty) {
    return InvalidField(field, "must be a city's or county's 12-digit code", "BAD_REGION_CODE");
  }
  return absl::OkStatus();
}

// A request about a county's year that writes (ComputeAssessments,
// ProposeConsequences): its request id, county_code and year checked, the
// caller allowed to write there. The county's 12-digit region.
template <typename Req>
absl::StatusOr<std::string> CountyYearWrite(const CallContext& call, const Req& r) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(r.request_id()));
  if (r.county_code().size() != 6 || LevelOf(r.county_code() + "000000") != Level::kCounty) {
    return InvalidField("county_code", "must be a county's 6-digit code", "BAD_REGION_CODE");
  }
  RETURN_IF_ERROR(CheckYear("year", r.year(), call, false));
  std::string county_region = r.county_code() + "000000";
  RETURN_IF_ERROR(WithField(call.principal().CheckWrite(county_region), "county_code"));
  return county_region;
}

template <typename P>
absl::StatusOr<P> IncentiveService::PolicyOf(CallContext& call, PolicyKind kind,
                                             const std::string& city, int year) {
  P p;
  RETURN_IF_ERROR(repo_->GetPolicy(call, kind, city, year, p).status());
  p.set_region_code(city);
  p.set_year(year);
  return WithDefaults(std::move(p));
}

template <typename M>
absl::StatusOr<M> IncentiveService::AddCadreRecord(CallContext& call,
                                                   const google::protobuf::Message& request,
                                                   const std::string& request_id, RecordKind kind,
                                                   M record, const std::string& field,
                                                   RecordMeta meta,
                                                   const IncentiveRepository::Check& check) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(request_id));
  ASSIGN_OR_RETURN(pv1::Cadre cadre,
                   personnel_.GetCadre(call, record.cadre_id(), field + "cadre_id"));
  RETURN_IF_ERROR(WithField(call.principal().CheckWrite(cadre.region_code()), field + "cadre_id"));
  record.set_cadre_name(cadre.name());
  meta.cadre_id = record.cadre_id();
  meta.region_code = cadre.region_code();
  RETURN_IF_ERROR(repo_->AddRecord(call, request, request_id, kind, meta, record, check));
  return record;
}

template <typename M>
absl::StatusOr<M> IncentiveService::RecordOf(CallContext& call, RecordKind kind,
                                             const std::string& id) {
  ASSIGN_OR_RETURN(ResourceId rid, ScopedId(call, "id", id, /*write=*/false));
  M m;
  RETURN_IF_ERROR(repo_->GetRecord(call, kind, rid, "id", m));
  return m;
}

template <typename M, typename Req, typename Resp>
absl::StatusOr<Resp> IncentiveService::ListOf(
    CallContext& call, const Req& r, RecordFilter filter,
    google::protobuf::RepeatedPtrField<M>* (Resp::*items)(),
    const std::function<void(M&, const StoredRecord&)>& fix) {
  ASSIGN_OR_RETURN(paging::Page page, call.pager().Begin(r));
  ASSIGN_OR_RETURN(PageOf<StoredRecord> rows, repo_->ListRecords(call, filter, page));
  PageOf<M> out;
  out.next_cursor = rows.next_cursor;
  for (const StoredRecord& s : rows.items) {
    M m;
    RETURN_IF_ERROR(MergeFromJson(s.json, m));
    m.set_id(s.record_id);
    if (const auto* etag = M::descriptor()->FindFieldByName("etag")) {
      m.GetReflection()->SetString(&m, etag, s.etag);
    }
    if (fix) fix(m, s);
    out.items.push_back(std::move(m));
  }
  return ListResponse(call, r, std::move(out), items);
}

}  // namespace touyan::incentive

#endif  // TOUYAN_SERVICES_INCENTIVE_SERVICE_UTIL_H_
