package org.detrain.algo;

import org.detrain.comm.Communicator;
import org.detrain.kernel.VectorOps;

/** Centralized baseline: mini-batch SGD on the average of all ranks' gradients. */
public final class AllReduceSgd implements Algorithm {
    private final VectorOps ops;
    private final Communicator comm;
    private final GradientOracle oracle;
    private final StepSize stepSize;
    private final int dim;
    private final float[] grad;

    AllReduceSgd(Context ctx, GradientOracle oracle) {
        this.ops = ctx.ops();
        this.comm = ctx.comm();
        this.oracle = oracle;
        this.stepSize = ctx.stepSize();
        this.dim = ctx.dim();
        this.grad = new float[dim];
    }

    @Override
    public String name() {
        return "allreduce";
    }

    @Override
    public String gossipGraph() {
        return "none: a deterministic all-reduce (gather to rank 0, sum in rank order, broadcast)";
    }

    @Override
    public void init(AlgorithmState state) {
        state.buffer("x", dim);
    }

    /*
     * x ← x − γ·(1/n) Σ_i g_i(x)
     * The average is a deterministic all-reduce (gathered and summed in rank order), so every rank
     * holds the same x bit for bit.
     */
    @Override
    public double step(AlgorithmState state, long t) {
        float[] x = state.buffer("x");
        double loss = oracle.gradient(x, grad);
        comm.allreduceMean(grad, dim);
        ops.linearCombination(x, 1f, x, (float) -stepSize.at(t), grad, dim);
        return loss;
    }
}
