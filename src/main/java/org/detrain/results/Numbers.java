package org.detrain.results;

import java.util.Arrays;

/** A numeric dataset or attribute of a results file, whatever its stored element type, as doubles. */
public final class Numbers {
    private Numbers() {
    }

    /** {@code value} (double[], float[], long[] or int[]) as doubles, or null when it is not a numeric vector. */
    public static double[] of(Object value) {
        if (value instanceof double[] d) {
            return d;
        }
        if (value instanceof float[] f) {
            double[] out = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                out[i] = f[i];
            }
            return out;
        }
        if (value instanceof long[] l) {
            return Arrays.stream(l).asDoubleStream().toArray();
        }
        if (value instanceof int[] n) {
            return Arrays.stream(n).asDoubleStream().toArray();
        }
        return null;
    }
}
