package org.detrain.runner;

import static org.detrain.results.MetricsSchema.ALGORITHM_NAME;
import static org.detrain.results.MetricsSchema.AVERAGED_MODEL;
import static org.detrain.results.MetricsSchema.CLASS_COUNTS;
import static org.detrain.results.MetricsSchema.COMMAND;
import static org.detrain.results.MetricsSchema.COMPUTE_DEVICES;
import static org.detrain.results.MetricsSchema.CONFIG_HASH;
import static org.detrain.results.MetricsSchema.CONSENSUS_DISTANCE;
import static org.detrain.results.MetricsSchema.DETRAIN_VERSION;
import static org.detrain.results.MetricsSchema.DIAMETER;
import static org.detrain.results.MetricsSchema.EIGENVALUES;
import static org.detrain.results.MetricsSchema.EPOCH;
import static org.detrain.results.MetricsSchema.EVALUATION_COLUMNS;
import static org.detrain.results.MetricsSchema.EVAL_EPOCH;
import static org.detrain.results.MetricsSchema.EVAL_ITERATION;
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
import static org.detrain.results.MetricsSchema.MODELS_ITERATION;
import static org.detrain.results.MetricsSchema.MPJ_DEVICE;
import static org.detrain.results.MetricsSchema.MPJ_VERSION;
import static org.detrain.results.MetricsSchema.OPTIMUM;
import static org.detrain.results.MetricsSchema.OPTIMUM_DISTANCE;
import static org.detrain.results.MetricsSchema.OS;
import static org.detrain.results.MetricsSchema.RANKS_ATTR;
import static org.detrain.results.MetricsSchema.RECORD_COLUMNS;
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
import static org.detrain.results.MetricsSchema.TOPOLOGY_NAME;
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
import java.util.function.ToDoubleFunction;
import org.detrain.algo.Algorithm;
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
 * Rank 0's record of a run, written to {@code metrics.h5} in the layout {@link MetricsSchema}
 * describes: provenance, config, algorithm, topology, partition, the metric series and the final
 * models. Other ranks only take part in the collectives that feed it (their calls are ignored).
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

    /** A record: {@code ranks} holds every rank's {@link RankRecord#row()}, rank-major. */
    private record Recorded(long iteration, double epoch, double wallTime, double consensus, double optimumDistance,
                            double[] ranks) {
    }

    /** An evaluation: {@code ranks} holds every rank's {@link RankEvaluation#row()}, rank-major. */
    private record Evaluated(long iteration, double epoch, double wallTime, double testLoss, double testAccuracy,
                             double trainObjective, double localObjectiveMean, double[] ranks) {
    }

    private final RunPlan plan;
    private final Algorithm algorithm;
    private final LaunchInfo launch;
    private final String[] hosts;
    private final String[] devices;
    private final boolean active;
    private final String startedAt = Instant.now().toString();
    private double setupSeconds;
    private float[] finalModels;
    private int modelDim;

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

    /** @param perRank every rank's {@link RankRecord#row()}, rank-major (what rank 0 gathered) */
    void recordStep(long it, double ep, double wall, double consensusDistance, double distanceToOptimum,
                    double[] perRank) {
        if (active) {
            records.add(new Recorded(it, ep, wall, consensusDistance, distanceToOptimum, perRank));
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
            evaluations.add(new Evaluated(it, ep, wall, loss, accuracy, objective, sum / (perRank.length / width),
                    perRank));
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

    void write(Path file, Status status) {
        Hdf5Files.writeAtomically(file, toH5(status));
    }

    // ---------------------------------------------------------------- checkpoints

    /**
     * Everything recorded so far, for rank 0's checkpoint (see {@link #restoreFrom}): the series
     * under their {@code metrics.h5} names, the per-rank values as rank-major rows, and the launches.
     */
    void saveTo(H5Group g) {
        g.dataset(ITERATION.key(), records.stream().mapToLong(Recorded::iteration).toArray());
        g.dataset(EPOCH.key(), column(records, Recorded::epoch));
        g.dataset(WALL_TIME.key(), column(records, Recorded::wallTime));
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
     */
    void restoreFrom(H5Group g) {
        long[] iteration = g.getDataset(ITERATION.key(), long[].class);
        double[] epoch = g.getDataset(EPOCH.key(), double[].class);
        double[] wallTime = g.getDataset(WALL_TIME.key(), double[].class);
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
                || optimumDistance.length != steps
                || evalEpoch.length != evals || evalWallTime.length != evals || testLoss.length != evals
                || testAccuracy.length != evals || evalRows.length != evals || trainObjective.length != evals
                || localObjectiveMean.length != evals) {
            throw DetrainException.badInput("the metric series in the checkpoint have unequal lengths;"
                    + " resume from another checkpoint set or start afresh");
        }
        records.clear();
        for (int k = 0; k < steps; k++) {
            records.add(new Recorded(iteration[k], epoch[k], wallTime[k], consensus[k], optimumDistance[k], recordRows[k]));
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

    // ---------------------------------------------------------------- metrics.h5

    H5Group toH5(Status status) {
        int n = plan.ranks();
        H5Group root = new H5Group();
        root.attr(FORMAT.key(), FORMAT_VERSION);
        root.attr(STATUS.key(), status.text());
        root.attr(DETRAIN_VERSION.key(), launch.detrainVersion());
        root.attr(GIT_COMMIT.key(), launch.gitCommit());
        root.attr(GIT_DIRTY.key(), launch.gitDirty() ? 1L : 0L);
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
        root.attr(SETUP_TIME.key(), setupSeconds);
        root.attr(ITERATIONS.key(), plan.iterations());
        root.attr(ITERATIONS_PER_EPOCH.key(), plan.iterationsPerEpoch());
        if (!launches.isEmpty()) {
            root.attr(LAUNCHES_ATTR.key(), launches.subList(Math.max(0, launches.size() - MAX_LAUNCHES), launches.size())
                    .toArray(new String[0]));
        }
        writeAlgorithm(root.group(Group.ALGORITHM.key()));
        H5Group config = root.group(Group.CONFIG.key());
        for (Map.Entry<String, String> e : plan.config().asMap().entrySet()) {
            config.attr(e.getKey(), e.getValue());
        }
        writeTopology(root.group(Group.TOPOLOGY.key()));
        writePartition(root.group(Group.PARTITION.key()), n);
        writeSeries(root.group(Group.METRICS.key()), n);
        if (finalModels != null) {
            writeModels(root.group(Group.MODELS.key()), n);
        }
        return root;
    }

    private void writeAlgorithm(H5Group g) {
        g.attr(ALGORITHM_NAME.key(), algorithm.name());
        for (Map.Entry<String, Object> e : algorithm.parameters().entrySet()) {
            Object v = e.getValue();
            if (v instanceof Long l) {
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

    private void writeSeries(H5Group m, int n) {
        m.dataset(ITERATION.key(), records.stream().mapToLong(Recorded::iteration).toArray());
        m.dataset(EPOCH.key(), column(records, Recorded::epoch));
        m.dataset(WALL_TIME.key(), column(records, Recorded::wallTime));
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

    private void writeModels(H5Group g, int n) {
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
