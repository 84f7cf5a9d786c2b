#!/usr/bin/env bash
# `fleetsim sweep` end to end: the merged sweep.csv, sweep.json, sweep.md and sweep.html are
# byte-identical with 1 and 2 worker threads and, when given an mpirun, with 2 MPI ranks; a bad
# grid value exits 2.
# Usage: sweep_test.sh FLEETSIM ROOT [MPIRUN]
set -euo pipefail
bin="$1"; root="$2"; mpirun="${3:-}"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# 8 points, 10 simulated minutes at 1% of the Day-6 load each.
args=("$root/scenarios/deepseek-v3-r1-day.json" --quiet --scale 0.01
  --set duration_s=600 --set cluster.nodes=1200
  --set 'policies.autoscaler={"name":"fixed","params":{"prefill_units":2,"decode_units":1}}'
  --grid policies.prefill_lb=round-robin,attention-balanced
  --grid policies.decode_lb=round-robin,kv-balanced
  --grid deployment.decode.overlap=true,false)

"$bin" sweep "${args[@]}" --jobs 1 --out "$tmp/j1" > /dev/null
"$bin" sweep "${args[@]}" --jobs 2 --out "$tmp/j2" > /dev/null
for f in sweep.csv sweep.json sweep.md sweep.html sweep_sim.csv; do [ -s "$tmp/j1/$f" ] || fail "missing $f"; done
for f in sweep.csv sweep.json sweep.md sweep.html; do
  cmp "$tmp/j1/$f" "$tmp/j2/$f" || fail "$f differs between 1 and 2 threads"
done
# sweep.md: a row per point with its grid values and the figures compared.
grep -Eq "^\| +7 \| attention-balanced +\| kv-balanced +\| false " "$tmp/j1/sweep.md" \
  || fail "sweep.md has no row for point 7: $(cat "$tmp/j1/sweep.md")"
grep -q "TTFT p99 s" "$tmp/j1/sweep.md" || fail "sweep.md lacks the TTFT column"
python3 "$root/tests/cli/check_page_renders.py" "$tmp/j1/sweep.html" || fail "sweep.html does not render cleanly"
[ "$(wc -l < "$tmp/j1/sweep.csv")" -eq 9 ] || fail "expected a header and 8 points"
head -1 "$tmp/j1/sweep.csv" | grep -q '^point,policies.prefill_lb,policies.decode_lb,deployment.decode.overlap,' \
  || fail "header: $(head -1 "$tmp/j1/sweep.csv")"
python3 - "$tmp/j1/sweep.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert [int(r["point"]) for r in rows] == list(range(8)), "points out of order"
assert not any(k.startswith("sim.") for k in rows[0]), "machine-dependent columns in sweep.csv"
assert all(r["error"] == "" for r in rows)
# The grid changes results: decode overlap off must slow decoding.
on = float(rows[0]["latency.tpot_ms.p50"]); off = float(rows[1]["latency.tpot_ms.p50"])
assert off > on, (on, off)
PY

if [ -n "$mpirun" ]; then
  "$mpirun" --allow-run-as-root --oversubscribe -np 2 "$bin" sweep "${args[@]}" --jobs 1 --out "$tmp/mpi" > "$tmp/mpi.log" 2>&1 \
    || { cat "$tmp/mpi.log"; fail "mpirun sweep failed"; }
  cmp "$tmp/j1/sweep.csv" "$tmp/mpi/sweep.csv" || fail "sweep.csv differs between 1 thread and 2 MPI ranks"
  for f in sweep.json sweep.md sweep.html; do
    cmp "$tmp/j1/$f" "$tmp/mpi/$f" || fail "$f differs between 1 thread and 2 MPI ranks"
  done
  grep -q "on 2 rank(s)" "$tmp/mpi.log" && fail "--quiet rank printed progress" || true
  "$mpirun" --allow-run-as-root --oversubscribe -np 2 "$bin" sweep "${args[@]}" --jobs 1 --out "$tmp/mpi2" 2>&1 | grep -c "^sweep: 8 points" | grep -qx 1 \
    || fail "only rank 0 should write and report"
fi

set +e
msg=$("$bin" sweep "${args[@]}" --grid deployment.decode.ep_degree=32,100 --out "$tmp/bad" 2>&1); rc=$?
set -e
[ "$rc" -eq 2 ] || fail "bad grid value: exit $rc, expected 2 ($msg)"
echo "$msg" | grep -q "/deployment/decode/ep_degree" || fail "message: $msg"
echo "$msg" | grep -q "grid point" || fail "message does not name the grid point: $msg"
echo "sweep test passed"
