"""Every name this package reads from a detrain results directory, in one place.

The writer is detrain's Java code (org.detrain.results.MetricsSchema describes metrics.h5 and
org.detrain.runner.MetricsLog writes it, org.detrain.results.RunLayout names the files of a run
directory, org.detrain.config.ConfigSchema lists the config keys). When the writer gains or renames
something, this is the file to change (MetricsSchemaTest checks the /metrics names here against
MetricsSchema).
"""

# ---- the run directory (RunLayout) -------------------------------------------------------------
METRICS_FILE = "metrics.h5"
# Beside it, the same records and evaluations as they are taken, one JSON object per line
# ({"kind": "run" | "record" | "evaluation" | "status", ...}; runner.MetricsLines). load_run reads
# the lines past the last record of a running metrics.h5 (rewritten only every few seconds).
METRICS_LINES_FILE = "metrics.jsonl"
LINE_KIND = "kind"
RECORD_LINE = "record"
EVALUATION_LINE = "evaluation"
CONFIG_FILE = "config.properties"      # the resolved config, key = value
LAUNCH_FILE = "run.properties"         # how it was launched (Java properties)
STATUS_DIR = "status"                  # rank-N.done | rank-N.failed (the error) | rank-N.stopped
RANK_FILE_PREFIX = "rank-"
FAILED_SUFFIX = ".failed"              # its first line is the rank's error message
# Directories inside a run that never hold a run's metrics.h5 (find_runs does not descend into them).
RUN_SUBDIRS = frozenset({"ckpt", "log", "status", "report", ".launch"})

# ---- metrics.h5: groups and attributes (MetricsLog.toH5) ---------------------------------------
FORMAT_ATTR = "format"                 # "detrain-metrics/2" (1: strings as bytes, config as text)
FORMAT_PREFIX = "detrain-metrics/"
STATUS_ATTR = "status"
DIVERGED_AT_ATTR = "diverged_at"       # status diverged: the iteration whose loss was not finite
RUN_ID_ATTR = "run_id"
RANKS_ATTR = "ranks"
METRICS_GROUP = "metrics"
CONFIG_GROUP = "config"
ALGORITHM_GROUP = "algorithm"
TOPOLOGY_GROUP = "topology"
PARTITION_GROUP = "partition"
MODELS_GROUP = "models"
# jHDF cannot write an empty dataset: it is left out and listed in its group's attribute
# "_empty_datasets", one "name:dtype:shape" string each.
EMPTY_DATASETS_ATTR = "_empty_datasets"
# Root attributes holding a yes/no fact (a bool from layout 2 on; 0/1 before).
BOOLEAN_ATTRS = frozenset({"git_dirty"})

# ---- status values ------------------------------------------------------------------------------
# Recorded in metrics.h5: running (rewritten every few seconds while the run goes), complete,
# stopped (on request, after a checkpoint; --resume continues it), diverged (a training loss was
# not finite: the series stop before it, see DIVERGED_AT_ATTR). A "running" file beside a
# status/rank-N.failed file is reported as "failed".
RUNNING = "running"
COMPLETE = "complete"
STOPPED = "stopped"
DIVERGED = "diverged"
FAILED = "failed"
NO_METRICS = "no-metrics"              # a run directory without metrics.h5 (failed before writing it)

# ---- /metrics datasets -> DataFrame columns -----------------------------------------------------
# Training records: one row per logging record (every log.every iterations and the last).
# (dataset, column); the axis of a record is "iteration".
RECORD_AXIS = ("iteration", "iteration")
RECORD_SERIES = (                      # one value per record, the same for every rank
    ("epoch", "epoch"),
    ("wall_time", "wall_time"),                   # rank 0's loop time: the five below add up to it
    ("training_time", "training_time"),           # the run's training time (summary, report, logs)
    ("eval_time", "eval_time"),
    ("record_time", "record_time"),
    ("metrics_io_time", "metrics_io_time"),
    ("checkpoint_time", "checkpoint_time"),
    ("consensus_distance", "consensus_distance"),
    ("optimum_distance", "optimum_distance"),     # synthetic problems only
)
RECORD_PER_RANK = (                    # records x ranks
    ("train_loss", "train_loss"),
    ("grad_norm", "grad_norm"),
    ("bytes_sent", "bytes_sent"),
    ("messages_sent", "messages_sent"),
    ("compute_time", "compute_time"),
    ("comm_wait_time", "comm_wait_time"),
)
# Evaluations: one row per evaluation (every eval.every iterations, or every epoch, and the last).
EVAL_AXIS = ("eval_iteration", "iteration")
EVAL_SERIES = (                        # of the averaged model
    ("eval_epoch", "epoch"),
    ("eval_wall_time", "wall_time"),
    ("test_loss", "test_loss"),
    ("test_accuracy", "test_accuracy"),           # NaN for regression
    ("train_objective", "train_objective"),       # f(x_bar) on the eval.train.samples training samples
    ("local_train_objective_mean", "local_train_objective_mean"),  # (1/n) sum_i f_i(x_i)
)
EVAL_PER_RANK = (                      # evals x ranks: each rank's own model (NaN with eval.local=false)
    ("local_test_loss", "local_test_loss"),
    ("local_test_accuracy", "local_test_accuracy"),
    ("local_train_objective", "local_train_objective"),  # f_i(x_i): own model on own shard's samples
)
# The columns that, with the axis and the rank, say where a row is; they come first in a table.
TIME_COLUMNS = ("epoch", "wall_time")
# Series a file may lack without being broken (the column is then left out); the rest must be
# there (or listed as empty).
OPTIONAL_SERIES = frozenset({"optimum_distance", "train_objective", "local_train_objective_mean",
                             "local_train_objective",  # the objective: files written before it existed
                             "training_time", "eval_time", "record_time", "metrics_io_time",
                             "checkpoint_time"})  # the loop's parts: layout 1 has wall_time only
# Counters the writer stores as float64: read back as int64.
COUNT_COLUMNS = frozenset({"bytes_sent", "messages_sent"})
# In the merged view (training records and evaluations on one iteration axis) the evaluation's
# wall time is renamed so that it does not clash with the record's.
MERGED_EVAL_RENAMES = {"wall_time": "eval_wall_time"}

# ---- config keys and their types (ConfigSchema.KEYS) -------------------------------------------
# metrics.h5 stores every config value as text; these types turn them back into Python values.
# int, float, bool, str; "auto|float": the word auto or a float; "word|int": a word (auto, theory)
# or an int; "float list" / "int list": comma-separated (empty text: an empty list). A key missing
# here is typed by the look of its value.
INT, FLOAT, BOOL, STR, AUTO_OR_FLOAT, WORD_OR_INT, FLOAT_LIST, INT_LIST = (
    "int", "float", "bool", "str", "auto|float", "word|int", "float list", "int list")
CONFIG_TYPES = {
    "seed": INT,
    "topology": STR,
    "topology.rows": INT,
    "topology.cols": INT,
    "topology.p": FLOAT,
    "topology.file": STR,
    "weights": STR,
    "weights.kappa": FLOAT,
    "algorithm": STR,
    "gossip.rounds": INT,
    "gossip.eta": AUTO_OR_FLOAT,
    "detag.R": WORD_OR_INT,
    "detag.eta": AUTO_OR_FLOAT,
    "detag.R.initial": INT,
    "gossip.allow.unstable": BOOL,
    "detag.R.switch": FLOAT,
    "sgp.graph": STR,
    "model": STR,
    "model.l2": FLOAT,
    "dataset": STR,
    "dataset.dir": STR,
    "synthetic.samples": INT,
    "synthetic.features": INT,
    "synthetic.noise": FLOAT,
    "synthetic.heterogeneity": FLOAT,
    "partition": STR,
    "partition.shuffled": FLOAT,
    "partition.alpha": FLOAT,
    "batch": INT,
    "gradient.exact": BOOL,
    "lr": FLOAT,
    "momentum": FLOAT,
    "weight.decay": FLOAT,
    "warmup.epochs": FLOAT,
    "warmup.lr": FLOAT,
    "lr.decay.epochs": FLOAT_LIST,
    "lr.decay": FLOAT,
    "epochs": FLOAT,
    "iterations": INT,
    "log.every": INT,
    "eval.every": INT,
    "eval.local": BOOL,
    "eval.train.samples": INT,
    "save.models": BOOL,
    "comm.timeout": FLOAT,
    "device": STR,
    "model.hidden": INT_LIST,
    "threads": INT,
    "checkpoint.every": INT,
    "checkpoint.minutes": FLOAT,
    "checkpoint.keep": INT,
}

# ---- load_runs ----------------------------------------------------------------------------------
# Per-run columns put in front of every table of load_runs (before the config keys).
RUN_COLUMNS = ("run", "run_id", "status", "ranks")
