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

# A throw-away cluster (TLS only, verified) and the development PKI beside it:
# the in-process tests serve and call each other over mutual TLS with its
# certificates (TOUYAN_TEST_PKI).
testdir=$(mktemp -d /tmp/touyan-test.XXXXXX)
chmod 755 "$testdir"
pgdir="$testdir/pg"
cleanup() { pg_stop "$testdir/replica"; pg_stop "$pgdir"; rm -rf "$testdir"; }
trap cleanup EXIT
PG_FSYNC=off pg_start "$pgdir"
set -a; . "$pgdir/env"; set +a
export TOUYAN_TEST_PG_HOST=127.0.0.1 TOUYAN_TEST_PG_PORT=$PGPORT
export TOUYAN_TEST_PG_PASSWORD="$(cat "$pgdir/admin.pw")"
export TOUYAN_TEST_PKI="$testdir/pki"
# A streaming standby of it, for the reads-on-replicas tests (replica_test):
# its port, and the command that stops and starts it.
PG_FSYNC=off pg_replica_start "$pgdir" "$testdir/replica"
export TOUYAN_TEST_REPLICA_PORT=$(cat "$testdir/replica/port")
export TOUYAN_TEST_REPLICA_CTL="$testdir/replica/ctl"

say "running the tests"
cd "$TOUYAN_ROOT/build"
ctest --output-on-failure -j "$(nproc)" --timeout 600 "$@"
