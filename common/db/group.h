// Small pieces of work of concurrent calls joined into one statement (group
// commit, without a thread of its own): the first call to arrive runs what
// every call queued meanwhile under the same key, on its own connection;
// the others wait for that run and each takes its own part of the outcome.
// GroupWrite (the records of personal data read) is built on it.
#ifndef TOUYAN_COMMON_DB_GROUP_H_
#define TOUYAN_COMMON_DB_GROUP_H_

#include <exception>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace touyan::db {

template <typename In, typename Out>
class Group {
 public:
  // Runs the inputs queued under one key, in the order they arrived: one
  // output per input, or a status every call of the run returns.
  using Run = absl::FunctionRef<absl::StatusOr<std::vector<Out>>(const std::vector<In>&)>;

  // Queues `in` under `key` (inputs of one key may share a run: e.g. the
  // caller's row-level security scope) and returns its output. If no run of
  // `key` is going on, this call leads: `run` gets every input queued under
  // `key` so far, this one among them.
  absl::StatusOr<Out> Join(const std::string& key, In in, Run run) {
    std::shared_ptr<Batch> batch;
    size_t index = 0;
    Key* k = nullptr;  // std::map's nodes stay put
    {
      absl::MutexLock l(&mu_);
      k = &keys_[key];
      if (!k->open) k->open = std::make_shared<Batch>();
      batch = k->open;
      index = batch->ins.size();
      batch->ins.push_back(std::move(in));
      // While another call runs this key, our batch is either in its run
      // (done when it returns) or still open, for the next leader: us, if we
      // are the first to wake.
      while (!batch->done && k->running) k->ran.Wait(&mu_);
      if (batch->done) return Take(*batch, index);
      k->open.reset();  // no one adds to it any more
      k->running = true;
    }
    absl::StatusOr<std::vector<Out>> outs;
    try {
      outs = run(batch->ins);
      if (outs.ok() && outs->size() != batch->ins.size()) {
        outs = absl::InternalError("a grouped run returned an output count unlike its inputs'");
      }
    } catch (const std::exception& e) {  // never leave the others waiting
      outs = absl::InternalError(e.what());
    }
    absl::MutexLock l(&mu_);
    k->running = false;
    batch->outs = std::move(outs);
    batch->done = true;
    ++runs_;
    calls_ += static_cast<int64_t>(batch->ins.size());
    k->ran.SignalAll();
    return Take(*batch, index);
  }

  // How many runs there were, and how many calls they served (for tests and
  // metrics).
  int64_t runs() const {
    absl::MutexLock l(&mu_);
    return runs_;
  }
  int64_t calls() const {
    absl::MutexLock l(&mu_);
    return calls_;
  }

 private:
  struct Batch {
    std::vector<In> ins;
    bool done = false;
    absl::StatusOr<std::vector<Out>> outs;
  };
  struct Key {
    std::shared_ptr<Batch> open;  // collecting; taken by the next leader
    bool running = false;
    absl::CondVar ran;  // a run of this key ended (its waiters alone wake)
  };

  // Each call takes its own output, once (under mu_).
  static absl::StatusOr<Out> Take(Batch& batch, size_t index) {
    if (!batch.outs.ok()) return batch.outs.status();
    return std::move((*batch.outs)[index]);
  }

  mutable absl::Mutex mu_;
  std::map<std::string, Key> keys_ ABSL_GUARDED_BY(mu_);
  int64_t runs_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t calls_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace touyan::db

#endif  // TOUYAN_COMMON_DB_GROUP_H_
