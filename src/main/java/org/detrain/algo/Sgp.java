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
    /** Every rank's schedule (this rank's mixes; the others are recorded with the results). */
    private final java.util.function.IntFunction<PushSumGossip.Schedule> schedules;
    private final int ranks;

    Sgp(Context ctx, GradientOracle oracle, java.util.function.IntFunction<PushSumGossip.Schedule> schedules) {
        this.ops = ctx.ops();
        this.dim = ctx.dim();
        this.schedules = schedules;
        this.ranks = ctx.comm().size();
        this.gossip = new PushSumGossip(ctx.comm(), ops, schedules.apply(ctx.rank()), dim, MessageTags.SGP);
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
        // the directed graph push-sum mixes on, which is not the configured topology's W
        p.put("graph", gossip.schedule().describe());
        p.put("period", (long) gossip.schedule().period());
        long[][] peers = PushSumGossip.outPeersOverPeriod(schedules, ranks);
        if (peers != null) {
            p.put("out_peers", peers);
        }
        p.put("mixing_rate", PushSumGossip.mixingRate(schedules, ranks));
        return p;
    }

    @Override
    public String gossipGraph() {
        return "push-sum on " + gossip.schedule().describe() + " (column-stochastic; /algorithm: period, out_peers,"
                + " mixing_rate)";
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
