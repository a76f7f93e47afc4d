// touyan.events.v1.EventService: the change stream of the service it runs
// in, served by every Touyan server on its API port (Server registers it).
// The events are the audit trail's rows (the outbox, written with each
// change), read by county and sequence; common/grpc/event_hub.h wakes the
// streams when something commits.
#ifndef TOUYAN_COMMON_GRPC_EVENT_SERVICE_H_
#define TOUYAN_COMMON_GRPC_EVENT_SERVICE_H_

#include <vector>

#include "common/db/pool.h"
#include "common/grpc/runtime.h"
#include "touyan/events/v1/events.grpc.pb.h"

namespace touyan {

class EventService final : public events::v1::EventService::CallbackService {
 public:
  // Events older than `retention` are not served (a token that needs them
  // is RESUME_TOKEN_EXPIRED).
  EventService(Runtime& rt, absl::Duration retention) : rt_(rt), retention_(retention) {}

  grpc::ServerWriteReactor<events::v1::WatchEventsResponse>* WatchEvents(
      grpc::CallbackServerContext* ctx, const events::v1::WatchEventsRequest* req) override;

  // The statements the stream prepares on every connection.
  static std::vector<db::Statement> Statements();

 private:
  Runtime& rt_;
  absl::Duration retention_;
};

}  // namespace touyan

#endif  // TOUYAN_COMMON_GRPC_EVENT_SERVICE_H_
