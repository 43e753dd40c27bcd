package org.detrain.algo;

import java.util.Arrays;
import org.detrain.config.RunConfig;
import org.detrain.gossip.AgPolynomial;
import org.detrain.gossip.AcceleratedGossip;
import org.detrain.topology.Spectrum;
import org.detrain.util.DetrainException;

/**
 * DeTAG's phase length R and accelerated-gossip η for a run, chosen ({@code auto}) or checked on the
 * run's own mixing matrix, before any rank starts.
 *
 * <p>η = auto takes, among η ∈ [0, η_theory] (η_theory = {@link AcceleratedGossip#recommendedEta}),
 * first the values for which no eigenmode of W limits DeTAG's stable step below what the consensus
 * mode allows ({@link AgPolynomial#stableStep} ≥ 1), then among those the one whose R rounds contract
 * disagreement most. Where no η qualifies (R = 1 on a graph with an eigenvalue below √3 − 2, such as
 * an even ring with Metropolis weights), it takes the η with the largest stable step (η = 0 there).
 *
 * <p>R = auto is the smallest R whose phase (with its η) leaves every eigenmode of W at least as
 * stable as the consensus mode: 1 where W allows it, else 2 (with η = 0 two rounds multiply every
 * mode by μ² ≥ 0, which always qualifies). Each phase makes one model update from R mini-batches at
 * the same step, so a longer phase trains more slowly per epoch; measured on Fashion-MNIST softmax
 * (16-ring, one epoch, docs/results), R = 2…8 reached training losses 1.03…1.35 against DSGT's 0.73,
 * and scaling the step by R diverged. R = theory is the practical form of the theory's phase length
 * (Corollary 6, with the problem-dependent log term left out), ⌈½·ln n / √(1 − λ)⌉, capped at
 * {@link #MAX_THEORY_ROUNDS}: its phase contracts disagreement by about 1/√n.
 *
 * <p>A setting whose phase does not contract disagreement at all (max |p_R(μ)| ≥ 1: it diverges at
 * any step size) is refused unless {@code gossip.allow.unstable=true}.
 *
 * @param rounds            R
 * @param eta               η for phases of R rounds
 * @param initialRounds     R before {@code detag.R.switch} (equal to {@code rounds} when R is not dynamic)
 * @param initialEta        η for those phases
 * @param contraction       max |p_R(μ)| over the non-consensus eigenvalues, per phase of R rounds
 * @param stepBound         the largest α·L the network's modes allow (the consensus mode allows α·L < 1)
 */
public record DetagSettings(int rounds, double eta, int initialRounds, double initialEta, double contraction,
                            double stepBound) {
    /** The largest R that R = theory picks. */
    public static final int MAX_THEORY_ROUNDS = 16;
    /** Grid points over [0, η_theory] searched by η = auto. */
    private static final int ETA_STEPS = 400;

    public static DetagSettings resolve(RunConfig config, Spectrum spectrum) {
        double[] modes = nonConsensus(spectrum);
        int n = spectrum.eigenvalues().length;
        String rValue = config.get("detag.R");
        int rounds = switch (rValue) {
            case "auto" -> autoRounds(modes, spectrum.lambda());
            case "theory" -> theoryRounds(n, spectrum.lambda());
            default -> Integer.parseInt(rValue);
        };
        int initial = config.getInt("detag.R.initial") > 0 ? config.getInt("detag.R.initial") : rounds;
        String etaValue = config.get("detag.eta");
        double eta = etaValue.equals("auto") ? autoEta(modes, rounds, spectrum.lambda()) : Double.parseDouble(etaValue);
        double initialEta = etaValue.equals("auto") ? autoEta(modes, initial, spectrum.lambda()) : eta;
        if (!config.getBoolean("gossip.allow.unstable")) {
            refuseNonContracting(rounds, eta, modes, spectrum, config);
            if (initial != rounds) {
                refuseNonContracting(initial, initialEta, modes, spectrum, config);
            }
        }
        return new DetagSettings(rounds, eta, initial, initialEta, AgPolynomial.contraction(modes, rounds, eta),
                AgPolynomial.stableStep(modes, rounds, eta));
    }

    /** R = auto: 1 if some η makes a one-round phase as stable as the consensus mode, else 2. */
    public static int autoRounds(double[] modes, double lambda) {
        double eta = autoEta(modes, 1, lambda);
        return AgPolynomial.stableStep(modes, 1, eta) >= 1 ? 1 : 2;
    }

    /** ⌈½·ln n / √(1 − λ)⌉ in [1, {@link #MAX_THEORY_ROUNDS}]; 1 when gossip is exact in one round (λ = 0). */
    public static int theoryRounds(int n, double lambda) {
        if (n < 2 || lambda <= 0) {
            return 1;
        }
        double r = Math.ceil(0.5 * Math.log(n) / Math.sqrt(1 - lambda));
        return (int) Math.max(1, Math.min(MAX_THEORY_ROUNDS, r));
    }

    /** η = auto for phases of {@code rounds} rounds on these modes (see the class comment). */
    public static double autoEta(double[] modes, int rounds, double lambda) {
        double top = AcceleratedGossip.recommendedEta(lambda);
        double bestEta = 0;
        double bestBound = -1;
        double bestContraction = Double.POSITIVE_INFINITY;
        for (int k = 0; k <= ETA_STEPS; k++) {
            double eta = k == ETA_STEPS ? top : top * k / ETA_STEPS; // the top exactly, not within a rounding
            double bound = Math.min(1, AgPolynomial.stableStep(modes, rounds, eta));
            double contraction = AgPolynomial.contraction(modes, rounds, eta);
            if (bound > bestBound || bound == bestBound && contraction < bestContraction) {
                bestEta = eta;
                bestBound = bound;
                bestContraction = contraction;
            }
        }
        return bestEta;
    }

    static double[] nonConsensus(Spectrum spectrum) {
        double[] all = spectrum.eigenvalues(); // descending: all[0] = 1 for a connected W
        return Arrays.copyOfRange(all, Math.min(1, all.length), all.length);
    }

    private static void refuseNonContracting(int r, double e, double[] modes, Spectrum spectrum, RunConfig config) {
        double c = AgPolynomial.contraction(modes, r, e);
        if (c < 1) {
            return;
        }
        double worst = 0; // the signed multiplier of the mode that grows most
        for (double mu : modes) {
            double p = AgPolynomial.value(mu, r, e);
            worst = Math.abs(p) > Math.abs(worst) ? p : worst;
        }
        int lazyR = 0;
        for (int k = r + 1; k <= 64 && lazyR == 0; k++) {
            if (AgPolynomial.contraction(modes, k, e) < 1) {
                lazyR = k;
            }
        }
        throw DetrainException.badInput(String.format(java.util.Locale.ROOT,
                "detag.R=%d with detag.eta=%.4g does not contract disagreement on this W (weights=%s, eigenvalues"
                        + " %.4f to %.4f): one phase multiplies some eigenmode by %.3f, so DeTAG diverges at any lr."
                        + " Use detag.eta=auto (it picks a stable eta for every R), detag.eta=0%s, or weights=lazy;"
                        + " gossip.allow.unstable=true runs it anyway", r, e, config.get("weights"),
                spectrum.lambdaMin(), modes.length > 0 ? modes[0] : 0, worst,
                lazyR > 0 ? ", or detag.R=" + lazyR + " or more" : ""));
    }
}
