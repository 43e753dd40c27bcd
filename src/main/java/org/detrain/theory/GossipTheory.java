package org.detrain.theory;

import org.detrain.gossip.AgPolynomial;
import org.detrain.util.DetrainException;

/**
 * What the theory says about gossip on one mixing matrix W (docs/algorithms.md, "Accelerated gossip"
 * and "What the theory predicts"), and a plain-Java double-precision simulation to compare it with.
 * This is analysis on the dense W, not the MPJ code path: nothing here is distributed. The η it
 * recommends is {@link org.detrain.gossip.AcceleratedGossip#recommendedEta}, the one a run uses.
 */
public final class GossipTheory {
    private GossipTheory() {
    }

    /**
     * DeTAG's recommended phase length (Corollary 6), before rounding:
     * R = max(½·ln n, ½·ln(ς0²T/(ΔL))) / √(1 − λ).
     *
     * @param logArgument ς0²T/(ΔL), or NaN to use the ½·ln n term alone (when T is unknown)
     */
    public static double recommendedPhaseLength(int n, double lambda, double logArgument) {
        requireLambda(lambda);
        double term = 0.5 * Math.log(n);
        if (!Double.isNaN(logArgument)) {
            term = Math.max(term, 0.5 * Math.log(logArgument));
        }
        return term / Math.sqrt(1 - lambda);
    }

    /** The phase length to run: the recommended R rounded up, at least 1. */
    public static int phaseRounds(double recommended) {
        if (!(recommended < Integer.MAX_VALUE)) {
            throw DetrainException.badInput("the recommended phase length " + recommended + " is too large to run:"
                    + " the spectral gap is (nearly) 0; use a better connected topology or a larger kappa");
        }
        return Math.max(1, (int) Math.ceil(recommended));
    }

    /** The contraction bound of R accelerated steps, up to a small constant: (1 − √(1 − λ))^R. */
    public static double bound(double lambda, int rounds) {
        requireLambda(lambda);
        return Math.pow(1 - Math.sqrt(1 - lambda), rounds);
    }

    /**
     * Simulates {@code rounds} steps of accelerated gossip on the dense W from {@code z0} (one value per
     * rank) and returns ‖z^r − z̄‖ / ‖z^0 − z̄‖ for r = 0..rounds, where z̄ is the mean of z0 (which
     * gossip with a doubly stochastic W preserves). η = 0 is plain gossip z^{r+1} = W z^r.
     * All sums run in index order, in double precision.
     *
     * @return rounds + 1 ratios (NaN throughout when z0 is already constant)
     */
    public static double[] contraction(double[][] w, double eta, int rounds, double[] z0) {
        int n = z0.length;
        if (w.length != n) {
            throw new IllegalArgumentException("W is " + w.length + " x " + w.length + " but z0 has " + n + " entries");
        }
        double mean = 0;
        for (double v : z0) {
            mean += v;
        }
        mean /= n;
        double start = distance(z0, mean);
        double[] ratios = new double[rounds + 1];
        ratios[0] = start == 0 ? Double.NaN : 1.0;
        // Accelerated gossip (JMLR Alg. 3):
        //   z^{-1} = z^0;   z^{r+1} = (1 + η)·W z^r − η·z^{r−1}
        double[] previous = z0.clone();
        double[] current = z0.clone();
        double[] next = new double[n];
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < n; i++) {
                double mixed = 0;
                for (int j = 0; j < n; j++) {
                    mixed += w[i][j] * current[j];
                }
                next[i] = (1 + eta) * mixed - eta * previous[i];
            }
            double[] t = previous;
            previous = current;
            current = next;
            next = t;
            ratios[r + 1] = start == 0 ? Double.NaN : distance(current, mean) / start;
        }
        return ratios;
    }

    /**
     * The largest contraction ratio after {@code rounds} steps over every start, from the spectrum of a
     * symmetric W: along an eigenvector of eigenvalue μ the disagreement follows the scalar recurrence
     * e_{r+1} = (1 + η)·μ·e_r − η·e_{r−1} with e_{−1} = e_0 = 1, so the worst start is the eigenvector
     * with the largest |e_R(μ)|, taken over every eigenvalue but the first (μ = 1, the average, which
     * gossip keeps).
     *
     * @param eigenvalues W's eigenvalues, largest first
     * @return 0 for a single rank (nothing to contract)
     */
    public static double worstCase(double[] eigenvalues, double eta, int rounds) {
        double worst = 0;
        for (int k = 1; k < eigenvalues.length; k++) {
            worst = Math.max(worst, Math.abs(AgPolynomial.value(eigenvalues[k], rounds, eta)));
        }
        return worst;
    }

    private static double distance(double[] z, double mean) {
        double sum = 0;
        for (double v : z) {
            sum += (v - mean) * (v - mean);
        }
        return Math.sqrt(sum);
    }

    private static void requireLambda(double lambda) {
        if (!(lambda >= 0 && lambda <= 1)) {
            throw DetrainException.badInput("lambda = " + lambda + " is outside [0, 1]: it must come from a symmetric,"
                    + " doubly stochastic mixing matrix (weights=metropolis or lazy)");
        }
    }
}
