#!/usr/bin/env bash
# Restores the private PostgreSQL of scripts/run.sh from its pgBackRest
# repository: the latest state (every archived transaction), or the state at
# a point in time. Stops the services and Postgres first; the data directory
# is set aside as data.before-restore-<time> (or removed with --discard).
# Then start the suite again: scripts/run.sh.
#
#   scripts/restore.sh [--time='2026-12-02 08:15:00+00'] [--discard] [--state=DIR]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
state="$TOUYAN_ROOT/.local"; target=""; discard=false
for a in "$@"; do
  case "$a" in
    --time=*) target=${a#--time=} ;;
    --discard) discard=true ;;
    --state=*) state=${a#--state=} ;;
    *) die "usage: scripts/restore.sh [--time=TIMESTAMP] [--discard] [--state=DIR]" ;;
  esac
done
[ -f "$state/pgbackrest.conf" ] || die "no pgBackRest repository in $state: nothing to restore from"
pgbackrest_run "$state/pg" info >/dev/null 2>&1 || die "the repository in $state/backup has no backup: take one with scripts/backup.sh"

stop_services "$state"
pg_stop "$state/pg"
if [ -d "$state/pg/data" ]; then
  if $discard; then
    rm -rf "$state/pg/data"
  else
    aside="$state/pg/data.before-restore-$(date +%Y%m%dT%H%M%S)"
    mv "$state/pg/data" "$aside"
    say "the old data directory is kept as $aside"
  fi
fi
mkdir -p "$state/pg/data"; chmod 700 "$state/pg/data"
[ "$(id -u)" -eq 0 ] && chown postgres: "$state/pg/data"
if [ -n "$target" ]; then
  say "restoring to $target (point-in-time recovery)"
  pgbackrest_run "$state/pg" --type=time --target="$target" --target-action=promote restore \
    || die "the restore failed: see $state/backup/log"
else
  say "restoring the latest state (every archived transaction)"
  pgbackrest_run "$state/pg" restore || die "the restore failed: see $state/backup/log"
fi
# Recovery replays the archived WAL at start, up to the target, then promotes.
PG_ARCHIVE=on pg_start "$state/pg"
for _ in $(seq 1 120); do
  [ "$(as_pg "$PG_BIN/psql" -h "$state/pg" -p "$(cat "$state/pg/port")" -U postgres -d postgres -tAc \
       'SELECT pg_is_in_recovery()')" = f ] && break
  sleep 0.5
done
[ "$(as_pg "$PG_BIN/psql" -h "$state/pg" -p "$(cat "$state/pg/port")" -U postgres -d postgres -tAc \
     'SELECT pg_is_in_recovery()')" = f ] || die "PostgreSQL is still recovering after 60 s: see $state/pg/postgres.log"
say "restored and promoted; start the services with scripts/run.sh"
