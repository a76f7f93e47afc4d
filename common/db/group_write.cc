#include "common/db/group_write.h"

#include <vector>

#include "absl/strings/str_join.h"

namespace touyan::db {

absl::Status GroupWrite::Write(const std::string& key, const std::string& items,
                               absl::FunctionRef<absl::Status(const std::string&)> write) {
  return group_
      .Join(key, items,
            [&](const std::vector<std::string>& all) -> absl::StatusOr<std::vector<Written>> {
              absl::Status s = write("[" + absl::StrJoin(all, ",") + "]");
              if (!s.ok()) return s;
              return std::vector<Written>(all.size());
            })
      .status();
}

}  // namespace touyan::db
