#!/usr/bin/env bash
# Day benchmark: simulates the default scenario at several fractions of the load and fleet
# (default 1%, 10%, 100%) in separate processes and prints events/s, requests/s, wall time and
# peak RSS for each, then the least-squares line wall = fixed + per-request cost through them
# with each run's deviation from it (small deviations = the cost grows linearly in requests).
# Usage: bench/day_bench.sh [BUILD_DIR] [SCALES...]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}; shift || true
scales=("$@"); [ ${#scales[@]} -gt 0 ] || scales=(0.01 0.1 1)
bin="$build/apps/fleetsim/fleetsim"
[ -x "$bin" ] || { echo "build first: cmake --build $build --target fleetsim" >&2; exit 1; }
runs=$(mktemp)
trap 'rm -f "$runs"' EXIT
printf "%-7s %12s %12s %9s %12s %12s %10s %12s\n" scale requests events wall_s events/s requests/s rss_MB s/Mreq
for sc in "${scales[@]}"; do
  out=$(mktemp -d)
  "$bin" run scenarios/deepseek-v3-r1-day.json --scale "$sc" --quiet --out "$out" > /dev/null
  python3 - "$out/summary.json" "$sc" "$runs" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); m = s["sim"]; r = s["requests"]["arrived"]
print("%-7s %12d %12d %9.1f %12.3g %12.3g %10.0f %12.2f" % (sys.argv[2], r, m["events"], m["wall_s"],
      m["events_per_s"], m["requests_per_s"], m["peak_rss_mb"], m["wall_s"] / (r / 1e6)))
with open(sys.argv[3], "a") as f:
    f.write("%s %d %.6f\n" % (sys.argv[2], r, m["wall_s"]))
PY
  rm -rf "$out"
done
python3 - "$runs" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1])]
xs = [int(r[1]) / 1e6 for r in rows]; ys = [float(r[2]) for r in rows]
if len(set(xs)) < 2:
    sys.exit(0)
n = len(xs); mx = sum(xs) / n; my = sum(ys) / n
b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
a = my - b * mx
print("\nwall = %.1f s fixed + %.3f s per million requests (least squares over the runs above)" % (a, b))
for r, x, y in zip(rows, xs, ys):
    print("  scale %-6s predicted %7.1f s, measured %7.1f s (%+.1f%%)" % (r[0], a + b * x, y, (y - a - b * x) / (a + b * x) * 100))
PY
