#!/usr/bin/env bash
# The service images, built, pinned and run, not only written. Without a
# registry or a container runtime: scripts/release-images.sh builds the four
# images from the repository's Dockerfile with buildah (chroot isolation) on
# a Debian 12 base made with debootstrap from Debian's own repository, pushes
# them to an OCI layout and pins their digests in a copy of deploy/; the
# rendered prod overlay must run exactly the pushed digests. Then each
# image's root filesystem is mounted and its service started from it with
# chroot, as the image's user (10001), against the test PostgreSQL over TLS,
# until its readiness check says SERVING: every image has every library its
# service needs.
#
# Slow (a base system and a compile of the four services, 8–12 minutes on 2
# cores): the test command runs it when TOUYAN_IMAGE_TEST is not 0.
set -euo pipefail
[ "${TOUYAN_IMAGE_TEST:-1}" = 0 ] && { echo "image_test: skipped (TOUYAN_IMAGE_TEST=0)"; exit 0; }
. "$(dirname "$0")/../../scripts/lib.sh"
fail() { echo "FAIL: $*" >&2; exit 1; }
export BUILDAH_ISOLATION=chroot
for tool in buildah debootstrap chroot; do
  command -v "$tool" >/dev/null || fail "$tool is missing: run scripts/install-deps.sh"
done
version=0.0.1
on_exit() {
  [ -n "${rootfs_pids:-}" ] && { kill $rootfs_pids 2>/dev/null; sleep 1; }
  for r in ${rootfs_all:-}; do umount "$r/proc" "$r/dev" 2>/dev/null || true; done
  for c in ${ctrs:-}; do buildah unmount "$c" >/dev/null 2>&1; buildah rm "$c" >/dev/null 2>&1; done
  for svc in "${SERVICES[@]}"; do buildah rmi -f "localhost/touyan/$svc:$version" >/dev/null 2>&1; done
  # The build stage's cached layers this run left (a gigabyte each).
  for id in $(comm -13 <(echo "${images_before:-}" | sort) <(buildah images -q 2>/dev/null | sort)); do
    buildah rmi -f "$id" >/dev/null 2>&1 || true
  done
  buildah rmi -f localhost/touyan-base:12 docker.io/library/debian:12 docker.io/library/debian:12-slim \
    >/dev/null 2>&1 || true
}
images_before=$(buildah images -q 2>/dev/null || true)
private_suite image

say "the release: four images built from the Dockerfile, pushed to an OCI layout, pinned in a copy of deploy/"
tar -C "$TOUYAN_ROOT" --exclude=node_modules -cf - deploy | tar -C "$state" -xf -
start=$(date +%s)
"$TOUYAN_ROOT/scripts/release-images.sh" --push-to="oci:$state/oci" --deploy="$state/deploy" --version=$version \
  2>"$state/release.log" || fail "the release failed: $(tail -5 "$state/release.log")"
say "built and pushed in $(( $(date +%s) - start )) s"
kubectl kustomize "$state/deploy/overlays/prod" > "$state/prod.yaml" 2>/dev/null || fail "the pinned prod overlay does not render"
for svc in "${SERVICES[@]}"; do
  pushed=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['manifests'][0]['digest'])" "$state/oci/$svc/index.json")
  grep -q "image: registry.example.gov.cn/touyan/$svc@$pushed\$" "$state/prod.yaml" \
    || fail "prod does not run the $svc image that was pushed ($pushed)"
  user=$(buildah inspect --format '{{.OCIv1.Config.User}}' "localhost/touyan/$svc:$version")
  [ "$user" = "10001:10001" ] || fail "$svc's image runs as '$user', not 10001:10001"
  entry=$(buildah inspect --format '{{.OCIv1.Config.Entrypoint}}' "localhost/touyan/$svc:$version")
  [ "$entry" = "[/usr/local/bin/touyan-server]" ] || fail "$svc's entrypoint is $entry"
done
say "  prod and the counties run exactly the pushed digests"

# Each service's own image: its root filesystem, what the service reads at
# start, and what a container runtime would give the process (/dev, /proc).
declare -A root=()
ctrs=""; rootfs_all=""
for svc in "${SERVICES[@]}"; do
  ctr=$(buildah from --pull=never "localhost/touyan/$svc:$version")
  ctrs="$ctrs $ctr"
  rootfs=$(buildah mount "$ctr")
  rootfs_all="$rootfs_all $rootfs"
  root[$svc]=$rootfs
  mkdir -p "$rootfs/etc/touyan"
  cp "$state/pki/ca.crt" "$state/jwks.json" "$state/page.key" "$state/data-keys" "$state/pki/$svc.crt" "$state/pki/$svc.key" "$rootfs/etc/touyan/"
  chown -R 10001:10001 "$rootfs/etc/touyan"
  mount --bind /dev "$rootfs/dev" && mount -t proc proc "$rootfs/proc" || fail "cannot mount /dev and /proc into $svc's image"
  missing=$(chroot "$rootfs" /usr/bin/ldd /usr/local/bin/touyan-server 2>&1 | grep 'not found' || true)
  [ -z "$missing" ] || fail "$svc lacks libraries in its image: $missing"
done

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
  env -i "$(command -v chroot)" "${root[$svc]}" /usr/local/bin/touyan-server --database-url="$url" --migration-database-url="$murl" \
    --admin-database-url="$aurl" --migrate-only "${targets[@]}" >"$state/$svc-migrate.log" 2>&1 \
    || fail "$svc's migration from the image failed: $(tail -3 "$state/$svc-migrate.log")"
  # A clean environment, as a container runtime gives (no host settings leak in).
  env -i "$(command -v chroot)" --userspec=10001:10001 "${root[$svc]}" /usr/local/bin/touyan-server --listen-host=127.0.0.1 \
    --grpc-port="$port" --health-port="$health" --metrics-port=0 --database-url="$url" \
    --tls-cert-file="/etc/touyan/$svc.crt" --tls-key-file="/etc/touyan/$svc.key" --tls-ca-file=/etc/touyan/ca.crt \
    --jwks-file=/etc/touyan/jwks.json --page-token-key-file=/etc/touyan/page.key --readiness-interval=500ms \
    --data-keys-file=/etc/touyan/data-keys "${targets[@]}" >"$state/$svc-image.log" 2>&1 &
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
  say "  $svc: started from its image's root filesystem as 10001, SERVING and ready"
  addr[$svc]="127.0.0.1:$port"
done
echo "images: ${SERVICES[*]} built with buildah from the Dockerfile, pinned by digest, each run from its own root filesystem"
