#!/usr/bin/env bash
# The test command: installs what is missing, builds, fuzzes briefly, starts
# a throw-away PostgreSQL, runs every test with ctest, stops PostgreSQL. Exits non-zero on
# any failure. Extra arguments go to ctest (e.g. -L unit).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$TOUYAN_ROOT/scripts/install-deps.sh"
build "${TOUYAN_BUILD_TYPE:-Release}"

# Bounded fuzzing of the validators and parsers (fuzz/run); longer runs: fuzz/run 600.
"$TOUYAN_ROOT/fuzz/run" "${TOUYAN_FUZZ_SECONDS:-10}"

pgdir=$(mktemp -d /tmp/touyan-test-pg.XXXXXX)
chmod 755 "$pgdir"
cleanup() { pg_stop "$pgdir"; rm -rf "$pgdir"; }
trap cleanup EXIT
PG_FSYNC=off pg_start "$pgdir"
set -a; . "$pgdir/env"; set +a
export TOUYAN_TEST_PG_HOST=127.0.0.1 TOUYAN_TEST_PG_PORT=$PGPORT
export TOUYAN_TEST_PG_PASSWORD="$(cat "$pgdir/admin.pw")"

say "running the tests"
cd "$TOUYAN_ROOT/build"
ctest --output-on-failure -j "$(nproc)" --timeout 600 "$@"
