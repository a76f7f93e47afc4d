// What the scenarios stand on: stubs of the four services, tokens minted
// for each role they act as, calls that retry transient failures with the
// same request (so the same request id: idempotent), many calls in
// parallel, and a progress line for each stage.
#ifndef TOUYAN_TOOLS_TOUYANCTL_SCENARIO_SESSION_H_
#define TOUYAN_TOOLS_TOUYANCTL_SCENARIO_SESSION_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <semaphore>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/auth/issuer.h"
#include "common/auth/principal.h"
#include "touyan/contest/v1/contest.grpc.pb.h"
#include "touyan/incentive/v1/incentive.grpc.pb.h"
#include "touyan/personnel/v1/personnel.grpc.pb.h"
#include "touyan/training/v1/training.grpc.pb.h"

namespace touyan::ctl::scenario {

namespace pv1 = ::touyan::personnel::v1;
namespace tv1 = ::touyan::training::v1;
namespace cv1 = ::touyan::contest::v1;
namespace iv1 = ::touyan::incentive::v1;

// A call the scenario cannot go on without failed: what, and the server's
// code, message, field and reason.
class Failure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Endpoints {
  std::string personnel, training, contest, incentive;
  // The development issuer's key: the scenario signs the tokens of the
  // city, the counties and the townships it acts as.
  std::shared_ptr<const auth::TokenSigner> signer;
};

class Session {
 public:
  explicit Session(const Endpoints& e);

  // A token of `role` for `scope` (12 digits), minted once.
  const std::string& Token(auth::Role role, const std::string& scope);

  template <typename Stub, typename Req, typename Resp>
  Resp Call(Stub& stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
            const Req& req, const std::string& token, const std::string& what) {
    Resp out;
    Retry(
        what, [&](grpc::ClientContext& ctx) { return (stub.*method)(&ctx, req, &out); }, token);
    return out;
  }

  // Every item of a paged list (1,000 a page), page after page:
  // s.All(s.personnel(), &Stub::ListCadres, request, &ListCadresResponse::cadres, token,
  // "ListCadres").
  template <typename Stub, typename Req, typename Resp, typename Item>
  std::vector<Item> All(Stub& stub,
                        grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                        Req req,
                        const google::protobuf::RepeatedPtrField<Item>& (Resp::*items)() const,
                        const std::string& token, const std::string& what) {
    std::vector<Item> out;
    req.set_page_size(1000);
    for (;;) {
      Resp page = Call(stub, method, req, token, what);
      out.insert(out.end(), (page.*items)().begin(), (page.*items)().end());
      if (page.next_page_token().empty()) return out;
      req.set_page_token(page.next_page_token());
    }
  }

  // Runs `attempt` (a call on a fresh context carrying `token`) until it
  // succeeds: UNAVAILABLE, DEADLINE_EXCEEDED, ABORTED and RESOURCE_EXHAUSTED
  // ("retry later") are retried up to 8 times, backing off to 3 s; anything else,
  // or the last failure, throws a Failure naming `what`.
  void Retry(const std::string& what,
             const std::function<grpc::Status(grpc::ClientContext&)>& attempt,
             const std::string& token);

  // Client streams in flight are held to what a server takes at once (its
  // --stream-slots, 2 by default); more are refused RESOURCE_EXHAUSTED.
  std::counting_semaphore<64>& streams() { return streams_; }

  pv1::PersonnelService::Stub& personnel() { return *personnel_; }
  tv1::TrainingService::Stub& training() { return *training_; }
  cv1::ContestService::Stub& contest() { return *contest_; }
  iv1::IncentiveService::Stub& incentive() { return *incentive_; }
  // The channel of a service by its short name ("personnel"), for calls
  // built from descriptors.
  grpc::Channel& channel(const std::string& service) { return *channels_.at(service); }

 private:
  std::shared_ptr<const auth::TokenSigner> signer_;
  std::counting_semaphore<64> streams_{2};
  std::mutex mu_;
  std::map<std::string, std::string> tokens_;
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels_;
  std::unique_ptr<pv1::PersonnelService::Stub> personnel_;
  std::unique_ptr<tv1::TrainingService::Stub> training_;
  std::unique_ptr<cv1::ContestService::Stub> contest_;
  std::unique_ptr<iv1::IncentiveService::Stub> incentive_;
};

// One stage's progress on stderr: "[touyan] training: enrolments  12,345/45,100  27%  812/s",
// redrawn in place on a terminal, every 10 % as lines otherwise. The final
// line adds the rates of the first and the last tenth, so a stage that
// slows as the data grows shows it ("first tenth 11,020/s, last 3,950/s").
class Progress {
 public:
  Progress(std::string stage, int64_t total);
  ~Progress();
  void Add(int64_t n = 1);
  // The final line with the elapsed time; returns the seconds.
  double Done();

 private:
  void Print(int64_t done, bool final);
  std::string stage_;
  int64_t total_;
  std::atomic<int64_t> done_{0};
  std::mutex mu_;
  int last_decile_ = -1;
  std::chrono::steady_clock::time_point start_, last_draw_;
  // When the first tenth was done, and the ninth, with the count then.
  std::chrono::steady_clock::time_point first_tenth_at_, ninth_tenth_at_;
  int64_t first_tenth_done_ = -1, ninth_tenth_done_ = -1;
  bool tty_, finished_ = false;
};

// fn(0 … n-1) on `threads` threads, each index once, counting in `progress`.
// The first exception stops the others and is rethrown.
void ParallelFor(int64_t n, int threads, Progress* progress,
                 const std::function<void(int64_t)>& fn);

// A contest round moved to `to`, with request id `rid`-to-<state>.
cv1::Round AdvanceRound(Session& s, const std::string& round, cv1::RoundState to,
                        const std::string& token, const std::string& rid);

// An OPEN contest round (its entries on panel "A") judged to the end:
// `judges` judges on panel A ("评委1", …), JUDGING, every score —
// score(entry, judge number, dimension) — in one stream, closed, its digest
// signed by vote monitor and counter, published. Request ids start with
// `rid`. Returns the scores stored.
using ScoreOf = std::function<double(const cv1::Entry&, int judge, const cv1::Dimension&)>;
int64_t JudgeAndPublish(Session& s, const std::string& round, int judges, const std::string& token,
                        const std::string& rid, const ScoreOf& score);

// The scenarios' assessment scheme for a county (6 digits) and year, set
// with request id `rid`: weights 30/20/10/25/15 (daily management, contest,
// stars, annual review, democratic), bands 80/65/50, a fifth of daily
// management from training on 乡村振兴, quorum 67 %.
void SetScheme(Session& s, const std::string& county, int year, const std::string& token,
               const std::string& rid);

// Runs a scenario: its exit code, or 1 with the failure that stopped it.
int RunScenario(const std::string& name, const std::function<int()>& run);

// "1,234,567"
std::string Grouped(int64_t n);

}  // namespace touyan::ctl::scenario

#endif  // TOUYAN_TOOLS_TOUYANCTL_SCENARIO_SESSION_H_
