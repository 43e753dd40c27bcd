#!/usr/bin/env python3
"""Time to a target test accuracy of detrain runs, from their metrics.h5: the first evaluation at
or above the model's target, and the training time at that iteration (training_time of the record
taken there: the bench runs with log.every = eval.every, so every evaluation has one; evaluations,
records, metrics I/O and checkpoints are left out, as PyTorch's side leaves out its evaluations).
    bench/time_to_accuracy.py --target softmax=0.78,mlp=0.80,lenet=0.78 RUN_DIR... > out.json"""
import argparse
import json

import h5py
import numpy as np


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--target", required=True)
    ap.add_argument("runs", nargs="+")
    a = ap.parse_args()
    targets = {k: float(v) for k, v in (t.split("=") for t in a.target.split(","))}
    rows = []
    for run in a.runs:
        with h5py.File(run + "/metrics.h5", "r") as f:
            config = {k: text(v) for k, v in f["config"].attrs.items()}
            m = f["metrics"]
            model = config["model"]
            accuracy = m["test_accuracy"][()]
            evals = m["eval_iteration"][()]
            records = list(m["iteration"][()])
            training = m["training_time"][()]
            hit = np.nonzero(accuracy >= targets[model])[0]
            row = {"model": model, "algorithm": config["algorithm"], "ranks": int(f.attrs["ranks"]),
                   "batch": int(float(config["batch"])), "lr": float(config["lr"]), "target": targets[model],
                   "eval_every": int(float(config["eval.every"])), "final_accuracy": float(accuracy[-1]),
                   "training_seconds": float(training[-1]), "iterations": int(records[-1]),
                   "compute_devices": [text(d) for d in f.attrs["compute_devices"]],
                   "seconds_to_target": None, "iterations_to_target": None, "accuracy_at_target": None}
            if len(hit):
                it = int(evals[hit[0]])
                row.update({"iterations_to_target": it, "accuracy_at_target": float(accuracy[hit[0]]),
                            "seconds_to_target": float(training[records.index(it)])})
            rows.append(row)
    print(json.dumps({"tool": "detrain-time-to-accuracy", "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
