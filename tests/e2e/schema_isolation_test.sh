#!/usr/bin/env bash
# Each service's database role touches its own schema only: with all four
# services migrated into one database (as scripts/run.sh and the Kubernetes
# deployment have them), every service role is refused every other
# service's tables — reading, writing, and their audit trails — and cannot
# create objects in the public schema.
set -euo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"
fail() { echo "FAIL: $*" >&2; exit 1; }

private_suite schemas
start_every_service "$state"   # starting a service migrates its schema

declare -A table=([personnel]=cadres [training]=classes [contest]=contests [incentive]=records)
checked=0
for a in "${SERVICES[@]}"; do
  url=$(eval echo "\$${a^^}_DATABASE_URL")
  as() { PGCONNECT_TIMEOUT=5 "$PG_BIN/psql" "$url" -qAt -v ON_ERROR_STOP=1 -c "$1" 2>&1; }
  # Its own schema works (row-level security shows nothing without a scope).
  out=$(as "SELECT count(*) FROM $a.${table[$a]}") || fail "${a}_app cannot read its own schema: $out"
  for b in "${SERVICES[@]}"; do
    [ "$a" != "$b" ] || continue
    for sql in "SELECT count(*) FROM $b.${table[$b]}" "SELECT count(*) FROM $b.audit_log" \
               "DELETE FROM $b.${table[$b]}" "SELECT count(*) FROM $b.idempotency"; do
      if out=$(as "$sql"); then fail "${a}_app ran '$sql': $out"; fi
      [[ "$out" == *"permission denied"* ]] || fail "${a}_app on '$sql': expected permission denied, got: $out"
      checked=$((checked + 1))
    done
  done
  if out=$(as "CREATE TABLE public.${a}_intruder (x int)"); then fail "${a}_app created a table in public"; fi
  checked=$((checked + 1))
done
echo "$checked statements refused across ${#SERVICES[@]} service roles"
echo "1 passed, 0 failed"
