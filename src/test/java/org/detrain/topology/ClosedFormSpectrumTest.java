package org.detrain.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The structured spectra (W = I − w·L with L's eigenvalues in closed form) against EJML's dense
 * decomposition, for every shape, small and odd sizes included, and every built-in weighting.
 */
class ClosedFormSpectrumTest {
    private static final double TOLERANCE = 1e-12;

    private static List<Graph> structuredGraphs() {
        List<Graph> graphs = new ArrayList<>();
        for (int n : new int[] {1, 2, 3, 4, 5, 8, 17}) {
            graphs.add(Topologies.ring(n));
            graphs.add(Topologies.complete(n));
            graphs.add(Topologies.star(n));
            graphs.add(Topologies.path(n));
            graphs.add(Topologies.exponential(n));
        }
        for (int n : new int[] {12, 33, 64}) {
            graphs.add(Topologies.exponential(n));
        }
        for (int[] side : new int[][] {{1, 1}, {1, 5}, {2, 2}, {2, 3}, {3, 3}, {3, 4}, {4, 4}, {2, 7}, {5, 6}}) {
            graphs.add(Topologies.torus(side[0], side[1]));
        }
        for (int n : new int[] {1, 2, 4, 8, 16, 32}) {
            graphs.add(Topologies.hypercube(n));
        }
        return graphs;
    }

    @Test
    void everyShapeAndWeightingAgreesWithTheDenseDecomposition() {
        int compared = 0;
        for (Graph g : structuredGraphs()) {
            List<MixingMatrix> matrices = new ArrayList<>(List.of(MixingMatrix.metropolis(g), MixingMatrix.lazyMetropolis(g),
                    MixingMatrix.metropolis(g).withKappa(0.3), MixingMatrix.lazyMetropolis(g).withKappa(0.01)));
            if (g.isRegular()) {
                matrices.add(MixingMatrix.uniform(g));
            }
            for (MixingMatrix w : matrices) {
                Spectrum closed = w.closedFormSpectrum();
                assertNotNull(closed, "no closed form for " + w);
                Spectrum dense = Spectrum.ofSymmetric(w.toArray());
                assertArrayEquals(dense.eigenvalues(), closed.eigenvalues(), TOLERANCE, w.toString());
                compared++;
            }
        }
        assertEquals(structuredGraphs().size() * 4 + structuredGraphs().stream().filter(Graph::isRegular).count(), compared);
    }

    @Test
    void aboveTheDenseLimitTheSpectrumIsTheClosedForm() {
        int n = MixingMatrix.DENSE_SPECTRUM_LIMIT + 44;
        MixingMatrix w = MixingMatrix.metropolis(Topologies.ring(n));
        Spectrum used = w.spectrum();
        assertArrayEquals(w.closedFormSpectrum().eigenvalues(), used.eigenvalues(), 0.0);
        Spectrum dense = Spectrum.ofSymmetric(w.toArray());
        assertEquals(dense.lambda(), used.lambda(), TOLERANCE);
        assertEquals(dense.lambdaMin(), used.lambdaMin(), TOLERANCE);
        // at or below the limit every run keeps the dense decomposition's exact bits
        MixingMatrix small = MixingMatrix.metropolis(Topologies.ring(MixingMatrix.DENSE_SPECTRUM_LIMIT));
        assertArrayEquals(Spectrum.ofSymmetric(small.toArray()).eigenvalues(), small.spectrum().eigenvalues(), 0.0);
    }

    @Test
    void graphsWithoutAShapeAndOtherMatricesFallBackToTheDecomposition() {
        Graph random = Topologies.erdosRenyi(12, 0.5, 3);
        assertNull(MixingMatrix.metropolis(random).closedFormSpectrum());
        // a ring with one edge weighted differently is not I - wL
        Graph ring = Topologies.ring(6);
        double[][] w = MixingMatrix.metropolis(ring).toArray();
        w[0][1] = w[1][0] = 0.25;
        w[0][0] = w[1][1] = 1 - 0.25 - 1.0 / 3;
        assertNull(MixingMatrix.fromArray(ring, w, "skewed").closedFormSpectrum());
        // weight off the graph's edges
        double[][] off = MixingMatrix.metropolis(ring).toArray();
        off[0][3] = off[3][0] = 0.1;
        off[0][0] -= 0.1;
        off[3][3] -= 0.1;
        assertNull(MixingMatrix.fromArray(ring, off, "off-graph").closedFormSpectrum());
    }
}
