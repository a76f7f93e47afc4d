#include "common/crypto/keyring.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/auth/jwt.h"
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

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};

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
  if (RAND_bytes(p + head, kNonce) != 1)
    std::abort();  // no randomness: nothing can be sealed safely
  std::unique_ptr<EVP_CIPHER_CTX, CtxFree> ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  bool ok = ctx != nullptr &&
            EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr,
                               reinterpret_cast<const unsigned char*>(key.data()), p + head) == 1 &&
            EVP_EncryptUpdate(ctx.get(), nullptr, &len,
                              reinterpret_cast<const unsigned char*>(context.data()),
                              static_cast<int>(context.size())) == 1 &&
            EVP_EncryptUpdate(ctx.get(), p + head + kNonce, &len,
                              reinterpret_cast<const unsigned char*>(plaintext.data()),
                              static_cast<int>(plaintext.size())) == 1 &&
            EVP_EncryptFinal_ex(ctx.get(), p + head + kNonce + len, &len) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTag,
                                p + head + kNonce + plaintext.size()) == 1;
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
  std::unique_ptr<EVP_CIPHER_CTX, CtxFree> ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  bool ok =
      ctx != nullptr &&
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr,
                         reinterpret_cast<const unsigned char*>(key->second.data()), p) == 1 &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &len,
                        reinterpret_cast<const unsigned char*>(context.data()),
                        static_cast<int>(context.size())) == 1 &&
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, p + kNonce,
                        static_cast<int>(n)) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTag,
                          const_cast<unsigned char*>(p + kNonce + n)) == 1 &&
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + len, &len) == 1;
  if (!ok) {
    return absl::DataLossError(absl::StrCat("a sealed ", context.substr(0, context.find(' ')),
                                            " value does not open: it was changed or moved"));
  }
  return out;
}

std::string Keyring::BlindIndex(absl::string_view kind, absl::string_view value) const {
  return auth::HmacSha256(index_key_, absl::StrCat(kind, ":", value));
}

}  // namespace touyan::crypto
