#!/usr/bin/env bash
# A real Prometheus (Debian's) on loopback scrapes the running services:
# every target is up, and after some calls grpc_server_handled_total and the
# domain gauges are there, read back through Prometheus' HTTP API. The
# scrape configuration mirrors the ServiceMonitors (job = service name,
# port "metrics", path /metrics).
set -euo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"
command -v prometheus >/dev/null || die "prometheus is missing: run scripts/install-deps.sh"
prom_pid=""
on_exit() { [ -z "$prom_pid" ] || kill "$prom_pid" 2>/dev/null || true; }
fail() { echo "FAIL: $*" >&2; tail -20 "$state/prometheus.log" >&2 || true; exit 1; }

private_suite prom
p_grpc=$(free_port); p_metrics=$(free_port)
SERVER_EXTRA_FLAGS="--gauge-interval=1s" start_service personnel "$state" "$p_grpc" "$p_metrics"
t_grpc=$(free_port); t_metrics=$(free_port)
PERSONNEL_TARGET="127.0.0.1:$p_grpc" SERVER_EXTRA_FLAGS="--gauge-interval=1s" \
  start_service training "$state" "$t_grpc" "$t_metrics"

prom_port=$(free_port)
cat > "$state/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: personnel
    metrics_path: /metrics
    static_configs:
      - targets: ["127.0.0.1:$p_metrics"]
        labels: {namespace: touyan-test, touyan_gov_cn_county: "150929"}
  - job_name: training
    metrics_path: /metrics
    static_configs:
      - targets: ["127.0.0.1:$t_metrics"]
        labels: {namespace: touyan-test, touyan_gov_cn_county: "150929"}
YAML
promtool check config "$state/prometheus.yml" >/dev/null || fail "the scrape configuration is invalid"
prometheus --config.file="$state/prometheus.yml" --storage.tsdb.path="$state/tsdb" \
  --web.listen-address="127.0.0.1:$prom_port" --log.level=warn > "$state/prometheus.log" 2>&1 &
prom_pid=$!
api() { curl -fsS --get "http://127.0.0.1:$prom_port/api/v1/$1" "${@:2}"; }
for _ in $(seq 1 100); do api status/buildinfo >/dev/null 2>&1 && break; sleep 0.2; done
api status/buildinfo >/dev/null 2>&1 || fail "Prometheus did not start"

# Calls through both services (training asks personnel).
ctl="$TOUYAN_ROOT/build/tools/touyanctl"
export TOUYAN_PERSONNEL_ADDR="127.0.0.1:$p_grpc" TOUYAN_TRAINING_ADDR="127.0.0.1:$t_grpc"
export TOUYAN_TOKEN=$("$ctl" token --role=city_org_dept --scope=150900000000 --token-signing-key-file="$state/issuer.key")
"$ctl" regions import "$TOUYAN_ROOT/data/ulanqab_regions.csv" >/dev/null
"$ctl" call GetRegion '{"code":"150929000000"}' >/dev/null
"$ctl" call GetCoverage '{"year":2023,"theme":"乡村振兴"}' >/dev/null
"$ctl" call GetRegion '{"code":"999999999999"}' >/dev/null 2>&1 || true   # a NotFound, counted too

# Every target up.
deadline=$(( $(date +%s) + 30 ))
value() { api query --data-urlencode "query=$1" | sed -n 's/.*"value":\[[^,]*,"\([0-9.]*\)"\].*/\1/p'; }
until [ "$(value 'sum(up{job=~"personnel|training"})')" = 2 ]; do
  [ "$(date +%s)" -lt "$deadline" ] || { api targets >&2; fail "not every target is up"; }
  sleep 0.5
done
echo "targets up: personnel, training"

# The RED metrics and the domain gauges, through Prometheus.
expect_series() {  # QUERY WHAT
  local deadline=$(( $(date +%s) + 30 )) out
  until out=$(api query --data-urlencode "query=$1") && echo "$out" | grep -q '"result":\[{'; do
    [ "$(date +%s)" -lt "$deadline" ] || fail "no $2 in Prometheus: $out"
    sleep 0.5
  done
  echo "present: $2"
}
expect_series 'grpc_server_handled_total{job="personnel",grpc_method="GetRegion",grpc_code="OK"}' "personnel's handled calls"
expect_series 'grpc_server_handled_total{job="personnel",grpc_method="GetRegion",grpc_code="NotFound"}' "personnel's NotFound"
expect_series 'grpc_server_handled_total{job="training",grpc_method="GetCoverage",grpc_code="OK"}' "training's handled calls"
expect_series 'grpc_server_handled_total{job="personnel",grpc_method="ListSecretaries",grpc_code="OK"}' "training's calls to personnel"
expect_series 'histogram_quantile(0.99, sum by (le) (rate(grpc_server_handling_seconds_bucket{job="training"}[1m])))' "training's p99"
expect_series 'touyan_db_pool_connections{job="training"}' "the pool gauge"
expect_series 'touyan_personnel_villages{job="personnel"} == 1518' "the villages gauge (1518)"
echo "1 passed, 0 failed"
