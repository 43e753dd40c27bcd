package org.detrain.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.font.FontRenderContext;
import java.awt.font.TextLayout;
import java.awt.geom.AffineTransform;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import org.detrain.util.Formats;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A {@link Figure} laid out and ready to draw on any {@link Graphics2D} (a bitmap for PNG, a vector
 * recorder for PDF and SVG), in units of points: the title (wrapped, never clipped), the panels in a
 * grid with their titles above them, and one legend for the whole figure below the panels, outside
 * the data. The figure has one scale: every panel shares the x range and the y range, and the y axis
 * is logarithmic in all panels or in none. Lines are the mean over seeds, with the seeds' min–max as a
 * translucent band; short series get markers. Every text is drawn as outlines, so the PDF and SVG
 * need no fonts.
 */
final class FigureCanvas {
    static final double PANEL_WIDTH = 340;
    static final double PANEL_HEIGHT = 250;
    static final int MAX_COLUMNS = 4;
    static final double MARGIN = 10;
    /** Series with at most this many points get markers (a line alone would hide a lone point). */
    static final int MARKERS_UP_TO = 12;

    private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 14);
    private static final Font PANEL_TITLE_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    private static final Font LEGEND_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
    private static final Font NOTE_FONT = new Font(Font.SANS_SERIF, Font.ITALIC, 10);
    private static final FontRenderContext FRC = new FontRenderContext(null, true, true);
    private static final double LEGEND_SAMPLE = 30;

    private final Figure figure;
    private final RunGroups sweep;
    private final Map<Integer, LineStyles.Style> styles;
    private final List<Map<Integer, Band>> bands = new ArrayList<>(); // per panel: line identity -> band
    private final int columns;
    private final int rows;
    private final double width;
    private final List<String> titleLines;
    private final List<List<String>> panelTitles = new ArrayList<>();
    private final double panelTitleHeight;
    private final List<LegendEntry> legend = new ArrayList<>();
    private final List<String> legendNotes = new ArrayList<>();
    private final double legendHeight;
    private final double height;
    private final boolean logY;
    /** Some values are 0 on a log axis: not drawn (see {@link #positive}). */
    private final boolean zerosLeftOut;
    private final double yMin;
    private final double yMax;
    private final double xMax;
    private final boolean markers;

    private record LegendEntry(String label, LineStyles.Style style, boolean band, double x, double y) {
    }

    FigureCanvas(Figure figure, RunGroups sweep, Map<Integer, LineStyles.Style> styles) {
        this.figure = figure;
        this.sweep = sweep;
        this.styles = styles;
        List<RunGroups.Panel> panels = sweep.panels();
        columns = Math.min(panels.size(), MAX_COLUMNS);
        rows = (panels.size() + columns - 1) / columns;
        width = columns * PANEL_WIDTH + 2 * MARGIN;

        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        double positiveLo = Double.POSITIVE_INFINITY; // the log axis's lower end: zeros are not drawn there
        double right = 0;
        int longest = 0;
        for (RunGroups.Panel p : panels) {
            Map<Integer, Band> inPanel = new LinkedHashMap<>();
            for (RunGroups.Line line : p.lines()) {
                Band b = Band.of(line.runs(), figure.x(), figure.y());
                inPanel.put(line.identity(), b);
                for (int i = 0; i < b.size(); i++) {
                    lo = Math.min(lo, b.min()[i]);
                    hi = Math.max(hi, b.max()[i]);
                    if (b.min()[i] > 0) {
                        positiveLo = Math.min(positiveLo, b.min()[i]);
                    } else if (b.max()[i] > 0) {
                        positiveLo = Math.min(positiveLo, b.max()[i]);
                    }
                    right = Math.max(right, b.x()[i]);
                }
                longest = Math.max(longest, b.size());
            }
            bands.add(inPanel);
        }
        markers = longest <= MARKERS_UP_TO;
        // Values of exactly 0 (AllReduce's consensus distance) do not stop a log axis when the rest
        // spans a decade: they are left out of the lines and bands, and a note says so.
        logY = figure.log() && lo >= 0 && positiveLo < Double.POSITIVE_INFINITY && hi >= 10 * positiveLo;
        zerosLeftOut = logY && lo <= 0;
        if (logY) {
            yMin = Math.floor(Math.log10(positiveLo));
            yMax = Math.max(yMin + 1, Math.ceil(Math.log10(hi)));
        } else if (lo <= hi) {
            // A flat series (a one-epoch run evaluates once) gets room relative to its value: a fixed ±0.5
            // put an accuracy of 0.79 on an axis up to 1.29. Positive values keep the axis at or above 0.
            double pad = hi > lo ? 0.04 * (hi - lo) : hi != 0 ? 0.05 * Math.abs(hi) : 0.5;
            yMin = lo > 0 ? Math.max(0, lo - pad) : lo - pad;
            yMax = hi + pad;
        } else {
            yMin = 0;
            yMax = 1;
        }
        xMax = right > 0 ? right : 1;

        titleLines = wrap(figure.title(), TITLE_FONT, width - 2 * MARGIN);
        int titleRows = 0;
        for (RunGroups.Panel p : panels) {
            List<String> lines = p.title().isEmpty() ? List.of() : wrap(p.title(), PANEL_TITLE_FONT, PANEL_WIDTH - 16);
            panelTitles.add(lines);
            titleRows = Math.max(titleRows, lines.size());
        }
        panelTitleHeight = titleRows * lineHeight(PANEL_TITLE_FONT) + (titleRows > 0 ? 4 : 0);
        legendHeight = layoutLegend();
        height = MARGIN + titleLines.size() * lineHeight(TITLE_FONT) + 6 + rows * (panelTitleHeight + PANEL_HEIGHT)
                + legendHeight + MARGIN;
    }

    double width() {
        return width;
    }

    double height() {
        return height;
    }

    /** The points of (x, y) whose y is positive: what a log axis can draw. */
    static double[][] positive(double[] x, double[] y) {
        int n = 0;
        for (double v : y) {
            n += v > 0 ? 1 : 0;
        }
        double[][] out = {new double[n], new double[n]};
        for (int i = 0, k = 0; i < y.length; i++) {
            if (y[i] > 0) {
                out[0][k] = x[i];
                out[1][k++] = y[i];
            }
        }
        return out;
    }

    /** {@code v} with values below {@code floor} raised to it (a band's edge at the axis's bottom). */
    static double[] floorAt(double[] v, double floor) {
        double[] out = v.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.max(out[i], floor);
        }
        return out;
    }

    /** Whether the y axis is logarithmic (in every panel). */
    boolean logY() {
        return logY;
    }

    /** The y range every panel shows: decades (log10) when {@link #logY()}. */
    double[] yRange() {
        return new double[] {yMin, yMax};
    }

    /** Whether the lines carry markers (their series are short). */
    boolean markers() {
        return markers;
    }

    /** Where panel {@code p} (its chart, below its title) lies, in points. */
    Rectangle2D panelBounds(int p) {
        double top = MARGIN + titleLines.size() * lineHeight(TITLE_FONT) + 6;
        return new Rectangle2D.Double(MARGIN + (p % columns) * PANEL_WIDTH,
                top + (p / columns) * (panelTitleHeight + PANEL_HEIGHT) + panelTitleHeight, PANEL_WIDTH, PANEL_HEIGHT);
    }

    /** The title's lines, as wrapped to the figure's width. */
    List<String> titleLines() {
        return titleLines;
    }

    /** The legend's labels, in order. */
    List<String> legendLabels() {
        return legend.stream().map(LegendEntry::label).toList();
    }

    /** Draws the figure with its top left corner at the origin of {@code g}. */
    void paint(Graphics2D g) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setColor(Color.WHITE);
        g.fill(new Rectangle2D.Double(0, 0, width, height));
        double y = MARGIN;
        for (String line : titleLines) {
            y += lineHeight(TITLE_FONT);
            text(g, line, TITLE_FONT, (width - textWidth(line, TITLE_FONT)) / 2, y - descent(TITLE_FONT), Color.BLACK);
        }
        double top = y + 6;
        List<RunGroups.Panel> panels = sweep.panels();
        for (int p = 0; p < panels.size(); p++) {
            double px = MARGIN + (p % columns) * PANEL_WIDTH;
            double py = top + (p / columns) * (panelTitleHeight + PANEL_HEIGHT);
            double ty = py;
            for (String line : panelTitles.get(p)) {
                ty += lineHeight(PANEL_TITLE_FONT);
                text(g, line, PANEL_TITLE_FONT, px + (PANEL_WIDTH - textWidth(line, PANEL_TITLE_FONT)) / 2,
                        ty - descent(PANEL_TITLE_FONT), Color.BLACK);
            }
            AffineTransform saved = g.getTransform();
            g.translate(px, py + panelTitleHeight);
            XYChart chart = chart(panels.get(p), bands.get(p));
            if (chart == null) {
                noData(g);
            } else {
                chart.paint(g, (int) PANEL_WIDTH, (int) PANEL_HEIGHT);
            }
            g.setTransform(saved);
        }
        paintLegend(g, top + rows * (panelTitleHeight + PANEL_HEIGHT));
    }

    // ---------------------------------------------------------------- panels

    /** One panel as an XChart chart, or null when none of its lines has a point. */
    private XYChart chart(RunGroups.Panel panel, Map<Integer, Band> inPanel) {
        if (inPanel.values().stream().allMatch(b -> b.size() == 0)) {
            return null;
        }
        XYChart chart = new XYChartBuilder().width((int) PANEL_WIDTH).height((int) PANEL_HEIGHT)
                .xAxisTitle(figure.xLabel()).yAxisTitle(figure.yLabel() + (logY ? " (log)" : "")).build();
        XYStyler s = chart.getStyler();
        s.setChartTitleVisible(false);
        s.setLegendVisible(false);
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderColor(new Color(120, 120, 120));
        s.setPlotGridLinesColor(new Color(228, 228, 228));
        s.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        s.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        s.setChartPadding(4);
        s.setAntiAlias(true);
        s.setXAxisMin(0.0);
        // A hair past the last point: XChart otherwise puts ticks on the records when they are evenly spaced.
        s.setXAxisMax(xMax * 1.002);
        xTicks(s);
        s.setYAxisMin(yMin);
        s.setYAxisMax(yMax);
        if (logY) {
            s.setyAxisTickLabelsFormattingFunction(FigureCanvas::decade);
        } else {
            s.setYAxisDecimalPattern(decimalPattern(yMin, yMax));
        }
        Function<double[], double[]> toAxis = logY ? FigureCanvas::log10 : v -> v;
        // bands first, lines over them, in line order
        for (RunGroups.Line line : panel.lines()) {
            Band b = inPanel.get(line.identity());
            if (b.size() == 0 || !b.hasSpread()) {
                continue;
            }
            LineStyles.Style style = styles.get(line.identity());
            double[] lower = logY ? floorAt(b.min(), Math.pow(10, yMin)) : b.min();
            XYSeries band = chart.addSeries("band " + line.identity(), concat(b.x(), reversed(b.x())),
                    toAxis.apply(concat(logY ? floorAt(b.max(), Math.pow(10, yMin)) : b.max(), reversed(lower))));
            band.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
            band.setFillColor(style.fill());
            band.setLineColor(new Color(0, 0, 0, 0));
            band.setLineStyle(new BasicStroke(0.1f));
            band.setMarker(SeriesMarkers.NONE);
        }
        for (RunGroups.Line line : panel.lines()) {
            Band b = inPanel.get(line.identity());
            if (b.size() == 0) {
                continue;
            }
            LineStyles.Style style = styles.get(line.identity());
            double[][] xy = logY ? positive(b.x(), b.mean()) : new double[][] {b.x(), b.mean()};
            if (xy[0].length == 0) {
                continue; // all 0 on a log axis: named in the legend, said in its note
            }
            XYSeries mean = chart.addSeries("line " + line.identity(), xy[0], toAxis.apply(xy[1]));
            mean.setLineColor(style.colour());
            mean.setLineStyle(style.stroke(1.8f));
            if (markers) {
                mean.setMarker(style.marker());
                mean.setMarkerColor(style.colour());
            } else {
                mean.setMarker(SeriesMarkers.NONE);
            }
        }
        s.setMarkerSize(6);
        return chart;
    }

    /** Whole-number epoch and iteration ticks (fractional epochs for runs shorter than two); plain seconds. */
    private void xTicks(XYStyler s) {
        boolean whole = figure.xAxis() == Figure.XAxis.ITERATION || figure.xAxis() == Figure.XAxis.EPOCH && xMax >= 2;
        if (whole) {
            s.setxAxisTickLabelsFormattingFunction(FigureCanvas::wholeNumber);
        } else {
            s.setXAxisDecimalPattern(decimalPattern(0, xMax));
        }
    }

    /**
     * The label of a whole-number tick, "" between them: XChart then widens its tick step until the
     * labels are distinct, i.e. to whole numbers.
     */
    static String wholeNumber(double v) {
        long k = Math.round(v);
        return Math.abs(v - k) < 1e-6 * Math.max(1, Math.abs(v)) ? Long.toString(k) : "";
    }

    /** The label at a decade of a log axis drawn as log10 values: 0.01, 0.1, 1, 10, 100 or 10⁻⁵, 10⁶; "" between. */
    static String decade(double v) {
        long k = Math.round(v);
        if (Math.abs(v - k) > 1e-6) {
            return "";
        }
        if (k >= -3 && k <= 3) {
            return Formats.sig(Math.pow(10, k), 1);
        }
        StringBuilder b = new StringBuilder("10");
        for (char c : Long.toString(k).toCharArray()) {
            b.append(c == '-' ? '⁻' : "⁰¹²³⁴⁵⁶⁷⁸⁹".charAt(c - '0'));
        }
        return b.toString();
    }

    /** Tick labels with as many decimals as the range needs; scientific for tiny or huge values. */
    static String decimalPattern(double lowest, double highest) {
        double magnitude = Math.max(Math.abs(lowest), Math.abs(highest));
        if (magnitude > 0 && (magnitude < 1e-3 || magnitude >= 1e6)) {
            return "0.0##E0";
        }
        double span = highest - lowest;
        int decimals = span > 0 ? (int) Math.ceil(-Math.log10(span)) + 2 : 3;
        return decimals <= 0 ? "0" : "0." + "#".repeat(Math.min(decimals, 8));
    }

    private static void noData(Graphics2D g) {
        g.setColor(new Color(250, 250, 250));
        g.fill(new Rectangle2D.Double(4, 4, PANEL_WIDTH - 8, PANEL_HEIGHT - 8));
        String text = "no data recorded";
        text(g, text, PANEL_TITLE_FONT, (PANEL_WIDTH - textWidth(text, PANEL_TITLE_FONT)) / 2, PANEL_HEIGHT / 2, Color.GRAY);
    }

    // ---------------------------------------------------------------- legend

    /** Places one entry per line identity that has data, in rows that fit the width; returns the legend's height. */
    private double layoutLegend() {
        Map<Integer, String> labels = new LinkedHashMap<>();
        Map<Integer, TreeSet<Integer>> seedCounts = new LinkedHashMap<>();
        Map<Integer, Boolean> spread = new LinkedHashMap<>();
        List<RunGroups.Panel> panels = sweep.panels();
        for (int p = 0; p < panels.size(); p++) {
            for (RunGroups.Line line : panels.get(p).lines()) {
                Band b = bands.get(p).get(line.identity());
                if (b.size() == 0) {
                    continue;
                }
                labels.putIfAbsent(line.identity(), line.label());
                seedCounts.computeIfAbsent(line.identity(), k -> new TreeSet<>()).add(b.seeds());
                spread.merge(line.identity(), b.hasSpread(), Boolean::logicalOr);
            }
        }
        List<Integer> order = new ArrayList<>(labels.keySet());
        order.sort(Integer::compare);
        double rowHeight = lineHeight(LEGEND_FONT) + 4;
        double x = MARGIN;
        double y = 8;
        boolean any = false;
        for (int id : order) {
            TreeSet<Integer> counts = seedCounts.get(id);
            String seeds = counts.last() <= 1 ? "" : counts.size() == 1 ? " (" + counts.first() + " seeds)"
                    : " (" + counts.first() + "–" + counts.last() + " seeds)";
            String label = labels.get(id) + seeds;
            double w = LEGEND_SAMPLE + 6 + textWidth(label, LEGEND_FONT) + 18;
            if (x + w > width - MARGIN && x > MARGIN) {
                x = MARGIN;
                y += rowHeight;
            }
            legend.add(new LegendEntry(label, styles.get(id), spread.get(id), x, y));
            x += w;
            any |= spread.get(id);
        }
        double h = legend.isEmpty() ? 0 : y + rowHeight;
        if (any) {
            legendNotes.add("lines: mean over seeds; shaded: min–max over seeds");
        }
        if (zerosLeftOut) {
            legendNotes.add("values of exactly 0 are not drawn on the log axis (e.g. AllReduce's consensus distance)");
        }
        return h + legendNotes.size() * (lineHeight(NOTE_FONT) + 2) + 4;
    }

    private void paintLegend(Graphics2D g, double top) {
        double rowHeight = lineHeight(LEGEND_FONT) + 4;
        for (LegendEntry e : legend) {
            double cy = top + e.y() + rowHeight / 2;
            if (e.band()) {
                g.setColor(e.style().fill());
                g.fill(new Rectangle2D.Double(e.x(), cy - 5, LEGEND_SAMPLE, 10));
            }
            g.setColor(e.style().colour());
            g.setStroke(e.style().stroke(1.8f));
            g.draw(new Line2D.Double(e.x(), cy, e.x() + LEGEND_SAMPLE, cy));
            if (markers) {
                g.setStroke(new BasicStroke(1f));
                e.style().marker().paint(g, e.x() + LEGEND_SAMPLE / 2, cy, 6);
            }
            text(g, e.label(), LEGEND_FONT, e.x() + LEGEND_SAMPLE + 6, cy + (ascent(LEGEND_FONT) - descent(LEGEND_FONT)) / 2,
                    Color.BLACK);
        }
        double y = top + (legend.isEmpty() ? 0 : legend.get(legend.size() - 1).y() + rowHeight);
        for (String note : legendNotes) {
            y += lineHeight(NOTE_FONT) + 2;
            text(g, note, NOTE_FONT, MARGIN, y - descent(NOTE_FONT), Color.DARK_GRAY);
        }
    }

    // ---------------------------------------------------------------- text

    /** Draws text as its outline (no font needed in a PDF or SVG). */
    private static void text(Graphics2D g, String text, Font font, double x, double baseline, Color colour) {
        if (text.isEmpty()) {
            return;
        }
        Shape outline = new TextLayout(text, font, FRC).getOutline(AffineTransform.getTranslateInstance(x, baseline));
        g.setColor(colour);
        g.fill(outline);
    }

    static double textWidth(String text, Font font) {
        return text.isEmpty() ? 0 : new TextLayout(text, font, FRC).getAdvance();
    }

    private static double lineHeight(Font font) {
        return ascent(font) + descent(font) + 2;
    }

    private static double ascent(Font font) {
        return font.getLineMetrics("Xg", FRC).getAscent();
    }

    private static double descent(Font font) {
        return font.getLineMetrics("Xg", FRC).getDescent();
    }

    /** {@code text} in lines no wider than {@code width}, broken at spaces; a word wider than that gets a line of its own. */
    static List<String> wrap(String text, Font font, double width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            String candidate = line.length() == 0 ? word : line + " " + word;
            if (line.length() > 0 && textWidth(candidate, font) > width) {
                lines.add(line.toString());
                line = new StringBuilder(word);
            } else {
                line = new StringBuilder(candidate);
            }
        }
        if (line.length() > 0) {
            lines.add(line.toString());
        }
        return lines;
    }

    // ---------------------------------------------------------------- arrays

    private static double[] log10(double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Math.log10(v[i]);
        }
        return out;
    }

    private static double[] reversed(double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[v.length - 1 - i];
        }
        return out;
    }

    private static double[] concat(double[] a, double[] b) {
        double[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
