// Paging: opaque, tamper-evident page tokens. A token carries the position
// after the last item returned and is bound to the query that made it: a
// token altered, forged or used with another filter is INVALID_ARGUMENT.
#ifndef TOUYAN_COMMON_PAGING_PAGE_TOKEN_H_
#define TOUYAN_COMMON_PAGING_PAGE_TOKEN_H_

#include <string>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"

namespace touyan::paging {

inline constexpr int kDefaultPageSize = 100;
inline constexpr int kMaxPageSize = 1000;

struct Page {
  int size = kDefaultPageSize;
  std::string cursor;  // empty on the first page
};

class Pager {
 public:
  explicit Pager(std::string key) : key_(std::move(key)) {}

  // Reads `page_size` and `page_token` from `request` (fields of those names).
  absl::StatusOr<Page> Begin(const google::protobuf::Message& request) const;
  // The token for the page after `cursor`.
  std::string Next(const google::protobuf::Message& request, const std::string& cursor) const;

 private:
  std::string key_;
};

}  // namespace touyan::paging

#endif  // TOUYAN_COMMON_PAGING_PAGE_TOKEN_H_
