package org.detrain.gossip;

import org.detrain.comm.Communicator;
import org.detrain.kernel.VectorOps;

/**
 * One rank's side of a gossip step with a fixed row of the mixing matrix:
 * out = w_ii·x_i + Σ_{j ∈ N(i)} w_ij·x_j, computed as x_i + Σ_j w_ij·(x_j − x_i). The exchange is split in {@link #start} and
 * {@link #finishMix} so that an algorithm can compute its gradient while messages travel.
 * Whatever an iteration sends to a neighbour goes in one message (latency dominates small
 * models), so callers pack several vectors into one payload; mixing is linear, so a packed
 * payload mixes like each part separately.
 */
public final class NeighbourGossip {
    private final Communicator comm;
    private final VectorOps ops;
    private final int[] peers;
    private final float[] peerWeights;
    private final float[][] sendRefs;
    /** Send buffers that are the caller's own vector ({@link #startShared}, {@link #mix}), one per neighbour. */
    private final float[][] sharedRefs;
    private final float[][] recv;
    private final float[] sendBuffer;
    private final float[] mixBuffer;
    private final int tag;
    private Communicator.Exchange inFlight;
    private int inFlightCount;

    /**
     * @param peers       neighbours of this rank (excluding itself), ascending
     * @param selfWeight  W_ii
     * @param peerWeights W_ij aligned with {@code peers}
     * @param capacity    the largest payload, in floats, that will be exchanged
     */
    public NeighbourGossip(Communicator comm, VectorOps ops, int[] peers, double selfWeight, double[] peerWeights,
                           int capacity, int tag) {
        if (peers.length != peerWeights.length) {
            throw new IllegalArgumentException("peers and weights differ in length");
        }
        this.comm = comm;
        this.ops = ops;
        this.peers = peers.clone();
        double rowSum = selfWeight;
        for (double w : peerWeights) {
            rowSum += w;
        }
        if (Math.abs(rowSum - 1) > 1e-9) {
            throw new IllegalArgumentException("mixing row sums to " + rowSum + ", not 1");
        }
        this.peerWeights = new float[peerWeights.length];
        for (int k = 0; k < peerWeights.length; k++) {
            this.peerWeights[k] = (float) peerWeights[k];
        }
        this.sendBuffer = new float[capacity];
        this.mixBuffer = new float[capacity];
        this.sendRefs = new float[peers.length][];
        java.util.Arrays.fill(sendRefs, sendBuffer); // the same payload goes to every neighbour
        this.sharedRefs = new float[peers.length][];
        this.recv = new float[peers.length][capacity];
        this.tag = tag;
    }

    public int[] peers() {
        return peers.clone();
    }

    /** Copies x[0, count) and starts sending it to every neighbour. */
    public void start(float[] x, int count) {
        if (inFlight != null) {
            throw new IllegalStateException("a gossip exchange is already in flight");
        }
        System.arraycopy(x, 0, sendBuffer, 0, count);
        inFlight = comm.startExchange(peers, sendRefs, peers, recv, count, tag);
        inFlightCount = count;
    }

    /**
     * Starts sending x[0, count) itself to every neighbour, without copying it (a copy costs as
     * much as a third of a large exchange): x must not change until {@link #finishMix} returns.
     */
    public void startShared(float[] x, int count) {
        if (inFlight != null) {
            throw new IllegalStateException("a gossip exchange is already in flight");
        }
        java.util.Arrays.fill(sharedRefs, x);
        inFlight = comm.startExchange(peers, sharedRefs, peers, recv, count, tag);
        inFlightCount = count;
    }

    /**
     * Waits for the neighbours' payloads and writes out = self + Σ_j w_ij·(recv_j − self) over
     * [0, count) (= w_ii·self + Σ_j w_ij·recv_j, since the row sums to 1; the difference form mixes
     * a consensus exactly), neighbours in ascending order so runs are bit-reproducible.
     * {@code self} is normally the x given to {@link #start}; {@code out} may alias it.
     */
    public void finishMix(float[] self, float[] out) {
        if (inFlight == null) {
            throw new IllegalStateException("finishMix without start");
        }
        inFlight.await();
        inFlight = null;
        ops.mixDifferences(out, self, peerWeights, recv, inFlightCount);
    }

    /**
     * Starts sending several vectors of {@code length} floats as one message (DSGT's x and y,
     * DeTAG's x̃ and y): the parts are packed back to back.
     */
    public void startPacked(int length, float[]... parts) {
        if (inFlight != null) {
            throw new IllegalStateException("a gossip exchange is already in flight");
        }
        for (int p = 0; p < parts.length; p++) {
            System.arraycopy(parts[p], 0, sendBuffer, p * length, length);
        }
        int count = parts.length * length;
        inFlight = comm.startExchange(peers, sendRefs, peers, recv, count, tag);
        inFlightCount = count;
    }

    /** Completes {@link #startPacked}: outs[p] = W_i· (part p), in the order the parts were given. */
    public void finishMixPacked(int length, float[]... outs) {
        finishMix(sendBuffer, mixBuffer); // the packed send buffer is this rank's own contribution
        for (int p = 0; p < outs.length; p++) {
            System.arraycopy(mixBuffer, p * length, outs[p], 0, length);
        }
    }

    /**
     * A blocking gossip step: out = W_i· x ({@code out} may be x). x itself is sent: nothing can
     * change it before the exchange completes, and the mixing reads each element before it writes
     * the same element of out.
     */
    public void mix(float[] x, float[] out, int count) {
        startShared(x, count);
        finishMix(x, out);
    }
}
