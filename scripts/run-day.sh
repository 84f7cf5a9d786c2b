#!/usr/bin/env bash
# Installs what is missing, builds, and simulates the default scenario: one DeepSeek-V3/R1
# production day. Extra arguments go to `fleetsim run` (e.g. --scale 0.1, --set seed=7).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)" --target fleetsim
./build/apps/fleetsim/fleetsim run scenarios/deepseek-v3-r1-day.json --out out/deepseek-v3-r1-day "$@"
