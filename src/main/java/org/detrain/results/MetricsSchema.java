package org.detrain.results;

import static org.detrain.results.MetricsSchema.Group.ALGORITHM;
import static org.detrain.results.MetricsSchema.Group.METRICS;
import static org.detrain.results.MetricsSchema.Group.MODELS;
import static org.detrain.results.MetricsSchema.Group.PARTITION;
import static org.detrain.results.MetricsSchema.Group.ROOT;
import static org.detrain.results.MetricsSchema.Group.TOPOLOGY;
import static org.detrain.results.MetricsSchema.Kind.ATTRIBUTE;
import static org.detrain.results.MetricsSchema.Kind.DATASET;
import static org.detrain.results.MetricsSchema.Presence.ALWAYS;
import static org.detrain.results.MetricsSchema.Presence.WITH_CLASSES;
import static org.detrain.results.MetricsSchema.Presence.WITH_MODELS;
import static org.detrain.results.MetricsSchema.Presence.WITH_MODELS_AND_OPTIMUM;
import static org.detrain.results.MetricsSchema.Presence.WITH_OPTIMUM;
import static org.detrain.results.MetricsSchema.Presence.WHEN_DIVERGED;
import static org.detrain.results.MetricsSchema.Shape.EVALUATIONS;
import static org.detrain.results.MetricsSchema.Shape.EVALUATIONS_BY_RANKS;
import static org.detrain.results.MetricsSchema.Shape.LAUNCHES;
import static org.detrain.results.MetricsSchema.Shape.PARAMETERS;
import static org.detrain.results.MetricsSchema.Shape.RANKS;
import static org.detrain.results.MetricsSchema.Shape.RANKS_BY_CLASSES;
import static org.detrain.results.MetricsSchema.Shape.RANKS_BY_PARAMETERS;
import static org.detrain.results.MetricsSchema.Shape.RANKS_BY_RANKS;
import static org.detrain.results.MetricsSchema.Shape.RECORDS;
import static org.detrain.results.MetricsSchema.Shape.RECORDS_BY_RANKS;
import static org.detrain.results.MetricsSchema.Shape.SCALAR;
import static org.detrain.results.MetricsSchema.Type.BOOL;
import static org.detrain.results.MetricsSchema.Type.FLOAT32;
import static org.detrain.results.MetricsSchema.Type.FLOAT64;
import static org.detrain.results.MetricsSchema.Type.INT32;
import static org.detrain.results.MetricsSchema.Type.INT64;
import static org.detrain.results.MetricsSchema.Type.TEXT;

import java.util.List;
import java.util.Locale;

/**
 * The contract of {@code metrics.h5}: every attribute and dataset rank 0 writes, with its group,
 * element type, shape, unit, when it is there and what it means. The writer
 * ({@code runner.MetricsLog}) and the readers (the end-of-run {@link RunSummary},
 * {@code report.RunResult}, {@code sweep.SweepCollect}) name what they write or read through these
 * constants ({@link #key()} is the name in the file), so each name is spelled once;
 * {@code MetricsSchemaTest} checks a file the writer really wrote against this list both ways, and
 * README's "Results" section against the names.
 *
 * <p>Layout {@value #FORMAT_VERSION}: root attributes (provenance and {@link Status}); {@code /config}
 * (every config key); {@code /algorithm} (what the algorithm chose); {@code /topology};
 * {@code /partition}; the series in {@code /metrics}, one entry per <em>record</em> (every
 * {@code log.every} iterations and at the end) or per <em>evaluation</em> (every {@code eval.every}
 * iterations, or every epoch, and at the end), some with one column per rank; the final models in
 * {@code /models}. A change to the layout changes {@link #FORMAT_VERSION}.
 *
 * <p>Beside the file, {@code metrics.jsonl} ({@link RunLayout#metricsLines()}) receives each record
 * and evaluation as it is taken, one JSON object per line under the same names, for tools that
 * follow a run live; {@code metrics.h5} is rewritten from the same data every few seconds while
 * the run goes and once at its end.
 */
public enum MetricsSchema {
    // ---------------------------------------------------------------- root attributes: provenance
    FORMAT(ROOT, "format", TEXT, "", "the layout: " + MetricsSchema.FORMAT_VERSION),
    STATUS(ROOT, "status", TEXT, "", "running, complete, stopped or diverged (see Status)"),
    DIVERGED_AT(ROOT, "diverged_at", ATTRIBUTE, INT64, SCALAR, "iterations", WHEN_DIVERGED,
            "with status diverged: the iteration whose training loss was not finite (the 0-based step, as in the"
                    + " error message); the series hold what was measured before it"),
    DETRAIN_VERSION(ROOT, "detrain_version", TEXT, "", "detrain release"),
    GIT_COMMIT(ROOT, "git_commit", TEXT, "", "commit of the code that ran"),
    GIT_DIRTY(ROOT, "git_dirty", BOOL, "", "whether the work tree had uncommitted changes"),
    RUN_ID(ROOT, "run_id", TEXT, "", "the run directory's name"),
    LAUNCHED_AT(ROOT, "launched_at", TEXT, "ISO-8601", "when the launcher started this launch"),
    STARTED_AT(ROOT, "started_at", TEXT, "ISO-8601", "when rank 0 started"),
    WRITTEN_AT(ROOT, "written_at", TEXT, "ISO-8601", "when this file was written"),
    LAUNCHER_HOST(ROOT, "launcher_host", TEXT, "", "host of the launcher"),
    COMMAND(ROOT, "command", TEXT, "", "the command line that launched the run"),
    RANKS_ATTR(ROOT, "ranks", INT64, "", "the rank count n"),
    MPJ_DEVICE(ROOT, "mpj_device", TEXT, "", "MPJ transport: multicore or niodev"),
    MPJ_VERSION(ROOT, "mpj_version", TEXT, "", "MPJ Express release"),
    HOSTS(ROOT, "hosts", ATTRIBUTE, TEXT, RANKS, "", ALWAYS, "host of each rank"),
    COMPUTE_DEVICES(ROOT, "compute_devices", ATTRIBUTE, TEXT, RANKS, "", ALWAYS, "where each rank's kernels ran"),
    JAVA_VERSION(ROOT, "java_version", TEXT, "", "Java of rank 0"),
    OS(ROOT, "os", TEXT, "", "operating system of rank 0: name, version, architecture"),
    CONFIG_HASH(ROOT, "config_hash", TEXT, "SHA-256", "hash of the resolved configuration"),
    SETUP_TIME(ROOT, "setup_time", FLOAT64, "s", "rank 0's set-up time in this launch, before the loop"),
    ITERATIONS(ROOT, "iterations", INT64, "iterations", "planned iterations"),
    ITERATIONS_PER_EPOCH(ROOT, "iterations_per_epoch", INT64, "iterations", "iterations in one epoch"),
    LAUNCHES_ATTR(ROOT, "launches", ATTRIBUTE, TEXT, LAUNCHES, "", ALWAYS,
            "one line per launch: the iteration it started from, time, host, transport, commit"),

    // ---------------------------------------------------------------- /algorithm (also: its own parameters)
    ALGORITHM_NAME(ALGORITHM, "name", TEXT, "", "the algorithm"),

    // ---------------------------------------------------------------- /topology
    TOPOLOGY_NAME(TOPOLOGY, "name", TEXT, "", "the graph, e.g. ring(8)"),
    TOPOLOGY_GOSSIP(TOPOLOGY, "gossip", TEXT, "", "what the algorithm mixes on: 'W' (this graph and W), or for"
            + " SGP, DeFacto and AllReduce the graph /algorithm describes"),
    WEIGHTS(TOPOLOGY, "weights", TEXT, "", "the weight scheme of W"),
    KAPPA(TOPOLOGY, "kappa", FLOAT64, "", "kappa-slack applied to W"),
    LAMBDA(TOPOLOGY, "lambda", FLOAT64, "", "max(|lambda2|, |lambda_min|) of W"),
    LAMBDA2(TOPOLOGY, "lambda2", FLOAT64, "", "second largest eigenvalue of W"),
    LAMBDA_MIN(TOPOLOGY, "lambda_min", FLOAT64, "", "smallest eigenvalue of W"),
    SPECTRAL_GAP(TOPOLOGY, "spectral_gap", FLOAT64, "", "1 - lambda"),
    DIAMETER(TOPOLOGY, "diameter", INT64, "hops", "the graph's diameter"),
    ADJACENCY(TOPOLOGY, "adjacency", DATASET, INT32, RANKS_BY_RANKS, "", ALWAYS, "1 where ranks i and j are neighbours"),
    W(TOPOLOGY, "W", DATASET, FLOAT64, RANKS_BY_RANKS, "", ALWAYS,
            "the mixing matrix: W_ij is the weight rank i gives rank j's value"),
    EIGENVALUES(TOPOLOGY, "eigenvalues", DATASET, FLOAT64, RANKS, "", ALWAYS, "W's eigenvalues"),

    // ---------------------------------------------------------------- /partition
    SCHEME(PARTITION, "scheme", TEXT, "", "how the training set is split, with its parameters"),
    SHARD_SIZE(PARTITION, "shard_size", DATASET, INT64, RANKS, "samples", ALWAYS, "training samples of each rank"),
    CLASS_COUNTS(PARTITION, "class_counts", DATASET, INT64, RANKS_BY_CLASSES, "samples", WITH_CLASSES,
            "samples of each class on each rank"),

    // ---------------------------------------------------------------- /metrics, one entry per record
    ITERATION(METRICS, "iteration", DATASET, INT64, RECORDS, "iterations", ALWAYS, "iterations done at the record"),
    EPOCH(METRICS, "epoch", DATASET, FLOAT64, RECORDS, "epochs", ALWAYS, "epochs done at the record"),
    WALL_TIME(METRICS, "wall_time", DATASET, FLOAT64, RECORDS, "s, cumulative", ALWAYS,
            "rank 0's time in the training loop since the start, over all launches: training_time + eval_time"
                    + " + record_time + metrics_io_time + checkpoint_time (at the last record of a complete run: up to"
                    + " the end of the loop, the final checkpoint included)"),
    TRAINING_TIME(METRICS, "training_time", DATASET, FLOAT64, RECORDS, "s, cumulative", ALWAYS,
            "rank 0's time in the iterations themselves (steps, control points, progress): wall_time without"
                    + " evaluations, records, metrics I/O and checkpoints; the run's training time everywhere"),
    EVAL_TIME(METRICS, "eval_time", DATASET, FLOAT64, RECORDS, "s, cumulative", ALWAYS,
            "rank 0's time in evaluations (test set, training objective, their collectives)"),
    RECORD_TIME(METRICS, "record_time", DATASET, FLOAT64, RECORDS, "s, cumulative", ALWAYS,
            "rank 0's time taking records (consensus distance and the gather of every rank's values)"),
    METRICS_IO_TIME(METRICS, "metrics_io_time", DATASET, FLOAT64, RECORDS, "s, cumulative", ALWAYS,
            "rank 0's time in the loop handing records to the metrics writer (metrics.h5 and metrics.jsonl are"
                    + " written by a thread of their own)"),
    CHECKPOINT_TIME(METRICS, "checkpoint_time", DATASET, FLOAT64, RECORDS, "s, cumulative", ALWAYS,
            "rank 0's time writing checkpoints (and agreeing on them)"),
    CONSENSUS_DISTANCE(METRICS, "consensus_distance", DATASET, FLOAT64, RECORDS, "", ALWAYS,
            "(1/n) sum_i ||x_i - x_bar||^2"),
    OPTIMUM_DISTANCE(METRICS, "optimum_distance", DATASET, FLOAT64, RECORDS, "", WITH_OPTIMUM,
            "||x_bar - x*|| / ||x*||"),
    TRAIN_LOSS(METRICS, "train_loss", DATASET, FLOAT64, RECORDS_BY_RANKS, "", ALWAYS,
            "each rank's mean mini-batch loss since the previous record"),
    GRAD_NORM(METRICS, "grad_norm", DATASET, FLOAT64, RECORDS_BY_RANKS, "", ALWAYS,
            "norm of each rank's last stochastic gradient"),
    BYTES_SENT(METRICS, "bytes_sent", DATASET, FLOAT64, RECORDS_BY_RANKS, "bytes, cumulative", ALWAYS,
            "payload each rank sent in neighbour exchanges"),
    MESSAGES_SENT(METRICS, "messages_sent", DATASET, FLOAT64, RECORDS_BY_RANKS, "messages, cumulative", ALWAYS,
            "messages each rank sent in neighbour exchanges"),
    COMPUTE_TIME(METRICS, "compute_time", DATASET, FLOAT64, RECORDS_BY_RANKS, "s, cumulative", ALWAYS,
            "time each rank spent on losses and gradients"),
    COMM_WAIT_TIME(METRICS, "comm_wait_time", DATASET, FLOAT64, RECORDS_BY_RANKS, "s, cumulative", ALWAYS,
            "time each rank spent blocked on communication in its iterations (neighbour exchanges, control"
                    + " points; not in records, evaluations or checkpoints)"),

    // ---------------------------------------------------------------- /metrics, one entry per evaluation
    EVAL_ITERATION(METRICS, "eval_iteration", DATASET, INT64, EVALUATIONS, "iterations", ALWAYS,
            "iterations done at the evaluation"),
    EVAL_EPOCH(METRICS, "eval_epoch", DATASET, FLOAT64, EVALUATIONS, "epochs", ALWAYS, "epochs done at the evaluation"),
    EVAL_WALL_TIME(METRICS, "eval_wall_time", DATASET, FLOAT64, EVALUATIONS, "s", ALWAYS,
            "time in the training loop at the evaluation"),
    TEST_LOSS(METRICS, "test_loss", DATASET, FLOAT64, EVALUATIONS, "", ALWAYS,
            "test loss of the averaged model x_bar on the whole test set"),
    TEST_ACCURACY(METRICS, "test_accuracy", DATASET, FLOAT64, EVALUATIONS, "fraction", ALWAYS,
            "test accuracy of the averaged model (NaN for regression)"),
    TRAIN_OBJECTIVE(METRICS, "train_objective", DATASET, FLOAT64, EVALUATIONS, "", ALWAYS,
            "the training objective f(x_bar) = mean loss of the averaged model over the training samples of"
                    + " eval.train.samples (the quantity the theory bounds)"),
    LOCAL_TRAIN_OBJECTIVE_MEAN(METRICS, "local_train_objective_mean", DATASET, FLOAT64, EVALUATIONS, "", ALWAYS,
            "(1/n) sum_i f_i(x_i): the mean over ranks of each rank's own model on its own shard's samples"),
    LOCAL_TRAIN_OBJECTIVE(METRICS, "local_train_objective", DATASET, FLOAT64, EVALUATIONS_BY_RANKS, "", ALWAYS,
            "f_i(x_i): each rank's own model on its own shard's samples"),
    LOCAL_TEST_LOSS(METRICS, "local_test_loss", DATASET, FLOAT64, EVALUATIONS_BY_RANKS, "", ALWAYS,
            "test loss of each rank's own model (NaN without eval.local)"),
    LOCAL_TEST_ACCURACY(METRICS, "local_test_accuracy", DATASET, FLOAT64, EVALUATIONS_BY_RANKS, "fraction", ALWAYS,
            "test accuracy of each rank's own model (NaN without eval.local, or for regression)"),

    // ---------------------------------------------------------------- /models
    MODELS_ITERATION(MODELS, "iteration", ATTRIBUTE, INT64, SCALAR, "iterations", WITH_MODELS,
            "the iteration the models are from"),
    LOCAL_MODELS(MODELS, "local", DATASET, FLOAT32, RANKS_BY_PARAMETERS, "", WITH_MODELS, "each rank's model x_i"),
    AVERAGED_MODEL(MODELS, "averaged", DATASET, FLOAT32, PARAMETERS, "", WITH_MODELS,
            "x_bar, averaged in rank order in double and rounded to float"),
    OPTIMUM(MODELS, "optimum", DATASET, FLOAT64, PARAMETERS, "", WITH_MODELS_AND_OPTIMUM, "the problem's optimum x*");

    /** The value of the root attribute {@link #FORMAT} for this layout. */
    public static final String FORMAT_VERSION = "detrain-metrics/2";

    /** Most launch lines kept in {@link #LAUNCHES_ATTR} (an attribute must stay small). */
    public static final int MAX_LAUNCHES = 100;

    /** The per-rank columns of a record, in the order each rank's values are gathered. */
    public static final List<MetricsSchema> RECORD_COLUMNS = List.of(TRAIN_LOSS, GRAD_NORM, BYTES_SENT, MESSAGES_SENT,
            COMPUTE_TIME, COMM_WAIT_TIME);
    /** Rank 0's clock at a record, cumulative seconds: the whole loop and its parts (they add up to wall_time). */
    public static final List<MetricsSchema> RECORD_TIMES = List.of(WALL_TIME, TRAINING_TIME, EVAL_TIME, RECORD_TIME,
            METRICS_IO_TIME, CHECKPOINT_TIME);
    /** The per-rank columns of an evaluation, in the order each rank's values are gathered. */
    public static final List<MetricsSchema> EVALUATION_COLUMNS = List.of(LOCAL_TEST_LOSS, LOCAL_TEST_ACCURACY,
            LOCAL_TRAIN_OBJECTIVE);

    /** How far the run that wrote the file has got (root attribute {@link #STATUS}). */
    public enum Status {
        /** The run is going (rank 0's metrics writer rewrites the file every few seconds), or it died. */
        RUNNING,
        /** The run ended after its last iteration. */
        COMPLETE,
        /** Stopped on request after a complete checkpoint; {@code detrain train --resume} continues it. */
        STOPPED,
        /** A training loss was not finite; the series stop before it ({@link #DIVERGED_AT}); the run exited 3. */
        DIVERGED;

        /** The value as stored: lower case. */
        public String text() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The status a stored value names, or null for any other text. */
        public static Status parse(String text) {
            for (Status s : values()) {
                if (s.text().equals(text)) {
                    return s;
                }
            }
            return null;
        }
    }

    /** The groups; {@link #ROOT} is the file itself. */
    public enum Group {
        ROOT("", ALWAYS, "provenance and status"),
        CONFIG("config", ALWAYS, "one attribute per configuration key, every key, typed: integers int64, numbers"
                + " float64, true/false bool, the rest (and words such as auto) text"),
        ALGORITHM("algorithm", ALWAYS, "attribute name, then one attribute per parameter the algorithm chose"
                + " (eta, R, gossip_rounds, graph, tree_height, ...)"),
        TOPOLOGY("topology", ALWAYS, "the graph, its mixing matrix W and W's spectrum"),
        PARTITION("partition", ALWAYS, "how the training set is split over the ranks"),
        METRICS("metrics", ALWAYS, "the series, per record and per evaluation"),
        MODELS("models", WITH_MODELS, "the final models");

        private final String key;
        private final Presence presence;
        private final String meaning;

        Group(String key, Presence presence, String meaning) {
            this.key = key;
            this.presence = presence;
            this.meaning = meaning;
        }

        /** The group's name in the file ("" for the root). */
        public String key() {
            return key;
        }

        public Presence presence() {
            return presence;
        }

        public String meaning() {
            return meaning;
        }

        /**
         * Whether other code defines this group's attributes: every config key ({@code config.ConfigSchema})
         * in /config, the algorithm's own parameters in /algorithm (next to {@link MetricsSchema#ALGORITHM_NAME}).
         */
        public boolean open() {
            return this == CONFIG || this == ALGORITHM;
        }
    }

    /** What a name is. */
    public enum Kind { ATTRIBUTE, DATASET }

    /** The element type as stored. */
    public enum Type {
        /** UTF-8 strings: variable-length in attributes (h5py returns str), fixed-length in datasets. */
        TEXT,
        /** HDF5's FALSE/TRUE enum (h5py returns numpy.bool_). */
        BOOL,
        INT32,
        INT64,
        FLOAT32,
        FLOAT64
    }

    /** The dimensions, outermost first. */
    public enum Shape {
        SCALAR,
        /** One value per rank, in rank order. */
        RANKS,
        /** One value per record (the {@code log.every} cadence). */
        RECORDS,
        /** Records × ranks: row k holds every rank's value at record k. */
        RECORDS_BY_RANKS,
        /** One value per evaluation (the {@code eval.every} cadence). */
        EVALUATIONS,
        /** Evaluations × ranks. */
        EVALUATIONS_BY_RANKS,
        /** n × n, n the rank count. */
        RANKS_BY_RANKS,
        /** Ranks × classes of the training data. */
        RANKS_BY_CLASSES,
        /** d, the model's parameter count. */
        PARAMETERS,
        /** Ranks × d. */
        RANKS_BY_PARAMETERS,
        /** One entry per launch of the run (the first, then one per resume), the latest {@value MetricsSchema#MAX_LAUNCHES} only. */
        LAUNCHES
    }

    /** When a name is in the file. */
    public enum Presence {
        ALWAYS,
        /** Only for problems with a known optimum x* (model=linear or logistic, on synthetic data). */
        WITH_OPTIMUM,
        /** Only when the training data has class labels. */
        WITH_CLASSES,
        /** Only with {@code save.models=true}, once the run is complete. */
        WITH_MODELS,
        /** Only when both {@link #WITH_MODELS} and {@link #WITH_OPTIMUM} hold. */
        WITH_MODELS_AND_OPTIMUM,
        /** Only in the file of a run that diverged (status diverged). */
        WHEN_DIVERGED
    }

    private final Group group;
    private final String key;
    private final Kind kind;
    private final Type type;
    private final Shape shape;
    private final String unit;
    private final Presence presence;
    private final String meaning;

    /** A scalar attribute, always present. */
    MetricsSchema(Group group, String key, Type type, String unit, String meaning) {
        this(group, key, ATTRIBUTE, type, SCALAR, unit, ALWAYS, meaning);
    }

    MetricsSchema(Group group, String key, Kind kind, Type type, Shape shape, String unit, Presence presence,
                  String meaning) {
        this.group = group;
        this.key = key;
        this.kind = kind;
        this.type = type;
        this.shape = shape;
        this.unit = unit;
        this.presence = presence;
        this.meaning = meaning;
    }

    /** The name in the file. */
    public String key() {
        return key;
    }

    public Group group() {
        return group;
    }

    public Kind kind() {
        return kind;
    }

    public Type type() {
        return type;
    }

    public Shape shape() {
        return shape;
    }

    /** "" where the value has no unit. */
    public String unit() {
        return unit;
    }

    public Presence presence() {
        return presence;
    }

    public String meaning() {
        return meaning;
    }

    /** {@code /group/key} for a dataset, {@code /group@key} for an attribute ({@code /@key} at the root). */
    public String path() {
        String parent = group == ROOT ? "" : "/" + group.key();
        return kind == ATTRIBUTE ? (parent.isEmpty() ? "/" : parent) + "@" + key : parent + "/" + key;
    }
}
