#include "common/call/call_context.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/grpc/runtime.h"
#include "common/idempotency/idempotency.h"
#include "common/log/log.h"
#include "common/log/trace.h"

namespace touyan {

bool IsReadOnlyMethod(absl::string_view method) {
  for (absl::string_view verb :
       {"Get", "List", "Search", "BatchGet", "Export", "Print", "Watch", "Verify", "Count"}) {
    if (absl::StartsWith(method, verb) && method.size() > verb.size() &&
        absl::ascii_isupper(method[verb.size()])) {
      return true;
    }
  }
  return false;
}

const Clock& CallContext::clock() const { return rt_.clock(); }
const paging::Pager& CallContext::pager() const { return rt_.pager(); }
Metrics& CallContext::metrics() { return rt_.metrics(); }
const crypto::Keyring* CallContext::keys() const { return rt_.keys(); }

db::Scope CallContext::scope() const {
  std::string prefix = principal_.RlsCountyPrefix();
  return db::Scope{prefix.empty() ? "*" : prefix, principal_.CanWrite()};
}

absl::StatusOr<db::Lease*> CallContext::Lease() {
  if (!lease_) {
    ASSIGN_OR_RETURN(db::Lease l, rt_.pool().Acquire(deadline_));
    lease_.emplace(std::move(l));
  }
  return &*lease_;
}

db::Lease* CallContext::ReplicaLease() {
  if (!routed_) {
    routed_ = true;
    if (db::ReadRouter* reads = rt_.reads(); reads != nullptr && read_only_) {
      db::ReadRoute route;
      std::optional<db::Lease> lease = reads->Acquire(deadline_, token_, &route);
      if (lease) replica_.emplace(std::move(*lease));
      rt_.metrics().CountRead(db::ReadRouteName(route));
    }
  }
  return replica_ ? &*replica_ : nullptr;
}

bool CallContext::ReplicaFailed(const absl::Status& status) {
  if (!absl::IsUnavailable(status) && !absl::IsAborted(status)) return false;
  // Unreachable: skipped a while. Aborted: the read was cancelled for
  // conflicting with the replica's replay; the replica itself is fine.
  if (absl::IsUnavailable(status)) rt_.reads()->Failed();
  log::Warn("a read failed on the replica; running it on the primary",
            {{"method", method_}, {"error", std::string(status.message())}});
  rt_.metrics().CountRead(db::ReadRouteName(db::ReadRoute::kFailed));
  replica_.reset();
  return true;
}

std::string CallContext::ConsistencyToken() {
  if (!changed_ || rt_.reads() == nullptr) return "";
  absl::StatusOr<db::Lease*> lease = Lease();
  if (!lease.ok()) return "";
  try {
    pqxx::nontransaction n((*lease)->conn());
    return n.exec_prepared1("touyan_wal_position")[0].as<std::string>();
  } catch (const std::exception& e) {
    log::Warn("no consistency token: the primary did not tell its WAL position",
              {{"method", method_}, {"error", e.what()}});
    return "";
  }
}

void CallContext::Audit(const audit::Entry& e) {
  if (!pending_audit_.empty()) pending_audit_ += ",";
  absl::StrAppend(&pending_audit_, R"({"county_code":")", log::JsonEscape(e.county_code),
                  R"(","resource":")", log::JsonEscape(e.resource), R"(","before":)",
                  e.before ? audit::MaskedJson(*e.before) : "null", R"(,"after":)",
                  e.after ? audit::MaskedJson(*e.after) : "null", "}");
}

void CallContext::RecordAccess(const std::string& county_code, const std::string& resource,
                               const std::string& fields) {
  if (!pending_access_.empty()) pending_access_ += ",";
  absl::StrAppend(&pending_access_, R"({"county_code":")", log::JsonEscape(county_code),
                  R"(","subject":")", log::JsonEscape(principal_.subject), R"(","role":")",
                  auth::RoleName(principal_.role), R"(","method":")", log::JsonEscape(method_),
                  R"(","resource":")", log::JsonEscape(resource), R"(","fields":")",
                  log::JsonEscape(fields), R"(","trace_id":")",
                  log::JsonEscape(log::CurrentTrace().trace_id), "\"}");
}

absl::Status CallContext::FlushAccess() {
  if (pending_access_.empty()) return absl::OkStatus();
  const std::string items = std::move(pending_access_);
  pending_access_.clear();
  const db::Scope s = scope();
  // Run by whichever call leads, on its own connection, with the records of
  // every call in the same scope (the access_log policy checks the scope of
  // the connection that writes) queued meanwhile.
  auto write_all = [&](const std::string& records) -> absl::Status {
    ASSIGN_OR_RETURN(db::Lease * lease, Lease());
    auto write = [&](db::Tx& tx) -> absl::Status {
      tx.exec_prepared("touyan_access_record", records);
      return absl::OkStatus();
    };
    // One autocommit statement, one round trip; behind a transaction
    // pooler, where reads run READ ONLY, a transaction of its own.
    if (lease->options().transaction_pooling)
      return db::RunTransaction(*lease, s, deadline_, write);
    return db::RunRead(*lease, s, deadline_, write);
  };
  return rt_.access_writes().Write(s.county_prefix, items, write_all);
}

absl::Status CallContext::MutateInto(
    const idempotency::Fingerprint& request, const std::string& request_id,
    google::protobuf::Message& out,
    absl::FunctionRef<absl::Status(db::Tx&, google::protobuf::Message&)> body) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(request_id));
  if (!principal_.CanWrite()) return principal_.CheckWrite("");
  ASSIGN_OR_RETURN(db::Lease * lease, Lease());
  // Three round trips where they would be five: BEGIN with the claim, the
  // body's statements, the audit rows and stored answer with COMMIT.
  bool replayed = false;
  absl::Status s = db::RunPipelined(
      *lease, scope(), deadline_,
      idempotency::ClaimCall(scope(), request_id, principal_.subject, method_, request),
      [&](db::Tx& tx, int64_t claim_rows) -> absl::Status {
        ASSIGN_OR_RETURN(std::optional<std::string> replay,
                         idempotency::Claimed(tx, claim_rows, request_id, principal_.subject,
                                              method_, request, keys()));
        replayed = replay.has_value();
        if (replay) {
          out.Clear();
          if (!out.ParseFromString(*replay))
            return absl::InternalError("stored response is corrupt");
          return absl::OkStatus();
        }
        pending_audit_.clear();  // a retried transaction starts afresh
        return body(tx, out);
      },
      [&]() -> std::optional<db::Call> {
        if (replayed) return std::nullopt;
        return FinishCall(request_id, out);
      });
  changed_ = changed_ || s.ok();
  return s;
}

db::Call CallContext::FinishCall(const std::string& request_id,
                                 const google::protobuf::Message& response,
                                 const idempotency::Fingerprint* stream) {
  db::Call finish{"touyan_finish_mutation",
                  "",
                  {{principal_.subject},
                   {std::string(auth::RoleName(principal_.role))},
                   {method_},
                   {request_id},
                   {"[" + pending_audit_ + "]"},
                   {idempotency::Stored(request_id, response, keys()), true},
                   {log::CurrentTrace().trace_id},
                   {stream ? std::optional<std::string>(stream->sha256) : std::nullopt, true}}};
  pending_audit_.clear();
  return finish;
}

void CallContext::FinishMutation(db::Tx& tx, const std::string& request_id,
                                 const google::protobuf::Message& response,
                                 const idempotency::Fingerprint& stream) {
  const db::Call finish = FinishCall(request_id, response, &stream);
  tx.exec_prepared(finish.name, *finish.params[0].value, *finish.params[1].value,
                   *finish.params[2].value, *finish.params[3].value, *finish.params[4].value,
                   pqxx::binarystring(*finish.params[5].value), *finish.params[6].value,
                   pqxx::binarystring(*finish.params[7].value));
}

absl::Status StreamMutation::Begin(CallContext& call, const std::string& request_id) {
  RETURN_IF_ERROR(idempotency::ValidateRequestId(request_id));
  if (!call.principal().CanWrite()) return call.principal().CheckWrite("");
  call_ = &call;
  request_id_ = request_id;
  ASSIGN_OR_RETURN(db::Lease * lease, call.Lease());
  db::ApplySession(*lease, call.scope(), call.deadline());
  tx_ = std::make_unique<pqxx::work>(lease->conn());
  db::ApplyLocal(*lease, call.scope(), call.deadline(), *tx_);
  call.pending_audit_.clear();
  ASSIGN_OR_RETURN(
      earlier_, idempotency::ClaimStream(*tx_, call.scope(), request_id, call.principal().subject,
                                         call.method(), call.keys()));
  // A retry has nothing to write: no transaction open while it streams.
  if (earlier_) tx_.reset();
  return absl::OkStatus();
}

absl::Status StreamMutation::Finish(const idempotency::Fingerprint& request,
                                    google::protobuf::Message& out) {
  if (earlier_) {
    ASSIGN_OR_RETURN(std::string stored, idempotency::Replay(*earlier_, request));
    out.Clear();
    if (!out.ParseFromString(stored)) return absl::InternalError("stored response is corrupt");
    return absl::OkStatus();
  }
  call_->FinishMutation(*tx_, request_id_, out, request);
  tx_->commit();
  tx_.reset();
  call_->changed_ = true;
  return absl::OkStatus();
}

}  // namespace touyan
