package org.detrain.comm.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;
import org.detrain.comm.Communicator;
import org.detrain.topology.Graph;
import org.detrain.topology.Topologies;
import org.detrain.util.DetrainException;
import org.junit.jupiter.api.Test;

/** The in-process communicator keeps the Communicator contract: every value exact, every wait bounded. */
class LocalCommunicatorTest {
    /** A value no other (rank, peer, round, k) produces, exactly representable in float. */
    private static float value(int from, int to, int round, int k) {
        return from * 1_000_000 + to * 10_000 + round * 100 + k;
    }

    private static List<Graph> graphs(int n) {
        List<Graph> g = new ArrayList<>(List.of(Topologies.ring(n), Topologies.torus(Topologies.torusShape(n)[0],
                Topologies.torusShape(n)[1]), Topologies.complete(n), Topologies.star(n), Topologies.path(n),
                Topologies.exponential(n)));
        if (n > 2) {
            g.add(Topologies.erdosRenyi(n, 0.4, n));
        }
        return g;
    }

    @Test
    void neighbourExchangesDeliverEveryPayloadExactlyOnAnyGraphFromOneToSixteenRanks() {
        for (int n = 1; n <= 16; n++) {
            for (Graph g : graphs(n)) {
                int rounds = 3;
                int count = 5;
                LocalWorld.run(n, 10, comm -> {
                    int me = comm.rank();
                    int[] peers = g.neighbours(me);
                    for (int round = 0; round < rounds; round++) {
                        float[][] send = new float[peers.length][count];
                        float[][] recv = new float[peers.length][count];
                        for (int p = 0; p < peers.length; p++) {
                            for (int k = 0; k < count; k++) {
                                send[p][k] = value(me, peers[p], round, k);
                            }
                        }
                        comm.exchange(peers, send, peers, recv, count, 7);
                        for (int p = 0; p < peers.length; p++) {
                            for (int k = 0; k < count; k++) {
                                assertEquals(value(peers[p], me, round, k), recv[p][k], g.name() + " rank " + me);
                            }
                        }
                    }
                    assertEquals(rounds * peers.length, comm.messagesSent());
                    assertEquals(4L * rounds * peers.length * count, comm.bytesSent());
                });
            }
        }
    }

    @Test
    void messagesOnOneChannelDoNotOvertakeAndTagsKeepExchangesApart() {
        // Each rank starts two exchanges with each ring neighbour (tags 1 and 2) and a second tag-1 one,
        // then completes them in the opposite order: each must still get its own payload.
        LocalWorld.run(5, 10, comm -> {
            int n = comm.size();
            int me = comm.rank();
            int[] peers = {(me + n - 1) % n, (me + 1) % n};
            float[][][] recv = new float[3][2][1];
            int[] tags = {1, 2, 1};
            List<Communicator.Exchange> started = new ArrayList<>();
            for (int e = 0; e < 3; e++) {
                float[] payload = {value(me, 0, e, 0)};
                started.add(comm.startExchange(peers, new float[][] {payload, payload}, peers, recv[e], 1, tags[e]));
            }
            for (int e = 2; e >= 0; e--) {
                started.get(e).await();
                for (int p = 0; p < 2; p++) {
                    assertEquals(value(peers[p], 0, e, 0), recv[e][p][0], "exchange " + e);
                }
            }
        });
    }

    @Test
    void shorterMessagesAreAcceptedLongerOnesAreAClearError() {
        DetrainException e = assertThrows(DetrainException.class, () -> LocalWorld.run(2, 10, comm -> {
            int peer = 1 - comm.rank();
            int count = comm.rank() == 0 ? 3 : 2;  // rank 0 sends 3 floats to a rank that expects 2
            comm.exchange(new int[] {peer}, new float[][] {new float[3]}, new int[] {peer}, new float[][] {new float[3]},
                    count, 0);
        }));
        assertTrue(e.getMessage().contains("rank 1 received a message from rank 0 (tag 0) of 3 float values but"
                + " expected at most 2"), e.getMessage());
    }

    @Test
    void gatherBroadcastBarrierAndTheDeterministicReductionsFromOneToSixteenRanks() {
        for (int n = 1; n <= 16; n++) {
            int size = n;
            Map<Integer, float[]> means = new ConcurrentHashMap<>();
            LocalWorld.run(n, 10, comm -> {
                int me = comm.rank();
                int root = size - 1;
                double[] all = new double[me == root ? 2 * size : 0];
                comm.gather(new double[] {me, -me}, all, 2, root);
                if (me == root) {
                    for (int r = 0; r < size; r++) {
                        assertEquals(r, all[2 * r]);
                        assertEquals(-r, all[2 * r + 1]);
                    }
                }
                float[] fromRoot = {me == 0 ? 42f : 0f, me == 0 ? 43f : 0f};
                comm.broadcast(fromRoot, 2, 0);
                assertArrayEquals(new float[] {42f, 43f}, fromRoot);
                comm.barrier();
                double[] sum = {me, 0.1 * me};
                comm.allreduceSum(sum);
                double expected = 0;
                double tenth = 0;
                for (int r = 0; r < size; r++) {
                    expected += r;
                    tenth += 0.1 * r;  // rank order, as the interface's reduction adds
                }
                assertEquals(expected, sum[0]);
                assertEquals(Double.doubleToLongBits(tenth), Double.doubleToLongBits(sum[1]));
                float[] mean = {(float) Math.sqrt(me + 1), 1f / (me + 3)};
                comm.allreduceMean(mean, 2);
                means.put(me, mean);
                String[] hosts = comm.gatherStrings("host-" + me, 0);
                if (me == 0) {
                    for (int r = 0; r < size; r++) {
                        assertEquals("host-" + r, hosts[r]);
                    }
                }
            });
            for (int r = 1; r < n; r++) {
                assertArrayEquals(means.get(0), means.get(r), "every rank holds the same bits");
            }
        }
    }

    @Test
    void aPeerThatNeverSendsEndsTheWaitWithAnErrorNamingIt() {
        // Only rank 0 waits (ranks 1 and 2 never take part), so the message is the same however the
        // threads are scheduled.
        DetrainException e = assertThrows(DetrainException.class, () -> LocalWorld.run(3, 0.3, comm -> {
            comm.setActivity("iteration 17");
            if (comm.rank() != 0) {
                return;
            }
            int[] peers = {1, 2};
            comm.exchange(peers, new float[][] {new float[1], new float[1]}, peers, new float[][] {new float[1], new float[1]},
                    1, 11);
        }));
        assertTrue(e.getMessage().startsWith("rank 0 waited 0.3 s for messages from ranks [1, 2] (tag 11) during iteration 17,"
                + " and ranks [1, 2] never sent; a peer is probably dead or stuck."), e.getMessage());
        assertEquals(DetrainException.RUN_FAILED, e.exitCode());
        DetrainException one = assertThrows(DetrainException.class, () -> LocalWorld.run(2, 0.3, comm -> {
            if (comm.rank() == 1) {
                comm.exchange(new int[] {0}, new float[][] {new float[1]}, new int[] {0}, new float[][] {new float[1]}, 1, 4);
            }
        }));
        assertTrue(one.getMessage().contains("and rank 0 never sent"), one.getMessage());
    }

    @Test
    void aCollectiveThatARankSkipsTimesOutNamingTheMissingRanks() {
        DetrainException e = assertThrows(DetrainException.class, () -> LocalWorld.run(4, 0.3, comm -> {
            if (comm.rank() == 0) {
                comm.barrier(); // the others never come
            }
        }));
        assertTrue(e.getMessage().startsWith("rank 0 waited 0.3 s for gather to rank 0 during start-up, and ranks [1, 2, 3]"
                + " never sent"), e.getMessage());
    }

    @Test
    void theFirstFailureIsRethrownAndEndsTheOtherRanksWaits() {
        IllegalStateException boom = new IllegalStateException("rank 1 broke");
        // A long timeout: the waiting ranks must give up because rank 1 failed, not because of the clock.
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> LocalWorld.run(3, 600, comm -> {
            if (comm.rank() == 1) {
                throw boom;
            }
            comm.barrier();
        }));
        assertSame(boom, e);
        assertEquals(2, e.getSuppressed().length);
        for (Throwable s : e.getSuppressed()) {
            assertTrue(s.getMessage().contains("stopped waiting: rank 1 failed"), s.getMessage());
        }
        RuntimeException checked = assertThrows(RuntimeException.class,
                () -> LocalWorld.run(2, 600, comm -> {
                    if (comm.rank() == 0) {
                        throw new java.io.IOException("disk full");
                    }
                }));
        assertTrue(checked.getMessage().contains("rank 0 failed: java.io.IOException: disk full"), checked.getMessage());
    }

    @Test
    void changingASendBufferBeforeTheExchangeCompletesIsCaught() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> LocalWorld.run(2, 10, comm -> {
            int peer = 1 - comm.rank();
            float[] send = {1f};
            Communicator.Exchange x = comm.startExchange(new int[] {peer}, new float[][] {send}, new int[] {peer},
                    new float[][] {new float[1]}, 1, 3);
            send[0] = 2f;
            x.await();
        }));
        assertTrue(e.getMessage().contains("changed its send buffer"), e.getMessage());
    }

    @Test
    void collectivesThatDisagreeOnTheTypeAreAClearError() {
        DetrainException e = assertThrows(DetrainException.class, () -> LocalWorld.run(2, 10, comm -> {
            if (comm.rank() == 0) {
                comm.gather(new double[1], new double[2], 1, 0);
            } else {
                comm.gather(new float[1], new float[0], 1, 0);
            }
        }));
        assertTrue(e.getMessage().contains("the ranks disagree on what they exchange"), e.getMessage());
    }

    @Test
    void waitTimeIsCountedAndTheTransportIsNamed() {
        LocalWorld.run(2, 10, comm -> {
            assertEquals("local", comm.transport());
            assertEquals(2, comm.size());
            if (comm.rank() == 1) {
                Thread.sleep(20);
            }
            comm.barrier();
            if (comm.rank() == 0) {
                assertTrue(comm.waitNanos() > 0);
            }
        });
    }
}
