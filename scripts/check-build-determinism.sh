#!/usr/bin/env bash
# Determinism across toolchains: builds fleetsim a second way (without CUDA, MPI, tests or
# benchmarks) and compares every output byte of a 2-hour 2% window of the default scenario run by
# both builds. `aarch64`: Debian's AArch64 cross compiler, static, run under qemu (another
# architecture). `clang`: Debian's clang on this machine (another compiler and code generator).
# Not part of the test suite: the second build takes two (clang) to five (aarch64) minutes on two
# cores.
# Usage: scripts/check-build-determinism.sh aarch64|clang [NATIVE_BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-}; native="${2:-build}/apps/fleetsim/fleetsim"
[ -x "$native" ] || { echo "build first: cmake --build ${2:-build} --target fleetsim" >&2; exit 1; }
common=(-DCMAKE_BUILD_TYPE=Release -DFLEETSIM_CUDA=OFF -DFLEETSIM_MPI=OFF -DFLEETSIM_TESTS=OFF -DFLEETSIM_BENCH=OFF)
case "$kind" in
  aarch64)
    scripts/install-deps.sh --with-aarch64-cross
    other=build-aarch64; runner=(qemu-aarch64)
    cmake -S . -B "$other" "${common[@]}" -DCMAKE_CXX_COMPILER=aarch64-linux-gnu-g++ \
      -DCMAKE_EXE_LINKER_FLAGS=-static > /dev/null ;;
  clang)
    scripts/install-deps.sh --with-clang
    other=build-clang; runner=()
    cmake -S . -B "$other" "${common[@]}" -DCMAKE_CXX_COMPILER=clang++ > /dev/null ;;
  *) echo "usage: scripts/check-build-determinism.sh aarch64|clang [NATIVE_BUILD_DIR]" >&2; exit 2 ;;
esac
cmake --build "$other" -j"$(nproc)" --target fleetsim
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
args=(run scenarios/deepseek-v3-r1-day.json --quiet --scale 0.02 --set duration_s=7200 --set start_clock_h=14)
"$native" "${args[@]}" --out "$tmp/native" > /dev/null
"${runner[@]}" "$other/apps/fleetsim/fleetsim" "${args[@]}" --out "$tmp/$kind" > /dev/null
scripts/compare-run-outputs.sh "$tmp/native" "$tmp/$kind" "between this build and the $kind build"
