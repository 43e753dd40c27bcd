package org.detrain.algo;

import org.detrain.comm.MessageTags;
import org.detrain.gossip.NeighbourGossip;
import org.detrain.kernel.VectorOps;

/** DSGT, decentralized stochastic gradient tracking (Zhang & You 2019; Pu & Nedić). */
public final class Dsgt implements Algorithm {
    private final VectorOps ops;
    private final NeighbourGossip gossip;
    private final GradientOracle oracle;
    private final StepSize stepSize;
    private final int dim;
    private final float[] grad;
    private final float[] stepped;
    private double lastLoss = Double.NaN;

    Dsgt(Context ctx, GradientOracle oracle) {
        this.ops = ctx.ops();
        this.dim = ctx.dim();
        this.gossip = ctx.gossip(2 * dim, MessageTags.DSGT);
        this.oracle = oracle;
        this.stepSize = ctx.stepSize();
        this.grad = new float[dim];
        this.stepped = new float[dim];
    }

    @Override
    public String name() {
        return "dsgt";
    }

    @Override
    public void init(AlgorithmState state) {
        state.buffer("x", dim);
        state.buffer("y", dim);
        state.buffer("grad_prev", dim);
    }

    /*
     * x^{t+1} = W (x^t − α y^t)
     * y^{t+1} = W y^t + g(x^{t+1}) − g(x^t)          y^0 = g(x^0)
     * x − αy and y travel in one message per neighbour. y^0 costs one extra gradient at t = 0.
     */
    @Override
    public double step(AlgorithmState state, long t) {
        float[] x = state.buffer("x");
        float[] y = state.buffer("y");
        float[] gradPrev = state.buffer("grad_prev");
        if (t == 0) {
            lastLoss = oracle.gradient(x, y);
            System.arraycopy(y, 0, gradPrev, 0, dim);
        }
        ops.linearCombination(stepped, 1f, x, (float) -stepSize.at(t), y, dim);
        gossip.startPacked(dim, stepped, y);
        gossip.finishMixPacked(dim, x, y);
        lastLoss = oracle.gradient(x, grad);
        ops.linearCombination(y, 1f, y, 1f, grad, dim);
        ops.linearCombination(y, 1f, y, -1f, gradPrev, dim);
        System.arraycopy(grad, 0, gradPrev, 0, dim);
        return lastLoss;
    }
}
