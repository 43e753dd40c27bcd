package org.detrain.algo;

import java.util.LinkedHashMap;
import java.util.Map;
import org.detrain.comm.Communicator;
import org.detrain.comm.MessageTags;
import org.detrain.gossip.TreeAverage;
import org.detrain.kernel.VectorOps;

/**
 * DeFacto (Lu & De Sa, JMLR Alg. 1): not gossip, but the exact average 11ᵀ/n factored into R sparse
 * steps on the graph ({@link TreeAverage}), alternated with R compute steps. It is statistically
 * centralized mini-batch SGD with batch n·B·R and attains the lower bound.
 *
 * <p>Where the update sits: x ← x̃ − α·g/R applied after the averaging steps (one reading of the
 * paper's Alg. 1, see docs/algorithms.md) leaves every rank's model apart from the others by its own
 * gradient and is not centralized SGD.
 * The property the paper proves (and our test checks: iterates equal centralized SGD) needs the
 * local step taken before the exact averaging, which is what this class does; the communication and
 * computation per cycle are the same.
 */
public final class DeFacto implements Algorithm {
    private final VectorOps ops;
    private final Communicator comm;
    private final TreeAverage tree;
    private final GradientOracle oracle;
    private final StepSize stepSize;
    private final int dim;
    private final int factors;
    private final float beta;
    private final float[] grad;
    private final float[][] recv;

    DeFacto(Context ctx, GradientOracle oracle, double beta) {
        this.ops = ctx.ops();
        this.comm = ctx.comm();
        this.tree = new TreeAverage(ctx.graph());
        this.oracle = oracle;
        this.stepSize = ctx.stepSize();
        this.dim = ctx.dim();
        this.factors = tree.steps();
        this.beta = (float) beta;
        this.grad = new float[dim];
        int maxChildren = ctx.graph().maxDegree();
        this.recv = new float[Math.max(1, maxChildren)][dim];
    }

    @Override
    public String name() {
        return "defacto";
    }

    @Override
    public Map<String, Object> parameters() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("R", (long) factors);
        p.put("tree_height", (long) tree.height());
        p.put("tree_parent", tree.parents()); // the spanning tree it averages on, root rank 0 (parent -1)
        p.put("momentum", (double) beta);
        return p;
    }

    @Override
    public String gossipGraph() {
        return "exact averaging along a spanning tree of this graph (/algorithm: tree_parent, R)";
    }

    @Override
    public void init(AlgorithmState state) {
        state.buffer("x", dim);
        state.buffer("x_tilde", dim);
        state.buffer("g_sum", dim);
        if (beta > 0) {
            state.buffer("momentum", dim);
        }
        state.setScalar("last_loss", Double.NaN);
    }

    /*
     * Cycle of 2R iterations, s = t mod 2R:
     *   s < R  (compute):      g ← g + g_i(x)                       (B fresh samples each, at fixed x)
     *   s = R  (local step):   x̃ ← x − α·g/R                        (DeFactoM: v ← β·v + g/R, x̃ ← x − α·v)
     *   s ≥ R  (communicate):  x̃ ← W_{s−R} x̃                        (W_{R−1} ⋯ W_0 = 11ᵀ/n)
     *   s = 2R−1 (end):        x ← x̃ = (1/n) Σ_j (x_j − α·g_j/R);   g ← 0
     * Every rank starts from the same x, so all x stay equal: centralized SGD with batch n·B·R.
     */
    @Override
    public double step(AlgorithmState state, long t) {
        float[] x = state.buffer("x");
        float[] xTilde = state.buffer("x_tilde");
        float[] g = state.buffer("g_sum");
        int s = (int) (t % (2L * factors));
        if (s < factors) {
            double loss = oracle.gradient(x, grad);
            ops.linearCombination(g, 1f, g, 1f, grad, dim);
            state.setScalar("last_loss", loss);
            return loss;
        }
        if (s == factors) {
            float alpha = (float) stepSize.at(t);
            if (beta > 0) {
                float[] v = state.buffer("momentum");
                ops.linearCombination(v, beta, v, 1f / factors, g, dim);
                ops.linearCombination(xTilde, 1f, x, -alpha, v, dim);
            } else {
                ops.linearCombination(xTilde, 1f, x, -alpha / factors, g, dim);
            }
        }
        tree.step(comm, ops, s - factors, xTilde, dim, recv, MessageTags.DEFACTO);
        if (s == 2 * factors - 1) {
            System.arraycopy(xTilde, 0, x, 0, dim);
            java.util.Arrays.fill(g, 0f);
        }
        return state.scalar("last_loss");
    }
}
