package org.detrain.report;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import org.detrain.io.H5Group;
import org.detrain.io.Hdf5Files;
import org.detrain.results.MetricsSchema;
import org.detrain.results.Numbers;
import org.detrain.results.RunState;
import org.detrain.util.DetrainException;

/**
 * What the report needs from one run's {@code metrics.h5}, read through {@link Hdf5Files#read}
 * and nothing else (so it works on results copied off a cluster): the configuration, the
 * topology's spectral gap, and the metric series reduced over ranks in rank order.
 *
 * <p>Series at the logging cadence have one entry per record; series at the evaluation cadence one
 * per evaluation. A dataset the file does not have (an older layout, a run without evaluations)
 * reads as an empty series; {@code /metrics/iteration} and {@code /metrics/train_loss} are required.
 */
public final class RunResult {
    /** The pseudo configuration key under which the rank count (root attribute {@code ranks}) is grouped. */
    public static final String RANKS_KEY = "ranks";

    private final Path file;
    private final String runId;
    private final String status;
    private final long ranks;
    private final Map<String, String> config;
    private final double spectralGap;
    private final double[] iteration;
    private final double[] epoch;
    private final double[] wallTime;
    private final double[] trainingTime;
    private final double[] consensus;
    private final double[] optimumDistance;
    private final double[] trainLoss;
    private final double[] bytesSent;
    private final double[] evalIteration;
    private final double[] evalEpoch;
    private final double[] evalWallTime;
    private final double[] testAccuracy;
    private final double[] trainObjective;
    private final double[] localAccuracySpread;

    private RunResult(Path file, H5Group root) {
        this.file = file;
        if (!root.hasGroup(MetricsSchema.Group.METRICS.key())) {
            throw DetrainException.badInput(file + " has no /" + MetricsSchema.Group.METRICS.key() + " group, so it is not a detrain metrics.h5:"
                    + " pass run directories written by `detrain train` (results/<run-id>)");
        }
        H5Group m = root.getGroup(MetricsSchema.Group.METRICS.key());
        this.runId = root.hasAttribute(MetricsSchema.RUN_ID.key()) ? text(root.getAttribute(MetricsSchema.RUN_ID.key()))
                : String.valueOf(file.toAbsolutePath().getParent().getFileName());
        // how the run ended, from the file's status and the run directory's rank status files (a failure, a divergence)
        Path dir = file.toAbsolutePath().getParent();
        this.status = RunState.of(dir, root.hasAttribute(MetricsSchema.STATUS.key())
                ? text(root.getAttribute(MetricsSchema.STATUS.key())) : "").outcome().text();
        Map<String, String> cfg = new TreeMap<>();
        if (root.hasGroup(MetricsSchema.Group.CONFIG.key())) {
            H5Group c = root.getGroup(MetricsSchema.Group.CONFIG.key());
            for (String key : c.attributeNames()) {
                cfg.put(key, normalize(text(c.getAttribute(key))));
            }
        }
        this.iteration = required(m, MetricsSchema.ITERATION);
        double[][] loss = matrix(m, MetricsSchema.TRAIN_LOSS);
        if (loss.length != iteration.length) {
            throw damaged(MetricsSchema.TRAIN_LOSS.path() + " has " + loss.length + " records but "
                    + MetricsSchema.ITERATION.path() + " has " + iteration.length);
        }
        this.ranks = root.hasAttribute(MetricsSchema.RANKS_ATTR.key())
                ? ((Number) root.getAttribute(MetricsSchema.RANKS_ATTR.key())).longValue()
                : (loss.length > 0 ? loss[0].length : 0);
        cfg.put(RANKS_KEY, Long.toString(ranks));
        this.config = Collections.unmodifiableMap(cfg);
        this.trainLoss = rowMeans(loss);
        this.epoch = optional(m, MetricsSchema.EPOCH, iteration.length);
        this.wallTime = optional(m, MetricsSchema.WALL_TIME, iteration.length);
        this.trainingTime = optional(m, MetricsSchema.TRAINING_TIME, iteration.length);
        this.consensus = optional(m, MetricsSchema.CONSENSUS_DISTANCE, iteration.length);
        this.optimumDistance = optional(m, MetricsSchema.OPTIMUM_DISTANCE, iteration.length);
        this.bytesSent = rowSums(optionalMatrix(m, MetricsSchema.BYTES_SENT, iteration.length));
        this.evalIteration = m.hasDataset(MetricsSchema.EVAL_ITERATION.key()) ? vector(m, MetricsSchema.EVAL_ITERATION)
                : new double[0];
        this.evalEpoch = optional(m, MetricsSchema.EVAL_EPOCH, evalIteration.length);
        this.evalWallTime = optional(m, MetricsSchema.EVAL_WALL_TIME, evalIteration.length);
        this.testAccuracy = optional(m, MetricsSchema.TEST_ACCURACY, evalIteration.length);
        this.trainObjective = optional(m, MetricsSchema.TRAIN_OBJECTIVE, evalIteration.length);
        this.localAccuracySpread = rowSpreads(optionalMatrix(m, MetricsSchema.LOCAL_TEST_ACCURACY, evalIteration.length));
        double gap = Double.NaN;
        String topology = MetricsSchema.Group.TOPOLOGY.key();
        if (root.hasGroup(topology) && root.getGroup(topology).hasAttribute(MetricsSchema.SPECTRAL_GAP.key())) {
            gap = ((Number) root.getGroup(topology).getAttribute(MetricsSchema.SPECTRAL_GAP.key())).doubleValue();
        }
        this.spectralGap = gap;
    }

    /**
     * Reads one run.
     *
     * @throws DetrainException if the file is missing, not HDF5, damaged, or not a detrain metrics file
     */
    public static RunResult read(Path file) {
        return new RunResult(file, Hdf5Files.read(file));
    }

    /** The same run from a tree already in memory (tests, or a caller that has read the file). */
    public static RunResult of(Path file, H5Group root) {
        return new RunResult(file, root);
    }

    public Path file() {
        return file;
    }

    public String runId() {
        return runId;
    }

    /**
     * How the run ended ({@link RunState.Outcome#text()}): complete, diverged, stopped, running (still going,
     * or killed), failed.
     */
    public String status() {
        return status;
    }

    public long ranks() {
        return ranks;
    }

    /** Every {@code /config} attribute, numbers in a canonical form (so "50" and "50.0" compare equal), plus {@link #RANKS_KEY}. */
    public Map<String, String> config() {
        return config;
    }

    /** The config value, or {@code "-"} if this run's file does not record the key. */
    public String value(String key) {
        return config.getOrDefault(key, "-");
    }

    /** 1 − λ of the run's mixing matrix, NaN if the file does not record it. */
    public double spectralGap() {
        return spectralGap;
    }

    public double[] iteration() {
        return iteration.clone();
    }

    public double[] epoch() {
        return epoch.clone();
    }

    /** Seconds since the training loop started, per record. */
    public double[] wallTime() {
        return wallTime.clone();
    }

    /** (1/n)Σ‖x_i − x̄‖² per record. */
    public double[] consensus() {
        return consensus.clone();
    }

    /** ‖x̄ − x*‖ / ‖x*‖ per record (synthetic problems with a known optimum; empty otherwise). */
    public double[] optimumDistance() {
        return optimumDistance.clone();
    }

    /** The training objective f(x̄) per evaluation (empty for files written before it was measured). */
    public double[] trainObjective() {
        return trainObjective.clone();
    }

    /** Training loss per record, the mean over ranks (summed in rank order). */
    public double[] trainLoss() {
        return trainLoss.clone();
    }

    /** Bytes sent by all ranks together since the start, per record (summed in rank order). */
    public double[] bytesSent() {
        return bytesSent.clone();
    }

    public double[] evalIteration() {
        return evalIteration.clone();
    }

    public double[] evalEpoch() {
        return evalEpoch.clone();
    }

    public double[] evalWallTime() {
        return evalWallTime.clone();
    }

    /** Test accuracy of the averaged model per evaluation (NaN for regression). */
    public double[] testAccuracy() {
        return testAccuracy.clone();
    }

    /** Per evaluation: max − min over ranks of each rank's own model's test accuracy (empty without eval.local). */
    public double[] localAccuracySpread() {
        return localAccuracySpread.clone();
    }

    /** The last logged iteration, 0 before the first record. */
    public long iterations() {
        return iteration.length == 0 ? 0 : (long) iteration[iteration.length - 1];
    }

    /** The last logged epoch, 0 before the first record. */
    public double epochs() {
        double last = epoch.length == 0 ? 0 : epoch[epoch.length - 1];
        return evalEpoch.length == 0 ? last : Math.max(last, evalEpoch[evalEpoch.length - 1]);
    }

    /** Mean training loss of the last record, NaN before the first. */
    public double finalLoss() {
        return trainLoss.length == 0 ? Double.NaN : trainLoss[trainLoss.length - 1];
    }

    /** The training objective f(x̄) at the last evaluation, NaN if the run does not record it. */
    public double finalObjective() {
        return trainObjective.length == 0 ? Double.NaN : trainObjective[trainObjective.length - 1];
    }

    /** Highest test accuracy of the averaged model over all evaluations, NaN if there is none. */
    public double bestAccuracy() {
        double best = Double.NaN;
        for (double a : testAccuracy) {
            if (!Double.isNaN(a) && !(a <= best)) {
                best = a;
            }
        }
        return best;
    }

    /**
     * Seconds of training at the last record ({@code training_time}: the loop without evaluations,
     * records, metrics I/O and checkpoints), the figure the end-of-run summary and the rank logs
     * print. Files written before the loop's time was split: the last recorded wall time of either
     * cadence.
     */
    public double time() {
        if (trainingTime.length > 0) {
            return trainingTime[trainingTime.length - 1];
        }
        double t = wallTime.length == 0 ? 0 : wallTime[wallTime.length - 1];
        return evalWallTime.length == 0 ? t : Math.max(t, evalWallTime[evalWallTime.length - 1]);
    }

    /** Bytes all ranks sent in neighbour exchanges, at the last record. */
    public double totalBytes() {
        return bytesSent.length == 0 ? 0 : bytesSent[bytesSent.length - 1];
    }

    /** The first logged iteration whose mean training loss is at most {@code target}, or -1 if none is. */
    public long iterationsTo(double target) {
        for (int i = 0; i < trainLoss.length; i++) {
            if (trainLoss[i] <= target) {
                return (long) iteration[i];
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return runId + " (" + file + ")";
    }

    // ---------------------------------------------------------------- reading helpers

    /** Canonical text of a config value: numbers without trailing zeros ("50.0" → "50", "5E-4" → "0.0005"). */
    static String normalize(String value) {
        String v = value.strip();
        if (v.isEmpty() || !(Character.isDigit(v.charAt(0)) || v.charAt(0) == '-' || v.charAt(0) == '.')) {
            return v;
        }
        try {
            BigDecimal d = new BigDecimal(v).stripTrailingZeros();
            return d.scale() < 0 ? d.toBigInteger().toString() : d.toPlainString();
        } catch (NumberFormatException e) {
            return v;
        }
    }

    private static String text(Object value) {
        if (value instanceof String[] a) {
            return String.join(",", a);
        }
        if (value instanceof Boolean b) {
            return b.toString();
        }
        if (value.getClass().isArray()) {
            return java.util.Arrays.toString(toDoubles(value, "attribute"));
        }
        return value.toString();
    }

    private double[] required(H5Group m, MetricsSchema series) {
        if (!m.hasDataset(series.key())) {
            throw damaged("it has no dataset " + series.path());
        }
        return vector(m, series);
    }

    private double[] vector(H5Group m, MetricsSchema series) {
        Object v = m.getDataset(series.key());
        if (v instanceof double[][] || v instanceof long[][] || v instanceof int[][] || v instanceof float[][]) {
            throw damaged(series.path() + " is 2-D but should be one value per record");
        }
        return toDoubles(v, series.path());
    }

    private double[] optional(H5Group m, MetricsSchema series, int length) {
        if (!m.hasDataset(series.key())) {
            return new double[0];
        }
        double[] v = vector(m, series);
        if (v.length != length) {
            throw damaged(series.path() + " has " + v.length + " entries but its cadence has " + length + " records");
        }
        return v;
    }

    private double[][] matrix(H5Group m, MetricsSchema series) {
        if (!m.hasDataset(series.key())) {
            throw damaged("it has no dataset " + series.path());
        }
        Object v = m.getDataset(series.key());
        double[][] out;
        if (v instanceof double[][] d) {
            out = d;
        } else if (v instanceof float[][] || v instanceof long[][] || v instanceof int[][]) {
            Object[] rows = (Object[]) v;
            out = new double[rows.length][];
            for (int i = 0; i < rows.length; i++) {
                out[i] = toDoubles(rows[i], series.path());
            }
        } else {
            throw damaged(series.path() + " is not a (records x ranks) matrix of numbers");
        }
        return out;
    }

    private double[][] optionalMatrix(H5Group m, MetricsSchema series, int length) {
        if (!m.hasDataset(series.key())) {
            return new double[0][];
        }
        double[][] v = matrix(m, series);
        if (v.length != length) {
            throw damaged(series.path() + " has " + v.length + " rows but its cadence has " + length + " records");
        }
        return v;
    }

    private static double[] toDoubles(Object v, String what) {
        double[] d = Numbers.of(v);
        if (d != null) {
            return d;
        }
        throw DetrainException.badInput(what + " holds " + v.getClass().getSimpleName()
                + ", not numbers: is this a detrain metrics.h5 file?");
    }

    private static double[] rowMeans(double[][] rows) {
        double[] out = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            double sum = 0;
            for (double v : rows[i]) {
                sum += v;
            }
            out[i] = rows[i].length == 0 ? Double.NaN : sum / rows[i].length;
        }
        return out;
    }

    private static double[] rowSums(double[][] rows) {
        double[] out = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            double sum = 0;
            for (double v : rows[i]) {
                sum += v;
            }
            out[i] = sum;
        }
        return out;
    }

    private static double[] rowSpreads(double[][] rows) {
        double[] out = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (double v : rows[i]) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            out[i] = rows[i].length == 0 ? Double.NaN : max - min;
        }
        return out;
    }

    private DetrainException damaged(String problem) {
        return DetrainException.badInput(file + " is not a complete detrain metrics file: " + problem
                + "; pass run directories written by `detrain train`, or re-run this one");
    }
}
