#include "tools/touyanctl/scenario/session.h"

#include <unistd.h>

#include <cstdio>
#include <exception>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "common/auth/issuer.h"
#include "common/grpc/grpc_status.h"
#include "tools/touyanctl/client.h"

namespace touyan::ctl::scenario {

Session::Session(const Endpoints& e)
    : signer_(e.signer),
      channels_{{"personnel", Connect(e.personnel)},
                {"training", Connect(e.training)},
                {"contest", Connect(e.contest)},
                {"incentive", Connect(e.incentive)}},
      personnel_(pv1::PersonnelService::NewStub(channels_.at("personnel"))),
      training_(tv1::TrainingService::NewStub(channels_.at("training"))),
      contest_(cv1::ContestService::NewStub(channels_.at("contest"))),
      incentive_(iv1::IncentiveService::NewStub(channels_.at("incentive"))) {}

const std::string& Session::Token(auth::Role role, const std::string& scope) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string key = absl::StrCat(auth::RoleName(role), "/", scope);
  auto it = tokens_.find(key);
  if (it != tokens_.end()) return it->second;
  auto p = auth::Principal::Make(absl::StrCat("scenario-", key), role, scope);
  if (!p.ok()) throw Failure(std::string(p.status().message()));
  return tokens_[key] = signer_->Issue(*p, absl::Now(), absl::Hours(12));
}

void Session::Retry(const std::string& what,
                    const std::function<grpc::Status(grpc::ClientContext&)>& attempt,
                    const std::string& token) {
  for (int i = 0;; ++i) {
    grpc::ClientContext ctx;
    Authorize(ctx, token);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(10));
    grpc::Status s = attempt(ctx);
    if (s.ok()) return;
    const auto code = s.error_code();
    const bool transient =
        code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::DEADLINE_EXCEEDED ||
        code == grpc::StatusCode::ABORTED || code == grpc::StatusCode::RESOURCE_EXHAUSTED;
    if (!transient || i == 8) {
      ErrorDetails d = DetailsOf(s);
      throw Failure(
          absl::StrCat(what, ": ", absl::StatusCodeToString(static_cast<absl::StatusCode>(code)),
                       ": ", s.error_message(), d.field.empty() ? "" : " [field " + d.field + "]",
                       d.reason.empty() ? "" : " [reason " + d.reason + "]"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min(3000, 200 << i)));
  }
}

Progress::Progress(std::string stage, int64_t total)
    : stage_(std::move(stage)),
      total_(total),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_),
      tty_(isatty(STDERR_FILENO) != 0) {}

Progress::~Progress() {
  if (!finished_) Done();
}

void Progress::Add(int64_t n) {
  const int64_t done = done_.fetch_add(n) + n;
  std::lock_guard<std::mutex> lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  const int decile = total_ > 0 ? static_cast<int>(done * 10 / total_) : 10;
  if (first_tenth_done_ < 0 && decile >= 1) first_tenth_done_ = done, first_tenth_at_ = now;
  if (ninth_tenth_done_ < 0 && decile >= 9) ninth_tenth_done_ = done, ninth_tenth_at_ = now;
  if (tty_ ? now - last_draw_ < std::chrono::milliseconds(200) : decile == last_decile_) return;
  last_draw_ = now;
  last_decile_ = decile;
  Print(done, false);
}

double Progress::Done() {
  std::lock_guard<std::mutex> lock(mu_);
  finished_ = true;
  Print(done_.load(), true);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::Print(int64_t done, bool final) {
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string line =
      absl::StrFormat("[touyan] %-44s %s/%s", stage_, Grouped(done), Grouped(total_));
  if (total_ > 0) absl::StrAppendFormat(&line, " %3d%%", static_cast<int>(done * 100 / total_));
  if (s > 0.05) absl::StrAppendFormat(&line, "  %.0f/s", done / s);
  if (final) absl::StrAppendFormat(&line, "  %.1f s", s);
  const auto now = std::chrono::steady_clock::now();
  const double first = std::chrono::duration<double>(first_tenth_at_ - start_).count();
  const double last = std::chrono::duration<double>(now - ninth_tenth_at_).count();
  if (final && first_tenth_done_ > 0 && ninth_tenth_done_ >= 0 && done > ninth_tenth_done_ &&
      first > 0 && last > 0) {
    absl::StrAppendFormat(&line, "  (first tenth %s/s, last %s/s)",
                          Grouped(static_cast<int64_t>(first_tenth_done_ / first)),
                          Grouped(static_cast<int64_t>((done - ninth_tenth_done_) / last)));
  }
  if (tty_) {
    std::fprintf(stderr, "\r\033[K%s%s", line.c_str(), final ? "\n" : "");
  } else {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  std::fflush(stderr);
}

void ParallelFor(int64_t n, int threads, Progress* progress,
                 const std::function<void(int64_t)>& fn) {
  std::atomic<int64_t> next{0};
  std::atomic<bool> stop{false};
  std::exception_ptr first;
  std::mutex mu;
  auto work = [&] {
    for (;;) {
      const int64_t i = next.fetch_add(1);
      if (i >= n || stop.load()) return;
      try {
        fn(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mu);
        if (!first) first = std::current_exception();
        stop = true;
        return;
      }
      if (progress != nullptr) progress->Add();
    }
  };
  std::vector<std::thread> pool;
  const int64_t k = std::min<int64_t>(threads, n);
  for (int64_t t = 0; t < k; ++t) pool.emplace_back(work);
  for (auto& t : pool) t.join();
  if (first) std::rethrow_exception(first);
}

cv1::Round AdvanceRound(Session& s, const std::string& round, cv1::RoundState to,
                        const std::string& token, const std::string& rid) {
  cv1::AdvanceRoundRequest a;
  a.set_request_id(absl::StrCat(rid, "-to-", to));
  a.set_id(round);
  a.set_to(to);
  return s.Call(s.contest(), &cv1::ContestService::Stub::AdvanceRound, a, token, "AdvanceRound");
}

int64_t JudgeAndPublish(Session& s, const std::string& round, int judges, const std::string& token,
                        const std::string& rid, const ScoreOf& score) {
  auto advance = [&](cv1::RoundState to) { return AdvanceRound(s, round, to, token, rid); };
  std::vector<std::string> panel;
  for (int j = 0; j < judges; ++j) {
    cv1::AddJudgeRequest a;
    a.set_request_id(absl::StrCat(rid, "-judge-", j));
    a.mutable_judge()->set_round_id(round);
    a.mutable_judge()->set_name(absl::StrCat("评委", j + 1));
    a.mutable_judge()->set_panel("A");
    panel.push_back(
        s.Call(s.contest(), &cv1::ContestService::Stub::AddJudge, a, token, "AddJudge").id());
  }
  const cv1::Round judging = advance(cv1::ROUND_STATE_JUDGING);
  cv1::ListEntriesRequest le;
  le.set_round_id(round);
  std::vector<cv1::SubmitScoresRequest> scores(1);
  scores[0].set_request_id(rid + "-scores");
  scores[0].set_round_id(round);
  for (const auto& e : s.All(s.contest(), &cv1::ContestService::Stub::ListEntries, le,
                             &cv1::ListEntriesResponse::entries, token, "ListEntries")) {
    for (size_t j = 0; j < panel.size(); ++j) {
      for (const auto& d : judging.rubric()) {
        if (scores.back().scores_size() == 1000) scores.emplace_back();
        auto* sc = scores.back().add_scores();
        sc->set_judge_id(panel[j]);
        sc->set_entry_id(e.id());
        sc->set_dimension(d.key());
        sc->set_value(score(e, static_cast<int>(j), d));
      }
    }
  }
  cv1::SubmitScoresResponse stored;
  s.streams().acquire();
  struct Release {
    Session& s;
    ~Release() { s.streams().release(); }
  } release{s};
  s.Retry(
      absl::StrCat("SubmitScores (round ", round, ")"),
      [&](grpc::ClientContext& ctx) {
        auto writer = s.contest().SubmitScores(&ctx, &stored);
        for (const auto& m : scores) {
          if (!writer->Write(m)) break;
        }
        writer->WritesDone();
        return writer->Finish();
      },
      token);
  const cv1::Round closed = advance(cv1::ROUND_STATE_CLOSED);
  for (auto role : {cv1::SIGNER_ROLE_MONITOR, cv1::SIGNER_ROLE_COUNTER}) {
    cv1::SignResultsRequest sr;
    sr.set_request_id(absl::StrCat(rid, "-sign-", role));
    sr.mutable_sign_off()->set_round_id(round);
    sr.mutable_sign_off()->set_role(role);
    sr.mutable_sign_off()->set_name(role == cv1::SIGNER_ROLE_MONITOR ? "监票人" : "计票人");
    sr.mutable_sign_off()->set_digest(closed.results_digest());
    s.Call(s.contest(), &cv1::ContestService::Stub::SignResults, sr, token, "SignResults");
  }
  advance(cv1::ROUND_STATE_PUBLISHED);
  return stored.scores_stored();
}

void SetScheme(Session& s, const std::string& county, int year, const std::string& token,
               const std::string& rid) {
  iv1::SetSchemeRequest ss;
  ss.set_request_id(rid);
  auto* scheme = ss.mutable_scheme();
  scheme->set_county_code(county);
  scheme->set_year(year);
  scheme->mutable_weights()->set_daily_management(30);
  scheme->mutable_weights()->set_contest(20);
  scheme->mutable_weights()->set_stars(10);
  scheme->mutable_weights()->set_annual_review(25);
  scheme->mutable_weights()->set_democratic(15);
  scheme->set_excellent_min(80);
  scheme->set_competent_min(65);
  scheme->set_basic_min(50);
  scheme->set_training_share(20);
  scheme->set_training_theme("乡村振兴");
  scheme->set_quorum_percent(67);
  s.Call(s.incentive(), &iv1::IncentiveService::Stub::SetScheme, ss, token, "SetScheme");
}

int RunScenario(const std::string& name, const std::function<int()>& run) {
  try {
    return run();
  } catch (const Failure& f) {
    std::fprintf(stderr, "\n[touyan] the %s scenario stopped: %s\n", name.c_str(), f.what());
    return 1;
  }
}

std::string Grouped(int64_t n) {
  std::string digits = absl::StrCat(n < 0 ? -n : n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

}  // namespace touyan::ctl::scenario
