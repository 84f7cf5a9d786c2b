#!/usr/bin/env bash
# Determinism across architectures: builds fleetsim for AArch64 with Debian's cross compiler
# (static, without CUDA or MPI), runs a 2-hour 2% window of the default scenario under qemu and
# natively, and compares every output byte. Not part of the test suite: the cross build alone
# takes about five minutes on two cores.
# Usage: scripts/check-aarch64-determinism.sh [NATIVE_BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
native="${1:-build}/apps/fleetsim/fleetsim"
[ -x "$native" ] || { echo "build first: cmake --build ${1:-build} --target fleetsim" >&2; exit 1; }
scripts/install-deps.sh --with-aarch64-cross
arm=build-aarch64
cmake -S . -B "$arm" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=aarch64-linux-gnu-g++ \
  -DFLEETSIM_CUDA=OFF -DFLEETSIM_MPI=OFF -DFLEETSIM_TESTS=OFF -DFLEETSIM_BENCH=OFF \
  -DCMAKE_EXE_LINKER_FLAGS=-static > /dev/null
cmake --build "$arm" -j"$(nproc)" --target fleetsim
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
args=(run scenarios/deepseek-v3-r1-day.json --quiet --scale 0.02 --set duration_s=7200 --set start_clock_h=14)
"$native" "${args[@]}" --out "$tmp/native" > /dev/null
qemu-aarch64 "$arm/apps/fleetsim/fleetsim" "${args[@]}" --out "$tmp/aarch64" > /dev/null
scripts/compare-run-outputs.sh "$tmp/native" "$tmp/aarch64" "between $(uname -m) and aarch64"
