// Personal data at rest: resident ID numbers, phone numbers, counselling
// notes and the answers stored for retries that hold them are sealed with
// AES-256-GCM under a data key named by an id; equality on a resident ID
// (uniqueness, lookups) goes through a keyed blind index, HMAC-SHA256.
//
// The keys come from a file (a Kubernetes Secret in production):
//
//   # touyan data keys
//   index 64-hex-digits       the blind-index key: it never changes
//   key 2026-12 64-hex-digits an AES-256 data key and its id
//   key 2027-06 64-hex-digits
//   current 2027-06           the key new writes use
//
// Rotation: add a key, make it current, restart. Values sealed under an
// older key still open (its line stays); the services re-seal them in the
// background (Server::ResealData) until none is left under an older key.
#ifndef TOUYAN_COMMON_CRYPTO_KEYRING_H_
#define TOUYAN_COMMON_CRYPTO_KEYRING_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace touyan::crypto {

class Keyring {
 public:
  // Parses the file's text; errors name the line, never a key.
  static absl::StatusOr<Keyring> Parse(absl::string_view text);
  static absl::StatusOr<Keyring> Load(const std::string& path);

  const std::string& current_key_id() const { return current_; }

  // The bytes every value sealed under the current key begins with (the
  // version and the key id): what the re-sealing looks for.
  std::string CurrentHeader() const;

  // Seals `plaintext` under the current key. `context` is authenticated,
  // not stored: the table, column and owner of the value ("cadres.phone
  // 150902"), so that a sealed value copied elsewhere does not open.
  std::string Seal(absl::string_view plaintext, absl::string_view context) const;
  // Opens a value sealed by Seal under any key of the ring. DATA_LOSS when
  // it was changed, was sealed for another context or under a key that is
  // no longer in the ring.
  absl::StatusOr<std::string> Open(absl::string_view sealed, absl::string_view context) const;

  // HMAC-SHA256 of `value` under the index key, for equality only; `kind`
  // ("resident_id") keeps indexes of different things apart.
  std::string BlindIndex(absl::string_view kind, absl::string_view value) const;

 private:
  std::string index_key_;
  std::map<std::string, std::string> keys_;  // id → 32 bytes
  std::string current_;
};

}  // namespace touyan::crypto

#endif  // TOUYAN_COMMON_CRYPTO_KEYRING_H_
