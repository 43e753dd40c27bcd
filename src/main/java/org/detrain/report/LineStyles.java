package org.detrain.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * How the lines of a report look, the same in every panel and every figure: one hue per algorithm
 * (a colour-blind-safe palette, then further hues, so no two algorithms share one), and the lines of
 * one algorithm that differ in other keys (step sizes, DeTAG's η and R) as shades of its hue from dark
 * to light, each with its own dash pattern and marker shape. No colour repeats within a report.
 */
final class LineStyles {
    /**
     * One line's look.
     *
     * @param colour the line's colour (its seed band is the same colour, translucent)
     * @param dash   the dash pattern, null for a solid line
     * @param marker the marker shape, drawn when a series is short
     */
    record Style(Color colour, float[] dash, Marker marker) {
        BasicStroke stroke(float width) {
            return dash == null ? new BasicStroke(width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND)
                    : new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, dash, 0f);
        }

        /** The band's fill: the line's colour, mostly transparent. */
        Color fill() {
            return new Color(colour.getRed(), colour.getGreen(), colour.getBlue(), 40);
        }
    }

    /** Okabe and Ito's colour-blind-safe palette, without its yellow (too faint on white). */
    static final Color[] PALETTE = {
        new Color(0, 114, 178), new Color(213, 94, 0), new Color(0, 158, 115), new Color(204, 121, 167),
        new Color(86, 180, 233), new Color(230, 159, 0), new Color(0, 0, 0),
    };
    private static final float[][] DASHES = {null, {7f, 3f}, {2f, 2.5f}, {7f, 2.5f, 2f, 2.5f}, {12f, 4f}};
    private static final Marker[] MARKERS = {SeriesMarkers.CIRCLE, SeriesMarkers.SQUARE, SeriesMarkers.DIAMOND,
        SeriesMarkers.TRIANGLE_UP, SeriesMarkers.TRIANGLE_DOWN};

    private LineStyles() {
    }

    /** The style of every line identity ({@link RunGroups.Line#identity()}) of the report. */
    static Map<Integer, Style> of(RunGroups sweep) {
        // families: the lines of one algorithm (when lines are split by algorithm), else each line alone
        boolean byAlgorithm = sweep.lineKeys().contains("algorithm");
        Map<String, List<Integer>> families = new LinkedHashMap<>();
        sweep.lines().stream().sorted((a, b) -> Integer.compare(a.identity(), b.identity())).forEach(l -> {
            List<Integer> members = families.computeIfAbsent(byAlgorithm ? l.key().get("algorithm")
                    : Integer.toString(l.identity()), k -> new ArrayList<>());
            if (!members.contains(l.identity())) {
                members.add(l.identity());
            }
        });
        Map<Integer, Style> styles = new LinkedHashMap<>();
        int family = 0;
        for (List<Integer> members : families.values()) {
            Color base = hue(family++);
            for (int v = 0; v < members.size(); v++) {
                styles.put(members.get(v), new Style(shade(base, v, members.size()), DASHES[v % DASHES.length],
                        MARKERS[v % MARKERS.length]));
            }
        }
        return styles;
    }

    /** The palette's colours, then hues a golden angle apart: never the same twice. */
    static Color hue(int index) {
        if (index < PALETTE.length) {
            return PALETTE[index];
        }
        float h = (float) ((0.11 + (index - PALETTE.length) * 0.381966) % 1.0);
        return Color.getHSBColor(h, 0.8f, 0.75f - 0.15f * ((index - PALETTE.length) / 8 % 3));
    }

    /**
     * Variant {@code v} of {@code count}: from the base darkened (first) to the base lightened (last),
     * evenly; the base itself when alone.
     */
    static Color shade(Color base, int v, int count) {
        if (count == 1) {
            return base;
        }
        double t = (double) v / (count - 1); // 0: darkest, 1: lightest
        double luminance = (0.299 * base.getRed() + 0.587 * base.getGreen() + 0.114 * base.getBlue()) / 255;
        if (luminance < 0.25) { // black and near-black cannot darken: spread them towards grey only
            return mix(base, Color.WHITE, t * 0.65);
        }
        return t < 0.5 ? mix(base, Color.BLACK, (0.5 - t) * 0.8) : mix(base, Color.WHITE, (t - 0.5) * 0.9);
    }

    private static Color mix(Color a, Color b, double w) {
        return new Color((int) Math.round(a.getRed() * (1 - w) + b.getRed() * w),
                (int) Math.round(a.getGreen() * (1 - w) + b.getGreen() * w),
                (int) Math.round(a.getBlue() * (1 - w) + b.getBlue() * w));
    }
}
