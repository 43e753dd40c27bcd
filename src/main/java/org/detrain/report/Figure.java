package org.detrain.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * One PNG of the report: a grid of panels (one per {@link RunGroups.Panel}), each an XChart line chart
 * with one line per {@link RunGroups.Line} (the mean over seeds, with thin dotted lines at the min and
 * max when there are several seeds), under a common title. Rendered off screen (headless AWT).
 *
 * @param file   file name inside the report directory, e.g. {@code loss_vs_epoch.png}
 * @param title  what the figure shows, also its caption in report.md
 * @param xLabel x axis title
 * @param yLabel y axis title
 * @param x      the run's x series
 * @param y      the run's y series (same cadence as x)
 * @param log    whether to use a log y axis when every value is positive and they span a decade or more
 * @param rising whether the curves usually rise (accuracy): the legend then sits bottom right, out of their way
 */
public record Figure(String file, String title, String xLabel, String yLabel,
                     Function<RunResult, double[]> x, Function<RunResult, double[]> y, boolean log, boolean rising) {
    /** Size of one panel in pixels. */
    public static final int PANEL_WIDTH = 560;
    public static final int PANEL_HEIGHT = 400;
    /** Height of the figure's title strip. */
    public static final int TITLE_HEIGHT = 40;
    /** At most this many panels side by side; more wrap onto further rows. */
    public static final int MAX_COLUMNS = 4;

    /** Line colours, indexed by {@link RunGroups.Line#colour()} (a colour-blind-safe palette, then repeats). */
    private static final Color[] PALETTE = {
        new Color(0, 114, 178), new Color(213, 94, 0), new Color(0, 158, 115), new Color(204, 121, 167),
        new Color(86, 180, 233), new Color(230, 159, 0), new Color(0, 0, 0), new Color(240, 228, 66),
    };

    /** The figures of a report, in the order report.md shows them. */
    public static List<Figure> standard() {
        return List.of(
                new Figure("loss_vs_epoch.png", "Training loss vs epoch", "epoch", "training loss (mean over ranks)",
                        RunResult::epoch, RunResult::trainLoss, true, false),
                new Figure("loss_vs_time.png", "Training loss vs wall time", "wall time (s)", "training loss (mean over ranks)",
                        RunResult::wallTime, RunResult::trainLoss, true, false),
                new Figure("accuracy_vs_epoch.png", "Test accuracy of the averaged model vs epoch", "epoch", "test accuracy",
                        RunResult::evalEpoch, RunResult::testAccuracy, false, true),
                new Figure("accuracy_vs_time.png", "Test accuracy of the averaged model vs wall time", "wall time (s)",
                        "test accuracy", RunResult::evalWallTime, RunResult::testAccuracy, false, true),
                new Figure("consensus_vs_iteration.png", "Consensus distance (1/n)Σ‖xᵢ − x̄‖² vs iteration", "iteration",
                        "consensus distance", RunResult::iteration, RunResult::consensus, true, false),
                new Figure("accuracy_spread_vs_epoch.png", "Per-rank test accuracy spread (max − min over ranks' own models) vs epoch",
                        "epoch", "accuracy spread over ranks", RunResult::evalEpoch, RunResult::localAccuracySpread, false, false));
    }

    /** Whether any line of the sweep has a point to draw. */
    public boolean hasData(RunGroups sweep) {
        return sweep.lines().stream().anyMatch(l -> Band.of(l.runs(), x, y).size() > 0);
    }

    /** The whole figure as an image: the title, then the panels left to right, top to bottom. */
    public BufferedImage render(RunGroups sweep) {
        List<RunGroups.Panel> panels = sweep.panels();
        int columns = Math.min(panels.size(), MAX_COLUMNS);
        int rows = (panels.size() + columns - 1) / columns;
        BufferedImage image = new BufferedImage(columns * PANEL_WIDTH, TITLE_HEIGHT + rows * PANEL_HEIGHT,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, image.getWidth(), image.getHeight());
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
            FontMetrics fm = g.getFontMetrics();
            g.drawString(title, Math.max(4, (image.getWidth() - fm.stringWidth(title)) / 2),
                    (TITLE_HEIGHT + fm.getAscent() - fm.getDescent()) / 2);
            for (int p = 0; p < panels.size(); p++) {
                BufferedImage panel = renderPanel(panels.get(p), panels.size() == 1 && panels.get(p).title().isEmpty());
                g.drawImage(panel, (p % columns) * PANEL_WIDTH, TITLE_HEIGHT + (p / columns) * PANEL_HEIGHT, null);
            }
        } finally {
            g.dispose();
        }
        return image;
    }

    private BufferedImage renderPanel(RunGroups.Panel panel, boolean untitled) {
        XYChart chart = new XYChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT)
                .title(untitled ? "" : panel.title()).xAxisTitle(xLabel).yAxisTitle(yLabel).build();
        Styler s = chart.getStyler();
        chart.getStyler().setLegendPosition(rising ? Styler.LegendPosition.InsideSE : Styler.LegendPosition.InsideNE);
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setLegendBackgroundColor(new Color(255, 255, 255, 220));
        s.setChartTitleBoxBackgroundColor(Color.WHITE);
        s.setAntiAlias(true);
        chart.getStyler().setMarkerSize(0);
        chart.getStyler().setPlotGridLinesColor(new Color(225, 225, 225));
        chart.getStyler().setXAxisMin(0.0);
        chart.getStyler().setXAxisDecimalPattern("0.###");
        List<Band> bands = new ArrayList<>();
        double lowest = Double.POSITIVE_INFINITY;
        double highest = Double.NEGATIVE_INFINITY;
        for (RunGroups.Line line : panel.lines()) {
            Band b = Band.of(line.runs(), x, y);
            bands.add(b);
            for (int i = 0; i < b.size(); i++) {
                lowest = Math.min(lowest, b.min()[i]);
                highest = Math.max(highest, b.max()[i]);
            }
        }
        boolean any = false;
        for (int i = 0; i < bands.size(); i++) {
            Band b = bands.get(i);
            if (b.size() == 0) {
                continue;
            }
            any = true;
            RunGroups.Line line = panel.lines().get(i);
            Color colour = PALETTE[line.colour() % PALETTE.length];
            String label = line.label() + (b.replicas() > 1 ? " (" + b.replicas() + " seeds)" : "");
            XYSeries mean = chart.addSeries(label, b.x(), b.mean());
            mean.setMarker(SeriesMarkers.NONE);
            mean.setLineColor(colour);
            mean.setLineStyle(new BasicStroke(2f));
            if (b.replicas() > 1) {
                Color light = new Color(colour.getRed(), colour.getGreen(), colour.getBlue(), 110);
                BasicStroke dotted = new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {3f, 3f}, 0f);
                XYSeries lo = chart.addSeries(label + " min", b.x(), b.min());
                XYSeries hi = chart.addSeries(label + " max", b.x(), b.max());
                for (XYSeries edge : List.of(lo, hi)) {
                    edge.setMarker(SeriesMarkers.NONE);
                    edge.setLineColor(light);
                    edge.setLineStyle(dotted);
                    edge.setShowInLegend(false);
                }
            }
        }
        if (!any) {
            return noData(panel.title());
        }
        chart.getStyler().setYAxisDecimalPattern(decimalPattern(lowest, highest));
        // A log axis only when the values are positive and span a decade or more; else it shows too few labels.
        if (log && lowest > 0 && highest >= 10 * lowest) {
            chart.getStyler().setYAxisLogarithmic(true);
            chart.getStyler().setYAxisLogarithmicDecadeOnly(false); // labels also within one decade
        }
        return BitmapEncoder.getBufferedImage(chart);
    }

    /** Tick labels with a leading zero and as many decimals as the range needs; scientific for tiny or huge values. */
    static String decimalPattern(double lowest, double highest) {
        double magnitude = Math.max(Math.abs(lowest), Math.abs(highest));
        if (magnitude > 0 && (magnitude < 1e-3 || magnitude >= 1e6)) {
            return "0.0##E0";
        }
        double span = highest - lowest;
        int decimals = span > 0 ? (int) Math.ceil(-Math.log10(span)) + 2 : 3;
        return decimals <= 0 ? "0" : "0." + "#".repeat(Math.min(decimals, 8));
    }

    private static BufferedImage noData(String title) {
        BufferedImage image = new BufferedImage(PANEL_WIDTH, PANEL_HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, PANEL_WIDTH, PANEL_HEIGHT);
            g.setColor(Color.GRAY);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
            String text = title + (title.isEmpty() ? "" : ": ") + "no data recorded";
            FontMetrics fm = g.getFontMetrics();
            g.drawString(text, Math.max(4, (PANEL_WIDTH - fm.stringWidth(text)) / 2), PANEL_HEIGHT / 2);
        } finally {
            g.dispose();
        }
        return image;
    }
}
