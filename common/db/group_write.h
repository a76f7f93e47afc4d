// Small appends of concurrent calls joined into one statement (group
// commit, without a thread of its own): the first call to arrive writes
// what every call queued meanwhile, on its own connection; the others wait
// for that write's outcome and return it. Used for the records of personal
// data read (CallContext::FlushAccess): a read then costs its own query, not
// a second statement and commit of its own.
#ifndef TOUYAN_COMMON_DB_GROUP_WRITE_H_
#define TOUYAN_COMMON_DB_GROUP_WRITE_H_

#include <map>
#include <memory>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"

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
  int64_t writes() const;
  int64_t calls() const;

 private:
  struct Batch {
    std::string items;  // comma-separated
    int calls = 0;
    bool done = false;
    absl::Status status;
  };
  struct Key {
    std::shared_ptr<Batch> open;  // collecting; taken by the next leader
    bool writing = false;
  };

  mutable absl::Mutex mu_;
  absl::CondVar written_;
  std::map<std::string, Key> keys_ ABSL_GUARDED_BY(mu_);
  int64_t writes_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t calls_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace touyan::db

#endif  // TOUYAN_COMMON_DB_GROUP_WRITE_H_
