#!/usr/bin/env bash
# Runs `fleetsim validate-step --execute cuda` at several operating points besides the Day-6 ones
# that run_on_gpu.sh validates: decode at smaller batches, prefill at smaller token budgets. The
# JSONs go to $OUT/steps.tar.gz (the device tool returns at most eight files). Uses the carried
# program of scripts/prepare-gpu-run.sh.
#
#   OUT=/some/dir calibrate/cuda/sweep_steps_on_gpu.sh
set -uo pipefail
: "${OUT:?set OUT to the folder for results}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
FLEETSIM="$ROOT/build-cuda/gpu-fleetsim/fleetsim"
SCENARIO="$ROOT/scenarios/deepseek-v3-r1-day.json"
LIMIT_S=${LIMIT_S:-120}  # per run
source "$ROOT/calibrate/cuda/gpu_env.sh"
mkdir -p "$OUT/steps"
rc=0
run() {  # NAME ARGS...
  local name=$1; shift
  timeout "$LIMIT_S" "$FLEETSIM" validate-step "$SCENARIO" --execute cuda \
    --json "$OUT/steps/validate-step-$name.json" "$@" > "$OUT/steps/validate-step-$name.log" 2>&1
  local r=$?
  echo "validate-step $name: exit $r"
  [ "$r" -eq 0 ] || rc=$r
}
for b in 16 32 64 96; do run "decode-b$b" --phase decode --batch-per-gpu "$b"; done
for t in 4096 8192; do
  run "prefill-t$t" --phase prefill --set "deployment.prefill.token_budget_per_gpu=$t"
done
(cd "$OUT" && tar -czf steps.tar.gz steps && rm -rf steps)
exit "$rc"
