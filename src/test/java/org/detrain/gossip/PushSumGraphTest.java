package org.detrain.gossip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.detrain.topology.Topologies;
import org.junit.jupiter.api.Test;

/** What the results record of the graph SGP really mixes on. */
class PushSumGraphTest {
    @Test
    void theOnePeerExponentialGraphAveragesExactlyInOnePeriodWhenNIsAPowerOfTwo() {
        // hops 1, 2, 4 halve the disagreement's support each time: the period's product is 11ᵀ/n, whose
        // eigenvalue 0 is defective, so the solver returns it as ~1e-16, and its cube root is ~1e-5
        assertEquals(0, PushSumGossip.mixingRate(r -> PushSumGossip.exponential(r, 8), 8), 1e-4);
        assertEquals(0, PushSumGossip.mixingRate(r -> PushSumGossip.exponential(r, 16), 16), 1e-3);
        double six = PushSumGossip.mixingRate(r -> PushSumGossip.exponential(r, 6), 6);
        assertTrue(six > 0.1 && six < 1, "n = 6 is not a power of two: " + six);
    }

    @Test
    void aStaticRingMixesLikeItsUniformWeights() {
        int n = 7; // push-sum keeps 1/3 and pushes 1/3 to each neighbour: W's uniform weights, λ = (1 + 2cos(2π/n))/3
        double lambda = (1 + 2 * Math.cos(2 * Math.PI / n)) / 3;
        assertEquals(lambda, PushSumGossip.mixingRate(r -> PushSumGossip.staticGraph(Topologies.ring(n), r), n), 1e-9);
        assertNull(PushSumGossip.outPeersOverPeriod(r -> PushSumGossip.staticGraph(Topologies.ring(n), r), n));
    }

    @Test
    void outPeersListEveryRanksPeerForEveryIterationOfThePeriod() {
        long[][] peers = PushSumGossip.outPeersOverPeriod(r -> PushSumGossip.exponential(r, 5), 5);
        assertEquals(3, peers.length); // ⌈log2 5⌉ hop lengths 1, 2, 4
        assertArrayEquals(new long[] {1, 2, 3, 4, 0}, peers[0]);
        assertArrayEquals(new long[] {2, 3, 4, 0, 1}, peers[1]);
        assertArrayEquals(new long[] {4, 0, 1, 2, 3}, peers[2]);
        assertTrue(Double.isNaN(PushSumGossip.mixingRate(r -> PushSumGossip.exponential(r, 300), 300)), "too large");
    }
}
