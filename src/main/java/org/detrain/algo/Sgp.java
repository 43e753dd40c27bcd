package org.detrain.algo;

import java.util.LinkedHashMap;
import java.util.Map;
import org.detrain.comm.MessageTags;
import org.detrain.gossip.PushSumGossip;
import org.detrain.kernel.VectorOps;

/** SGP, stochastic gradient push (Assran et al. 2019): SGD with push-sum mixing on directed graphs. */
public final class Sgp implements Algorithm {
    static final String WEIGHT = "push_sum_weight";

    private final VectorOps ops;
    private final PushSumGossip gossip;
    private final GradientOracle oracle;
    private final StepSize stepSize;
    private final int dim;
    private final float[] grad;
    private final float[] z;

    Sgp(Context ctx, GradientOracle oracle, PushSumGossip.Schedule schedule) {
        this.ops = ctx.ops();
        this.dim = ctx.dim();
        this.gossip = new PushSumGossip(ctx.comm(), ops, schedule, dim, MessageTags.SGP);
        this.oracle = oracle;
        this.stepSize = ctx.stepSize();
        this.grad = new float[dim];
        this.z = new float[dim];
    }

    @Override
    public String name() {
        return "sgp";
    }

    @Override
    public Map<String, Object> parameters() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("graph", gossip.schedule().describe());
        return p;
    }

    @Override
    public void init(AlgorithmState state) {
        state.buffer("x", dim);
        state.setScalar(WEIGHT, 1.0);
    }

    /*
     * z_i = x_i / w_i;   x_i ← x_i − γ·g_i(z_i);
     * then push-sum:    x_i ← Σ_j P_ij x_j,  w_i ← Σ_j P_ij w_j   (P column-stochastic)
     * The de-biased z_i is what is evaluated.
     */
    @Override
    public double step(AlgorithmState state, long t) {
        float[] x = state.buffer("x");
        float w = (float) state.scalar(WEIGHT);
        debias(x, w, z);
        double loss = oracle.gradient(z, grad);
        ops.linearCombination(x, 1f, x, (float) -stepSize.at(t), grad, dim);
        state.setScalar(WEIGHT, gossip.mix(x, w, t));
        return loss;
    }

    @Override
    public float[] model(AlgorithmState state) {
        float[] out = new float[dim];
        debias(state.buffer("x"), (float) state.scalar(WEIGHT), out);
        return out;
    }

    private void debias(float[] x, float w, float[] out) {
        ops.linearCombination(out, 1f / w, x, 0f, x, dim);
    }
}
