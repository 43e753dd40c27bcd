package org.detrain.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.detrain.util.DetrainException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MoreTopologiesTest {
    @Test
    void completeStarAndPathHaveTheirDegreesAndDiameters() {
        Graph k = Topologies.complete(6);
        assertEquals(15, k.edgeCount());
        assertEquals(1, k.diameter());
        Graph star = Topologies.star(6);
        assertEquals(5, star.degree(0));
        assertEquals(1, star.degree(3));
        assertEquals(2, star.diameter());
        Graph path = Topologies.path(6);
        assertEquals(5, path.diameter());
        assertArrayEquals(new int[] {0, 2}, path.neighbours(1));
        assertArrayEquals(new int[] {4}, path.neighbours(5));
        assertEquals(0, Topologies.complete(1).edgeCount());
    }

    @Test
    void hypercubeNeedsAPowerOfTwo() {
        Graph h = Topologies.hypercube(8);
        for (int i = 0; i < 8; i++) {
            assertEquals(3, h.degree(i));
        }
        assertEquals(3, h.diameter());
        assertArrayEquals(new int[] {1, 2, 4}, h.neighbours(0));
        DetrainException e = assertThrows(DetrainException.class, () -> Topologies.hypercube(6));
        assertTrue(e.getMessage().contains("-np 4 or 8"), e.getMessage());
    }

    @Test
    void exponentialGraphLinksPowerOfTwoHopsBothWays() {
        Graph g = Topologies.exponential(8);
        assertArrayEquals(new int[] {1, 2, 4, 6, 7}, g.neighbours(0));
        Graph odd = Topologies.exponential(6); // hops 1, 2, 4 on 6 ranks
        assertArrayEquals(new int[] {1, 2, 4, 5}, odd.neighbours(0));
        assertTrue(odd.isConnected());
    }

    @Test
    void erdosRenyiIsSeededAndConnected() {
        Graph a = Topologies.erdosRenyi(12, 0.3, 5);
        Graph b = Topologies.erdosRenyi(12, 0.3, 5);
        assertEquals(a, b);
        assertTrue(a.isConnected());
        boolean differs = false;
        for (long seed = 6; seed < 12 && !differs; seed++) {
            differs = !Topologies.erdosRenyi(12, 0.3, seed).equals(a);
        }
        assertTrue(differs, "other seeds give other graphs");
        assertEquals(66, Topologies.erdosRenyi(12, 1.0, 1).edgeCount());
        DetrainException e = assertThrows(DetrainException.class, () -> Topologies.erdosRenyi(40, 0.001, 1));
        assertTrue(e.getMessage().contains("raise topology.p"), e.getMessage());
    }

    @Test
    void edgeListFiles(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("g.txt");
        Files.writeString(f, "# a square with a diagonal\n0 1\n1,2\n2 3\n\n3 0\n0 2\n");
        Graph g = Topologies.build(new Topologies.Spec("file", 4, 0, 0, 0.5, 1, f));
        assertEquals(5, g.edgeCount());
        assertArrayEquals(new int[] {1, 2, 3}, g.neighbours(0));
        Files.writeString(f, "0 1\n1 7\n");
        DetrainException range = assertThrows(DetrainException.class, () -> Topologies.fromEdgeList(f, 4));
        assertTrue(range.getMessage().contains("g.txt:2") && range.getMessage().contains("rank 7"), range.getMessage());
        Files.writeString(f, "0 1 2\n");
        assertThrows(DetrainException.class, () -> Topologies.fromEdgeList(f, 4));
        Files.writeString(f, "0 1\n2 3\n");
        DetrainException split = assertThrows(DetrainException.class, () -> Topologies.fromEdgeList(f, 4));
        assertTrue(split.getMessage().contains("not connected"), split.getMessage());
        assertThrows(DetrainException.class, () -> Topologies.fromEdgeList(dir.resolve("none"), 4));
    }

    @Test
    void metropolisOnIrregularGraphsIsDoublyStochastic() {
        for (Graph g : new Graph[] {Topologies.star(7), Topologies.path(5), Topologies.erdosRenyi(10, 0.4, 3)}) {
            MixingMatrix w = MixingMatrix.metropolis(g);
            w.validate(true);
            assertTrue(w.spectrum().spectralGap() > 0, g.name());
            assertThrows(DetrainException.class, () -> MixingMatrix.uniform(g).validate(true), g.name());
        }
        assertNotEquals(0, Topologies.star(7).maxDegree());
    }
}
