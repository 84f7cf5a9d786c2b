#!/usr/bin/env bash
# `fleetsim plan` end to end at 2% of the Day-6 peak: it finds an SLO-meeting fleet, simulates
# every fleet it reports, writes its four files, gives the same plan with 1 and 2 threads, a
# tighter TTFT target never gives a cheaper fleet, and fleets confirmed at two seeds are judged by
# the worst of them (the scenario's seed giving the same figures as a one-seed plan), on three
# EPLB periods unless told otherwise.
# Usage: plan_test.sh FLEETSIM ROOT
set -euo pipefail
bin="$1"; root="$2"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
args=("$root/scenarios/deepseek-v3-r1-day.json" --load-fraction 0.02 --window-s 300 --screen-s 60
  --prefill-nodes 2,4 --decode-nodes 4,8)

"$bin" plan "${args[@]}" --confirm-seeds 1 --jobs 1 --out "$tmp/a" > "$tmp/a.txt" 2> "$tmp/a.err"
"$bin" plan "${args[@]}" --confirm-seeds 1 --jobs 2 --out "$tmp/b" --quiet > /dev/null 2> "$tmp/b.err"
# Progress on stderr (the stage, what it has done, the simulations so far), none with --quiet.
tr '\r' '\n' < "$tmp/a.err" | grep -Eq "plan: decode shapes [0-9]+/[0-9]+ +[0-9]+ simulations" || fail "no progress: $(cat "$tmp/a.err")"
tr '\r' '\n' < "$tmp/a.err" | grep -Eq "plan: fleets ([0-9]+)/\1 simulations" || fail "no fleet progress: $(cat "$tmp/a.err")"
[ ! -s "$tmp/b.err" ] || fail "--quiet printed: $(cat "$tmp/b.err")"
python3 "$root/tests/cli/check_page_renders.py" "$tmp/a/plan.html" || fail "plan.html does not render cleanly"
for f in plan.json plan.csv plan.md plan.html; do [ -s "$tmp/a/$f" ] || fail "missing $f"; done
cmp "$tmp/a/plan.csv" "$tmp/b/plan.csv" || fail "plan.csv differs between 1 and 2 threads"
grep -q "Cheapest fleets meeting the SLOs" "$tmp/a.txt" || fail "no best-fleet table"
grep -q "frontier" "$tmp/a.txt" || fail "no frontier table"
"$bin" plan "${args[@]}" --confirm-seeds 1 --slo.ttft-p99-s 4 --out "$tmp/tight" > /dev/null
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
"$bin" plan "${args[@]}" --confirm-seeds 2 --out "$tmp/seeds" > "$tmp/seeds.txt"
grep -q "at seeds 20250227 20250228 (the worst of them counts)" "$tmp/seeds.txt" || fail "no seeds line"
python3 - "$tmp/a/plan.json" "$tmp/seeds/plan.json" <<'PY'
import json, sys
one = json.load(open(sys.argv[1])); two = json.load(open(sys.argv[2]))
assert two["confirm_seeds"] == 2, two["confirm_seeds"]
# By default the fleets are confirmed on three of the scenario's 600 s EPLB periods.
assert one["windows_s"]["confirm"] == two["windows_s"]["confirm"] == 1800, two["windows_s"]
key = lambda e: json.dumps([e["prefill"], e["decode"], e["prefill_units"], e["decode_units"]], sort_keys=True)
runs = {}
for e in two["evaluations"]:
    if e["stage"] == "fleet":
        runs.setdefault(key(e), {})[e["seeds"][0]] = e
one_fleet = {key(e): e for e in one["evaluations"] if e["stage"] == "fleet"}
assert runs and set(one_fleet) <= set(runs), "the fleet stage at two seeds left out fleets judged at one"
metrics = ["ttft_p99_s", "output_tok_per_s_p50", "tpot_p99_ms", "rejected_share", "meets_slo"]
differ = 0
for k, by_seed in runs.items():
    assert sorted(by_seed) == [20250227, 20250228], sorted(by_seed)
    first, second = by_seed[20250227], by_seed[20250228]
    if k in one_fleet:  # a fleet grown after a miss at the second seed has no one-seed twin
        assert all(first[m] == one_fleet[k][m] for m in metrics), (first, one_fleet[k])
    differ += any(first[m] != second[m] for m in metrics[:4])
assert differ > 0, "the second seed changed nothing"
worst = {"ttft_p99_s": max, "output_tok_per_s_p50": min, "tpot_p99_ms": max, "rejected_share": max}
for f in two["frontier"] + two["best"]:
    by_seed = runs[key(f)]
    assert f["seeds"] == [20250227, 20250228], f["seeds"]
    for m, pick in worst.items():
        assert f[m] == pick(e[m] for e in by_seed.values()), (m, f, by_seed)
    assert f["meets_slo"] == all(e["meets_slo"] for e in by_seed.values()), f
# plan.json lists every fleet judged together, each by its worst seed (worst_of's own rules are
# unit-tested in fleet_seeds_test).
fleets = two["fleets"]
assert fleets and sorted(map(key, fleets)) == sorted(runs), "plan.json's fleets are not the fleets judged"
for f in fleets:
    assert f["seeds"] == [20250227, 20250228], f["seeds"]
    assert f["meets_slo"] == (not f["missed"]) == all(e["meets_slo"] for e in runs[key(f)].values()), f
PY
echo "plan test passed"
