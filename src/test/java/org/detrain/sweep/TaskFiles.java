package org.detrain.sweep;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.detrain.config.RunConfig;
import org.detrain.io.H5Group;
import org.detrain.io.Hdf5Files;
import org.detrain.results.LaunchInfo;
import org.detrain.results.RunLayout;

/**
 * A run directory as detrain train leaves it (config.properties, run.properties, metrics.h5), with
 * hand-picked final values: 2 ranks, records at iterations 10..40 (epochs 0.25..1), one evaluation at the end.
 */
final class TaskFiles {
    private TaskFiles() {
    }

    /**
     * A run that ended with {@code status}; its last training loss (mean over ranks) is {@code loss} and,
     * when {@code objective} is not NaN, /metrics/train_objective ends at it.
     */
    static Path write(Path runDir, Path baseConfig, List<String> overrides, String status, double loss, double objective)
            throws IOException {
        RunLayout layout = new RunLayout(runDir);
        Files.createDirectories(runDir);
        RunConfig config = RunConfig.load(baseConfig, overrides);
        Files.writeString(layout.config(), config.toPropertiesText());
        new LaunchInfo(runDir.getFileName().toString(), 2, "multicore", "0.1.0", "abc", false, "2025-01-01T12:00:00",
                "host", "detrain train").write(layout.launch());
        H5Group root = new H5Group().attr("format", "detrain-metrics/1").attr("status", status)
                .attr("run_id", runDir.getFileName().toString()).attr("ranks", 2L);
        H5Group c = root.group("config");
        config.asMap().forEach(c::attr);
        double[][] trainLoss = new double[4][];
        for (int k = 0; k < 4; k++) {
            double l = loss + (3 - k) * 0.5; // falls to loss at the last record
            trainLoss[k] = new double[] {l - 0.125, l + 0.125};
        }
        H5Group m = root.group("metrics").dataset("iteration", new long[] {10, 20, 30, 40})
                .dataset("epoch", new double[] {0.25, 0.5, 0.75, 1.0}).dataset("wall_time", new double[] {1, 2, 3, 4})
                .dataset("consensus_distance", new double[] {0.1, 0.1, 0.1, 0.1}).dataset("train_loss", trainLoss)
                .dataset("eval_iteration", new long[] {40}).dataset("eval_epoch", new double[] {1.0})
                .dataset("eval_wall_time", new double[] {4}).dataset("test_loss", new double[] {loss})
                .dataset("test_accuracy", new double[] {0.75});
        if (!Double.isNaN(objective)) {
            m.dataset("train_objective", new double[] {objective});
        }
        Hdf5Files.writeAtomically(layout.metrics(), root);
        return runDir;
    }

    /** Task {@code task} of {@code sweep}, finished with {@code status}. */
    static Path task(SweepDir sweep, int task, String status, double loss, double objective) throws IOException {
        return write(sweep.task(task), sweep.spec().config(), sweep.spec().overrides(task), status, loss, objective);
    }
}
