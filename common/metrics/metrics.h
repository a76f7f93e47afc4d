// Prometheus metrics: the standard gRPC server RED metrics (the names gRPC
// dashboards know), database pool gauges, and the domain counters services
// register (touyan_<svc>_<noun>_<verb>_total).
#ifndef TOUYAN_COMMON_METRICS_METRICS_H_
#define TOUYAN_COMMON_METRICS_METRICS_H_

#include <grpcpp/support/server_interceptor.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <map>
#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace touyan {

class Metrics {
 public:
  Metrics();
  prometheus::Registry& registry() { return *registry_; }
  std::shared_ptr<prometheus::Registry> shared_registry() { return registry_; }

  // A domain counter, e.g. Counter("touyan_personnel_cadres_created_total", "..."); labels
  // as for Gauge.
  prometheus::Counter& Counter(const std::string& name, const std::string& help,
                               const std::map<std::string, std::string>& labels = {});

  // A domain gauge, e.g. Gauge("touyan_training_coverage_ratio", "...", {{"theme", "乡村振兴"}}).
  // Labels name what is measured, never the county: a county's deployment is
  // told apart by its pods' labels.
  prometheus::Gauge& Gauge(const std::string& name, const std::string& help,
                           const std::map<std::string, std::string>& labels = {});

  void SetPool(int size, int in_use, int64_t opened);
  // Reads on replicas: where a read-only call's reads went
  // (touyan_replica_reads_total{result}), and the replica's lag in seconds
  // (+Inf: unreachable, or following no primary).
  void CountRead(const char* result);
  void SetReplicaLag(double seconds);

  // The RED interceptor for every call (health and reflection included).
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> InterceptorFactory();

  struct MethodMetrics {
    prometheus::Counter* started;
    std::array<prometheus::Counter*, 17> handled;  // by grpc::StatusCode
    prometheus::Histogram* seconds;
  };
  MethodMetrics& ForMethod(const std::string& full_method, absl::string_view type);

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& started_;
  prometheus::Family<prometheus::Counter>& handled_;
  prometheus::Family<prometheus::Histogram>& seconds_;
  prometheus::Gauge& pool_size_;
  prometheus::Gauge& pool_in_use_;
  prometheus::Gauge& pool_opened_;
  absl::Mutex mu_;
  std::map<std::string, MethodMetrics> methods_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, prometheus::Family<prometheus::Counter>*> counters_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, prometheus::Family<prometheus::Gauge>*> gauges_ ABSL_GUARDED_BY(mu_);
};

}  // namespace touyan

#endif  // TOUYAN_COMMON_METRICS_METRICS_H_
