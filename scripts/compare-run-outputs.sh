#!/usr/bin/env bash
# Compares two `fleetsim run` output folders byte for byte: every CSV series, and summary.json
# less the simulator's own speed and memory. Prints the first difference and exits 1, or says how
# many files matched. Usage: scripts/compare-run-outputs.sh DIR_A DIR_B [WHAT_DIFFERS]
set -euo pipefail
a="$1"; b="$2"; why="${3:-between the two runs}"
n=0
for f in "$a"/*.csv; do
  name=$(basename "$f")
  cmp -s "$f" "$b/$name" || { echo "FAIL: $name differs $why"; exit 1; }
  n=$((n + 1))
done
[ "$n" -ge 5 ] || { echo "FAIL: expected a run's CSV series in $a, found $n files"; exit 1; }
strip() {
  python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
for k in ("wall_s", "events_per_s", "requests_per_s", "peak_rss_mb"): d["sim"].pop(k)
print(json.dumps(d, sort_keys=True))' "$1"
}
[ "$(strip "$a/summary.json")" = "$(strip "$b/summary.json")" ] || { echo "FAIL: summary.json differs $why"; exit 1; }
echo "$n CSV files and summary.json identical"
