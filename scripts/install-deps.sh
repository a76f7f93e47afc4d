#!/usr/bin/env bash
# Installs the Debian 12 packages Touyan needs to build, test and run.
# Idempotent: only missing packages are installed. Needs root (or sudo).
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config ninja-build
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libpqxx-dev prometheus-cpp-dev libssl-dev nlohmann-json3-dev openssl
  libxlsxwriter-dev python3-openpyxl libcairo2-dev fonts-noto-cjk poppler-utils
  libgtest-dev libgmock-dev
  golang-github-gogo-googleapis-dev
  postgresql-15 postgresql-client-15 pgbackrest
  clang-14 libfuzzer-14-dev clang-format-14
  prometheus curl
  buildah debootstrap
)
# Tools the deploy/ checks use, from Debian unless the machine has them.
command -v kubectl >/dev/null || PACKAGES+=(kubernetes-client)
command -v node >/dev/null || PACKAGES+=(nodejs)
command -v npm >/dev/null || PACKAGES+=(npm)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root to install: ${missing[*]}" >&2; exit 1; }
  SUDO=sudo
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
