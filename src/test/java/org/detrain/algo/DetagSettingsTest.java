package org.detrain.algo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.detrain.config.RunConfig;
import org.detrain.gossip.AcceleratedGossip;
import org.detrain.gossip.AgPolynomial;
import org.detrain.topology.Graph;
import org.detrain.topology.MixingMatrix;
import org.detrain.topology.Spectrum;
import org.detrain.topology.Topologies;
import org.detrain.util.DetrainException;
import org.junit.jupiter.api.Test;

class DetagSettingsTest {
    private static Spectrum spectrum(String topology, int n, String weights, double kappa) {
        Graph g = Topologies.build(new Topologies.Spec(topology, n, 0, 0, 0.5, 1, null));
        return MixingMatrix.build(g, weights, kappa).spectrum();
    }

    private static RunConfig config(String... sets) {
        List<String> all = new ArrayList<>(List.of("algorithm=detag"));
        all.addAll(List.of(sets));
        return RunConfig.load(null, all);
    }

    @Test
    void autoOnTheMetropolisSixteenRingTakesTwoStableRounds() {
        Spectrum s = spectrum("ring", 16, "metropolis", 1);
        DetagSettings d = DetagSettings.resolve(config(), s);
        assertEquals(2, d.rounds());
        assertTrue(d.eta() > 0.2 && d.eta() < 0.3, "eta " + d.eta());
        assertTrue(d.stepBound() >= 1, "step bound " + d.stepBound());
        assertTrue(d.contraction() < Math.pow(s.lambda(), 2), "faster than two plain rounds: " + d.contraction());
        // the theory's own eta at R = 2 contracts too, but leaves a mode that allows only a*L < 0.17
        double top = AcceleratedGossip.recommendedEta(s.lambda());
        assertTrue(AgPolynomial.stableStep(DetagSettings.nonConsensus(s), 2, top) < 0.17);
    }

    @Test
    void autoTakesOneRoundWhereEveryModeAllowsIt() {
        DetagSettings lazy = DetagSettings.resolve(config(), spectrum("ring", 16, "lazy", 1));
        assertEquals(1, lazy.rounds());
        assertTrue(lazy.eta() > 0 && lazy.stepBound() >= 1);
        DetagSettings complete = DetagSettings.resolve(config(), spectrum("complete", 8, "metropolis", 1));
        assertEquals(1, complete.rounds());
        assertEquals(0, complete.eta());
    }

    @Test
    void theoryRoundsFollowCorollarySixAndAreCapped() {
        Spectrum ring = spectrum("ring", 16, "metropolis", 1); // lambda 0.949
        assertEquals((int) Math.ceil(0.5 * Math.log(16) / Math.sqrt(1 - ring.lambda())),
                DetagSettings.resolve(config("detag.R=theory"), ring).rounds());
        assertEquals(7, DetagSettings.resolve(config("detag.R=theory"), ring).rounds());
        assertEquals(DetagSettings.MAX_THEORY_ROUNDS,
                DetagSettings.resolve(config("detag.R=theory"), spectrum("ring", 16, "lazy", 0.01)).rounds());
    }

    @Test
    void aPhaseThatExpandsAModeIsRefusedWithTheFixes() {
        Spectrum s = spectrum("ring", 16, "metropolis", 1);
        DetrainException e = assertThrows(DetrainException.class,
                () -> DetagSettings.resolve(config("detag.R=1", "detag.eta=0.52"), s));
        assertEquals(DetrainException.BAD_INPUT, e.exitCode());
        for (String fix : List.of("detag.eta=auto", "detag.eta=0", "weights=lazy", "gossip.allow.unstable=true", "by -1.027")) {
            assertTrue(e.getMessage().contains(fix), fix + " missing from: " + e.getMessage());
        }
        DetagSettings forced = DetagSettings.resolve(config("detag.R=1", "detag.eta=0.52", "gossip.allow.unstable=true"), s);
        assertTrue(forced.contraction() > 1);
        // an explicit R with eta=auto always gets a stable eta
        for (int r = 1; r <= 8; r++) {
            DetagSettings d = DetagSettings.resolve(config("detag.R=" + r), s);
            assertTrue(d.contraction() < 1 && (r == 1 || d.stepBound() >= 1), "R=" + r + ": " + d);
        }
    }

    @Test
    void theRefusalNamesTheSmallestPhaseLengthThatContractsAndCoversTheInitialPhaseToo() {
        Spectrum s = spectrum("ring", 16, "metropolis", 1);
        double[] modes = DetagSettings.nonConsensus(s);
        DetrainException e = assertThrows(DetrainException.class,
                () -> DetagSettings.resolve(config("detag.R=1", "detag.eta=0.52"), s));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("or detag.R=(\\d+) or more").matcher(e.getMessage());
        assertTrue(m.find(), e.getMessage());
        int named = Integer.parseInt(m.group(1));
        assertTrue(AgPolynomial.contraction(modes, named, 0.52) < 1, "the named R contracts");
        for (int r = 2; r < named; r++) {
            assertTrue(AgPolynomial.contraction(modes, r, 0.52) >= 1, "R=" + r + " would have been named first");
        }
        assertTrue(e.getMessage().contains(String.format(java.util.Locale.ROOT, "eigenvalues %.4f to %.4f",
                s.lambdaMin(), modes[0])), e.getMessage());
        // a dynamic phase length: the initial phases are checked as well as the later ones
        DetrainException initial = assertThrows(DetrainException.class,
                () -> DetagSettings.resolve(config("detag.R=" + named, "detag.R.initial=1", "detag.R.switch=1",
                        "detag.eta=0.52"), s));
        assertTrue(initial.getMessage().startsWith("detag.R=1 with"), initial.getMessage());
        DetagSettings.resolve(config("detag.R=" + named, "detag.eta=0.52"), s); // the later phases alone are fine
    }

    /** Every topology and weight scheme the schema offers: the defaults contract and keep the consensus step bound. */
    @Test
    void defaultsAreStableOnEveryTopologyAndWeightScheme() {
        int checked = 0;
        for (String topology : List.of("ring", "torus", "complete", "star", "path", "hypercube", "exponential",
                "erdos-renyi")) {
            for (int n : new int[] {2, 3, 4, 5, 8, 9, 16, 31}) {
                if (topology.equals("hypercube") && Integer.bitCount(n) != 1) {
                    continue;
                }
                for (String weights : List.of("metropolis", "lazy", "uniform")) {
                    for (double kappa : new double[] {1, 0.1}) {
                        Spectrum s;
                        try {
                            s = spectrum(topology, n, weights, kappa);
                        } catch (DetrainException notRegular) {
                            continue; // uniform weights need a regular graph
                        }
                        DetagSettings d = DetagSettings.resolve(config(), s);
                        String what = topology + " n=" + n + " " + weights + " kappa=" + kappa + ": " + d;
                        assertTrue(d.contraction() < 1 || n == 1, what);
                        assertTrue(d.stepBound() >= 1 - 1e-9, what);
                        checked++;
                    }
                }
            }
        }
        assertTrue(checked > 200, "checked " + checked);
    }
}
