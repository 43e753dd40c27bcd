package org.detrain.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One line of a plot: the mean over a line's seeds and their spread (min and max) at each record.
 * Runs of the same seed are the same experiment run twice (they should agree bit for bit): they are
 * averaged first and count as one seed, so a seed run twice never narrows the band or fakes a
 * replica. Runs are cut to the shortest one; x is the mean of the runs' x (the same for iterations
 * and epochs, which the config fixes; a mean for wall time). Points where any run is NaN or x is not
 * finite are left out.
 *
 * @param x     x values (ascending as recorded)
 * @param mean  mean over seeds (each seed's runs averaged first), summed in seed order
 * @param min   lowest seed value
 * @param max   highest seed value
 * @param seeds number of distinct seeds
 * @param runs  number of runs
 */
public record Band(double[] x, double[] mean, double[] min, double[] max, int seeds, int runs) {
    /** Aggregates {@code y(run)} against {@code x(run)} over {@code runs}, grouping them by their seed. */
    public static Band of(List<RunResult> runs, Function<RunResult, double[]> x, Function<RunResult, double[]> y) {
        Map<String, List<Integer>> bySeed = new LinkedHashMap<>();
        for (int r = 0; r < runs.size(); r++) {
            bySeed.computeIfAbsent(runs.get(r).value(RunGroups.SEED_KEY), k -> new ArrayList<>()).add(r);
        }
        int length = runs.isEmpty() ? 0 : Integer.MAX_VALUE;
        double[][] xs = new double[runs.size()][];
        double[][] ys = new double[runs.size()][];
        for (int r = 0; r < runs.size(); r++) {
            xs[r] = x.apply(runs.get(r));
            ys[r] = y.apply(runs.get(r));
            length = Math.min(length, Math.min(xs[r].length, ys[r].length));
        }
        double[] bx = new double[length];
        double[] mean = new double[length];
        double[] min = new double[length];
        double[] max = new double[length];
        int kept = 0;
        for (int i = 0; i < length; i++) {
            double sx = 0;
            double sy = 0;
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            boolean ok = true;
            for (List<Integer> seed : bySeed.values()) {
                double v = 0;
                for (int r : seed) {
                    ok &= Double.isFinite(ys[r][i]) && Double.isFinite(xs[r][i]);
                    v += ys[r][i];
                    sx += xs[r][i];
                }
                v /= seed.size();
                sy += v;
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            if (ok) {
                bx[kept] = sx / runs.size();
                mean[kept] = sy / bySeed.size();
                min[kept] = lo;
                max[kept] = hi;
                kept++;
            }
        }
        return new Band(Arrays.copyOf(bx, kept), Arrays.copyOf(mean, kept), Arrays.copyOf(min, kept),
                Arrays.copyOf(max, kept), bySeed.size(), runs.size());
    }

    /** Number of points. */
    public int size() {
        return x.length;
    }

    /** Whether there is a spread to shade: two seeds or more. */
    public boolean hasSpread() {
        return seeds > 1;
    }

    /** Mean and sample standard deviation (n − 1; 0 for one value) of {@code values}, summed in order. */
    public static double[] meanSd(double[] values) {
        if (values.length == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        double mean = sum / values.length;
        if (values.length == 1) {
            return new double[] {mean, 0};
        }
        double ss = 0;
        for (double v : values) {
            ss += (v - mean) * (v - mean);
        }
        return new double[] {mean, Math.sqrt(ss / (values.length - 1))};
    }
}
