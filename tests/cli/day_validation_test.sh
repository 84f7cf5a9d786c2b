#!/usr/bin/env bash
# The default production day against Day-6, at full scale: every row of its validation table
# within its tolerance (±5% tokens, ±10% the rest), except the rows of the known prefill/decode
# split gap (README, "The default day"; docs/validation.md), which are reported, not judged; and
# the day hour by hour against Day-6's cost and income bars (mean absolute error).
# Usage: day_validation_test.sh FLEETSIM_BINARY PROJECT_ROOT
set -euo pipefail
bin=$1
root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" run "$root/scenarios/deepseek-v3-r1-day.json" --quiet --out "$tmp/day" > /dev/null
python3 - "$tmp/day/validation.csv" "$tmp/day/summary.json" <<'PY'
import csv, json, sys
# Open in issue #5: the simulated autoscaler splits the fleet between prefill and decode unlike
# Day-6 (each runs at 88% of the model's capacity; Day-6 ran prefill at 72%, decode at 98%).
known_gap = {
    "minimum nodes",
    "prefill input tok/s per node",
    "decode output tok/s per node",
    "output speed per stream (tok/s, token-weighted)",
}
rows = list(csv.DictReader(open(sys.argv[1])))
if len(rows) < 12:
    sys.exit("validation.csv has %d rows, expected the 12 Day-6 figures" % len(rows))
failed = []
for r in rows:
    err, tol = float(r["error_pct"]), float(r["tolerance_pct"])
    inside = abs(err) <= tol
    tag = "pass" if inside else ("known gap" if r["metric"] in known_gap else "FAIL")
    print("%-50s %+8.1f%%  (±%g%%)  %s" % (r["metric"], err, tol, tag))
    if not inside and r["metric"] not in known_gap:
        failed.append(r["metric"])
missing = known_gap - {r["metric"] for r in rows}
if missing:
    sys.exit("known-gap rows missing from validation.csv: %s" % ", ".join(sorted(missing)))
# Hour by hour against Day-6's charts: the load follows the income bars, so income stays close;
# the fleet comes out of the autoscaler, and its hourly cost must stay inside the ±10% band on
# average over the day's 24 hours.
day = json.load(open(sys.argv[2])).get("published_day", {})
hourly_bands = {"cost_mean_abs_error_pct": 10, "theoretical_income_mean_abs_error_pct": 5}
if day.get("hours_compared") != 24:
    failed.append("published_day.hours_compared (%s, expected 24)" % day.get("hours_compared"))
for key, band in hourly_bands.items():
    v = day.get(key)
    inside = v is not None and v <= band
    print("%-50s %8s   (<= %g%%)  %s" % ("hourly " + key, "%.1f%%" % v if v is not None else "missing", band,
                                         "pass" if inside else "FAIL"))
    if not inside:
        failed.append("published_day." + key)
if failed:
    sys.exit("outside tolerance: %s" % ", ".join(failed))
PY
