package org.detrain.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.detrain.util.DetrainException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TopologiesTest {

    @ParameterizedTest
    @ValueSource(ints = {3, 4, 5, 8, 13})
    void ringOfThreeOrMoreHasTwoNeighboursEach(int n) {
        Graph ring = Topologies.ring(n);
        assertEquals("ring(" + n + ")", ring.name());
        assertEquals(n, ring.size());
        assertEquals(n, ring.edgeCount());
        for (int i = 0; i < n; i++) {
            int left = (i + n - 1) % n;
            int right = (i + 1) % n;
            assertArrayEquals(new int[] {Math.min(left, right), Math.max(left, right)}, ring.neighbours(i));
        }
    }

    @Test
    void tinyRings() {
        Graph one = Topologies.ring(1);
        assertEquals(0, one.edgeCount());
        assertArrayEquals(new int[] {}, one.neighbours(0));
        Graph two = Topologies.ring(2);
        assertEquals(1, two.edgeCount());
        assertArrayEquals(new int[] {1}, two.neighbours(0));
        assertArrayEquals(new int[] {0}, two.neighbours(1));
        assertEquals(1, two.diameter());
    }

    @Test
    void torusNeighboursByCoordinates() {
        Graph t = Topologies.torus(3, 4);
        assertEquals("torus(3x4)", t.name());
        assertEquals(12, t.size());
        assertEquals(24, t.edgeCount());
        // rank 5 = (r 1, c 1): up (0,1)=1, down (2,1)=9, left (1,0)=4, right (1,2)=6
        assertArrayEquals(new int[] {1, 4, 6, 9}, t.neighbours(5));
        // rank 0 = (0,0): up wraps to (2,0)=8, down (1,0)=4, left wraps to (0,3)=3, right (0,1)=1
        assertArrayEquals(new int[] {1, 3, 4, 8}, t.neighbours(0));
        // rank 11 = (2,3): up (1,3)=7, down wraps (0,3)=3, left (2,2)=10, right wraps (2,0)=8
        assertArrayEquals(new int[] {3, 7, 8, 10}, t.neighbours(11));
    }

    @Test
    void torusWithASideOfTwoMergesThatDirection() {
        Graph t = Topologies.torus(2, 4);
        for (int i = 0; i < 8; i++) {
            assertEquals(3, t.degree(i), "one merged vertical neighbour plus left and right");
        }
        // rank 1 = (0,1): vertical (1,1)=5 once, left 0, right 2
        assertArrayEquals(new int[] {0, 2, 5}, t.neighbours(1));
        // rank 4 = (1,0): vertical 0, left wraps to 7, right 5
        assertArrayEquals(new int[] {0, 5, 7}, t.neighbours(4));
        assertEquals(12, t.edgeCount());
    }

    @Test
    void torusWithASideOfOneIsARing() {
        Graph t = Topologies.torus(1, 5);
        Graph ring = Topologies.ring(5);
        for (int i = 0; i < 5; i++) {
            assertEquals(2, t.degree(i));
            assertArrayEquals(ring.neighbours(i), t.neighbours(i));
        }
        Graph column = Topologies.torus(5, 1);
        for (int i = 0; i < 5; i++) {
            assertArrayEquals(ring.neighbours(i), column.neighbours(i));
        }
        assertEquals(0, Topologies.torus(1, 1).edgeCount());
    }

    @Test
    void torusTwoByTwoIsASquare() {
        Graph t = Topologies.torus(2, 2);
        assertArrayEquals(new int[] {1, 2}, t.neighbours(0));
        assertArrayEquals(new int[] {0, 3}, t.neighbours(1));
        assertArrayEquals(new int[] {0, 3}, t.neighbours(2));
        assertArrayEquals(new int[] {1, 2}, t.neighbours(3));
    }

    @ParameterizedTest
    @CsvSource({"8, 2, 4", "16, 4, 4", "12, 3, 4", "7, 1, 7", "1, 1, 1", "2, 1, 2", "36, 6, 6", "30, 5, 6", "49, 7, 7"})
    void torusShapeIsTheMostSquareFactorization(int n, int rows, int cols) {
        assertArrayEquals(new int[] {rows, cols}, Topologies.torusShape(n));
    }

    @Test
    void diameters() {
        assertEquals(4, Topologies.ring(8).diameter());
        assertEquals(3, Topologies.ring(7).diameter());
        assertEquals(4, Topologies.torus(4, 4).diameter());
        assertEquals(3, Topologies.torus(3, 5).diameter());
        assertEquals(3, Topologies.torus(2, 4).diameter());
        assertTrue(Topologies.ring(8).isConnected());
        assertTrue(Topologies.torus(4, 4).isConnected());
        assertTrue(Topologies.torus(2, 4).isConnected());
    }

    @Test
    void buildByName() {
        assertEquals(Topologies.ring(6), Topologies.build("ring", 6, 0, 0));
        assertEquals(Topologies.torus(2, 4), Topologies.build("torus", 8, 0, 0));
        assertEquals(Topologies.torus(4, 2), Topologies.build("torus", 8, 4, 2));
        assertEquals(Topologies.torus(1, 7), Topologies.build(" Torus ", 7, 0, 0));
        assertEquals(Topologies.ring(1), Topologies.build("ring", 1, 0, 0));
    }

    @Test
    void buildRejectsATorusOfTheWrongSize() {
        DetrainException e = assertThrows(DetrainException.class, () -> Topologies.build("torus", 8, 3, 3));
        assertTrue(e.getMessage().contains("9") && e.getMessage().contains("8"), e.getMessage());
        assertTrue(e.getMessage().contains("-np 9"), e.getMessage());
        assertThrows(DetrainException.class, () -> Topologies.build("torus", 8, 2, 0));
        assertThrows(DetrainException.class, () -> Topologies.build("torus", 8, -2, -4));
    }

    @Test
    void buildRejectsUnknownNamesListingTheValidOnes() {
        DetrainException e = assertThrows(DetrainException.class, () -> Topologies.build("mesh", 8, 0, 0));
        assertTrue(e.getMessage().contains("mesh") && e.getMessage().contains("ring")
                && e.getMessage().contains("torus"), e.getMessage());
        assertThrows(DetrainException.class, () -> Topologies.build(null, 8, 0, 0));
    }

    @Test
    void buildRejectsTorusSidesForARingAndNoRanks() {
        DetrainException e = assertThrows(DetrainException.class, () -> Topologies.build("ring", 8, 2, 4));
        assertTrue(e.getMessage().contains("topology=torus"), e.getMessage());
        assertThrows(DetrainException.class, () -> Topologies.build("ring", 0, 0, 0));
        assertThrows(DetrainException.class, () -> Topologies.torusShape(0));
        assertThrows(DetrainException.class, () -> Topologies.torus(0, 3));
    }
}
