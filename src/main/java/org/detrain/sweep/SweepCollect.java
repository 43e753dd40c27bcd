package org.detrain.sweep;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.detrain.io.AtomicFiles;
import org.detrain.io.H5Group;
import org.detrain.io.Hdf5Files;
import org.detrain.results.RunLayout;
import org.detrain.results.RunState;
import org.detrain.results.RunSummary;
import org.detrain.util.DetrainException;

/**
 * Gathers the runs of one sweep directory ({@link SweepDir}: {@code task-NNN/} run directories) into
 * {@code summary.csv} and {@code summary.h5}: one row per task with its varied keys, how it ended
 * ({@link RunState}) and its final metrics. Tasks that are missing, failed, diverged or unfinished
 * are rows too, with their state and whatever metrics they have (NaN otherwise), so a partial sweep
 * is summarised honestly.
 */
public final class SweepCollect {
    /** One task's row. */
    public record Row(int task, String runId, RunState state, Map<String, String> varied, long iterations,
                      double epochs, double trainLoss, double testLoss, double testAccuracy, double consensus,
                      double trainingSeconds) {
        /** The state as the tables print it: complete, diverged, failed, … */
        public String status() {
            return state.outcome().text();
        }
    }

    /** The summary files, inside the sweep directory. */
    public static final String CSV = "summary.csv";
    public static final String H5 = "summary.h5";

    static final List<String> NUMBERS = List.of("iterations", "epochs", "train_loss", "test_loss", "test_accuracy",
            "consensus_distance", "training_time");

    private SweepCollect() {
    }

    public static List<Row> rows(SweepDir sweep) {
        SweepSpec spec = sweep.spec();
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < spec.size(); i++) {
            RunLayout layout = new RunLayout(sweep.task(i));
            RunState state = RunState.of(layout.root());
            RunSummary s = null;
            if (state.outcome() != RunState.Outcome.UNREADABLE && Files.isRegularFile(layout.metrics())) {
                try {
                    s = RunSummary.read(layout.metrics(), Double.NaN);
                } catch (DetrainException | IllegalArgumentException | ClassCastException
                         | ArrayIndexOutOfBoundsException e) {
                    s = null; // a file without a record yet: NaN metrics, the state says why
                }
            }
            rows.add(s == null
                    ? new Row(i, SweepDir.taskRunId(i), state, spec.varied(i), -1, Double.NaN, Double.NaN, Double.NaN,
                            Double.NaN, Double.NaN, Double.NaN)
                    : new Row(i, SweepDir.taskRunId(i), state, spec.varied(i), s.iterations(), s.epochs(), s.trainLoss(),
                            s.testLoss(), s.testAccuracy(), s.consensusDistance(), s.trainingSeconds()));
        }
        return rows;
    }

    /** How many tasks ended each way, in {@link RunState.Outcome} order. */
    public static Map<RunState.Outcome, Integer> counts(List<Row> rows) {
        Map<RunState.Outcome, Integer> counts = new EnumMap<>(RunState.Outcome.class);
        rows.forEach(r -> counts.merge(r.state().outcome(), 1, Integer::sum));
        return counts;
    }

    /** The tasks a re-run should run again: every one that did not finish (complete or diverged). */
    public static List<Integer> unfinished(List<Row> rows) {
        return rows.stream().filter(r -> !r.state().finished()).map(Row::task).toList();
    }

    /** Writes {@code summary.csv} and {@code summary.h5} into the sweep directory (each to a temp name, then renamed). */
    public static void write(SweepDir sweep, List<Row> rows) {
        SweepSpec spec = sweep.spec();
        StringBuilder csv = new StringBuilder();
        List<String> header = new ArrayList<>(List.of("task", "run_id", "status"));
        header.addAll(spec.variedKeys());
        header.addAll(NUMBERS);
        header.add("detail");
        csv.append(String.join(",", header)).append('\n');
        for (Row r : rows) {
            List<String> cells = new ArrayList<>(List.of(Integer.toString(r.task()), r.runId(), r.status()));
            for (String k : spec.variedKeys()) {
                cells.add(quote(r.varied().get(k)));
            }
            cells.add(r.iterations() < 0 ? "" : Long.toString(r.iterations()));
            for (double v : new double[] {r.epochs(), r.trainLoss(), r.testLoss(), r.testAccuracy(), r.consensus(),
                    r.trainingSeconds()}) {
                cells.add(Double.isNaN(v) ? "" : Double.toString(v));
            }
            cells.add(quote(r.state().detail()));
            csv.append(String.join(",", cells)).append('\n');
        }
        AtomicFiles.writeText(sweep.root().resolve(CSV), csv.toString());
        int n = rows.size();
        H5Group root = new H5Group();
        root.attr("sweep", spec.name()).attr("sweep_dir", sweep.root().toString()).attr("tasks", (long) n)
                .attr("ranks", (long) spec.ranks()).attr("config", spec.config().toString())
                .attr("varied_keys", spec.variedKeys().toArray(String[]::new));
        root.dataset("task", rows.stream().mapToLong(Row::task).toArray());
        root.dataset("run_id", rows.stream().map(Row::runId).toArray(String[]::new));
        root.dataset("status", rows.stream().map(Row::status).toArray(String[]::new));
        H5Group varied = root.group("varied");
        for (String k : spec.variedKeys()) {
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
        Hdf5Files.writeAtomically(sweep.root().resolve(H5), root);
    }

    private static String quote(String v) {
        if (v == null) {
            return "";
        }
        return v.contains(",") || v.contains("\"") || v.contains("\n") ? "\"" + v.replace("\"", "\"\"") + "\"" : v;
    }
}
