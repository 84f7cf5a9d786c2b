#!/usr/bin/env bash
# Speed of two fleetsim binaries on the same window, for a speed change: runs them in turn
# (A, B, A, B, ...) so that this machine's drift over minutes falls on both, checks that their
# outputs are byte-identical, and prints each binary's user seconds (least and median).
# Usage: bench/compare_binaries.sh BIN_A BIN_B [PAIRS] [fleetsim run options...]
# Default window: the peak hour, --set duration_s=3600 --set start_clock_h=14.
set -euo pipefail
cd "$(dirname "$0")/.."
a=$1; b=$2; pairs=${3:-5}; shift 2; shift || true
opts=("$@"); [ ${#opts[@]} -gt 0 ] || opts=(--set duration_s=3600 --set start_clock_h=14)
for bin in "$a" "$b"; do [ -x "$bin" ] || { echo "not an executable: $bin" >&2; exit 1; }; done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for i in $(seq "$pairs"); do
  for side in A B; do
    bin=$a; [ "$side" = B ] && bin=$b
    /usr/bin/time -f "%U" -o "$tmp/t" "$bin" run scenarios/deepseek-v3-r1-day.json "${opts[@]}" \
      --quiet --out "$tmp/$side" > /dev/null
    echo "$side $(cat "$tmp/t")" | tee -a "$tmp/times"
  done
  [ "$i" -gt 1 ] || scripts/compare-run-outputs.sh "$tmp/A" "$tmp/B" "between A and B"
done
python3 - "$tmp/times" "$a" "$b" <<'PY'
import statistics, sys
t = {"A": [], "B": []}
for line in open(sys.argv[1]):
    side, s = line.split()
    t[side].append(float(s))
for side, name in (("A", sys.argv[2]), ("B", sys.argv[3])):
    print("%s %-40s least %.2f s, median %.2f s of %d runs" % (side, name, min(t[side]), statistics.median(t[side]), len(t[side])))
print("B against A: least %+.1f%%, median %+.1f%%" % ((min(t["B"]) / min(t["A"]) - 1) * 100,
      (statistics.median(t["B"]) / statistics.median(t["A"]) - 1) * 100))
PY
