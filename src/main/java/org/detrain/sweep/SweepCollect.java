package org.detrain.sweep;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.detrain.io.AtomicFiles;
import org.detrain.io.H5Group;
import org.detrain.io.Hdf5Files;
import org.detrain.results.MetricsSchema.Status;
import org.detrain.results.RunLayout;
import org.detrain.results.RunSummary;
import org.detrain.util.DetrainException;

/**
 * Gathers the runs of one sweep (one Slurm job array: run directories {@code <results>/<A>_<i>})
 * into {@code summary.csv} and {@code summary.h5}: one row per task with its varied keys, how it
 * ended, and its final metrics. Runs that are missing, failed or unfinished are rows too, with
 * their status and NaN metrics, so a partial sweep is summarised honestly.
 */
public final class SweepCollect {
    /** One task's row. */
    public record Row(int task, String runId, String status, Map<String, String> varied, long iterations,
                      double epochs, double trainLoss, double testLoss, double testAccuracy, double consensus,
                      double trainingSeconds) {
    }

    static final List<String> NUMBERS = List.of("iterations", "epochs", "train_loss", "test_loss", "test_accuracy",
            "consensus_distance", "training_time");

    private SweepCollect() {
    }

    public static List<Row> rows(SweepSpec sweep, Path results, String prefix) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < sweep.size(); i++) {
            String runId = prefix + i;
            Path dir = results.resolve(runId);
            Path metrics = new RunLayout(dir).metrics();
            String status;
            RunSummary s = null;
            if (!Files.isDirectory(dir)) {
                status = "missing";
            } else if (anyFailed(dir)) {
                status = "failed";
            } else if (!Files.isRegularFile(metrics)) {
                status = "no-metrics";
            } else {
                try {
                    s = RunSummary.read(metrics, Double.NaN);
                    status = s.status() == Status.COMPLETE ? "complete" : "incomplete";
                } catch (DetrainException | IllegalArgumentException | ClassCastException e) {
                    status = "unreadable";
                }
            }
            rows.add(s == null
                    ? new Row(i, runId, status, sweep.varied(i), -1, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                            Double.NaN, Double.NaN)
                    : new Row(i, runId, status, sweep.varied(i), s.iterations(), s.epochs(), s.trainLoss(),
                            s.testLoss(), s.testAccuracy(), s.consensusDistance(), s.trainingSeconds()));
        }
        return rows;
    }

    private static boolean anyFailed(Path runDir) {
        Path status = new RunLayout(runDir).statusDir();
        if (!Files.isDirectory(status)) {
            return false;
        }
        try (var files = Files.list(status)) {
            return files.anyMatch(p -> p.getFileName().toString().endsWith(".failed"));
        } catch (IOException e) {
            return false;
        }
    }

    /** Writes {@code out/summary.csv} and {@code out/summary.h5} (each to a temp name, then renamed). */
    public static void write(SweepSpec sweep, String arrayId, List<Row> rows, Path out) {
        StringBuilder csv = new StringBuilder();
        List<String> header = new ArrayList<>(List.of("task", "run_id", "status"));
        header.addAll(sweep.variedKeys());
        header.addAll(NUMBERS);
        csv.append(String.join(",", header)).append('\n');
        for (Row r : rows) {
            List<String> cells = new ArrayList<>(List.of(Integer.toString(r.task()), r.runId(), r.status()));
            for (String k : sweep.variedKeys()) {
                cells.add(quote(r.varied().get(k)));
            }
            cells.add(r.iterations() < 0 ? "" : Long.toString(r.iterations()));
            for (double v : new double[] {r.epochs(), r.trainLoss(), r.testLoss(), r.testAccuracy(), r.consensus(),
                    r.trainingSeconds()}) {
                cells.add(Double.isNaN(v) ? "" : Double.toString(v));
            }
            csv.append(String.join(",", cells)).append('\n');
        }
        AtomicFiles.writeText(out.resolve("summary.csv"), csv.toString()); // creates out
        int n = rows.size();
        H5Group root = new H5Group();
        root.attr("sweep", sweep.file().toString()).attr("array_id", arrayId).attr("tasks", (long) n)
                .attr("ranks", (long) sweep.ranks()).attr("config", sweep.config().toString())
                .attr("varied_keys", sweep.variedKeys().toArray(String[]::new));
        root.dataset("task", rows.stream().mapToLong(Row::task).toArray());
        root.dataset("run_id", rows.stream().map(Row::runId).toArray(String[]::new));
        root.dataset("status", rows.stream().map(Row::status).toArray(String[]::new));
        H5Group varied = root.group("varied");
        for (String k : sweep.variedKeys()) {
            varied.dataset(k, rows.stream().map(r -> r.varied().get(k)).toArray(String[]::new));
        }
        H5Group results = root.group("results");
        results.dataset("iterations", rows.stream().mapToLong(Row::iterations).toArray());
        results.dataset("epochs", rows.stream().mapToDouble(Row::epochs).toArray());
        results.dataset("train_loss", rows.stream().mapToDouble(Row::trainLoss).toArray());
        results.dataset("test_loss", rows.stream().mapToDouble(Row::testLoss).toArray());
        results.dataset("test_accuracy", rows.stream().mapToDouble(Row::testAccuracy).toArray());
        results.dataset("consensus_distance", rows.stream().mapToDouble(Row::consensus).toArray());
        results.dataset("training_time", rows.stream().mapToDouble(Row::trainingSeconds).toArray());
        Hdf5Files.writeAtomically(out.resolve("summary.h5"), root);
    }

    private static String quote(String v) {
        if (v == null) {
            return "";
        }
        return v.contains(",") || v.contains("\"") ? "\"" + v.replace("\"", "\"\"") + "\"" : v;
    }
}
