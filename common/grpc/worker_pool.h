// A fixed set of threads for blocking work (database calls), so that gRPC's
// callback reactor threads never block.
#ifndef TOUYAN_COMMON_GRPC_WORKER_POOL_H_
#define TOUYAN_COMMON_GRPC_WORKER_POOL_H_

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace touyan {

class WorkerPool {
 public:
  // `threads` workers; at most `max_queued` tasks wait.
  WorkerPool(int threads, int max_queued);
  ~WorkerPool();  // runs what is queued, then joins
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Returns false (and drops `task`) if the queue is full or stopping.
  bool Submit(std::function<void()> task);
  int queued() const;

 private:
  void Run();

  const size_t max_queued_;
  mutable absl::Mutex mu_;
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace touyan

#endif  // TOUYAN_COMMON_GRPC_WORKER_POOL_H_
