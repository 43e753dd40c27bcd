package org.detrain.runner;

import static org.detrain.results.MetricsSchema.ALGORITHM_NAME;
import static org.detrain.results.MetricsSchema.AVERAGED_MODEL;
import static org.detrain.results.MetricsSchema.CLASS_COUNTS;
import static org.detrain.results.MetricsSchema.COMMAND;
import static org.detrain.results.MetricsSchema.COMPUTE_DEVICES;
import static org.detrain.results.MetricsSchema.CONFIG_HASH;
import static org.detrain.results.MetricsSchema.CHECKPOINT_TIME;
import static org.detrain.results.MetricsSchema.CONSENSUS_DISTANCE;
import static org.detrain.results.MetricsSchema.DETRAIN_VERSION;
import static org.detrain.results.MetricsSchema.DIAMETER;
import static org.detrain.results.MetricsSchema.DIVERGED_AT;
import static org.detrain.results.MetricsSchema.EIGENVALUES;
import static org.detrain.results.MetricsSchema.EPOCH;
import static org.detrain.results.MetricsSchema.EVALUATION_COLUMNS;
import static org.detrain.results.MetricsSchema.EVAL_EPOCH;
import static org.detrain.results.MetricsSchema.EVAL_ITERATION;
import static org.detrain.results.MetricsSchema.EVAL_TIME;
import static org.detrain.results.MetricsSchema.EVAL_WALL_TIME;
import static org.detrain.results.MetricsSchema.FORMAT;
import static org.detrain.results.MetricsSchema.FORMAT_VERSION;
import static org.detrain.results.MetricsSchema.GIT_COMMIT;
import static org.detrain.results.MetricsSchema.GIT_DIRTY;
import static org.detrain.results.MetricsSchema.HOSTS;
import static org.detrain.results.MetricsSchema.ITERATION;
import static org.detrain.results.MetricsSchema.ITERATIONS;
import static org.detrain.results.MetricsSchema.ITERATIONS_PER_EPOCH;
import static org.detrain.results.MetricsSchema.JAVA_VERSION;
import static org.detrain.results.MetricsSchema.KAPPA;
import static org.detrain.results.MetricsSchema.LAMBDA;
import static org.detrain.results.MetricsSchema.LAMBDA2;
import static org.detrain.results.MetricsSchema.LAMBDA_MIN;
import static org.detrain.results.MetricsSchema.LAUNCHED_AT;
import static org.detrain.results.MetricsSchema.LAUNCHER_HOST;
import static org.detrain.results.MetricsSchema.LAUNCHES_ATTR;
import static org.detrain.results.MetricsSchema.LOCAL_MODELS;
import static org.detrain.results.MetricsSchema.MAX_LAUNCHES;
import static org.detrain.results.MetricsSchema.METRICS_IO_TIME;
import static org.detrain.results.MetricsSchema.MODELS_ITERATION;
import static org.detrain.results.MetricsSchema.MPJ_DEVICE;
import static org.detrain.results.MetricsSchema.MPJ_VERSION;
import static org.detrain.results.MetricsSchema.OPTIMUM;
import static org.detrain.results.MetricsSchema.OPTIMUM_DISTANCE;
import static org.detrain.results.MetricsSchema.OS;
import static org.detrain.results.MetricsSchema.RANKS_ATTR;
import static org.detrain.results.MetricsSchema.RECORD_COLUMNS;
import static org.detrain.results.MetricsSchema.TRAIN_LOSS;
import static org.detrain.results.MetricsSchema.RECORD_TIME;
import static org.detrain.results.MetricsSchema.RECORD_TIMES;
import static org.detrain.results.MetricsSchema.RUN_ID;
import static org.detrain.results.MetricsSchema.SCHEME;
import static org.detrain.results.MetricsSchema.SETUP_TIME;
import static org.detrain.results.MetricsSchema.SHARD_SIZE;
import static org.detrain.results.MetricsSchema.SPECTRAL_GAP;
import static org.detrain.results.MetricsSchema.STARTED_AT;
import static org.detrain.results.MetricsSchema.STATUS;
import static org.detrain.results.MetricsSchema.TEST_ACCURACY;
import static org.detrain.results.MetricsSchema.TEST_LOSS;
import static org.detrain.results.MetricsSchema.LOCAL_TRAIN_OBJECTIVE;
import static org.detrain.results.MetricsSchema.LOCAL_TRAIN_OBJECTIVE_MEAN;
import static org.detrain.results.MetricsSchema.TRAIN_OBJECTIVE;
import static org.detrain.results.MetricsSchema.TOPOLOGY_GOSSIP;
import static org.detrain.results.MetricsSchema.TOPOLOGY_NAME;
import static org.detrain.results.MetricsSchema.TRAINING_TIME;
import static org.detrain.results.MetricsSchema.W;
import static org.detrain.results.MetricsSchema.WALL_TIME;
import static org.detrain.results.MetricsSchema.WEIGHTS;
import static org.detrain.results.MetricsSchema.WRITTEN_AT;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashMap;
import java.util.function.ToDoubleFunction;
import org.detrain.algo.Algorithm;
import org.detrain.config.ConfigSchema;
import org.detrain.config.KeySpec;
import org.detrain.data.Partition;
import org.detrain.io.H5Group;
import org.detrain.io.Hdf5Files;
import org.detrain.results.LaunchInfo;
import org.detrain.results.MetricsSchema;
import org.detrain.results.MetricsSchema.Group;
import org.detrain.results.MetricsSchema.Status;
import org.detrain.topology.MixingMatrix;
import org.detrain.topology.Spectrum;
import org.detrain.util.DetrainException;

/**
 * Rank 0's record of a run, in the layout {@link MetricsSchema} describes: provenance, config,
 * algorithm, topology, partition, the metric series and the final models. It keeps the series in
 * memory (for checkpoints and the final file) and hands every record and evaluation to a
 * {@link MetricsWriter}, which appends it to {@code metrics.jsonl} and rewrites {@code metrics.h5}
 * every few seconds from a snapshot, off the training loop's thread. Other ranks only take part in
 * the collectives that feed it (their calls are ignored).
 */
final class MetricsLog {
    /** Checkpoint datasets (see {@link #saveTo}) that hold every rank's columns, rank-major, one row per entry. */
    private static final String RECORD_ROWS = "step_rows";
    private static final String EVALUATION_ROWS = "eval_rows";

    /** One rank's values at a record, gathered to rank 0 as one row in {@link MetricsSchema#RECORD_COLUMNS} order. */
    record RankRecord(double trainLoss, double gradNorm, long bytesSent, long messagesSent, double computeSeconds,
                      double waitSeconds) {
        double[] row() {
            double[] row = new double[RECORD_COLUMNS.size()];
            for (int c = 0; c < row.length; c++) {
                row[c] = switch (RECORD_COLUMNS.get(c)) {
                    case TRAIN_LOSS -> trainLoss;
                    case GRAD_NORM -> gradNorm;
                    case BYTES_SENT -> bytesSent;
                    case MESSAGES_SENT -> messagesSent;
                    case COMPUTE_TIME -> computeSeconds;
                    case COMM_WAIT_TIME -> waitSeconds;
                    default -> throw new IllegalStateException("no value for column " + RECORD_COLUMNS.get(c));
                };
            }
            return row;
        }
    }

    /** One rank's own model on the test set, gathered as one row in {@link MetricsSchema#EVALUATION_COLUMNS} order. */
    record RankEvaluation(double testLoss, double testAccuracy, double trainObjective) {
        double[] row() {
            double[] row = new double[EVALUATION_COLUMNS.size()];
            for (int c = 0; c < row.length; c++) {
                row[c] = switch (EVALUATION_COLUMNS.get(c)) {
                    case LOCAL_TEST_LOSS -> testLoss;
                    case LOCAL_TEST_ACCURACY -> testAccuracy;
                    case LOCAL_TRAIN_OBJECTIVE -> trainObjective;
                    default -> throw new IllegalStateException("no value for column " + EVALUATION_COLUMNS.get(c));
                };
            }
            return row;
        }
    }

    /** A record: rank 0's clock, and {@code ranks} holds every rank's {@link RankRecord#row()}, rank-major. */
    private record Recorded(long iteration, double epoch, LoopClock.Times times, double consensus,
                            double optimumDistance, double[] ranks) {
        double time(MetricsSchema series) {
            return switch (series) {
                case WALL_TIME -> times.wall();
                case TRAINING_TIME -> times.training();
                case EVAL_TIME -> times.evaluation();
                case RECORD_TIME -> times.record();
                case METRICS_IO_TIME -> times.metricsIo();
                case CHECKPOINT_TIME -> times.checkpoint();
                default -> throw new IllegalArgumentException("not a time of the loop: " + series);
            };
        }
    }

    /** An evaluation: {@code ranks} holds every rank's {@link RankEvaluation#row()}, rank-major. */
    private record Evaluated(long iteration, double epoch, double wallTime, double testLoss, double testAccuracy,
                             double trainObjective, double localObjectiveMean, double[] ranks) {
    }

    /**
     * What {@link #toH5} reads that changes while the run goes, copied on the loop's thread, so that
     * the writer thread can build the file from it while the loop carries on (records and
     * evaluations are immutable; the lists are copies).
     */
    private record Snapshot(Status status, long divergedAt, List<Recorded> records, List<Evaluated> evaluations,
                            List<String> launches, Map<String, Object> algorithmParameters, double setupSeconds,
                            float[] finalModels, int modelDim) {
    }

    private final RunPlan plan;
    private final Algorithm algorithm;
    private final LaunchInfo launch;
    private final String[] hosts;
    private final String[] devices;
    private final boolean active;
    /**
     * The iteration of the first record with a non-finite training loss: the stream (metrics.jsonl)
     * has no line from there on, as metrics.h5 of a diverged run has none past the blow-up, though
     * the loop runs on to the next control point.
     */
    private long streamEndsAt = Long.MAX_VALUE;
    private final String startedAt = Instant.now().toString();
    private double setupSeconds;
    private float[] finalModels;
    private int modelDim;
    private MetricsWriter writer;

    private final List<Recorded> records = new ArrayList<>();
    private final List<Evaluated> evaluations = new ArrayList<>();
    /** One line per launch of this run (the first, then one per resume), for provenance. */
    private final List<String> launches = new ArrayList<>();

    MetricsLog(RunPlan plan, LaunchInfo launch, String[] hosts, String[] devices, Algorithm algorithm, boolean active) {
        this.plan = plan;
        this.algorithm = algorithm;
        this.launch = launch;
        this.hosts = hosts;
        this.devices = devices;
        this.active = active;
    }

    void setupSeconds(double seconds) {
        this.setupSeconds = seconds;
    }

    /** Notes that this launch starts at {@code iteration} (0, or the checkpoint it resumes from). */
    void launchedAt(long iteration) {
        launches.add(String.format("from iteration %d: launched %s on %s, %s, %d ranks, detrain %s, commit %s%s",
                iteration, launch.launchedAt(), launch.launcherHost(), launch.transport(), launch.ranks(),
                launch.detrainVersion(), launch.gitCommit(), launch.gitDirty() ? " (dirty)" : ""));
    }

    /**
     * Rank 0, before the loop: starts the writer; {@code metrics.jsonl} begins afresh with its header
     * and the series restored so far (none on a fresh start), and {@code metrics.h5} is written
     * (status running), so that a reader finds both from the first iteration on.
     */
    void start(Path h5, Path lines) {
        if (!active) {
            return;
        }
        List<String> first = new ArrayList<>();
        first.add(MetricsLines.header(launch.runId(), plan.ranks(), plan.iterations(), plan.iterationsPerEpoch()));
        int r = 0;
        int e = 0;
        while (r < records.size() || e < evaluations.size()) { // in the order they were taken
            if (e == evaluations.size() || r < records.size() && records.get(r).iteration() < evaluations.get(e).iteration()) {
                first.add(line(records.get(r++)));
            } else {
                first.add(line(evaluations.get(e++)));
            }
        }
        writer = new MetricsWriter(h5, lines, first);
        Hdf5Files.writeAtomically(h5, toH5(snapshot(Status.RUNNING, -1)));
    }

    /** @param perRank every rank's {@link RankRecord#row()}, rank-major (what rank 0 gathered) */
    void recordStep(long it, double ep, LoopClock.Times times, double consensusDistance, double distanceToOptimum,
                    double[] perRank) {
        if (active) {
            Recorded r = new Recorded(it, ep, times, consensusDistance, distanceToOptimum, perRank);
            records.add(r);
            int width = RECORD_COLUMNS.size();
            int loss = RECORD_COLUMNS.indexOf(TRAIN_LOSS);
            for (int k = loss; k < perRank.length; k += width) {
                if (!Double.isFinite(perRank[k])) {
                    streamEndsAt = Math.min(streamEndsAt, it);
                }
            }
            if (writer != null && it < streamEndsAt) {
                writer.append(() -> line(r));
            }
        }
    }

    /**
     * @param objective f(x̄) on the training samples of eval.train.samples
     * @param perRank   every rank's {@link RankEvaluation#row()}, rank-major
     */
    void recordEval(long it, double ep, double wall, double loss, double accuracy, double objective, double[] perRank) {
        if (active) {
            int width = EVALUATION_COLUMNS.size();
            int column = EVALUATION_COLUMNS.indexOf(LOCAL_TRAIN_OBJECTIVE);
            double sum = 0;
            for (int r = 0; r < perRank.length / width; r++) {
                sum += perRank[r * width + column]; // rank order: the same bits on every transport
            }
            Evaluated e = new Evaluated(it, ep, wall, loss, accuracy, objective, sum / (perRank.length / width), perRank);
            evaluations.add(e);
            if (writer != null && it < streamEndsAt) {
                writer.append(() -> line(e));
            }
        }
    }

    /** Rank 0: queues a rewrite of {@code metrics.h5} when the writer says one is due (see {@link MetricsWriter}). */
    void rewriteIfDue() {
        if (writer != null && writer.rewriteDue()) {
            Snapshot s = snapshot(Status.RUNNING, -1);
            writer.rewrite(() -> toH5(s));
        }
    }

    /**
     * The loop's times at its end replace those of the last record when it was taken at
     * {@code iteration} (the last iteration): the final evaluation and checkpoint come after the
     * record, and the run's totals should count them.
     */
    void endTimes(long iteration, LoopClock.Times times) {
        if (active && !records.isEmpty() && records.get(records.size() - 1).iteration() == iteration) {
            Recorded last = records.remove(records.size() - 1);
            records.add(new Recorded(last.iteration(), last.epoch(), times, last.consensus(), last.optimumDistance(),
                    last.ranks()));
        }
    }

    /** Every rank's final model, rank-major (rank 0 only; others pass an empty array). */
    void recordModels(float[] models, int dim) {
        if (active) {
            this.finalModels = models;
            this.modelDim = dim;
        }
    }

    /** For the progress line: the latest test accuracy, or "-" before the first evaluation. */
    String lastAccuracyText() {
        if (evaluations.isEmpty() || plan.test().classCount() == 0) {
            return "-";
        }
        return String.format("%.4f", evaluations.get(evaluations.size() - 1).testAccuracy());
    }

    /**
     * For the progress line: the training loss of the latest record, the mean over ranks of each
     * rank's mean since the record before (summed in rank order, as the summary and the report do);
     * "-" before the first record.
     */
    String lastTrainLossText() {
        return records.isEmpty() ? "-" : String.format("%.6g", lastMeanTrainLoss());
    }

    private double lastMeanTrainLoss() {
        double[] rows = records.get(records.size() - 1).ranks();
        int width = RECORD_COLUMNS.size();
        int column = RECORD_COLUMNS.indexOf(MetricsSchema.TRAIN_LOSS);
        double sum = 0;
        for (int r = 0; r < rows.length / width; r++) {
            sum += rows[r * width + column];
        }
        return sum / (rows.length / width);
    }

    /**
     * Rank 0, after the loop: the final {@code metrics.h5} ({@link Status#COMPLETE} or
     * {@link Status#STOPPED}), written and waited for, and the last line of {@code metrics.jsonl}.
     */
    void finish(Status status) {
        if (active) {
            end(snapshot(status, -1));
        }
    }

    /**
     * Rank 0, when the ranks agreed that the run diverged at iteration {@code t}: the file with status
     * diverged, {@link MetricsSchema#DIVERGED_AT} and the series up to iteration t (what was measured
     * before the step whose loss was not finite).
     */
    void finishDiverged(long t) {
        if (active) {
            end(snapshot(Status.DIVERGED, t));
        }
    }

    /** Stops the writer without writing more (the run failed otherwise; what was written stays). */
    void abandon() {
        if (writer != null) {
            writer.close();
            writer = null;
        }
    }

    /** Writes the file at once, without the writer (tests and tools). */
    void write(Path file, Status status) {
        Hdf5Files.writeAtomically(file, toH5(status));
    }

    private void end(Snapshot s) {
        H5Group tree = toH5(s);
        if (writer == null) {
            throw new IllegalStateException("the metrics writer was not started");
        }
        Recorded last = s.records().isEmpty() ? null : s.records().get(s.records().size() - 1);
        double[] times = new double[last == null ? 0 : RECORD_TIMES.size()];
        for (int k = 0; k < times.length; k++) {
            times[k] = last.time(RECORD_TIMES.get(k));
        }
        writer.finish(MetricsLines.status(s.status().text(), s.divergedAt(), last == null ? 0 : last.iteration(), times),
                tree);
        writer = null;
    }

    private Snapshot snapshot(Status status, long divergedAt) {
        List<Recorded> r = List.copyOf(records);
        List<Evaluated> e = List.copyOf(evaluations);
        if (divergedAt >= 0) {
            r = r.stream().filter(x -> x.iteration() <= divergedAt).toList();
            e = e.stream().filter(x -> x.iteration() <= divergedAt).toList();
        }
        return new Snapshot(status, divergedAt, r, e, List.copyOf(launches), new LinkedHashMap<>(algorithm.parameters()),
                setupSeconds, finalModels, modelDim);
    }

    // ---------------------------------------------------------------- metrics.jsonl

    private String line(Recorded r) {
        MetricsLines.Line l = MetricsLines.line("record").put(ITERATION.key(), r.iteration()).put(EPOCH.key(), r.epoch());
        for (MetricsSchema t : RECORD_TIMES) {
            l.put(t.key(), r.time(t));
        }
        l.put(CONSENSUS_DISTANCE.key(), r.consensus());
        if (plan.optimum() != null) {
            l.put(OPTIMUM_DISTANCE.key(), r.optimumDistance());
        }
        for (int c = 0; c < RECORD_COLUMNS.size(); c++) {
            l.put(RECORD_COLUMNS.get(c).key(), column(r.ranks(), c, RECORD_COLUMNS.size()));
        }
        return l.text();
    }

    /** An evaluation's line, under the names of the record's series (iteration, epoch, wall_time) and its own. */
    private static String line(Evaluated e) {
        MetricsLines.Line l = MetricsLines.line("evaluation").put(ITERATION.key(), e.iteration())
                .put(EPOCH.key(), e.epoch()).put(WALL_TIME.key(), e.wallTime()).put(TEST_LOSS.key(), e.testLoss())
                .put(TEST_ACCURACY.key(), e.testAccuracy()).put(TRAIN_OBJECTIVE.key(), e.trainObjective())
                .put(LOCAL_TRAIN_OBJECTIVE_MEAN.key(), e.localObjectiveMean());
        for (int c = 0; c < EVALUATION_COLUMNS.size(); c++) {
            l.put(EVALUATION_COLUMNS.get(c).key(), column(e.ranks(), c, EVALUATION_COLUMNS.size()));
        }
        return l.text();
    }

    /** Column {@code column} of rank-major rows of {@code width} values per rank: one value per rank. */
    private static double[] column(double[] rows, int column, int width) {
        double[] out = new double[rows.length / width];
        for (int r = 0; r < out.length; r++) {
            out[r] = rows[r * width + column];
        }
        return out;
    }

    // ---------------------------------------------------------------- checkpoints

    /**
     * Everything recorded so far, for rank 0's checkpoint (see {@link #restoreFrom}): the series
     * under their {@code metrics.h5} names, the per-rank values as rank-major rows, and the launches.
     */
    void saveTo(H5Group g) {
        g.dataset(ITERATION.key(), records.stream().mapToLong(Recorded::iteration).toArray());
        g.dataset(EPOCH.key(), column(records, Recorded::epoch));
        for (MetricsSchema t : RECORD_TIMES) {
            g.dataset(t.key(), column(records, r -> r.time(t)));
        }
        g.dataset(CONSENSUS_DISTANCE.key(), column(records, Recorded::consensus));
        g.dataset(OPTIMUM_DISTANCE.key(), column(records, Recorded::optimumDistance));
        g.dataset(RECORD_ROWS, records.stream().map(Recorded::ranks).toArray(double[][]::new));
        g.dataset(EVAL_ITERATION.key(), evaluations.stream().mapToLong(Evaluated::iteration).toArray());
        g.dataset(EVAL_EPOCH.key(), column(evaluations, Evaluated::epoch));
        g.dataset(EVAL_WALL_TIME.key(), column(evaluations, Evaluated::wallTime));
        g.dataset(TEST_LOSS.key(), column(evaluations, Evaluated::testLoss));
        g.dataset(TEST_ACCURACY.key(), column(evaluations, Evaluated::testAccuracy));
        g.dataset(TRAIN_OBJECTIVE.key(), column(evaluations, Evaluated::trainObjective));
        g.dataset(LOCAL_TRAIN_OBJECTIVE_MEAN.key(), column(evaluations, Evaluated::localObjectiveMean));
        g.dataset(EVALUATION_ROWS, evaluations.stream().map(Evaluated::ranks).toArray(double[][]::new));
        g.dataset(LAUNCHES_ATTR.key(), launches.toArray(new String[0]));
    }

    /**
     * Replaces the series with those saved by {@link #saveTo}; the current launch is noted after
     * the saved ones. Read while a resume sets up, so a damaged series is bad input (exit 2).
     * Checkpoints written before a series existed resume with NaN in it (the parts of the loop's time:
     * with all of wall_time as training).
     */
    void restoreFrom(H5Group g) {
        long[] iteration = g.getDataset(ITERATION.key(), long[].class);
        double[] epoch = g.getDataset(EPOCH.key(), double[].class);
        double[] wallTime = g.getDataset(WALL_TIME.key(), double[].class);
        double[] evalTime = orZeros(g, EVAL_TIME, iteration.length);
        double[] recordTime = orZeros(g, RECORD_TIME, iteration.length);
        double[] ioTime = orZeros(g, METRICS_IO_TIME, iteration.length);
        double[] checkpointTime = orZeros(g, CHECKPOINT_TIME, iteration.length);
        double[] consensus = g.getDataset(CONSENSUS_DISTANCE.key(), double[].class);
        double[] optimumDistance = g.getDataset(OPTIMUM_DISTANCE.key(), double[].class);
        double[][] recordRows = g.getDataset(RECORD_ROWS, double[][].class);
        long[] evalIteration = g.getDataset(EVAL_ITERATION.key(), long[].class);
        double[] evalEpoch = g.getDataset(EVAL_EPOCH.key(), double[].class);
        double[] evalWallTime = g.getDataset(EVAL_WALL_TIME.key(), double[].class);
        double[] testLoss = g.getDataset(TEST_LOSS.key(), double[].class);
        double[] testAccuracy = g.getDataset(TEST_ACCURACY.key(), double[].class);
        double[][] evalRows = widened(g.getDataset(EVALUATION_ROWS, double[][].class));
        // checkpoints written before the training objective was measured lack it: NaN, not a refusal
        double[] trainObjective = g.hasDataset(TRAIN_OBJECTIVE.key())
                ? g.getDataset(TRAIN_OBJECTIVE.key(), double[].class) : nans(evalIteration.length);
        double[] localObjectiveMean = g.hasDataset(LOCAL_TRAIN_OBJECTIVE_MEAN.key())
                ? g.getDataset(LOCAL_TRAIN_OBJECTIVE_MEAN.key(), double[].class) : nans(evalIteration.length);
        int steps = iteration.length;
        int evals = evalIteration.length;
        if (epoch.length != steps || wallTime.length != steps || consensus.length != steps || recordRows.length != steps
                || optimumDistance.length != steps || evalTime.length != steps || recordTime.length != steps
                || ioTime.length != steps || checkpointTime.length != steps
                || evalEpoch.length != evals || evalWallTime.length != evals || testLoss.length != evals
                || testAccuracy.length != evals || evalRows.length != evals || trainObjective.length != evals
                || localObjectiveMean.length != evals) {
            throw DetrainException.badInput("the metric series in the checkpoint have unequal lengths;"
                    + " resume from another checkpoint set or start afresh");
        }
        records.clear();
        for (int k = 0; k < steps; k++) {
            records.add(new Recorded(iteration[k], epoch[k], new LoopClock.Times(wallTime[k], evalTime[k], recordTime[k],
                    ioTime[k], checkpointTime[k]), consensus[k], optimumDistance[k], recordRows[k]));
        }
        evaluations.clear();
        for (int k = 0; k < evals; k++) {
            evaluations.add(new Evaluated(evalIteration[k], evalEpoch[k], evalWallTime[k], testLoss[k], testAccuracy[k],
                    trainObjective[k], localObjectiveMean[k], evalRows[k]));
        }
        List<String> current = new ArrayList<>(launches);
        launches.clear();
        launches.addAll(List.of(g.getDataset(LAUNCHES_ATTR.key(), String[].class)));
        launches.addAll(current);
    }

    private static double[] orZeros(H5Group g, MetricsSchema series, int length) {
        return g.hasDataset(series.key()) ? g.getDataset(series.key(), double[].class) : new double[length];
    }

    // ---------------------------------------------------------------- metrics.h5

    H5Group toH5(Status status) {
        return toH5(snapshot(status, -1));
    }

    /** The file's tree from a snapshot; runs on the writer thread while the run goes (reads only immutable state). */
    private H5Group toH5(Snapshot s) {
        int n = plan.ranks();
        H5Group root = new H5Group();
        root.attr(FORMAT.key(), FORMAT_VERSION);
        root.attr(STATUS.key(), s.status().text());
        if (s.status() == Status.DIVERGED) {
            root.attr(DIVERGED_AT.key(), s.divergedAt());
        }
        root.attr(DETRAIN_VERSION.key(), launch.detrainVersion());
        root.attr(GIT_COMMIT.key(), launch.gitCommit());
        root.attr(GIT_DIRTY.key(), launch.gitDirty());
        root.attr(RUN_ID.key(), launch.runId());
        root.attr(LAUNCHED_AT.key(), launch.launchedAt());
        root.attr(STARTED_AT.key(), startedAt);
        root.attr(WRITTEN_AT.key(), Instant.now().toString());
        root.attr(LAUNCHER_HOST.key(), launch.launcherHost());
        root.attr(COMMAND.key(), launch.command());
        root.attr(RANKS_ATTR.key(), (long) n);
        root.attr(MPJ_DEVICE.key(), launch.transport());
        root.attr(MPJ_VERSION.key(), "0.44");
        root.attr(HOSTS.key(), hosts);
        root.attr(COMPUTE_DEVICES.key(), devices);
        root.attr(JAVA_VERSION.key(), System.getProperty("java.version"));
        root.attr(OS.key(), System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        root.attr(CONFIG_HASH.key(), plan.config().hash());
        root.attr(SETUP_TIME.key(), s.setupSeconds());
        root.attr(ITERATIONS.key(), plan.iterations());
        root.attr(ITERATIONS_PER_EPOCH.key(), plan.iterationsPerEpoch());
        List<String> l = s.launches();
        if (!l.isEmpty()) {
            root.attr(LAUNCHES_ATTR.key(), l.subList(Math.max(0, l.size() - MAX_LAUNCHES), l.size()).toArray(new String[0]));
        }
        writeAlgorithm(root.group(Group.ALGORITHM.key()), s.algorithmParameters());
        H5Group config = root.group(Group.CONFIG.key());
        for (Map.Entry<String, String> e : plan.config().asMap().entrySet()) {
            typedConfigValue(config, e.getKey(), e.getValue());
        }
        writeTopology(root.group(Group.TOPOLOGY.key()));
        writePartition(root.group(Group.PARTITION.key()), n);
        writeSeries(root.group(Group.METRICS.key()), n, s);
        if (s.finalModels() != null) {
            writeModels(root.group(Group.MODELS.key()), n, s.finalModels(), s.modelDim());
        }
        return root;
    }

    /**
     * A config value with the type of its key: whole numbers as int64, numbers as float64, true/false
     * as bool, words (auto, theory, choices) and lists as text. The text in config.properties stays
     * the canonical form (the config hash is taken over it); a number here is that text parsed.
     */
    private static void typedConfigValue(H5Group config, String key, String value) {
        KeySpec spec = ConfigSchema.find(key);
        KeySpec.Type type = spec == null ? KeySpec.Type.STRING : spec.type();
        try {
            switch (type) {
                case INT, LONG, WORD_OR_INT -> config.attr(key, Long.parseLong(value));
                case DOUBLE, AUTO_OR_DOUBLE -> config.attr(key, Double.parseDouble(value));
                case BOOLEAN -> config.attr(key, Boolean.parseBoolean(value));
                default -> config.attr(key, value);
            }
        } catch (NumberFormatException e) {
            config.attr(key, value); // a word such as auto or theory
        }
    }

    private void writeAlgorithm(H5Group g, Map<String, Object> parameters) {
        g.attr(ALGORITHM_NAME.key(), algorithm.name());
        for (Map.Entry<String, Object> e : parameters.entrySet()) {
            Object v = e.getValue();
            if (v instanceof long[] values) {
                g.attr(e.getKey(), values);
            } else if (v instanceof long[][] rows) {
                g.dataset(e.getKey(), rows); // a 2-D parameter (e.g. SGP's out-peers per iteration) is a dataset
            } else if (v instanceof Long l) {
                g.attr(e.getKey(), l);
            } else if (v instanceof Number num) {
                g.attr(e.getKey(), num.doubleValue());
            } else {
                g.attr(e.getKey(), String.valueOf(v));
            }
        }
    }

    private void writeTopology(H5Group g) {
        MixingMatrix w = plan.mixing();
        Spectrum spectrum = plan.spectrum();
        g.attr(TOPOLOGY_NAME.key(), plan.graph().name());
        g.attr(TOPOLOGY_GOSSIP.key(), algorithm.gossipGraph());
        g.attr(WEIGHTS.key(), w.weights());
        g.attr(KAPPA.key(), w.kappa());
        g.attr(LAMBDA.key(), spectrum.lambda());
        g.attr(LAMBDA2.key(), spectrum.lambda2());
        g.attr(LAMBDA_MIN.key(), spectrum.lambdaMin());
        g.attr(SPECTRAL_GAP.key(), spectrum.spectralGap());
        g.attr(DIAMETER.key(), (long) plan.graph().diameter());
        g.dataset(MetricsSchema.ADJACENCY.key(), plan.graph().adjacencyMatrix());
        g.dataset(W.key(), w.toArray());
        g.dataset(EIGENVALUES.key(), spectrum.eigenvalues());
    }

    private void writePartition(H5Group g, int n) {
        Partition partition = plan.partition();
        g.attr(SCHEME.key(), partition.describe());
        long[] sizes = new long[n];
        for (int r = 0; r < n; r++) {
            sizes[r] = partition.shardSize(r);
        }
        g.dataset(SHARD_SIZE.key(), sizes);
        if (plan.train().classCount() > 0) {
            int[][] counts = partition.classCounts(plan.trainLabels(), plan.train().classCount());
            long[][] asLong = new long[n][];
            for (int r = 0; r < n; r++) {
                asLong[r] = Arrays.stream(counts[r]).asLongStream().toArray();
            }
            g.dataset(CLASS_COUNTS.key(), asLong);
        }
    }

    private void writeSeries(H5Group m, int n, Snapshot s) {
        List<Recorded> records = s.records();
        List<Evaluated> evaluations = s.evaluations();
        m.dataset(ITERATION.key(), records.stream().mapToLong(Recorded::iteration).toArray());
        m.dataset(EPOCH.key(), column(records, Recorded::epoch));
        for (MetricsSchema t : RECORD_TIMES) {
            m.dataset(t.key(), column(records, r -> r.time(t)));
        }
        m.dataset(CONSENSUS_DISTANCE.key(), column(records, Recorded::consensus));
        if (plan.optimum() != null) {
            m.dataset(OPTIMUM_DISTANCE.key(), column(records, Recorded::optimumDistance));
        }
        List<double[]> recordRows = records.stream().map(Recorded::ranks).toList();
        for (int c = 0; c < RECORD_COLUMNS.size(); c++) {
            m.dataset(RECORD_COLUMNS.get(c).key(), perRank(recordRows, c, RECORD_COLUMNS.size(), n));
        }
        m.dataset(EVAL_ITERATION.key(), evaluations.stream().mapToLong(Evaluated::iteration).toArray());
        m.dataset(EVAL_EPOCH.key(), column(evaluations, Evaluated::epoch));
        m.dataset(EVAL_WALL_TIME.key(), column(evaluations, Evaluated::wallTime));
        m.dataset(TEST_LOSS.key(), column(evaluations, Evaluated::testLoss));
        m.dataset(TEST_ACCURACY.key(), column(evaluations, Evaluated::testAccuracy));
        m.dataset(TRAIN_OBJECTIVE.key(), column(evaluations, Evaluated::trainObjective));
        m.dataset(LOCAL_TRAIN_OBJECTIVE_MEAN.key(), column(evaluations, Evaluated::localObjectiveMean));
        List<double[]> evalRows = evaluations.stream().map(Evaluated::ranks).toList();
        for (int c = 0; c < EVALUATION_COLUMNS.size(); c++) {
            m.dataset(EVALUATION_COLUMNS.get(c).key(), perRank(evalRows, c, EVALUATION_COLUMNS.size(), n));
        }
    }

    private void writeModels(H5Group g, int n, float[] finalModels, int modelDim) {
        float[][] local = new float[n][modelDim];
        double[] mean = new double[modelDim];
        for (int r = 0; r < n; r++) {
            System.arraycopy(finalModels, r * modelDim, local[r], 0, modelDim);
            for (int k = 0; k < modelDim; k++) {
                mean[k] += local[r][k];
            }
        }
        float[] averaged = new float[modelDim];
        for (int k = 0; k < modelDim; k++) {
            averaged[k] = (float) (mean[k] / n);
        }
        g.attr(MODELS_ITERATION.key(), plan.iterations());
        g.dataset(LOCAL_MODELS.key(), local);
        g.dataset(AVERAGED_MODEL.key(), averaged);
        if (plan.optimum() != null) {
            g.dataset(OPTIMUM.key(), plan.optimum());
        }
    }

    private static <T> double[] column(List<T> entries, ToDoubleFunction<T> value) {
        return entries.stream().mapToDouble(value).toArray();
    }

    /** (entries x ranks) matrix of one column out of rank-major rows {@code width} values per rank. */
    private static double[][] perRank(List<double[]> rows, int column, int width, int ranks) {
        double[][] out = new double[rows.size()][ranks];
        for (int s = 0; s < rows.size(); s++) {
            for (int r = 0; r < ranks; r++) {
                out[s][r] = rows.get(s)[r * width + column];
            }
        }
        return out;
    }

    private static double[] nans(int length) {
        double[] a = new double[length];
        java.util.Arrays.fill(a, Double.NaN);
        return a;
    }

    /**
     * Per-rank evaluation rows from a checkpoint written when an evaluation had fewer columns
     * (before {@link MetricsSchema#LOCAL_TRAIN_OBJECTIVE}): each rank's row padded with NaN.
     */
    private double[][] widened(double[][] rows) {
        int width = EVALUATION_COLUMNS.size();
        int n = plan.ranks();
        double[][] out = new double[rows.length][];
        for (int k = 0; k < rows.length; k++) {
            int old = rows[k].length / Math.max(1, n);
            if (old == width || rows[k].length % Math.max(1, n) != 0) {
                out[k] = rows[k];
                continue;
            }
            out[k] = new double[n * width];
            java.util.Arrays.fill(out[k], Double.NaN);
            for (int r = 0; r < n; r++) {
                System.arraycopy(rows[k], r * old, out[k], r * width, Math.min(old, width));
            }
        }
        return out;
    }
}
