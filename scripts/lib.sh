# Shared by scripts/*.sh. Source it; it defines functions only.

TOUYAN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
SERVICES=(personnel training contest incentive)  # in start order: a service starts after those it calls

say() { printf '\033[1m[touyan]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[31m[touyan] error:\033[0m %s\n' "$*" >&2; exit 1; }

# A TCP port nobody listens on, from the range given (default 20000-32000:
# below the kernel's ephemeral range, 32768-60999 by default, where a port an
# outgoing connection holds refuses bind() though nothing listens).
free_port() {
  local lo=${1:-20000} hi=${2:-32000} p
  for _ in $(seq 1 200); do
    p=$(( lo + RANDOM % (hi - lo) ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  die "no free port found between $lo and $hi"
}

# Postgres refuses to run as root: as root, run its tools as the postgres user.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

build() {
  local type=${1:-Release}
  say "building ($type) in build/ …"
  cmake -S "$TOUYAN_ROOT" -B "$TOUYAN_ROOT/build" -G Ninja -DCMAKE_BUILD_TYPE="$type" >/dev/null \
    || die "cmake configuration failed (see above)"
  ninja -C "$TOUYAN_ROOT/build" || die "the build failed (see above)"
}

random_secret() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# pg_start DIR: a private cluster in DIR on a free loopback port (reused if
# DIR already holds one), TLS only over TCP, its certificate from the
# development PKI beside DIR (DIR/../pki). Writes DIR/env with the URLs the
# services use (sslmode=verify-full against that CA).
pg_start() {
  local dir=$1
  mkdir -p "$dir"
  local pki; pki="$(cd "$dir/.." && pwd)/pki"
  ensure_dev_pki "$pki"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    say "initialising a private PostgreSQL 15 cluster in $dir/data"
    local pw; pw=$(random_secret)
    echo "$pw" > "$dir/admin.pw"
    [ "$(id -u)" -eq 0 ] && chown -R postgres: "$dir"
    as_pg "$PG_BIN/initdb" -D "$dir/data" -U postgres --pwfile="$dir/admin.pw" \
      --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null \
      || die "initdb failed in $dir/data"
    {
      echo "ADMIN_PW=$pw"
      for s in "${SERVICES[@]}"; do
        echo "${s^^}_APP_PW=$(random_secret)"
        echo "${s^^}_OWNER_PW=$(random_secret)"
      done
    } > "$dir/secrets"
    chmod 600 "$dir/secrets" "$dir/admin.pw"
    # TCP connections must use TLS: plaintext ones are refused.
    sed -i 's/^host\([[:space:]]\)/hostssl\1/' "$dir/data/pg_hba.conf"
  fi
  mkdir -p "$dir/tls"
  cp "$pki/postgres.crt" "$dir/tls/server.crt"
  cp "$pki/postgres.key" "$dir/tls/server.key"
  chmod 600 "$dir/tls/server.key"
  # A cluster made before a service existed gets that service's secrets now.
  local s
  for s in "${SERVICES[@]}"; do
    grep -q "^${s^^}_APP_PW=" "$dir/secrets" || {
      echo "${s^^}_APP_PW=$(random_secret)"
      echo "${s^^}_OWNER_PW=$(random_secret)"
    } >> "$dir/secrets"
  done
  local port pid
  if [ -f "$dir/port" ] && "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$(cat "$dir/port")"; then
    port=$(cat "$dir/port")
  else
    # A postmaster killed with -9 leaves its lock file (and, where nobody
    # reaps it, a zombie that still "exists"): clear the lock only if its
    # process is gone or a zombie, never under a live server.
    local lock
    for lock in "$dir/data/postmaster.pid" "$dir"/.s.PGSQL.*.lock; do
      [ -f "$lock" ] || continue
      pid=$(head -1 "$lock")
      case "$(ps -o stat= -p "$pid" 2>/dev/null)" in
        ""|Z*) rm -f "$lock" "${lock%.lock}" ;;
      esac
    done
    # The cluster keeps its port across restarts when it is still free, so
    # that running services reconnect to the same address.
    port=$(cat "$dir/port" 2>/dev/null || true)
    if [ -z "$port" ] || (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      port=$(free_port 15000 20000)
    fi
    echo "$port" > "$dir/port"
    [ "$(id -u)" -eq 0 ] && chown -R postgres: "$dir"
    local archive=""
    if [ "${PG_ARCHIVE:-off}" = on ]; then
      pgbackrest_config "$dir" "$port"
      archive="-c archive_mode=on -c archive_timeout=60 -c archive_command='pgbackrest --config=$(dirname "$dir")/pgbackrest.conf --stanza=touyan archive-push %p'"
    fi
    as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=${PG_FSYNC:-on} -c ssl=on -c ssl_cert_file=$dir/tls/server.crt -c ssl_key_file=$dir/tls/server.key -c ssl_min_protocol_version=TLSv1.2 $archive" \
      start >/dev/null || die "Postgres did not start: see $dir/postgres.log"
    if [ "${PG_ARCHIVE:-off}" = on ]; then
      pgbackrest_run "$dir" stanza-create >/dev/null || die "pgbackrest stanza-create failed (see $(dirname "$dir")/backup/log)"
    fi
  fi
  as_pg "$PG_BIN/psql" -h "$dir" -p "$port" -U postgres -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = 'touyan'" | grep -q 1 \
    || as_pg "$PG_BIN/createdb" -h "$dir" -p "$port" -U postgres touyan
  # shellcheck disable=SC1091
  . "$dir/secrets"
  local tls="sslmode=verify-full&sslrootcert=$pki/ca.crt"
  {
    echo "PGPORT=$port"
    echo "PGSSLROOTCERT='$pki/ca.crt'"
    # Quoted: the URLs hold '&', and the file is sourced.
    echo "ADMIN_DATABASE_URL='postgresql://postgres:$ADMIN_PW@127.0.0.1:$port/touyan?$tls'"
    for s in "${SERVICES[@]}"; do
      local app owner
      app=$(eval echo "\$${s^^}_APP_PW"); owner=$(eval echo "\$${s^^}_OWNER_PW")
      echo "${s^^}_DATABASE_URL='postgresql://${s}_app:$app@127.0.0.1:$port/touyan?$tls'"
      echo "${s^^}_MIGRATION_DATABASE_URL='postgresql://${s}_owner:$owner@127.0.0.1:$port/touyan?$tls'"
    done
  } > "$dir/env"
  chmod 600 "$dir/env"
  say "PostgreSQL 15 listening on 127.0.0.1:$port (data in $dir/data)"
}

# pg_replica_start PRIMARY_DIR DIR: a streaming standby (hot, read-only) of
# the cluster pg_start runs in PRIMARY_DIR: made once with pg_basebackup
# through a physical replication slot (the primary keeps the WAL it has not
# received), then started on a port of its own. Writes DIR/port, DIR/ctl
# (start|stop: the standby alone, e.g. to see reads fall back) and DIR/env
# (<SVC>_DATABASE_READ_URL for each service).
pg_replica_start() {
  local primary=$1 dir=$2
  local pport; pport=$(cat "$primary/port")
  local pki; pki="$(cd "$primary/.." && pwd)/pki"
  local slot; slot=$(basename "$dir"); slot="touyan_${slot//[^a-z0-9]/_}"
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    say "making a streaming standby in $dir/data (pg_basebackup)"
    as_pg "$PG_BIN/psql" -h "$primary" -p "$pport" -U postgres -d postgres -qtAc \
      "SELECT pg_drop_replication_slot('$slot') FROM pg_replication_slots WHERE slot_name = '$slot'" >/dev/null
    as_pg "$PG_BIN/pg_basebackup" -h "$primary" -p "$pport" -U postgres -D "$dir/data" \
      -R -X stream -C -S "$slot" -c fast >/dev/null 2>"$dir/basebackup.log" \
      || die "pg_basebackup failed: see $dir/basebackup.log"
  fi
  local port
  port=$(cat "$dir/port" 2>/dev/null || true)
  if [ -z "$port" ] || { ! "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" \
                         && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }; then
    port=$(free_port 15000 20000)
  fi
  echo "$port" > "$dir/port"
  cat > "$dir/ctl" <<CTL
#!/usr/bin/env bash
# start|stop the standby in $dir (scripts/lib.sh pg_replica_start made it).
set -euo pipefail
. "$TOUYAN_ROOT/scripts/lib.sh"
case "\${1:-}" in
  start) as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \\
           -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=${PG_FSYNC:-on} -c hot_standby_feedback=on -c ssl=on -c ssl_cert_file=$primary/tls/server.crt -c ssl_key_file=$primary/tls/server.key -c ssl_min_protocol_version=TLSv1.2" \\
           start >/dev/null ;;
  stop) pg_stop "$dir" ;;
  *) echo "usage: \$0 start|stop" >&2; exit 2 ;;
esac
CTL
  chmod 755 "$dir/ctl"
  "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" || "$dir/ctl" start \
    || die "the standby did not start: see $dir/postgres.log"
  # shellcheck disable=SC1091
  . "$primary/secrets"
  local tls="sslmode=verify-full&sslrootcert=$pki/ca.crt" s app
  {
    echo "REPLICA_PORT=$port"
    for s in "${SERVICES[@]}"; do
      app=$(eval echo "\$${s^^}_APP_PW")
      echo "${s^^}_DATABASE_READ_URL='postgresql://${s}_app:$app@127.0.0.1:$port/touyan?$tls'"
    done
  } > "$dir/env"
  chmod 600 "$dir/env"
  say "PostgreSQL standby listening on 127.0.0.1:$port (streaming from 127.0.0.1:$pport)"
}

# pgbackrest_config DIR PORT: the pgBackRest configuration of the cluster in
# DIR: its repository beside it (DIR/../backup), full backups kept: 2.
pgbackrest_config() {
  local dir=$1 port=$2 state; state=$(dirname "$dir")
  mkdir -p "$state/backup"
  cat > "$state/pgbackrest.conf" <<CONF
[global]
repo1-path=$state/backup
repo1-retention-full=2
log-path=$state/backup/log
lock-path=$state/backup/lock
log-level-console=warn
log-level-file=info
start-fast=y
compress-type=lz4

[touyan]
pg1-path=$dir/data
pg1-port=$port
pg1-socket-path=$dir
pg1-user=postgres
CONF
  [ "$(id -u)" -eq 0 ] && chown -R postgres: "$state/backup" "$state/pgbackrest.conf"
  return 0
}

# pgbackrest_run DIR COMMAND [ARGS]: pgBackRest on the cluster in DIR, as postgres.
pgbackrest_run() {
  local dir=$1; shift
  as_pg pgbackrest --config="$(dirname "$dir")/pgbackrest.conf" --stanza=touyan "$@"
}

pg_stop() {
  local dir=$1
  [ -f "$dir/data/PG_VERSION" ] || return 0
  as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}

# start_service SVC STATE_DIR GRPC_PORT METRICS_PORT: starts build/…/SVC_server
# against the cluster whose env was loaded (pg_start's DIR/env), logging to
# STATE_DIR/log/SVC.log, and waits until its health check says SERVING.
# SERVER_BIN, if set, is the binary to start instead (bench/ab --b-server).
start_service() {
  local svc=$1 state=$2 grpc_port=$3 metrics_port=$4 upper=${1^^}
  # Reads on a standby when pg_replica_start's env was loaded.
  local read_var="${upper}_DATABASE_READ_URL"
  mkdir -p "$state/run" "$state/log"
  nohup "${SERVER_BIN:-$TOUYAN_ROOT/build/services/$svc/${svc}_server}" \
    --listen-host=127.0.0.1 --grpc-port="$grpc_port" --metrics-port="$metrics_port" \
    --database-url="$(eval echo "\$${upper}_DATABASE_URL")" \
    ${!read_var:+"--database-read-url=${!read_var}"} \
    --migration-database-url="$(eval echo "\$${upper}_MIGRATION_DATABASE_URL")" \
    --admin-database-url="$ADMIN_DATABASE_URL" \
    $(dev_service_flags "$svc" "$state") ${SERVER_EXTRA_FLAGS:-} \
    >> "$state/log/$svc.log" 2>&1 &
  echo $! > "$state/run/$svc.pid"
  local i tls="--ca-file=$state/pki/ca.crt"
  [[ " ${SERVER_EXTRA_FLAGS:-} " == *" --insecure "* ]] && tls="--insecure"
  for i in $(seq 1 100); do
    "$TOUYAN_ROOT/build/tools/touyanctl" health --addr="127.0.0.1:$grpc_port" "$tls" >/dev/null 2>&1 && return 0
    kill -0 "$(cat "$state/run/$svc.pid")" 2>/dev/null \
      || { tail -5 "$state/log/$svc.log" >&2; die "$svc exited during start (log: $state/log/$svc.log)"; }
    sleep 0.2
  done
  die "$svc did not become healthy in 20 s (log: $state/log/$svc.log)"
}

# stop_services STATE_DIR: SIGTERM to every service started there, so
# in-flight calls drain; SIGKILL after 15 s.
stop_services() {
  local state=$1 pidfile pid svc
  for pidfile in "$state"/run/*.pid; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile"); svc=$(basename "$pidfile" .pid)
    if kill -0 "$pid" 2>/dev/null; then
      say "stopping $svc (pid $pid)"
      kill -TERM "$pid"
      for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && { say "$svc did not stop in 15 s; killing it"; kill -KILL "$pid"; }
    fi
    rm -f "$pidfile"
  done
}

# ensure_dev_pki DIR: a development PKI in DIR, made once: a CA (ca.crt,
# ca.key) and, signed by it, a certificate per service (server and client
# use; SANs localhost, 127.0.0.1 and spiffe://touyan/<service>, the identity
# another service knows it by) and one for Postgres. In Kubernetes
# cert-manager issues the same shapes (deploy/README.md).
ensure_dev_pki() {
  local dir=$1 name
  mkdir -p "$dir"
  if [ ! -s "$dir/ca.crt" ]; then
    (umask 077; openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
      -subj "/O=Touyan development/CN=Touyan development CA" -keyout "$dir/ca.key" -out "$dir/ca.crt" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
      2>/dev/null) || die "openssl could not make the development CA in $dir"
  fi
  for name in "${SERVICES[@]}" postgres; do
    [ -s "$dir/$name.crt" ] && continue
    local uri=""; [ "$name" != postgres ] && uri=",URI:spiffe://touyan/$name"
    issue_cert "$dir" "$name" "DNS:localhost,DNS:$name,IP:127.0.0.1$uri"
  done
}

# issue_cert DIR NAME SANS [CA_DIR]: DIR/NAME.crt and .key signed by the CA in
# CA_DIR (default DIR), for server and client use.
issue_cert() {
  local dir=$1 name=$2 sans=$3 ca=${4:-$1}
  (umask 077; openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj "/O=Touyan development/CN=$name" -keyout "$dir/$name.key" -out "$dir/$name.csr" 2>/dev/null) \
    || die "openssl could not make a key for $name"
  openssl x509 -req -in "$dir/$name.csr" -CA "$ca/ca.crt" -CAkey "$ca/ca.key" -set_serial "0x$(random_secret)" \
    -days 825 -out "$dir/$name.crt.new" -extfile <(printf '%s\n' "subjectAltName=$sans" \
      "extendedKeyUsage=serverAuth,clientAuth" "basicConstraints=critical,CA:FALSE" \
      "keyUsage=critical,digitalSignature,keyEncipherment") 2>/dev/null \
    || die "openssl could not sign the certificate of $name"
  mv "$dir/$name.crt.new" "$dir/$name.crt"
  rm -f "$dir/$name.csr"
}

# ensure_dev_issuer STATE: the development token issuer, made once: an ES256
# private key (STATE/issuer.key: touyanctl token signs with it) and its
# public JWK Set (STATE/jwks.json: the services verify with it), the key
# every replica signs page tokens with (STATE/page.key) and the data keys
# personnel and incentive seal personal data with (STATE/data-keys).
ensure_dev_issuer() {
  local state=$1
  if [ ! -s "$state/issuer.key" ]; then
    (umask 077; openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$state/issuer.key") \
      || die "openssl could not make the development issuer key"
    rm -f "$state/jwks.json"
  fi
  [ -s "$state/jwks.json" ] || "$TOUYAN_ROOT/build/tools/touyanctl" jwks "$state/issuer.key" > "$state/jwks.json" \
    || die "could not write $state/jwks.json"
  [ -s "$state/page.key" ] || { (umask 077; random_secret > "$state/page.key"); }
  [ -s "$state/data-keys" ] || new_data_keys > "$state/data-keys" || die "could not write $state/data-keys"
}

# new_data_keys: a data keys file (common/crypto/keyring.h) with a fresh
# blind-index key and one data key, current, named after this month.
new_data_keys() {
  local id; id=$(date -u +%Y-%m)
  (umask 077
   echo "# Touyan data keys: the blind-index key never changes; add a key and make it current to rotate"
   echo "index $(openssl rand -hex 32)"
   echo "key $id $(openssl rand -hex 32)"
   echo "current $id")
}

# The flags every service gets in development: TLS with its certificate from
# STATE/pki, tokens verified with STATE/jwks.json.
dev_service_flags() {
  local svc=$1 state=$2
  echo "--tls-cert-file=$state/pki/$svc.crt --tls-key-file=$state/pki/$svc.key --tls-ca-file=$state/pki/ca.crt" \
       "--jwks-file=$state/jwks.json --page-token-key-file=$state/page.key" \
       "$(case $svc in personnel|incentive) echo "--data-keys-file=$state/data-keys";; esac)"
}

# private_suite NAME: a throw-away state folder /tmp/touyan-NAME.XXXXXX (in
# $state) with its own Postgres (its URLs exported), PKI and development
# issuer (TOUYAN_CA_FILE and TOKEN_SIGNING_KEY_FILE exported), for a
# test or benchmark. On exit it stops what was started there and removes the
# folder (KEEP=1 keeps it); a script with more to stop defines on_exit first.
private_suite() {
  state=$(mktemp -d "/tmp/touyan-$1.XXXXXX")
  chmod 755 "$state"
  trap _private_suite_exit EXIT
  pg_start "$state/pg" 2>/dev/null
  set -a; . "$state/pg/env"; set +a
  ensure_dev_issuer "$state"
  export TOUYAN_CA_FILE="$state/pki/ca.crt" TOKEN_SIGNING_KEY_FILE="$state/issuer.key"
}
_private_suite_exit() {
  if declare -F on_exit >/dev/null; then on_exit || true; fi
  stop_services "$state" 2>/dev/null; pg_stop "$state/pg"; [ -n "${KEEP:-}" ] || rm -rf "$state"
}

# start_every_service STATE: the services in start order on free ports, each
# told where the earlier ones listen; exports <SVC>_TARGET and
# TOUYAN_<SVC>_ADDR (what touyanctl reads).
start_every_service() {
  local svc port
  for svc in "${SERVICES[@]}"; do
    port=$(free_port)
    start_service "$svc" "$1" "$port" "$(free_port)"
    export "${svc^^}_TARGET=127.0.0.1:$port" "TOUYAN_${svc^^}_ADDR=127.0.0.1:$port"
  done
}

# personnel_suite NAME: private_suite NAME with the personnel service on a
# free port ($port), the Ulanqab region tree imported, and touyanctl ($ctl)
# pointed at it as the city's organisation department (TOUYAN_PERSONNEL_ADDR,
# TOUYAN_TOKEN exported).
personnel_suite() {
  private_suite "$1"
  port=$(free_port)
  start_service personnel "$state" "$port" "$(free_port)"
  ctl="$TOUYAN_ROOT/build/tools/touyanctl"
  export TOUYAN_PERSONNEL_ADDR="127.0.0.1:$port"
  TOUYAN_TOKEN=$("$ctl" token --role=city_org_dept --scope=150900000000 --token-signing-key-file="$state/issuer.key")
  export TOUYAN_TOKEN
  "$ctl" regions import "$TOUYAN_ROOT/data/ulanqab_regions.csv" >/dev/null
}

# debian_base_image DIR: the images debian:12 and debian:12-slim in buildah's
# store, made without a registry: a Debian 12 minbase with debootstrap from
# Debian's repository (in DIR/base), imported as localhost/touyan-base:12 and
# tagged with both names. Kept when already there.
debian_base_image() {
  local dir=$1 ctr
  if buildah inspect --type image localhost/touyan-base:12 >/dev/null 2>&1; then
    buildah tag localhost/touyan-base:12 docker.io/library/debian:12 docker.io/library/debian:12-slim
    return 0
  fi
  say "a Debian 12 base with debootstrap (minbase, from Debian's repository)"
  mkdir -p "$dir"
  debootstrap --variant=minbase bookworm "$dir/base" >"$dir/debootstrap.log" 2>&1 \
    || die "debootstrap failed: $(tail -3 "$dir/debootstrap.log")"
  ctr=$(buildah from scratch)
  cp -a "$dir/base/." "$(buildah mount "$ctr")/"
  buildah unmount "$ctr" >/dev/null
  buildah commit --quiet "$ctr" localhost/touyan-base:12 >/dev/null
  buildah rm "$ctr" >/dev/null
  rm -rf "$dir/base"
  buildah tag localhost/touyan-base:12 docker.io/library/debian:12 docker.io/library/debian:12-slim
}
