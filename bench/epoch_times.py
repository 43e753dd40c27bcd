#!/usr/bin/env python3
"""Seconds of training per epoch (training_time at the last record: the loop without evaluations,
records, metrics I/O and checkpoints; wall_time in files without it) of the detrain runs named on
the command line, as JSON rows for bench/report.py."""
import json
import sys

import h5py

rows = []
for run in sys.argv[1:]:
    with h5py.File(f"{run}/metrics.h5", "r") as f:
        cfg = {k: (v.decode() if isinstance(v, bytes) else str(v)) for k, v in f["config"].attrs.items()}
        devices = [d.decode() if isinstance(d, bytes) else str(d) for d in f.attrs["compute_devices"]]
        rows.append({"model": cfg["model"], "ranks": int(f.attrs["ranks"]), "batch": int(cfg["batch"]),
                     "device": cfg["device"], "compute_devices": devices,
                     "iterations": int(f["metrics/iteration"][-1]),
                     "seconds_per_epoch": float(f["metrics/training_time" if "training_time" in f["metrics"]
                                                  else "metrics/wall_time"][-1]) / float(f["metrics/epoch"][-1]),
                     "test_accuracy": float(f["metrics/test_accuracy"][-1])})
print(json.dumps({"tool": "detrain-dpsgd", "rows": rows}, indent=1))
