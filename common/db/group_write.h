// The records of personal data read by concurrent calls joined into one
// statement (db::Group): a read then costs its own query, not a second
// statement and commit of its own (CallContext::FlushAccess).
#ifndef TOUYAN_COMMON_DB_GROUP_WRITE_H_
#define TOUYAN_COMMON_DB_GROUP_WRITE_H_

#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "common/db/group.h"

namespace touyan::db {

class GroupWrite {
 public:
  // Queues `items` (JSON objects, comma-separated) under `key` (writes of
  // one key may share a statement: the caller's row-level security scope)
  // and returns once they are written. If no write of `key` is running, this
  // call leads: `write` gets the JSON array of every item queued under `key`
  // so far; its status is what each of those calls returns.
  absl::Status Write(const std::string& key, const std::string& items,
                     absl::FunctionRef<absl::Status(const std::string& array)> write);

  // How many writes have run, and how many calls they served (for tests and
  // metrics).
  int64_t writes() const { return group_.runs(); }
  int64_t calls() const { return group_.calls(); }

 private:
  struct Written {};
  Group<std::string, Written> group_;
};

}  // namespace touyan::db

#endif  // TOUYAN_COMMON_DB_GROUP_WRITE_H_
