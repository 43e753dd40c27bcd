package org.detrain.gossip;

import org.detrain.kernel.VectorOps;
import org.detrain.util.DetrainException;

/**
 * Accelerated gossip (AG, JMLR Alg. 3) over a {@link NeighbourGossip}:
 * <pre>
 *   z^{−1} = z^0;   z^{r+1} = (1 + η)·Σ_j W_ij z_j^r − η·z_i^{r−1}
 * </pre>
 * The average over ranks is preserved (W doubly stochastic, and the weights (1 + η) and −η sum to
 * 1), and after R steps ‖z − z̄‖ shrinks like (1 − √(1 − λ))^R instead of λ^R. η = 0 is plain gossip.
 * Each step is one message per neighbour; several vectors can travel together (packed).
 */
public final class AcceleratedGossip {
    private final NeighbourGossip gossip;
    private final VectorOps ops;
    private final float eta;

    public AcceleratedGossip(NeighbourGossip gossip, VectorOps ops, double eta) {
        if (!(eta >= 0 && eta < 1)) {
            throw new IllegalArgumentException("eta must be in [0, 1): " + eta);
        }
        this.gossip = gossip;
        this.ops = ops;
        this.eta = (float) eta;
    }

    public double eta() {
        return eta;
    }

    /**
     * The η theory recommends for a mixing matrix with λ = max(|λ2|, |λn|):
     * η = (1 − √(1 − λ²)) / (1 + √(1 − λ²)); 0 for λ = 0 (one step averages exactly), → 1 as λ → 1.
     * The one definition: runs ({@code gossip.eta}/{@code detag.eta} = auto) and {@code detrain theory}
     * both call it (docs/algorithms.md, "Accelerated gossip").
     *
     * @throws DetrainException if λ is outside [0, 1]
     */
    public static double recommendedEta(double lambda) {
        if (!(lambda >= 0 && lambda <= 1)) {
            throw DetrainException.badInput("lambda = " + lambda + " is outside [0, 1]: it must come from a symmetric,"
                    + " doubly stochastic mixing matrix (weights=metropolis or lazy)");
        }
        double s = Math.sqrt(1 - lambda * lambda);
        return (1 - s) / (1 + s);
    }

    /** Starts one AG step on the given vectors (their mixing; the extrapolation happens in finish). */
    public void start(int length, float[]... z) {
        gossip.startPacked(length, z);
    }

    /**
     * Completes one AG step: with mixed_p = W z_p, sets prev_p ← z_p and z_p ← (1 + η)·mixed_p − η·prev_p
     * (the old prev). {@code scratch} holds one vector of {@code length} per part.
     */
    public void finish(int length, float[][] z, float[][] prev, float[][] scratch) {
        gossip.finishMixPacked(length, scratch);
        for (int p = 0; p < z.length; p++) {
            // (1 + η)·Wz − η·z^{r−1} written as Wz + η·(Wz − z^{r−1}), exact on a consensus:
            ops.linearCombination(prev[p], 1f, scratch[p], -1f, prev[p], length);   // Wz − z^{r−1}
            ops.linearCombination(scratch[p], 1f, scratch[p], eta, prev[p], length); // z^{r+1}
            System.arraycopy(z[p], 0, prev[p], 0, length);                          // z^{r−1} ← z^r
            System.arraycopy(scratch[p], 0, z[p], 0, length);                       // z^r ← z^{r+1}
        }
    }

    /**
     * R blocking AG steps on z from a fresh history (z^{−1} = z^0), in place. {@code prev} and
     * {@code scratch} are work space of the same length.
     */
    public void run(float[] z, int length, int rounds, float[] prev, float[] scratch) {
        System.arraycopy(z, 0, prev, 0, length);
        float[][] zs = {z};
        float[][] prevs = {prev};
        float[][] scratches = {scratch};
        for (int r = 0; r < rounds; r++) {
            start(length, z);
            finish(length, zs, prevs, scratches);
        }
    }
}
