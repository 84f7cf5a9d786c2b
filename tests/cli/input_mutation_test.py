#!/usr/bin/env python3
"""Every number and flag that `fleetsim run` reads from the default scenario, its model and its
hardware profile is type-checked: each, replaced in turn by a string, must stop the run with exit 2
and a message naming the file and the field's JSON path. A field the loader forgot to check, or
read leniently, fails this test.

Not read by `run`, so not mutated here: the hardware profile's raw benchmark tables
(kernel_benchmarks, comm_benchmarks: the inputs of `fleetsim calibrate fit`, which checks them) and
the fits' error statistics (comm_model.leave_one_out, kernel_model.fit_quality: written by the fit
for the calibration docs).

Usage: input_mutation_test.py FLEETSIM ROOT
"""
import copy
import json
import os
import subprocess
import sys
import tempfile

fleetsim, root = sys.argv[1], sys.argv[2]
NOT_READ_BY_RUN = {("hw", "kernel_benchmarks"), ("hw", "comm_benchmarks"),
                   ("hw", "comm_model", "leave_one_out"), ("hw", "kernel_model", "fit_quality")}


def leaves(node, path=()):
    """(path, value) of every number and boolean, skipping remarks (keys starting with '_')."""
    if isinstance(node, dict):
        for k, v in node.items():
            if not k.startswith("_"):
                yield from leaves(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from leaves(v, path + (i,))
    elif isinstance(node, (bool, int, float)):
        yield path, node


def set_at(doc, path, value):
    for k in path[:-1]:
        doc = doc[k]
    doc[path[-1]] = value


scenario = json.load(open(os.path.join(root, "scenarios/deepseek-v3-r1-day.json")))
docs = {
    "scenario": scenario,
    "model": json.load(open(os.path.join(root, "scenarios", scenario["model"]))),
    "hw": json.load(open(os.path.join(root, "scenarios", scenario["hardware"]))),
}
failures, checked = [], 0
with tempfile.TemporaryDirectory() as tmp:
    for which, doc in docs.items():
        for path, value in leaves(doc):
            if any(path[:len(skip) - 1] == skip[1:] for skip in NOT_READ_BY_RUN if skip[0] == which):
                continue
            # Long arrays (hourly weights, schedules) are checked at their first two entries.
            if any(isinstance(k, int) and k > 1 for k in path):
                continue
            mutated = {k: copy.deepcopy(v) for k, v in docs.items()}
            set_at(mutated[which], path, "not-a-number")
            files = {k: os.path.join(tmp, k + ".json") for k in docs}
            mutated["scenario"]["model"] = files["model"]
            mutated["scenario"]["hardware"] = files["hw"]
            for k, v in mutated.items():
                json.dump(v, open(files[k], "w"))
            pointer = "/" + "/".join(str(k) for k in path)
            # A short run; duration_s itself is left alone so that its own mutation is what is read.
            cmd = [fleetsim, "run", files["scenario"], "--quiet", "--scale", "0.002", "--out", os.path.join(tmp, "out")]
            if path != ("duration_s",):
                cmd += ["--set", "duration_s=60"]
            try:
                r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
            except subprocess.TimeoutExpired:
                failures.append(f"{which} {pointer}: no error, and the run did not end in 120 s")
                continue
            checked += 1
            msg = r.stderr.strip()
            if r.returncode != 2 or files[which] not in msg or f"at {pointer}" not in msg:
                failures.append(f"{which} {pointer} = \"not-a-number\": exit {r.returncode}: {msg[-300:]}")

print(f"{checked} fields mutated, {len(failures)} not refused as expected")
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures or checked == 0 else 0)
