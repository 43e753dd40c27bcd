"""Shared by the tests: real runs made once with bin/detrain, and hand-made metrics.h5 files."""
import atexit
import os
import shutil
import subprocess
import sys
import tempfile

import h5py
import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PYTHON_DIR = os.path.join(REPO, "python")

# Small runs: synthetic heterogeneous least squares (3 ranks, 20 iterations, two seeds), the same
# with DSGT on 2 ranks and evaluations that fall between the records (every 7 iterations, records
# every 5), Fashion-MNIST softmax (accuracy), and two diverged runs (lr=1e6), with and without
# evaluations before the blow-up: both write metrics.h5 with status diverged and exit 3.
HLSQ = ["--set", "dataset=synthetic-hlsq", "--set", "model=linear", "--set", "synthetic.samples=512",
        "--set", "iterations=20", "--set", "log.every=5"]
DIVERGING = ["-np", "2", "--set", "dataset=synthetic-lsq", "--set", "model=linear", "--set", "lr=1e6",
             "--set", "iterations=20", "--set", "log.every=2"]
RUNS = {
    # name: (parent under results/, run id, arguments, expected exit code)
    "seed1": ("sweep", "seed1", ["-np", "3", *HLSQ, "--set", "eval.every=10", "--set", "seed=1"], 0),
    "seed2": ("sweep", "seed2", ["-np", "3", *HLSQ, "--set", "eval.every=10", "--set", "seed=2"], 0),
    "dsgt": ("", "dsgt", ["-np", "2", *HLSQ, "--set", "eval.every=7", "--set", "algorithm=dsgt"], 0),
    "quick": ("", "quick", ["-np", "2", "--set", "iterations=20", "--set", "log.every=5", "--set", "eval.every=10"], 0),
    "diverged": ("", "diverged", [*DIVERGING, "--set", "eval.every=2"], 3),
    "diverged-early": ("", "diverged-early", [*DIVERGING, "--set", "eval.every=100"], 3),
}

_made = {}


def temp_dir(prefix):
    d = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, d, True)
    return d


def results():
    """The results/ folder holding RUNS (made on first use, removed when the tests end)."""
    if "results" in _made:
        return _made["results"]
    jar = os.path.join(REPO, "target", "detrain.jar")
    if not os.path.isfile(jar):
        raise RuntimeError("%s is missing: run `make build` first (`make test` does it)" % jar)
    root = os.path.join(temp_dir("detrain-results-py-"), "results")
    for name, (parent, run_id, args, expected) in RUNS.items():
        out = os.path.join(root, parent) if parent else root
        cmd = [os.path.join(REPO, "bin", "detrain"), "train", "--results", out, "--run-id", run_id, *args]
        p = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600)
        if p.returncode != expected:
            raise RuntimeError("%s exited %d, expected %d:\n%s\n%s" % (" ".join(cmd), p.returncode, expected,
                                                                       p.stdout[-3000:], p.stderr[-3000:]))
    _made["results"] = root
    return root


def run_dir(name):
    parent, run_id = RUNS[name][0], RUNS[name][1]
    return os.path.join(results(), parent, run_id) if parent else os.path.join(results(), run_id)


def python(code_or_args, cwd, *args):
    """Runs /usr/bin/python3 (the interpreter the README names) with PYTHONPATH=python."""
    env = dict(os.environ, PYTHONPATH=PYTHON_DIR)
    argv = [sys.executable, "-c", code_or_args, *args]
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


# ---- hand-made metrics.h5 files, laid out as MetricsLog writes them ---------------------------

def _s(value, as_bytes):
    """A string attribute value: bytes give h5py's fixed-length strings (jHDF today), str
    variable-length UTF-8 (what a later writer may store)."""
    return value.encode() if as_bytes else value


def write_fake_run(run_dir, ranks=2, records=(5, 10), evals=(10,), status="complete", as_bytes=True,
                   optimum=True, drop=(), empty=(), extra_config=None, bad_shape=None):
    """A small metrics.h5 in run_dir: records at the iterations `records`, evaluations at `evals`.
    drop: /metrics datasets to leave out; empty: datasets to leave out and list as empty
    (records/evals should then be empty); bad_shape: a per-rank dataset written with a wrong shape."""
    os.makedirs(run_dir, exist_ok=True)
    path = os.path.join(run_dir, "metrics.h5")
    n, e = len(records), len(evals)
    with h5py.File(path, "w") as f:
        f.attrs["format"] = _s("detrain-metrics/1", as_bytes)
        f.attrs["status"] = _s(status, as_bytes)
        f.attrs["run_id"] = _s(os.path.basename(run_dir), as_bytes)
        f.attrs["ranks"] = np.int64(ranks)
        f.attrs["git_dirty"] = np.int64(1)
        f.attrs["setup_time"] = 0.5
        f.attrs["hosts"] = np.array([_s("host%d" % r, as_bytes) for r in range(ranks)],
                                    dtype=None if as_bytes else h5py.string_dtype())
        config = {"lr": "0.05", "batch": "16", "eval.local": "true", "model.hidden": "256,128",
                  "lr.decay.epochs": "", "detag.eta": "auto", "algorithm": "d2", "seed": "3"}
        config.update(extra_config or {})
        cg = f.create_group("config")
        for k, v in config.items():
            cg.attrs[k] = _s(v, as_bytes) if isinstance(v, str) else v
        f.create_group("algorithm").attrs["name"] = _s("d2", as_bytes)
        t = f.create_group("topology")
        t.attrs["name"] = _s("ring(%d)" % ranks, as_bytes)
        t.attrs["lambda"] = 0.5
        t.create_dataset("W", data=np.full((ranks, ranks), 1.0 / ranks))
        m = f.create_group("metrics")
        rows = np.arange(n * ranks, dtype=float).reshape(n, ranks)
        data = {
            "iteration": np.array(records, dtype=np.int64), "epoch": np.array(records) / 100.0,
            "wall_time": np.array(records) / 10.0, "consensus_distance": np.array(records) * 1e-3,
            "optimum_distance": np.array(records) * 1e-2, "train_loss": rows + 0.5, "grad_norm": rows * 2,
            "bytes_sent": rows * 1000, "messages_sent": rows * 2, "compute_time": rows / 7, "comm_wait_time": rows / 9,
            "eval_iteration": np.array(evals, dtype=np.int64), "eval_epoch": np.array(evals) / 100.0,
            "eval_wall_time": np.array(evals) / 10.0 + 0.01, "test_loss": np.array(evals) * 0.1,
            "test_accuracy": np.array(evals) * 0.01,
            "local_test_loss": np.arange(e * ranks, dtype=float).reshape(e, ranks),
            "local_test_accuracy": np.arange(e * ranks, dtype=float).reshape(e, ranks) / 100,
        }
        if not optimum:
            drop = tuple(drop) + ("optimum_distance",)
        listed = []
        for name, values in data.items():
            if name in drop:
                continue
            if name in empty:
                listed.append(_s("%s:%s:%s" % (name, values.dtype.name, "x".join(["0"] * values.ndim)), as_bytes))
                continue
            if name == bad_shape:
                values = values.reshape(-1)
            m.create_dataset(name, data=values)
        if listed:
            m.attrs["_empty_datasets"] = np.array(listed, dtype=None if as_bytes else h5py.string_dtype())
    return path
