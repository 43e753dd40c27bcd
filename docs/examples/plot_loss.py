#!/usr/bin/env python3
"""Plot one curve from a detrain run with h5py and matplotlib: training loss vs epoch.

    python3 plot_loss.py results/<run-id>/metrics.h5 loss.png

Needs the Debian packages python3-h5py and python3-matplotlib (make deps installs both).
/metrics/train_loss holds one row per logged record and one column per rank; /metrics/epoch
the epoch of each record. The curve is the mean over ranks, as in `detrain report`.
"""
import sys

import h5py
import matplotlib

matplotlib.use("Agg")  # draw to a file; no display needed
import matplotlib.pyplot as plt

if len(sys.argv) != 3:
    sys.exit("usage: plot_loss.py results/<run-id>/metrics.h5 OUT.png")
path, out = sys.argv[1], sys.argv[2]

with h5py.File(path, "r") as f:
    run_id = f.attrs["run_id"]                    # str (layout detrain-metrics/2 on)
    algorithm = f["config"].attrs["algorithm"]
    epoch = f["metrics/epoch"][()]                # shape (records,)
    loss = f["metrics/train_loss"][()].mean(axis=1)  # (records, ranks) -> mean over ranks

fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(epoch, loss, label=algorithm)
ax.set(xlabel="epoch", ylabel="training loss (mean over ranks)", title=run_id)
ax.legend()
fig.tight_layout()
fig.savefig(out, dpi=100)                         # 600 x 400 pixels
print("%s: %d records, final training loss %r at epoch %r -> %s" % (run_id, len(loss), float(loss[-1]), float(epoch[-1]), out))
