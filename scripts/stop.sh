#!/usr/bin/env bash
# Stops what scripts/run.sh started: every service (SIGTERM, so in-flight
# calls drain), then the private PostgreSQL unless --services-only.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
state="$TOUYAN_ROOT/.local"
stop_services "$state"
if [ "${1:-}" != "--services-only" ] && [ -d "$state/pg/data" ]; then
  say "stopping PostgreSQL"
  pg_stop "$state/pg-replica1"
  pg_stop "$state/pg"
fi
