#!/usr/bin/env bash
# End-to-end checks of the fleetsim program: exit codes and messages for bad input, and a small
# run that writes every output file.
set -euo pipefail
bin="$1"; root="$2"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
# A command that fails outside a check names itself (this test once failed with no message).
trap 'rc=$?; [[ $- == *e* ]] && echo "FAIL: line $LINENO: exit $rc: $BASH_COMMAND"' ERR

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

# An output that cannot be written is an error naming it, never a silent loss (summary.json was
# once written unchecked): a directory stands where the file would go.
mkdir -p "$tmp/blocked/summary.json"
set +e
msg=$("$bin" run "$root/scenarios/deepseek-v3-r1-day.json" --quiet --scale 0.01 --set duration_s=60 --out "$tmp/blocked" 2>&1); rc=$?
set -e
[ "$rc" -ne 0 ] || fail "unwritable summary.json: exit 0"
echo "$msg" | grep -q "cannot open $tmp/blocked/summary.json for writing" || fail "message: $msg"

set +e
msg=$("$bin" run "$root/scenarios/deepseek-v3-r1-day.json" --quiet --set policies.prefill_lb='"nope"' 2>&1); rc=$?
set -e
[ "$rc" -eq 2 ] || fail "unknown policy: exit $rc"
echo "$msg" | grep -q "/policies/prefill_lb: unknown" || fail "message: $msg"

# Bad command-line values exit 2 like bad files, saying what was expected; --help exits 0.
set +e
msg=$("$bin" explain-step "$root/scenarios/deepseek-v3-r1-day.json" --batch-per-gpu -5 2>&1); rc=$?
[ "$rc" -eq 2 ] || fail "negative batch: exit $rc"
echo "$msg" | grep -q "expected a number > 0, got -5" || fail "message: $msg"
msg=$("$bin" explain-step "$root/scenarios/deepseek-v3-r1-day.json" --kv 1e15 2>&1); rc=$?
[ "$rc" -eq 2 ] || fail "KV past capacity: exit $rc"
echo "$msg" | grep -q -- "--kv: at /: expected a KV length in (0, 703758] tokens" || fail "message: $msg"
msg=$("$bin" explain-step "$root/scenarios/deepseek-v3-r1-day.json" --batch-per-gpu 1e9 2>&1); rc=$?
[ "$rc" -eq 2 ] || fail "batch past capacity: exit $rc"
echo "$msg" | grep -q "expected a batch whose KV fits a decode GPU" || fail "message: $msg"
# Numbers a command cannot use are refused before any work: NaN and zero unit sizes once got
# through (a zero prefill unit size crashed the planner with a division by zero).
msg=$("$bin" plan --prefill-nodes 4,0 2>&1); rc=$?
[ "$rc" -eq 2 ] || fail "zero unit size: exit $rc"
echo "$msg" | grep -q -- "--prefill-nodes: expected an integer >= 1, got 0" || fail "message: $msg"
msg=$("$bin" plan --peak-rate nan 2>&1); rc=$?
[ "$rc" -eq 2 ] || fail "NaN peak rate: exit $rc"
echo "$msg" | grep -q -- "--peak-rate: expected a number > 0, got nan" || fail "message: $msg"
msg=$("$bin" plan --confirm-seeds 0 2>&1); rc=$?
[ "$rc" -eq 2 ] || fail "zero confirming seeds: exit $rc"
echo "$msg" | grep -q -- "--confirm-seeds: expected an integer >= 1, got 0" || fail "message: $msg"
msg=$("$bin" explain-step "$root/scenarios/deepseek-v3-r1-day.json" --phase prefill --batch-per-gpu 64 2>&1); rc=$?
[ "$rc" -eq 2 ] || fail "a decode batch on a prefill step: exit $rc"
echo "$msg" | grep -q -- "--batch-per-gpu: at /: expected --phase decode" || fail "message: $msg"
msg=$("$bin" run --trace-steps -1 2>&1); rc=$?
[ "$rc" -eq 2 ] || fail "negative trace time: exit $rc"
msg=$("$bin" sweep "$root/scenarios/deepseek-v3-r1-day.json" --grid seed=1,2 --grid seed=3 --out "$tmp/sw" 2>&1); rc=$?
[ "$rc" -eq 2 ] || fail "two axes on one path: exit $rc"
echo "$msg" | grep -q "seed twice" || fail "message: $msg"
msg=$("$bin" run "$tmp" --quiet 2>&1); rc=$?
[ "$rc" -eq 2 ] || fail "a directory as the scenario: exit $rc"
echo "$msg" | grep -q "is a directory (expected a readable JSON file)" || fail "message: $msg"
"$bin" run --help > /dev/null; rc=$?
[ "$rc" -eq 0 ] || fail "--help: exit $rc"
set -e

# A small run writes the summary, the report and the series.
"$bin" run "$root/scenarios/deepseek-v3-r1-day.json" --quiet --scale 0.01 \
  --set duration_s=3600 --out "$tmp/run" > "$tmp/stdout.txt"
for f in summary.json report.md report.html timeline.csv hourly.csv published_day.csv ttft_hist.csv tpot_hist.csv; do
  [ -s "$tmp/run/$f" ] || fail "missing $f"
done
grep -q "report.html" "$tmp/stdout.txt" || fail "stdout does not say where the report is"
python3 - "$tmp/run/summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
r = s["requests"]
assert r["arrived"] == r["completed"] + r["rejected"], r
assert r["in_flight_at_end"] > 0 and r["last_ended_s"] > s["scenario"]["duration_s"], r
for k in ["tokens", "throughput", "latency", "fleet", "economics", "sim"]:
    assert k in s, k
for k in ["ttft_s", "tpot_ms", "output_tok_per_s"]:
    assert set(["mean", "p50", "p90", "p99"]) <= set(s["latency"][k]), k
# One whole hour from 12:00 lines up with Day-6's 12:00 bar.
assert s["published_day"]["hours_compared"] == 1, s.get("published_day")
PY
# An hour at 1% is set beside the published day, not judged by it; totals are published x 0.01.
python3 - "$tmp/run/validation.csv" <<'PY'
import csv, sys
rows = {r["metric"]: r for r in csv.DictReader(open(sys.argv[1]))}
assert len(rows) == 13 and all(r["status"] == "not judged" for r in rows.values()), rows
assert abs(float(rows["input tokens"]["published"]) - 6.08e9) < 1, rows["input tokens"]
assert float(rows["decode output tok/s per node"]["published"]) == 14800, rows["decode output tok/s per node"]
PY
grep -q "^Not judged: the published figures are a whole day's, the run covers 1 h" "$tmp/run/report.md" ||
  fail "report.md: a 1-hour run's validation is not marked as not judged"
grep -q "^  published  1 hour against the published day" "$tmp/stdout.txt" || fail "stdout: no published-day line"
"$bin" list-policies > "$tmp/policies.txt"
grep -q "slo-capacity" "$tmp/policies.txt" || fail "list-policies"
grep -q "measured" "$tmp/policies.txt" || fail "list-policies: no measured layer cost model"

# validate-step with the cost model as executor: executed = predicted, and with the StepTimer's
# uniform expert split the sums are the StepTimer's own stage, layer and step times.
scenario="$root/scenarios/deepseek-v3-r1-day.json"
for phase in decode prefill; do
  "$bin" validate-step "$scenario" --phase $phase --execute model --routing uniform \
    --json "$tmp/vs-$phase.json" --csv "$tmp/vs-$phase.csv" \
    --write-measured "$tmp/measured-$phase.json" > "$tmp/vs-$phase.txt"
  grep -q "^validate-step: $phase step" "$tmp/vs-$phase.txt" || fail "validate-step $phase table"
done
"$bin" validate-step "$scenario" --phase decode --json "$tmp/vs-drawn.json" > /dev/null
python3 - "$tmp" <<'PY'
import csv, json, sys
tmp = sys.argv[1]
for name in ["vs-decode", "vs-prefill", "vs-drawn"]:
    v = json.load(open(f"{tmp}/{name}.json"))
    assert v["executor"] == "model", name
    assert all(op["error_pct"] == 0 and op["predicted_ns"] == op["executed_ns"] for op in v["ops"]), name
    mb, step = v["step"]["microbatches"], v["step"]
    for sec in ["moe_layer", "dense_layer", "step_ops"]:
        s = v["sections"][sec]
        ops = [op for op in v["ops"] if op["section"] == sec]
        assert ops, (name, sec)
        # Per-operator times add up to the section (each rounds up to whole ns once).
        total = sum(op["predicted_ns"] for op in ops)
        assert abs(total - s["predicted_ns"]) <= 1, (name, sec, total, s["predicted_ns"])
        assert s["error_pct"] == 0 and s["predicted_ns"] == s["executed_ns"], (name, sec)
    sec = v["sections"]
    serial = mb * (step["dense_layers"] * sec["dense_layer"]["predicted_ns"] +
                   step["moe_layers"] * sec["moe_layer"]["predicted_ns"]) + sec["step_ops"]["predicted_ns"]
    whole = v["whole_step"]
    assert abs(serial - whole["predicted_ns"]) <= 2 * (step["dense_layers"] + step["moe_layers"]) + 1, (name, serial, whole)
    assert whole["error_pct"] == 0
    if name == "vs-drawn":
        assert v["step"]["routing"].startswith("drawn"), v["step"]["routing"]
        continue
    # Uniform routing: the StepTimer's numbers, exactly.
    for layer in ["moe_layer", "dense_layer"]:
        for st, t in sec[layer]["stages"].items():
            assert t["predicted_ns"] == t["simulator_ns"], (name, layer, st, t)
    assert sec["step_ops"]["predicted_ns"] == sec["step_ops"]["simulator_ns"], name
    p = v["pipelined_step"]
    assert p["predicted_ns"] == p["executed_ns"] == p["simulator_ns"], (name, p)
    rows = list(csv.DictReader(open(f"{tmp}/{name}.csv")))
    assert len(rows) == len(v["ops"]), name
    m = json.load(open(f"{tmp}/measured-{v['phase']}.json"))
    assert m["phase"] == v["phase"] and m["executor"] == "model"
    assert m["ops"] and all(r == 1.0 for r in m["ops"].values()), m
PY

# The ratios of the model executor (all 1) give the calibrated simulation, to the request.
measured="{\"name\":\"measured\",\"params\":{\"decode_ratios\":\"$tmp/measured-decode.json\",\"prefill_ratios\":\"$tmp/measured-prefill.json\"}}"
for model in calibrated measured; do
  spec='"calibrated"'; [ $model = measured ] && spec="$measured"
  "$bin" run "$scenario" --quiet --scale 0.01 --set duration_s=1800 \
    --set "policies.layer_cost_model=$spec" --out "$tmp/run-$model" > /dev/null
done
python3 - "$tmp" <<'PY'
import json, sys
a, b = (json.load(open(f"{sys.argv[1]}/run-{m}/summary.json")) for m in ["calibrated", "measured"])
for k in ["requests", "tokens", "latency"]:
    assert a[k] == b[k], (k, a[k], b[k])
PY
# A ratio file for the wrong phase or with a bad ratio: exit 2, naming the file and the path.
set +e
msg=$("$bin" run "$scenario" --quiet --out "$tmp/x" --set "policies.layer_cost_model={\"name\":\"measured\",\"params\":{\"decode_ratios\":\"$tmp/measured-prefill.json\"}}" 2>&1); rc=$?
set -e
[ "$rc" -eq 2 ] || fail "wrong-phase ratio file: exit $rc ($msg)"
echo "$msg" | grep -q "measured-prefill.json: at /phase: expected \"decode\"" || fail "message: $msg"
python3 -c "import json,sys; m=json.load(open(sys.argv[1])); m['ops']['q_b_proj']=-1; json.dump(m,open(sys.argv[2],'w'))" \
  "$tmp/measured-decode.json" "$tmp/bad-ratios.json"
set +e
msg=$("$bin" run "$scenario" --quiet --out "$tmp/x" --set "policies.layer_cost_model={\"name\":\"measured\",\"params\":{\"decode_ratios\":\"$tmp/bad-ratios.json\"}}" 2>&1); rc=$?
set -e
[ "$rc" -eq 2 ] || fail "bad ratio: exit $rc ($msg)"
echo "$msg" | grep -q "bad-ratios.json: at /ops/q_b_proj: expected a number > 0" || fail "message: $msg"

# --execute cuda: exit 3 and "no CUDA device: ..." without a GPU (or a build without CUDA); on a
# GPU machine it runs and writes its JSON.
set +e
msg=$("$bin" validate-step "$scenario" --phase decode --execute cuda --json "$tmp/vs-cuda.json" 2>&1); rc=$?
set -e
if [ "$rc" -eq 3 ]; then
  echo "$msg" | grep -q "no CUDA device: " || fail "cuda without a device: $msg"
  [ ! -e "$tmp/vs-cuda.json" ] || fail "cuda without a device wrote its JSON"
elif [ "$rc" -eq 0 ]; then
  python3 -c "import json,sys; v=json.load(open(sys.argv[1])); assert v['executor']=='cuda' and v['ops']" "$tmp/vs-cuda.json" \
    || fail "cuda JSON"
else
  fail "validate-step --execute cuda: exit $rc ($msg)"
fi
# calibrate compare on the committed H200 measurements: the model against cuBLASLt there. Every
# GEMM, elementwise and copy table is compared (the plain attention kernels are listed as not),
# the CSV has a row per measured row, and the step totals match validate-step's own.
h200="$root/hw_profiles/measured/h200-2026-11-30"
"$bin" calibrate compare "$h200/kernel_benchmarks.json" --profile "$root/hw_profiles/h800.json" \
  --step "$h200/validate-step-decode.json" --step "$h200/validate-step-prefill.json" \
  --out "$tmp/gpu.md" --csv "$tmp/gpu.csv" > /dev/null || fail "calibrate compare"
python3 - "$h200" "$tmp" <<'PY' || fail "calibrate compare output"
import csv, json, re, sys
h200, tmp = sys.argv[1:]
kb = json.load(open(f"{h200}/kernel_benchmarks.json"))["kernel_benchmarks"]
compared = {n for n, t in kb.items() if isinstance(t, dict) and t["kernel_class"] not in ("mla_decode", "attention_prefill")}
rows = list(csv.DictReader(open(f"{tmp}/gpu.csv")))
assert {r["table"] for r in rows} == compared, {r["table"] for r in rows}
assert len(rows) == sum(len(kb[n]["rows"]) for n in compared)
for r in rows:
    e = float(r["predicted_us"]) / float(r["measured_us"]) - 1
    assert abs(e - float(r["error"])) < 1e-5, r
md = open(f"{tmp}/gpu.md").read()
for phase in ["decode", "prefill"]:
    v = json.load(open(f"{h200}/validate-step-{phase}.json"))
    w = v["whole_step"]
    line = f"| **step, compute alone** | | {w['predicted_ns'] / 1e6:.3f} | {w['executed_ns'] / 1e6:.3f} |"
    assert line in md, (phase, line)
assert "mla_decode: fleetsim's plain CUDA-core attention kernel" in md
PY
set +e
msg=$("$bin" calibrate compare "$root/hw_profiles/h800.json" --profile "$root/hw_profiles/h800.json" 2>&1); rc=$?
set -e
[ "$rc" -eq 2 ] || fail "compare on a profile: exit $rc ($msg)"
echo "$msg" | grep -q "h800.json: at /measured_on: missing required field" || fail "message: $msg"

echo "1 passed, 0 failed"
