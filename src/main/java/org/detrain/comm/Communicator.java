package org.detrain.comm;

/**
 * What a rank may do with its peers. Only {@code org.detrain.comm.mpj} implements it on MPJ
 * Express; everything above this layer sees plain arrays and ranks.
 *
 * <p>Every blocking call is bounded: a peer that does not answer within the configured timeout
 * ends the run with an error naming the peers waited for, never a hang.
 */
public interface Communicator {
    int rank();

    int size();

    /** MPJ device the ranks run on: "multicore" or "niodev". */
    String transport();

    /** Host this rank runs on. */
    String hostName();

    /**
     * Starts a neighbour exchange: posts a receive of {@code count} floats from each
     * {@code recvFrom[k]} into {@code recv[k]}, then sends {@code send[k]} to {@code sendTo[k]}.
     * Receives go first so that no ring or torus size can deadlock. The send buffers must not be
     * changed, nor the receive buffers read, until {@link Exchange#await()} returns.
     */
    Exchange startExchange(int[] sendTo, float[][] send, int[] recvFrom, float[][] recv, int count, int tag);

    /** Blocking neighbour exchange: {@code startExchange(...).await()}. */
    default void exchange(int[] sendTo, float[][] send, int[] recvFrom, float[][] recv, int count, int tag) {
        startExchange(sendTo, send, recvFrom, recv, count, tag).await();
    }

    /**
     * Root receives every rank's {@code send} (length {@code count}) into {@code recv} in rank
     * order ({@code recv} must hold size*count at the root; ignored elsewhere).
     */
    void gather(double[] send, double[] recv, int count, int root);

    /** Float version of {@link #gather(double[], double[], int, int)}. */
    void gather(float[] send, float[] recv, int count, int root);

    /** Root's {@code buf[0..count)} replaces everyone's. */
    void broadcast(double[] buf, int count, int root);

    /** Float version of {@link #broadcast(double[], int, int)}. */
    void broadcast(float[] buf, int count, int root);

    void barrier();

    /** Bytes this rank has sent in neighbour exchanges (payload only). */
    long bytesSent();

    /** Messages this rank has sent in neighbour exchanges. */
    long messagesSent();

    /** Nanoseconds this rank has spent blocked waiting for communication. */
    long waitNanos();

    /** Says what the rank is doing, for the message when a peer is lost (e.g. "iteration 17"). */
    void setActivity(String activity);

    /**
     * The rank's start-up is over (every rank has set up): from now on a wait is bounded by the
     * communication timeout rather than the longer start-up bound, where the implementation has one.
     */
    default void started() {
    }

    /**
     * The transport's own speed, for {@code detrain check}: {@code rounds} exchanges of
     * {@code floats} floats with {@code peers} made directly on the transport (a receive from each,
     * a send to each, then wait for all), none of detrain's layers in between; returns this rank's
     * seconds per round, or NaN where there is no transport underneath. Each round's wait is
     * bounded like every other. Collective: every rank calls it, with peers that match.
     */
    default double transportExchangeSeconds(int[] peers, int floats, int rounds, int tag) {
        return Double.NaN;
    }

    /** A started, not yet completed exchange. */
    interface Exchange {
        void await();
    }

    /**
     * Deterministic sum over ranks: gathers to rank 0, adds in rank order, broadcasts. Results are
     * bit-identical whatever the transport (unlike a tree reduction whose order may vary).
     */
    default void allreduceSum(double[] values) {
        int n = size();
        int count = values.length;
        double[] all = rank() == 0 ? new double[n * count] : new double[0];
        gather(values, all, count, 0);
        if (rank() == 0) {
            for (int j = 0; j < count; j++) {
                double s = 0;
                for (int r = 0; r < n; r++) {
                    s += all[r * count + j];
                }
                values[j] = s;
            }
        }
        broadcast(values, count, 0);
    }

    /** Longest text, in UTF-8 bytes, that {@link #gatherStrings} and {@link #broadcastString} carry whole. */
    int TEXT_BYTES = 4096;

    /**
     * Gathers one string per rank (host names, device names, a rank's report on its checkpoint
     * write) to the root, in rank order; each is cut to {@value #TEXT_BYTES} UTF-8 bytes (at a
     * character boundary). Returns null on other ranks.
     */
    default String[] gatherStrings(String value, int root) {
        // the longest text first, so each rank sends only that much (not TEXT_BYTES: 32 MB at rank 0 for 1024 ranks)
        double[] mine = encodeText(value, TEXT_BYTES);
        double[] lengths = rank() == root ? new double[size()] : new double[0];
        gather(new double[] {mine[0]}, lengths, 1, root);
        double[] width = {0};
        for (double l : lengths) {
            width[0] = Math.max(width[0], l);
        }
        broadcast(width, 1, root);
        int count = (int) width[0] + 1;
        double[] all = rank() == root ? new double[size() * count] : new double[0];
        gather(java.util.Arrays.copyOf(mine, count), all, count, root);
        if (rank() != root) {
            return null;
        }
        String[] out = new String[size()];
        for (int r = 0; r < size(); r++) {
            out[r] = decodeText(all, r * count);
        }
        return out;
    }

    /** Every rank gets the root's string (cut as in {@link #gatherStrings}); the others' {@code value} is ignored. */
    default String broadcastString(String value, int root) {
        double[] text = encodeText(rank() == root ? value : "", TEXT_BYTES);
        double[] length = {text[0]};
        broadcast(length, 1, root); // its length first, so only that much travels to every rank
        double[] buf = java.util.Arrays.copyOf(text, (int) length[0] + 1);
        broadcast(buf, buf.length, root);
        return decodeText(buf, 0);
    }

    /** [length, byte 0, byte 1, ...], the text cut to {@code limit} UTF-8 bytes at a character boundary. */
    private static double[] encodeText(String text, int limit) {
        byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int len = Math.min(bytes.length, limit);
        while (len < bytes.length && len > 0 && (bytes[len] & 0xC0) == 0x80) {
            len--; // do not cut a character in two
        }
        double[] out = new double[len + 1];
        out[0] = len;
        for (int k = 0; k < len; k++) {
            out[k + 1] = bytes[k];
        }
        return out;
    }

    private static String decodeText(double[] buf, int offset) {
        int len = (int) buf[offset];
        byte[] bytes = new byte[len];
        for (int k = 0; k < len; k++) {
            bytes[k] = (byte) buf[offset + 1 + k];
        }
        return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * Deterministic mean over ranks of a float vector: gathered to rank 0, summed in rank order in
     * double, divided by n, rounded to float and broadcast, so every rank gets the same bits.
     */
    default void allreduceMean(float[] values, int count) {
        int n = size();
        float[] all = rank() == 0 ? new float[n * count] : new float[0];
        gather(values, all, count, 0);
        if (rank() == 0) {
            for (int k = 0; k < count; k++) {
                double s = 0;
                for (int r = 0; r < n; r++) {
                    s += all[r * count + k];
                }
                values[k] = (float) (s / n);
            }
        }
        broadcast(values, count, 0);
    }
}
