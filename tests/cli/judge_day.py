#!/usr/bin/env python3
"""Judges a day's validation.csv and summary.json: every Day-6 row within its tolerance (a named
known gap within a wider limit of its own), and optional limits on the share of requests turned
away and on the hour-by-hour errors against the published day. Exits non-zero naming what is
outside."""
import argparse
import csv
import json
import sys

ap = argparse.ArgumentParser()
ap.add_argument("validation_csv")
ap.add_argument("summary_json")
ap.add_argument("--known-gap", action="append", nargs=2, default=[], metavar=("LABEL", "LIMIT_PCT"),
                help="a row outside its tolerance for a documented reason: reported as a known gap "
                     "while its error stays within LIMIT_PCT either way, a failure beyond it")
ap.add_argument("--max-turned-away-pct", type=float, help="largest share of requests turned away")
ap.add_argument("--hourly", action="store_true",
                help="24 hours compared, hourly cost mean absolute error <= 10%%, income <= 5%%")
a = ap.parse_args()

gap_limit = {label: float(limit) for label, limit in a.known_gap}
rows = list(csv.DictReader(open(a.validation_csv)))
if len(rows) < 13:
    sys.exit("validation.csv has %d rows, expected the 13 Day-6 figures" % len(rows))
failed = []
for r in rows:
    err, tol = float(r["error_pct"]), float(r["tolerance_pct"])
    inside = abs(err) <= tol
    limit = gap_limit.get(r["metric"])
    if inside:
        tag = "pass" + (" (a known gap no longer: drop it from the test)" if limit is not None else "")
    elif limit is not None and abs(err) <= limit:
        tag = "known gap (within ±%g%%)" % limit
    else:
        tag = "FAIL" + (" (past its known-gap limit ±%g%%)" % limit if limit is not None else "")
        failed.append(r["metric"])
    print("%-50s %+8.1f%%  (±%g%%)  %s" % (r["metric"], err, tol, tag))
missing = set(gap_limit) - {r["metric"] for r in rows}
if missing:
    sys.exit("known-gap rows missing from validation.csv: %s" % ", ".join(sorted(missing)))

summary = json.load(open(a.summary_json))
if a.max_turned_away_pct is not None:
    req = summary["requests"]
    pct = req["rejected"] / req["arrived"] * 100
    inside = pct <= a.max_turned_away_pct
    print("%-50s %8.2f%%  (<= %g%%)  %s" % ("requests turned away", pct, a.max_turned_away_pct,
                                           "pass" if inside else "FAIL"))
    if not inside:
        failed.append("requests turned away")
if a.hourly:
    # The load follows the income bars, so income stays close; the fleet comes out of the
    # autoscaler, and its hourly cost must stay inside the ±10% band on average over the day.
    day = summary.get("published_day", {})
    if day.get("hours_compared") != 24:
        failed.append("published_day.hours_compared (%s, expected 24)" % day.get("hours_compared"))
    for key, band in {"cost_mean_abs_error_pct": 10, "theoretical_income_mean_abs_error_pct": 5}.items():
        v = day.get(key)
        inside = v is not None and v <= band
        print("%-50s %8s   (<= %g%%)  %s" % ("hourly " + key, "%.1f%%" % v if v is not None else "missing",
                                             band, "pass" if inside else "FAIL"))
        if not inside:
            failed.append("published_day." + key)
if failed:
    sys.exit("outside tolerance: %s" % ", ".join(failed))
