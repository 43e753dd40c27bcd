package org.detrain.data;

import org.detrain.util.Rng;

/**
 * Least-squares regression with a planted solution: features a ~ N(0, I), targets
 * b = a·x* + noise·N(0,1), x* ~ N(0, I). With noise 0 the optimal loss is exactly 0 at x*, which
 * makes convergence checks exact. Generated from the seed alone, so every rank builds the same set.
 */
public final class SyntheticLeastSquares {
    private SyntheticLeastSquares() {
    }

    /** The planted solution x* for a seed. */
    public static float[] plantedSolution(int features, long seed) {
        Rng rng = Rng.of(seed, "synthetic-lsq-solution", 0);
        float[] x = new float[features];
        for (int k = 0; k < features; k++) {
            x[k] = (float) rng.nextGaussian();
        }
        return x;
    }

    /** {@code split} 0 is the training set, 1 the test set (independent draws, same x*). */
    public static DenseSamples generate(int samples, int features, double noise, long seed, int split) {
        DenseSamples.requireCapacity(samples, features, "synthetic.samples");
        float[] solution = plantedSolution(features, seed);
        Rng rng = Rng.of(seed, "synthetic-lsq-samples", split);
        float[] a = new float[samples * features];
        float[] b = new float[samples];
        for (int i = 0; i < samples; i++) {
            double dot = 0;
            for (int k = 0; k < features; k++) {
                float v = (float) rng.nextGaussian();
                a[i * features + k] = v;
                dot += (double) v * solution[k];
            }
            b[i] = (float) (dot + noise * rng.nextGaussian());
        }
        return new DenseSamples(features, 0, a, b);
    }
}
