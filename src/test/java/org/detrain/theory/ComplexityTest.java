package org.detrain.theory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.detrain.cli.Main;
import org.detrain.util.DetrainException;
import org.junit.jupiter.api.Test;

/** The complexity table of spec/algorithms.md, evaluated by hand, and the theory command's output. */
class ComplexityTest {
    @Test
    void everyRowMatchesItsFormula() {
        // Δ = 2, L = 3, σ = 0.5, ς = 4, ς0 = 5, B = 8, ε = 0.5; n = 8, λ = 0.75, D = 4.
        Complexity.Constants c = new Complexity.Constants(2, 3, 0.5, 4, 5, 8, 0.5);
        List<Complexity.Row> rows = Complexity.evaluate(c, 8, 0.75, 4);
        double dl = 6;
        double e2 = 0.25;
        double sample = dl * 0.25 / (8 * 8 * e2 * e2);  // ΔLσ²/(nBε⁴) = 1.5/4 = 0.375
        assertEquals(0.375, sample, 1e-15);
        double[] expected = {
            dl * 4 / e2,                                              // ΔL·D/ε² = 96
            dl / (e2 * Math.sqrt(0.25)),                              // ΔL/(ε²√(1−λ)) = 48
            dl * 4 / e2,                                              // DeFacto = 96
            dl * Math.log(8 + 5 * 8 / (0.5 * Math.sqrt(6))) / (e2 * 0.5), // DeTAG
            dl * 8 * 4 / (e2 * 0.0625),                               // D-PSGD: ΔL·n·ς/(ε²(1−λ)²) = 12288
            0.5625 * dl * 8 * 5 / (e2 * 0.015625),                    // D²: λ²·ΔL·n·ς0/(ε²(1−λ)³) = 34560
        };
        assertEquals(List.of("lower bound (any protocol)", "lower bound (gossip)", "DeFacto", "DeTAG", "D-PSGD, SGP",
                "D², DSGT"), rows.stream().map(Complexity.Row::algorithm).toList());
        for (int i = 0; i < rows.size(); i++) {
            assertEquals(expected[i], rows.get(i).communication(), 1e-9 * expected[i], rows.get(i).algorithm());
            assertEquals(sample, rows.get(i).sample(), 1e-15);
            assertEquals(expected[i] + sample, rows.get(i).total(), 1e-9 * expected[i]);
        }
        assertEquals(12288, rows.get(4).communication(), 1e-9);
        assertEquals(34560, rows.get(5).communication(), 1e-9);
        assertEquals(List.of("DeFacto"), Complexity.favoured(rows, false).stream().map(Complexity.Row::algorithm).toList());
        assertEquals(List.of("DeTAG"), Complexity.favoured(rows, true).stream().map(Complexity.Row::algorithm).toList());
    }

    @Test
    void constantsMustBePositive() {
        assertTrue(assertThrows(DetrainException.class, () -> new Complexity.Constants(1, 1, 1, 1, 1, 1, 0)).getMessage()
                .contains("epsilon (ε) = 0.0 must be a finite number > 0: pass e.g. --epsilon 1"));
        new Complexity.Constants(1, 1, 0, 0, 0, 1, 0.1); // noiseless, homogeneous: allowed
    }

    private static String[] run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new String[] {Integer.toString(code), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void theoryCommandPrintsLambdaEtaRAndTheTable() {
        String[] r = run("theory", "--topology", "ring", "--n", "16", "--weights", "lazy", "--kappa", "0.01");
        assertEquals("0", r[0], r[2]);
        String out = r[1];
        double gap = 0.01 * Math.pow(Math.sin(Math.PI / 16), 2);
        double s = Math.sqrt(1 - (1 - gap) * (1 - gap));
        assertContains(out, "theory for ring(16), weights lazy, κ = 0.01\n");
        assertContains(out, "diameter D                                     8\n");
        assertContains(out, "spectral gap 1 − λ                             " + org.detrain.util.Formats.sig(gap, 4) + "\n");
        assertContains(out, "3.806e-4");
        assertContains(out, org.detrain.util.Formats.sig((1 - s) / (1 + s), 6));
        int rounds = (int) Math.ceil(0.5 * Math.log(16) / Math.sqrt(gap));
        assertContains(out, "→ " + rounds + " rounds");
        assertContains(out, "D-PSGD, SGP");
        assertContains(out, "theory favours: DeFacto");
        assertContains(out, "among gossip algorithms: DeTAG");

        String[] torus = run("theory", "--topology", "torus", "-np", "16", "--rounds", "3", "--epsilon", "0.01");
        assertEquals("0", torus[0], torus[2]);
        assertContains(torus[1], "λ = max(|λ₂|, |λₙ|)                            0.6\n");
        assertContains(torus[1], "λₙ (smallest)                                  -0.6   (≤ −1/3: D² refuses this W; use weights=lazy)");
        assertContains(torus[1], "ε = 0.01");
        assertTrue(torus[1].contains("\n       3  "), torus[1]); // the contraction table ends at --rounds 3
    }

    @Test
    void theoryCommandTakesTheTopologyFromAConfigAndRejectsBadInput() throws Exception {
        java.nio.file.Path config = java.nio.file.Files.createTempFile("theory", ".properties");
        try {
            java.nio.file.Files.writeString(config, "topology = torus\ntopology.rows = 2\ntopology.cols = 4\nweights = lazy\n");
            String[] r = run("theory", "--config", config.toString(), "--n", "8");
            assertEquals("0", r[0], r[2]);
            assertContains(r[1], "theory for torus(2x4), weights lazy\n");
        } finally {
            java.nio.file.Files.delete(config);
        }
        String[] noN = run("theory", "--topology", "ring");
        assertEquals("2", noN[0]);
        assertContains(noN[2], "theory needs the number of ranks: pass --n N");
        String[] badName = run("theory", "--topology", "moebius", "--n", "8");
        assertEquals("2", badName[0]);
        assertContains(badName[2], "unknown topology 'moebius': use one of ring, torus, complete");
        String[] badNumber = run("theory", "--n", "8", "--kappa", "x");
        assertEquals("2", badNumber[0]);
        assertContains(badNumber[2], "--kappa must be a finite number, got 'x'");
    }

    private static void assertContains(String text, String expected) {
        assertTrue(text.contains(expected), "expected\n" + expected + "\nin\n" + text);
    }
}
