#!/usr/bin/env bash
# The service image, built and run, not only written. Without a registry or
# a container runtime: a Debian 12 base made with debootstrap from Debian's
# own repository, imported into buildah as debian:12 and debian:12-slim; the
# repository's Dockerfile built with buildah (chroot isolation) for
# personnel; then the image's root filesystem mounted and every service
# binary started from it with chroot, as the image's user (10001), against
# the test PostgreSQL over TLS, until its readiness check says SERVING. The
# other three services' binaries come from this build tree, placed in the
# same image: the runtime stage is the same for all four, so this proves
# each finds every library it needs there. Prints the image's digest.
#
# Slow (a base system and a compile, ~10 minutes on 2 cores): the test
# command runs it when TOUYAN_IMAGE_TEST is not 0.
set -euo pipefail
[ "${TOUYAN_IMAGE_TEST:-1}" = 0 ] && { echo "image_test: skipped (TOUYAN_IMAGE_TEST=0)"; exit 0; }
. "$(dirname "$0")/../../scripts/lib.sh"
fail() { echo "FAIL: $*" >&2; exit 1; }
export BUILDAH_ISOLATION=chroot
for tool in buildah debootstrap chroot; do
  command -v "$tool" >/dev/null || fail "$tool is missing: run scripts/install-deps.sh"
done
image=localhost/touyan/personnel:test
on_exit() {
  [ -n "${rootfs_pids:-}" ] && { kill $rootfs_pids 2>/dev/null; sleep 1; }
  [ -n "${rootfs:-}" ] && { umount "$rootfs/proc" "$rootfs/dev" 2>/dev/null || true; }
  [ -n "${ctr:-}" ] && { buildah unmount "$ctr" >/dev/null 2>&1; buildah rm "$ctr" >/dev/null 2>&1; }
  buildah rmi -f "$image" localhost/touyan-base:12 docker.io/library/debian:12 docker.io/library/debian:12-slim \
    >/dev/null 2>&1 || true
}
private_suite image

say "a Debian 12 base with debootstrap (minbase, from Debian's repository)"
debootstrap --variant=minbase bookworm "$state/base" >"$state/debootstrap.log" 2>&1 \
  || fail "debootstrap failed: $(tail -3 "$state/debootstrap.log")"
ctr=$(buildah from scratch)
cp -a "$state/base/." "$(buildah mount "$ctr")/"
buildah unmount "$ctr" >/dev/null
buildah commit --quiet "$ctr" localhost/touyan-base:12 >/dev/null
buildah rm "$ctr" >/dev/null; ctr=""
buildah tag localhost/touyan-base:12 docker.io/library/debian:12 docker.io/library/debian:12-slim

say "building the Dockerfile (SERVICE=personnel) with buildah, chroot isolation"
start=$(date +%s)
buildah bud --isolation=chroot --pull=never --layers=false --build-arg SERVICE=personnel -t "$image" \
  "$TOUYAN_ROOT" >"$state/build.log" 2>&1 || fail "the image build failed: $(tail -5 "$state/build.log")"
say "built in $(( $(date +%s) - start )) s"
user=$(buildah inspect --format '{{.OCIv1.Config.User}}' "$image")
[ "$user" = "10001:10001" ] || fail "the image runs as '$user', not 10001:10001"
entry=$(buildah inspect --format '{{.OCIv1.Config.Entrypoint}}' "$image")
[ "$entry" = "[/usr/local/bin/touyan-server]" ] || fail "the entrypoint is $entry"

ctr=$(buildah from --pull=never "$image")
rootfs=$(buildah mount "$ctr")
# The other services' binaries, and what the services read at start.
for svc in training contest incentive; do
  cp "$TOUYAN_ROOT/build/services/$svc/${svc}_server" "$rootfs/usr/local/bin/touyan-$svc"
done
mkdir -p "$rootfs/etc/touyan"
cp "$state/pki/ca.crt" "$state/jwks.json" "$state/page.key" "$rootfs/etc/touyan/"
for svc in "${SERVICES[@]}"; do cp "$state/pki/$svc.crt" "$state/pki/$svc.key" "$rootfs/etc/touyan/"; done
chown -R 10001:10001 "$rootfs/etc/touyan"
# What a container runtime would give the process: /dev and /proc.
mount --bind /dev "$rootfs/dev" && mount -t proc proc "$rootfs/proc" || fail "cannot mount /dev and /proc into the image's root"
for bin in touyan-server touyan-training touyan-contest touyan-incentive; do
  missing=$(chroot "$rootfs" /usr/bin/ldd "/usr/local/bin/$bin" 2>&1 | grep 'not found' || true)
  [ -z "$missing" ] || fail "$bin lacks libraries in the image: $missing"
done

declare -A bin=([personnel]=touyan-server [training]=touyan-training [contest]=touyan-contest [incentive]=touyan-incentive)
rootfs_pids=""
declare -A addr=()
declare -A calls=([personnel]="" [training]="personnel" [contest]="personnel" [incentive]="personnel training contest")
for svc in "${SERVICES[@]}"; do
  targets=()
  for callee in ${calls[$svc]}; do targets+=("--$callee-target=${addr[$callee]}"); done
  port=$(free_port); health=$(free_port); upper=${svc^^}
  # The database URLs point at the host's CA file: inside the image it is /etc/touyan/ca.crt.
  url=$(eval echo "\$${upper}_DATABASE_URL" | sed "s#sslrootcert=[^&]*#sslrootcert=/etc/touyan/ca.crt#")
  murl=$(eval echo "\$${upper}_MIGRATION_DATABASE_URL" | sed "s#sslrootcert=[^&]*#sslrootcert=/etc/touyan/ca.crt#")
  aurl=$(echo "$ADMIN_DATABASE_URL" | sed "s#sslrootcert=[^&]*#sslrootcert=/etc/touyan/ca.crt#")
  # Roles and schema first (development bootstrap needs the superuser), as root.
  env -i "$(command -v chroot)" "$rootfs" "/usr/local/bin/${bin[$svc]}" --database-url="$url" --migration-database-url="$murl" \
    --admin-database-url="$aurl" --migrate-only "${targets[@]}" >"$state/$svc-migrate.log" 2>&1 \
    || fail "$svc's migration from the image failed: $(tail -3 "$state/$svc-migrate.log")"
  # A clean environment, as a container runtime gives (no host settings leak in).
  env -i "$(command -v chroot)" --userspec=10001:10001 "$rootfs" "/usr/local/bin/${bin[$svc]}" --listen-host=127.0.0.1 \
    --grpc-port="$port" --health-port="$health" --metrics-port=0 --database-url="$url" \
    --tls-cert-file="/etc/touyan/$svc.crt" --tls-key-file="/etc/touyan/$svc.key" --tls-ca-file=/etc/touyan/ca.crt \
    --jwks-file=/etc/touyan/jwks.json --page-token-key-file=/etc/touyan/page.key --readiness-interval=500ms \
    "${targets[@]}" >"$state/$svc-image.log" 2>&1 &
  rootfs_pids="$rootfs_pids $!"
  ready=""
  for _ in $(seq 1 60); do
    ready=$("$TOUYAN_ROOT/build/tools/touyanctl" health --addr="127.0.0.1:$port" --ca-file="$state/pki/ca.crt" 2>/dev/null | head -1 || true)
    [[ "$ready" == *SERVING* ]] && break
    sleep 0.5
  done
  [[ "$ready" == *" SERVING"* ]] || fail "$svc from the image did not serve: $(tail -3 "$state/$svc-image.log")"
  # Readiness on the probe port: the schema is there, the database answers.
  probe=""
  for _ in $(seq 1 20); do
    probe=$(grep -c '"msg":"ready"' "$state/$svc-image.log" || true)
    [ "$probe" -ge 1 ] && break
    sleep 0.5
  done
  [ "$probe" -ge 1 ] || fail "$svc from the image never became ready: $(tail -3 "$state/$svc-image.log")"
  say "  $svc: started from the image's root filesystem as 10001, SERVING and ready"
  addr[$svc]="127.0.0.1:$port"
done
digest=$(buildah inspect --format '{{.FromImageDigest}}' "$ctr")
echo "image: $image $digest (Dockerfile built with buildah; four services ran from its root filesystem)"
