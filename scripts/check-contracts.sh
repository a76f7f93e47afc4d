#!/usr/bin/env bash
# Guards the gRPC contracts other systems compile against:
#   - buf lint (STANDARD and COMMENTS rules; the exceptions and their reasons in
#     proto/buf.yaml);
#   - buf breaking against the released contract (proto/baseline.binpb):
#     a field renumbered, a type changed, a method or message removed fails;
#   - and that the guard works: a deliberately broken copy must fail it.
# After a release: scripts/check-contracts.sh --release (re-cuts the baseline).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/proto/tools"
googleapis=/usr/share/gocode/src/github.com/gogo/googleapis
say() { printf '\033[1m[contracts]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[31m[contracts] error:\033[0m %s\n' "$*" >&2; exit 1; }
command -v npm >/dev/null || die "npm is missing: run scripts/install-deps.sh"
[ -f "$googleapis/google/rpc/status.proto" ] || die "google/rpc protos missing: run scripts/install-deps.sh"
if [ ! -d "$tools/node_modules" ] || [ "$tools/package-lock.json" -nt "$tools/node_modules/.package-lock.json" ]; then
  say "installing buf (npm ci in proto/tools)"
  (cd "$tools" && npm ci --no-audit --no-fund --loglevel=error) >/dev/null || die "npm ci failed in proto/tools"
fi
buf="$tools/node_modules/.bin/buf"

# A workspace: our protos, the google ones they import, the configuration.
work=$(mktemp -d /tmp/touyan-contracts.XXXXXX)
trap 'rm -rf "$work"' EXIT
workspace() {  # workspace DIR: a copy of the contracts in DIR
  mkdir -p "$1/google"
  cp -r "$root/proto/touyan" "$1/"
  cp -r "$googleapis/google/rpc" "$googleapis/google/type" "$1/google/"
  cp "$root/proto/buf.yaml" "$1/"
}
workspace "$work/now"

if [ "${1:-}" = "--release" ]; then
  (cd "$work/now" && "$buf" build --exclude-source-info -o "$root/proto/baseline.binpb")
  say "proto/baseline.binpb is now the released contract: commit it"
  exit 0
fi

say "buf lint"
(cd "$work/now" && "$buf" lint) || die "buf lint found problems (above): fix them, or add an exception with its reason to proto/buf.yaml"
say "buf breaking against proto/baseline.binpb"
(cd "$work/now" && "$buf" breaking --against "$root/proto/baseline.binpb") \
  || die "a breaking change against the released contract (above): add a new field or method instead"

# The guard must catch a breaking change: a field renumbered and a method removed.
workspace "$work/broken"
sed -i 's/^  string name = 5;/  string name = 55;/' "$work/broken/touyan/personnel/v1/personnel.proto"
grep -q 'string name = 55;' "$work/broken/touyan/personnel/v1/personnel.proto" || die "self-test: the field to renumber was not found"
if (cd "$work/broken" && "$buf" breaking --against "$root/proto/baseline.binpb") >/dev/null 2>&1; then
  die "self-test: buf breaking passed a renumbered field"
fi
# ... and lint must catch a field left without its comment.
workspace "$work/uncommented"
sed -i "/^  \/\/ The cadre's name (personal data)\.$/d" "$work/uncommented/touyan/personnel/v1/personnel.proto"
grep -q "The cadre's name (personal data)" "$work/uncommented/touyan/personnel/v1/personnel.proto" \
  && die "self-test: the comment to remove was not found"
if (cd "$work/uncommented" && "$buf" lint) >/dev/null 2>&1; then
  die "self-test: buf lint passed a field without a comment"
fi
say "lint clean (every element commented), no breaking change; a renumbered field and an uncommented one are caught"
