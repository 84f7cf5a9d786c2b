#!/usr/bin/env bash
# One prepared GPU session for fleetsim_microbench (H200 / sm_90): build, self-test, full
# benchmark, then `fleetsim validate-step --execute cuda` on the Day-6 decode and prefill steps;
# results and logs go under $OUT. Run from anywhere; about 1-2 min to build and 3-5 min to
# measure on an H200.
#
#   OUT=/some/dir calibrate/cuda/run_on_gpu.sh [extra fleetsim_microbench args, e.g. --quick]
#
# The device image has nvcc and CMake but may lack the project's other dependencies
# (nlohmann_json, CLI11, Eigen, Boost). So the script takes, in this order:
#  1. prebuilt programs carried in build-cuda/gpu-fleetsim/ (fleetsim_microbench, fleetsim and
#     libfleetsim_cuda_executor.so from a CUDA build here; `scripts/prepare-gpu-run.sh` makes
#     them), when they load there (no "not found" in ldd);
#  2. a CMake build there, when the project configures;
#  3. the microbenchmark alone compiled with nvcc, which needs nlohmann/json.hpp from
#     /usr/include or build-cuda/gpu-include (prepare-gpu-run.sh copies it).
# The logs end up in logs.tar.gz so that the results fit the device tool's eight returned files.
set -uo pipefail

: "${OUT:?set OUT to the folder for results and logs}"
mkdir -p "$OUT"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="${FLEETSIM_GPU_BUILD_DIR:-$ROOT/build-cuda-gpu}"
# Limits sized to fit a 15-minute device lease with room to rerun; override from the environment.
SELF_TEST_LIMIT_S=${SELF_TEST_LIMIT_S:-120}
BENCH_LIMIT_S=${BENCH_LIMIT_S:-240}
VALIDATE_LIMIT_S=${VALIDATE_LIMIT_S:-120}  # per phase
PREBUILT_DIR="$ROOT/build-cuda/gpu-fleetsim"
source "$ROOT/calibrate/cuda/gpu_env.sh"
loads() { [ -x "$1" ] && ! ldd "$1" 2>&1 | grep -q "not found"; }
SCENARIO="$ROOT/scenarios/deepseek-v3-r1-day.json"
start_s=$(date +%s)
log() { echo "[run_on_gpu $(( $(date +%s) - start_s ))s] $*" | tee -a "$OUT/run_on_gpu.log"; }

{ nvidia-smi; nvidia-smi -q -d CLOCK; } > "$OUT/nvidia-smi.txt" 2>&1 || true
/usr/local/cuda/bin/nvcc --version > "$OUT/nvcc-version.txt" 2>&1 || nvcc --version > "$OUT/nvcc-version.txt" 2>&1 || true

BIN=""
CONFIGURED=0
if loads "$PREBUILT_DIR/fleetsim_microbench"; then
  BIN="$PREBUILT_DIR/fleetsim_microbench"
  log "using the carried prebuilt programs in $PREBUILT_DIR"
else
  [ -e "$PREBUILT_DIR/fleetsim_microbench" ] && ldd "$PREBUILT_DIR/fleetsim_microbench" > "$OUT/ldd-prebuilt.txt" 2>&1
  log "configuring with CMake (sm_90)"
  if cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DFLEETSIM_CUDA=ON -DFLEETSIM_MPI=OFF \
       -DCMAKE_CUDA_ARCHITECTURES=90 -DFLEETSIM_MICROBENCH_CUDA_ARCHS=90 \
       -DFLEETSIM_TESTS=OFF -DFLEETSIM_BENCH=OFF > "$OUT/configure.log" 2>&1; then
    CONFIGURED=1
  fi
fi
if [ -n "$BIN" ]; then
  :
elif [ "$CONFIGURED" -eq 1 ] &&
   cmake --build "$BUILD" -j"$(nproc)" --target fleetsim_microbench > "$OUT/build.log" 2>&1; then
  BIN="$BUILD/calibrate/cuda/fleetsim_microbench"
else
  log "CMake build failed (see configure.log/build.log); building with nvcc directly"
  NVCC=/usr/local/cuda/bin/nvcc
  [ -x "$NVCC" ] || NVCC=nvcc
  INC=()
  [ -d "$ROOT/build-cuda/gpu-include" ] && INC+=(-I"$ROOT/build-cuda/gpu-include")
  mkdir -p "$BUILD"
  SRC=(bench_shapes.cpp cpu_reference.cpp microbench_options.cpp profile_fragment.cpp
       sample_stats.cpp attention_kernels.cu device_util.cu grouped_gemm.cu kernel_timing.cu
       lt_gemm.cu memory_kernels.cu microbench_checks.cu microbench_main.cu microbench_tables.cu)
  if (cd "$ROOT/calibrate/cuda" && "$NVCC" -std=c++20 -O3 -gencode=arch=compute_90,code=sm_90 \
        -I"$ROOT" "${INC[@]}" "${SRC[@]}" -lcublasLt -o "$BUILD/fleetsim_microbench") \
        > "$OUT/build-nvcc.log" 2>&1; then
    BIN="$BUILD/fleetsim_microbench"
  else
    log "nvcc build failed: see build-nvcc.log"
    tail -20 "$OUT/build-nvcc.log"
    exit 1
  fi
fi
log "built $BIN"

log "self-test (correctness checks against CPU references)"
timeout "$SELF_TEST_LIMIT_S" "$BIN" --self-test 2>&1 | tee "$OUT/self_test.log"
rc=${PIPESTATUS[0]}
if [ "$rc" -ne 0 ]; then
  log "self-test failed with exit code $rc; not benchmarking"
  exit "$rc"
fi

log "full benchmark"
timeout "$BENCH_LIMIT_S" "$BIN" --out "$OUT/kernel_benchmarks.json" "$@" 2>&1 | tee "$OUT/bench.log"
rc=${PIPESTATUS[0]}
{ nvidia-smi -q -d CLOCK,PERFORMANCE; } > "$OUT/nvidia-smi-after.txt" 2>&1 || true
log "benchmark exit code $rc"
if [ -f "$OUT/kernel_benchmarks.json" ]; then
  python3 - "$OUT/kernel_benchmarks.json" <<'PY' || true
import json, sys
doc = json.load(open(sys.argv[1]))
for name, t in doc["kernel_benchmarks"].items():
    if not isinstance(t, dict):
        continue
    rows = t.get("rows", [])
    best = max((r.get("tflops", 0) for r in rows), default=0)
    bw = max((r.get("gb_per_s", 0) for r in rows), default=0)
    print(f"{name:28s} rows={len(rows):3d}  max TFLOPS={best:8.1f}  max GB/s={bw:8.0f}")
PY
fi

# Validating the simulated Day-6 steps on this GPU (docs/cuda-microbench.md, "Validating a
# simulated step"): every operator run with the microbenchmark kernels against the cost model.
FLEETSIM=""
PREBUILT="$PREBUILT_DIR/fleetsim"
if loads "$PREBUILT" && [ -f "$PREBUILT_DIR/libfleetsim_cuda_executor.so" ]; then
  FLEETSIM="$PREBUILT"
elif [ "$CONFIGURED" -eq 1 ] &&
   cmake --build "$BUILD" -j"$(nproc)" --target fleetsim > "$OUT/build-fleetsim.log" 2>&1; then
  FLEETSIM="$BUILD/apps/fleetsim/fleetsim"
fi
if [ -z "$FLEETSIM" ]; then
  log "no fleetsim program (CMake could not build it here and none is carried in $PREBUILT): validate-step skipped"
else
  log "validate-step with $FLEETSIM"
  for phase in decode prefill; do
    timeout "$VALIDATE_LIMIT_S" "$FLEETSIM" validate-step "$SCENARIO" --phase "$phase" \
      --execute cuda --json "$OUT/validate-step-$phase.json" \
      --write-measured "$OUT/measured-$phase.json" 2>&1 | tee "$OUT/validate-step-$phase.log"
    vrc=${PIPESTATUS[0]}
    log "validate-step $phase exit code $vrc"
    [ "$vrc" -eq 0 ] || [ "$rc" -ne 0 ] || rc=$vrc
  done
fi

# Logs into one archive: the device tool returns at most eight files.
(cd "$OUT" && tar -czf logs.tar.gz -- *.log *.txt 2>/dev/null && rm -f -- *.log *.txt) || true
exit "$rc"
