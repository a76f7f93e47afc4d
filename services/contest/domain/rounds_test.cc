#include "services/contest/domain/rounds.h"

#include "common/status/status.h"
#include "gtest/gtest.h"

namespace touyan::contest {
namespace {

v1::Round RoundIn(v1::RoundState state) {
  v1::Round r;
  r.set_id("150902-7");
  r.set_state(state);
  r.set_results_digest("abc123");
  return r;
}

// The reason of a refusal ("" when allowed) and the field it names.
std::string Reason(const absl::Status& s) { return s.ok() ? "" : ReasonOf(s); }
std::string Field(const absl::Status& s) { return FieldOf(s).value_or(""); }

TEST(Rounds, TheStateMachineMovesOneStepAtATime) {
  EXPECT_TRUE(CheckTransition(v1::ROUND_STATE_DRAFT, v1::ROUND_STATE_OPEN).ok());
  EXPECT_TRUE(CheckTransition(v1::ROUND_STATE_CLOSED, v1::ROUND_STATE_PUBLISHED).ok());
  EXPECT_EQ(Reason(CheckTransition(v1::ROUND_STATE_OPEN, v1::ROUND_STATE_CLOSED)),
            "BAD_TRANSITION");
  EXPECT_EQ(Reason(CheckTransition(v1::ROUND_STATE_JUDGING, v1::ROUND_STATE_OPEN)),
            "BAD_TRANSITION");
  EXPECT_EQ(CheckTransition(v1::ROUND_STATE_DRAFT, v1::ROUND_STATE_JUDGING).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Reason(CheckTransition(v1::ROUND_STATE_UNSPECIFIED, v1::ROUND_STATE_DRAFT)),
            "BAD_TRANSITION");
  EXPECT_EQ(Reason(CheckTransition(v1::ROUND_STATE_PUBLISHED, static_cast<v1::RoundState>(6))),
            "BAD_TRANSITION");
  EXPECT_EQ(
      Reason(RequireState(v1::ROUND_STATE_OPEN, v1::ROUND_STATE_JUDGING, "scores are accepted")),
      "WRONG_STATE");
  EXPECT_EQ(
      RequireState(v1::ROUND_STATE_OPEN, v1::ROUND_STATE_JUDGING, "scores are accepted").message(),
      "scores are accepted only while the round is ROUND_STATE_JUDGING; it is ROUND_STATE_OPEN");
}

TEST(Rounds, EntriesJudgesAndTheRubricChangeOnlyBeforeTheirTime) {
  for (auto s : {v1::ROUND_STATE_DRAFT, v1::ROUND_STATE_OPEN})
    EXPECT_TRUE(BeforeJudging(RoundIn(s), "x").ok());
  for (auto s : {v1::ROUND_STATE_JUDGING, v1::ROUND_STATE_CLOSED, v1::ROUND_STATE_PUBLISHED}) {
    EXPECT_EQ(Reason(BeforeJudging(RoundIn(s), "judges are added")), "WRONG_STATE");
  }
  EXPECT_TRUE(MayChangeRubric(RoundIn(v1::ROUND_STATE_JUDGING)).ok());
  v1::Round scored = RoundIn(v1::ROUND_STATE_JUDGING);
  scored.set_rubric_locked(true);
  EXPECT_EQ(Reason(MayChangeRubric(scored)), "RUBRIC_LOCKED");
  EXPECT_EQ(Reason(MayChangeRubric(RoundIn(v1::ROUND_STATE_CLOSED))), "RUBRIC_LOCKED");
}

TEST(Rounds, ScoresGoToActiveEntriesOfTheJudgesPanelAndOnceClosedOnlyToReopenedOnes) {
  const std::string a = "A", b = "B";
  const ResourceId j1{"150902", 1}, e1{"150902", 1}, e9{"150902", 9};
  const ScoredEntry on_a{.active = true, .reopened = false, .panel = "A"};
  const ScoredEntry withdrawn{.active = false, .reopened = false, .panel = "A"};
  const ScoredEntry reopened{.active = true, .reopened = true, .panel = "A"};
  const v1::Round judging = RoundIn(v1::ROUND_STATE_JUDGING),
                  closed = RoundIn(v1::ROUND_STATE_CLOSED);

  EXPECT_TRUE(AcceptsScores(judging).ok());
  EXPECT_TRUE(AcceptsScores(closed).ok());
  EXPECT_EQ(Reason(AcceptsScores(RoundIn(v1::ROUND_STATE_OPEN))), "WRONG_STATE");
  EXPECT_EQ(Reason(AcceptsScores(RoundIn(v1::ROUND_STATE_PUBLISHED))), "WRONG_STATE");

  EXPECT_TRUE(MayScore(judging, j1, &a, e1, &on_a).ok());
  absl::Status s = MayScore(judging, j1, nullptr, e1, &on_a);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Field(s), "judge_id");
  s = MayScore(judging, j1, &a, e9, nullptr);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Field(s), "entry_id");
  EXPECT_EQ(MayScore(judging, j1, &a, e1, &withdrawn).code(), absl::StatusCode::kNotFound);
  s = MayScore(judging, j1, &b, e1, &on_a);
  EXPECT_EQ(Reason(s), "NOT_ON_PANEL");
  EXPECT_EQ(Field(s), "judge_id");

  EXPECT_TRUE(MayScore(closed, j1, &a, e1, &reopened).ok());
  for (const ScoredEntry* e : {&on_a, &withdrawn, static_cast<const ScoredEntry*>(nullptr)}) {
    s = MayScore(closed, j1, &a, e1, e);
    EXPECT_EQ(Reason(s), "WRONG_STATE");
    EXPECT_EQ(Field(s), "entry_id");
  }
  EXPECT_EQ(Reason(MayScore(closed, j1, &b, e1, &reopened)), "NOT_ON_PANEL");
}

TEST(Rounds, ResultsAreSignedOnTheCurrentDigestThenPublishedWithBothSignatures) {
  EXPECT_EQ(Reason(HasResults(RoundIn(v1::ROUND_STATE_JUDGING))), "NOT_CLOSED");
  EXPECT_TRUE(HasResults(RoundIn(v1::ROUND_STATE_CLOSED)).ok());
  EXPECT_TRUE(HasResults(RoundIn(v1::ROUND_STATE_PUBLISHED)).ok());

  v1::SignOff sign;
  sign.set_digest("abc123");
  EXPECT_TRUE(CheckSignOff(RoundIn(v1::ROUND_STATE_CLOSED), sign).ok());
  EXPECT_EQ(Reason(CheckSignOff(RoundIn(v1::ROUND_STATE_JUDGING), sign)), "WRONG_STATE");
  sign.set_digest("stale");
  absl::Status s = CheckSignOff(RoundIn(v1::ROUND_STATE_CLOSED), sign);
  EXPECT_EQ(Reason(s), "DIGEST_MISMATCH");
  EXPECT_EQ(Field(s), "digest");

  EXPECT_EQ(Reason(MayPublish(RoundIn(v1::ROUND_STATE_CLOSED), 0)), "NOT_SIGNED");
  EXPECT_EQ(Reason(MayPublish(RoundIn(v1::ROUND_STATE_CLOSED), 1)), "NOT_SIGNED");
  EXPECT_TRUE(MayPublish(RoundIn(v1::ROUND_STATE_CLOSED), 2).ok());
}

TEST(Rounds, AppealsWithinTheWindowDecidedOnceAndRetabulatedOnlyWithAReopenedEntry) {
  v1::Round r = RoundIn(v1::ROUND_STATE_CLOSED);
  const absl::Time closed = absl::FromUnixSeconds(1700000000);
  r.mutable_close_time()->set_seconds(absl::ToUnixSeconds(closed));
  r.set_appeal_window_days(3);
  EXPECT_TRUE(MayAppeal(r, closed + absl::Hours(72)).ok()) << "the last moment of the window";
  EXPECT_EQ(Reason(MayAppeal(r, closed + absl::Hours(72) + absl::Seconds(1))),
            "APPEAL_WINDOW_CLOSED");
  EXPECT_EQ(Reason(MayAppeal(RoundIn(v1::ROUND_STATE_PUBLISHED), closed)), "WRONG_STATE");

  v1::Appeal a;
  a.set_id("150902-3");
  a.set_state(v1::APPEAL_STATE_FILED);
  EXPECT_TRUE(MayDecide(a).ok());
  a.set_state(v1::APPEAL_STATE_UPHELD);
  EXPECT_EQ(Reason(MayDecide(a)), "ALREADY_DECIDED");

  EXPECT_TRUE(MayRetabulate(r, 1).ok());
  EXPECT_EQ(Reason(MayRetabulate(r, 0)), "NOTHING_REOPENED");
  EXPECT_EQ(Reason(MayRetabulate(RoundIn(v1::ROUND_STATE_JUDGING), 1)), "WRONG_STATE");
}

TEST(Rounds, OutcomesStandingsAndPromotionFollowTheRoundsStateLevelAndRegion) {
  const v1::Round published = RoundIn(v1::ROUND_STATE_PUBLISHED);
  EXPECT_TRUE(MayConvertOutcomes(published).ok());
  EXPECT_EQ(Reason(MayConvertOutcomes(RoundIn(v1::ROUND_STATE_CLOSED))), "WRONG_STATE");

  EXPECT_EQ(Reason(HasStandings(RoundIn(v1::ROUND_STATE_OPEN))), "WRONG_STATE");
  EXPECT_TRUE(HasStandings(RoundIn(v1::ROUND_STATE_JUDGING)).ok());

  v1::Entry e;
  e.set_id("150902-11");
  e.set_village_code("150902001201");
  EXPECT_TRUE(WithinRegion(e, "150902").ok());
  EXPECT_TRUE(WithinRegion(e, "150902001").ok());
  EXPECT_EQ(Reason(WithinRegion(e, "150902002")), "OUTSIDE_REGION");
}

}  // namespace
}  // namespace touyan::contest
