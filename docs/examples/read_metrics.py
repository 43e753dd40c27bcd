#!/usr/bin/env python3
"""Summarise a detrain results file: provenance, config, topology and the last metrics.

    python3 read_metrics.py results/<run-id>/metrics.h5 [--plot curves.png]

Needs h5py and numpy (Debian: apt-get install python3-h5py); --plot also needs matplotlib
(apt-get install python3-matplotlib). Exits 0 on success, 1 without h5py, 2 if the file, a
group, a dataset or an attribute this script needs is missing.

Layout of metrics.h5 (written by detrain's org.detrain.io package through jHDF):
  /                 attributes: provenance (detrain_version, git_commit, hosts, ...)
  /config           attributes: one per config key, typed (int, float, bool, or str)
  /topology         attributes name, weights, kappa, lambda, spectral_gap;
                    datasets adjacency (int32 n x n), W (float64 n x n), eigenvalues (float64 n)
  /partition        dataset class_counts (int64 ranks x classes)
  /metrics          datasets iteration (int64 [steps]), epoch (float64 [steps]),
                    train_loss (float64 [steps x ranks]), eval_iteration (int64 [evals]),
                    test_accuracy (float64 [evals]), ...
Things to know when reading it with h5py:
  * string attributes are variable-length UTF-8 and come back as str (files written before
    layout detrain-metrics/2 hold fixed-length ones, which come back as bytes: text() below
    reads both); string datasets are fixed-length: ds.asstr()[()];
  * boolean attributes are HDF5's usual enum (FALSE, TRUE) and come back as numpy.bool_;
  * jHDF cannot write empty datasets, so a dataset with no rows yet (e.g. before the first
    evaluation) is left out and named instead in its group's attribute "_empty_datasets",
    one "name:dtype:shape" string each. Missing from both means really missing.
"""
import argparse
import os
import sys

try:
    import h5py
    import numpy as np
except ImportError as missing:
    sys.exit("error: %s: install h5py and numpy (apt-get install python3-h5py) or run with"
             " /usr/bin/python3" % missing)

MISSING = 2  # exit code for a missing file, group, dataset or attribute


def fail(message):
    print("error: " + message, file=sys.stderr)
    sys.exit(MISSING)


def text(value):
    """An attribute value as text: decode bytes, unpack numpy scalars and arrays."""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.ndarray):
        return ", ".join(text(v) for v in value.tolist())
    if isinstance(value, np.generic):
        value = value.item()  # numpy scalar to Python: repr(float) is the shortest exact form
    return repr(value) if isinstance(value, float) else str(value)


def group(f, name):
    if name not in f:
        fail("%s has no group /%s: is it a detrain metrics.h5 file?" % (f.filename, name))
    return f[name]


def empty_datasets(g):
    """Names of the datasets this group recorded as empty (see the module comment)."""
    entries = g.attrs.get("_empty_datasets", [])
    return {text(e).rsplit(":", 2)[0] for e in entries}


def dataset(g, name):
    """The dataset's values, an empty array if it was recorded as empty, or exit if it is missing."""
    if name in g:
        return g[name][()]
    if name in empty_datasets(g):
        return np.empty(0)
    fail("%s has no dataset %s/%s" % (g.file.filename, g.name, name))


def attribute(g, name):
    if name not in g.attrs:
        fail("%s has no attribute %s on %s" % (g.file.filename, name, g.name))
    return g.attrs[name]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("file", help="results/<run-id>/metrics.h5")
    parser.add_argument("--plot", metavar="OUT.png", help="also plot the curves to this image")
    args = parser.parse_args()

    if not os.path.isfile(args.file):
        fail("%s does not exist: pass results/<run-id>/metrics.h5" % args.file)
    try:
        f = h5py.File(args.file, "r")
    except OSError as e:
        fail("%s is not a readable HDF5 file (%s)" % (args.file, e))

    with f:
        print("file: %s" % args.file)
        # Provenance: root attributes, listed in name order as h5py returns them.
        print("provenance:")
        for name, value in f.attrs.items():
            print("  %s: %s" % (name, text(value)))

        print("config:")
        for name, value in group(f, "config").attrs.items():
            print("  %s: %s" % (name, text(value)))

        topology = group(f, "topology")
        print("topology: lambda = %s, spectral_gap = %s"
              % (text(attribute(topology, "lambda")), text(attribute(topology, "spectral_gap"))))

        metrics = group(f, "metrics")
        accuracy = dataset(metrics, "test_accuracy")
        if accuracy.size == 0:
            print("test_accuracy: no evaluations recorded yet")
        else:
            evals = dataset(metrics, "eval_iteration")
            print("last test_accuracy (iteration %d): %s" % (evals[-1], text(accuracy[-1])))

        loss = dataset(metrics, "train_loss")  # steps x ranks
        if loss.size == 0:
            print("train_loss: no steps recorded yet")
        else:
            steps = dataset(metrics, "iteration")
            print("last train_loss (iteration %d, mean over %d ranks): %s"
                  % (steps[-1], loss.shape[1], text(loss[-1].mean())))

        if args.plot:
            plot(args.plot, metrics, loss, accuracy)


def plot(out, metrics, loss, accuracy):
    try:
        import matplotlib
        matplotlib.use("Agg")  # no display needed
        import matplotlib.pyplot as plt
    except ImportError:
        fail("--plot needs matplotlib: apt-get install python3-matplotlib")
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    if loss.size:
        left.plot(dataset(metrics, "iteration"), loss.mean(axis=1))
    positive = loss.size > 0 and bool((loss > 0).all())
    left.set(xlabel="iteration", ylabel="train loss (mean over ranks)", yscale="log" if positive else "linear")
    if accuracy.size:
        right.plot(dataset(metrics, "eval_iteration"), accuracy, marker="o")
    right.set(xlabel="iteration", ylabel="test accuracy (averaged model)")
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    print("plot: %s" % out)


if __name__ == "__main__":
    main()
