package org.detrain.report;

import java.util.List;
import java.util.function.Function;

/**
 * One line of a plot: the mean over a line's replicas (runs that differ only in the seed) and their
 * spread (min and max) at each record. Replicas are cut to the shortest one; x is the mean of the
 * replicas' x (the same for iterations and epochs, which the config fixes; a mean for wall time).
 * Points where any replica is NaN or x is not finite are left out.
 *
 * @param x        x values (ascending as recorded)
 * @param mean     mean over replicas, summed in replica order
 * @param min      smallest replica value
 * @param max      largest replica value
 * @param replicas number of runs averaged
 */
public record Band(double[] x, double[] mean, double[] min, double[] max, int replicas) {
    /** Aggregates {@code y(run)} against {@code x(run)} over {@code runs}. */
    public static Band of(List<RunResult> runs, Function<RunResult, double[]> x, Function<RunResult, double[]> y) {
        int length = Integer.MAX_VALUE;
        double[][] xs = new double[runs.size()][];
        double[][] ys = new double[runs.size()][];
        for (int r = 0; r < runs.size(); r++) {
            xs[r] = x.apply(runs.get(r));
            ys[r] = y.apply(runs.get(r));
            length = Math.min(length, Math.min(xs[r].length, ys[r].length));
        }
        if (runs.isEmpty()) {
            length = 0;
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
            for (int r = 0; r < runs.size(); r++) {
                double v = ys[r][i];
                ok &= Double.isFinite(v) && Double.isFinite(xs[r][i]);
                sx += xs[r][i];
                sy += v;
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            if (ok) {
                bx[kept] = sx / runs.size();
                mean[kept] = sy / runs.size();
                min[kept] = lo;
                max[kept] = hi;
                kept++;
            }
        }
        return new Band(java.util.Arrays.copyOf(bx, kept), java.util.Arrays.copyOf(mean, kept),
                java.util.Arrays.copyOf(min, kept), java.util.Arrays.copyOf(max, kept), runs.size());
    }

    /** Number of points. */
    public int size() {
        return x.length;
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
