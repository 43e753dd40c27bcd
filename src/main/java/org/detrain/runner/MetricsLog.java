package org.detrain.runner;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.detrain.algo.Algorithm;
import org.detrain.data.Partition;
import org.detrain.io.H5Group;
import org.detrain.io.Hdf5Files;
import org.detrain.results.LaunchInfo;
import org.detrain.topology.MixingMatrix;
import org.detrain.topology.Spectrum;

/**
 * Rank 0's record of a run, written to {@code metrics.h5}: provenance, config, topology, partition
 * and the metric series. Other ranks only take part in the collectives that feed it.
 *
 * <p>Series at the logging cadence ({@code /metrics}, one row per record): iteration, epoch,
 * wall_time, consensus_distance, and (rows x ranks) train_loss, grad_norm, bytes_sent,
 * messages_sent, compute_time, comm_wait_time. At the evaluation cadence: eval_iteration,
 * eval_epoch, eval_wall_time, test_loss, test_accuracy (of the averaged model), and (rows x ranks)
 * local_test_loss, local_test_accuracy.
 */
final class MetricsLog {
    /** Per-rank columns of a logging record, in the order TrainingRun gathers them. */
    private static final String[] STEP_COLUMNS =
            {"train_loss", "grad_norm", "bytes_sent", "messages_sent", "compute_time", "comm_wait_time"};
    private static final String[] EVAL_COLUMNS = {"local_test_loss", "local_test_accuracy"};

    private final RunPlan plan;
    private final Algorithm algorithm;
    private final List<Double> optimumDistance = new ArrayList<>();
    private float[] finalModels;
    private int modelDim;
    private final LaunchInfo launch;
    private final String[] hosts;
    private final String[] devices;
    private final boolean active;
    private final String startedAt = Instant.now().toString();
    private double setupSeconds;

    private final List<Long> iteration = new ArrayList<>();
    private final List<Double> epoch = new ArrayList<>();
    private final List<Double> wallTime = new ArrayList<>();
    private final List<Double> consensus = new ArrayList<>();
    private final List<double[]> stepRows = new ArrayList<>();

    private final List<Long> evalIteration = new ArrayList<>();
    private final List<Double> evalEpoch = new ArrayList<>();
    private final List<Double> evalWallTime = new ArrayList<>();
    private final List<Double> testLoss = new ArrayList<>();
    private final List<Double> testAccuracy = new ArrayList<>();
    private final List<double[]> evalRows = new ArrayList<>();
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

    /** Everything recorded so far, for rank 0's checkpoint (see {@link #restoreFrom}). */
    void saveTo(H5Group g) {
        g.dataset("iteration", iteration.stream().mapToLong(Long::longValue).toArray());
        g.dataset("epoch", toArray(epoch));
        g.dataset("wall_time", toArray(wallTime));
        g.dataset("consensus_distance", toArray(consensus));
        g.dataset("optimum_distance", toArray(optimumDistance));
        g.dataset("step_rows", stepRows.toArray(new double[0][]));
        g.dataset("eval_iteration", evalIteration.stream().mapToLong(Long::longValue).toArray());
        g.dataset("eval_epoch", toArray(evalEpoch));
        g.dataset("eval_wall_time", toArray(evalWallTime));
        g.dataset("test_loss", toArray(testLoss));
        g.dataset("test_accuracy", toArray(testAccuracy));
        g.dataset("eval_rows", evalRows.toArray(new double[0][]));
        g.dataset("launches", launches.toArray(new String[0]));
    }

    /** Replaces the series with those saved by {@link #saveTo}; the current launch is noted after them. */
    void restoreFrom(H5Group g) {
        clear();
        for (long v : g.getDataset("iteration", long[].class)) {
            iteration.add(v);
        }
        addAll(epoch, g.getDataset("epoch", double[].class));
        addAll(wallTime, g.getDataset("wall_time", double[].class));
        addAll(consensus, g.getDataset("consensus_distance", double[].class));
        addAll(optimumDistance, g.getDataset("optimum_distance", double[].class));
        stepRows.addAll(List.of(g.getDataset("step_rows", double[][].class)));
        for (long v : g.getDataset("eval_iteration", long[].class)) {
            evalIteration.add(v);
        }
        addAll(evalEpoch, g.getDataset("eval_epoch", double[].class));
        addAll(evalWallTime, g.getDataset("eval_wall_time", double[].class));
        addAll(testLoss, g.getDataset("test_loss", double[].class));
        addAll(testAccuracy, g.getDataset("test_accuracy", double[].class));
        evalRows.addAll(List.of(g.getDataset("eval_rows", double[][].class)));
        List<String> current = new ArrayList<>(launches);
        launches.clear();
        launches.addAll(List.of(g.getDataset("launches", String[].class)));
        launches.addAll(current);
        int steps = iteration.size();
        int evals = evalIteration.size();
        if (epoch.size() != steps || wallTime.size() != steps || consensus.size() != steps || stepRows.size() != steps
                || optimumDistance.size() != steps
                || evalEpoch.size() != evals || evalWallTime.size() != evals || testLoss.size() != evals
                || testAccuracy.size() != evals || evalRows.size() != evals) {
            throw org.detrain.util.DetrainException.badInput("the metric series in the checkpoint have unequal lengths;"
                    + " resume from another checkpoint set or start afresh");
        }
    }

    private void clear() {
        for (List<?> l : List.of(iteration, epoch, wallTime, consensus, optimumDistance, stepRows, evalIteration, evalEpoch,
                evalWallTime, testLoss, testAccuracy, evalRows)) {
            l.clear();
        }
    }

    private static void addAll(List<Double> to, double[] values) {
        for (double v : values) {
            to.add(v);
        }
    }

    /** {@code perRank} is rank-major: STEP_COLUMNS.length values per rank. */
    void recordStep(long it, double ep, double wall, double consensusDistance, double distanceToOptimum,
                    double[] perRank) {
        if (!active) {
            return;
        }
        optimumDistance.add(distanceToOptimum);
        iteration.add(it);
        epoch.add(ep);
        wallTime.add(wall);
        consensus.add(consensusDistance);
        stepRows.add(perRank);
    }

    void recordEval(long it, double ep, double wall, double loss, double accuracy, double[] perRank) {
        if (!active) {
            return;
        }
        evalIteration.add(it);
        evalEpoch.add(ep);
        evalWallTime.add(wall);
        testLoss.add(loss);
        testAccuracy.add(accuracy);
        evalRows.add(perRank);
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
        if (testAccuracy.isEmpty() || plan.test().classCount() == 0) {
            return "-";
        }
        return String.format("%.4f", testAccuracy.get(testAccuracy.size() - 1));
    }

    void write(Path file, boolean complete) {
        write(file, complete ? "complete" : "running");
    }

    /** @param status "running", "complete" or "stopped" (checkpointed on request; resume continues it) */
    void write(Path file, String status) {
        Hdf5Files.writeAtomically(file, toH5(status));
    }

    H5Group toH5(boolean complete) {
        return toH5(complete ? "complete" : "running");
    }

    H5Group toH5(String status) {
        int n = plan.ranks();
        H5Group root = new H5Group();
        root.attr("format", "detrain-metrics/1");
        root.attr("status", status);
        root.attr("detrain_version", launch.detrainVersion());
        root.attr("git_commit", launch.gitCommit());
        root.attr("git_dirty", launch.gitDirty() ? 1L : 0L);
        root.attr("run_id", launch.runId());
        root.attr("launched_at", launch.launchedAt());
        root.attr("started_at", startedAt);
        root.attr("written_at", Instant.now().toString());
        root.attr("launcher_host", launch.launcherHost());
        root.attr("command", launch.command());
        root.attr("ranks", (long) n);
        root.attr("mpj_device", launch.transport());
        root.attr("mpj_version", "0.44");
        root.attr("hosts", hosts);
        root.attr("compute_devices", devices);
        root.attr("java_version", System.getProperty("java.version"));
        root.attr("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        root.attr("config_hash", plan.config().hash());
        root.attr("setup_time", setupSeconds);
        root.attr("iterations", plan.iterations());
        root.attr("iterations_per_epoch", plan.iterationsPerEpoch());
        if (!launches.isEmpty()) {
            // an attribute must stay small (jHDF 0.13): after very many resumes, the latest 100
            root.attr("launches", launches.subList(Math.max(0, launches.size() - 100), launches.size())
                    .toArray(new String[0]));
        }

        H5Group algo = root.group("algorithm");
        algo.attr("name", algorithm.name());
        for (Map.Entry<String, Object> e : algorithm.parameters().entrySet()) {
            Object v = e.getValue();
            if (v instanceof Long l) {
                algo.attr(e.getKey(), l);
            } else if (v instanceof Number num) {
                algo.attr(e.getKey(), num.doubleValue());
            } else {
                algo.attr(e.getKey(), String.valueOf(v));
            }
        }

        H5Group config = root.group("config");
        for (Map.Entry<String, String> e : plan.config().asMap().entrySet()) {
            config.attr(e.getKey(), e.getValue());
        }

        MixingMatrix w = plan.mixing();
        Spectrum spectrum = plan.spectrum();
        H5Group topology = root.group("topology");
        topology.attr("name", plan.graph().name());
        topology.attr("weights", w.weights());
        topology.attr("kappa", w.kappa());
        topology.attr("lambda", spectrum.lambda());
        topology.attr("lambda2", spectrum.lambda2());
        topology.attr("lambda_min", spectrum.lambdaMin());
        topology.attr("spectral_gap", spectrum.spectralGap());
        topology.attr("diameter", (long) plan.graph().diameter());
        topology.dataset("adjacency", plan.graph().adjacencyMatrix());
        topology.dataset("W", w.toArray());
        topology.dataset("eigenvalues", spectrum.eigenvalues());

        Partition partition = plan.partition();
        H5Group part = root.group("partition");
        part.attr("scheme", partition.describe());
        long[] sizes = new long[n];
        for (int r = 0; r < n; r++) {
            sizes[r] = partition.shardSize(r);
        }
        part.dataset("shard_size", sizes);
        if (plan.train().classCount() > 0) {
            int[][] counts = partition.classCounts(plan.trainLabels(), plan.train().classCount());
            long[][] asLong = new long[n][];
            for (int r = 0; r < n; r++) {
                asLong[r] = java.util.Arrays.stream(counts[r]).asLongStream().toArray();
            }
            part.dataset("class_counts", asLong);
        }

        H5Group m = root.group("metrics");
        m.dataset("iteration", iteration.stream().mapToLong(Long::longValue).toArray());
        m.dataset("epoch", toArray(epoch));
        m.dataset("wall_time", toArray(wallTime));
        m.dataset("consensus_distance", toArray(consensus));
        if (plan.optimum() != null) {
            m.dataset("optimum_distance", toArray(optimumDistance));
        }
        for (int c = 0; c < STEP_COLUMNS.length; c++) {
            m.dataset(STEP_COLUMNS[c], column(stepRows, c, STEP_COLUMNS.length, n));
        }
        m.dataset("eval_iteration", evalIteration.stream().mapToLong(Long::longValue).toArray());
        m.dataset("eval_epoch", toArray(evalEpoch));
        m.dataset("eval_wall_time", toArray(evalWallTime));
        m.dataset("test_loss", toArray(testLoss));
        m.dataset("test_accuracy", toArray(testAccuracy));
        for (int c = 0; c < EVAL_COLUMNS.length; c++) {
            m.dataset(EVAL_COLUMNS[c], column(evalRows, c, EVAL_COLUMNS.length, n));
        }
        if (finalModels != null) {
            H5Group models = root.group("models");
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
            models.attr("iteration", plan.iterations());
            models.dataset("local", local);
            models.dataset("averaged", averaged);
            if (plan.optimum() != null) {
                models.dataset("optimum", plan.optimum());
            }
        }
        return root;
    }

    private static double[] toArray(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** (records x ranks) matrix of one column out of rank-major rows. */
    private static double[][] column(List<double[]> rows, int column, int width, int ranks) {
        double[][] out = new double[rows.size()][ranks];
        for (int s = 0; s < rows.size(); s++) {
            for (int r = 0; r < ranks; r++) {
                out[s][r] = rows.get(s)[r * width + column];
            }
        }
        return out;
    }
}
