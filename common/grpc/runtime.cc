#include "common/grpc/runtime.h"

#include <chrono>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/grpc/event_service.h"
#include "common/grpc/service_calls.h"
#include "common/log/log.h"
#include "common/status/status.h"

namespace touyan {

// ---------------------------------------------------------------- Runtime

namespace {
// The end of every mutation in one round trip: its audit rows and its
// stored answer (with, for a client stream, the whole request's fingerprint,
// $8; NULL keeps the one claimed). The rows go in county order: each takes its county's chain
// head (a row lock, 003_audit_chain.sql), always in the same order.
constexpr char kFinishMutation[] =
    "WITH a AS (INSERT INTO audit_log (county_code, subject, role, method, resource, request_id, "
    "before, after, trace_id) SELECT x.county_code, $1, $2, $3, x.resource, $4, x.before, x.after, "
    "nullif($7, '') "
    "FROM jsonb_to_recordset($5::jsonb) AS x(county_code text, resource text, before jsonb, "
    "after jsonb) ORDER BY x.county_code) UPDATE idempotency SET response = $6, "
    "fingerprint = coalesce($8, fingerprint) WHERE subject = $1 AND request_id = $4";

db::PoolOptions WithCommonStatements(db::PoolOptions pool) {
  pool.statements.push_back({"touyan_finish_mutation", kFinishMutation});
  pool.statements.push_back({"touyan_wal_position", "SELECT pg_current_wal_insert_lsn()::text"});
  pool.statements.push_back(db::SessionStatement());
  pool.statements.push_back(db::LocalStatement());
  for (auto& s : idempotency::Statements()) pool.statements.push_back(s);
  for (auto& s : audit::Statements()) pool.statements.push_back(s);
  for (auto& s : EventService::Statements()) pool.statements.push_back(s);
  return pool;
}
}  // namespace

Runtime::Runtime(RuntimeOptions options)
    : options_(std::move(options)),
      pool_(WithCommonStatements(options_.pool)),
      pager_(options_.page_key),
      verifier_(options_.tokens),
      workers_(std::make_unique<WorkerPool>(options_.workers, options_.max_queued)),
      events_(std::make_unique<EventHub>(
          EventHub::Options{options_.pool.url, options_.pool.schema, absl::Seconds(5),
                            !options_.pool.transaction_pooling, !options_.read_url.empty()})) {
  for (const auto& [name, target] : options_.downstream_targets) {
    downstreams_[name] = std::make_unique<Downstream>(name, target, options_.downstream_timeout,
                                                      ChannelCredentialsFor(options_.tls));
  }
  if (!options_.read_url.empty()) {
    db::PoolOptions reads = WithCommonStatements(options_.pool);
    reads.url = options_.read_url;
    reads.statements.push_back(db::ReadRouter::StatusStatement());
    read_pool_ = std::make_unique<db::ConnectionPool>(std::move(reads));
    reads_ = std::make_unique<db::ReadRouter>(*read_pool_, options_.replica);
  }
  inline_counter_ = &metrics_.Counter(
      "touyan_calls_inline_total",
      "Unary calls run on the gRPC thread that received them, without a hand-off to a worker "
      "(--inline-calls).");
  UpdatePoolGauges();
}

std::atomic<int>& Runtime::InlineRunning() {
  static std::atomic<int> running{0};
  return running;
}

const Downstream& Runtime::downstream(const std::string& name) const {
  auto it = downstreams_.find(name);
  // A ServiceSpec names what it calls, and LoadServerConfig requires each.
  if (it == downstreams_.end()) std::abort();
  return *it->second;
}

Runtime::~Runtime() {
  events_.reset();
  workers_.reset();
}

absl::StatusOr<auth::Principal> Runtime::Authenticate(const grpc::ServerContextBase& ctx,
                                                      absl::string_view method) const {
  const std::string peer = PeerService(ctx);
  if (!peer.empty() && !ServiceMayCall(peer, options_.service, method)) {
    return WithReason(absl::PermissionDeniedError(absl::StrCat(
                          "the ", peer, " service may not call ", options_.service, " ", method)),
                      "SERVICE_METHOD_NOT_ALLOWED");
  }
  const auto& md = ctx.client_metadata();
  auto it = md.find("authorization");
  if (it == md.end()) {
    if (!peer.empty()) {
      // A service's own background work (domain gauges): read-only, this
      // deployment's scope, no token to forward.
      return auth::Principal::Make(peer + "-service", auth::Role::kAuditor,
                                   options_.scope.empty() ? "000000000000" : options_.scope);
    }
    return WithReason(
        absl::UnauthenticatedError("no credentials: send 'authorization: Bearer <token>' metadata"),
        "NO_CREDENTIALS");
  }
  absl::string_view value(it->second.data(), it->second.size());
  if (!absl::StartsWithIgnoreCase(value, "Bearer ")) {
    return WithReason(absl::UnauthenticatedError("authorization must be 'Bearer <token>'"),
                      "MALFORMED_TOKEN");
  }
  value.remove_prefix(7);
  ASSIGN_OR_RETURN(auth::Principal p, verifier_.Verify(value, clock().Now()));
  if (!options_.scope.empty()) {
    ASSIGN_OR_RETURN(p, p.NarrowTo(options_.scope));
  }
  p.bearer = std::string(value);
  return p;
}

log::Trace Runtime::TraceOf(grpc::CallbackServerContext& ctx) {
  const auto& md = ctx.client_metadata();
  auto it = md.find("traceparent");
  log::Trace t =
      log::ContinueTrace(it == md.end() ? absl::string_view()
                                        : absl::string_view(it->second.data(), it->second.size()));
  ctx.AddInitialMetadata("traceparent", t.Traceparent());
  return t;
}

absl::StatusOr<db::Lsn> Runtime::ConsistencyTokenOf(const grpc::ServerContextBase& ctx) {
  const auto& md = ctx.client_metadata();
  auto it = md.find(kConsistencyTokenKey);
  if (it == md.end()) return db::Lsn{0};
  absl::StatusOr<db::Lsn> lsn =
      db::ParseLsn(absl::string_view(it->second.data(), it->second.size()));
  if (!lsn.ok()) {
    return WithReason(absl::InvalidArgumentError(absl::StrCat("metadata ", kConsistencyTokenKey,
                                                              ": ", lsn.status().message())),
                      "BAD_CONSISTENCY_TOKEN");
  }
  return lsn;
}

void Runtime::SendConsistencyToken(grpc::CallbackServerContext& ctx, CallContext& call) {
  std::string token = call.ConsistencyToken();
  if (!token.empty()) ctx.AddTrailingMetadata(kConsistencyTokenKey, token);
}

absl::Time Runtime::DeadlineOf(const grpc::ServerContextBase& ctx, absl::Duration fallback) const {
  auto d = ctx.deadline();
  if (d == std::chrono::system_clock::time_point::max()) return absl::Now() + fallback;
  return absl::FromChrono(d);
}

void Runtime::LogCall(const char* method, const absl::Status& status, absl::Duration took,
                      const std::string& subject, absl::string_view request_id) {
  std::string code = absl::StatusCodeToString(status.code());
  std::initializer_list<log::Field> fields = {
      {"service", options_.service},
      {"method", method},
      {"code", code},
      {"ms", absl::StrCat(absl::ToDoubleMilliseconds(took))},
      {"principal", subject},
      {"request_id", std::string(request_id)},
      {"error", std::string(status.message())}};
  bool server_fault = status.code() == absl::StatusCode::kInternal ||
                      status.code() == absl::StatusCode::kUnknown ||
                      status.code() == absl::StatusCode::kDataLoss;
  log::Write(server_fault ? "error" : "info", "call", fields);
}

void Runtime::UpdatePoolGauges() {
  metrics_.SetPool(pool_.size(), pool_.in_use(), pool_.connections_opened());
}

bool Runtime::TakeWatchSlot() {
  if (watchers_.fetch_add(1) >= options_.max_watchers) {
    watchers_.fetch_sub(1);
    return false;
  }
  return true;
}

void Runtime::ReturnWatchSlot() { watchers_.fetch_sub(1); }

bool Runtime::TakeStreamSlot() {
  int n = streams_.fetch_add(1);
  if (n >= options_.stream_slots) {
    streams_.fetch_sub(1);
    return false;
  }
  return true;
}

void Runtime::ReturnStreamSlot() { streams_.fetch_sub(1); }

}  // namespace touyan
