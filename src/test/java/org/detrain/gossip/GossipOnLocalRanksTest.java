package org.detrain.gossip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.detrain.comm.local.LocalWorld;
import org.detrain.kernel.JavaVectorOps;
import org.detrain.topology.Graph;
import org.detrain.topology.MixingMatrix;
import org.detrain.topology.Topologies;
import org.junit.jupiter.api.Test;

/** Gossip building blocks on in-process ranks, against dense float64 arithmetic written out here. */
class GossipOnLocalRanksTest {
    private static float[] start(int rank, int dim) {
        SplittableRandom rng = new SplittableRandom(1000 + rank);
        float[] z = new float[dim];
        for (int k = 0; k < dim; k++) {
            z[k] = (float) (rng.nextDouble() * 4 - 2);
        }
        return z;
    }

    private static NeighbourGossip endpoint(org.detrain.comm.Communicator comm, MixingMatrix w, int capacity) {
        int r = comm.rank();
        return new NeighbourGossip(comm, JavaVectorOps.INSTANCE, w.graph().neighbours(r), w.selfWeight(r),
                w.neighbourWeights(r), capacity, 5);
    }

    @Test
    void acceleratedGossipRunsTheAgRecurrenceAndKeepsTheAverage() {
        Graph g = Topologies.torus(3, 4);
        MixingMatrix w = MixingMatrix.metropolis(g);
        double[][] wd = w.toArray();
        int n = g.size();
        int dim = 4;
        int rounds = 6;
        double eta = 0.4;
        // float64: z^{-1} = z^0, z^{r+1} = (1 + η) W z^r − η z^{r−1}
        double[][] z = new double[n][dim];
        for (int i = 0; i < n; i++) {
            float[] s = start(i, dim);
            for (int k = 0; k < dim; k++) {
                z[i][k] = s[k];
            }
        }
        double[] mean = new double[dim];
        for (double[] row : z) {
            for (int k = 0; k < dim; k++) {
                mean[k] += row[k] / n;
            }
        }
        double[][] prev = z;
        for (int r = 0; r < rounds; r++) {
            double[][] next = new double[n][dim];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    for (int k = 0; k < dim; k++) {
                        next[i][k] += (1 + eta) * wd[i][j] * z[j][k];
                    }
                }
                for (int k = 0; k < dim; k++) {
                    next[i][k] -= eta * prev[i][k];
                }
            }
            prev = z;
            z = next;
        }
        double[][] expected = z;
        float[][] got = new float[n][];
        LocalWorld.run(n, 30, comm -> {
            float[] mine = start(comm.rank(), dim);
            new AcceleratedGossip(endpoint(comm, w, dim), JavaVectorOps.INSTANCE, eta)
                    .run(mine, dim, rounds, new float[dim], new float[dim]);
            got[comm.rank()] = mine;
        });
        double[] gotMean = new double[dim];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < dim; k++) {
                assertEquals(expected[i][k], got[i][k], 1e-5, "rank " + i + " entry " + k);
                gotMean[k] += got[i][k] / (double) n;
            }
        }
        assertArrayEquals(mean, gotMean, 1e-6, "accelerated gossip keeps the average");
    }

    @Test
    void etaMustLieInZeroToOne() {
        LocalWorld.run(2, 10, comm -> {
            NeighbourGossip gossip = endpoint(comm, MixingMatrix.metropolis(Topologies.ring(2)), 1);
            for (double bad : new double[] {-0.1, 1.0, Double.NaN}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> new AcceleratedGossip(gossip, JavaVectorOps.INSTANCE, bad));
                assertTrue(e.getMessage().contains("eta must be in [0, 1)"), e.getMessage());
            }
            assertEquals(0.0, new AcceleratedGossip(gossip, JavaVectorOps.INSTANCE, 0).eta());
        });
    }

    @Test
    void aNeighbourEndpointChecksItsRowAndItsUse() {
        LocalWorld.run(3, 10, comm -> {
            MixingMatrix w = MixingMatrix.metropolis(Topologies.ring(3));
            NeighbourGossip gossip = endpoint(comm, w, 2);
            assertArrayEquals(Topologies.ring(3).neighbours(comm.rank()), gossip.peers());
            assertThrows(IllegalStateException.class, () -> gossip.finishMix(new float[2], new float[2]));
            float[] x = {comm.rank(), 1};
            gossip.start(x, 2);
            assertThrows(IllegalStateException.class, () -> gossip.start(x, 2));
            float[] out = new float[2];
            gossip.finishMix(x, out);
            assertEquals(1f, out[0], 1e-6, "the average of 0, 1, 2 on a complete triangle with weights 1/3");
            assertEquals(1f, out[1], "a consensus is mixed exactly");
        });
        IllegalArgumentException rowSum = assertThrows(IllegalArgumentException.class, () -> new NeighbourGossip(
                null, JavaVectorOps.INSTANCE, new int[] {1}, 0.5, new double[] {0.4}, 1, 0));
        assertTrue(rowSum.getMessage().contains("mixing row sums to 0.9"), rowSum.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new NeighbourGossip(
                null, JavaVectorOps.INSTANCE, new int[] {1, 2}, 0.5, new double[] {0.5}, 1, 0));
    }

    @Test
    void theAveragingTreeIsBreadthFirstFromRankZeroAndNeedsAConnectedGraph() {
        TreeAverage ring = new TreeAverage(Topologies.ring(7));
        assertEquals(3, ring.height());
        assertEquals(6, ring.steps());
        for (int r = 0; r < 7; r++) {
            assertEquals(Math.min(r, 7 - r), ring.depth(r), "rank " + r);
        }
        assertEquals(1, new TreeAverage(Topologies.ring(1)).steps());
        Graph split = Graph.fromEdges("two pairs", 4, new int[][] {{0, 1}, {2, 3}});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TreeAverage(split));
        assertTrue(e.getMessage().contains("two pairs is not connected"), e.getMessage());
    }
}
