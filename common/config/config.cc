#include "common/config/config.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace touyan {

std::string EnvName(const std::string& flag) {
  return absl::AsciiStrToUpper(absl::StrReplaceAll(flag, {{"-", "_"}}));
}

absl::StatusOr<Settings> Settings::FromArgs(int argc, const char* const* argv) {
  Settings s;
  for (int i = 1; i < argc; ++i) {
    absl::string_view a = argv[i];
    if (!absl::StartsWith(a, "--") || a.size() == 2) {
      return absl::InvalidArgumentError(
          absl::StrCat("unexpected argument '", a, "': use --name=value"));
    }
    a.remove_prefix(2);
    size_t eq = a.find('=');
    if (eq == absl::string_view::npos) {
      s.flags_[std::string(a)] = "true";
    } else {
      s.flags_[std::string(a.substr(0, eq))] = std::string(a.substr(eq + 1));
    }
  }
  return s;
}

Settings Settings::FromMap(std::map<std::string, std::string> values) {
  Settings s;
  s.flags_ = std::move(values);
  s.use_env_ = false;
  return s;
}

std::optional<std::string> Settings::Get(const std::string& flag) const {
  asked_.insert(flag);
  if (auto it = flags_.find(flag); it != flags_.end()) return it->second;
  if (use_env_) {
    if (const char* v = std::getenv(EnvName(flag).c_str()); v != nullptr && *v != '\0') {
      return std::string(v);
    }
  }
  return std::nullopt;
}

absl::StatusOr<std::string> Settings::Required(const std::string& flag,
                                               const std::string& hint) const {
  auto v = Get(flag);
  if (!v) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, " (or ", EnvName(flag), ") is required: ", hint));
  }
  return *v;
}

std::string Settings::String(const std::string& flag, const std::string& fallback) const {
  return Get(flag).value_or(fallback);
}

absl::StatusOr<int> Settings::Int(const std::string& flag, int fallback, int min, int max) const {
  auto v = Get(flag);
  if (!v) return fallback;
  int n = 0;
  if (!absl::SimpleAtoi(*v, &n) || n < min || n > max) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, "=", *v, " must be a whole number from ", min, " to ", max));
  }
  return n;
}

absl::StatusOr<bool> Settings::Bool(const std::string& flag, bool fallback) const {
  auto v = Get(flag);
  if (!v) return fallback;
  bool b = false;
  if (!absl::SimpleAtob(*v, &b)) {
    return absl::InvalidArgumentError(absl::StrCat("--", flag, "=", *v, " must be true or false"));
  }
  return b;
}

absl::StatusOr<absl::Duration> Settings::Duration(const std::string& flag,
                                                  absl::Duration fallback) const {
  auto v = Get(flag);
  if (!v) return fallback;
  absl::Duration d;
  if (!absl::ParseDuration(*v, &d) || d < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, "=", *v, " must be a duration such as 10s or 500ms"));
  }
  return d;
}

std::vector<std::string> Settings::Unused() const {
  std::vector<std::string> out;
  for (const auto& [k, v] : flags_) {
    if (!asked_.contains(k)) out.push_back(k);
  }
  return out;
}

absl::StatusOr<std::string> ReadFile(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", what, " ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace touyan
