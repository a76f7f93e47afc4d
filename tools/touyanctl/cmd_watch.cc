// touyanctl watch SERVICE: follows a service's change stream
// (touyan.events.v1.EventService.WatchEvents), one event per line as JSON.
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/config/config.h"
#include "tools/touyanctl/client.h"
#include "tools/touyanctl/commands.h"
#include "tools/touyanctl/generic.h"
#include "touyan/events/v1/events.grpc.pb.h"

namespace touyan::ctl {

int Watch(const Common& c, const Settings& s, const std::string& service) {
  namespace ev = ::touyan::events::v1;
  if (ServiceNamed(service) == nullptr) {
    return Usage("watch needs a service: personnel, training, contest or incentive");
  }
  ev::WatchEventsRequest req;
  for (absl::string_view t : absl::StrSplit(s.String("type", ""), ',', absl::SkipEmpty())) {
    req.add_types(std::string(t));
  }
  req.set_region_code(s.String("region", ""));
  req.set_resume_token(s.String("from", ""));
  const std::string save = s.String("save-token", "");
  if (!save.empty() && req.resume_token().empty()) {
    std::ifstream in(save);
    std::string token;
    if (in >> token) req.set_resume_token(token);
  }
  auto oldest = s.Bool("from-oldest", false);
  auto count = s.Int("count", 0, 0, 1 << 30);
  auto idle = s.Duration("idle-exit", absl::ZeroDuration());
  if (!oldest.ok()) return Usage(std::string(oldest.status().message()));
  if (!count.ok()) return Usage(std::string(count.status().message()));
  if (!idle.ok()) return Usage(std::string(idle.status().message()));
  req.set_from_oldest(*oldest);
  std::string addr = c.addr;
  if (!s.Get("addr")) {
    if (auto x = s.Get(absl::StrCat("touyan-", service, "-addr"))) addr = *x;
  }
  if (auto unused = s.Unused(); !unused.empty())
    return Usage(absl::StrCat("unknown flag --", unused[0]));

  auto stub = ev::EventService::NewStub(Connect(addr));
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", absl::StrCat("Bearer ", c.token));
  // --idle-exit: stop after that long without an event (heartbeats come
  // every 30 s, so the check runs at least that often).
  auto reader = stub->WatchEvents(&ctx, req);
  ev::WatchEventsResponse msg;
  int seen = 0;
  absl::Time last_event = absl::Now();
  while (reader->Read(&msg)) {
    bool whole = true;  // the token covers the message only if all of it was shown
    for (const auto& e : msg.events()) {
      if (*count > 0 && seen >= *count) {
        whole = false;
        break;
      }
      std::cout << Json(e) << "\n";
      ++seen;
    }
    std::cout.flush();
    if (msg.events_size() > 0) last_event = absl::Now();
    if (whole) std::cerr << "resume_token=" << msg.resume_token() << "\n";
    if (whole && !save.empty()) {
      std::ofstream out(save, std::ios::trunc);
      out << msg.resume_token() << "\n";
    }
    if ((*count > 0 && seen >= *count) ||
        (*idle > absl::ZeroDuration() && absl::Now() - last_event >= *idle)) {
      ctx.TryCancel();
      break;
    }
  }
  grpc::Status status = reader->Finish();
  if (!status.ok() && status.error_code() != grpc::StatusCode::CANCELLED) return FailRpc(status);
  return 0;
}

}  // namespace touyan::ctl
