package org.detrain.theory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.detrain.algo.Context;
import org.detrain.algo.DetagSettings;
import org.detrain.config.RunConfig;
import org.detrain.gossip.AcceleratedGossip;
import org.detrain.topology.MixingMatrix;
import org.detrain.topology.Topologies;
import org.detrain.util.DetrainException;
import org.junit.jupiter.api.Test;

/** λ, η, R and the gossip contraction against closed forms on rings and tori. */
class GossipTheoryTest {
    private static TheoryReport.Result analyse(String topology, int n, int rows, int cols, String weights, double kappa) {
        return TheoryReport.analyse(new TheoryReport.Options(topology, n, rows, cols, weights, kappa, null, null, null, 1,
                Complexity.Constants.DEFAULTS));
    }

    /** η = (1 − √(1 − λ²)) / (1 + √(1 − λ²)), written out independently of the code. */
    private static double eta(double lambda) {
        double s = Math.sqrt(1 - lambda * lambda);
        return (1 - s) / (1 + s);
    }

    @Test
    void lazyRingLambdaIsCosSquaredOfPiOverNScaledByKappa() {
        // Lazy Metropolis ring: eigenvalues 1/2 + cos(2πk/n)/2 ∈ [0, 1], so λ = λ2 = cos²(π/n), and
        // κ-slack maps μ to 1 − κ(1 − μ): 1 − λ = κ·sin²(π/n).
        for (int n : new int[] {4, 8, 16, 32}) {
            for (double kappa : new double[] {1, 0.1, 0.05, 0.01}) {
                TheoryReport.Result r = analyse("ring", n, 0, 0, "lazy", kappa);
                double gap = kappa * Math.pow(Math.sin(Math.PI / n), 2);
                assertEquals(gap, r.spectralGap(), 1e-12, "n=" + n + " kappa=" + kappa);
                assertEquals(eta(1 - gap), r.eta(), 1e-9, "eta n=" + n + " kappa=" + kappa);
            }
        }
    }

    @Test
    void paperSpectralGapsOfTheSixteenNodeLazyRing() {
        // the paper's spectral-gap study (docs/algorithms.md): κ ∈ {1, 0.1, 0.05, 0.01} give 1 − λ ≈ 3.8e-2, 3.8e-3, 1.9e-3, 3.8e-4.
        double[] kappas = {1, 0.1, 0.05, 0.01};
        double[] gaps = {3.8e-2, 3.8e-3, 1.9e-3, 3.8e-4};
        for (int i = 0; i < kappas.length; i++) {
            double gap = analyse("ring", 16, 0, 0, "lazy", kappas[i]).spectralGap();
            assertEquals(gaps[i], gap, 0.01 * gaps[i], "kappa " + kappas[i]);
        }
    }

    @Test
    void metropolisRingLambdaIncludesTheNegativeEndOfTheSpectrum() {
        // Metropolis on a ring is 1/3 everywhere: eigenvalues (1 + 2cos(2πk/n))/3; for even n the
        // smallest is −1/3, which beats λ2 for n ≤ 4.
        for (int n : new int[] {3, 4, 5, 8, 16}) {
            double lambda2 = (1 + 2 * Math.cos(2 * Math.PI / n)) / 3;
            double lambdaMin = (1 + 2 * Math.cos(2 * Math.PI * (n / 2) / n)) / 3;
            double lambda = Math.max(Math.abs(lambda2), Math.abs(lambdaMin));
            TheoryReport.Result r = analyse("ring", n, 0, 0, "metropolis", 1);
            assertEquals(lambda, r.lambda(), 1e-12, "n=" + n);
            assertEquals(eta(lambda), r.eta(), 1e-9, "n=" + n);
            assertEquals(n / 2, r.diameter());
        }
    }

    @Test
    void torusLambdaFromTheProductSpectrum() {
        // A torus r x c with sides ≥ 3 is 4-regular. Metropolis gives 1/5 per neighbour, so the
        // eigenvalues are (1 + 2cos(2πa/r) + 2cos(2πb/c))/5; lazy gives 1/8 per neighbour and 1/2 self:
        // 1/2 + (cos(2πa/r) + cos(2πb/c))/4.
        int[][] shapes = {{3, 3}, {4, 4}, {3, 5}, {4, 6}, {5, 5}};
        for (int[] s : shapes) {
            int rows = s[0];
            int cols = s[1];
            double metropolis = 0;
            double lazy = 0;
            for (int a = 0; a < rows; a++) {
                for (int b = 0; b < cols; b++) {
                    if (a == 0 && b == 0) {
                        continue;
                    }
                    double ca = Math.cos(2 * Math.PI * a / rows);
                    double cb = Math.cos(2 * Math.PI * b / cols);
                    metropolis = Math.max(metropolis, Math.abs((1 + 2 * ca + 2 * cb) / 5));
                    lazy = Math.max(lazy, Math.abs(0.5 + (ca + cb) / 4));
                }
            }
            TheoryReport.Result m = analyse("torus", rows * cols, rows, cols, "metropolis", 1);
            assertEquals(metropolis, m.lambda(), 1e-12, rows + "x" + cols);
            assertEquals(eta(metropolis), m.eta(), 1e-9);
            assertEquals(rows / 2 + cols / 2, m.diameter());
            TheoryReport.Result l = analyse("torus", rows * cols, rows, cols, "lazy", 1);
            assertEquals(lazy, l.lambda(), 1e-12, rows + "x" + cols);
            assertEquals(eta(lazy), l.eta(), 1e-9);
        }
        // 4x4 Metropolis: λ2 = (1 + 2 + 0)/5 = 0.6 and λn = (1 − 2 − 2)/5 = −0.6.
        assertEquals(0.6, analyse("torus", 16, 0, 0, "metropolis", 1).lambda(), 1e-12);
    }

    @Test
    void aRunWithEtaAutoGossipsWithTheSettingsTheTheoryCommandPrints() {
        // One choice for both: a DeTAG run's detag.R/detag.eta = auto (algo.DetagSettings) and `detrain theory`.
        for (String weights : List.of("lazy", "metropolis")) {
            for (double kappa : new double[] {1, 0.1, 0.01}) {
                TheoryReport.Result theory = analyse("ring", 16, 0, 0, weights, kappa);
                RunConfig config = RunConfig.load(null, List.of("topology=ring", "weights=" + weights,
                        "weights.kappa=" + kappa, "algorithm=detag"));
                MixingMatrix w = MixingMatrix.build(Topologies.ring(16), weights, kappa);
                DetagSettings run = DetagSettings.resolve(config, w.spectrum());
                assertEquals(run, theory.detagAuto(), weights + " kappa " + kappa);
                assertTrue(run.eta() <= theory.eta(), "auto never goes beyond the theory's eta");
            }
        }
        // D-PSGD's gossip.eta = auto stays within [0, the theory's eta] and contracts
        MixingMatrix w = MixingMatrix.build(Topologies.ring(16), "metropolis", 1);
        RunConfig config = RunConfig.load(null, List.of("algorithm=dpsgd", "gossip.eta=auto"));
        double eta = Context.gossipEta(config, w.spectrum());
        assertTrue(eta >= 0 && eta <= AcceleratedGossip.recommendedEta(w.spectrum().lambda()));
    }

    @Test
    void etaIsZeroWhenOneStepAveragesExactly() {
        assertEquals(0.0, AcceleratedGossip.recommendedEta(0));
        // Two ranks, lazy weights: W = [[1/2, 1/2], [1/2, 1/2]] averages in one step, λ = 0.
        TheoryReport.Result r = analyse("ring", 2, 0, 0, "lazy", 1);
        assertEquals(0.0, r.lambda(), 1e-15);
        assertEquals(0.0, r.eta(), 1e-15);
        assertEquals(1, r.rounds());
        assertEquals(0.0, r.accelerated()[0], 1e-15);
        assertEquals(0.0, r.plain()[0], 1e-15);
    }

    @Test
    void acceleratedGossipOnTheSlowestEigenvectorFollowsItsClosedForm() {
        // With η from λ, the scalar recurrence e_{r+1} = (1+η)λ e_r − η e_{r−1} has a double root √η, so
        // from e_{−1} = e_0 = 1: e_R = (1 + (1 − √η)R)·√η^R. Start z⁰ on λ's eigenvector cos(2πi/n).
        int n = 16;
        double kappa = 0.1;
        MixingMatrix w = MixingMatrix.build(Topologies.ring(n), "lazy", kappa);
        double lambda = 1 - kappa * Math.pow(Math.sin(Math.PI / n), 2);
        double eta = eta(lambda);
        double root = Math.sqrt(eta);
        double[] z0 = new double[n];
        for (int i = 0; i < n; i++) {
            z0[i] = Math.cos(2 * Math.PI * i / n);
        }
        int rounds = 40;
        double[] acc = GossipTheory.contraction(w.toArray(), eta, rounds, z0);
        double[] plain = GossipTheory.contraction(w.toArray(), 0, rounds, z0);
        for (int r = 0; r <= rounds; r++) {
            assertEquals((1 + (1 - root) * r) * Math.pow(root, r), acc[r], 1e-9, "accelerated, round " + r);
            assertEquals(Math.pow(lambda, r), plain[r], 1e-9, "plain, round " + r);
        }
        double[] eigen = w.spectrum().eigenvalues();
        assertEquals((1 + (1 - root) * rounds) * Math.pow(root, rounds), GossipTheory.worstCase(eigen, eta, rounds), 1e-9);
        assertEquals(Math.pow(lambda, rounds), GossipTheory.worstCase(eigen, 0, rounds), 1e-9);
    }

    @Test
    void afterTheRecommendedRoundsAcceleratedGossipIsWithinTwiceTheBoundOnRings() {
        // docs/algorithms.md: ‖z − z̄‖ ≤ c·(1 − √(1−λ))^R ‖z⁰ − z̄‖ with c ≈ 2 on rings, far below plain λ^R.
        for (int n : new int[] {8, 16, 32}) {
            for (double kappa : new double[] {1, 0.1, 0.01}) {
                TheoryReport.Result r = analyse("ring", n, 0, 0, "lazy", kappa);
                int last = r.shownRounds().length - 1;
                String where = "n=" + n + " kappa=" + kappa + " R=" + r.rounds();
                assertTrue(r.accelerated()[last] <= r.acceleratedWorst()[last] + 1e-12, where);
                assertTrue(r.acceleratedWorst()[last] <= 2 * r.bound()[last], where + ": " + r.acceleratedWorst()[last]
                        + " vs bound " + r.bound()[last]);
                assertTrue(r.acceleratedWorst()[last] < r.plainWorst()[last], where);
                assertEquals(Math.pow(r.lambda(), r.rounds()), r.plainWorst()[last], 1e-9, where);
            }
        }
    }

    @Test
    void recommendedPhaseLengthFollowsCorollarySix() {
        // Lazy 16-ring: 1 − λ = sin²(π/16), so R = ½·ln 16 / sin(π/16).
        TheoryReport.Result r = analyse("ring", 16, 0, 0, "lazy", 1);
        double expected = 0.5 * Math.log(16) / Math.sin(Math.PI / 16);
        assertEquals(expected, r.recommendedR(), 1e-9);
        assertEquals((int) Math.ceil(expected), r.rounds());
        // With T: the larger of ½·ln n and ½·ln(ς0²T/(ΔL)).
        double gap = Math.pow(Math.sin(Math.PI / 16), 2);
        assertEquals(0.5 * Math.log(4.0 * 1000 / (2 * 3)) / Math.sqrt(gap),
                GossipTheory.recommendedPhaseLength(16, 1 - gap, 4.0 * 1000 / (2 * 3)), 1e-9);
        assertEquals(0.5 * Math.log(16) / Math.sqrt(gap), GossipTheory.recommendedPhaseLength(16, 1 - gap, 2.0), 1e-9);
        assertEquals(1, GossipTheory.phaseRounds(0.0));
    }

    @Test
    void shownRoundsArePowersOfTwoThenR() {
        assertEquals("[1, 2, 4, 8, 10]", java.util.Arrays.toString(TheoryReport.shownRounds(10)));
        assertEquals("[1]", java.util.Arrays.toString(TheoryReport.shownRounds(1)));
        assertEquals("[1, 2, 4, 8]", java.util.Arrays.toString(TheoryReport.shownRounds(8)));
    }

    @Test
    void badInputNamesTheFix() {
        assertTrue(assertThrows(DetrainException.class, () -> analyse("moebius", 8, 0, 0, "lazy", 1)).getMessage()
                .contains("unknown topology 'moebius'"));
        assertTrue(assertThrows(DetrainException.class, () -> analyse("torus", 8, 3, 3, "lazy", 1)).getMessage()
                .contains("needs 9 ranks"));
        assertTrue(assertThrows(DetrainException.class, () -> analyse("ring", 8, 0, 0, "lazy", 0)).getMessage()
                .contains("weights.kappa"));
        assertTrue(assertThrows(DetrainException.class, () -> TheoryReport.analyse(new TheoryReport.Options("ring", 8, 0, 0,
                "lazy", 1, 1.5, null, null, 1, Complexity.Constants.DEFAULTS))).getMessage().contains("--eta 1.5 is outside [0, 1)"));
    }

    @Test
    void theoryAndTrainingAgreeOnWhereD2CanRun() {
        org.detrain.config.RunConfig d2 = org.detrain.config.RunConfig.load(null, java.util.List.of("algorithm=d2"));
        String[][] cases = {{"ring", "8", "metropolis"}, {"ring", "8", "lazy"}, {"ring", "7", "metropolis"},
            {"torus", "16", "metropolis"}, {"torus", "9", "metropolis"}};
        for (String[] c : cases) {
            TheoryReport.Result r = analyse(c[0], Integer.parseInt(c[1]), 0, 0, c[2], 1);
            String text = TheoryReport.format(r);
            boolean trainRuns;
            try {
                org.detrain.algo.Algorithms.validate(d2, r.spectrum());
                trainRuns = true;
            } catch (DetrainException e) {
                trainRuns = false;
            }
            String label = String.join(" ", c);
            assertEquals(trainRuns, text.contains("(> −1/3: D² can run)"), label + ":\n" + text);
            assertEquals(!trainRuns, text.contains("(≤ −1/3: D² refuses this W; use weights=lazy)"), label);
            assertEquals(!(c[0].equals("ring") && c[1].equals("8") && c[2].equals("metropolis")
                    || c[0].equals("torus") && c[1].equals("16") && c[2].equals("metropolis")), trainRuns, label);
        }
    }
}
