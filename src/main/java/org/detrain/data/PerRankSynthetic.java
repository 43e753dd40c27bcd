package org.detrain.data;

import org.detrain.util.Rng;

/**
 * Synthetic problems generated rank by rank, so that each rank's local objective differs from the
 * others in a controlled way (the heterogeneity ς of the theory). Samples are stored rank-major:
 * rank r owns samples [r·m, (r+1)·m). Everything is a function of the seed, so every rank builds the
 * same data.
 *
 * <ul>
 *   <li>least squares: A_r ~ N(0, 1); each rank's own solution x_r = x_c + heterogeneity·u_r with
 *       x_c, u_r ~ N(0, I); b_r = A_r x_r + noise·N(0, 1). With heterogeneity 0 all ranks share
 *       one solution.</li>
 *   <li>logistic: features a ~ N(heterogeneity·v_r, I) (each rank's cloud shifted by its own v_r
 *       ~ N(0, I)); label 1 with probability sigmoid(a·w) for a planted w ~ N(0, I).</li>
 * </ul>
 */
public final class PerRankSynthetic {
    private PerRankSynthetic() {
    }

    /** {@code split} 0: training set, 1: test set (fresh draws from the same per-rank distributions). */
    public static DenseSamples leastSquares(int ranks, int perRank, int features, double noise,
                                                double heterogeneity, long seed, int split) {
        Rng shared = Rng.of(seed, "hlsq-centre", 0);
        double[] centre = gaussians(shared, features);
        DenseSamples.requireCapacity((long) ranks * perRank, features, ranks + " ranks x synthetic.samples " + perRank);
        float[] a = new float[ranks * perRank * features];
        float[] b = new float[ranks * perRank];
        for (int r = 0; r < ranks; r++) {
            double[] u = gaussians(Rng.of(seed, "hlsq-offset", r), features);
            Rng rng = Rng.of(seed, "hlsq-samples-" + split, r);
            for (int s = 0; s < perRank; s++) {
                int i = r * perRank + s;
                double dot = 0;
                for (int k = 0; k < features; k++) {
                    float v = (float) rng.nextGaussian();
                    a[i * features + k] = v;
                    dot += v * (centre[k] + heterogeneity * u[k]);
                }
                b[i] = (float) (dot + noise * rng.nextGaussian());
            }
        }
        return new DenseSamples(features, 0, a, b);
    }

    /** Binary classification; see the class comment. */
    public static DenseSamples logistic(int ranks, int perRank, int features, double heterogeneity, long seed,
                                            int split) {
        double[] w = gaussians(Rng.of(seed, "logreg-w", 0), features);
        DenseSamples.requireCapacity((long) ranks * perRank, features, ranks + " ranks x synthetic.samples " + perRank);
        float[] a = new float[ranks * perRank * features];
        float[] b = new float[ranks * perRank];
        for (int r = 0; r < ranks; r++) {
            double[] shift = gaussians(Rng.of(seed, "logreg-shift", r), features);
            Rng rng = Rng.of(seed, "logreg-samples-" + split, r);
            for (int s = 0; s < perRank; s++) {
                int i = r * perRank + s;
                double dot = 0;
                for (int k = 0; k < features; k++) {
                    float v = (float) (heterogeneity * shift[k] + rng.nextGaussian());
                    a[i * features + k] = v;
                    dot += v * w[k];
                }
                b[i] = rng.nextDouble() < 1 / (1 + Math.exp(-dot)) ? 1f : 0f;
            }
        }
        return new DenseSamples(features, 2, a, b);
    }

    private static double[] gaussians(Rng rng, int count) {
        double[] v = new double[count];
        for (int k = 0; k < count; k++) {
            v[k] = rng.nextGaussian();
        }
        return v;
    }
}
