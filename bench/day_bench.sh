#!/usr/bin/env bash
# Day benchmark: simulates the default scenario at several fractions of the load and fleet
# (default 1%, 10%, 100%) in separate processes and prints events/s, requests/s, wall time and
# peak RSS for each, and wall time per million requests (flat = linear scaling).
# Usage: bench/day_bench.sh [BUILD_DIR] [SCALES...]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}; shift || true
scales=("$@"); [ ${#scales[@]} -gt 0 ] || scales=(0.01 0.1 1)
bin="$build/apps/fleetsim/fleetsim"
[ -x "$bin" ] || { echo "build first: cmake --build $build --target fleetsim" >&2; exit 1; }
printf "%-7s %12s %12s %9s %12s %12s %10s %12s\n" scale requests events wall_s events/s requests/s rss_MB s/Mreq
for sc in "${scales[@]}"; do
  out=$(mktemp -d)
  "$bin" run scenarios/deepseek-v3-r1-day.json --scale "$sc" --quiet --out "$out" > /dev/null
  python3 - "$out/summary.json" "$sc" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); m = s["sim"]; r = s["requests"]["arrived"]
print("%-7s %12d %12d %9.1f %12.3g %12.3g %10.0f %12.2f" % (sys.argv[2], r, m["events"], m["wall_s"],
      m["events_per_s"], m["requests_per_s"], m["peak_rss_mb"], m["wall_s"] / (r / 1e6)))
PY
  rm -rf "$out"
done
