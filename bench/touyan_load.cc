// touyan-load: a closed-loop gRPC load generator for bench/run.
//
//   touyan-load --addr=127.0.0.1:50051 --call=get_cadre --ids=FILE --token=T
//               [--connections=4] [--streams=8] [--duration=5s] [--warmup=1s] [--rps=0]
//
// --call: echo (touyan.bench.v1 Echo), get_cadre (ids from --ids, one per
// line), create_cadre (unique generated cadres in --regions' villages,
// numbered from --first), list_cadres (a page of 50 of a random village of
// --regions: a list-heavy read). --rps paces the whole load (0 = as fast as it
// goes) as an open loop, the way wrk2 does: call k is due at start + k/rps,
// evenly spaced (the pacer sleeps to each due time with a 1 ns timer slack, so
// calls leave one by one, not in bursts); a call that finds no free slot at
// its due time waits for one, and its latency counts from its due time, not
// from when it left — so a server that stalls is charged for the calls it
// held back (no coordinated omission). Prints one line: calls ok errors qps
// p50_us p99_us mean_us (and late: calls that left more than 1 ms after
// their due time), and the error codes seen. Unlike h2load it reads
// grpc-status, so errors are counted.
#include <grpcpp/grpcpp.h>
#include <sys/prctl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <deque>
#include <fstream>
#include <map>
#include <optional>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/config/config.h"
#include "tools/touyanctl/client.h"
#include "tools/touyanctl/records.h"
#include "touyan/bench/v1/echo.grpc.pb.h"

namespace touyan::bench {
namespace {

namespace pv1 = ::touyan::personnel::v1;

struct Options {
  std::string addr, call, token, ids_file, regions_file;
  touyan::TlsConfig tls;  // --ca-file ($TOUYAN_CA_FILE), or --insecure
  int connections = 4, streams = 8;
  int64_t first = 0;
  double rps = 0;
  absl::Duration duration = absl::Seconds(5), warmup = absl::Seconds(1);
};

class Load;

// One in-flight call at a time; reissued when it completes.
struct Slot {
  Load* load;
  int index;
  pv1::PersonnelService::Stub* personnel;
  touyan::bench::v1::EchoService::Stub* echo;
  std::unique_ptr<grpc::ClientContext> ctx;
  touyan::bench::v1::EchoMessage echo_req, echo_resp;
  pv1::GetCadreRequest get_req;
  pv1::CreateCadreRequest create_req;
  pv1::Cadre cadre_resp;
  pv1::ListCadresRequest list_req;
  pv1::ListCadresResponse list_resp;
  absl::Time started;  // or, in the open loop, when the call was due
  int64_t late = 0;    // calls that left more than 1 ms after they were due
  std::vector<uint32_t> latencies_us;
  std::map<int, int64_t> codes;
};

class Load {
 public:
  explicit Load(Options o) : o_(std::move(o)) {}

  int Run() {
    if (o_.call == "get_cadre") {
      std::ifstream in(o_.ids_file);
      for (std::string line; std::getline(in, line);) {
        if (!line.empty()) ids_.push_back(line);
      }
      if (ids_.empty()) return Fail("--ids names no cadre ids");
    } else if (o_.call == "create_cadre" || o_.call == "list_cadres") {
      std::ifstream in(o_.regions_file);
      auto regions = ctl::ReadRegions(in);
      if (!regions.ok()) return Fail("--regions: " + std::string(regions.status().message()));
      for (const auto& r : *regions) {
        if (r.level() == pv1::REGION_LEVEL_VILLAGE) villages_.push_back(r.code());
      }
    } else if (o_.call != "echo") {
      return Fail("--call must be echo, get_cadre, create_cadre or list_cadres");
    }
    for (int c = 0; c < o_.connections; ++c) {
      grpc::ChannelArguments args;
      args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // a connection each
      args.SetInt("touyan.load.channel", c);
      auto ch = grpc::CreateCustomChannel(o_.addr, touyan::ChannelCredentialsFor(o_.tls), args);
      channels_.push_back(ch);
      personnel_.push_back(pv1::PersonnelService::NewStub(ch));
      echo_.push_back(touyan::bench::v1::EchoService::NewStub(ch));
    }
    for (int i = 0; i < o_.connections * o_.streams; ++i) {
      auto s = std::make_unique<Slot>();
      s->load = this;
      s->index = i;
      s->personnel = personnel_[i % o_.connections].get();
      s->echo = echo_[i % o_.connections].get();
      s->echo_req.set_payload(std::string(16, 'x'));
      slots_.push_back(std::move(s));
    }
    start_ = absl::Now();
    measure_from_ = start_ + o_.warmup;
    end_ = measure_from_ + o_.duration;
    std::thread pacer;
    if (o_.rps > 0) pacer = std::thread([this] { Pace(); });
    for (auto& s : slots_) {
      if (o_.rps > 0) {
        Ready(s.get());
      } else {
        Issue(s.get());
      }
    }
    {
      absl::MutexLock l(&mu_);
      mu_.Await(absl::Condition(
          +[](Load* l) { return l->running_ == 0 && l->done_; }, this));
    }
    if (pacer.joinable()) pacer.join();
    absl::SleepFor(absl::Milliseconds(100));  // let the last callbacks return
    Report();
    return 0;
  }

  // `due`: when the call was meant to start (the open loop's schedule);
  // InfinitePast() in the closed loop (it starts now).
  void Issue(Slot* s, absl::Time due = absl::InfinitePast()) {
    {
      absl::MutexLock l(&mu_);
      if (absl::Now() >= end_) {
        done_ = true;
        return;
      }
      ++running_;
    }
    s->ctx = std::make_unique<grpc::ClientContext>();
    s->ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    if (!o_.token.empty()) ctl::Authorize(*s->ctx, o_.token);
    const absl::Time now = absl::Now();
    s->started = due == absl::InfinitePast() ? now : due;
    if (now - s->started > absl::Milliseconds(1) && s->started >= measure_from_) ++s->late;
    auto done = [s](grpc::Status st) { s->load->Done(s, st); };
    if (o_.call == "echo") {
      s->echo->async()->Echo(s->ctx.get(), &s->echo_req, &s->echo_resp, done);
    } else if (o_.call == "get_cadre") {
      s->get_req.set_id(ids_[next_.fetch_add(1) % ids_.size()]);
      s->personnel->async()->GetCadre(s->ctx.get(), &s->get_req, &s->cadre_resp, done);
    } else if (o_.call == "list_cadres") {
      s->list_req.set_region_code(villages_[next_.fetch_add(1) % villages_.size()]);
      s->list_req.set_page_size(50);
      s->personnel->async()->ListCadres(s->ctx.get(), &s->list_req, &s->list_resp, done);
    } else {
      int64_t n = o_.first + next_.fetch_add(1);
      *s->create_req.mutable_cadre() = ctl::GenerateCadres(3, n, 1, villages_)[0];
      s->create_req.set_request_id(absl::StrCat("load-", n));
      s->personnel->async()->CreateCadre(s->ctx.get(), &s->create_req, &s->cadre_resp, done);
    }
  }

  void Done(Slot* s, const grpc::Status& st) {
    absl::Time now = absl::Now();
    if (s->started >= measure_from_ && now <= end_) {
      s->latencies_us.push_back(static_cast<uint32_t>(absl::ToInt64Microseconds(now - s->started)));
      ++s->codes[st.error_code()];
    }
    {
      absl::MutexLock l(&mu_);
      --running_;
    }
    if (o_.rps > 0) {
      Ready(s);
    } else {
      Issue(s);
    }
  }

 private:
  int Fail(const std::string& msg) {
    std::fprintf(stderr, "touyan-load: %s\n", msg.c_str());
    return 2;
  }

  // A free slot takes the oldest call that is due, if any, else waits.
  void Ready(Slot* s) { Pair(s, std::nullopt); }

  // The open loop's meeting point of free slots and due calls: given one
  // (`slot`, or `due` with slot null), it takes the oldest of the other kind
  // waiting and issues the call, or parks the one it was given.
  void Pair(Slot* slot, std::optional<absl::Time> due) {
    {
      absl::MutexLock l(&mu_);
      if (slot == nullptr) {
        if (ready_.empty()) return due_.push_back(*due);
        slot = ready_.front();
        ready_.pop_front();
      } else {
        if (due_.empty()) return ready_.push_back(slot);
        due = due_.front();
        due_.pop_front();
      }
    }
    Issue(slot, *due);
  }

  // The open loop's schedule: call k is due at start + k/rps. Each due call
  // goes out on a free slot, or waits in due_ for the next slot to free.
  void Pace() {
    prctl(PR_SET_TIMERSLACK, 1UL);  // wake at the due time, not up to 50 µs later
    const auto gap = std::chrono::nanoseconds(static_cast<int64_t>(1e9 / o_.rps));
    const auto t0 = std::chrono::steady_clock::now();
    const absl::Time start = absl::Now();
    for (int64_t k = 0;; ++k) {
      const absl::Time due = start + absl::FromChrono(gap * k);
      if (due >= end_) break;
      std::this_thread::sleep_until(t0 + gap * k);
      Pair(nullptr, due);
    }
    absl::MutexLock l(&mu_);
    done_ = true;
  }

  void Report() {
    std::vector<uint32_t> all;
    std::map<int, int64_t> codes;
    int64_t late = 0;
    for (auto& s : slots_) {
      all.insert(all.end(), s->latencies_us.begin(), s->latencies_us.end());
      for (auto [c, n] : s->codes) codes[c] += n;
      late += s->late;
    }
    std::sort(all.begin(), all.end());
    auto pct = [&](double p) {
      return all.empty() ? 0u : all[std::min(all.size() - 1, size_t(p * all.size()))];
    };
    double mean = 0;
    for (auto v : all) mean += v;
    mean = all.empty() ? 0 : mean / all.size();
    int64_t ok = codes[0];
    std::printf("calls=%zu ok=%lld errors=%lld qps=%.0f p50_us=%u p99_us=%u mean_us=%.0f late=%lld",
                all.size(), static_cast<long long>(ok), static_cast<long long>(all.size() - ok),
                all.size() / absl::ToDoubleSeconds(o_.duration), pct(0.50), pct(0.99), mean,
                static_cast<long long>(late));
    for (auto [c, n] : codes) {
      if (c != 0) std::printf(" code%d=%lld", c, static_cast<long long>(n));
    }
    std::printf("\n");
  }

  Options o_;
  std::vector<std::string> ids_, villages_;
  std::vector<std::shared_ptr<grpc::Channel>> channels_;
  std::vector<std::unique_ptr<pv1::PersonnelService::Stub>> personnel_;
  std::vector<std::unique_ptr<touyan::bench::v1::EchoService::Stub>> echo_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::atomic<int64_t> next_{0};
  absl::Time start_, measure_from_, end_;
  absl::Mutex mu_;
  int running_ ABSL_GUARDED_BY(mu_) = 0;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  std::deque<Slot*> ready_ ABSL_GUARDED_BY(mu_);
  std::deque<absl::Time> due_ ABSL_GUARDED_BY(mu_);  // calls due, waiting for a slot
};

int Main(int argc, char** argv) {
  auto s = Settings::FromArgs(argc, argv);
  if (!s.ok())
    return std::fprintf(stderr, "touyan-load: %s\n", std::string(s.status().message()).c_str()), 2;
  Options o;
  o.addr = s->String("addr", "127.0.0.1:50051");
  o.call = s->String("call", "echo");
  o.token = s->String("token", "");
  o.ids_file = s->String("ids", "");
  o.regions_file = s->String("regions", "data/ulanqab_regions.csv");
  auto insecure = s->Bool("insecure", false);
  o.tls.insecure = insecure.ok() && *insecure;
  o.tls.ca_file = s->String("ca-file", s->Get("touyan-ca-file").value_or(""));
  auto conns = s->Int("connections", 4, 1, 64), streams = s->Int("streams", 8, 1, 256);
  auto first = s->Int("first", 0, 0, 1 << 30), rps = s->Int("rps", 0, 0, 10000000);
  auto dur = s->Duration("duration", absl::Seconds(5)),
       warm = s->Duration("warmup", absl::Seconds(1));
  for (const absl::Status& st : {conns.status(), streams.status(), first.status(), rps.status(),
                                 dur.status(), warm.status()}) {
    if (!st.ok())
      return std::fprintf(stderr, "touyan-load: %s\n", std::string(st.message()).c_str()), 2;
  }
  if (auto unused = s->Unused(); !unused.empty()) {
    return std::fprintf(stderr, "touyan-load: unknown flag --%s\n", unused[0].c_str()), 2;
  }
  o.connections = *conns;
  o.streams = *streams;
  o.first = *first;
  o.rps = *rps;
  o.duration = *dur;
  o.warmup = *warm;
  return Load(std::move(o)).Run();
}

}  // namespace
}  // namespace touyan::bench

int main(int argc, char** argv) { return touyan::bench::Main(argc, argv); }
