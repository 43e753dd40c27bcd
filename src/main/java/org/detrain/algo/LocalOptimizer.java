package org.detrain.algo;

import org.detrain.kernel.VectorOps;

/**
 * The local part of the optimizer, applied to every stochastic gradient before an algorithm uses
 * it: weight decay adds μ·x; heavy-ball momentum keeps v ← β·v + g (buffer "momentum" in the
 * state) and hands on v. Algorithms that apply momentum themselves at a coarser grain (DeTAGM on
 * the phase gradient) get a LocalOptimizer with β = 0.
 */
final class LocalOptimizer implements GradientOracle {
    static final String MOMENTUM = "momentum";

    private final GradientOracle base;
    private final VectorOps ops;
    private final AlgorithmState state;
    private final float weightDecay;
    private final float beta;
    private final int dim;

    LocalOptimizer(GradientOracle base, VectorOps ops, AlgorithmState state, double weightDecay, double beta, int dim) {
        this.base = base;
        this.ops = ops;
        this.state = state;
        this.weightDecay = (float) weightDecay;
        this.beta = (float) beta;
        this.dim = dim;
        if (beta > 0) {
            state.buffer(MOMENTUM, dim);
        }
    }

    @Override
    public double gradient(float[] at, float[] grad) {
        double loss = base.gradient(at, grad);
        if (weightDecay > 0) {
            ops.linearCombination(grad, 1f, grad, weightDecay, at, dim);
        }
        if (beta > 0) {
            float[] v = state.buffer(MOMENTUM); // fetched per call: a restore may replace the array
            ops.linearCombination(v, beta, v, 1f, grad, dim);
            System.arraycopy(v, 0, grad, 0, dim);
        }
        return loss;
    }
}
