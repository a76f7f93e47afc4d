// Helpers every service's gRPC adapter shares: scope checks before any
// query, enum and year checks, and the shape of list responses.
#ifndef TOUYAN_COMMON_GRPC_HANDLERS_H_
#define TOUYAN_COMMON_GRPC_HANDLERS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/auth/principal.h"
#include "common/db/rows.h"
#include "common/grpc/runtime.h"
#include "common/ids/resource_id.h"
#include "common/status/status.h"

namespace touyan {

using auth::Principal;

// The region prefix a list covers: the filter if given (it must lie inside
// the caller's scope), else the caller's whole scope.
inline absl::StatusOr<std::string> ListPrefix(const Principal& p, const std::string& filter,
                                              absl::string_view field) {
  if (filter.empty()) return p.scope_prefix;
  absl::StatusOr<std::string> prefix = auth::RegionPrefix(filter);
  if (!prefix.ok()) return InvalidField(field, prefix.status().message(), "BAD_REGION_CODE");
  if (!absl::StartsWith(*prefix, p.scope_prefix)) return WithField(p.CheckCovers(filter), field);
  return *prefix;
}

// A first check on a county-keyed id, before any query; a township
// operator's finer scope is checked against the row itself.
inline absl::Status CheckCounty(const Principal& p, const std::string& county, bool write) {
  if (write && !p.CanWrite()) return p.CheckWrite(county);
  if (!absl::StartsWith(county, p.RlsCountyPrefix())) {
    return WithReason(absl::PermissionDeniedError(absl::StrCat(
                          "county ", county, " is outside the caller's scope ", p.scope)),
                      "OUT_OF_SCOPE");
  }
  return absl::OkStatus();
}

// A county-keyed id from request field `field`, its county checked against
// the caller's scope (CheckCounty) before any query.
inline absl::StatusOr<ResourceId> ScopedId(const CallContext& call, absl::string_view field,
                                           const std::string& id, bool write) {
  ASSIGN_OR_RETURN(ResourceId rid, ResourceId::Parse(field, id));
  RETURN_IF_ERROR(WithField(CheckCounty(call.principal(), rid.county_code, write), field));
  return rid;
}

// Fills a List response: the page's items, and the token of the page after.
template <typename T, typename Req, typename Resp>
Resp ListResponse(CallContext& call, const Req& req, PageOf<T> page,
                  google::protobuf::RepeatedPtrField<T>* (Resp::*items)()) {
  Resp out;
  for (auto& x : page.items) *(out.*items)()->Add() = std::move(x);
  if (!page.next_cursor.empty()) out.set_next_page_token(call.pager().Next(req, page.next_cursor));
  return out;
}

// Every item a list handler `list` (StatusOr<Resp>(const Req&)) gives for
// `req`, page after page as a client would page: what an export holds is
// exactly what the list shows the caller.
template <typename Item, typename Req, typename Resp, typename List>
absl::StatusOr<std::vector<Item>> AllItems(
    Req req, List list, google::protobuf::RepeatedPtrField<Item>* (Resp::*items)()) {
  std::vector<Item> out;
  req.set_page_size(1000);
  do {
    absl::StatusOr<Resp> page = list(req);
    if (!page.ok()) return page.status();
    for (Item& x : *((*page).*items)()) out.push_back(std::move(x));
    req.set_page_token(page->next_page_token());
  } while (!req.page_token().empty());
  return out;
}

inline absl::Status CheckEnum(absl::string_view field, int value, bool (*valid)(int)) {
  if (value != 0 && !valid(value))
    return InvalidField(field, "is not a known value", "UNKNOWN_ENUM_VALUE");
  return absl::OkStatus();
}

// The latest year a request may name: next year (plans are made ahead).
inline int YearMax(const CallContext& call) {
  return static_cast<int>(call.clock().Today().year()) + 1;
}

// INVALID_ARGUMENT naming `field` unless `year` is from 2000 to next year
// (or 0 where `zero_ok`: "every year").
inline absl::Status CheckYear(absl::string_view field, int year, const CallContext& call,
                              bool zero_ok) {
  if (zero_ok && year == 0) return absl::OkStatus();
  if (year < 2000 || year > YearMax(call)) {
    return InvalidField(field, absl::StrCat("must be a year from 2000 to ", YearMax(call)));
  }
  return absl::OkStatus();
}

// PERMISSION_DENIED unless the caller is the city organisation department.
inline absl::Status RequireCity(const Principal& p, absl::string_view what) {
  if (p.role == auth::Role::kCityOrgDept) return absl::OkStatus();
  return WithReason(
      absl::PermissionDeniedError(absl::StrCat("only the city organisation department may ", what)),
      "ROLE_NOT_ALLOWED");
}

}  // namespace touyan

// Defines Service::Method (the gRPC callback) as the bridge to the plain
// handler Service::DoMethod(CallContext&, const Req&) -> StatusOr<Resp>.
#define TOUYAN_UNARY(Service, Method, Req, Resp)                                                   \
  grpc::ServerUnaryReactor* Service::Method(grpc::CallbackServerContext* ctx, const Req* req,      \
                                            Resp* resp) {                                          \
    return rt_.Unary<Req, Resp>(ctx, req, resp, #Method, [this](CallContext& call, const Req& r) { \
      return Do##Method(call, r);                                                                  \
    });                                                                                            \
  }

#endif  // TOUYAN_COMMON_GRPC_HANDLERS_H_
