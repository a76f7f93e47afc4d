#include "common/grpc/audit_service.h"

#include "absl/functional/function_ref.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/auth/jwt.h"
#include "common/grpc/handlers.h"
#include "google/protobuf/util/time_util.h"

namespace touyan {
namespace {

using audit::v1::AuditEvent;
using audit::v1::ListAuditEventsRequest;
using audit::v1::ListAuditEventsResponse;
using audit::v1::VerifyAuditChainRequest;
using audit::v1::VerifyAuditChainResponse;
using google::protobuf::util::TimeUtil;

constexpr int kChainBatch = 5000;

absl::Status RequireAuditor(const Principal& p) {
  if (p.role == auth::Role::kAuditor || p.role == auth::Role::kCityOrgDept) return absl::OkStatus();
  return WithReason(absl::PermissionDeniedError(
                        "only auditors and the city organisation department read the audit trail"),
                    "ROLE_NOT_ALLOWED");
}

// The county filter (6 digits) inside the caller's scope, or the scope's
// county-level prefix when empty and `required` is false.
absl::StatusOr<std::string> CountyFilter(const Principal& p, const std::string& county,
                                         bool required) {
  if (county.empty()) {
    if (required)
      return InvalidField("county_code", "is required: a 6-digit county code", "REQUIRED");
    return p.RlsCountyPrefix();
  }
  if (county.size() != 6 || !std::all_of(county.begin(), county.end(), absl::ascii_isdigit)) {
    return InvalidField("county_code", "must be a 6-digit county code", "BAD_REGION_CODE");
  }
  RETURN_IF_ERROR(WithField(CheckCounty(p, county, false), "county_code"));
  return county;
}

absl::StatusOr<std::string> TimeBound(const google::protobuf::Timestamp& t, bool has,
                                      absl::string_view field, const char* unset) {
  if (!has) return std::string(unset);
  if (t.seconds() < TimeUtil::kTimestampMinSeconds ||
      t.seconds() > TimeUtil::kTimestampMaxSeconds || t.nanos() < 0 || t.nanos() > 999999999)
    return InvalidField(field, "is not a valid time");
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ",
                          absl::FromUnixMicros(TimeUtil::TimestampToMicroseconds(t)),
                          absl::UTCTimeZone());
}

// What both lists of the trail share: who may ask, the county, the time
// range and the page (the position after an id).
struct ListBounds {
  std::string county, start, end;
  paging::Page page;
  int64_t after = 0;
};

template <typename Req>
absl::StatusOr<ListBounds> BoundsOf(CallContext& call, const Req& r) {
  const Principal& p = call.principal();
  RETURN_IF_ERROR(RequireAuditor(p));
  ListBounds b;
  ASSIGN_OR_RETURN(b.county, CountyFilter(p, r.county_code(), false));
  ASSIGN_OR_RETURN(b.start,
                   TimeBound(r.start_time(), r.has_start_time(), "start_time", "-infinity"));
  ASSIGN_OR_RETURN(b.end, TimeBound(r.end_time(), r.has_end_time(), "end_time", "infinity"));
  if (r.has_start_time() && r.has_end_time() && r.end_time() <= r.start_time()) {
    return InvalidField("end_time", "must be after start_time");
  }
  ASSIGN_OR_RETURN(b.page, call.pager().Begin(r));
  if (!b.page.cursor.empty() && !absl::SimpleAtoi(b.page.cursor, &b.after)) {
    return InvalidField("page_token", "is not a page of this list", "BAD_PAGE_TOKEN");
  }
  return b;
}

// One page of `rows` (fetched with LIMIT size + 1), each made by `fill`; the
// cursor is the last item's id, in column `id_column`.
template <typename T>
PageOf<T> PageByIds(const pqxx::result& rows, int size, int id_column,
                    absl::FunctionRef<void(const pqxx::row&, T&)> fill) {
  PageOf<T> out;
  for (const auto& row : rows) {
    if (static_cast<int>(out.items.size()) == size) {
      out.next_cursor = std::to_string(rows[size - 1][id_column].as<int64_t>());
      break;
    }
    fill(row, out.items.emplace_back());
  }
  return out;
}

}  // namespace

TOUYAN_UNARY(AuditService, ListAuditEvents, ListAuditEventsRequest, ListAuditEventsResponse)
TOUYAN_UNARY(AuditService, VerifyAuditChain, VerifyAuditChainRequest, VerifyAuditChainResponse)
TOUYAN_UNARY(AuditService, ListAccessRecords, audit::v1::ListAccessRecordsRequest,
             audit::v1::ListAccessRecordsResponse)

absl::StatusOr<ListAuditEventsResponse> AuditService::DoListAuditEvents(
    CallContext& call, const ListAuditEventsRequest& r) {
  ASSIGN_OR_RETURN(ListBounds b, BoundsOf(call, r));
  ASSIGN_OR_RETURN(
      PageOf<AuditEvent> rows,
      call.Read<PageOf<AuditEvent>>([&](db::Tx& tx) -> absl::StatusOr<PageOf<AuditEvent>> {
        pqxx::result res =
            r.resource().empty()
                ? tx.exec_prepared("touyan_audit_list", b.county, r.actor(), r.method(), b.start,
                                   b.end, b.after, b.page.size + 1)
                : tx.exec_prepared("touyan_audit_history", b.county, r.actor(), r.method(), b.start,
                                   b.end, b.after, b.page.size + 1, r.resource());
        return PageByIds<AuditEvent>(res, b.page.size, 11, [](const pqxx::row& row, AuditEvent& e) {
          e.set_county_code(row[0].as<std::string>());
          e.set_sequence(row[1].as<int64_t>());
          *e.mutable_time() = TimeUtil::MicrosecondsToTimestamp(row[2].as<int64_t>());
          e.set_actor(row[3].as<std::string>());
          e.set_role(row[4].as<std::string>());
          e.set_method(row[5].as<std::string>());
          e.set_resource(row[6].as<std::string>());
          e.set_request_id(row[7].as<std::string>());
          e.set_before_json(row[8].as<std::string>());
          e.set_after_json(row[9].as<std::string>());
          e.set_hash(row[10].as<std::string>());
          e.set_trace_id(row[12].as<std::string>());
        });
      }));
  return ListResponse(call, r, std::move(rows), &ListAuditEventsResponse::mutable_events);
}

absl::StatusOr<audit::v1::ListAccessRecordsResponse> AuditService::DoListAccessRecords(
    CallContext& call, const audit::v1::ListAccessRecordsRequest& r) {
  using audit::v1::AccessRecord;
  ASSIGN_OR_RETURN(ListBounds b, BoundsOf(call, r));
  ASSIGN_OR_RETURN(
      PageOf<AccessRecord> rows,
      call.Read<PageOf<AccessRecord>>([&](db::Tx& tx) -> absl::StatusOr<PageOf<AccessRecord>> {
        pqxx::result res = tx.exec_prepared("touyan_access_list", b.county, r.resource(), r.actor(),
                                            b.start, b.end, b.after, b.page.size + 1);
        return PageByIds<AccessRecord>(
            res, b.page.size, 7, [](const pqxx::row& row, AccessRecord& a) {
              a.set_county_code(row[0].as<std::string>());
              *a.mutable_time() = TimeUtil::MicrosecondsToTimestamp(row[1].as<int64_t>());
              a.set_actor(row[2].as<std::string>());
              a.set_role(row[3].as<std::string>());
              a.set_method(row[4].as<std::string>());
              a.set_resource(row[5].as<std::string>());
              for (absl::string_view f :
                   absl::StrSplit(row[6].as<std::string>(), ',', absl::SkipEmpty())) {
                a.add_fields(std::string(f));
              }
              a.set_trace_id(row[8].as<std::string>());
            });
      }));
  return ListResponse(call, r, std::move(rows),
                      &audit::v1::ListAccessRecordsResponse::mutable_records);
}

absl::StatusOr<VerifyAuditChainResponse> AuditService::DoVerifyAuditChain(
    CallContext& call, const VerifyAuditChainRequest& r) {
  const Principal& p = call.principal();
  RETURN_IF_ERROR(RequireAuditor(p));
  ASSIGN_OR_RETURN(std::string county, CountyFilter(p, r.county_code(), true));
  return call.Read<VerifyAuditChainResponse>([&](db::Tx& tx)
                                                 -> absl::StatusOr<VerifyAuditChainResponse> {
    VerifyAuditChainResponse out;
    pqxx::result head = tx.exec_prepared("touyan_audit_head", county);
    if (head.empty()) {  // no change recorded in this county yet
      out.set_intact(true);
      return out;
    }
    const int64_t head_seq = head[0][0].as<int64_t>();
    const std::string head_hash = pqxx::binarystring(head[0][1]).str();
    out.set_head_sequence(head_seq);
    out.set_head_hash(absl::BytesToHexString(head_hash));
    auto broken = [&](int64_t seq, absl::string_view problem, absl::string_view why) {
      out.set_intact(false);
      out.set_first_broken_sequence(seq);
      out.set_problem(absl::StrCat(problem, ": ", why));
      return out;
    };
    // Events before retained_from left with their month (retention): the
    // first kept event's link to them is taken as it stands.
    const int64_t retained_from = head[0][2].as<int64_t>();
    int64_t last = retained_from - 1;
    std::string prev;  // the first event follows the empty hash
    bool first = retained_from > 1;
    while (last < head_seq) {
      pqxx::result rows =
          tx.exec_prepared("touyan_audit_chain", county, last, head_seq, kChainBatch);
      if (rows.empty()) {
        return broken(
            last + 1, "SEQUENCE_GAP",
            absl::StrCat("events ", last + 1, " to ", head_seq, " are missing (removed)"));
      }
      for (const auto& row : rows) {
        const int64_t seq = row[0].as<int64_t>();
        if (seq != last + 1) {
          return broken(
              last + 1, "SEQUENCE_GAP",
              absl::StrCat("events ", last + 1, " to ", seq - 1, " are missing (removed)"));
        }
        const std::string prev_hash = pqxx::binarystring(row[1]).str();
        const std::string hash = pqxx::binarystring(row[2]).str();
        if (first) prev = prev_hash;
        first = false;
        if (prev_hash != prev) {
          return broken(
              seq, "PREVIOUS_HASH_MISMATCH",
              "the event does not follow the one before it (an event was replaced or inserted)");
        }
        if (auth::Sha256(prev + row[3].as<std::string>()) != hash) {
          return broken(seq, "HASH_MISMATCH",
                        "the event's content no longer matches its hash (changed)");
        }
        prev = hash;
        last = seq;
        out.set_events_checked(out.events_checked() + 1);
      }
    }
    if (last >= retained_from && prev != head_hash) {
      return broken(head_seq, "HEAD_MISMATCH",
                    "the last event is not the head recorded beside the chain");
    }
    out.set_intact(true);
    return out;
  });
}

}  // namespace touyan
