#!/usr/bin/env bash
# Takes a base backup of the private PostgreSQL that scripts/run.sh started
# (WAL is archived continuously into the same pgBackRest repository), then
# lists the backups and the span that point-in-time recovery can reach.
#
#   scripts/backup.sh [--type=full|diff|incr] [--state=DIR]    (default: full, .local)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
state="$TOUYAN_ROOT/.local"; type=full
for a in "$@"; do
  case "$a" in
    --type=*) type=${a#--type=} ;;
    --state=*) state=${a#--state=} ;;
    *) die "usage: scripts/backup.sh [--type=full|diff|incr] [--state=DIR]" ;;
  esac
done
case "$type" in full|diff|incr) ;; *) die "--type must be full, diff or incr" ;; esac
[ -f "$state/pgbackrest.conf" ] || die "no pgBackRest repository in $state: start the suite with scripts/run.sh (it archives WAL)"
"$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$(cat "$state/pg/port")" || die "PostgreSQL in $state/pg is not running"
say "taking a $type backup of $state/pg (progress in $state/backup/log)"
start=$(date +%s)
pgbackrest_run "$state/pg" --type="$type" backup || die "the backup failed: see $state/backup/log/touyan-backup.log"
say "backup done in $(( $(date +%s) - start )) s"
pgbackrest_run "$state/pg" info
