#!/usr/bin/env bash
# The run command: installs what is missing, builds (Release), starts a
# private PostgreSQL 15 in .local/pg and every service, loads the Ulanqab
# region tree, and prints where everything listens. It stays in the
# foreground showing the logs; Ctrl-C stops everything. With --detach it
# returns instead, and scripts/stop.sh stops everything. Running it again
# restarts the services on the same database. With --replicas=1 a streaming
# standby runs beside the primary (.local/pg-replica1) and the services
# serve their read-only calls from it (--database-read-url).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

detach=false
replicas=0
for arg in "$@"; do
  case "$arg" in
    --detach) detach=true ;;
    --replicas=0|--replicas=1) replicas=${arg#--replicas=} ;;
    --replicas=*) die "--replicas: 0 or 1 (a service takes one read URL; in Kubernetes it is the cluster's -ro service)" ;;
    *) die "usage: scripts/run.sh [--detach] [--replicas=1]" ;;
  esac
done

"$TOUYAN_ROOT/scripts/install-deps.sh"
build Release

state="$TOUYAN_ROOT/.local"
mkdir -p "$state/run" "$state/log"
"$TOUYAN_ROOT/scripts/stop.sh" --services-only
# WAL archived continuously with pgBackRest (.local/backup): scripts/backup.sh
# takes base backups, scripts/restore.sh restores to any point since.
PG_ARCHIVE=on pg_start "$state/pg"
set -a; . "$state/pg/env"; set +a
if [ "$replicas" = 1 ]; then
  pg_replica_start "$state/pg" "$state/pg-replica1"
  set -a; . "$state/pg-replica1/env"; set +a
fi

# Development identity: the CA and certificates in .local/pki (made by
# pg_start), the development token issuer (.local/issuer.key, .local/jwks.json).
ensure_dev_issuer "$state"
key="$state/issuer.key"
ctl="$TOUYAN_ROOT/build/tools/touyanctl"

{
  echo "TOUYAN_CA_FILE=$state/pki/ca.crt"
  echo "TOKEN_SIGNING_KEY_FILE=$key"
} > "$state/endpoints.env"
export TOUYAN_CA_FILE="$state/pki/ca.crt"
base=50051
for svc in "${SERVICES[@]}"; do
  grpc_port=$base; metrics_port=$((base + 100))
  (exec 3<>"/dev/tcp/127.0.0.1/$grpc_port") 2>/dev/null && grpc_port=$(free_port)
  (exec 3<>"/dev/tcp/127.0.0.1/$metrics_port") 2>/dev/null && metrics_port=$(free_port)
  say "starting $svc (gRPC 127.0.0.1:$grpc_port, metrics 127.0.0.1:$metrics_port)"
  start_service "$svc" "$state" "$grpc_port" "$metrics_port"
  echo "TOUYAN_${svc^^}_ADDR=127.0.0.1:$grpc_port" >> "$state/endpoints.env"
  # The services started later call this one here (--personnel-target ...).
  export "${svc^^}_TARGET=127.0.0.1:$grpc_port"
  echo "TOUYAN_${svc^^}_METRICS=http://127.0.0.1:$metrics_port/metrics" >> "$state/endpoints.env"
  base=$((base + 1))
done
set -a; . "$state/endpoints.env"; set +a

city_token=$("$ctl" token --role=city_org_dept --scope=150900000000 --subject=demo-city --token-signing-key-file="$key")
echo "$city_token" > "$state/city.token"
say "loading the Ulanqab region tree (1 city, 11 counties, 111 townships, 1,518 villages)"
"$ctl" regions import "$TOUYAN_ROOT/data/ulanqab_regions.csv" --addr="$TOUYAN_PERSONNEL_ADDR" --token="$city_token"

# The Ulanqab 2023 demo: once per database (a restart shows its report again).
export TOKEN_SIGNING_KEY_FILE="$key"
if [ -f "$state/pg/ulanqab-2023.done" ]; then
  say "the Ulanqab 2023 scenario ran on this database before: its report, read from the services"
  "$ctl" scenario ulanqab-2023 --regions="$TOUYAN_ROOT/data/ulanqab_regions.csv" --report-dir="$state" --report-only
else
  say "running the Ulanqab 2023 scenario through the APIs (a few minutes; progress below)"
  "$ctl" scenario ulanqab-2023 --regions="$TOUYAN_ROOT/data/ulanqab_regions.csv" --report-dir="$state" \
    || die "the Ulanqab scenario failed (above); the services still run: scripts/stop.sh stops them"
  touch "$state/pg/ulanqab-2023.done"
fi
say "the report is also in .local/ulanqab-2023-report.md and .csv"

cat <<MSG

Touyan is running.
$(sed 's/^/  /' "$state/endpoints.env")
  PostgreSQL: 127.0.0.1:$PGPORT (TLS only; data in .local/pg, logs in .local/log)
$([ "$replicas" = 1 ] && echo "  Standby: 127.0.0.1:$REPLICA_PORT (streaming; the read-only calls read there; .local/pg-replica1)")
  TLS: every gRPC port; CA .local/pki/ca.crt. Tokens: ES256 from the development
  issuer .local/issuer.key, verified with .local/jwks.json

Try it:
  set -a; . .local/endpoints.env; set +a
  export TOUYAN_TOKEN=\$(cat .local/city.token)       # city organisation department, 12 h
  build/tools/touyanctl health
  build/tools/touyanctl cadres generate --count=1000 > /tmp/cadres.csv
  build/tools/touyanctl cadres import /tmp/cadres.csv
  build/tools/touyanctl cadres list --region=150929000000
  build/tools/touyanctl token --role=county_operator --scope=150929000000   # dev issuer
MSG

if $detach; then
  say "detached: scripts/stop.sh stops everything"
  exit 0
fi
say "showing the logs; Ctrl-C stops everything"
tail -n 0 -F "$state"/log/*.log &
tail_pid=$!
trap 'kill $tail_pid 2>/dev/null; "$TOUYAN_ROOT/scripts/stop.sh"; exit 0' INT TERM
wait
