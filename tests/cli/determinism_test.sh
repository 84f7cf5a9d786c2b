#!/usr/bin/env bash
# Determinism end to end: the same scenario and seed give the same bytes run after run, and
# whichever variant of the C library's maths the CPU selects (glibc picks FMA or non-FMA code by
# CPU, and their last bits differ); no result-bearing source calls the C library's elementary
# functions (sim/engine/portable_math.hpp says why). Another architecture or compiler:
# scripts/check-build-determinism.sh.
set -euo pipefail
bin="$1"; root="$2"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

hits=$(grep -rnE 'std::(log|log2|log10|log1p|exp|exp2|expm1|pow|sin|cos|tan|asin|acos|atan|atan2|sinh|cosh|tanh|erf|erfc|tgamma|lgamma|cbrt|hypot)\(' \
  "$root/sim" "$root/reports" "$root/apps" "$root/calibrate/kernels" "$root/calibrate/comm" || true)
[ -z "$hits" ] || fail "C-library elementary functions where results are computed (use pmath:: instead):
$hits"

run() {  # run OUT_DIR [env assignments...]
  local out="$1"; shift
  env "$@" "$bin" run "$root/scenarios/deepseek-v3-r1-day.json" --quiet --scale 0.02 \
    --set duration_s=7200 --set start_clock_h=14 --out "$out" > /dev/null
}
run "$tmp/a"
run "$tmp/b"
# Off x86-64 glibc the tunable is ignored and this is a third plain run.
run "$tmp/c" GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX2,-FMA,-AVX512F
"$root/scripts/compare-run-outputs.sh" "$tmp/a" "$tmp/b" "between two runs of one scenario and seed"
"$root/scripts/compare-run-outputs.sh" "$tmp/a" "$tmp/c" "with glibc's non-FMA maths"
