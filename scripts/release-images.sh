#!/usr/bin/env bash
# Builds the four service images from the Dockerfile (buildah, chroot
# isolation; the build stage is shared), pushes them, and pins what was
# pushed by digest in deploy/release/kustomization.yaml — the one place the
# city's and the counties' overlays take their images from (deploy/tools/check
# refuses a tag there). Commit that file with the release.
#
#   scripts/release-images.sh [--registry=REG] [--push-to=DEST] [--version=V]
#                             [--deploy=DIR]
#
#   --registry  the name the cluster pulls from (default
#               registry.example.gov.cn/touyan): images REG/<service>
#   --push-to   where to push (default docker://REG); an OCI layout directory
#               works too: oci:/path (then <service>:V beneath it)
#   --version   the tag pushed beside the digest (default 0.5.0)
#   --deploy    the deploy/ folder to pin in (default this repository's)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
registry=registry.example.gov.cn/touyan
dest=""
version=0.5.0
deploy="$TOUYAN_ROOT/deploy"
for arg in "$@"; do
  case "$arg" in
    --registry=*) registry=${arg#*=} ;;
    --push-to=*) dest=${arg#*=} ;;
    --version=*) version=${arg#*=} ;;
    --deploy=*) deploy=${arg#*=} ;;
    *) die "unknown argument '$arg': see the head of scripts/release-images.sh" ;;
  esac
done
dest=${dest:-docker://$registry}
[[ "$dest" == oci:* ]] && mkdir -p "${dest#oci:}"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "--version must look like 1.2.3, not '$version'"
[ -d "$deploy/release" ] || die "$deploy/release is missing: --deploy names a deploy/ folder"
for tool in buildah debootstrap; do
  command -v "$tool" >/dev/null || die "$tool is missing: run scripts/install-deps.sh"
done
export BUILDAH_ISOLATION=chroot
work=$(mktemp -d /tmp/touyan-release.XXXXXX)
trap 'rm -rf "$work"' EXIT

debian_base_image "$work"
declare -A digest=()
for svc in "${SERVICES[@]}"; do
  say "building $svc (${SERVICES[*]}: the build stage is shared; the first build compiles all four)"
  start=$(date +%s)
  buildah bud --isolation=chroot --pull=never --layers --build-arg SERVICE="$svc" \
    -t "localhost/touyan/$svc:$version" "$TOUYAN_ROOT" >"$work/build-$svc.log" 2>&1 \
    || die "building $svc failed: $(tail -5 "$work/build-$svc.log")"
  say "  built in $(( $(date +%s) - start )) s; pushing to $dest/$svc:$version"
  buildah push --quiet --digestfile "$work/$svc.digest" "localhost/touyan/$svc:$version" \
    "$dest/$svc:$version" >"$work/push-$svc.log" 2>&1 \
    || die "pushing $svc failed: $(tail -3 "$work/push-$svc.log")"
  digest[$svc]=$(cat "$work/$svc.digest")
  [[ "${digest[$svc]}" =~ ^sha256:[0-9a-f]{64}$ ]] || die "buildah gave '${digest[$svc]}' as $svc's digest"
  say "  $svc: ${digest[$svc]}"
done

{
  cat <<YAML
# The images of the city's and the counties' suites, pinned by digest:
# written by scripts/release-images.sh (version $version, pushed to $dest),
# included by overlays/prod and overlays/counties/*. Do not edit by hand;
# deploy/tools/check refuses a tag in those overlays.
apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
images:
YAML
  for svc in "${SERVICES[@]}"; do
    printf '  - name: touyan/%s\n    newName: %s/%s\n    digest: %s\n' "$svc" "$registry" "$svc" "${digest[$svc]}"
  done
} > "$deploy/release/kustomization.yaml"
say "pinned in $deploy/release/kustomization.yaml"
