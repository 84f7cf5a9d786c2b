#!/usr/bin/env bash
# End-to-end checks of the fleetsim program: exit codes and messages for bad input, and a small
# run that writes every output file.
set -euo pipefail
bin="$1"; root="$2"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# Bad input: exit code 2, one line naming file, JSON path and expected form.
set +e
msg=$("$bin" run "$root/scenarios/deepseek-v3-r1-day.json" --quiet --out "$tmp/x" --set deployment.decode.ep_degree=100 2>&1)
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "bad EP degree: exit $rc, expected 2 ($msg)"
echo "$msg" | grep -q "deepseek-v3-r1-day.json: at /deployment/decode/ep_degree: expected the unit's GPU count 144" || fail "message: $msg"

set +e
msg=$("$bin" run "$tmp/does-not-exist.json" --quiet 2>&1); rc=$?
set -e
[ "$rc" -eq 2 ] || fail "missing file: exit $rc"
echo "$msg" | grep -q "cannot open" || fail "message: $msg"

set +e
msg=$("$bin" run "$root/scenarios/deepseek-v3-r1-day.json" --quiet --set policies.prefill_lb='"nope"' 2>&1); rc=$?
set -e
[ "$rc" -eq 2 ] || fail "unknown policy: exit $rc"
echo "$msg" | grep -q "/policies/prefill_lb: unknown" || fail "message: $msg"

# A small run writes the summary, the report and the series.
"$bin" run "$root/scenarios/deepseek-v3-r1-day.json" --quiet --scale 0.01 \
  --set duration_s=3600 --out "$tmp/run" > "$tmp/stdout.txt"
for f in summary.json report.md report.html timeline.csv hourly.csv ttft_hist.csv tpot_hist.csv; do
  [ -s "$tmp/run/$f" ] || fail "missing $f"
done
grep -q "report.html" "$tmp/stdout.txt" || fail "stdout does not say where the report is"
python3 - "$tmp/run/summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
r = s["requests"]
assert r["arrived"] == r["completed"] + r["rejected"] + r["in_flight"], r
for k in ["tokens", "throughput", "latency", "fleet", "economics", "sim"]:
    assert k in s, k
for k in ["ttft_s", "tpot_ms", "output_tok_per_s"]:
    assert set(["mean", "p50", "p90", "p99"]) <= set(s["latency"][k]), k
PY
"$bin" list-policies > "$tmp/policies.txt"
grep -q "slo-capacity" "$tmp/policies.txt" || fail "list-policies"
echo "1 passed, 0 failed"
