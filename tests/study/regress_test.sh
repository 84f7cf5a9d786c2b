#!/usr/bin/env bash
# The regression gate catches a worse policy: a copy of a suite entry whose prefill or decode load
# balancer is replaced by round-robin must fail against the committed goldens with exit 1 and a
# table naming the regressed latencies (and --out's JSON, CSV, JUnit XML and Markdown the same);
# the unmodified entry passes; --update writes goldens that then pass.
# Usage: regress_test.sh FLEETSIM ROOT
set -euo pipefail
bin="$1"; root="$2"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
suite="$root/scenarios/regression"

# A copy of the suite whose `baseline` entry runs worse policies, with the committed goldens.
mkdir -p "$tmp/worse"
cp "$suite/goldens.json" "$tmp/worse/"
python3 - "$suite/suite.json" "$tmp/worse/suite.json" "$root/scenarios/deepseek-v3-r1-day.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["scenario"] = sys.argv[3]
base = next(e for e in s["entries"] if e["name"] == "baseline")
base["set"] = ["policies.prefill_lb=round-robin", "policies.decode_lb=round-robin"]
json.dump(s, open(sys.argv[2], "w"), indent=2)
PY
set +e
out=$("$bin" regress --suite "$tmp/worse" --only baseline --only decode-overlap-off --out "$tmp/files" 2>&1); rc=$?
set -e
[ "$rc" -eq 1 ] || fail "worse policy: exit $rc, expected 1
$out"
echo "$out" | grep -Eq "\| scenario +\| metric +\| +golden +\| +now +\| +change +\| +tolerance +\| verdict" || fail "no table: $out"
echo "$out" | grep -Eq "^\| baseline +\| latency.ttft_s.p99 .*REGRESSED" || fail "TTFT p99 not flagged: $out"
echo "$out" | grep -Eq "^\| baseline +\| latency.tpot_ms.p99 .*REGRESSED" || fail "TPOT p99 not flagged: $out"
echo "$out" | grep -Eq "^  ok +decode-overlap-off" || fail "untouched entry should pass: $out"
# --out: the same verdicts as files, a JUnit test case per check failing where the table says.
python3 - "$tmp/files" <<'PY' || fail "regress --out files"
import csv, json, sys, xml.etree.ElementTree as ET
d = sys.argv[1]
j = json.load(open(d + "/regress.json"))
assert j["passed"] is False and j["entries_failed"] == 1, j
by = {e["name"]: e for e in j["entries"]}
assert by["baseline"]["passed"] is False and by["decode-overlap-off"]["passed"] is True
failed = {c["metric"] for c in by["baseline"]["checks"] if c["fails"]}
assert {"latency.ttft_s.p99", "latency.tpot_ms.p99"} <= failed, failed
rows = list(csv.DictReader(open(d + "/regress.csv")))
assert len(rows) == sum(len(e["checks"]) for e in j["entries"])
assert {r["metric"] for r in rows if r["entry"] == "baseline" and r["verdict"] == "REGRESSED"} <= failed
root = ET.parse(d + "/regress.junit.xml").getroot()
cases = root.findall("./testsuite/testcase")
assert len(cases) == len(rows) == int(root.get("tests")), (len(cases), len(rows))
junit_failed = {c.get("name") for c in cases if c.find("failure") is not None}
assert junit_failed == failed and int(root.get("failures")) == len(failed), (junit_failed, failed)
assert all(c.get("classname") == "fleetsim.regress.baseline" for c in cases if c.find("failure") is not None)
md = open(d + "/regress.md").read()
assert "1 of 2 scenario(s) REGRESSED" in md and "REGRESSED |" in md, md[:300]
PY

# The same through --set, the what-if form.
set +e
"$bin" regress --suite "$suite" --only baseline --set policies.prefill_lb=round-robin > "$tmp/whatif.txt" 2>&1; rc=$?
set -e
[ "$rc" -eq 1 ] || fail "--set worse policy: exit $rc"

# --update writes goldens the next run passes, and says what changed.
cp "$tmp/worse/suite.json" "$tmp/worse/suite.json.bak"
"$bin" regress --suite "$tmp/worse" --only baseline --update > "$tmp/update.txt"
grep -q "value(s) changed" "$tmp/update.txt" || fail "update does not say what changed: $(cat "$tmp/update.txt")"
grep -Eq "^\| baseline +\| latency.ttft_s.p99" "$tmp/update.txt" || fail "update does not list the TTFT change"
"$bin" regress --suite "$tmp/worse" --only baseline --only decode-overlap-off > /dev/null || fail "updated goldens do not pass"

# Bad input is exit 2.
set +e
"$bin" regress --suite "$tmp/worse" --only no-such-entry > /dev/null 2>&1; rc=$?
set -e
[ "$rc" -eq 2 ] || fail "unknown entry: exit $rc, expected 2"
# A check on a metric summary.json does not have is the suite's fault: exit 2 naming it, in a
# gate run and in --update (which once wrote goldens without it and called it "new").
python3 - "$tmp/worse/suite.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["checks"][0]["metric"] = "latency.ttft_s.p5"
json.dump(s, open(sys.argv[1], "w"), indent=2)
PY
for mode in "" "--update"; do
  set +e
  out=$("$bin" regress --suite "$tmp/worse" --only baseline $mode 2>&1); rc=$?
  set -e
  [ "$rc" -eq 2 ] || fail "unknown metric ($mode): exit $rc, expected 2"
  echo "$out" | grep -q "metric 'latency.ttft_s.p5' (entry baseline) is no number in summary.json" || fail "message: $out"
done
echo "regress test passed"
