package org.detrain.gossip;

import java.util.Arrays;
import org.detrain.comm.Communicator;
import org.detrain.kernel.VectorOps;
import org.detrain.topology.Graph;

/**
 * Push-sum mixing (Kempe et al.; SGP): every rank keeps a numerator x and a weight w, keeps the
 * share 1/(out-degree + 1) of both and pushes the same share to each out-peer; it then adds what
 * its in-peers pushed. The mixing matrix is column-stochastic, so graphs may be directed and change
 * every iteration; x/w converges to the average even where no doubly stochastic W exists.
 * One message per out-peer carries [share·x, share·w].
 */
public final class PushSumGossip {
    /** Who a rank pushes to and hears from at iteration t. */
    public interface Schedule {
        int[] outPeers(long t);

        int[] inPeers(long t);

        String describe();

        /** Iterations after which the graph repeats (1 for a static graph). */
        default int period() {
            return 1;
        }
    }

    /** Largest n for which {@link #mixingRate} multiplies the period's dense n × n matrices. */
    public static final int MAX_RATE_RANKS = 256;

    /**
     * Every rank's out-peer over one period of a one-peer graph, [t][rank] → peer: the directed graph
     * push-sum really mixes on, for the results; null when some rank has other than one out-peer.
     */
    public static long[][] outPeersOverPeriod(java.util.function.IntFunction<Schedule> schedules, int n) {
        int period = n == 0 ? 1 : schedules.apply(0).period();
        long[][] out = new long[period][n];
        for (int t = 0; t < period; t++) {
            for (int r = 0; r < n; r++) {
                int[] peers = schedules.apply(r).outPeers(t);
                if (peers.length != 1) {
                    return null; // not a one-peer graph: a static graph, whose adjacency /topology records
                }
                out[t][r] = peers[0];
            }
        }
        return out;
    }

    /**
     * How fast push-sum mixes on this schedule: |λ₂(M)|^(1/T) for the product M = P_{T−1}⋯P_0 of one
     * period's column-stochastic matrices (P_t[j][i] = 1/(out-degree(i) + 1) for j = i and each
     * out-peer j of i), the per-iteration factor by which disagreement shrinks in the long run.
     * NaN above {@link #MAX_RATE_RANKS} ranks (dense products), 0 for one rank.
     */
    public static double mixingRate(java.util.function.IntFunction<Schedule> schedules, int n) {
        if (n <= 1) {
            return 0;
        }
        if (n > MAX_RATE_RANKS) {
            return Double.NaN;
        }
        int period = schedules.apply(0).period();
        org.ejml.data.DMatrixRMaj product = org.ejml.dense.row.CommonOps_DDRM.identity(n);
        for (int t = 0; t < period; t++) {
            org.ejml.data.DMatrixRMaj p = new org.ejml.data.DMatrixRMaj(n, n);
            for (int i = 0; i < n; i++) {
                int[] out = schedules.apply(i).outPeers(t);
                double share = 1.0 / (out.length + 1);
                p.add(i, i, share);
                for (int j : out) {
                    p.add(j, i, share);
                }
            }
            org.ejml.data.DMatrixRMaj next = new org.ejml.data.DMatrixRMaj(n, n);
            org.ejml.dense.row.CommonOps_DDRM.mult(p, product, next);
            product = next;
        }
        var eig = org.ejml.dense.row.factory.DecompositionFactory_DDRM.eig(n, false);
        if (!eig.decompose(product)) {
            return Double.NaN;
        }
        double[] moduli = new double[n];
        for (int k = 0; k < n; k++) {
            moduli[k] = eig.getEigenvalue(k).getMagnitude();
        }
        Arrays.sort(moduli);
        return Math.pow(moduli[n - 2], 1.0 / period);
    }

    /**
     * The one-peer time-varying directed exponential graph: at iteration t rank i pushes to
     * i + 2^k and hears from i − 2^k (mod n), k = t mod ⌈log2 n⌉. Works for any n (powers of two or not).
     */
    public static Schedule exponential(int rank, int n) {
        int hops = n <= 1 ? 0 : 64 - Long.numberOfLeadingZeros(n - 1L); // ⌈log2 n⌉
        return new Schedule() {
            @Override
            public int[] outPeers(long t) {
                if (hops == 0) {
                    return new int[0];
                }
                long hop = 1L << (t % hops);
                return new int[] {(int) ((rank + hop) % n)};
            }

            @Override
            public int[] inPeers(long t) {
                if (hops == 0) {
                    return new int[0];
                }
                long hop = 1L << (t % hops);
                return new int[] {(int) (((rank - hop) % n + n) % n)};
            }

            @Override
            public String describe() {
                return "one-peer exponential, " + hops + " hop lengths";
            }

            @Override
            public int period() {
                return Math.max(1, hops);
            }
        };
    }

    /** A static graph: push to and hear from every neighbour (an undirected graph used both ways). */
    public static Schedule staticGraph(Graph graph, int rank) {
        int[] peers = graph.neighbours(rank);
        return new Schedule() {
            @Override
            public int[] outPeers(long t) {
                return peers;
            }

            @Override
            public int[] inPeers(long t) {
                return peers;
            }

            @Override
            public String describe() {
                return "static " + graph.name();
            }
        };
    }

    private final Communicator comm;
    private final VectorOps ops;
    private final Schedule schedule;
    private final int dim;
    private final int tag;
    private final float[] self;
    private final float[] mixed;
    private float[][] recv = new float[0][];

    public PushSumGossip(Communicator comm, VectorOps ops, Schedule schedule, int dim, int tag) {
        this.comm = comm;
        this.ops = ops;
        this.schedule = schedule;
        this.dim = dim;
        this.tag = tag;
        this.self = new float[dim + 1];
        this.mixed = new float[dim + 1];
    }

    public Schedule schedule() {
        return schedule;
    }

    /**
     * One push-sum step at iteration t, in place: x ← s·x + Σ_in (pushed x), w ← s·w + Σ_in (pushed w),
     * with s = 1/(out-degree + 1). Returns the new weight.
     */
    public float mix(float[] x, float w, long t) {
        int[] out = schedule.outPeers(t);
        int[] in = schedule.inPeers(t);
        float share = 1f / (out.length + 1);
        for (int k = 0; k < dim; k++) {
            self[k] = share * x[k];
        }
        self[dim] = share * w;
        if (recv.length != in.length) {
            recv = new float[in.length][dim + 1];
        }
        float[][] sends = new float[out.length][];
        Arrays.fill(sends, self);
        comm.exchange(out, sends, in, recv, dim + 1, tag);
        float[] ones = new float[in.length];
        Arrays.fill(ones, 1f);
        ops.weightedSum(mixed, 1f, self, ones, recv, dim + 1);
        System.arraycopy(mixed, 0, x, 0, dim);
        return mixed[dim];
    }
}
