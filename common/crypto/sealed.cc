#include "common/crypto/sealed.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/log/log.h"
#include "common/status/status.h"

namespace touyan::crypto {
namespace {

// The rows of `t` that wait: a value under another key, or in plaintext.
// $1 is the current header's length, $2 the header.
std::string StaleCondition(pqxx::transaction_base& tx, const SealedTable& t) {
  std::vector<std::string> any;
  for (const SealedColumn& c : t.columns) {
    const std::string s = tx.quote_name(c.sealed);
    any.push_back(absl::StrCat("(", s, " IS NOT NULL AND substring(", s, " from 1 for $1) <> $2)"));
    if (!c.legacy.empty()) any.push_back(absl::StrCat(tx.quote_name(c.legacy), " IS NOT NULL"));
  }
  return absl::StrJoin(any, " OR ");
}

}  // namespace

std::string Context(const std::string& table, const std::string& column,
                    const std::string& county_code) {
  return absl::StrCat(table, ".", column, " ", county_code);
}

std::string Unseal(const Keyring& keys, const pqxx::field& sealed, const std::string& context) {
  if (sealed.is_null()) return "";
  absl::StatusOr<std::string> v = keys.Open(pqxx::binarystring(sealed).str(), context);
  if (!v.ok()) throw SealBroken(std::string(v.status().message()));
  return *std::move(v);
}

absl::StatusOr<int64_t> Reseal(db::Lease& lease, const db::Scope& scope, const Keyring& keys,
                               const SealedTable& t, int batch, absl::Time deadline) {
  const std::string header = keys.CurrentHeader();
  int64_t total = 0;
  // Rows in key order from (county, id) on, so that a row that does not
  // open is passed over (and logged) instead of blocking the rest.
  std::string county_after;
  int64_t id_after = 0;
  while (absl::Now() < deadline) {
    int64_t seen = 0, n = 0;
    std::string last_county;
    int64_t last_id = 0;
    RETURN_IF_ERROR(db::RunTransaction(lease, scope, deadline, [&](db::Tx& tx) -> absl::Status {
      seen = n = 0;
      std::vector<std::string> cols, sets;
      int p = 3;
      for (const SealedColumn& c : t.columns) {
        cols.push_back(tx.quote_name(c.legacy.empty() ? c.sealed : c.legacy));
        cols.push_back(tx.quote_name(c.sealed));
        // Every value goes as bytes; an empty one is NULL (no value).
        sets.push_back(absl::StrCat(tx.quote_name(c.sealed), " = NULLIF($", p++, "::bytea, '')"));
        if (!c.legacy.empty()) sets.push_back(absl::StrCat(tx.quote_name(c.legacy), " = NULL"));
        if (!c.index.empty())
          sets.push_back(absl::StrCat(tx.quote_name(c.index), " = NULLIF($", p++, "::bytea, '')"));
      }
      const std::string table = tx.quote_name(t.table);
      pqxx::result rows =
          tx.exec_params(absl::StrCat("SELECT county_code, id, ", absl::StrJoin(cols, ", "),
                                      " FROM ", table, " WHERE (", StaleCondition(tx, t),
                                      ") AND (county_code, id) > ($4, $5) ORDER BY county_code, id "
                                      "LIMIT $3 FOR UPDATE SKIP LOCKED"),
                         static_cast<int>(header.size()), pqxx::binarystring(header), batch,
                         county_after, id_after);
      const std::string update =
          absl::StrCat("UPDATE ", table, " SET ", absl::StrJoin(sets, ", "),
                       " WHERE county_code = $1::text AND id = $2::text::bigint");
      for (const auto& row : rows) {
        ++seen;
        const std::string county = row[0].as<std::string>();
        last_county = county;
        last_id = row[1].as<int64_t>();
        std::vector<pqxx::binarystring> values{pqxx::binarystring(county),
                                               pqxx::binarystring(row[1].as<std::string>())};
        int i = 2;
        bool broken = false;
        for (const SealedColumn& c : t.columns) {
          const pqxx::field legacy = row[i++];
          const pqxx::field sealed = row[i++];
          std::optional<std::string> plain;
          if (!c.legacy.empty() && !legacy.is_null()) {
            plain = legacy.as<std::string>();
          } else if (!sealed.is_null()) {
            absl::StatusOr<std::string> opened =
                keys.Open(pqxx::binarystring(sealed).str(), Context(t.table, c.sealed, county));
            if (!opened.ok()) {
              log::Error("a sealed value does not open: left as it is",
                         {{"table", t.table},
                          {"row", absl::StrCat(county, "-", last_id)},
                          {"column", c.sealed},
                          {"error", std::string(opened.status().message())}});
              broken = true;
              break;
            }
            plain = *std::move(opened);
          }
          if (plain && plain->empty()) plain.reset();  // no value: NULL
          values.emplace_back(plain ? keys.Seal(*plain, Context(t.table, c.sealed, county))
                                    : std::string());
          if (!c.index.empty())
            values.emplace_back(plain ? keys.BlindIndex(c.index_kind, *plain) : std::string());
        }
        if (broken) continue;
        tx.exec_params(update, pqxx::prepare::make_dynamic_params(values));
        ++n;
      }
      return absl::OkStatus();
    }));
    total += n;
    if (seen < batch) break;
    county_after = last_county;
    id_after = last_id;
  }
  return total;
}

absl::StatusOr<int64_t> CountStale(db::Lease& lease, const db::Scope& scope, const Keyring& keys,
                                   const SealedTable& t) {
  const std::string header = keys.CurrentHeader();
  int64_t n = 0;
  RETURN_IF_ERROR(
      db::RunRead(lease, scope, absl::Now() + absl::Minutes(1), [&](db::Tx& tx) -> absl::Status {
        n = tx.exec_params(absl::StrCat("SELECT count(*) FROM ", tx.quote_name(t.table), " WHERE ",
                                        StaleCondition(tx, t)),
                           static_cast<int>(header.size()), pqxx::binarystring(header))[0][0]
                .as<int64_t>();
        return absl::OkStatus();
      }));
  return n;
}

}  // namespace touyan::crypto
