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
     * What the algorithm chooses from the run's W: DeTAG's R and η ({@code detag}, null for the
     * others) and D-PSGD's gossip η (0 for the others). Choosing searches η over every eigenvalue
     * (O(n) each, a few hundred candidates), so a plan makes the choices once and every rank uses them.
     */
    public record Choices(DetagSettings detag, double gossipEta) {
    }

    /**
     * Checks, before any rank starts, what only makes sense for some algorithms, and makes the
     * algorithm's {@link Choices}. D² needs the
     * smallest eigenvalue of W above −1/3: its error recursion e^{t+1} = λ(2e^t − e^{t−1}) has a root
     * of modulus 1 at λ = −1/3 exactly (the even ring with weights 1/3 sits there and does not
     * converge), and diverges below.
     */
    public static Choices validate(RunConfig config, Spectrum spectrum) {
        DetagSettings detag = null;
        double gossipEta = 0;
        if (config.get("algorithm").equals("detag")) {
            detag = DetagSettings.resolve(config, spectrum); // refuses a phase that cannot contract
        }
        if (config.get("algorithm").equals("dpsgd")) {
            gossipEta = Context.gossipEta(config, spectrum);
        }
        if (config.get("algorithm").equals("dpsgd") && !config.getBoolean("gossip.allow.unstable")) {
            int rounds = config.getInt("gossip.rounds");
            double eta = gossipEta;
            double c = AgPolynomial.contraction(DetagSettings.nonConsensus(spectrum), rounds, eta);
            if (c >= 1) {
                throw DetrainException.badInput(String.format(java.util.Locale.ROOT, "gossip.rounds=%d with"
                        + " gossip.eta=%.4g expands disagreement on this W (weights=%s): some eigenmode is multiplied"
                        + " by %.3f per iteration, so D-PSGD diverges at any lr. Use gossip.eta=auto or 0, more"
                        + " rounds, or weights=lazy; gossip.allow.unstable=true runs it anyway", rounds, eta,
                        config.get("weights"), c));
            }
        }
        if (config.get("algorithm").equals("d2") && !d2Converges(spectrum)) {
            throw DetrainException.badInput(String.format("algorithm=d2 needs the smallest eigenvalue of W above -1/3,"
                            + " but it is %.4f for weights=%s on this graph; use weights=lazy ((W + I)/2 has all"
                            + " eigenvalues >= 0) or lower weights.kappa", spectrum.lambdaMin(), config.get("weights")));
        }
        return new Choices(detag, gossipEta);
    }

    /**
     * Whether D² can run on a W with this spectrum: its smallest eigenvalue lies above −1/3 (with a
     * margin of 1e-9, so the even ring with weights 1/3, at −1/3 up to rounding, is refused).
     */
    public static boolean d2Converges(Spectrum spectrum) {
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
            case "dpsgd" -> new DPsgd(ctx, oracle, config.getInt("gossip.rounds"), ctx.choices().gossipEta());
            case "d2" -> new D2(ctx, oracle);
            case "dsgt" -> new Dsgt(ctx, oracle);
            case "sgp" -> new Sgp(ctx, oracle, config.get("sgp.graph").equals("exponential")
                    ? PushSumGossip.exponential(ctx.rank(), ctx.comm().size())
                    : PushSumGossip.staticGraph(ctx.graph(), ctx.rank()));
            case "detag" -> new DeTag(ctx, oracle, ctx.choices().detag(),
                    config.getDouble("detag.R.switch"), beta);
            case "defacto" -> new DeFacto(ctx, oracle, beta);
            case "allreduce" -> new AllReduceSgd(ctx, oracle);
            default -> throw new IllegalStateException("algorithm " + name);
        };
    }
}
