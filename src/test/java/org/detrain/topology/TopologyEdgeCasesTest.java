package org.detrain.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.detrain.util.DetrainException;
import org.junit.jupiter.api.Test;

/** Corners that mutation testing found unguarded. */
class TopologyEdgeCasesTest {
    @Test
    void degreesOfAStar() {
        Graph star = Topologies.star(6);
        assertEquals(1, star.minDegree());
        assertEquals(5, star.maxDegree());
        assertTrue(!star.isRegular());
        assertEquals(0, Topologies.ring(1).minDegree());
    }

    @Test
    void anEdgeEndAtRankNIsRefusedAsBadInput() {
        DetrainException e = assertThrows(DetrainException.class, () -> Graph.fromEdges("g", 3, new int[][] {{0, 3}}));
        assertTrue(e.getMessage().contains("names a rank outside 0..2"), e.getMessage());
        assertThrows(DetrainException.class, () -> Graph.fromEdges("g", 3, new int[][] {{3, 0}}));
        assertThrows(DetrainException.class, () -> Graph.fromEdges("g", 3, new int[][] {{-1, 2}}));
        assertThrows(DetrainException.class, () -> Graph.fromEdges("g", 3, new int[][] {{1, -1}}));
    }

    @Test
    void erdosRenyiWithProbabilityOneIsTheCompleteGraph() {
        assertEquals(Topologies.complete(6).edgeCount(), Topologies.erdosRenyi(6, 1.0, 3).edgeCount());
        assertThrows(DetrainException.class, () -> Topologies.erdosRenyi(6, 1.5, 3));
        DetrainException zero = assertThrows(DetrainException.class, () -> Topologies.erdosRenyi(6, 0, 3));
        assertTrue(zero.getMessage().contains("is not an edge probability"), zero.getMessage());
    }

    @Test
    void mixingMatricesAndSpectraAreEqualByValue() {
        MixingMatrix a = MixingMatrix.metropolis(Topologies.ring(5));
        assertEquals(a, MixingMatrix.metropolis(Topologies.ring(5)));
        assertEquals(a.hashCode(), MixingMatrix.metropolis(Topologies.ring(5)).hashCode());
        assertNotEquals(a, MixingMatrix.lazyMetropolis(Topologies.ring(5)));
        assertNotEquals(a, a.withKappa(0.5));
        assertNotEquals(a, MixingMatrix.metropolis(Topologies.path(5)));
        assertEquals(a.spectrum(), MixingMatrix.metropolis(Topologies.ring(5)).spectrum());
        assertNotEquals(a.spectrum(), MixingMatrix.lazyMetropolis(Topologies.ring(5)).spectrum());
        assertEquals(5, a.spectrum().size());
        assertEquals(a.spectrum().hashCode(), MixingMatrix.metropolis(Topologies.ring(5)).spectrum().hashCode());
    }

    @Test
    void everyTopologyNameBuildsTheGraphOfItsFactory() {
        assertEquals(Topologies.complete(5), Topologies.build(Topologies.Spec.of("complete", 5)));
        assertEquals(Topologies.star(5), Topologies.build(Topologies.Spec.of("star", 5)));
        assertEquals(Topologies.path(5), Topologies.build(Topologies.Spec.of("path", 5)));
        assertEquals(Topologies.hypercube(8), Topologies.build(Topologies.Spec.of("Hypercube", 8)));
        assertEquals(Topologies.exponential(6), Topologies.build(Topologies.Spec.of("exponential", 6)));
        assertEquals(Topologies.erdosRenyi(7, 0.5, 1), Topologies.build(Topologies.Spec.of("erdos-renyi", 7)));
        assertEquals(Topologies.ring(4), Topologies.build(Topologies.Spec.of(" ring ", 4)));
    }

    @Test
    void theEigenSolverRefusesANonSquareMatrix() {
        DetrainException e = assertThrows(DetrainException.class,
                () -> Spectrum.ofSymmetric(new double[][] {{1, 0}, {0}}));
        assertTrue(e.getMessage().contains("row 1 has 1 entries but the matrix has 2 rows"), e.getMessage());
    }

    @Test
    void userMatricesOfTheWrongShapeAreRefusedSayingWhatIsWrong() {
        Graph ring = Topologies.ring(3);
        DetrainException rows = assertThrows(DetrainException.class,
                () -> MixingMatrix.fromArray(ring, new double[2][3], "w.txt"));
        assertTrue(rows.getMessage().contains("has 2 rows but ring(3) has 3 ranks"), rows.getMessage());
        DetrainException row = assertThrows(DetrainException.class,
                () -> MixingMatrix.fromArray(ring, new double[][] {new double[3], new double[2], new double[3]}, "w.txt"));
        assertTrue(row.getMessage().contains("row 1 has 2 entries"), row.getMessage());
        assertThrows(DetrainException.class, () -> MixingMatrix.fromArray(ring, null, "w.txt"));
    }

    @Test
    void namesForLogs() {
        assertEquals("ring(3) (3 ranks, 3 edges)", Topologies.ring(3).toString());
        assertEquals("MixingMatrix['lazy' with kappa 0.5 on ring(3)]",
                MixingMatrix.lazyMetropolis(Topologies.ring(3)).withKappa(0.5).toString());
        assertTrue(MixingMatrix.metropolis(Topologies.ring(3)).spectrum().toString().startsWith("Spectrum[lambda="));
    }
}
