package org.detrain.algo;

import org.detrain.config.RunConfig;
import org.detrain.gossip.AgPolynomial;
import org.detrain.gossip.PushSumGossip;
import org.detrain.topology.Spectrum;
import org.detrain.util.DetrainException;

/** Builds the configured algorithm, and refuses configurations an algorithm cannot run. */
public final class Algorithms {
    private Algorithms() {
    }

    /**
     * Checks, before any rank starts, what only makes sense for some algorithms: D² only where
     * {@link #d2CanRun} says so.
     */
    public static void validate(RunConfig config, Spectrum spectrum) {
        if (config.get("algorithm").equals("detag")) {
            DetagSettings.resolve(config, spectrum); // refuses a phase that cannot contract
        }
        if (config.get("algorithm").equals("dpsgd") && !config.getBoolean("gossip.allow.unstable")) {
            int rounds = config.getInt("gossip.rounds");
            double eta = Context.gossipEta(config, spectrum);
            double c = AgPolynomial.contraction(DetagSettings.nonConsensus(spectrum), rounds, eta);
            if (c >= 1) {
                throw DetrainException.badInput(String.format(java.util.Locale.ROOT, "gossip.rounds=%d with"
                        + " gossip.eta=%.4g expands disagreement on this W (weights=%s): some eigenmode is multiplied"
                        + " by %.3f per iteration, so D-PSGD diverges at any lr. Use gossip.eta=auto or 0, more"
                        + " rounds, or weights=lazy; gossip.allow.unstable=true runs it anyway", rounds, eta,
                        config.get("weights"), c));
            }
        }
        if (config.get("algorithm").equals("d2") && !d2CanRun(spectrum)) {
            throw DetrainException.badInput(String.format("algorithm=d2 needs the smallest eigenvalue of W above -1/3,"
                            + " but it is %.4f for weights=%s on this graph; use weights=lazy ((W + I)/2 has all"
                            + " eigenvalues >= 0) or lower weights.kappa", spectrum.lambdaMin(), config.get("weights")));
        }
    }

    /**
     * Whether D² may run on W: its smallest eigenvalue must lie above −1/3 (by more than 1e-9, so that an
     * eigenvalue computed as −1/3 ± rounding, as on every even ring with weights 1/3, counts as −1/3).
     * Along an eigenvector of W with eigenvalue λ, D²'s disagreement follows
     * e^{t+1} = λ((2 − γh)e^t − (1 − γh)e^{t−1}) where the local losses have curvature h; at λ = −1/3 one
     * root is −1 + γh/2 + O((γh)²), so that mode decays only through the curvature, and not at all
     * where the loss is flat (it oscillates forever; below −1/3 it grows). D²'s analysis (Tang et al.
     * 2018) assumes λ > −1/3 for that reason. Measured with a float64 network reference: on least
     * squares D² at exactly −1/3 still converges, its consensus distance some 1000x slower than with
     * lazy weights; with a heterogeneous linear term and no curvature it oscillates at a constant
     * amplitude (D2BoundaryTest). `detrain train` refuses such a W and `detrain theory` says so.
     */
    public static boolean d2CanRun(Spectrum spectrum) {
        return spectrum.lambdaMin() > -1.0 / 3 + 1e-9;
    }

    /** The algorithm for this rank; its momentum / weight decay wrap the context's oracle as needed. */
    public static Algorithm create(Context ctx, AlgorithmState state) {
        RunConfig config = ctx.config();
        String name = config.get("algorithm");
        double beta = config.getDouble("momentum");
        double weightDecay = config.getDouble("weight.decay");
        // DeTAG(M) and DeFacto apply momentum to the gradient of a whole phase/cycle themselves.
        boolean phaseMomentum = name.equals("detag") || name.equals("defacto");
        GradientOracle oracle = beta == 0 && weightDecay == 0 ? ctx.oracle()
                : new LocalOptimizer(ctx.oracle(), ctx.ops(), state, weightDecay, phaseMomentum ? 0 : beta, ctx.dim());
        return switch (name) {
            case "dpsgd" -> new DPsgd(ctx, oracle, config.getInt("gossip.rounds"), Context.gossipEta(config, ctx.spectrum()));
            case "d2" -> new D2(ctx, oracle);
            case "dsgt" -> new Dsgt(ctx, oracle);
            case "sgp" -> new Sgp(ctx, oracle, config.get("sgp.graph").equals("exponential")
                    ? r -> PushSumGossip.exponential(r, ctx.comm().size())
                    : r -> PushSumGossip.staticGraph(ctx.graph(), r));
            case "detag" -> new DeTag(ctx, oracle, DetagSettings.resolve(config, ctx.spectrum()),
                    config.getDouble("detag.R.switch"), beta);
            case "defacto" -> new DeFacto(ctx, oracle, beta);
            case "allreduce" -> new AllReduceSgd(ctx, oracle);
            default -> throw new IllegalStateException("algorithm " + name);
        };
    }
}
