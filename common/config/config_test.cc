#include "common/config/config.h"

#include <cstdlib>

#include "gtest/gtest.h"

namespace touyan {
namespace {

TEST(SettingsTest, FlagsWinOverTheEnvironment) {
  setenv("TOUYAN_TEST_PORT", "7000", 1);
  const char* argv[] = {"prog", "--touyan-test-port=8000"};
  absl::StatusOr<Settings> s = Settings::FromArgs(2, argv);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s->Int("touyan-test-port", 1, 0, 65535), 8000);
  const char* argv2[] = {"prog"};
  EXPECT_EQ(*Settings::FromArgs(1, argv2)->Int("touyan-test-port", 1, 0, 65535), 7000);
  unsetenv("TOUYAN_TEST_PORT");
}

TEST(SettingsTest, BadValuesSayWhatIsExpected) {
  Settings s = Settings::FromMap({{"grpc-port", "70000"}, {"drain-timeout", "soon"}});
  absl::StatusOr<int> port = s.Int("grpc-port", 1, 0, 65535);
  ASSERT_FALSE(port.ok());
  EXPECT_NE(port.status().message().find("--grpc-port=70000"), std::string::npos);
  EXPECT_FALSE(s.Duration("drain-timeout", absl::Seconds(1)).ok());
  EXPECT_FALSE(s.Required("database-url", "hint").ok());
}

TEST(SettingsTest, UnknownFlagsAreReported) {
  const char* argv[] = {"prog", "--grpc-prot=1"};
  Settings s = *Settings::FromArgs(2, argv);
  (void)s.Get("grpc-port");
  ASSERT_EQ(s.Unused().size(), 1u);
  EXPECT_EQ(s.Unused()[0], "grpc-prot");
  const char* bad[] = {"prog", "positional"};
  EXPECT_FALSE(Settings::FromArgs(2, bad).ok());
}

}  // namespace
}  // namespace touyan
