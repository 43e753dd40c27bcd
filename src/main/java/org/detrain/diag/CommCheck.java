package org.detrain.diag;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.detrain.comm.Communicator;
import org.detrain.comm.MessageTags;
import org.detrain.comm.RankProgram;
import org.detrain.gossip.NeighbourGossip;
import org.detrain.io.AtomicFiles;
import org.detrain.results.RunLayout;
import org.detrain.kernel.JavaVectorOps;
import org.detrain.topology.Graph;
import org.detrain.topology.MixingMatrix;
import org.detrain.topology.Topologies;
import org.detrain.util.DetrainException;

/**
 * `detrain check`: proves the transport on this machine or allocation before a long run. On the
 * ring and on every torus shape rows x cols = n, each rank gossips values derived from its rank
 * and checks the mixed result bit for bit against what it computes from the graph alone (so a
 * message routed to the wrong peer, lost or reordered is caught); then it times neighbour
 * exchanges of a small and a large payload.
 */
public final class CommCheck implements RankProgram {
    /** Lines rank 0 prints for the user; the launcher shows them as they come. */
    public static final String SAY = "@@say ";
    private RunLayout layout;

    @Override
    public void run(Communicator comm, String[] args) throws Exception {
        layout = new RunLayout(Path.of(args[0]));
        int rounds = Integer.parseInt(args[1]);
        int largeFloats = Integer.parseInt(args[2]);
        int n = comm.size();
        int rank = comm.rank();
        List<Graph> graphs = new ArrayList<>();
        graphs.add(Topologies.ring(n));
        for (int rows = 1; rows <= n; rows++) {
            if (n % rows == 0) {
                graphs.add(Topologies.torus(rows, n / rows));
            }
        }
        int tag = MessageTags.TRANSPORT_CHECK_FIRST;
        for (Graph g : graphs) {
            comm.setActivity("exactness check on " + g.name());
            MixingMatrix w = MixingMatrix.metropolis(g);
            int count = 3;
            NeighbourGossip gossip = new NeighbourGossip(comm, JavaVectorOps.INSTANCE, g.neighbours(rank), w.selfWeight(rank),
                    w.neighbourWeights(rank), count, tag++);
            float[] out = new float[count];
            for (int round = 0; round < 2; round++) { // twice: the second reuses the posted buffers
                gossip.mix(payload(rank, round, count), out, count);
                float[] expected = expectedMix(w, g, rank, round, count);
                for (int k = 0; k < count; k++) {
                    if (Float.floatToIntBits(out[k]) != Float.floatToIntBits(expected[k])) {
                        throw DetrainException.runFailure(String.format("rank %d on %s, round %d: mixed value %s at %d,"
                                        + " expected %s from neighbours %s — messages are misrouted or corrupted", rank,
                                g.name(), round, out[k], k, expected[k], java.util.Arrays.toString(g.neighbours(rank))), null);
                    }
                }
            }
        }
        if (rank == 0) {
            System.out.println(SAY + "exact gossip on " + graphs.stream().map(Graph::name).toList() + ": ok");
        }
        Graph ring = Topologies.ring(n);
        int[] peers = ring.neighbours(rank);
        MixingMatrix w = MixingMatrix.metropolis(ring);
        for (int floats : new int[] {2, largeFloats}) {
            comm.setActivity("timing " + floats + " floats");
            NeighbourGossip gossip = new NeighbourGossip(comm, JavaVectorOps.INSTANCE, peers, w.selfWeight(rank),
                    w.neighbourWeights(rank), floats, tag++);
            Timing t = time(comm, gossip, peers, floats, rounds, tag++);
            double[] all = new double[rank == 0 ? 3 * n : 0];
            comm.gather(new double[] {t.transport, t.exchange, t.gossip}, all, 3, 0);
            if (rank == 0) {
                report(all, n, ring.neighbours(0).length, floats, t.passes, t.roundsPerPass);
            }
        }
        comm.barrier();
        AtomicFiles.writeText(layout.done(rank), "ok\n");
    }

    /** Number of timed passes per payload; each measures the three ways once, so all three see the same machine. */
    static final int PASSES = 5;

    /** This rank's median seconds per round over the passes: MPJ's own exchange, detrain's exchange, a gossip round. */
    private record Timing(double transport, double exchange, double gossip, int passes, int roundsPerPass) {
    }

    /**
     * Times, on this rank, a round of the same ring exchange three ways, alternating them pass by
     * pass after a warm-up (the JIT compiles each path first; a cold path measured over a few
     * hundred rounds reads several times slower): MPJ Express's own Isend/Irecv/Waitall
     * ({@link Communicator#transportExchangeSeconds}), detrain's {@link Communicator#exchange}
     * (the watchdog, the counters) and a gossip round ({@link NeighbourGossip#mix}: the exchange
     * and the mixing).
     */
    private static Timing time(Communicator comm, NeighbourGossip gossip, int[] peers, int floats, int rounds, int tag) {
        float[] x = new float[floats];
        float[] out = new float[floats];
        float[][] send = new float[peers.length][];
        java.util.Arrays.fill(send, x);
        float[][] recv = new float[peers.length][floats];
        int perPass = Math.max(1, rounds / PASSES);
        int warmUp = floats <= 1024 ? Math.min(2000, 10 * rounds) : Math.max(2, rounds / 10);
        double[][] perRound = new double[3][PASSES];
        for (int pass = -1; pass < PASSES; pass++) { // pass -1 warms every path up
            int count = pass < 0 ? warmUp : perPass;
            double transport = comm.transportExchangeSeconds(peers, floats, count, tag);
            comm.barrier();
            long t0 = System.nanoTime();
            for (int r = 0; r < count; r++) {
                comm.exchange(peers, send, peers, recv, floats, tag);
            }
            double exchange = (System.nanoTime() - t0) / 1e9 / count;
            comm.barrier();
            t0 = System.nanoTime();
            for (int r = 0; r < count; r++) {
                gossip.mix(x, out, floats);
            }
            double round = (System.nanoTime() - t0) / 1e9 / count;
            if (pass >= 0) {
                perRound[0][pass] = transport;
                perRound[1][pass] = exchange;
                perRound[2][pass] = round;
            }
        }
        return new Timing(median(perRound[0]), median(perRound[1]), median(perRound[2]), PASSES, perPass);
    }

    /** Rank 0: the slowest rank's medians, with the ratios to MPJ's own exchange. */
    private static void report(double[] all, int n, int peers, int floats, int passes, int perPass) {
        if (peers == 0) {
            System.out.printf("%sring exchange of %d floats: a single rank has no neighbours, nothing to time%n", SAY, floats);
            return;
        }
        double[] worst = new double[3];
        for (int r = 0; r < n; r++) {
            for (int k = 0; k < 3; k++) {
                worst[k] = Math.max(worst[k], all[3 * r + k]);
            }
        }
        double bytes = peers * 4.0 * floats;
        System.out.printf("%sring exchange of %d floats with %d neighbour(s), slowest rank's median of %d passes of %d"
                + " rounds:%n", SAY, floats, peers, passes, perPass);
        String[] what = {"MPJ Express's own Isend/Irecv/Waitall", "detrain's exchange (watchdog, counters)",
                "detrain's gossip round (exchange + mixing)"};
        for (int k = 0; k < 3; k++) {
            System.out.printf("%s  %-44s %10.1f us per round, %7.3f GB/s sent per rank%s%n", SAY, what[k], worst[k] * 1e6,
                    bytes / worst[k] / 1e9, k == 0 || Double.isNaN(worst[0]) ? ""
                            : String.format(", %.2fx MPJ's time", worst[k] / worst[0]));
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int m = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    }

    /** Distinct, exactly representable values per rank, round and element. */
    private static float[] payload(int rank, int round, int count) {
        float[] p = new float[count];
        for (int k = 0; k < count; k++) {
            p[k] = rank * 64 + round * 8 + k + 1;
        }
        return p;
    }

    /** W_i· x computed locally, as NeighbourGossip does: self + Σ_j w_ij·(x_j − self), neighbours ascending. */
    private static float[] expectedMix(MixingMatrix w, Graph g, int rank, int round, int count) {
        float[] out = new float[count];
        float[] self = payload(rank, round, count);
        int[] peers = g.neighbours(rank);
        double[] weights = w.neighbourWeights(rank);
        for (int k = 0; k < count; k++) {
            float s = self[k];
            for (int j = 0; j < peers.length; j++) {
                s += (float) weights[j] * (payload(peers[j], round, count)[k] - self[k]);
            }
            out[k] = s;
        }
        return out;
    }

    @Override
    public void reportFailure(int rank, Throwable failure) {
        try {
            if (layout != null) {
                AtomicFiles.writeText(layout.failed(rank), (failure instanceof DetrainException ? failure.getMessage()
                        : "rank " + rank + " failed: " + failure) + "\n");
            }
        } catch (RuntimeException e) {
            System.err.println("detrain check rank " + rank + ": " + failure + " (and could not record it: " + e + ")");
        }
    }
}
