package org.detrain.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Arrays;
import java.util.stream.IntStream;

import org.detrain.util.DetrainException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Spectra of mixing matrices against the closed forms of circulant (ring) and torus matrices. */
class SpectrumTest {
    private static final double EPS = 1e-12;

    static IntStream ringSizes() {
        return IntStream.concat(IntStream.rangeClosed(3, 12), IntStream.of(16));
    }

    private static double[] descending(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double[] result = new double[sorted.length];
        for (int i = 0; i < sorted.length; i++) {
            result[i] = sorted[sorted.length - 1 - i];
        }
        return result;
    }

    private static double cosTurn(int k, int n) {
        return Math.cos(2 * Math.PI * k / n);
    }

    @ParameterizedTest
    @MethodSource("ringSizes")
    void uniformRingMatchesTheCirculantClosedForm(int n) {
        double[] expected = new double[n];
        for (int k = 0; k < n; k++) {
            expected[k] = (1 + 2 * cosTurn(k, n)) / 3;
        }
        expected = descending(expected);
        Spectrum s = MixingMatrix.uniform(Topologies.ring(n)).spectrum();
        assertArrayEquals(expected, s.eigenvalues(), EPS);
        double lambda2 = (1 + 2 * cosTurn(1, n)) / 3;
        // The most negative eigenvalue sits at k = n/2 (even n) or k = (n-1)/2 (odd n).
        double lambdaMin = (1 + 2 * cosTurn(n / 2, n)) / 3;
        assertEquals(lambda2, s.lambda2(), EPS);
        assertEquals(lambdaMin, s.lambdaMin(), EPS);
        assertEquals(Math.max(Math.abs(lambda2), Math.abs(lambdaMin)), s.lambda(), EPS);
        assertEquals(1 - s.lambda(), s.spectralGap(), 0.0);
        assertEquals(1.0, s.lambda1(), EPS);
    }

    @ParameterizedTest
    @MethodSource("ringSizes")
    void lazyMetropolisRingMatchesTheClosedForm(int n) {
        double[] expected = new double[n];
        for (int k = 0; k < n; k++) {
            expected[k] = 0.5 + 0.5 * cosTurn(k, n);
        }
        Spectrum s = MixingMatrix.lazyMetropolis(Topologies.ring(n)).spectrum();
        assertArrayEquals(descending(expected), s.eigenvalues(), EPS);
        // Lazy eigenvalues are >= 0, so lambda is lambda2.
        assertEquals(0.5 + 0.5 * cosTurn(1, n), s.lambda(), EPS);
    }

    @ParameterizedTest
    @CsvSource({"1, 3.8e-2", "0.1, 3.8e-3", "0.05, 1.9e-3", "0.01, 3.8e-4"})
    void kappaSlackOnTheSixteenRingGivesThePapersGaps(double kappa, String paperGap) {
        Spectrum s = MixingMatrix.build(Topologies.ring(16), "lazy", kappa).spectrum();
        double gap = s.spectralGap();
        assertEquals(kappa * (1 - Math.cos(2 * Math.PI / 16)) / 2, gap, EPS);
        BigDecimal twoDigits = new BigDecimal(gap).round(new MathContext(2));
        assertEquals(0, twoDigits.compareTo(new BigDecimal(paperGap)), "gap " + gap + " rounds to " + twoDigits);
    }

    @ParameterizedTest
    @CsvSource({"3, 3", "4, 4", "3, 5"})
    void uniformTorusMatchesTheClosedForm(int rows, int cols) {
        double[] expected = new double[rows * cols];
        for (int a = 0; a < rows; a++) {
            for (int b = 0; b < cols; b++) {
                expected[a * cols + b] = (1 + 2 * cosTurn(a, rows) + 2 * cosTurn(b, cols)) / 5;
            }
        }
        Spectrum s = MixingMatrix.uniform(Topologies.torus(rows, cols)).spectrum();
        assertArrayEquals(descending(expected), s.eigenvalues(), EPS);
    }

    @Test
    void uniformTorusWithASideOfTwoCountsTheMergedNeighbourOnce() {
        // Degree 3, W = (I + A)/4 with A = A(K2) (x) I + I (x) A(C4): eigenvalues (1 +- 1 + 2cos(2 pi b/4))/4.
        double[] expected = {1, 0.5, 0.5, 0.5, 0, 0, 0, -0.5};
        Spectrum s = MixingMatrix.uniform(Topologies.torus(2, 4)).spectrum();
        assertArrayEquals(expected, s.eigenvalues(), EPS);
        assertEquals(0.5, s.lambda(), EPS);
    }

    @Test
    void metropolisAndLazyOnAPathByHand() {
        Graph path = Graph.fromEdges("path(3)", 3, new int[][] {{0, 1}, {1, 2}});
        // W = [[2/3,1/3,0],[1/3,1/3,1/3],[0,1/3,2/3]]: eigenvectors (1,1,1), (1,0,-1), (1,-2,1).
        assertArrayEquals(new double[] {1, 2.0 / 3, 0}, MixingMatrix.metropolis(path).spectrum().eigenvalues(), EPS);
        // Lazy: [[3/4,1/4,0],[1/4,1/2,1/4],[0,1/4,3/4]].
        Spectrum lazy = MixingMatrix.lazyMetropolis(path).spectrum();
        assertArrayEquals(new double[] {1, 0.75, 0.25}, lazy.eigenvalues(), EPS);
        assertEquals(0.25, lazy.spectralGap(), EPS);
    }

    @Test
    void singleRankHasLambdaZero() {
        Spectrum s = MixingMatrix.metropolis(Topologies.ring(1)).spectrum();
        assertArrayEquals(new double[] {1}, s.eigenvalues(), 0.0);
        assertEquals(0.0, s.lambda(), 0.0);
        assertEquals(0.0, s.lambda2(), 0.0);
        assertEquals(1.0, s.lambdaMin(), 0.0);
        assertEquals(1.0, s.spectralGap(), 0.0);
    }

    @Test
    void twoRanksAverageInOneStep() {
        Spectrum s = MixingMatrix.metropolis(Topologies.ring(2)).spectrum();
        assertArrayEquals(new double[] {1, 0}, s.eigenvalues(), EPS);
        assertEquals(0.0, s.lambda(), EPS);
    }

    @Test
    void recordSortsDescendingAndCopies() {
        double[] raw = {0.2, 1.0, -0.3, 0.5};
        Spectrum s = new Spectrum(raw);
        raw[0] = 42;
        assertArrayEquals(new double[] {1.0, 0.5, 0.2, -0.3}, s.eigenvalues(), 0.0);
        s.eigenvalues()[0] = 42;
        assertEquals(1.0, s.lambda1(), 0.0);
        assertEquals(0.5, s.lambda2(), 0.0);
        assertEquals(-0.3, s.lambdaMin(), 0.0);
        assertEquals(0.5, s.lambda(), 0.0);
        assertEquals(new Spectrum(new double[] {-0.3, 0.2, 0.5, 1.0}), s);
        assertEquals(0.7, new Spectrum(new double[] {1, 0.1, -0.7}).lambda(), 0.0);
        assertThrows(DetrainException.class, () -> new Spectrum(new double[0]));
        assertThrows(DetrainException.class, () -> new Spectrum(new double[] {1, Double.NaN}));
    }

    @Test
    void nonSymmetricMatricesHaveNoSpectrumYet() {
        Graph ring = Topologies.ring(3);
        // Doubly stochastic but not symmetric: each rank averages with its right neighbour only.
        MixingMatrix oneWay = MixingMatrix.fromArray(ring,
                new double[][] {{0.5, 0.5, 0}, {0, 0.5, 0.5}, {0.5, 0, 0.5}}, "one-way");
        DetrainException e = assertThrows(DetrainException.class, oneWay::spectrum);
        assertTrue(e.getMessage().contains("symmetric"), e.getMessage());
        assertThrows(DetrainException.class, () -> Spectrum.ofSymmetric(oneWay.toArray()));
    }
}
