package org.detrain.algo;

import java.util.LinkedHashMap;
import java.util.Map;
import org.detrain.comm.MessageTags;
import org.detrain.gossip.AcceleratedGossip;
import org.detrain.kernel.VectorOps;

/**
 * DeTAG (Lu & De Sa, JMLR Alg. 2): gradient tracking whose gossip is accelerated and spread over
 * phases of R iterations, with the phase's gradients averaged at the phase-start model. With
 * momentum β > 0 it is DeTAGM (the tracker follows a momentum buffer of the phase gradients).
 * A dynamic phase length starts at {@code detag.R.initial} and switches to {@code detag.R} at epoch
 * {@code detag.R.switch}; R only changes at a phase boundary.
 */
public final class DeTag implements Algorithm {
    private final VectorOps ops;
    private final AcceleratedGossip gossip;
    /** AG with the initial phases' η (the same object when R is not dynamic). */
    private final AcceleratedGossip initialGossip;
    private final DetagSettings settings;
    private final GradientOracle oracle;
    private final StepSize stepSize;
    private final int dim;
    private final int phaseLength;
    private final int initialPhaseLength;
    private final double switchEpoch;
    private final float beta;
    private final float[] grad;
    private final float[][] scratch;

    DeTag(Context ctx, GradientOracle oracle, DetagSettings settings, double switchEpoch, double beta) {
        this.ops = ctx.ops();
        this.dim = ctx.dim();
        this.settings = settings;
        var neighbours = ctx.gossip(2 * dim, MessageTags.DETAG);
        this.gossip = new AcceleratedGossip(neighbours, ops, settings.eta());
        this.initialGossip = settings.initialEta() == settings.eta() ? gossip
                : new AcceleratedGossip(neighbours, ops, settings.initialEta());
        this.oracle = oracle;
        this.stepSize = ctx.stepSize();
        this.phaseLength = settings.rounds();
        this.initialPhaseLength = settings.initialRounds();
        this.switchEpoch = initialPhaseLength != phaseLength ? switchEpoch : 0;
        this.beta = (float) beta;
        this.grad = new float[dim];
        this.scratch = new float[][] {new float[dim], new float[dim]};
    }

    @Override
    public String name() {
        return "detag";
    }

    @Override
    public Map<String, Object> parameters() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("R", (long) phaseLength);
        p.put("R_initial", (long) initialPhaseLength);
        p.put("R_switch_epoch", switchEpoch);
        p.put("eta", gossip.eta());
        p.put("eta_initial", initialGossip.eta());
        p.put("gossip_contraction", settings.contraction());
        p.put("step_bound_alpha_L", Math.min(settings.stepBound(), 1.0));
        p.put("momentum", (double) beta);
        return p;
    }

    @Override
    public String divergenceAdvice(double lr) {
        // the phase settings were checked before launch; what is left is the step against the curvature
        return String.format(java.util.Locale.ROOT, "lower lr (now %s): DeTAG applies the previous phase's gradients,"
                + " so on a quadratic of curvature L it is stable only for lr*L < %.2f (DSGT, without the lag: < 2)%s",
                lr, Math.min(settings.stepBound(), 1.0), settings.stepBound() < 1
                        ? "; this W's negative eigenvalues set that bound: weights=lazy or detag.R=2 raise it to 1" : "");
    }

    @Override
    public void init(AlgorithmState state) {
        float[] x = state.buffer("x", dim);
        System.arraycopy(x, 0, state.buffer("x_tilde", dim), 0, dim);
        System.arraycopy(x, 0, state.buffer("x_tilde_prev", dim), 0, dim);
        state.buffer("y", dim);
        state.buffer("y_prev", dim);
        state.buffer("g_cur", dim);
        state.buffer("g_prev", dim);
        if (beta > 0) {
            state.buffer("momentum", dim);
        }
        state.setScalar("phase_start", 0);
        state.setScalar("phase_length", stepSize.epoch(0) < switchEpoch ? initialPhaseLength : phaseLength);
    }

    /*
     * For t = 0 … T−1, phase k = ⌊t/R⌋, r = t mod R (R fixed within a phase):
     *   1. communication: one AG step on x̃ and on y (one message):
     *        z^{r+1} = (1 + η)·Σ_j W_ij z_j^r − η·z^{r−1}   for z = x̃ and z = y
     *   2. computation, overlapped with 1:  g_cur ← g_cur + g_i(x)/R   (at the phase-start x)
     *   3. if r = R − 1:  x ← x̃ − α_k·y;  y ← y + g_cur − g_prev;  g_prev ← g_cur;  g_cur ← 0;
     *                     x̃ ← x;  AG history reset (z^{−1} = z^0 for the next phase)
     *   DeTAGM: in 3, v ← β·v + g_cur first, and y tracks v instead of g_cur (g_prev holds the last v).
     */
    @Override
    public double step(AlgorithmState state, long t) {
        float[] x = state.buffer("x");
        float[] xTilde = state.buffer("x_tilde");
        float[] y = state.buffer("y");
        float[] gCur = state.buffer("g_cur");
        long phaseStart = (long) state.scalar("phase_start");
        int length = (int) state.scalar("phase_length");

        AcceleratedGossip ag = length == phaseLength ? gossip : initialGossip;
        ag.start(dim, xTilde, y);
        double loss = oracle.gradient(x, grad);
        ops.linearCombination(gCur, 1f, gCur, 1f / length, grad, dim);
        ag.finish(dim, new float[][] {xTilde, y},
                new float[][] {state.buffer("x_tilde_prev"), state.buffer("y_prev")}, scratch);

        if (t - phaseStart == length - 1) {
            float[] gPrev = state.buffer("g_prev");
            float[] tracked = gCur;
            if (beta > 0) {
                float[] v = state.buffer("momentum");
                ops.linearCombination(v, beta, v, 1f, gCur, dim);
                tracked = v;
            }
            ops.linearCombination(x, 1f, xTilde, (float) -stepSize.at(t), y, dim);
            ops.linearCombination(y, 1f, y, 1f, tracked, dim);
            ops.linearCombination(y, 1f, y, -1f, gPrev, dim);
            System.arraycopy(tracked, 0, gPrev, 0, dim);
            java.util.Arrays.fill(gCur, 0f);
            System.arraycopy(x, 0, xTilde, 0, dim);
            System.arraycopy(xTilde, 0, state.buffer("x_tilde_prev"), 0, dim);
            System.arraycopy(y, 0, state.buffer("y_prev"), 0, dim);
            state.setScalar("phase_start", t + 1);
            state.setScalar("phase_length", stepSize.epoch(t + 1) < switchEpoch ? initialPhaseLength : phaseLength);
        }
        return loss;
    }
}
