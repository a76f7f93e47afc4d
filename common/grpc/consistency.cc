#include "common/grpc/consistency.h"

#include "common/db/replica.h"
#include "common/grpc/runtime.h"

namespace touyan {

void ConsistencySession::Saw(absl::string_view token) {
  absl::StatusOr<db::Lsn> lsn = db::ParseLsn(token);
  if (!lsn.ok()) return;
  uint64_t held = newest_.load();
  while (*lsn > held && !newest_.compare_exchange_weak(held, *lsn)) {
  }
}

std::string ConsistencySession::Token() const {
  uint64_t lsn = newest_.load();
  return lsn == 0 ? "" : db::FormatLsn(lsn);
}

namespace {

class SessionInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit SessionInterceptor(std::shared_ptr<ConsistencySession> session)
      : session_(std::move(session)) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      std::string token = session_->Token();
      if (!token.empty()) methods->GetSendInitialMetadata()->emplace(kConsistencyTokenKey, token);
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_STATUS)) {
      if (auto* md = methods->GetRecvTrailingMetadata()) {
        auto it = md->find(kConsistencyTokenKey);
        if (it != md->end()) session_->Saw(absl::string_view(it->second.data(), it->second.size()));
      }
    }
    methods->Proceed();
  }

 private:
  std::shared_ptr<ConsistencySession> session_;
};

class SessionFactory final : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  explicit SessionFactory(std::shared_ptr<ConsistencySession> session)
      : session_(std::move(session)) {}
  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo*) override {
    return new SessionInterceptor(session_);
  }

 private:
  std::shared_ptr<ConsistencySession> session_;
};

}  // namespace

std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>
ConsistencySession::Interceptor(std::shared_ptr<ConsistencySession> session) {
  return std::make_unique<SessionFactory>(std::move(session));
}

}  // namespace touyan
