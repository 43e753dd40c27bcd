package org.detrain.runner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

class MeasurementsTest {
    @Test
    void trainingObjectiveSamplesAreEvenlySpacedOrAll() {
        assertArrayEquals(new int[] {0, 3, 6}, Measurements.evenlySpaced(10, 3));
        assertArrayEquals(new int[] {0, 2, 5, 7}, Measurements.evenlySpaced(10, 4));
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, Measurements.evenlySpaced(5, 0));
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, Measurements.evenlySpaced(5, 7));
        assertArrayEquals(new int[0], Measurements.evenlySpaced(0, 3));
        int[] big = Measurements.evenlySpaced(60_000, 10_000);
        assertArrayEquals(new int[] {0, 6, 12}, java.util.Arrays.copyOf(big, 3));
        assertArrayEquals(new int[] {59_994}, new int[] {big[big.length - 1]});
    }
}
