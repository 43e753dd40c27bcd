package org.detrain.report;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.detrain.io.H5Group;
import org.detrain.io.Hdf5Files;

/**
 * A metrics.h5 in the layout the runner writes (README "Results"), with hand-picked values: 2 ranks,
 * one record every 10 iterations at epochs 0.25, 0.5, ..., evaluations at every second record.
 * Rank 0's training loss is the given mean minus 0.125 and rank 1's plus 0.125, so the mean over
 * ranks is exactly the given value.
 */
final class FakeRun {
    final Map<String, String> config = new LinkedHashMap<>();
    double[] loss = {2.0, 1.5, 1.0, 0.5};
    /** Test accuracy at records 2, 4, ... (one per evaluation). */
    double[] accuracy = {0.5, 0.75};
    /** Each rank's own model's accuracy offset: rank 0 gets accuracy − spread/2, rank 1 accuracy + spread/2. */
    double localSpread = 0.25;
    double lastWallTime = 4.0;
    long[] lastBytes = {1_000_000, 2_000_000};
    double spectralGap = 0.5;
    String status = "complete";
    /** ‖x̄ − x*‖/‖x*‖ per record, or null for a run without a known optimum. */
    double[] optimumDistance;
    /** f(x̄) per evaluation, or null for a file written before it was measured. */
    double[] objective;
    /** The consensus distance per record, or null for loss² / 100. */
    double[] consensusDistance;

    FakeRun(String algorithm, String shuffled, long seed) {
        config.put("algorithm", algorithm);
        config.put("partition.shuffled", shuffled);
        config.put("seed", Long.toString(seed));
        config.put("lr", "0.1");
        config.put("topology", "ring");
        config.put("weights.kappa", "1");
    }

    FakeRun set(String key, String value) {
        config.put(key, value);
        return this;
    }

    FakeRun loss(double... values) {
        loss = values;
        return this;
    }

    FakeRun accuracy(double... values) {
        accuracy = values;
        return this;
    }

    H5Group tree(String runId) {
        int records = loss.length;
        H5Group root = new H5Group().attr("format", "detrain-metrics/1").attr("status", status)
                .attr("run_id", runId).attr("ranks", 2L).attr("git_commit", "abc");
        H5Group c = root.group("config");
        config.forEach(c::attr);
        root.group("topology").attr("name", "ring(2)").attr("lambda", 1 - spectralGap).attr("spectral_gap", spectralGap);
        long[] iteration = new long[records];
        double[] epoch = new double[records];
        double[] wall = new double[records];
        double[] consensus = new double[records];
        double[][] trainLoss = new double[records][];
        double[][] bytes = new double[records][];
        for (int k = 0; k < records; k++) {
            iteration[k] = 10L * (k + 1);
            epoch[k] = 0.25 * (k + 1);
            wall[k] = lastWallTime * (k + 1) / records;
            consensus[k] = consensusDistance != null ? consensusDistance[k]
                    : loss[k] * loss[k] / 100; // differs between runs, so their lines do not overlap
            trainLoss[k] = new double[] {loss[k] - 0.125, loss[k] + 0.125};
            bytes[k] = new double[] {(double) lastBytes[0] * (k + 1) / records, (double) lastBytes[1] * (k + 1) / records};
        }
        int evals = accuracy.length;
        long[] evalIteration = new long[evals];
        double[] evalEpoch = new double[evals];
        double[] evalWall = new double[evals];
        double[][] local = new double[evals][];
        for (int e = 0; e < evals; e++) {
            evalIteration[e] = 20L * (e + 1);
            evalEpoch[e] = 0.5 * (e + 1);
            evalWall[e] = lastWallTime * (e + 1) / evals - 0.5;
            local[e] = new double[] {accuracy[e] - localSpread / 2, accuracy[e] + localSpread / 2};
        }
        root.group("metrics").dataset("iteration", iteration).dataset("epoch", epoch).dataset("wall_time", wall)
                .dataset("consensus_distance", consensus).dataset("train_loss", trainLoss).dataset("bytes_sent", bytes)
                .dataset("eval_iteration", evalIteration).dataset("eval_epoch", evalEpoch)
                .dataset("eval_wall_time", evalWall).dataset("test_accuracy", accuracy.clone())
                .dataset("local_test_accuracy", local);
        if (optimumDistance != null) {
            root.getGroup("metrics").dataset("optimum_distance", optimumDistance.clone());
        }
        if (objective != null) {
            root.getGroup("metrics").dataset("train_objective", objective.clone());
        }
        return root;
    }

    /** Writes {@code dir/runId/metrics.h5} and returns the run directory. */
    Path write(Path dir, String runId) throws java.io.IOException {
        Path run = Files.createDirectories(dir.resolve(runId));
        Hdf5Files.writeAtomically(run.resolve("metrics.h5"), tree(run.getFileName().toString()));
        return run;
    }
}
