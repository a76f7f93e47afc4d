#include "common/db/group_write.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"

namespace touyan::db {
namespace {

TEST(GroupWriteTest, ALoneCallWritesItsOwnItems) {
  GroupWrite g;
  std::string got;
  absl::Status s = g.Write("150902", R"({"a":1},{"b":2})", [&](const std::string& array) {
    got = array;
    return absl::OkStatus();
  });
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(got, R"([{"a":1},{"b":2}])");
  EXPECT_EQ(g.writes(), 1);
  EXPECT_EQ(g.calls(), 1);
}

// Calls that arrive while a write of their key runs are written together,
// by one of them, each item once; each call returns its own batch's status.
TEST(GroupWriteTest, CallsArrivingDuringAWriteShareTheNext) {
  GroupWrite g;
  absl::Notification leader_in, release;
  std::mutex mu;
  std::vector<std::string> arrays;
  auto write = [&](const std::string& array) {
    {
      std::lock_guard<std::mutex> l(mu);
      arrays.push_back(array);
    }
    if (array == "[1]") {
      leader_in.Notify();
      release.WaitForNotification();
      return absl::UnavailableError("the first write fails");
    }
    return absl::OkStatus();
  };
  absl::Status first;
  std::thread leader([&] { first = g.Write("k", "1", write); });
  leader_in.WaitForNotification();
  constexpr int kFollowers = 8;
  std::vector<absl::Status> statuses(kFollowers);
  std::vector<std::thread> followers;
  for (int i = 0; i < kFollowers; ++i) {
    followers.emplace_back([&, i] { statuses[i] = g.Write("k", std::to_string(100 + i), write); });
  }
  // Another key never joins (its scope differs) and does not wait.
  EXPECT_TRUE(g.Write("other", "7", write).ok());
  absl::SleepFor(absl::Milliseconds(200));  // the followers queue behind the leader
  release.Notify();
  leader.join();
  for (auto& t : followers) t.join();

  EXPECT_TRUE(absl::IsUnavailable(first)) << "the leader's batch failed";
  for (const absl::Status& s : statuses) EXPECT_TRUE(s.ok()) << "their batch is not the failed one";
  std::map<std::string, int> seen;
  for (const std::string& a : arrays) {
    std::string inner = a.substr(1, a.size() - 2);
    size_t start = 0;
    for (size_t comma; (comma = inner.find(',', start)) != std::string::npos; start = comma + 1)
      ++seen[inner.substr(start, comma - start)];
    ++seen[inner.substr(start)];
  }
  EXPECT_EQ(seen.size(), kFollowers + 2u);
  for (const auto& [item, n] : seen) EXPECT_EQ(n, 1) << item;
  EXPECT_EQ(g.calls(), kFollowers + 2);
  EXPECT_EQ(g.writes(), 3) << "the leader's, the followers' together, the other key's";
}

// Each call that joined a run gets the output of its own input, a key asked
// twice gets its value twice, and a run that returns too few outputs fails
// its calls instead of misrouting.
TEST(GroupTest, EachCallTakesTheOutputOfItsOwnInput) {
  Group<int, std::optional<std::string>> g;
  absl::Notification leader_in, release;
  std::mutex mu;
  std::vector<std::vector<int>> runs;
  auto read =
      [&](const std::vector<int>& ins) -> absl::StatusOr<std::vector<std::optional<std::string>>> {
    {
      std::lock_guard<std::mutex> l(mu);
      runs.push_back(ins);
    }
    if (ins == std::vector<int>{0}) {
      leader_in.Notify();
      release.WaitForNotification();
    }
    std::vector<std::optional<std::string>> out;
    for (int i : ins) {
      if (i % 3 != 0 || i == 0)
        out.push_back("v" + std::to_string(i));
      else
        out.push_back(std::nullopt);  // not found
    }
    return out;
  };
  absl::StatusOr<std::optional<std::string>> first;
  std::thread leader([&] { first = g.Join("k", 0, read); });
  leader_in.WaitForNotification();
  constexpr int kFollowers = 9;
  std::vector<absl::StatusOr<std::optional<std::string>>> got(kFollowers);
  std::vector<std::thread> followers;
  for (int i = 0; i < kFollowers; ++i) {
    const int key = i == kFollowers - 1 ? 1 : i + 1;  // the last asks for 1 again
    followers.emplace_back([&, i, key] { got[i] = g.Join("k", key, read); });
  }
  absl::SleepFor(absl::Milliseconds(200));  // the followers queue behind the leader
  release.Notify();
  leader.join();
  for (auto& t : followers) t.join();

  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, "v0");
  for (int i = 0; i < kFollowers; ++i) {
    const int key = i == kFollowers - 1 ? 1 : i + 1;
    ASSERT_TRUE(got[i].ok()) << got[i].status();
    if (key % 3 == 0) {
      EXPECT_EQ(*got[i], std::nullopt) << key;
    } else {
      EXPECT_EQ(*got[i], "v" + std::to_string(key)) << key;
    }
  }
  ASSERT_EQ(runs.size(), 2u) << "the leader's run, then the followers' together";
  EXPECT_EQ(runs[1].size(), size_t{kFollowers});
  EXPECT_EQ(g.runs(), 2);
  EXPECT_EQ(g.calls(), kFollowers + 1);

  auto short_run =
      [](const std::vector<int>&) -> absl::StatusOr<std::vector<std::optional<std::string>>> {
    return std::vector<std::optional<std::string>>{};
  };
  EXPECT_TRUE(absl::IsInternal(g.Join("k", 5, short_run).status()));
}

}  // namespace
}  // namespace touyan::db
