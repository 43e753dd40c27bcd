package org.detrain.gossip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

class PushSumScheduleTest {
    @Test
    void everyPushIsHeardByItsTargetForAnyRankCount() {
        for (int n = 1; n <= 9; n++) {
            for (long t = 0; t < 12; t++) {
                for (int i = 0; i < n; i++) {
                    for (int j : PushSumGossip.exponential(i, n).outPeers(t)) {
                        assertNotEquals(i, j, "no self-push");
                        assertArrayEquals(new int[] {i}, PushSumGossip.exponential(j, n).inPeers(t),
                                "n=" + n + " t=" + t + ": " + i + " pushes to " + j);
                    }
                }
            }
        }
    }

    @Test
    void hopLengthsCycleThroughPowersOfTwoBelowN() {
        // n = 6: ⌈log2 6⌉ = 3 hop lengths 1, 2, 4, then again.
        int[] expected = {1, 2, 4, 1, 2, 4};
        for (int t = 0; t < expected.length; t++) {
            assertEquals(expected[t], PushSumGossip.exponential(0, 6).outPeers(t)[0]);
        }
        assertEquals(0, PushSumGossip.exponential(0, 1).outPeers(0).length);
        assertEquals(1, PushSumGossip.exponential(0, 2).outPeers(5)[0]);
    }
}
