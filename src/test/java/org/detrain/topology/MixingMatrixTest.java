package org.detrain.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.detrain.util.DetrainException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MixingMatrixTest {
    private static final double EPS = 1e-12;
    private static final double THIRD = 1.0 / 3;

    private static void assertMatrixEquals(double[][] expected, MixingMatrix w, double tolerance) {
        double[][] actual = w.toArray();
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], actual[i], tolerance, "row " + i);
        }
    }

    private static void assertDoublyStochasticAndSymmetric(MixingMatrix w) {
        int n = w.size();
        for (int i = 0; i < n; i++) {
            double row = 0;
            double col = 0;
            for (int j = 0; j < n; j++) {
                row += w.weight(i, j);
                col += w.weight(j, i);
                assertEquals(w.weight(i, j), w.weight(j, i), 0.0, "symmetric at " + i + "," + j);
            }
            assertEquals(1.0, row, EPS, "row " + i);
            assertEquals(1.0, col, EPS, "column " + i);
        }
        assertDoesNotThrow(() -> w.validate(true));
    }

    @Test
    void metropolisOnTinyGraphsMergesDuplicates() {
        assertMatrixEquals(new double[][] {{1}}, MixingMatrix.metropolis(Topologies.ring(1)), 0.0);
        MixingMatrix two = MixingMatrix.metropolis(Topologies.ring(2));
        // Degrees 1 (not 2: the neighbour on both sides is one neighbour): 1/(1+1) each.
        assertMatrixEquals(new double[][] {{0.5, 0.5}, {0.5, 0.5}}, two, 0.0);
        assertDoublyStochasticAndSymmetric(two);
        MixingMatrix square = MixingMatrix.metropolis(Topologies.torus(2, 2));
        assertMatrixEquals(new double[][] {
            {THIRD, THIRD, THIRD, 0},
            {THIRD, THIRD, 0, THIRD},
            {THIRD, 0, THIRD, THIRD},
            {0, THIRD, THIRD, THIRD}}, square, EPS);
        assertDoublyStochasticAndSymmetric(square);
    }

    @Test
    void metropolisOnANonRegularGraph() {
        Graph star = Graph.fromEdges("star(4)", 4, new int[][] {{0, 1}, {0, 2}, {0, 3}});
        MixingMatrix w = MixingMatrix.metropolis(star);
        // Every edge touches the hub of degree 3: 1/(1+3) = 1/4; the hub keeps 1/4, a leaf 3/4.
        assertMatrixEquals(new double[][] {
            {0.25, 0.25, 0.25, 0.25},
            {0.25, 0.75, 0, 0},
            {0.25, 0, 0.75, 0},
            {0.25, 0, 0, 0.75}}, w, EPS);
        assertDoublyStochasticAndSymmetric(w);
        assertArrayEquals(new double[] {0.25, 0.25, 0.25}, w.neighbourWeights(0), EPS);
        assertArrayEquals(new double[] {0.25}, w.neighbourWeights(2), EPS);
        assertEquals(0.75, w.selfWeight(3), EPS);
    }

    @Test
    void lazyMetropolisWeights() {
        MixingMatrix ring = MixingMatrix.lazyMetropolis(Topologies.ring(6));
        for (int i = 0; i < 6; i++) {
            assertEquals(0.5, ring.selfWeight(i), 0.0);
            assertArrayEquals(new double[] {0.25, 0.25}, ring.neighbourWeights(i), 0.0);
        }
        assertEquals(0.0, ring.weight(0, 3), 0.0);
        assertDoublyStochasticAndSymmetric(ring);
        assertMatrixEquals(new double[][] {{1}}, MixingMatrix.lazyMetropolis(Topologies.ring(1)), 0.0);
        assertMatrixEquals(new double[][] {{0.5, 0.5}, {0.5, 0.5}}, MixingMatrix.lazyMetropolis(Topologies.ring(2)), 0.0);
        MixingMatrix torus = MixingMatrix.lazyMetropolis(Topologies.torus(2, 4));
        for (int i = 0; i < 8; i++) {
            assertEquals(0.5, torus.selfWeight(i), EPS);
            assertArrayEquals(new double[] {1.0 / 6, 1.0 / 6, 1.0 / 6}, torus.neighbourWeights(i), EPS);
        }
        assertDoublyStochasticAndSymmetric(torus);
        assertEquals("lazy", torus.weights());
    }

    @Test
    void uniformWeightsOnRingAndTorus() {
        MixingMatrix ring = MixingMatrix.uniform(Topologies.ring(5));
        for (int i = 0; i < 5; i++) {
            assertEquals(THIRD, ring.selfWeight(i), 0.0);
            assertArrayEquals(new double[] {THIRD, THIRD}, ring.neighbourWeights(i), 0.0);
        }
        assertDoublyStochasticAndSymmetric(ring);
        MixingMatrix torus = MixingMatrix.uniform(Topologies.torus(4, 4));
        for (int i = 0; i < 16; i++) {
            assertEquals(0.2, torus.selfWeight(i), 0.0);
            assertArrayEquals(new double[] {0.2, 0.2, 0.2, 0.2}, torus.neighbourWeights(i), 0.0);
        }
        assertDoublyStochasticAndSymmetric(torus);
    }

    @Test
    void smallToriAreDoublyStochasticWithEveryWeighting() {
        for (Graph g : new Graph[] {Topologies.torus(2, 4), Topologies.torus(1, 5), Topologies.torus(2, 2),
                Topologies.torus(2, 1), Topologies.torus(1, 1)}) {
            for (String weights : MixingMatrix.WEIGHT_NAMES) {
                MixingMatrix w = MixingMatrix.build(g, weights, 1.0);
                assertDoublyStochasticAndSymmetric(w);
                for (int i = 0; i < g.size(); i++) {
                    assertEquals(g.degree(i), w.neighbourWeights(i).length);
                }
            }
        }
        // 2x4 with uniform weights: 1/(3+1) on each of the three merged neighbours.
        MixingMatrix w = MixingMatrix.uniform(Topologies.torus(2, 4));
        assertEquals(0.25, w.weight(1, 5), 0.0);
        assertEquals(0.25, w.selfWeight(1), 0.0);
        // 1x5 is ring(5): Metropolis gives 1/3.
        assertEquals(THIRD, MixingMatrix.metropolis(Topologies.torus(1, 5)).weight(0, 4), EPS);
    }

    @Test
    void uniformOnANonRegularGraphIsOnlyRowStochastic() {
        Graph path = Graph.fromEdges("path(3)", 3, new int[][] {{0, 1}, {1, 2}});
        MixingMatrix w = MixingMatrix.uniform(path);
        assertMatrixEquals(new double[][] {{0.5, 0.5, 0}, {THIRD, THIRD, THIRD}, {0, 0.5, 0.5}}, w, EPS);
        assertDoesNotThrow(() -> w.validate(false));
        DetrainException e = assertThrows(DetrainException.class, () -> w.validate(true));
        assertTrue(e.getMessage().contains("regular") && e.getMessage().contains("weights=metropolis"), e.getMessage());
        assertFalse(w.isSymmetric());
        assertThrows(DetrainException.class, w::spectrum);
    }

    @Test
    void kappaSlackMixesTowardsTheIdentity() {
        MixingMatrix base = MixingMatrix.metropolis(Topologies.ring(4));
        MixingMatrix slack = base.withKappa(0.25);
        // kappa * 1/3 off the diagonal, kappa * 1/3 + 3/4 on it.
        assertEquals(0.25 * THIRD, slack.weight(0, 1), EPS);
        assertEquals(0.25 * THIRD + 0.75, slack.selfWeight(0), EPS);
        assertEquals(0.0, slack.weight(0, 2), 0.0);
        assertEquals(0.25, slack.kappa(), 0.0);
        assertEquals(1.0, base.kappa(), 0.0);
        assertEquals("metropolis", slack.weights());
        assertDoublyStochasticAndSymmetric(slack);
        MixingMatrix twice = base.withKappa(0.5).withKappa(0.5);
        assertEquals(0.25, twice.kappa(), 0.0);
        assertMatrixEquals(slack.toArray(), twice, EPS);
        assertEquals(base, base.withKappa(1.0));
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.0, -0.1, 1.5, Double.NaN, Double.POSITIVE_INFINITY})
    void kappaOutsideTheUnitIntervalIsRejected(double kappa) {
        MixingMatrix base = MixingMatrix.metropolis(Topologies.ring(4));
        DetrainException e = assertThrows(DetrainException.class, () -> base.withKappa(kappa));
        assertTrue(e.getMessage().contains("(0, 1]"), e.getMessage());
        assertThrows(DetrainException.class, () -> MixingMatrix.build(Topologies.ring(4), "metropolis", kappa));
    }

    @Test
    void buildByName() {
        Graph g = Topologies.ring(16);
        assertEquals(MixingMatrix.lazyMetropolis(g).withKappa(0.1), MixingMatrix.build(g, "lazy", 0.1));
        assertEquals(MixingMatrix.metropolis(g), MixingMatrix.build(g, "Metropolis", 1.0));
        assertEquals(MixingMatrix.uniform(g), MixingMatrix.build(g, "uniform", 1.0));
        DetrainException e = assertThrows(DetrainException.class, () -> MixingMatrix.build(g, "max-degree", 1.0));
        assertTrue(e.getMessage().contains("max-degree") && e.getMessage().contains("metropolis, lazy, uniform"),
                e.getMessage());
    }

    @Test
    void validateCatchesANegativeEntry() {
        MixingMatrix w = MixingMatrix.fromArray(Topologies.ring(3),
                new double[][] {{1.2, -0.1, -0.1}, {-0.1, 1.2, -0.1}, {-0.1, -0.1, 1.2}}, "negative");
        DetrainException e = assertThrows(DetrainException.class, () -> w.validate(false));
        assertTrue(e.getMessage().contains("W[0][1]") && e.getMessage().contains("negative"), e.getMessage());
    }

    @Test
    void validateCatchesAWeightOffTheGraph() {
        double[][] raw = MixingMatrix.metropolis(Topologies.ring(4)).toArray();
        raw[0][2] = 0.1;
        raw[0][0] -= 0.1;
        MixingMatrix w = MixingMatrix.fromArray(Topologies.ring(4), raw, "off-graph");
        DetrainException e = assertThrows(DetrainException.class, () -> w.validate(false));
        assertTrue(e.getMessage().contains("W[0][2]") && e.getMessage().contains("no edge 0-2"), e.getMessage());
    }

    @Test
    void validateCatchesARowThatDoesNotSumToOne() {
        double[][] raw = MixingMatrix.metropolis(Topologies.ring(4)).toArray();
        raw[1][1] -= 0.1;
        MixingMatrix w = MixingMatrix.fromArray(Topologies.ring(4), raw, "short-row");
        DetrainException e = assertThrows(DetrainException.class, () -> w.validate(false));
        assertTrue(e.getMessage().contains("row 1") && e.getMessage().contains("weights=metropolis"), e.getMessage());
        // Rounding-level error is accepted; 1e-11 is not.
        raw[1][1] += 0.1 + 5e-13;
        assertDoesNotThrow(() -> MixingMatrix.fromArray(Topologies.ring(4), raw, "rounded").validate(true));
        raw[1][1] += 1e-11;
        assertThrows(DetrainException.class, () -> MixingMatrix.fromArray(Topologies.ring(4), raw, "off").validate(false));
    }

    @Test
    void validateCatchesAnAsymmetricMatrixOnlyWhenDoublyStochasticIsRequired() {
        MixingMatrix oneWay = MixingMatrix.fromArray(Topologies.ring(3),
                new double[][] {{0.5, 0.5, 0}, {0, 0.5, 0.5}, {0.5, 0, 0.5}}, "one-way");
        assertDoesNotThrow(() -> oneWay.validate(false));
        DetrainException e = assertThrows(DetrainException.class, () -> oneWay.validate(true));
        assertTrue(e.getMessage().contains("W[0][1]") && e.getMessage().contains("not symmetric"), e.getMessage());
    }

    @Test
    void fromArrayChecksShapeAndCopies() {
        Graph g = Topologies.ring(2);
        assertThrows(DetrainException.class, () -> MixingMatrix.fromArray(g, new double[][] {{1}}, "small"));
        assertThrows(DetrainException.class, () -> MixingMatrix.fromArray(g, new double[][] {{1, 0}, {1}}, "ragged"));
        assertThrows(DetrainException.class,
                () -> MixingMatrix.fromArray(g, new double[][] {{0.5, 0.5}, {Double.NaN, 0.5}}, "nan"));
        double[][] raw = {{0.5, 0.5}, {0.5, 0.5}};
        MixingMatrix w = MixingMatrix.fromArray(g, raw, "mine");
        raw[0][0] = 7;
        assertEquals(0.5, w.weight(0, 0), 0.0);
        w.toArray()[0][0] = 7;
        assertEquals(0.5, w.weight(0, 0), 0.0);
        assertEquals("mine", w.weights());
        assertSame(g, w.graph());
        assertEquals(2, w.size());
        assertThrows(DetrainException.class, () -> w.weight(0, 2));
    }
}
