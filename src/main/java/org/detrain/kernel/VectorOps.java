package org.detrain.kernel;

/**
 * The vector arithmetic of gossip and of the algorithms' updates. Implementations must give
 * identical results to {@link JavaVectorOps} (each output element computed by the same float32
 * operations in the same order), so a run is reproducible whichever implementation runs it.
 */
public interface VectorOps {
    /** Where the arithmetic runs, as recorded in the results (e.g. "java"). */
    String device();

    /**
     * out[k] = selfWeight·self[k] + Σ_j weights[j]·inputs[j][k] for k in [0, count), accumulated
     * in float32 in that order (self first, then j = 0, 1, ...). {@code out} may alias {@code self}.
     */
    void weightedSum(float[] out, float selfWeight, float[] self, float[] weights, float[][] inputs, int count);

    /**
     * Gossip mixing in difference form: out[k] = self[k] + Σ_j weights[j]·(inputs[j][k] − self[k]),
     * accumulated in float32 in the order j = 0, 1, .... Equal to Σ_j W_ij x_j when the row sums to
     * 1, but its rounding error is proportional to the disagreement between neighbours instead of the
     * values' size: a consensus vector is mixed exactly, so algorithms whose fixed point is consensus
     * (D², gradient tracking) do not drift. {@code out} may alias {@code self}.
     */
    void mixDifferences(float[] out, float[] self, float[] weights, float[][] inputs, int count);

    /** out[k] = alpha·a[k] + beta·b[k]; {@code out} may alias {@code a} or {@code b}. */
    void linearCombination(float[] out, float alpha, float[] a, float beta, float[] b, int count);
}
