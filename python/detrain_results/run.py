"""One run: load_run(path) -> Run."""
import functools
import json
import os

import numpy as np
import pandas as pd

from . import schema
from ._values import config_value, plain, text, to_bool


class ResultsError(ValueError):
    """A results path that cannot be read as detrain results; the message names the file and the problem."""


def _h5py():
    try:
        import h5py
    except ImportError as e:
        raise ImportError("detrain_results needs h5py: apt-get install python3-h5py (%s)" % e) from e
    return h5py


def locate(path):
    """(run directory, metrics.h5 path) for a run directory or its metrics.h5 file."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise ResultsError("%s does not exist: pass a run directory (results/<run-id>) or its %s"
                           % (path, schema.METRICS_FILE))
    if os.path.isdir(path):
        return path, os.path.join(path, schema.METRICS_FILE)
    if os.path.basename(path) != schema.METRICS_FILE:
        raise ResultsError("%s is a file but not a %s: pass a run directory (results/<run-id>) or its %s"
                           % (path, schema.METRICS_FILE, schema.METRICS_FILE))
    return os.path.dirname(path) or ".", path


def failed_ranks(run_dir):
    """{rank: first line of its status/rank-N.failed} of a run directory (empty when none failed)."""
    failed = {}
    status_dir = os.path.join(run_dir, schema.STATUS_DIR)
    if not os.path.isdir(status_dir):
        return failed
    for name in sorted(os.listdir(status_dir)):
        stem, ext = os.path.splitext(name)
        rank = stem[len(schema.RANK_FILE_PREFIX):]
        if ext != schema.FAILED_SUFFIX or not stem.startswith(schema.RANK_FILE_PREFIX) or not rank.isdigit():
            continue
        try:
            with open(os.path.join(status_dir, name), encoding="utf-8", errors="replace") as f:
                failed[int(rank)] = f.readline().strip() or "(no message)"
        except OSError as e:
            failed[int(rank)] = "(unreadable: %s)" % e
    return failed


def first_failure(failed):
    """The message of the lowest failed rank, or None."""
    return failed[min(failed)] if failed else None


def effective_status(recorded, failed):
    """The run's status: the recorded one, but "failed" for a "running" file whose ranks failed."""
    if failed and recorded in (None, schema.RUNNING):
        return schema.FAILED
    return recorded if recorded is not None else schema.RUNNING


class Run:
    """A detrain run read from its metrics.h5 (see load_run)."""

    def __init__(self, run_dir, metrics_file, provenance, config, algorithm, topology, partition,
                 records, evaluations, status, failure):
        self.path = run_dir
        self.metrics_file = metrics_file
        self.provenance = provenance
        self.config = config
        self.algorithm = algorithm
        self.topology = topology
        self.partition = partition
        self.records = records
        self.evaluations = evaluations
        self.failure = failure
        self.run_id = provenance.get(schema.RUN_ID_ATTR) or os.path.basename(os.path.abspath(run_dir))
        self.recorded_status = provenance.get(schema.STATUS_ATTR)
        self.status = status
        self.ranks = provenance.get(schema.RANKS_ATTR)

    def __repr__(self):
        return "<detrain run %s: %s, %d ranks, %d records, %d evaluations>" % (
            self.run_id, self.status, self.ranks or 0, len(self.records) // max(self.ranks or 1, 1),
            len(self.evaluations) // max(self.ranks or 1, 1))

    @functools.cached_property
    def merged(self):
        """Training records and evaluations on one iteration axis: one row per (iteration, rank)
        at every iteration that has a record, an evaluation or both (an outer join on iteration and
        rank; nothing is interpolated). Where an iteration has only one of them, the other's
        columns are NaN (integer counters then turn float64). epoch is the same in both at a
        shared iteration; the evaluation's wall time is eval_wall_time."""
        return merge(self.records, self.evaluations)

    def summary(self):
        """One dict for the run: run id, status, ranks, the final values of the main series."""
        return summarise(self)

    def models(self):
        """The final models stored in /models (empty dict when the run saved none): local
        (ranks x d), averaged (d), optimum (d, synthetic problems); read from the file on demand."""
        h5py = _h5py()
        with _open(h5py, self.metrics_file) as f:
            if schema.MODELS_GROUP not in f:
                return {}
            g = f[schema.MODELS_GROUP]
            out = {name: g[name][()] for name in g if isinstance(g[name], h5py.Dataset)}
            out.update({name: plain(v) for name, v in g.attrs.items() if name != schema.EMPTY_DATASETS_ATTR})
            return out

    def to_xarray(self):
        """The run as an xarray Dataset (needs python3-xarray): see detrain_results.to_xarray."""
        from .runs import to_xarray
        frame = self.records.copy()
        frame.insert(0, "run", self.run_id)
        return to_xarray(frame)


def _open(h5py, metrics_file):
    try:
        return h5py.File(metrics_file, "r")
    except OSError as e:
        raise ResultsError("%s is not a readable HDF5 file (%s): is the run still writing it, or was it"
                           " cut short while copying?" % (metrics_file, e)) from e


def load_run(path):
    """Reads one run: a results/<run-id> directory or its metrics.h5.

    Returns a Run with
      path, metrics_file, run_id, ranks;
      status: "running", "complete", "stopped", "diverged" (a training loss was not finite; the
        series stop before provenance["diverged_at"]; failure holds the message), or "failed" (a
        "running" file whose ranks wrote status/rank-N.failed; failure holds the first failed
        rank's message); recorded_status is the file's own status attribute;
      provenance: the root attributes (str, int, float, bool, lists of str);
      config: every config key with its type (int, float, bool, str, lists);
      algorithm, topology, partition: their attributes (topology and partition with their
        datasets as numpy arrays);
      records: one row per (record, rank): iteration, epoch, wall_time, rank, train_loss, grad_norm,
        bytes_sent, messages_sent, compute_time, comm_wait_time, then the network-wide values
        repeated on each rank's row: training_time, eval_time, record_time, metrics_io_time,
        checkpoint_time (rank 0's clock: the parts of wall_time), consensus_distance and, for
        synthetic problems, optimum_distance;
      evaluations: one row per (evaluation, rank): iteration, epoch, wall_time, rank, test_loss,
        test_accuracy (of the averaged model, repeated on each rank's row), local_test_loss,
        local_test_accuracy (that rank's own model);
      merged: both on one iteration axis (see Run.merged).
    A "running" file is read as far as all its series go, followed by the records and evaluations
    metrics.jsonl holds past them (the file is rewritten every few seconds, the lines as they
    come); any other file must be whole.
    Raises ResultsError naming the file and the problem.
    """
    run_dir, metrics_file = locate(path)
    failed = failed_ranks(run_dir)
    if not os.path.isfile(metrics_file):
        if failed:
            why = "the run failed before writing it: %s" % first_failure(failed)
        elif any(os.path.isfile(os.path.join(run_dir, n)) for n in (schema.CONFIG_FILE, schema.LAUNCH_FILE)):
            why = "the run has not written it yet (it does at its first evaluation)"
        else:
            why = "%s is not a run directory (for a sweep or a results tree, use load_runs)" % run_dir
        raise ResultsError("%s does not exist: %s" % (metrics_file, why))
    h5py = _h5py()
    with _open(h5py, metrics_file) as f:
        reader = _Reader(h5py, f, metrics_file)
        try:
            provenance = reader.provenance()
            ranks = provenance.get(schema.RANKS_ATTR)
            # A file still being written may hold one series a row ahead of another: cut to the
            # rows all of them have. A finished file must be whole.
            live = provenance.get(schema.STATUS_ATTR) == schema.RUNNING
            records = reader.table(schema.RECORD_AXIS, schema.RECORD_SERIES, schema.RECORD_PER_RANK, ranks, live)
            evaluations = reader.table(schema.EVAL_AXIS, schema.EVAL_SERIES, schema.EVAL_PER_RANK, ranks, live)
            if live:  # metrics.h5 is rewritten every few seconds: the lines written since follow it
                lines = _read_lines(run_dir)
                records = _with_lines(records, lines, schema.RECORD_LINE, schema.RECORD_PER_RANK)
                evaluations = _with_lines(evaluations, lines, schema.EVALUATION_LINE,
                                          schema.EVAL_PER_RANK)
            return Run(run_dir, metrics_file, provenance, reader.config(), reader.attributes(schema.ALGORITHM_GROUP),
                       reader.group_with_datasets(schema.TOPOLOGY_GROUP),
                       reader.group_with_datasets(schema.PARTITION_GROUP), records, evaluations,
                       effective_status(provenance.get(schema.STATUS_ATTR), failed), first_failure(failed))
        except (OSError, KeyError, RuntimeError) as e:  # h5py's errors on a damaged file
            raise ResultsError("%s cannot be read (%s): is the run still writing it, or was it cut short while"
                               " copying?" % (metrics_file, e)) from e


class _Reader:
    def __init__(self, h5py, f, name):
        self.h5py = h5py
        self.f = f
        self.name = name

    def fail(self, problem):
        raise ResultsError("%s: %s" % (self.name, problem))

    def provenance(self):
        attrs = self.f.attrs
        if schema.METRICS_GROUP not in self.f:
            self.fail("no /%s group: is it a detrain metrics.h5 file?" % schema.METRICS_GROUP)
        fmt = text(plain(attrs.get(schema.FORMAT_ATTR, "")))
        if fmt and not str(fmt).startswith(schema.FORMAT_PREFIX):
            self.fail("format %r is not a detrain metrics file (%s...)" % (fmt, schema.FORMAT_PREFIX))
        out = {}
        for name, value in attrs.items():
            if name == schema.EMPTY_DATASETS_ATTR:
                continue
            value = plain(value)
            out[name] = to_bool(value) if name in schema.BOOLEAN_ATTRS else value
        return out

    def config(self):
        if schema.CONFIG_GROUP not in self.f:
            self.fail("no /%s group: is it a detrain metrics.h5 file?" % schema.CONFIG_GROUP)
        return {key: config_value(key, value) for key, value in self.f[schema.CONFIG_GROUP].attrs.items()
                if key != schema.EMPTY_DATASETS_ATTR}

    def attributes(self, group):
        if group not in self.f:
            return {}
        return {k: plain(v) for k, v in self.f[group].attrs.items() if k != schema.EMPTY_DATASETS_ATTR}

    def group_with_datasets(self, group):
        out = self.attributes(group)
        if group in self.f:
            g = self.f[group]
            for name in g:
                if isinstance(g[name], self.h5py.Dataset):
                    out[name] = _array(g[name][()])
        return out

    def _empty(self, group):
        """{name: shape} of the datasets the group lists as empty."""
        out = {}
        entries = plain(group.attrs.get(schema.EMPTY_DATASETS_ATTR, []))
        for entry in [entries] if isinstance(entries, str) else entries:
            parts = str(entry).rsplit(":", 2)
            if len(parts) == 3:
                out[parts[0]] = tuple(int(d) for d in parts[2].split("x") if d.isdigit())
        return out

    def series(self, name, optional=False):
        """A /metrics dataset as an array, an empty one if listed as empty, None if optional and absent."""
        g = self.f[schema.METRICS_GROUP]
        if name in g:
            return _array(g[name][()])
        if name in self._empty(g):
            return np.empty(self._empty(g)[name] or (0,))
        if optional:
            return None
        self.fail("no dataset /%s/%s (and it is not listed as empty)" % (schema.METRICS_GROUP, name))

    def table(self, axis, series, per_rank, ranks, live):
        """One row per (entry of the axis, rank); live: cut ragged series to their common length."""
        axis_name, axis_column = axis
        steps = self.series(axis_name).astype(np.int64).reshape(-1)
        shared = {c: self.series(d, optional=d in schema.OPTIONAL_SERIES) for d, c in series}
        ranked = {c: self.series(d, optional=d in schema.OPTIONAL_SERIES) for d, c in per_rank}
        shared = {c: v.reshape(-1) for c, v in shared.items() if v is not None}
        ranked = {c: v for c, v in ranked.items() if v is not None}
        if ranks is None:  # a file without the ranks attribute: take it from a per-rank series
            ranks = next((v.shape[1] for v in ranked.values() if v.ndim == 2 and v.shape[0]), 0)
        ranks = int(ranks)
        datasets = {c: d for d, c in series + per_rank}
        n = len(steps)
        if live:
            n = min([n] + [len(v) for v in shared.values()] + [len(v) for v in ranked.values() if v.size])
            steps = steps[:n]
        columns = {axis_column: np.repeat(steps, ranks)}
        for column, values in shared.items():
            if len(values) < n or len(values) > n and not live:
                self.fail("/%s/%s has %d rows but /%s/%s has %d" % (
                    schema.METRICS_GROUP, datasets[column], len(values), schema.METRICS_GROUP, axis_name, n))
            columns[column] = np.repeat(values[:n], ranks)
        columns["rank"] = np.tile(np.arange(ranks, dtype=np.int64), n)
        for column, values in ranked.items():
            if n == 0:
                values = np.empty((0, ranks))
            if values.ndim != 2 or values.shape[1] != ranks or values.shape[0] < n or values.shape[0] > n and not live:
                self.fail("/%s/%s has shape %s, expected (%d, %d): one row per entry of %s, one column per rank"
                          % (schema.METRICS_GROUP, datasets[column], values.shape, n, ranks, axis_name))
            values = values[:n].reshape(-1)
            if column in schema.COUNT_COLUMNS and np.all(np.isfinite(values)):
                values = values.astype(np.int64)
            columns[column] = values
        # where a row is (axis, time columns, rank), then per-rank series, then network-wide ones
        order = [axis_column] + [c for c in schema.TIME_COLUMNS if c in columns] + ["rank"]
        order += [c for c in ranked if c not in order]
        order += [c for c in columns if c not in order]
        return pd.DataFrame(columns)[order]


def _read_lines(run_dir):
    """The whole lines of a run's metrics.jsonl as dicts ([] without the file). A last line without
    its newline is being written, or was cut short: it is left out."""
    path = os.path.join(run_dir, schema.METRICS_LINES_FILE)
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        return []
    out = []
    for number, line in enumerate(text.split("\n")[:-1], 1):
        if not line.strip():
            continue
        try:
            out.append(json.loads(line))
        except ValueError as e:
            raise ResultsError("%s, line %d is not JSON (%s): was the file edited or damaged?" % (path, number, e)) from e
    return out


def _with_lines(frame, lines, kind, per_rank):
    """frame (a table read from metrics.h5) followed by the entries of `kind` in lines that come
    after its last iteration, as rows of the same columns (one per rank)."""
    last = frame["iteration"].max() if len(frame) else -1
    newer = [line for line in lines if line.get(schema.LINE_KIND) == kind and line.get("iteration", -1) > last]
    if not newer:
        return frame
    ranked = {column for _, column in per_rank}
    ranks = len(next(iter(newer[0][c] for c in ranked if c in newer[0]), [0]))
    rows = []
    for line in newer:
        for r in range(ranks):
            row = {}
            for column in frame.columns:
                if column == "rank":
                    row[column] = r
                elif column in ranked:
                    row[column] = line[column][r] if column in line else np.nan
                else:
                    row[column] = line.get(column, np.nan)
            rows.append(row)
    tail = pd.DataFrame(rows, columns=frame.columns)
    for column in frame.columns:
        if frame[column].dtype.kind == "i" and np.all(np.isfinite(tail[column].astype(float))):
            tail[column] = tail[column].astype(frame[column].dtype)
    return pd.concat([frame, tail], ignore_index=True) if len(frame) else tail


def _array(value):
    """A dataset's value as a numpy array, strings decoded to str."""
    value = np.asarray(value)
    if value.dtype.kind == "S" or value.dtype.kind == "O":
        return np.vectorize(lambda v: text(v), otypes=[object])(value) if value.size else value.astype(object)
    if value.dtype.kind == "b":
        return value.astype(bool)
    return value


def merge(records, evaluations):
    """One run's records and evaluations on one iteration axis (see Run.merged)."""
    evals = evaluations.rename(columns=schema.MERGED_EVAL_RENAMES)
    merged = pd.merge(records, evals, on=["iteration", "rank"], how="outer", suffixes=("", "_eval"), sort=False)
    if "epoch_eval" in merged.columns:
        merged["epoch"] = merged["epoch"].fillna(merged["epoch_eval"])
        merged = merged.drop(columns="epoch_eval")
    return merged.sort_values(["iteration", "rank"], kind="stable").reset_index(drop=True)


def _last(frame, column):
    if column not in frame.columns or frame.empty:
        return float("nan")
    last = frame[frame["iteration"] == frame["iteration"].max()]
    return float(last[column].mean())


def summarise(run):
    """The run in one dict (a row of load_runs(table="runs"))."""
    r, e = run.records, run.evaluations
    accuracy = e.drop_duplicates("iteration")["test_accuracy"] if "test_accuracy" in e.columns else pd.Series(dtype=float)
    return {
        "iterations_done": int(r["iteration"].max()) if not r.empty else 0,
        "epochs_done": float(r["epoch"].max()) if not r.empty else 0.0,
        "final_train_loss": _last(r, "train_loss"),
        "final_consensus_distance": _last(r, "consensus_distance"),
        "final_test_loss": _last(e, "test_loss"),
        "final_test_accuracy": _last(e, "test_accuracy"),
        "best_test_accuracy": float(accuracy.max()) if accuracy.notna().any() else float("nan"),
        "wall_time": float(r["wall_time"].max()) if not r.empty else float("nan"),
        "training_time": float(r["training_time"].max()) if "training_time" in r.columns and not r.empty
        else float("nan"),
    }
