#include "common/crypto/keyring.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <pthread.h>

#include <atomic>
#include <cstring>
#include <memory>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/config/config.h"
#include "common/status/status.h"

namespace touyan::crypto {
namespace {

// A sealed value: version, key id length, key id, nonce, ciphertext, tag.
constexpr char kVersion = 1;
constexpr size_t kNonce = 12;
constexpr size_t kTag = 16;

absl::Status LineError(int line, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("data keys, line ", line, ": ", what));
}

absl::StatusOr<std::string> Key32(int line, absl::string_view hex) {
  if (hex.size() != 64)
    return LineError(line, "a key is 64 hex digits (32 bytes, e.g. `openssl rand -hex 32`)");
  for (char c : hex) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c)))
      return LineError(line, "a key is hex digits");
  }
  return absl::HexStringToBytes(hex);
}

// What a value costs to seal, open or index is OpenSSL's bookkeeping more
// than its arithmetic: OpenSSL 3 looks an algorithm up by name on every
// EVP_aes_256_gcm() initialisation and every one-shot HMAC(), and its random
// generator asks the kernel for the process id on every call (to notice a
// fork). A bulk import seals two values and indexes one for each of
// hundreds of thousands of rows, so the algorithms are fetched once, each
// thread keeps its cipher context and a keyed HMAC state to copy, and
// nonces are drawn from the generator a block at a time.

// The cipher, fetched once for the process.
const EVP_CIPHER* Gcm() {
  static EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  if (cipher == nullptr) std::abort();  // OpenSSL without AES-GCM: nothing can be sealed
  return cipher;
}

// This thread's cipher context, reset by each initialisation.
EVP_CIPHER_CTX* ThreadCtx() {
  struct Ctx {
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    ~Ctx() { EVP_CIPHER_CTX_free(ctx); }
  };
  thread_local Ctx c;
  if (c.ctx == nullptr) std::abort();
  return c.ctx;
}

// Nonces: random bytes drawn a block at a time per thread. A forked child
// would otherwise repeat its parent's unused block, so a fork bumps the
// generation and every thread's block is drawn again.
std::atomic<uint64_t> fork_generation{0};
void CountFork() { fork_generation.fetch_add(1, std::memory_order_relaxed); }

void Nonce(unsigned char* out) {
  static const bool registered = pthread_atfork(nullptr, nullptr, CountFork) == 0;
  if (!registered) std::abort();
  struct Block {
    unsigned char bytes[kNonce * 256];
    size_t used = sizeof bytes;
    uint64_t generation = 0;
  };
  thread_local Block b;
  const uint64_t generation = fork_generation.load(std::memory_order_relaxed);
  if (b.used == sizeof b.bytes || b.generation != generation) {
    if (RAND_bytes(b.bytes, sizeof b.bytes) != 1)
      std::abort();  // no randomness: nothing can be sealed safely
    b.used = 0;
    b.generation = generation;
  }
  std::memcpy(out, b.bytes + b.used, kNonce);
  OPENSSL_cleanse(b.bytes + b.used, kNonce);
  b.used += kNonce;
}

// HMAC-SHA256 under `key`: this thread keeps a state keyed once (for the
// last key it saw) and copies it for each value.
std::string Hmac(const std::string& key, absl::string_view data) {
  struct Keyed {
    std::string key;
    EVP_MAC_CTX* ctx = nullptr;
    ~Keyed() {
      EVP_MAC_CTX_free(ctx);
      OPENSSL_cleanse(key.data(), key.size());
    }
  };
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (mac == nullptr) std::abort();
  thread_local Keyed k;
  if (k.ctx == nullptr || k.key != key) {
    EVP_MAC_CTX_free(k.ctx);
    k.ctx = EVP_MAC_CTX_new(mac);
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                           OSSL_PARAM_construct_end()};
    if (k.ctx == nullptr || EVP_MAC_init(k.ctx, reinterpret_cast<const unsigned char*>(key.data()),
                                         key.size(), params) != 1)
      std::abort();
    k.key = key;
  }
  std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> ctx(EVP_MAC_CTX_dup(k.ctx),
                                                                EVP_MAC_CTX_free);
  unsigned char out[EVP_MAX_MD_SIZE];
  size_t len = 0;
  if (ctx == nullptr ||
      EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(data.data()), data.size()) !=
          1 ||
      EVP_MAC_final(ctx.get(), out, &len, sizeof out) != 1)
    std::abort();
  return std::string(reinterpret_cast<char*>(out), len);
}

}  // namespace

absl::StatusOr<Keyring> Keyring::Parse(absl::string_view text) {
  Keyring k;
  int n = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++n;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line.front() == '#') continue;
    std::vector<absl::string_view> w = absl::StrSplit(line, ' ', absl::SkipWhitespace());
    if (w[0] == "index" && w.size() == 2) {
      if (!k.index_key_.empty()) return LineError(n, "a second index key");
      ASSIGN_OR_RETURN(k.index_key_, Key32(n, w[1]));
    } else if (w[0] == "key" && w.size() == 3) {
      if (w[1].size() > 32 || w[1].empty()) return LineError(n, "a key id is 1-32 characters");
      ASSIGN_OR_RETURN(std::string key, Key32(n, w[2]));
      if (!k.keys_.emplace(std::string(w[1]), std::move(key)).second) {
        return LineError(n, absl::StrCat("key id ", w[1], " appears twice"));
      }
    } else if (w[0] == "current" && w.size() == 2) {
      k.current_ = std::string(w[1]);
    } else {
      return LineError(n, "expected `index HEX`, `key ID HEX` or `current ID`");
    }
  }
  if (k.index_key_.empty())
    return absl::InvalidArgumentError("data keys: no `index HEX` line (the blind-index key)");
  if (k.current_.empty()) return absl::InvalidArgumentError("data keys: no `current ID` line");
  if (!k.keys_.contains(k.current_)) {
    return absl::InvalidArgumentError(
        absl::StrCat("data keys: the current key ", k.current_, " has no `key` line"));
  }
  return k;
}

absl::StatusOr<Keyring> Keyring::Load(const std::string& path) {
  return ParseFile<Keyring>(path, "--data-keys-file", Parse);
}

std::string Keyring::CurrentHeader() const {
  return absl::StrCat(std::string(1, kVersion), std::string(1, static_cast<char>(current_.size())),
                      current_);
}

std::string Keyring::Seal(absl::string_view plaintext, absl::string_view context) const {
  const std::string& key = keys_.at(current_);
  std::string out = CurrentHeader();
  const size_t head = out.size();
  out.resize(head + kNonce + plaintext.size() + kTag);
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  Nonce(p + head);
  EVP_CIPHER_CTX* ctx = ThreadCtx();
  int len = 0;
  bool ok =
      EVP_EncryptInit_ex2(ctx, Gcm(), reinterpret_cast<const unsigned char*>(key.data()), p + head,
                          nullptr) == 1 &&
      EVP_EncryptUpdate(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(context.data()),
                        static_cast<int>(context.size())) == 1 &&
      EVP_EncryptUpdate(ctx, p + head + kNonce, &len,
                        reinterpret_cast<const unsigned char*>(plaintext.data()),
                        static_cast<int>(plaintext.size())) == 1 &&
      EVP_EncryptFinal_ex(ctx, p + head + kNonce + len, &len) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, kTag, p + head + kNonce + plaintext.size()) ==
          1;
  if (!ok) std::abort();  // OpenSSL without AES-GCM: nothing can be sealed
  return out;
}

absl::StatusOr<std::string> Keyring::Open(absl::string_view sealed,
                                          absl::string_view context) const {
  if (sealed.size() < 2 || sealed[0] != kVersion) {
    return absl::DataLossError(absl::StrCat("a sealed ", context.substr(0, context.find(' ')),
                                            " value is not in a known format"));
  }
  const size_t id_len = static_cast<unsigned char>(sealed[1]);
  if (sealed.size() < 2 + id_len + kNonce + kTag) {
    return absl::DataLossError(
        absl::StrCat("a sealed ", context.substr(0, context.find(' ')), " value is cut short"));
  }
  const std::string id(sealed.substr(2, id_len));
  auto key = keys_.find(id);
  if (key == keys_.end()) {
    return absl::DataLossError(
        absl::StrCat("a value is sealed under data key ", id,
                     ", which the data keys file no longer holds: put its line back"));
  }
  const auto* p = reinterpret_cast<const unsigned char*>(sealed.data()) + 2 + id_len;
  const size_t n = sealed.size() - 2 - id_len - kNonce - kTag;
  std::string out(n, '\0');
  EVP_CIPHER_CTX* ctx = ThreadCtx();
  int len = 0;
  bool ok =
      EVP_DecryptInit_ex2(ctx, Gcm(), reinterpret_cast<const unsigned char*>(key->second.data()), p,
                          nullptr) == 1 &&
      EVP_DecryptUpdate(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(context.data()),
                        static_cast<int>(context.size())) == 1 &&
      EVP_DecryptUpdate(ctx, reinterpret_cast<unsigned char*>(out.data()), &len, p + kNonce,
                        static_cast<int>(n)) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, kTag,
                          const_cast<unsigned char*>(p + kNonce + n)) == 1 &&
      EVP_DecryptFinal_ex(ctx, reinterpret_cast<unsigned char*>(out.data()) + len, &len) == 1;
  if (!ok) {
    return absl::DataLossError(absl::StrCat("a sealed ", context.substr(0, context.find(' ')),
                                            " value does not open: it was changed or moved"));
  }
  return out;
}

std::string Keyring::BlindIndex(absl::string_view kind, absl::string_view value) const {
  return Hmac(index_key_, absl::StrCat(kind, ":", value));
}

}  // namespace touyan::crypto
