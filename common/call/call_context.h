// One call as the layers below the gRPC adapter see it: who is calling,
// until when, database access in the caller's row-level security scope,
// mutations with their request_id, audit entries and records of personal
// data read. Repositories depend on this, not on the gRPC runtime
// (common/grpc/runtime.h) that makes one per call.
#ifndef TOUYAN_COMMON_CALL_CALL_CONTEXT_H_
#define TOUYAN_COMMON_CALL_CALL_CONTEXT_H_

#include <google/protobuf/message.h>

#include <memory>
#include <optional>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/audit/audit.h"
#include "common/auth/jwt.h"
#include "common/crypto/keyring.h"
#include "common/db/pool.h"
#include "common/db/replica.h"
#include "common/db/transaction.h"
#include "common/idempotency/idempotency.h"
#include "common/paging/page_token.h"
#include "common/status/status.h"
#include "common/time/clock.h"

namespace touyan {

class Metrics;
class Runtime;

// Whether `method` ("GetCadre") only reads, by its verb: Get, List, Search,
// BatchGet, Export, Print, Watch, Verify, Count. Only such calls read on
// replicas; any other verb is taken to write.
bool IsReadOnlyMethod(absl::string_view method);

// One call: who is calling, until when, and database access in the caller's
// row-level security scope.
class CallContext {
 public:
  CallContext(Runtime& rt, auth::Principal principal, absl::Time deadline, std::string method)
      : rt_(rt),
        principal_(std::move(principal)),
        deadline_(deadline),
        method_(std::move(method)),
        read_only_(IsReadOnlyMethod(method_)) {}

  const auth::Principal& principal() const { return principal_; }
  absl::Time deadline() const { return deadline_; }
  const std::string& method() const { return method_; }
  const Clock& clock() const;
  const paging::Pager& pager() const;
  Metrics& metrics();
  db::Scope scope() const;
  // The data keys personal values are sealed with; null when the service
  // was given none (it holds no such values).
  const crypto::Keyring* keys() const;

  // The consistency token the caller sent (0: none): this call's reads see
  // at least the writes it stands for.
  void set_consistency_token(db::Lsn token) { token_ = token; }

  // Runs read-only `body` in the caller's scope (autocommit statements).
  // A read-only call (IsReadOnlyMethod) reads on a replica when the service
  // has one fit for it (common/db/replica.h), else on the primary; a read
  // the replica fails is run again on the primary.
  template <typename T>
  absl::StatusOr<T> Read(absl::FunctionRef<absl::StatusOr<T>(db::Tx&)> body) {
    if (db::Lease* replica = ReplicaLease()) {
      absl::StatusOr<T> r = db::Collect<T>(
          [&](auto step) { return db::RunRead(*replica, scope(), deadline_, step); }, body);
      if (r.ok() || !ReplicaFailed(r.status())) return r;
    }
    ASSIGN_OR_RETURN(db::Lease * lease, Lease());
    return db::Collect<T>([&](auto step) { return db::RunRead(*lease, scope(), deadline_, step); },
                          body);
  }

  // A mutation: checks the caller may write, claims `request_id`, runs `body`
  // and stores its response for replay, all in one transaction. A retry with
  // the same id returns the stored response without running `body`.
  template <typename Resp>
  absl::StatusOr<Resp> Mutate(const google::protobuf::Message& request,
                              const std::string& request_id,
                              absl::FunctionRef<absl::StatusOr<Resp>(db::Tx&)> body) {
    return Mutate<Resp>(idempotency::FingerprintOf(request), request_id, body);
  }
  // The same, for a request known by its fingerprint (a client stream's,
  // built as its messages arrive).
  template <typename Resp>
  absl::StatusOr<Resp> Mutate(const idempotency::Fingerprint& request,
                              const std::string& request_id,
                              absl::FunctionRef<absl::StatusOr<Resp>(db::Tx&)> body) {
    Resp out;
    RETURN_IF_ERROR(MutateInto(request, request_id, out,
                               [&](db::Tx& tx, google::protobuf::Message& m) -> absl::Status {
                                 ASSIGN_OR_RETURN(static_cast<Resp&>(m), body(tx));
                                 return absl::OkStatus();
                               }));
    return out;
  }

  // Mutate for a response whose type the caller knows only at run time:
  // `out` is filled by `body` (it may hold the caller's draft; a body run
  // again after a serialization failure sees what the last run left), or
  // from the stored answer on a retry.
  absl::Status MutateInto(
      const google::protobuf::Message& request, const std::string& request_id,
      google::protobuf::Message& out,
      absl::FunctionRef<absl::Status(db::Tx&, google::protobuf::Message&)> body) {
    return MutateInto(idempotency::FingerprintOf(request), request_id, out, body);
  }
  absl::Status MutateInto(
      const idempotency::Fingerprint& request, const std::string& request_id,
      google::protobuf::Message& out,
      absl::FunctionRef<absl::Status(db::Tx&, google::protobuf::Message&)> body);

  // A write that leaves nothing for retries: no request_id is claimed and
  // the response is not stored (secret ballots, one-time codes). The body
  // must be safe to refuse on a second attempt.
  template <typename T>
  absl::StatusOr<T> WriteOnce(absl::FunctionRef<absl::StatusOr<T>(db::Tx&)> body) {
    if (!principal_.CanWrite()) return principal_.CheckWrite("");
    ASSIGN_OR_RETURN(db::Lease * lease, Lease());
    absl::StatusOr<T> r = db::Collect<T>(
        [&](auto step) { return db::RunTransaction(*lease, scope(), deadline_, step); }, body);
    changed_ = changed_ || r.ok();
    return r;
  }

  // Whether a change of this call committed (its events are then in the
  // change stream: the runtime wakes the streams that follow them).
  bool changed() const { return changed_; }
  // For a call whose change committed, on a service that reads on replicas:
  // the consistency token the caller reads its writes with (the primary's
  // WAL position now, after the commit). Empty otherwise, or if the primary
  // could not tell (the write stands; reads are then as stale as the lag
  // allows).
  std::string ConsistencyToken();
  // Notes that the call committed a change outside Mutate (imports).
  void MarkChanged() { changed_ = true; }

  // Records that this call returns personal `fields` ("resident_id,phone",
  // "notes") of `resource` ("cadres/150902-42") unmasked. The records are
  // written when the handler succeeds, before the answer leaves: a call whose
  // records cannot be written fails (AuditService.ListAccessRecords).
  void RecordAccess(const std::string& county_code, const std::string& resource,
                    const std::string& fields);
  // Writes the recorded accesses (Runtime::Unary calls it).
  absl::Status FlushAccess();

  // Records an audit entry of the running mutation. Entries are written with
  // the mutation's stored answer, in one statement at its end (same
  // transaction); a mutation that fails writes none.
  void Audit(const audit::Entry& entry);

  // The connection leased for this call (acquired on first use, kept until
  // the call ends): for work that spans several steps, such as imports.
  absl::StatusOr<db::Lease*> Lease();

 private:
  friend class StreamMutation;
  // The replica connection this call reads on, chosen at its first read;
  // null: the primary.
  db::Lease* ReplicaLease();
  // A read on the replica failed with `status`: true if the replica was at
  // fault (unreachable, or the read conflicted with its replay) and the
  // call's reads now go to the primary.
  bool ReplicaFailed(const absl::Status& status);

  // Writes the pending audit entries and stores `response` for replay (and,
  // for a client stream, its whole request's fingerprint `stream`):
  // FinishCall is the statement, FinishMutation runs it in `tx`.
  db::Call FinishCall(const std::string& request_id, const google::protobuf::Message& response,
                      const idempotency::Fingerprint* stream = nullptr);
  void FinishMutation(db::Tx& tx, const std::string& request_id,
                      const google::protobuf::Message& response,
                      const idempotency::Fingerprint& stream);

  Runtime& rt_;
  auth::Principal principal_;
  absl::Time deadline_;
  std::string method_;
  std::optional<db::Lease> lease_;
  const bool read_only_;
  db::Lsn token_ = 0;
  bool routed_ = false;  // the first read chose where the call's reads go
  std::optional<db::Lease> replica_;
  std::string pending_audit_;   // JSON objects, comma-separated
  std::string pending_access_;  // likewise
  bool changed_ = false;
};

// A mutation written while its request streams in (a client stream too
// large to hold before writing): one transaction from the first message to
// the last. Begin claims `request_id`, so that a concurrent retry waits on
// it; Finish stores the answer with the whole stream's fingerprint and the
// call's audit entries, or, on a retry of a committed call, compares the
// fingerprints and returns the stored answer. Unlike Mutate it is not run
// again after a serialization failure or a lost connection (its messages
// are gone): the call fails and the caller retries with the same
// request_id. Dropped before Finish, it rolls back.
class StreamMutation {
 public:
  absl::Status Begin(CallContext& call, const std::string& request_id);
  // The open transaction; null before Begin and on a retry of a committed
  // call (read the stream to its end, then Finish).
  db::Tx* tx() { return tx_.get(); }
  // On a retry: the stored answer into `out` if `request` is the earlier
  // call's, else INVALID_ARGUMENT (REQUEST_ID_REUSED). Otherwise stores
  // `out` as the writer left it, with the audit entries, and commits.
  absl::Status Finish(const idempotency::Fingerprint& request, google::protobuf::Message& out);

 private:
  CallContext* call_ = nullptr;
  std::string request_id_;
  std::unique_ptr<pqxx::work> tx_;
  std::optional<idempotency::Earlier> earlier_;
};

// A client-streaming call: messages arrive in order on worker threads; the
// sink may keep state (an open transaction) between them.
template <typename Req, typename Resp>
class StreamSink {
 public:
  virtual ~StreamSink() = default;
  // Returns false to stop reading early (a replayed request_id).
  virtual absl::StatusOr<bool> OnMessage(CallContext& call, const Req& message) = 0;
  virtual absl::StatusOr<Resp> OnFinish(CallContext& call) = 0;
};

// A server-streaming call: the runtime asks for the next message each time
// the last one has been sent (so a slow reader holds one message, never a
// queue), each time on a worker thread with a CallContext of its own.
template <typename Resp>
class StreamSource {
 public:
  enum class Next {
    kMessage,  // `out` is the next message
    kWait,     // nothing yet: ask again when WaitPrefix() changes (or after a poll)
    kEnd,      // the stream is complete
  };
  virtual ~StreamSource() = default;
  virtual absl::StatusOr<Next> Produce(CallContext& call, Resp& out) = 0;
  // The counties ("150902", "1509", "" for all) whose changes wake a
  // waiting source.
  virtual std::string WaitPrefix() const { return ""; }
};

}  // namespace touyan

#endif  // TOUYAN_COMMON_CALL_CALL_CONTEXT_H_
