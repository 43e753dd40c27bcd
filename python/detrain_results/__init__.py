"""Read detrain results into tidy pandas DataFrames.

    from detrain_results import load_runs
    df = load_runs("results/my-sweep")               # one row per run x record x rank, config as columns
    df.groupby(["algorithm", "iteration"]).train_loss.mean().unstack(0)

load_run(path) reads one run (a results/<run-id> directory or its metrics.h5) into a Run: typed
provenance and config dicts, and the records, evaluations and merged DataFrames. load_runs(paths)
reads many (a sweep, a tree, globs) into one DataFrame; to_xarray turns such a table into an
xarray Dataset. Needs h5py, numpy and pandas (Debian: python3-h5py python3-pandas); to_xarray
also needs python3-xarray. Every file and dataset name the package reads is in
detrain_results.schema.
"""
try:
    import pandas  # noqa: F401  (a clear message rather than an ImportError deep inside)
except ImportError as missing:
    raise ImportError("detrain_results needs pandas: apt-get install python3-pandas, or run with"
                      " /usr/bin/python3 (%s)" % missing) from missing

from .run import ResultsError, Run, load_run
from .runs import find_runs, load_runs, to_xarray

__all__ = ["ResultsError", "Run", "find_runs", "load_run", "load_runs", "to_xarray"]
__version__ = "0.1.0"
