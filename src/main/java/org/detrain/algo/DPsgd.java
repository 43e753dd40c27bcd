package org.detrain.algo;

import org.detrain.gossip.NeighbourGossip;
import org.detrain.kernel.VectorOps;

/** D-PSGD (Lian et al. 2017). */
public final class DPsgd implements Algorithm {
    private final VectorOps ops;
    private final NeighbourGossip gossip;
    private final GradientOracle oracle;
    private final double lr;
    private final int dim;
    private final float[] grad;
    private final float[] mixed;

    public DPsgd(VectorOps ops, NeighbourGossip gossip, GradientOracle oracle, double lr, int dim) {
        this.ops = ops;
        this.gossip = gossip;
        this.oracle = oracle;
        this.lr = lr;
        this.dim = dim;
        this.grad = new float[dim];
        this.mixed = new float[dim];
    }

    @Override
    public String name() {
        return "dpsgd";
    }

    @Override
    public void init(AlgorithmState state) {
        state.buffer("x", dim);
    }

    /*
     * x_i ← Σ_j W_ij x_j − γ·g_i(x_i)
     * The gradient is taken at the pre-gossip x_i, so the exchange of x_i overlaps its computation.
     */
    @Override
    public double step(AlgorithmState state, long t) {
        float[] x = state.buffer("x");
        gossip.start(x, dim);
        double loss = oracle.gradient(x, grad);
        gossip.finishMix(x, mixed);
        ops.linearCombination(x, 1f, mixed, (float) -lr, grad, dim);
        return loss;
    }
}
