"""Many runs: find_runs, load_runs -> one tidy DataFrame, to_xarray."""
import glob
import os
import warnings

import numpy as np
import pandas as pd

from . import schema
from ._values import config_value, hashable, read_properties
from .run import ResultsError, failed_ranks, first_failure, load_run, locate

TABLES = ("records", "evaluations", "merged", "runs")
_GLOB_CHARS = set("*?[")


def _as_list(paths):
    if isinstance(paths, (str, bytes, os.PathLike)):
        return [paths]
    return list(paths)


def _is_run_dir(path):
    return any(os.path.isfile(os.path.join(path, name))
               for name in (schema.METRICS_FILE, schema.CONFIG_FILE, schema.LAUNCH_FILE))


def _walk(top):
    """Run directories at or below top: those holding metrics.h5, config.properties or run.properties."""
    found = []
    for here, dirs, _ in os.walk(top, followlinks=True):
        if _is_run_dir(here):
            found.append(here)
            dirs[:] = [d for d in dirs if d not in schema.RUN_SUBDIRS]
        dirs.sort()
    return found


def find_runs(paths):
    """The run directories named by paths: run directories, metrics.h5 files, directories with runs
    at any depth below them (a sweep, a results tree), or globs of any of these. Sorted, each once.
    A run directory is one holding metrics.h5 or, for a run that failed before writing it,
    config.properties / run.properties. Raises ResultsError when a path does not exist or
    nothing is found."""
    given = [os.fspath(p) for p in _as_list(paths)]
    if not given:
        raise ResultsError("no results given: pass a run directory (results/<run-id>), a sweep directory or a glob")
    found = []
    for p in given:
        if _GLOB_CHARS & set(p):
            matches = sorted(glob.glob(p, recursive=True))
            if not matches:
                raise ResultsError("%s matches nothing" % p)
        else:
            matches = [p]
        for m in matches:
            if not os.path.exists(m):
                raise ResultsError("%s does not exist: pass a run directory (results/<run-id>), a sweep"
                                   " directory, a metrics.h5 file or a glob" % m)
            if os.path.isfile(m):
                found.append(locate(m)[0])
                continue
            below = _walk(m)
            if not below and not (_GLOB_CHARS & set(p)):
                raise ResultsError("no run below %s: no %s, %s or %s there" % (
                    m, schema.METRICS_FILE, schema.CONFIG_FILE, schema.LAUNCH_FILE))
            found.extend(below)
    unique = sorted({os.path.normpath(os.path.abspath(d)) for d in found})
    if not unique:
        raise ResultsError("no run found in %s" % ", ".join(given))
    return unique


def _labels(run_dirs):
    """A short unique name per run: its path relative to the deepest folder above all of them."""
    if len(run_dirs) == 1:
        return [os.path.basename(run_dirs[0])]
    common = os.path.commonpath(run_dirs)
    return [os.path.relpath(d, common).replace(os.sep, "/") for d in run_dirs]


class _Unwritten:
    """A run directory without metrics.h5: what its status files and config.properties say."""

    def __init__(self, run_dir):
        failed = failed_ranks(run_dir)
        self.path = run_dir
        self.failure = first_failure(failed)
        self.status = schema.FAILED if failed else schema.NO_METRICS
        launch = _properties(os.path.join(run_dir, schema.LAUNCH_FILE))
        self.run_id = launch.get(schema.RUN_ID_ATTR) or os.path.basename(run_dir)
        ranks = launch.get(schema.RANKS_ATTR)
        self.ranks = int(ranks) if ranks and ranks.isdigit() else None
        raw = _properties(os.path.join(run_dir, schema.CONFIG_FILE))
        self.config = {k: config_value(k, v) for k, v in raw.items()}


def _properties(path):
    try:
        return read_properties(path) if os.path.isfile(path) else {}
    except (OSError, UnicodeDecodeError) as e:
        raise ResultsError("%s cannot be read (%s)" % (path, e)) from e


def _load(run_dirs, errors):
    """(label, Run or _Unwritten) per run directory; unreadable files raise, or are warned about and
    skipped with errors="warn"."""
    loaded, skipped = [], []
    for label, d in zip(_labels(run_dirs), run_dirs):
        if not os.path.isfile(os.path.join(d, schema.METRICS_FILE)):
            loaded.append((label, _Unwritten(d)))
            continue
        try:
            loaded.append((label, load_run(d)))
        except ResultsError as e:
            if errors == "raise":
                raise
            skipped.append(str(e))
    if skipped:
        warnings.warn("skipped %d unreadable run(s): %s" % (len(skipped), "; ".join(skipped)), stacklevel=3)
    return loaded


def _run_columns(label, run):
    return {"run": label, "run_id": run.run_id, "status": run.status, "ranks": run.ranks}


def _constant(value, n):
    """A column of n copies of value, with value's dtype even when n is 0."""
    if value is None or isinstance(value, (str, tuple)):
        column = np.empty(n, dtype=object)
        column.fill(value)
        return column
    return np.full(n, value)


def _with_run_columns(frame, run_columns, config, config_keys):
    """frame with the run's columns and every config key (typed; lists as tuples) in front."""
    front = dict(run_columns)
    for key in config_keys:
        front[key if key not in frame.columns and key not in front else "config." + key] = hashable(config.get(key))
    front_frame = pd.DataFrame({k: _constant(v, len(frame)) for k, v in front.items()}, index=frame.index)
    return pd.concat([front_frame, frame], axis=1)


def load_runs(paths, table="records", errors="raise"):
    """One tidy DataFrame over many runs.

    paths: a run directory, a metrics.h5, a sweep or results directory (every run below it), a
    glob ("results/sweep-*"), or a list of these.
    table: "records" (one row per run x record x rank, as Run.records), "evaluations" (as
    Run.evaluations), "merged" (as Run.merged) or "runs" (one row per run: status, failure, the
    final values of Run.summary(); runs without metrics.h5 appear here with status "failed" or
    "no-metrics" and their config from config.properties).
    Every table starts with run (a unique name: the run directory relative to the folder above
    all runs), run_id, status, ranks and one column per config key, typed (int, float, bool, str;
    list values as tuples so they can be grouped by). A config key that clashes with a column of
    the table is named "config.<key>".
    errors: "raise" (default) stops at a metrics.h5 that cannot be read; "warn" skips it with a
    warning. Runs without metrics.h5 have no rows in the records/evaluations/merged tables and are
    named in a warning.
    """
    if table not in TABLES:
        raise ValueError("table must be one of %s, not %r" % (", ".join(TABLES), table))
    if errors not in ("raise", "warn"):
        raise ValueError("errors must be 'raise' or 'warn', not %r" % (errors,))
    loaded = _load(find_runs(paths), errors)
    config_keys = []
    for _, run in loaded:
        config_keys += [k for k in run.config if k not in config_keys]
    if table == "runs":
        rows = []
        for label, run in loaded:
            row = _run_columns(label, run)
            row["failure"] = run.failure
            row["path"] = run.path
            for key in config_keys:
                row[key if key not in row else "config." + key] = hashable(run.config.get(key))
            if hasattr(run, "summary"):
                row.update(run.summary())
            rows.append(row)
        return pd.DataFrame(rows)
    unwritten = [label for label, run in loaded if not hasattr(run, "records")]
    if unwritten:
        warnings.warn("%d run(s) without %s (no rows in the %s table): %s" % (
            len(unwritten), schema.METRICS_FILE, table, ", ".join(unwritten)), stacklevel=2)
    frames = []
    for label, run in loaded:
        if not hasattr(run, "records"):
            continue
        frame = {"records": lambda: run.records, "evaluations": lambda: run.evaluations,
                 "merged": lambda: run.merged}[table]()
        frames.append(_with_run_columns(frame, _run_columns(label, run), run.config, config_keys))
    if not frames:
        raise ResultsError("no run with a %s in %s" % (schema.METRICS_FILE, ", ".join(map(os.fspath, _as_list(paths)))))
    return pd.concat(frames, ignore_index=True)


def to_xarray(frame):
    """A table of load_runs (records, evaluations or merged) as an xarray Dataset with dimensions
    run, iteration and rank: per-rank series over all three, network-wide series over
    (run, iteration), and run and config columns as coordinates along run. Iterations a run does
    not have are NaN. Needs python3-xarray."""
    try:
        import xarray as xr
    except ImportError as e:
        raise ImportError("to_xarray needs xarray: apt-get install python3-xarray (%s)" % e) from e
    if "run" not in frame.columns:
        raise ValueError("to_xarray takes a table of load_runs (it has no 'run' column)")
    axes = ("run", "iteration", "rank")
    # The schema says which series are per rank and which network-wide; a column it does not know
    # is per run if it is constant within each run (config keys, status), else per rank.
    network_wide = {c for _, c in schema.RECORD_SERIES + schema.EVAL_SERIES} | set(schema.MERGED_EVAL_RENAMES.values())
    per_rank_known = {c for _, c in schema.RECORD_PER_RANK + schema.EVAL_PER_RANK}
    per_step = [c for c in frame.columns if c in network_wide]
    per_rank, per_run = [], []
    for c in frame.columns:
        if c in axes or c in network_wide:
            continue
        if c in per_rank_known or not (frame.groupby("run", sort=False)[c].nunique(dropna=False) <= 1).all():
            per_rank.append(c)
        else:
            per_run.append(c)
    cube = xr.Dataset.from_dataframe(frame.set_index(list(axes))[per_rank])
    steps = frame.drop_duplicates(["run", "iteration"]).set_index(["run", "iteration"])[per_step]
    ds = cube.merge(xr.Dataset.from_dataframe(steps))
    runs = frame.drop_duplicates("run").set_index("run")[per_run]
    for c in runs.columns:
        values = runs[c]
        if values.map(lambda v: isinstance(v, tuple)).any():
            values = values.map(lambda v: ",".join(map(str, v)) if isinstance(v, tuple) else v)
        ds = ds.assign_coords({c: ("run", values.reindex(ds["run"].values).to_numpy())})
    return ds
