#!/usr/bin/env bash
# The default production day against Day-6, at full scale: every row of its validation table
# within its tolerance (±5% tokens, ±10% the rest), except the rows of the known prefill/decode
# split gap (README, "The default day"; docs/validation.md), which must stay within wider limits
# of their own (a change that widens the gap past them fails); and
# the day hour by hour against Day-6's cost and income bars (mean absolute error); and the day's
# report.html renders in headless Chromium without an error, an empty chart or a NaN label.
# Usage: day_validation_test.sh FLEETSIM_BINARY PROJECT_ROOT
set -euo pipefail
bin=$1
root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" run "$root/scenarios/deepseek-v3-r1-day.json" --quiet --out "$tmp/day" > /dev/null
# Open in issue #5: the simulated autoscaler splits the fleet between prefill and decode unlike
# Day-6 (each runs at 88% of the model's capacity; Day-6 ran prefill at 72%, decode at 97%).
# The limits, against the errors of seeds 20250227-29 on 2026-12-02 (docs/validation.md):
# - minimum nodes +14.7% at every seed (3 decode units through the night against Day-6's 2);
#   30% allows a prefill unit or two more, and fails a fourth decode unit (+41%);
# - prefill per node +21.8% to +22.3%: 30% fails about 6% fewer prefill nodes than now;
# - decode per node -11.0% to -12.0%: 20% fails about 11% more decode nodes than now;
# - stream speed +64.9% to +87.6%: it moves steeply with decode's spare capacity (near the SLO
#   batch the throughput curve is flat), so 120% fails only a decode fleet much larger than now.
python3 "$root/tests/cli/judge_day.py" "$tmp/day/validation.csv" "$tmp/day/summary.json" --hourly \
  --known-gap "minimum nodes" 30 \
  --known-gap "prefill input tok/s per node" 30 \
  --known-gap "decode output tok/s per node" 20 \
  --known-gap "output speed per stream (tok/s, token-weighted)" 120
# The day's own report.html renders cleanly (a zero-width axis once drew a NaN tick on real data
# that the synthetic page of report_browser_test did not have).
python3 "$root/tests/cli/check_page_renders.py" "$tmp/day/report.html"
