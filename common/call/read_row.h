// Reading one resource by its county-keyed id, the same way in every
// repository: one prepared statement ($1 county, $2 id), NOT_FOUND naming
// "id" when there is no row, and optionally the caller's scope checked
// against a region column of the row (a township operator's finer scope).
#ifndef TOUYAN_COMMON_CALL_READ_ROW_H_
#define TOUYAN_COMMON_CALL_READ_ROW_H_

#include <string>
#include <type_traits>

#include "common/call/call_context.h"
#include "common/db/rows.h"
#include "common/ids/resource_id.h"
#include "common/status/status.h"

namespace touyan {

// The row of `statement` for `id`, mapped by `from_row` (which returns the
// resource or a StatusOr of it). With `scope_column`, PERMISSION_DENIED
// naming "id" unless the caller's scope covers that column's region.
template <typename FromRow, typename M = typename rows_internal::Item<
                                std::invoke_result_t<FromRow, const pqxx::row&>>::type>
absl::StatusOr<M> ReadRow(CallContext& call, const char* statement, absl::string_view what,
                          const ResourceId& id, FromRow from_row,
                          const char* scope_column = nullptr) {
  return call.Read<M>([&](db::Tx& tx) -> absl::StatusOr<M> {
    pqxx::result r = tx.exec_prepared(statement, id.county_code, id.number);
    if (r.empty()) return NotFound("id", what, id.ToString());
    if (scope_column != nullptr) {
      RETURN_IF_ERROR(
          WithField(call.principal().CheckCovers(r[0][scope_column].as<std::string>()), "id"));
    }
    return from_row(r[0]);
  });
}

}  // namespace touyan

#endif  // TOUYAN_COMMON_CALL_READ_ROW_H_
