#!/usr/bin/env bash
# `fleetsim plan` end to end at 2% of the Day-6 peak: it finds an SLO-meeting fleet, simulates
# every fleet it reports, writes its four files, gives the same plan with 1 and 2 threads, and
# a tighter TTFT target never gives a cheaper fleet.
# Usage: plan_test.sh FLEETSIM ROOT
set -euo pipefail
bin="$1"; root="$2"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
args=("$root/scenarios/deepseek-v3-r1-day.json" --load-fraction 0.02 --window-s 300 --screen-s 60
  --prefill-nodes 2,4 --decode-nodes 4,8)

"$bin" plan "${args[@]}" --jobs 1 --out "$tmp/a" > "$tmp/a.txt"
"$bin" plan "${args[@]}" --jobs 2 --out "$tmp/b" > /dev/null
for f in plan.json plan.csv plan.md plan.html; do [ -s "$tmp/a/$f" ] || fail "missing $f"; done
cmp "$tmp/a/plan.csv" "$tmp/b/plan.csv" || fail "plan.csv differs between 1 and 2 threads"
grep -q "Cheapest fleets meeting the SLOs" "$tmp/a.txt" || fail "no best-fleet table"
grep -q "frontier" "$tmp/a.txt" || fail "no frontier table"
"$bin" plan "${args[@]}" --slo.ttft-p99-s 4 --out "$tmp/tight" > /dev/null
python3 - "$tmp/a/plan.json" "$tmp/tight/plan.json" <<'PY'
import json, sys
a = json.load(open(sys.argv[1])); t = json.load(open(sys.argv[2]))
assert a["best"], "no SLO-meeting fleet"
best = a["best"][0]
assert best["meets_slo"] and best["stage"] == "fleet", best
assert best["ttft_p99_s"] <= a["slo"]["ttft_p99_s"] and best["output_tok_per_s_p50"] >= 20, best
s = a["search"]
assert s["simulated"] < s["candidates_considered"], s       # pruning did something
assert s["pruned_by_lower_bound"] + s["pruned_as_dominated"] + s["pruned_by_cost_bound"] > 0, s
costs = [f["cost_usd_per_day"] for f in a["frontier"]]
ttfts = [f["ttft_p99_s"] for f in a["frontier"]]
assert costs == sorted(costs) and ttfts == sorted(ttfts, reverse=True), a["frontier"]
assert t["best"] and t["best"][0]["ttft_p99_s"] <= 4, t["best"][:1]
assert t["best"][0]["cost_usd_per_day"] >= best["cost_usd_per_day"], (t["best"][0], best)
PY
echo "plan test passed"
