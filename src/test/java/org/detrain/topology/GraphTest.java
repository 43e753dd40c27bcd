package org.detrain.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.detrain.util.DetrainException;
import org.junit.jupiter.api.Test;

class GraphTest {

    @Test
    void fromEdgesMergesDuplicatesInBothOrientationsAndDropsSelfLoops() {
        Graph g = Graph.fromEdges("g", 4, new int[][] {{0, 1}, {1, 0}, {0, 1}, {2, 2}, {3, 1}, {1, 3}});
        assertArrayEquals(new int[] {1}, g.neighbours(0));
        assertArrayEquals(new int[] {0, 3}, g.neighbours(1));
        assertArrayEquals(new int[] {}, g.neighbours(2));
        assertArrayEquals(new int[] {1}, g.neighbours(3));
        assertEquals(2, g.edgeCount());
        assertArrayEquals(new int[][] {{0, 1}, {1, 3}}, g.edges());
        assertEquals(0, g.degree(2));
        assertEquals(2, g.maxDegree());
        assertEquals(0, g.minDegree());
        assertFalse(g.isRegular());
    }

    @Test
    void neighboursAreSortedAndACopy() {
        Graph g = Graph.fromEdges("star", 5, new int[][] {{0, 4}, {0, 2}, {3, 0}, {1, 0}});
        int[] n0 = g.neighbours(0);
        assertArrayEquals(new int[] {1, 2, 3, 4}, n0);
        n0[0] = 99;
        assertArrayEquals(new int[] {1, 2, 3, 4}, g.neighbours(0), "caller must not be able to change the graph");
        int[][] a = g.adjacencyMatrix();
        a[0][1] = 0;
        assertTrue(g.hasEdge(0, 1));
    }

    @Test
    void hasEdgeIsSymmetricAndFalseOnTheDiagonal() {
        Graph g = Graph.fromEdges("path", 3, new int[][] {{0, 1}, {1, 2}});
        assertTrue(g.hasEdge(0, 1));
        assertTrue(g.hasEdge(1, 0));
        assertTrue(g.hasEdge(2, 1));
        assertFalse(g.hasEdge(0, 2));
        assertFalse(g.hasEdge(1, 1));
    }

    @Test
    void adjacencyMatrixOfAPath() {
        Graph g = Graph.fromEdges("path", 3, new int[][] {{1, 2}, {0, 1}});
        assertArrayEquals(new int[][] {{0, 1, 0}, {1, 0, 1}, {0, 1, 0}}, g.adjacencyMatrix());
    }

    @Test
    void diameterAndConnectivity() {
        Graph path = Graph.fromEdges("path", 5, new int[][] {{0, 1}, {1, 2}, {2, 3}, {3, 4}});
        assertTrue(path.isConnected());
        assertEquals(4, path.diameter());
        Graph single = Graph.fromEdges("one", 1, new int[0][]);
        assertTrue(single.isConnected());
        assertEquals(0, single.diameter());
    }

    @Test
    void disconnectedGraphHasNoDiameter() {
        Graph g = Graph.fromEdges("split", 4, new int[][] {{0, 1}, {2, 3}});
        assertFalse(g.isConnected());
        DetrainException e = assertThrows(DetrainException.class, g::diameter);
        assertTrue(e.getMessage().contains("not connected"), e.getMessage());
    }

    @Test
    void badInputIsRejectedWithAClearMessage() {
        DetrainException zero = assertThrows(DetrainException.class, () -> Graph.fromEdges("g", 0, new int[0][]));
        assertTrue(zero.getMessage().contains("-np 1"), zero.getMessage());
        DetrainException outside = assertThrows(DetrainException.class,
                () -> Graph.fromEdges("g", 3, new int[][] {{0, 3}}));
        assertTrue(outside.getMessage().contains("0..2"), outside.getMessage());
        assertThrows(DetrainException.class, () -> Graph.fromEdges("g", 3, new int[][] {{0, 1, 2}}));
        Graph g = Graph.fromEdges("g", 3, new int[][] {{0, 1}});
        assertThrows(DetrainException.class, () -> g.neighbours(3));
        assertThrows(DetrainException.class, () -> g.hasEdge(0, -1));
    }

    @Test
    void equalityIsByNameAndEdges() {
        Graph a = Graph.fromEdges("g", 3, new int[][] {{0, 1}, {1, 2}});
        Graph b = Graph.fromEdges("g", 3, new int[][] {{2, 1}, {1, 0}, {0, 1}});
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertFalse(a.equals(Graph.fromEdges("g", 3, new int[][] {{0, 1}})));
    }
}
