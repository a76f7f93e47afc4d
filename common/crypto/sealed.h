// Which columns of a service's tables hold sealed personal data, and the
// background re-sealing that follows a key rotation (and seals what a
// database upgraded from a release without encryption still holds in
// plaintext). Every sealed table is keyed by (county_code, id).
#ifndef TOUYAN_COMMON_CRYPTO_SEALED_H_
#define TOUYAN_COMMON_CRYPTO_SEALED_H_

#include <stdexcept>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/crypto/keyring.h"
#include "common/db/pool.h"
#include "common/db/transaction.h"

namespace touyan::crypto {

struct SealedColumn {
  std::string sealed;  // "phone_sealed" (bytea; NULL: no value)
  std::string legacy =
      {};  // the plaintext column it replaces ("phone"), emptied once sealed; "" = none
  std::string index = {};       // its blind index column ("resident_id_index"); "" = none
  std::string index_kind = {};  // the BlindIndex kind ("resident_id")
};

struct SealedTable {
  std::string table;  // "cadres"
  std::vector<SealedColumn> columns;
};

// What a value of `column` of `table` owned by `county_code` is sealed
// with (Keyring::Seal's context): a value copied to another column, table or
// county does not open.
std::string Context(const std::string& table, const std::string& column,
                    const std::string& county_code);

// A sealed value that does not open (changed, moved, or under a key no
// longer in the ring): db::FromException answers it as DATA_LOSS.
class SealBroken : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The value of a sealed column as read: "" for NULL (no value); throws
// SealBroken when it does not open.
std::string Unseal(const Keyring& keys, const pqxx::field& sealed, const std::string& context);

// Re-seals, `batch` rows a transaction, the rows of `t` in `scope` holding a
// value sealed under a key other than the current one, or a legacy
// plaintext value (sealed, its blind index set, the plaintext emptied).
// Rows another transaction holds are skipped for the next round. Returns
// how many rows were re-sealed before none was left or `deadline`.
absl::StatusOr<int64_t> Reseal(db::Lease& lease, const db::Scope& scope, const Keyring& keys,
                               const SealedTable& t, int batch, absl::Time deadline);

// How many rows of `t` in `scope` still wait for Reseal.
absl::StatusOr<int64_t> CountStale(db::Lease& lease, const db::Scope& scope, const Keyring& keys,
                                   const SealedTable& t);

}  // namespace touyan::crypto

#endif  // TOUYAN_COMMON_CRYPTO_SEALED_H_
