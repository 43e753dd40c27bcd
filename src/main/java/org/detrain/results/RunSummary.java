package org.detrain.results;

import java.nio.file.Path;
import org.detrain.io.H5Group;
import org.detrain.io.Hdf5Files;
import org.detrain.util.DetrainException;

/**
 * The end-of-run summary, read back from {@code metrics.h5} (so it shows what was written); {@code status}
 * is null when the file names none this version knows. {@code loop} holds rank 0's times at the last
 * record ({@link MetricsSchema#RECORD_TIMES}, in that order; the loop's end for a complete run):
 * the same figures as the rank log's "done" line and {@code detrain report}'s time column
 * ({@link #trainingSeconds()}). A file written before the loop's time was split has only its wall
 * time: then training is that and the parts are NaN.
 */
public record RunSummary(long iterations, double epochs, double trainLoss, double trainObjective, double testLoss,
                         double testAccuracy, double consensusDistance, double[] loop, double launchSeconds,
                         boolean classification, MetricsSchema.Status status) {

    /** Seconds of training: the loop without evaluations, records, metrics I/O and checkpoints. */
    public double trainingSeconds() {
        return loop[MetricsSchema.RECORD_TIMES.indexOf(MetricsSchema.TRAINING_TIME)];
    }

    /** Rank 0's time at the last record under one of {@link MetricsSchema#RECORD_TIMES}. */
    public double seconds(MetricsSchema series) {
        return loop[MetricsSchema.RECORD_TIMES.indexOf(series)];
    }

    /**
     * Reads the summary of a run's {@code metrics.h5}. Called once a run has ended, so a file that
     * cannot be read back is a failure of the run (exit 3), with the reader's message.
     */
    public static RunSummary read(Path metricsFile, double launchSeconds) {
        try {
            return readOrThrow(metricsFile, launchSeconds);
        } catch (DetrainException e) {
            throw e.exitCode() == DetrainException.BAD_INPUT ? DetrainException.runFailure(e.getMessage(), e) : e;
        } catch (RuntimeException e) { // an empty series, or values of another type
            throw DetrainException.runFailure("cannot summarise " + metricsFile + ": " + e, e);
        }
    }

    private static RunSummary readOrThrow(Path metricsFile, double launchSeconds) {
        H5Group root = Hdf5Files.read(metricsFile);
        H5Group m = root.getGroup(MetricsSchema.Group.METRICS.key());
        long[] iteration = m.getDataset(MetricsSchema.ITERATION.key(), long[].class);
        int last = iteration.length - 1;
        double[][] trainLoss = m.getDataset(MetricsSchema.TRAIN_LOSS.key(), double[][].class);
        double meanLoss = 0;
        for (double v : trainLoss[last]) {
            meanLoss += v;
        }
        meanLoss /= trainLoss[last].length;
        double[] testLoss = m.getDataset(MetricsSchema.TEST_LOSS.key(), double[].class);
        double[] testAccuracy = m.getDataset(MetricsSchema.TEST_ACCURACY.key(), double[].class);
        boolean classification = testAccuracy.length > 0 && !Double.isNaN(testAccuracy[testAccuracy.length - 1]);
        // files written before the training objective was measured lack it
        double[] objective = m.hasDataset(MetricsSchema.TRAIN_OBJECTIVE.key())
                ? m.getDataset(MetricsSchema.TRAIN_OBJECTIVE.key(), double[].class) : new double[0];
        double[] loop = new double[MetricsSchema.RECORD_TIMES.size()];
        for (int k = 0; k < loop.length; k++) {
            String name = MetricsSchema.RECORD_TIMES.get(k).key();
            loop[k] = m.hasDataset(name) ? m.getDataset(name, double[].class)[last] : Double.NaN;
        }
        int training = MetricsSchema.RECORD_TIMES.indexOf(MetricsSchema.TRAINING_TIME);
        if (Double.isNaN(loop[training])) {
            loop[training] = loop[MetricsSchema.RECORD_TIMES.indexOf(MetricsSchema.WALL_TIME)];
        }
        return new RunSummary(iteration[last], m.getDataset(MetricsSchema.EPOCH.key(), double[].class)[last], meanLoss,
                objective.length > 0 ? objective[objective.length - 1] : Double.NaN, testLoss[testLoss.length - 1], testAccuracy[testAccuracy.length - 1],
                m.getDataset(MetricsSchema.CONSENSUS_DISTANCE.key(), double[].class)[last],
                loop, launchSeconds, classification,
                MetricsSchema.Status.parse(root.getAttribute(MetricsSchema.STATUS.key(), String.class)));
    }

    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("done: %d iterations (%.2f epochs) in %.3f s of training, %.1f s in all%n", iterations,
                epochs, trainingSeconds(), launchSeconds));
        if (!Double.isNaN(seconds(MetricsSchema.EVAL_TIME))) {
            sb.append(String.format("  loop %.3f s: training %.3f s, evaluation %.3f s, records %.3f s,"
                            + " metrics I/O %.3f s, checkpoints %.3f s%n", seconds(MetricsSchema.WALL_TIME),
                    trainingSeconds(), seconds(MetricsSchema.EVAL_TIME), seconds(MetricsSchema.RECORD_TIME),
                    seconds(MetricsSchema.METRICS_IO_TIME), seconds(MetricsSchema.CHECKPOINT_TIME)));
        }
        sb.append(String.format("  train loss (mean over ranks, last window) %.4g%n", trainLoss));
        if (!Double.isNaN(trainObjective)) {
            sb.append(String.format("  averaged model: training objective f(x_bar) %.4g%n", trainObjective));
        }
        if (classification) {
            sb.append(String.format("  averaged model: test accuracy %.4f, test loss %.4f%n", testAccuracy, testLoss));
        } else {
            sb.append(String.format("  averaged model: test loss %.6g%n", testLoss));
        }
        sb.append(String.format("  consensus distance (1/n) sum ||x_i - x_bar||^2 = %.4g", consensusDistance));
        return sb.toString();
    }
}
