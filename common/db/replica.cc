#include "common/db/replica.h"

#include <cinttypes>
#include <cstdio>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "common/log/log.h"
#include "common/status/status.h"

namespace touyan::db {

namespace {
bool ParseHex32(absl::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 8) return false;
  uint64_t v = 0;
  for (char c : s) {
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                   : -1;
    if (d < 0) return false;
    v = v * 16 + d;
  }
  *out = v;
  return true;
}
}  // namespace

absl::StatusOr<Lsn> ParseLsn(absl::string_view text) {
  std::pair<absl::string_view, absl::string_view> parts =
      absl::StrSplit(text, absl::MaxSplits('/', 1));
  uint64_t hi = 0, lo = 0;
  if (!ParseHex32(parts.first, &hi) || !ParseHex32(parts.second, &lo)) {
    return absl::InvalidArgumentError(
        "not a consistency token this service gave (expected a WAL position such as 16/B374D848)");
  }
  return (hi << 32) | lo;
}

std::string FormatLsn(Lsn lsn) {
  return absl::StrFormat("%X/%X", static_cast<uint32_t>(lsn >> 32), static_cast<uint32_t>(lsn));
}

const char* ReadRouteName(ReadRoute route) {
  switch (route) {
    case ReadRoute::kReplica:
      return "replica";
    case ReadRoute::kLagging:
      return "lagging";
    case ReadRoute::kBehindToken:
      return "behind_token";
    case ReadRoute::kDown:
      return "down";
    case ReadRoute::kFailed:
      return "failed";
  }
  return "unknown";
}

Statement ReadRouter::StatusStatement() {
  // A primary behind the read URL (no replicas yet) is never behind. A
  // standby whose WAL receiver is not running follows no primary: its lag is
  // unknown (NULL). With nothing left to replay the lag is 0, else the age
  // of the last transaction it replayed.
  return {"touyan_replay_status",
          "SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() "
          "ELSE pg_current_wal_insert_lsn() END::text, "
          "CASE WHEN NOT pg_is_in_recovery() THEN 0::float8 "
          "WHEN NOT EXISTS (SELECT FROM pg_stat_wal_receiver) THEN NULL "
          "WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0::float8 "
          "ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 END"};
}

bool ReadRouter::Skipping() {
  absl::MutexLock l(&mu_);
  return absl::Now() < down_until_;
}

void ReadRouter::Failed() {
  absl::MutexLock l(&mu_);
  down_until_ = absl::Now() + options_.retry_after;
}

bool ReadRouter::Refresh(Lease& lease) {
  ReplayState& state = lease.replay();
  try {
    pqxx::nontransaction n(lease.conn());
    pqxx::row r = n.exec_prepared1("touyan_replay_status");
    absl::StatusOr<Lsn> lsn = r[0].is_null() ? Lsn{0} : ParseLsn(r[0].as<std::string>());
    state.replayed = lsn.ok() ? *lsn : 0;
    state.lag = r[1].is_null() ? absl::InfiniteDuration() : absl::Seconds(r[1].as<double>());
    if (state.lag < absl::ZeroDuration()) state.lag = absl::ZeroDuration();  // clocks apart
    state.checked = absl::Now();
    return true;
  } catch (const std::exception& e) {
    log::Warn("replica unreachable; reads go to the primary", {{"error", e.what()}});
    lease.MarkBroken();
    Failed();
    return false;
  }
}

std::optional<Lease> ReadRouter::Acquire(absl::Time deadline, Lsn token, ReadRoute* route) {
  *route = ReadRoute::kDown;
  if (Skipping()) return std::nullopt;
  absl::StatusOr<Lease> lease = replicas_.Acquire(deadline);
  if (!lease.ok()) {
    if (absl::IsUnavailable(lease.status())) Failed();
    return std::nullopt;
  }
  const ReplayState& state = lease->replay();
  if (token != 0) {
    if (state.replayed >= token) {
      *route = ReadRoute::kReplica;
      return *std::move(lease);
    }
    const absl::Time until = std::min(deadline, absl::Now() + options_.wait);
    absl::Duration pause = absl::Milliseconds(1);
    for (;;) {
      if (!Refresh(*lease)) return std::nullopt;
      if (state.replayed >= token) {
        *route = ReadRoute::kReplica;
        return *std::move(lease);
      }
      if (absl::Now() + pause >= until) break;
      absl::SleepFor(pause);
      pause = std::min(pause * 2, absl::Milliseconds(20));
    }
    *route = ReadRoute::kBehindToken;
    return std::nullopt;
  }
  // The lag can only have grown by the time since it was measured.
  if (state.lag + (absl::Now() - state.checked) > options_.max_lag) {
    if (!Refresh(*lease)) return std::nullopt;
    if (state.lag > options_.max_lag) {
      *route = ReadRoute::kLagging;
      return std::nullopt;
    }
  }
  *route = ReadRoute::kReplica;
  return *std::move(lease);
}

absl::StatusOr<absl::Duration> ReadRouter::Lag(absl::Time deadline) {
  ASSIGN_OR_RETURN(Lease lease, replicas_.Acquire(deadline));
  if (!Refresh(lease)) return absl::UnavailableError("the replica did not answer");
  return lease.replay().lag;
}

}  // namespace touyan::db
