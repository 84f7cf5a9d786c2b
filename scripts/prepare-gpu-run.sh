#!/usr/bin/env bash
# Builds, on this (GPU-less) machine, the programs a device session runs, so that the lease is
# spent measuring, not compiling: a CUDA build for sm_90 without MPI (the device image has no
# MPI libraries), copied with nlohmann/json's headers into build-cuda/, which the device call
# carries. Then run there: `OUT=$OUT calibrate/cuda/run_on_gpu.sh` with carry
# ["build-cuda/gpu-fleetsim", "build-cuda/gpu-include"].
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="$ROOT/build-cuda"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DFLEETSIM_CUDA=ON -DFLEETSIM_MPI=OFF \
  -DCMAKE_CUDA_ARCHITECTURES=90 -DFLEETSIM_MICROBENCH_CUDA_ARCHS=90 \
  -DFLEETSIM_TESTS=OFF -DFLEETSIM_BENCH=OFF
cmake --build "$BUILD" -j"$(nproc)" --target fleetsim fleetsim_cuda_executor fleetsim_microbench
mkdir -p "$BUILD/gpu-fleetsim" "$BUILD/gpu-include"
cp "$BUILD/apps/fleetsim/fleetsim" "$BUILD/calibrate/cuda/fleetsim_microbench" "$BUILD/gpu-fleetsim/"
cp "$BUILD/apps/fleetsim/libfleetsim_cuda_executor.so" "$BUILD/gpu-fleetsim/"
cp -r /usr/include/nlohmann "$BUILD/gpu-include/"
du -sh "$BUILD/gpu-fleetsim" "$BUILD/gpu-include"
