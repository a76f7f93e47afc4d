// Configuration from command-line flags (--grpc-port=50051) or the
// environment (GRPC_PORT=50051); a flag wins over the environment. Every
// value is checked at start; the first bad one stops the process with one line.
#ifndef TOUYAN_COMMON_CONFIG_CONFIG_H_
#define TOUYAN_COMMON_CONFIG_CONFIG_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace touyan {

class Settings {
 public:
  // Parses `--name=value` and `--name` (boolean true). Returns INVALID_ARGUMENT
  // for anything else on the command line.
  static absl::StatusOr<Settings> FromArgs(int argc, const char* const* argv);
  // For tests: explicit values keyed by flag name, no environment.
  static Settings FromMap(std::map<std::string, std::string> values);

  // `flag` is kebab-case; the environment variable is its UPPER_SNAKE form.
  std::optional<std::string> Get(const std::string& flag) const;
  absl::StatusOr<std::string> Required(const std::string& flag, const std::string& hint) const;
  std::string String(const std::string& flag, const std::string& fallback) const;
  absl::StatusOr<int> Int(const std::string& flag, int fallback, int min, int max) const;
  absl::StatusOr<bool> Bool(const std::string& flag, bool fallback) const;
  absl::StatusOr<absl::Duration> Duration(const std::string& flag, absl::Duration fallback) const;

  // Flags given on the command line that no Get/... asked for: typos.
  std::vector<std::string> Unused() const;

 private:
  std::map<std::string, std::string> flags_;
  bool use_env_ = true;
  mutable std::set<std::string> asked_;
};

std::string EnvName(const std::string& flag);

// The whole of the file at `path` (keys, key sets, certificates), or
// NOT_FOUND "cannot read <what> <path>".
absl::StatusOr<std::string> ReadFile(const std::string& path, const std::string& what);

// `parse` of the file at `path`; its errors prefixed with the path.
template <typename T, typename Parse>
absl::StatusOr<T> ParseFile(const std::string& path, const std::string& what, Parse parse) {
  absl::StatusOr<std::string> text = ReadFile(path, what);
  if (!text.ok()) return text.status();
  absl::StatusOr<T> v = parse(*text);
  if (!v.ok()) return absl::InvalidArgumentError(absl::StrCat(path, ": ", v.status().message()));
  return v;
}

}  // namespace touyan

#endif  // TOUYAN_COMMON_CONFIG_CONFIG_H_
