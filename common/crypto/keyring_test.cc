#include "common/crypto/keyring.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/auth/jwt.h"

namespace touyan::crypto {
namespace {

const std::string kIndex = "index " + std::string(64, 'a');
const std::string kKey1 = "key k1 " + std::string(64, '1');
const std::string kKey2 = "key k2 " + std::string(64, '2');

Keyring Ring(const std::string& text) {
  absl::StatusOr<Keyring> k = Keyring::Parse(text);
  EXPECT_TRUE(k.ok()) << k.status();
  return *std::move(k);
}

TEST(KeyringTest, SealedValuesOpenAndHideThePlaintext) {
  Keyring k = Ring(absl::StrCat("# keys\n", kIndex, "\n", kKey1, "\ncurrent k1\n"));
  const std::string id = "150902199003071234";
  std::string a = k.Seal(id, "cadres.resident_id_sealed 150902");
  std::string b = k.Seal(id, "cadres.resident_id_sealed 150902");
  EXPECT_NE(a, b) << "a fresh nonce each time";
  EXPECT_FALSE(absl::StrContains(a, id));
  EXPECT_FALSE(absl::StrContains(a, "1234"));
  EXPECT_EQ(*k.Open(a, "cadres.resident_id_sealed 150902"), id);
  EXPECT_EQ(*k.Open(k.Seal("", "x"), "x"), "");
}

TEST(KeyringTest, AChangedOrMovedValueDoesNotOpen) {
  Keyring k = Ring(absl::StrCat(kIndex, "\n", kKey1, "\ncurrent k1"));
  std::string s = k.Seal("13812345678", "cadres.phone_sealed 150902");
  EXPECT_EQ(k.Open(s, "cadres.phone_sealed 150921").status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(k.Open(s, "seeds.phone_sealed 150902").status().code(), absl::StatusCode::kDataLoss);
  for (size_t i : {size_t{5}, s.size() / 2, s.size() - 1}) {
    std::string t = s;
    t[i] ^= 1;
    EXPECT_EQ(k.Open(t, "cadres.phone_sealed 150902").status().code(), absl::StatusCode::kDataLoss)
        << i;
  }
  EXPECT_EQ(k.Open(s.substr(0, 10), "cadres.phone_sealed 150902").status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_FALSE(
      absl::StrContains(k.Open(s, "cadres.phone_sealed 150921").status().message(), "1381"));
}

TEST(KeyringTest, AfterRotationOldValuesOpenAndNewOnesUseTheNewKey) {
  Keyring before = Ring(absl::StrCat(kIndex, "\n", kKey1, "\ncurrent k1"));
  Keyring after = Ring(absl::StrCat(kIndex, "\n", kKey1, "\n", kKey2, "\ncurrent k2"));
  std::string old = before.Seal("note", "records.restricted_sealed 150902");
  EXPECT_EQ(*after.Open(old, "records.restricted_sealed 150902"), "note");
  std::string fresh = after.Seal("note", "records.restricted_sealed 150902");
  EXPECT_TRUE(absl::StartsWith(fresh, after.CurrentHeader()));
  EXPECT_FALSE(absl::StartsWith(old, after.CurrentHeader()));
  // The blind index does not rotate: lookups keep working throughout.
  EXPECT_EQ(before.BlindIndex("resident_id", "x"), after.BlindIndex("resident_id", "x"));
  EXPECT_NE(after.BlindIndex("resident_id", "x"), after.BlindIndex("phone", "x"));
  // A key taken out of the ring too early: the error says what to do.
  Keyring only2 = Ring(absl::StrCat(kIndex, "\n", kKey2, "\ncurrent k2"));
  absl::Status gone = only2.Open(old, "records.restricted_sealed 150902").status();
  EXPECT_EQ(gone.code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(absl::StrContains(gone.message(), "k1")) << gone;
}

// The nonce of a sealed value: after the header (version, id length, id).
std::string NonceOf(const std::string& sealed) {
  return sealed.substr(2 + static_cast<unsigned char>(sealed[1]), 12);
}

TEST(KeyringTest, EverySealHasItsOwnNonceAcrossThreadsAndBlocks) {
  Keyring k = Ring(absl::StrCat(kIndex, "\n", kKey1, "\ncurrent k1"));
  // Nonces are drawn a block of 256 at a time per thread: several blocks on
  // each of three threads, every value opening and no nonce twice.
  std::vector<std::vector<std::string>> sealed(3);
  std::vector<std::thread> threads;
  for (auto& out : sealed) {
    threads.emplace_back([&k, &out] {
      for (int i = 0; i < 1000; ++i) out.push_back(k.Seal(absl::StrCat("v", i), "t.c 150902"));
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> nonces;
  for (const auto& out : sealed) {
    for (size_t i = 0; i < out.size(); ++i) {
      EXPECT_TRUE(nonces.insert(NonceOf(out[i])).second) << "a nonce repeated";
      EXPECT_EQ(*k.Open(out[i], "t.c 150902"), absl::StrCat("v", i));
    }
  }
  EXPECT_EQ(nonces.size(), 3000u);
}

TEST(KeyringTest, AForkedChildDoesNotRepeatItsParentsNonces) {
  Keyring k = Ring(absl::StrCat(kIndex, "\n", kKey1, "\ncurrent k1"));
  k.Seal("x", "t.c 150902");  // this thread's block is drawn
  int fd[2];
  ASSERT_EQ(pipe(fd), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const std::string n = NonceOf(k.Seal("x", "t.c 150902"));
    _exit(write(fd[1], n.data(), n.size()) == static_cast<ssize_t>(n.size()) ? 0 : 1);
  }
  close(fd[1]);
  const std::string parent = NonceOf(k.Seal("x", "t.c 150902"));
  std::string from_child(12, '\0');
  EXPECT_EQ(read(fd[0], from_child.data(), from_child.size()), 12);
  close(fd[0]);
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_NE(parent, from_child) << "the child sealed with its parent's next nonce";
}

TEST(KeyringTest, TheBlindIndexIsHmacSha256UnderEachRingsOwnKey) {
  // Two rings with different index keys, used in turn on one thread (the
  // keyed state each thread keeps must follow the key) and on another.
  Keyring a = Ring(absl::StrCat(kIndex, "\n", kKey1, "\ncurrent k1"));
  const std::string other = std::string(64, 'b');
  Keyring b = Ring(absl::StrCat("index ", other, "\n", kKey1, "\ncurrent k1"));
  const std::string key_a = std::string(32, '\xaa'), key_b = std::string(32, '\xbb');
  for (int i = 0; i < 3; ++i) {
    const std::string v = absl::StrCat("15090219900307123", i);
    EXPECT_EQ(a.BlindIndex("resident_id", v), auth::HmacSha256(key_a, "resident_id:" + v));
    EXPECT_EQ(b.BlindIndex("resident_id", v), auth::HmacSha256(key_b, "resident_id:" + v));
  }
  std::string on_thread;
  std::thread([&] { on_thread = b.BlindIndex("phone", "13812345678"); }).join();
  EXPECT_EQ(on_thread, auth::HmacSha256(key_b, "phone:13812345678"));
  EXPECT_EQ(a.BlindIndex("phone", "1").size(), 32u);
}

TEST(KeyringTest, BadFilesAreRefusedNamingTheLine) {
  struct Case {
    std::string text, expect;
  } cases[] = {
      {kKey1 + "\ncurrent k1", "no `index"},
      {kIndex + "\n" + kKey1, "no `current"},
      {kIndex + "\n" + kKey1 + "\ncurrent k9", "k9 has no `key`"},
      {kIndex + "\nkey k1 abcd\ncurrent k1", "line 2: a key is 64 hex"},
      {kIndex + "\nkey k1 " + std::string(64, 'z') + "\ncurrent k1", "line 2: a key is hex"},
      {kIndex + "\n" + kKey1 + "\n" + kKey1 + "\ncurrent k1", "line 3: key id k1 appears twice"},
      {kIndex + "\n" + kIndex, "line 2: a second index"},
      {kIndex + "\nkeys k1\n", "line 2: expected"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<Keyring> k = Keyring::Parse(c.text);
    ASSERT_FALSE(k.ok()) << c.text;
    EXPECT_TRUE(absl::StrContains(k.status().message(), c.expect)) << k.status();
    EXPECT_FALSE(absl::StrContains(k.status().message(), std::string(64, '1')))
        << "never a key in an error";
  }
  EXPECT_FALSE(Keyring::Load("/nonexistent/keys").ok());
}

}  // namespace
}  // namespace touyan::crypto
