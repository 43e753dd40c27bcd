package org.detrain.report;

import java.util.ArrayList;
import org.detrain.util.Formats;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The report's table: one row per line of each panel, with the final training loss, the best test
 * accuracy, the training time, the bytes sent and the iterations to a target loss; each the mean
 * over the line's distinct seeds (± the sample standard deviation when there are several; runs of one
 * seed are averaged first and count once).
 */
public final class SummaryTable {
    /**
     * One row.
     *
     * @param panel          the panel the line is in
     * @param line           the line (its runs are the seeds)
     * @param finalLoss      mean and sd over seeds of the last record's training loss (mean over ranks)
     * @param finalObjective mean and sd over seeds of the training objective f(x̄) at the last evaluation (NaN: not recorded)
     * @param bestAccuracy   mean and sd of the best test accuracy of the averaged model (NaN: none recorded)
     * @param time           mean and sd of the training loop's seconds
     * @param bytes          mean and sd of the bytes all ranks sent
     * @param toTarget       mean and sd of the iterations to the target loss, over the seeds that reached it
     * @param reached        how many seeds reached the target loss
     * @param iterationsMin  fewest iterations among the seeds
     * @param iterationsMax  most iterations among the seeds
     * @param epochs         mean epochs trained
     * @param spectralGap    1 − λ of the first run (NaN if not recorded)
     */
    public record Row(RunGroups.Panel panel, RunGroups.Line line, double[] finalLoss, double[] finalObjective,
                      double[] bestAccuracy, double[] time,
                      double[] bytes, double[] toTarget, int reached, long iterationsMin, long iterationsMax,
                      double epochs, double spectralGap) {
        /** Distinct seeds: runs of one seed are one experiment. */
        public int seeds() {
            return line.seeds().size();
        }
    }

    private SummaryTable() {
    }

    /** The highest final training loss of any run: a target every run has reached by its end. NaN without records. */
    public static double defaultTarget(RunGroups sweep) {
        double worst = Double.NaN;
        for (RunGroups.Line line : sweep.lines()) {
            for (RunResult r : line.runs()) {
                double f = r.finalLoss();
                if (!Double.isNaN(f) && !(f <= worst)) {
                    worst = f;
                }
            }
        }
        return worst;
    }

    public static List<Row> rows(RunGroups sweep, double target) {
        List<Row> rows = new ArrayList<>();
        for (RunGroups.Panel panel : sweep.panels()) {
            for (RunGroups.Line line : panel.lines()) {
                List<RunResult> runs = line.runs();
                Map<String, List<RunResult>> bySeed = line.bySeed();
                List<Double> hit = new ArrayList<>();
                for (List<RunResult> seed : bySeed.values()) {
                    double sum = 0;
                    boolean reached = !Double.isNaN(target);
                    for (RunResult r : seed) {
                        long it = reached ? r.iterationsTo(target) : -1;
                        reached &= it >= 0;
                        sum += it;
                    }
                    if (reached) {
                        hit.add(sum / seed.size());
                    }
                }
                long minIt = runs.stream().mapToLong(RunResult::iterations).min().orElse(0);
                long maxIt = runs.stream().mapToLong(RunResult::iterations).max().orElse(0);
                rows.add(new Row(panel, line, stat(bySeed, RunResult::finalLoss), stat(bySeed, RunResult::finalObjective),
                        stat(bySeed, RunResult::bestAccuracy),
                        stat(bySeed, RunResult::time), stat(bySeed, RunResult::totalBytes),
                        Band.meanSd(hit.stream().mapToDouble(Double::doubleValue).toArray()), hit.size(), minIt, maxIt,
                        stat(bySeed, RunResult::epochs)[0], runs.get(0).spectralGap()));
            }
        }
        return rows;
    }

    /** Mean and sample sd over seeds of {@code f}, each seed's runs averaged first. */
    private static double[] stat(Map<String, List<RunResult>> bySeed, ToDoubleFunction<RunResult> f) {
        return Band.meanSd(bySeed.values().stream().mapToDouble(seed -> seed.stream().mapToDouble(f).sum() / seed.size())
                .toArray());
    }

    /** The Markdown table (header, separator, rows), each line ending in a newline. */
    public static String markdown(RunGroups sweep, List<Row> rows, double target) {
        List<String> header = new ArrayList<>();
        for (String k : sweep.panelKeys()) {
            header.add(keyHeader(k));
        }
        header.add(lineHeader(sweep));
        boolean objective = rows.stream().anyMatch(r -> !Double.isNaN(r.finalObjective()[0]));
        header.addAll(List.of("seeds", "iterations", "epochs", "final training loss"));
        if (objective) {
            header.add("final f(x̄)");
        }
        header.addAll(List.of("best test accuracy", "training time (s)", "bytes sent", "iterations to loss ≤ " + Formats.sig(target, 4),
                "1−λ"));
        StringBuilder b = new StringBuilder();
        b.append("| ").append(String.join(" | ", header)).append(" |\n");
        b.append("|").append("---|".repeat(header.size())).append("\n");
        for (Row r : rows) {
            List<String> cells = new ArrayList<>();
            for (String k : sweep.panelKeys()) {
                cells.add(RunGroups.display(k, r.panel().key().get(k)));
            }
            cells.add(r.line().label());
            cells.add(Integer.toString(r.seeds()));
            cells.add(r.iterationsMin() == r.iterationsMax() ? Long.toString(r.iterationsMin())
                    : r.iterationsMin() + "–" + r.iterationsMax());
            cells.add(Formats.sig(r.epochs(), 4));
            cells.add(meanSd(r.finalLoss(), r.seeds(), 4));
            if (objective) {
                cells.add(Double.isNaN(r.finalObjective()[0]) ? "—" : meanSd(r.finalObjective(), r.seeds(), 4));
            }
            cells.add(Double.isNaN(r.bestAccuracy()[0]) ? "—" : meanSd(r.bestAccuracy(), r.seeds(), 4));
            cells.add(meanSd(r.time(), r.seeds(), 3));
            cells.add(Formats.bytes(r.bytes()[0]));
            String toTarget;
            if (r.reached() == 0) {
                toTarget = Double.isNaN(target) ? "—" : "not reached";
            } else {
                toTarget = meanSd(r.toTarget(), r.reached(), 4)
                        + (r.reached() < r.seeds() ? " (" + r.reached() + " of " + r.seeds() + " seeds)" : "");
            }
            cells.add(toTarget);
            cells.add(Double.isNaN(r.spectralGap()) ? "—" : Formats.sig(r.spectralGap(), 3));
            b.append("| ").append(String.join(" | ", cells)).append(" |\n");
        }
        return b.toString();
    }

    /** The same rows with full-precision numbers, for scripts: one header line, comma-separated, NaN as empty. */
    public static String csv(RunGroups sweep, List<Row> rows, double target) {
        List<String> header = new ArrayList<>(sweep.panelKeys());
        header.addAll(List.of("line", "seeds", "run_ids", "iterations", "epochs", "final_loss", "final_loss_sd",
                "final_objective", "final_objective_sd", "best_accuracy", "best_accuracy_sd", "time_s", "time_s_sd", "bytes_sent", "target_loss",
                "iterations_to_target", "seeds_reaching_target", "spectral_gap"));
        StringBuilder b = new StringBuilder(String.join(",", header)).append('\n');
        for (Row r : rows) {
            List<String> cells = new ArrayList<>();
            for (String k : sweep.panelKeys()) {
                cells.add(csvText(r.panel().key().get(k)));
            }
            cells.add(csvText(r.line().label()));
            cells.add(Integer.toString(r.seeds()));
            cells.add(csvText(String.join(" ", r.line().runs().stream().map(RunResult::runId).toList())));
            cells.add(Long.toString(r.iterationsMax()));
            cells.add(num(r.epochs()));
            cells.add(num(r.finalLoss()[0]));
            cells.add(num(r.finalLoss()[1]));
            cells.add(num(r.finalObjective()[0]));
            cells.add(num(r.finalObjective()[1]));
            cells.add(num(r.bestAccuracy()[0]));
            cells.add(num(r.bestAccuracy()[1]));
            cells.add(num(r.time()[0]));
            cells.add(num(r.time()[1]));
            double bytes = r.bytes()[0];
            cells.add(bytes == Math.rint(bytes) && Math.abs(bytes) < 1e18 ? Long.toString((long) bytes) : num(bytes));
            cells.add(num(target));
            cells.add(num(r.toTarget()[0]));
            cells.add(Integer.toString(r.reached()));
            cells.add(num(r.spectralGap()));
            b.append(String.join(",", cells)).append('\n');
        }
        return b.toString();
    }

    /** Column header of a panel key. */
    public static String keyHeader(String key) {
        return switch (key) {
            case "partition.shuffled" -> "shuffled (%)";
            case "weights.kappa" -> "κ";
            case RunResult.RANKS_KEY -> "ranks";
            default -> key;
        };
    }

    private static String lineHeader(RunGroups sweep) {
        List<String> keys = sweep.lineKeys();
        return keys.isEmpty() || keys.equals(List.of("algorithm")) ? "algorithm" : String.join(", ", keys);
    }

    private static String meanSd(double[] ms, int count, int digits) {
        return count > 1 ? Formats.sig(ms[0], digits) + " ± " + Formats.sig(ms[1], 2) : Formats.sig(ms[0], digits);
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : Double.toString(v);
    }

    private static String csvText(String s) {
        return s.contains(",") || s.contains("\"") ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }
}
