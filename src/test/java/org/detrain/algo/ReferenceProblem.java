package org.detrain.algo;

import java.util.SplittableRandom;
import org.detrain.data.DenseSamples;
import org.detrain.data.PerRankSynthetic;

/**
 * A random heterogeneous problem for exact-iterate tests: every rank's own least-squares or
 * logistic-regression samples (from src/main's {@link PerRankSynthetic}, the only problem data taken
 * from the main code), and a fixed mini-batch sequence: call c of rank i uses the batch drawn from
 * a generator seeded with (seed, i, c), so the float64 reference replays exactly the batches the
 * algorithm under test drew, however many gradients each algorithm takes per iteration.
 * Gradients are computed in float64; the algorithms' oracle rounds them to float32 (its input is the
 * algorithm's float32 model), so the test measures the algorithms' arithmetic, not a kernel's.
 */
final class ReferenceProblem {
    enum Kind { LEAST_SQUARES, LOGISTIC }

    private final Kind kind;
    private final int n;
    private final int dim;
    private final int perRank;
    private final int batch;
    private final long seed;
    private final boolean fullBatch;
    /** [rank][sample][feature] and [rank][sample]. */
    private final double[][][] a;
    private final double[][] b;

    ReferenceProblem(Kind kind, int n, int dim, int perRank, int batch, long seed) {
        this(kind, n, dim, perRank, batch, seed, false);
    }

    /** Exact gradients: every call uses all of the rank's samples (no mini-batches). */
    static ReferenceProblem exact(Kind kind, int n, int dim, int perRank, long seed) {
        return new ReferenceProblem(kind, n, dim, perRank, perRank, seed, true);
    }

    private ReferenceProblem(Kind kind, int n, int dim, int perRank, int batch, long seed, boolean fullBatch) {
        this.fullBatch = fullBatch;
        this.kind = kind;
        this.n = n;
        this.dim = dim;
        this.perRank = perRank;
        this.batch = batch;
        this.seed = seed;
        DenseSamples samples = kind == Kind.LEAST_SQUARES
                ? PerRankSynthetic.leastSquares(n, perRank, dim, 0.1, 1.0, seed, 0)
                : PerRankSynthetic.logistic(n, perRank, dim, 1.5, seed, 0);
        a = new double[n][perRank][dim];
        b = new double[n][perRank];
        float[] row = new float[dim];
        for (int r = 0; r < n; r++) {
            for (int s = 0; s < perRank; s++) {
                samples.copyFeatures(r * perRank + s, row, 0);
                for (int k = 0; k < dim; k++) {
                    a[r][s][k] = row[k];
                }
                b[r][s] = samples.target(r * perRank + s);
            }
        }
    }

    int dim() {
        return dim;
    }

    /** The same starting model on every rank: entries uniform in (−1, 1), rounded to float32 once. */
    float[] start() {
        SplittableRandom rng = new SplittableRandom(seed * 31 + 7);
        float[] x = new float[dim];
        for (int k = 0; k < dim; k++) {
            x[k] = (float) (rng.nextDouble() * 2 - 1);
        }
        return x;
    }

    /** Mean loss and gradient of rank {@code rank}'s batch number {@code call} at x; gradient into grad. */
    double gradient(int rank, long call, double[] x, double[] grad) {
        SplittableRandom rng = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (rank + 1)) ^ (call * 0xBF58476D1CE4E5B9L));
        java.util.Arrays.fill(grad, 0);
        double loss = 0;
        for (int q = 0; q < batch; q++) {
            int s = fullBatch ? q : rng.nextInt(perRank);
            double dot = 0;
            for (int k = 0; k < dim; k++) {
                dot += a[rank][s][k] * x[k];
            }
            double residual;
            if (kind == Kind.LEAST_SQUARES) {
                residual = dot - b[rank][s];
                loss += 0.5 * residual * residual;
            } else {
                double p = 1 / (1 + Math.exp(-dot));
                residual = p - b[rank][s];
                loss += -(b[rank][s] * Math.log(p) + (1 - b[rank][s]) * Math.log(1 - p));
            }
            for (int k = 0; k < dim; k++) {
                grad[k] += residual * a[rank][s][k] / batch;
            }
        }
        return loss / batch;
    }

    /**
     * Least squares only: the minimiser x* of (1/n) Σ_i f_i over all of every rank's samples, from the
     * normal equations (Σ_i A_iᵀA_i) x = Σ_i A_iᵀ b_i, solved in float64 by Gaussian elimination.
     */
    double[] optimum() {
        if (kind != Kind.LEAST_SQUARES) {
            throw new UnsupportedOperationException("x* in closed form for least squares only");
        }
        double[][] m = new double[dim][dim + 1];
        for (int r = 0; r < n; r++) {
            for (int s = 0; s < perRank; s++) {
                for (int j = 0; j < dim; j++) {
                    for (int k = 0; k < dim; k++) {
                        m[j][k] += a[r][s][j] * a[r][s][k];
                    }
                    m[j][dim] += a[r][s][j] * b[r][s];
                }
            }
        }
        for (int c = 0; c < dim; c++) {
            int pivot = c;
            for (int r = c + 1; r < dim; r++) {
                if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) {
                    pivot = r;
                }
            }
            double[] t = m[c];
            m[c] = m[pivot];
            m[pivot] = t;
            for (int r = 0; r < dim; r++) {
                if (r != c) {
                    double f = m[r][c] / m[c][c];
                    for (int k = c; k <= dim; k++) {
                        m[r][k] -= f * m[c][k];
                    }
                }
            }
        }
        double[] x = new double[dim];
        for (int k = 0; k < dim; k++) {
            x[k] = m[k][dim] / m[k][k];
        }
        return x;
    }

    /** The float64 side: rank i's next gradient, counting calls per rank. */
    ReferenceNetwork.Gradients referenceGradients() {
        long[] calls = new long[n];
        return (rank, x) -> {
            double[] g = new double[dim];
            gradient(rank, calls[rank]++, x, g);
            return g;
        };
    }

    /** The float32 side: the oracle a rank's algorithm gets (its own call counter). */
    GradientOracle oracle(int rank) {
        return new GradientOracle() {
            private long calls;
            private final double[] x = new double[dim];
            private final double[] g = new double[dim];

            @Override
            public double gradient(float[] at, float[] grad) {
                for (int k = 0; k < dim; k++) {
                    x[k] = at[k];
                }
                double loss = ReferenceProblem.this.gradient(rank, calls++, x, g);
                for (int k = 0; k < dim; k++) {
                    grad[k] = (float) g[k];
                }
                return loss;
            }
        };
    }
}
