package org.detrain.gossip;

/**
 * What R rounds of accelerated gossip from a fresh history do to each eigenmode of a symmetric W:
 * z^R = p_R(W)·z^0 with
 * <pre>
 *   p_0(μ) = 1,   p_1(μ) = (1 + η)·μ − η,   p_{r+1}(μ) = (1 + η)·μ·p_r(μ) − η·p_{r−1}(μ)
 * </pre>
 * (the recurrence of {@link AcceleratedGossip} with z^{−1} = z^0, applied to an eigenvector). The
 * consensus mode μ = 1 is kept exactly (p_R(1) = 1); every other mode is multiplied by p_R(μ) per
 * phase, so the phase contracts disagreement by max |p_R(μ)| over the non-consensus eigenvalues.
 *
 * <p>Contracting is necessary for DeTAG but not sufficient: its phases are gradient tracking with a
 * one-phase gradient lag, and a mode with a negative multiplier p lowers the largest stable step.
 * For a quadratic with curvature h and a = α·h, the per-mode phase map on (x, αy, αg_prev) is
 * <pre>
 *   x⁺ = p·x − p·u,   u⁺ = p·u + a·x − v,   v⁺ = a·x        (characteristic polynomial
 *   z³ − 2p·z² + (p² + a·p)·z − a·p)
 * </pre>
 * By the Jury conditions this is stable for every a ∈ (0, 1] when 0 ≤ p < 1, and exactly for
 * a < (1 + p)²/(2|p|) when −1 < p < 0 (see {@link #stableStep}). The consensus mode itself is
 * delayed gradient descent, x⁺ = x − a·x⁻, stable for a < 1. So a mode with p ≥ √3 − 2 ≈ −0.268
 * never limits the step below what the consensus mode allows; a more negative p does.
 */
public final class AgPolynomial {
    /** The most negative multiplier a mode may have and still allow every step the consensus mode allows. */
    public static final double MOST_NEGATIVE_HARMLESS = Math.sqrt(3) - 2;

    private AgPolynomial() {
    }

    /** p_R(μ) for one eigenvalue. */
    public static double value(double mu, int rounds, double eta) {
        if (rounds < 0) {
            throw new IllegalArgumentException("rounds must be >= 0: " + rounds);
        }
        double previous = 1;
        double current = 1;
        for (int r = 0; r < rounds; r++) {
            // the first step's history is z^0 itself (z^{-1} = z^0)
            double next = (1 + eta) * mu * current - eta * previous;
            previous = current;
            current = next;
        }
        return current;
    }

    /**
     * The η in [0, etaMax] (on a grid of {@code steps} + 1 points, ends included) whose R rounds
     * contract the given modes most: plain accelerated-gossip tuning, for D-PSGD's gossip rounds.
     */
    public static double fastestEta(double[] modes, int rounds, double etaMax, int steps) {
        double best = 0;
        double bestContraction = contraction(modes, rounds, 0);
        for (int k = 1; k <= steps; k++) {
            double eta = k == steps ? etaMax : etaMax * k / steps;
            double c = contraction(modes, rounds, eta);
            if (c < bestContraction) {
                best = eta;
                bestContraction = c;
            }
        }
        return best;
    }

    /** max |p_R(μ)| over the given (non-consensus) eigenvalues: the phase's contraction of disagreement. */
    public static double contraction(double[] modes, int rounds, double eta) {
        double worst = 0;
        for (double mu : modes) {
            worst = Math.max(worst, Math.abs(value(mu, rounds, eta)));
        }
        return worst;
    }

    /**
     * The largest a = α·h for which a mode with phase multiplier p stays stable under DeTAG's lagged
     * tracking (see the class comment): +∞ for 0 ≤ p < 1, (1 + p)²/(2|p|) for −1 < p < 0, and 0 when
     * |p| ≥ 1 (the mode grows at any step).
     */
    public static double stableStep(double p) {
        if (!(Math.abs(p) < 1)) {
            return 0;
        }
        return p >= 0 ? Double.POSITIVE_INFINITY : (1 + p) * (1 + p) / (-2 * p);
    }

    /** min over the modes of {@link #stableStep}: the step bound (in units of 1/curvature) the network imposes. */
    public static double stableStep(double[] modes, int rounds, double eta) {
        double bound = Double.POSITIVE_INFINITY;
        for (double mu : modes) {
            bound = Math.min(bound, stableStep(value(mu, rounds, eta)));
        }
        return bound;
    }
}
