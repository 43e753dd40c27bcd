package org.detrain.report;

import java.util.List;
import java.util.function.Function;

/**
 * One figure of the report: what it plots. {@link FigureCanvas} lays it out and draws it (one panel per
 * {@link RunGroups.Panel}, one line per {@link RunGroups.Line}); {@link FigureFiles} writes it as PNG,
 * PDF and SVG.
 *
 * @param name   file name without extension, e.g. {@code loss_vs_epoch}
 * @param title  what the figure shows, also its caption in report.md
 * @param xLabel x axis title
 * @param yLabel y axis title
 * @param xAxis  what x is, which decides its ticks
 * @param x      the run's x series
 * @param y      the run's y series (same cadence as x)
 * @param log    whether a log y axis is wanted when every value is positive and they span a decade or more
 */
public record Figure(String name, String title, String xLabel, String yLabel, XAxis xAxis,
                     Function<RunResult, double[]> x, Function<RunResult, double[]> y, boolean log) {
    /** What the x axis counts. */
    public enum XAxis {
        /** Epochs: whole-number ticks once the runs span two epochs or more. */
        EPOCH,
        /** Iterations: whole-number ticks. */
        ITERATION,
        /** Seconds of wall time. */
        TIME
    }

    /** The figures of a report, in the order report.md shows them; a figure nothing was recorded for is left out. */
    public static List<Figure> standard() {
        return List.of(
                new Figure("objective_vs_epoch", "Training objective f(x̄) vs epoch", "epoch",
                        "training objective f(x̄)", XAxis.EPOCH, RunResult::evalEpoch, RunResult::trainObjective, true),
                new Figure("objective_vs_time", "Training objective f(x̄) vs wall time", "wall time (s)",
                        "training objective f(x̄)", XAxis.TIME, RunResult::evalWallTime, RunResult::trainObjective, true),
                new Figure("loss_vs_epoch", "Training loss vs epoch", "epoch", "training loss (mean over ranks)",
                        XAxis.EPOCH, RunResult::epoch, RunResult::trainLoss, true),
                new Figure("loss_vs_time", "Training loss vs wall time", "wall time (s)", "training loss (mean over ranks)",
                        XAxis.TIME, RunResult::wallTime, RunResult::trainLoss, true),
                new Figure("accuracy_vs_epoch", "Test accuracy of the averaged model vs epoch", "epoch", "test accuracy",
                        XAxis.EPOCH, RunResult::evalEpoch, RunResult::testAccuracy, false),
                new Figure("accuracy_vs_time", "Test accuracy of the averaged model vs wall time", "wall time (s)",
                        "test accuracy", XAxis.TIME, RunResult::evalWallTime, RunResult::testAccuracy, false),
                new Figure("consensus_vs_iteration", "Consensus distance (1/n)Σ‖xᵢ − x̄‖² vs iteration", "iteration",
                        "consensus distance", XAxis.ITERATION, RunResult::iteration, RunResult::consensus, true),
                new Figure("optimum_distance_vs_iteration", "Distance to the optimum ‖x̄ − x*‖ / ‖x*‖ vs iteration",
                        "iteration", "‖x̄ − x*‖ / ‖x*‖", XAxis.ITERATION, RunResult::iteration, RunResult::optimumDistance,
                        true),
                new Figure("accuracy_spread_vs_epoch",
                        "Per-rank test accuracy spread (max − min over the ranks' own models) vs epoch", "epoch",
                        "accuracy spread over ranks", XAxis.EPOCH, RunResult::evalEpoch, RunResult::localAccuracySpread,
                        false));
    }

    /** Whether any line of the sweep has a point to draw. */
    public boolean hasData(RunGroups sweep) {
        return sweep.lines().stream().anyMatch(l -> Band.of(l.runs(), x, y).size() > 0);
    }
}
