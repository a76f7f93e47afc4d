#include "common/grpc/event_service.h"

#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/grpc/handlers.h"
#include "google/protobuf/util/time_util.h"

namespace touyan {
namespace {

using events::v1::Event;
using events::v1::WatchEventsRequest;
using events::v1::WatchEventsResponse;
using google::protobuf::util::TimeUtil;

constexpr int kPerCounty = 100;            // rows read per county and step
constexpr size_t kMessageBytes = 1 << 20;  // a message stops growing past 1 MiB
constexpr absl::Duration kHeartbeat = absl::Seconds(30);
constexpr int kMaxTypes = 32;

// Each county's last sequence delivered, as an opaque token:
// base64url("v1;150902:12,150903:5").
using Positions = std::map<std::string, int64_t>;

std::string TokenOf(const Positions& p) {
  std::string body = "v1;";
  for (const auto& [county, seq] : p) {
    if (body.size() > 3) body += ",";
    absl::StrAppend(&body, county, ":", seq);
  }
  return absl::WebSafeBase64Escape(body);
}

absl::StatusOr<Positions> ParseToken(const std::string& token) {
  auto bad = [] {
    return InvalidField("resume_token", "is not a token from this stream", "BAD_RESUME_TOKEN");
  };
  std::string body;
  if (!absl::WebSafeBase64Unescape(token, &body) || !absl::StartsWith(body, "v1;")) return bad();
  Positions p;
  for (absl::string_view part : absl::StrSplit(body.substr(3), ',', absl::SkipEmpty())) {
    std::pair<std::string, std::string> kv = absl::StrSplit(part, absl::MaxSplits(':', 1));
    int64_t seq = 0;
    if (kv.first.size() != 6 ||
        !std::all_of(kv.first.begin(), kv.first.end(), absl::ascii_isdigit) ||
        !absl::SimpleAtoi(kv.second, &seq) || seq < 0) {
      return bad();
    }
    p[kv.first] = seq;
  }
  return p;
}

std::string PositionsJson(const Positions& p) {
  std::string out = "{";
  for (const auto& [county, seq] : p) {
    if (out.size() > 1) out += ",";
    absl::StrAppend(&out, "\"", county, "\":", seq);
  }
  return out + "}";
}

absl::Status RequireWatcher(const Principal& p) {
  if (p.role == auth::Role::kTownshipOperator) {
    return WithReason(
        absl::PermissionDeniedError("the change stream is by county; a township operator reads its "
                                    "township through the lists"),
        "ROLE_NOT_ALLOWED");
  }
  return absl::OkStatus();
}

class EventSource final : public StreamSource<WatchEventsResponse> {
 public:
  EventSource(std::string prefix, std::set<std::string> types, Positions from,
              absl::Duration retention)
      : prefix_(std::move(prefix)),
        types_(std::move(types)),
        positions_(std::move(from)),
        retention_(retention) {}

  std::string WaitPrefix() const override { return prefix_; }

  absl::StatusOr<Next> Produce(CallContext& call, WatchEventsResponse& out) override {
    size_t bytes = 0;
    bool more = true;
    for (int round = 0; more && round < 10 && bytes < kMessageBytes; ++round) {
      ASSIGN_OR_RETURN(pqxx::result rows, call.Read<pqxx::result>([&](db::Tx& tx) {
        return tx.exec_prepared("touyan_events_next", prefix_, PositionsJson(positions_),
                                absl::ToDoubleSeconds(retention_), kPerCounty);
      }));
      more = false;
      std::map<std::string, int> per_county;
      for (const auto& row : rows) {
        const std::string county = row[0].as<std::string>();
        const int64_t seq = row[1].as<int64_t>();
        more = more || ++per_county[county] == kPerCounty;
        auto at = positions_.find(county);
        if (at != positions_.end() && seq != at->second + 1) {
          return WithReason(
              absl::FailedPreconditionError(absl::StrCat(
                  "the events after resume_token in county ", county,
                  " are no longer kept (--event-retention): read the current state with the "
                  "lists, then watch from now")),
              "RESUME_TOKEN_EXPIRED");
        }
        if (bytes >= kMessageBytes) {  // the rest in the next message
          more = true;
          break;
        }
        positions_[county] = seq;
        const std::string resource = row[4].as<std::string>();
        const std::string type = resource.substr(0, resource.find('/'));
        if (!types_.empty() && !types_.count(type)) continue;
        Event& e = *out.add_events();
        e.set_county_code(county);
        e.set_sequence(seq);
        *e.mutable_time() = TimeUtil::MicrosecondsToTimestamp(row[2].as<int64_t>());
        e.set_type(type);
        e.set_resource(resource);
        e.set_method(row[3].as<std::string>());
        e.set_state_json(row[5].as<std::string>());
        e.set_trace_id(row[6].as<std::string>());
        bytes += e.ByteSizeLong();
      }
    }
    const absl::Time now = absl::Now();
    // The first message goes at once (it carries the starting token); later
    // ones when they hold events, and a heartbeat when idle.
    if (out.events_size() > 0 || first_ || now - last_sent_ >= kHeartbeat) {
      out.set_resume_token(TokenOf(positions_));
      first_ = false;
      last_sent_ = now;
      return Next::kMessage;
    }
    return Next::kWait;
  }

 private:
  const std::string prefix_;
  const std::set<std::string> types_;
  Positions positions_;
  const absl::Duration retention_;
  bool first_ = true;
  absl::Time last_sent_ = absl::InfinitePast();
};

absl::StatusOr<std::unique_ptr<StreamSource<WatchEventsResponse>>> Open(CallContext& call,
                                                                        const WatchEventsRequest& r,
                                                                        absl::Duration retention) {
  const Principal& p = call.principal();
  RETURN_IF_ERROR(RequireWatcher(p));
  ASSIGN_OR_RETURN(std::string prefix, ListPrefix(p, r.region_code(), "region_code"));
  if (prefix.size() > 6) {
    return InvalidField("region_code", "must be a city or a county: the stream is by county",
                        "BAD_REGION_CODE");
  }
  if (r.types_size() > kMaxTypes) {
    return InvalidField("types", absl::StrCat("may name at most ", kMaxTypes, " collections"));
  }
  std::set<std::string> types;
  for (int i = 0; i < r.types_size(); ++i) {
    const std::string& t = r.types(i);
    if (t.empty() || t.size() > 64 || !std::all_of(t.begin(), t.end(), [](char c) {
          return absl::ascii_isalnum(c) || c == '-' || c == '_';
        })) {
      return InvalidField(absl::StrCat("types[", i, "]"),
                          "must be a collection name such as \"cadres\"");
    }
    types.insert(t);
  }
  Positions from;
  if (!r.resume_token().empty()) {
    if (r.from_oldest()) {
      return InvalidField("from_oldest", "cannot be set with resume_token: the token says where");
    }
    ASSIGN_OR_RETURN(Positions all, ParseToken(r.resume_token()));
    for (auto& [county, seq] : all) {
      if (absl::StartsWith(county, prefix)) from[county] = seq;
    }
  } else if (!r.from_oldest()) {  // from now: each county's head
    ASSIGN_OR_RETURN(pqxx::result heads, call.Read<pqxx::result>([&](db::Tx& tx) {
      return tx.exec_prepared("touyan_events_heads", prefix);
    }));
    for (const auto& row : heads) from[row[0].as<std::string>()] = row[1].as<int64_t>();
  }
  return std::make_unique<EventSource>(prefix, std::move(types), std::move(from), retention);
}

}  // namespace

std::vector<db::Statement> EventService::Statements() {
  return {
      {"touyan_events_heads",
       "SELECT county_code, seq FROM audit_chain WHERE starts_with(county_code, $1)"},
      // Each county's next events after its position ($2: {"150902": 12}),
      // in sequence order, kept no longer than $3 seconds, $4 at most per
      // county — by the (county_code, seq) index of each month.
      {"touyan_events_next",
       "SELECT a.county_code, a.seq, (extract(epoch FROM a.at) * 1000000)::bigint, a.method, "
       "a.resource, coalesce(a.after::text, ''), coalesce(a.trace_id, '') FROM audit_chain c CROSS "
       "JOIN LATERAL ("
       "SELECT * FROM audit_log a WHERE a.county_code = c.county_code "
       "AND a.seq > coalesce(($2::jsonb ->> c.county_code)::bigint, 0) "
       "AND a.at >= now() - make_interval(secs => $3) ORDER BY a.seq LIMIT $4) a "
       "WHERE starts_with(c.county_code, $1) ORDER BY a.county_code, a.seq"},
  };
}

grpc::ServerWriteReactor<WatchEventsResponse>* EventService::WatchEvents(
    grpc::CallbackServerContext* ctx, const WatchEventsRequest* req) {
  return rt_.ServerStream<WatchEventsRequest, WatchEventsResponse>(
      ctx, req, "WatchEvents",
      [this](CallContext& call, const WatchEventsRequest& r) { return Open(call, r, retention_); });
}

}  // namespace touyan
