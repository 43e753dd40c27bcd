#!/usr/bin/python3
"""Compares the results of two sets of runs value for value.

    scripts/compare-runs.py RESULTS_A RESULTS_B

Every run directory below RESULTS_A that holds a metrics.h5 is matched by its path relative to
RESULTS_A with the one below RESULTS_B. For each pair, every dataset and attribute is compared
exactly (same shape, same bits), except what measures time or names the launch (wall and compute
times, dates, hosts, commands, commits), which differ from launch to launch by nature, and the
layout's version. Values are compared, not their HDF5 encoding, so files of layout
detrain-metrics/1 and /2 compare: strings as text whether stored fixed-length (bytes) or
variable-length (str); /config values as the typed values their text denotes ("0.05" and 0.05,
"true" and True, "16" and 16). Prints one line per run ("same" or the first differences) and exits
1 if any run differs or is missing.
"""
import re
import os
import sys

import h5py
import numpy as np

# Names whose values depend on when and where a run was launched, not on what it computed.
TIMING = ("time", "_at", "seconds", "launches", "command", "git_", "host", "written", "java_version", "os",
          "detrain_version",
          # dataset.dir=auto is recorded as the absolute path read, so it (and the config hash) name the checkout
          "dataset.dir", "config_hash",
          # the layout's version: a build may change how values are stored, never the values
          "format")
# step_rows columns per rank (see the metrics schema): times are columns 4 and 5 of each rank's 6.
STEP_TIME_COLUMNS = {4, 5}


def timing(name):
    base = name.rsplit("/", 1)[-1]
    return any(t in base for t in TIMING)


_INT = re.compile(r"[+-]?\d+")


def text(value):
    """A string as str (h5py gives bytes for fixed-length strings, str for variable-length ones)."""
    return value.decode("utf-8") if isinstance(value, (bytes, np.bytes_)) else str(value)


def plain(value):
    """An attribute's value with its storage forgotten: strings and string arrays as str."""
    if isinstance(value, (bytes, np.bytes_, str, np.str_)):
        return text(value)
    if isinstance(value, np.ndarray) and value.dtype.kind in "SOU":
        return np.array([text(v) for v in value.reshape(-1)], dtype=object).reshape(value.shape)
    return value


def config_value(value):
    """A /config value as the typed value it denotes: text "16", int64 16 and float64 16.0 are one
    value (a number's type follows its key, whose schema may differ between builds)."""
    value = plain(value)
    if isinstance(value, str):
        t = value.strip()
        if t in ("true", "false"):
            return np.bool_(t == "true")
        try:
            return np.float64(int(t) if _INT.fullmatch(t) else float(t))
        except ValueError:
            return value
    if isinstance(value, (np.integer, np.floating)) and not isinstance(value, np.bool_):
        return np.float64(value)
    return value


def values(f):
    out = {}

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            if not timing(name):
                out["D:" + name] = plain(obj[()])
        for key, value in obj.attrs.items():
            if not timing(key):
                out["A:" + name + "@" + key] = config_value(value) if name == "config" else plain(value)

    for key, value in f.attrs.items():
        if not timing(key):
            out["A:/@" + key] = plain(value)
    f.visititems(visit)
    return out


def strip_step_times(name, value, ranks):
    if name.endswith("step_rows") and value.ndim == 2 and ranks and value.shape[1] % ranks == 0:
        width = value.shape[1] // ranks
        keep = [c for c in range(value.shape[1]) if c % width not in STEP_TIME_COLUMNS]
        return value[:, keep]
    return value


def same(a, b):
    a = np.asarray(a)
    b = np.asarray(b)
    if a.dtype.kind in "SOU" or b.dtype.kind in "SOU":
        return a.shape == b.shape and [text(v) for v in a.reshape(-1)] == [text(v) for v in b.reshape(-1)]
    if a.dtype.kind == "b" and b.dtype.kind in "iu" or b.dtype.kind == "b" and a.dtype.kind in "iu":
        return a.shape == b.shape and np.array_equal(a.astype(np.int64), b.astype(np.int64))  # 0/1 and False/True
    if a.shape != b.shape or a.dtype.kind != b.dtype.kind:
        return False
    if a.dtype.kind == "f":
        return a.tobytes() == b.tobytes()
    return np.array_equal(a, b)


def compare(path_a, path_b):
    with h5py.File(path_a, "r") as fa, h5py.File(path_b, "r") as fb:
        ranks = int(fa.attrs.get("ranks", 0))
        va, vb = values(fa), values(fb)
        diffs = []
        for name in sorted(set(va) | set(vb)):
            if name not in va or name not in vb:
                diffs.append(name + (" only in A" if name in va else " only in B"))
                continue
            a = strip_step_times(name, np.asarray(va[name]), ranks)
            b = strip_step_times(name, np.asarray(vb[name]), ranks)
            if not same(a, b):
                diffs.append(name + " differs")
        return diffs


def runs(root):
    found = {}
    for dirpath, _, files in os.walk(root):
        if "metrics.h5" in files:
            found[os.path.relpath(dirpath, root)] = os.path.join(dirpath, "metrics.h5")
    return found


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    a, b = runs(sys.argv[1]), runs(sys.argv[2])
    if not a:
        print(f"no metrics.h5 below {sys.argv[1]}", file=sys.stderr)
        return 2
    bad = 0
    for rel in sorted(set(a) | set(b)):
        if rel not in a or rel not in b:
            print(f"{rel}: only in {'A' if rel in a else 'B'}")
            bad += 1
            continue
        diffs = compare(a[rel], b[rel])
        print(f"{rel}: " + ("same" if not diffs else "; ".join(diffs[:6]) + (" …" if len(diffs) > 6 else "")))
        bad += bool(diffs)
    print(f"{len(set(a) | set(b)) - bad} of {len(set(a) | set(b))} runs the same")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
