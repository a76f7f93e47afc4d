#include "common/db/group_write.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
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

}  // namespace
}  // namespace touyan::db
