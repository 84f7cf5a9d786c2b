#!/usr/bin/env bash
# Installs fleetsim's build and test dependencies from Debian's packages (idempotent).
# Usage: scripts/install-deps.sh [--with-test-tools] [--with-aarch64-cross] [--with-clang]
set -euo pipefail
pkgs=(build-essential cmake python3 libboost-graph-dev nlohmann-json3-dev libcli11-dev libeigen3-dev catch2)
for arg in "$@"; do
  case "$arg" in
    # Headless browser for the HTML report test; OpenMPI for the MPI sweep test.
    --with-test-tools) pkgs+=(chromium openmpi-bin libopenmpi-dev) ;;
    # Cross compiler and emulator for scripts/check-build-determinism.sh aarch64.
    --with-aarch64-cross) pkgs+=(g++-aarch64-linux-gnu qemu-user) ;;
    # A second compiler for scripts/check-build-determinism.sh clang.
    --with-clang) pkgs+=(clang) ;;
    *) echo "install-deps.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
