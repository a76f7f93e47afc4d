#include "common/db/group_write.h"

#include <exception>

namespace touyan::db {

absl::Status GroupWrite::Write(const std::string& key, const std::string& items,
                               absl::FunctionRef<absl::Status(const std::string&)> write) {
  std::shared_ptr<Batch> batch;
  Key* k = nullptr;  // std::map's nodes stay put
  {
    absl::MutexLock l(&mu_);
    k = &keys_[key];
    if (!k->open) k->open = std::make_shared<Batch>();
    batch = k->open;
    if (!batch->items.empty()) batch->items += ",";
    batch->items += items;
    ++batch->calls;
    // While another call writes this key, our batch is either in its write
    // (done when it returns) or still open, for the next leader: us, if we
    // are the first to wake.
    while (!batch->done && k->writing) written_.Wait(&mu_);
    if (batch->done) return batch->status;
    k->open.reset();
    k->writing = true;
  }
  absl::Status status;
  try {
    status = write("[" + batch->items + "]");
  } catch (const std::exception& e) {  // never leave the others waiting
    status = absl::InternalError(e.what());
  }
  absl::MutexLock l(&mu_);
  k->writing = false;
  batch->done = true;
  batch->status = status;
  ++writes_;
  calls_ += batch->calls;
  written_.SignalAll();
  return status;
}

int64_t GroupWrite::writes() const {
  absl::MutexLock l(&mu_);
  return writes_;
}

int64_t GroupWrite::calls() const {
  absl::MutexLock l(&mu_);
  return calls_;
}

}  // namespace touyan::db
