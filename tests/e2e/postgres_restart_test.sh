#!/usr/bin/env bash
# The personnel service when Postgres dies (kill -9 of the postmaster) and
# comes back: calls fail fast with UNAVAILABLE instead of hanging, the
# process stays up, and once Postgres is back the same process answers again
# with the data intact — no restart of the service needed.
set -euo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"
state=$(mktemp -d /tmp/touyan-restart.XXXXXX)
chmod 755 "$state"
cleanup() { stop_services "$state" 2>/dev/null; pg_stop "$state/pg"; [ -n "${KEEP:-}" ] || rm -rf "$state"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; tail -5 "$state/log/personnel.log" >&2; exit 1; }

pg_start "$state/pg" 2>/dev/null
set -a; . "$state/pg/env"; set +a
ensure_token_key "$state"
port=$(free_port)
start_service personnel "$state" "$port" "$(free_port)"
ctl="$TOUYAN_ROOT/build/tools/touyanctl"
export TOUYAN_PERSONNEL_ADDR="127.0.0.1:$port"
export TOUYAN_TOKEN=$("$ctl" token --role=city_org_dept --scope=150900000000 --token-signing-key-file="$state/token.key")
"$ctl" regions import "$TOUYAN_ROOT/data/ulanqab_regions.csv" >/dev/null
get() { "$ctl" call GetRegion '{"code":"150929000000"}' --timeout=3s; }
get | grep -q 四子王旗 || fail "no answer before the crash"

postmaster=$(head -1 "$state/pg/data/postmaster.pid")
kill -9 "$postmaster"
sleep 0.5
t0=$(date +%s.%N)
if out=$(get 2>&1); then fail "a call succeeded with Postgres down: $out"; fi
t1=$(date +%s.%N)
echo "$out" | grep -q UNAVAILABLE || fail "expected UNAVAILABLE, got: $out"
awk "BEGIN { exit !($t1 - $t0 < 2.5) }" || fail "the refusal took $(awk "BEGIN {print $t1 - $t0}") s"
kill -0 "$(cat "$state/run/personnel.pid")" || fail "the service died with Postgres"

# The backends notice their postmaster died and exit; then start it again.
sleep 1
pg_start "$state/pg" || { tail -5 "$state/pg/postgres.log" >&2; fail "Postgres did not restart"; }
t0=$(date +%s)
until get >/dev/null 2>&1; do
  [ $(( $(date +%s) - t0 )) -lt 15 ] || fail "no recovery 15 s after Postgres returned"
  sleep 0.2
done
get | grep -q 四子王旗 || fail "the region tree is gone after the restart"
echo "recovered $(( $(date +%s) - t0 )) s after Postgres returned"
echo "1 passed, 0 failed"
