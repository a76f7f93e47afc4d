#!/usr/bin/env bash
# Backups and point-in-time recovery, with every write accounted for. A
# private suite archives its WAL with pgBackRest (as scripts/run.sh's does);
# after a base backup (scripts/backup.sh) a client keeps creating Party
# organisations through the API, recording for each when it sent the
# request and when the answer came. A point in the middle of that stream is
# chosen; the data directory is destroyed; scripts/restore.sh brings the
# cluster back to that point; the service starts on it. Then, through the
# API: every write acknowledged before the point is there, once; every write
# sent after it is not; and the writes before the backup are there too.
set -euo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"
fail() { echo "FAIL: $*" >&2; exit 1; }

export PG_ARCHIVE=on
personnel_suite pitr
now() { date -u '+%Y-%m-%d %H:%M:%S.%6N+00'; }
write() {  # write N: one organisation, its send and ack times in writes.log
  local sent; sent=$(now)
  "$ctl" call CreatePartyOrg "{\"request_id\":\"pitr-$1\",\"party_org\":{\"name\":\"恢复-$1\",
    \"kind\":\"PARTY_ORG_KIND_ENTERPRISE\",\"region_code\":\"150929100000\"}}" >/dev/null \
    || fail "write $1 was refused"
  echo "$1|$sent|$(now)" >> "$state/writes.log"
}

for n in $(seq 1 20); do write "$n"; done
"$TOUYAN_ROOT/scripts/backup.sh" --state="$state" >/dev/null 2>&1 || fail "scripts/backup.sh failed"
for n in $(seq 21 80); do write "$n"; done
target=$(sed -n '50p' "$state/writes.log" | cut -d'|' -f3)   # just after write 50's answer
for n in $(seq 81 110); do write "$n"; done
# The WAL with the last writes reaches the repository (pgbackrest check
# switches to a new segment and waits until the old one is archived).
pgbackrest_run "$state/pg" check >/dev/null || fail "WAL archiving does not work"

say "destroying the data directory, restoring to $target"
stop_services "$state"
pg_stop "$state/pg"
rm -rf "$state/pg/data"
"$TOUYAN_ROOT/scripts/restore.sh" --state="$state" --time="$target" --discard >/dev/null 2>&1 \
  || fail "scripts/restore.sh failed: $(tail -5 "$state/backup/log/touyan-restore.log" 2>/dev/null)"
set -a; . "$state/pg/env"; set +a
start_service personnel "$state" "$port" "$(free_port)"

"$ctl" personnel ListPartyOrgs --region_code=150929100000 --all --output=csv > "$state/orgs.csv" \
  || fail "listing the organisations after the restore failed"
present=0; absent=0
while IFS='|' read -r n sent acked; do
  count=$(grep -c ",恢复-$n," "$state/orgs.csv" || true)
  if [[ "$acked" < "$target" || "$acked" == "$target" ]]; then
    [ "$count" = 1 ] || fail "write $n, acknowledged at $acked before $target, is there $count times"
    present=$((present + 1))
  elif [[ "$sent" > "$target" ]]; then
    [ "$count" = 0 ] || fail "write $n, sent at $sent after $target, survived the restore"
    absent=$((absent + 1))
  fi
done < "$state/writes.log"
[ "$present" -ge 50 ] && [ "$absent" -ge 55 ] || fail "only $present writes before and $absent after the point were checkable"
# And the restored suite takes writes again.
write 999
echo "pitr: restored to $target: $present acknowledged writes present once, $absent later writes absent"
