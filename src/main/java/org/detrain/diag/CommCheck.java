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
        for (int floats : new int[] {2, largeFloats}) {
            comm.setActivity("timing " + floats + " floats");
            float[] x = new float[floats];
            float[] out = new float[floats];
            MixingMatrix w = MixingMatrix.metropolis(ring);
            NeighbourGossip gossip = new NeighbourGossip(comm, JavaVectorOps.INSTANCE, ring.neighbours(rank), w.selfWeight(rank),
                    w.neighbourWeights(rank), floats, tag++);
            gossip.mix(x, out, floats); // warm-up
            comm.barrier();
            long t0 = System.nanoTime();
            for (int r = 0; r < rounds; r++) {
                gossip.mix(x, out, floats);
            }
            double perRound = (System.nanoTime() - t0) / 1e9 / rounds;
            double[] all = new double[rank == 0 ? n : 0];
            comm.gather(new double[] {perRound}, all, 1, 0);
            if (rank == 0) {
                double worst = java.util.Arrays.stream(all).max().orElse(0);
                int peers = ring.neighbours(0).length;
                System.out.printf("%sring exchange of %d floats with %d neighbour(s): %.1f us per round (slowest rank),"
                                + " %.3f GB/s sent per rank%n", SAY, floats, peers, worst * 1e6,
                        peers * 4.0 * floats / worst / 1e9);
            }
        }
        comm.barrier();
        AtomicFiles.writeText(layout.done(rank), "ok\n");
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
