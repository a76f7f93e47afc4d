#!/usr/bin/env bash
# Benchmark: importing N generated cadres (default 100,000) through the
# ImportCadres client-streaming RPC — validated row by row, COPY'd into a
# staging table, checked for unknown regions and duplicates, moved into
# personnel.cadres with an audit summary and an idempotency record — beside
# `psql \copy` of the same CSV straight into the same table, in the same run.
# Rounds alternate A/B; the table is emptied between runs; medians are
# compared. Not part of the test command (it takes a minute or two).
#
#   bench/import.sh [ROWS] [ROUNDS]
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"
rows=${1:-100000}
rounds=${2:-3}

"$TOUYAN_ROOT/scripts/install-deps.sh"
build Release

state=$(mktemp -d /tmp/touyan-bench.XXXXXX)
chmod 755 "$state"
cleanup() { stop_services "$state"; pg_stop "$state/pg"; rm -rf "$state"; }
trap cleanup EXIT
pg_start "$state/pg"
set -a; . "$state/pg/env"; set +a
ensure_token_key "$state"
port=$(free_port)
start_service personnel "$state" "$port" "$(free_port)"
ctl="$TOUYAN_ROOT/build/tools/touyanctl"
token=$("$ctl" token --role=city_org_dept --scope=150900000000 --subject=bench --token-signing-key-file="$state/token.key")
"$ctl" regions import "$TOUYAN_ROOT/data/ulanqab_regions.csv" --addr="127.0.0.1:$port" --token="$token" >/dev/null

csv="$state/cadres.csv"
say "generating $rows cadres"
"$ctl" cadres generate --count="$rows" --regions="$TOUYAN_ROOT/data/ulanqab_regions.csv" > "$csv"
chmod 644 "$csv"

psql_admin() { as_pg "$PG_BIN/psql" -h "$state/pg" -p "$PGPORT" -U postgres -d touyan -qAt -v ON_ERROR_STOP=1 "$@"; }
empty() { psql_admin -c "SET client_min_messages = warning" -c "TRUNCATE personnel.cadres CASCADE" -c "VACUUM ANALYZE personnel.cadres" >/dev/null; }
count() { psql_admin -c "SELECT count(*) FROM personnel.cadres"; }
now() { date +%s.%N; }
calc() { awk "BEGIN { print $1 }"; }

rpc_times=(); copy_times=()
for r in $(seq 1 "$rounds"); do
  empty
  t0=$(now)
  "$ctl" cadres import "$csv" --addr="127.0.0.1:$port" --token="$token" --request-id="bench-$r-$RANDOM" --batch=1000 >/dev/null 2>&1
  t1=$(now)
  [ "$(count)" = "$rows" ] || die "the RPC import stored $(count) rows, not $rows"
  rpc_times+=("$(calc "$t1 - $t0")")
  empty
  t0=$(now)
  psql_admin -c "\\copy personnel.cadres($(head -1 "$csv")) FROM '$csv' WITH (FORMAT csv, HEADER true)"
  t1=$(now)
  [ "$(count)" = "$rows" ] || die "psql \\copy stored $(count) rows, not $rows"
  copy_times+=("$(calc "$t1 - $t0")")
  say "round $r: RPC ${rpc_times[-1]} s, \\copy ${copy_times[-1]} s"
done

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
rpc=$(median "${rpc_times[@]}"); copy=$(median "${copy_times[@]}")
printf '\n%-44s %12s %14s\n' "import of $rows cadres (median of $rounds)" "seconds" "rows/second"
printf '%-44s %12.3f %14.0f\n' "ImportCadres streaming RPC (touyanctl)" "$rpc" "$(calc "$rows / $rpc")"
printf '%-44s %12.3f %14.0f\n' "psql \\copy into the same table" "$copy" "$(calc "$rows / $copy")"
printf '%-44s %12.2f\n' "ratio: RPC time / \\copy time" "$(calc "$rpc / $copy")"
printf '%-44s %12.2f\n' "ratio: RPC rows/s / \\copy rows/s" "$(calc "$copy / $rpc")"
