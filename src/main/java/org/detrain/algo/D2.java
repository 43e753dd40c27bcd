package org.detrain.algo;

import org.detrain.comm.MessageTags;
import org.detrain.gossip.NeighbourGossip;
import org.detrain.kernel.VectorOps;

/** D² (Tang et al. 2018): D-PSGD with a variance-reduction correction that removes the data-heterogeneity bias. */
public final class D2 implements Algorithm {
    private final VectorOps ops;
    private final NeighbourGossip gossip;
    private final GradientOracle oracle;
    private final StepSize stepSize;
    private final int dim;
    private final float[] grad;
    private final float[] z;
    private final float[] psi;
    D2(Context ctx, GradientOracle oracle) {
        this.ops = ctx.ops();
        this.dim = ctx.dim();
        this.gossip = ctx.gossip(dim, MessageTags.D2);
        this.oracle = oracle;
        this.stepSize = ctx.stepSize();
        this.grad = new float[dim];
        this.z = new float[dim];
        this.psi = new float[dim];
    }

    @Override
    public String name() {
        return "d2";
    }

    @Override
    public void init(AlgorithmState state) {
        state.buffer("x", dim);
        state.buffer("psi_prev", dim);
    }

    /*
     * x^1     = Σ_j W_ij (x_j^0 − γ g_j(x_j^0))
     * x^{t+1} = Σ_j W_ij (2x_j^t − x_j^{t−1} − γ g_j(x_j^t) + γ g_j(x_j^{t−1}))
     * computed in the equivalent exact-diffusion form, with ψ^t = x^{t−1} − γ_{t−1} g(x^{t−1}):
     *   ψ^{t+1} = x^t − γ_t g(x^t);   x^{t+1} = W (ψ^{t+1} + (x^t − ψ^t))      (ψ^0 = x^0)
     * which keeps one extra vector instead of two and, with a step-size schedule, gives the natural
     * γ_t g^t − γ_{t−1} g^{t−1} correction. Float32: D²'s error recursion has a double root at 1 for
     * the average, so it would integrate any rounding that kept changing the iterate; but with exact
     * gradients the float32 iteration reaches a fixed point (the bits stop changing) and stays there.
     * Measured over 20,000 and 100,000 iterations (heterogeneous least squares, 16 features, exact
     * gradients, γ = 0.05; D2DriftProbe in the tests): ‖x̄ − x*‖/‖x*‖ flat from iteration 1,000 on at
     * 2.1e-7 on a 15-ring with metropolis weights 1/3, 5.1e-7 on a 4x4 torus with metropolis κ = 0.8,
     * 1.7e-6 and 2.7e-6 with lazy (dyadic) weights on a 16-ring and a 4x4 torus: no drift, whether
     * or not the weights are dyadic.
     */
    @Override
    public double step(AlgorithmState state, long t) {
        float[] x = state.buffer("x");
        float[] psiPrev = state.buffer("psi_prev");
        double loss = oracle.gradient(x, grad);
        ops.linearCombination(psi, 1f, x, (float) -stepSize.at(t), grad, dim);
        if (t == 0) {
            System.arraycopy(psi, 0, z, 0, dim);
        } else {
            ops.linearCombination(z, 1f, x, -1f, psiPrev, dim);   // x^t − ψ^t
            ops.linearCombination(z, 1f, psi, 1f, z, dim);        // ψ^{t+1} + (x^t − ψ^t)
        }
        System.arraycopy(psi, 0, psiPrev, 0, dim);
        gossip.mix(z, x, dim);
        return loss;
    }
}
