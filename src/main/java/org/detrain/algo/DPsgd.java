package org.detrain.algo;

import java.util.LinkedHashMap;
import java.util.Map;
import org.detrain.comm.MessageTags;
import org.detrain.gossip.AcceleratedGossip;
import org.detrain.gossip.NeighbourGossip;
import org.detrain.kernel.VectorOps;

/** D-PSGD (Lian et al. 2017), optionally with several (accelerated) gossip rounds per iteration. */
public final class DPsgd implements Algorithm {
    private final VectorOps ops;
    private final NeighbourGossip gossip;
    private final AcceleratedGossip accelerated;
    private final GradientOracle oracle;
    private final StepSize stepSize;
    private final int rounds;
    private final int dim;
    private final float[] grad;
    private final float[][] mixed;
    private final float[][] prev;
    private final float[][] z;

    DPsgd(Context ctx, GradientOracle oracle, int rounds, double eta) {
        this.ops = ctx.ops();
        this.dim = ctx.dim();
        this.gossip = ctx.gossip(dim, MessageTags.DPSGD);
        this.accelerated = new AcceleratedGossip(gossip, ops, eta);
        this.oracle = oracle;
        this.stepSize = ctx.stepSize();
        this.rounds = rounds;
        this.grad = new float[dim];
        this.mixed = new float[][] {new float[dim]};
        this.prev = new float[][] {new float[dim]};
        this.z = new float[][] {new float[dim]};
    }

    @Override
    public String name() {
        return "dpsgd";
    }

    @Override
    public Map<String, Object> parameters() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("gossip_rounds", (long) rounds);
        p.put("gossip_eta", accelerated.eta());
        return p;
    }

    @Override
    public void init(AlgorithmState state) {
        state.buffer("x", dim);
    }

    /*
     * x_i ← Σ_j W_ij x_j − γ·g_i(x_i)
     * The gradient is taken at the pre-gossip x_i, so the (first) exchange of x_i overlaps its
     * computation. With gossip.rounds = R > 1, Σ_j W_ij x_j becomes R steps of accelerated gossip
     * z^{r+1} = (1 + η) W z^r − η z^{r−1} from z^0 = z^{−1} = x (η = 0: W^R x).
     */
    @Override
    public double step(AlgorithmState state, long t) {
        float[] x = state.buffer("x");
        if (rounds == 1 && accelerated.eta() == 0) {
            // One plain round (the default): the AG extrapolation would add Wx + 0·(Wx − x) = Wx,
            // the same bits, at the cost of four more passes over the model.
            gossip.startShared(x, dim); // x is only read until finishMix
            double loss = oracle.gradient(x, grad);
            gossip.finishMix(x, z[0]);
            ops.linearCombination(x, 1f, z[0], (float) -stepSize.at(t), grad, dim);
            return loss;
        }
        System.arraycopy(x, 0, z[0], 0, dim);
        System.arraycopy(x, 0, prev[0], 0, dim);
        accelerated.start(dim, z[0]);
        double loss = oracle.gradient(x, grad);
        accelerated.finish(dim, z, prev, mixed);
        for (int r = 1; r < rounds; r++) {
            accelerated.start(dim, z[0]);
            accelerated.finish(dim, z, prev, mixed);
        }
        ops.linearCombination(x, 1f, z[0], (float) -stepSize.at(t), grad, dim);
        return loss;
    }
}
