#!/usr/bin/python3
"""The seed-1 runs of a study: the tuning runs whose setting a final sweep chose.

    scripts/study-chosen.py TUNE_SWEEP_DIR FINAL_SWEEP_DIR...

`detrain sweep select ... --seeds 2,3` writes final sweeps without seed 1, because the tuning runs
are seed 1 (a run with the same config and seed gives the same bits). This prints, one per line, the
tuning task directory of every (algorithm, setting, lr, detag.R, detag.eta) row of the finals'
`axis.tuned` (nothing for a final sweep that has seed 1 itself), so that `detrain report FINALS...
$(scripts/study-chosen.py ...)` draws each chosen setting over seeds 1, 2, 3.
"""
import glob, os, sys
tune, finals = sys.argv[1], sys.argv[2:]
def props(path):
    out = {}
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            k, v = line.split("=", 1)
            out[k.strip()] = v.strip()
    return out
def tuple_axis(sweep):
    keys, rows, inside = None, [], False
    for line in open(sweep, encoding="utf-8"):
        s = line.strip()
        if s.startswith("axis.tuned"):
            keys, inside = s.split("=", 1)[1].split(":")[0].split(), True
            rest = s.split(":", 1)[1].strip()
            rows += [r.split() for r in rest.split("|") if r.strip()]
        elif inside and s.startswith("|"):
            rows += [r.split() for r in s.split("|") if r.strip()]
        elif inside:
            inside = False
    return keys, rows
def seeds(sweep):
    for line in open(sweep, encoding="utf-8"):
        if line.strip().startswith("axis.seed"):
            return [v.strip() for v in line.split(":", 1)[1].split("|")]
    return []
tasks = {t: props(os.path.join(t, "config.properties")) for t in sorted(glob.glob(os.path.join(tune, "task-*")))
         if os.path.exists(os.path.join(t, "metrics.h5"))}
for f in finals:
    if "1" in seeds(os.path.join(f, "sweep.sweep")):
        continue  # the final runs have seed 1 of their own
    keys, rows = tuple_axis(os.path.join(f, "sweep.sweep"))
    for row in rows:
        want = dict(zip(keys, row))
        hits = [t for t, c in tasks.items() if all(c.get(k) == v for k, v in want.items())]
        if len(hits) != 1:
            sys.exit("%s: %d tuning runs match %s" % (f, len(hits), want))
        print(hits[0])
