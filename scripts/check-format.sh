#!/usr/bin/env bash
# The house format (.clang-format: Google style, 100 columns) on every C++
# file of the repository, checked with Debian's clang-format-14. Fix with:
#   git ls-files '*.cc' '*.h' | xargs clang-format-14 -i
set -euo pipefail
cd "$(dirname "$0")/.."
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files '*.cc' '*.h')
else
  mapfile -t files < <(find common services tests tools bench fuzz -name '*.cc' -o -name '*.h')
fi
if ! out=$(clang-format-14 --dry-run --Werror "${files[@]}" 2>&1); then
  printf '%s\n' "$out" | grep 'error:' | head -20
  echo "check-format: files differ from .clang-format; run: git ls-files '*.cc' '*.h' | xargs clang-format-14 -i" >&2
  exit 1
fi
echo "check-format: ${#files[@]} files follow .clang-format"
