package org.detrain.comm.local;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.detrain.comm.Communicator;
import org.detrain.util.DetrainException;

/**
 * One rank of a {@link LocalWorld}: the {@link Communicator} contract on in-memory mailboxes. Sends
 * copy the payload at once; receives are posted (numbered) before the sends go out, as the MPJ
 * communicator posts its Irecvs first; every wait is bounded by the world's timeout and fails naming
 * the ranks that stayed silent. The deterministic reductions are the interface's own default
 * methods, so a program gets the same bits here as on MPJ.
 *
 * <p>Stricter than MPJ in one way that helps find bugs: {@link Exchange#await()} fails if a send
 * buffer was changed before it (MPI leaves that undefined).
 */
public final class LocalCommunicator implements Communicator {
    /** Collective channels' tags (on channels of their own, so they never meet a user tag). */
    private static final int GATHER = 1;
    private static final int BROADCAST = 2;

    private final LocalWorld world;
    private final int rank;
    private volatile String activity = "start-up";
    private long bytesSent;
    private long messagesSent;
    private long waitNanos;

    LocalCommunicator(LocalWorld world, int rank) {
        this.world = world;
        this.rank = rank;
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return world.size();
    }

    @Override
    public String transport() {
        return "local";
    }

    @Override
    public String hostName() {
        return "localhost";
    }

    @Override
    public Exchange startExchange(int[] sendTo, float[][] send, int[] recvFrom, float[][] recv, int count, int tag) {
        if (send.length < sendTo.length || recv.length < recvFrom.length) {
            throw new IllegalArgumentException("exchange: " + sendTo.length + " targets but " + send.length
                    + " send buffers, " + recvFrom.length + " sources but " + recv.length + " receive buffers");
        }
        Mailbox mine = world.mailbox(rank);
        Mailbox.Channel[] channels = new Mailbox.Channel[recvFrom.length];
        long[] seqs = new long[recvFrom.length];
        for (int k = 0; k < recvFrom.length; k++) {
            checkRank(recvFrom[k]);
            channels[k] = new Mailbox.Channel(recvFrom[k], tag, false);
            seqs[k] = mine.post(channels[k]);
        }
        float[][] copies = new float[sendTo.length][];
        for (int k = 0; k < sendTo.length; k++) {
            checkRank(sendTo[k]);
            copies[k] = Arrays.copyOf(send[k], count);
            world.mailbox(sendTo[k]).deliver(new Mailbox.Channel(rank, tag, false), new Mailbox.Message(copies[k], count));
        }
        messagesSent += sendTo.length;
        bytesSent += 4L * count * sendTo.length;
        return () -> {
            for (int k = 0; k < sendTo.length; k++) {
                if (!Arrays.equals(send[k], 0, count, copies[k], 0, count)) {
                    throw new IllegalStateException("rank " + rank + " changed its send buffer for rank " + sendTo[k]
                            + " (tag " + tag + ") before the exchange completed");
                }
            }
            long t0 = System.nanoTime();
            try {
                Mailbox.Message[] got = receiveAll(channels, seqs, "messages from ranks " + Arrays.toString(recvFrom)
                        + " (tag " + tag + ")");
                for (int k = 0; k < got.length; k++) {
                    copyInto(got[k], recv[k], count, "a message from rank " + recvFrom[k] + " (tag " + tag + ")");
                }
            } finally {
                waitNanos += System.nanoTime() - t0;
            }
        };
    }

    @Override
    public void gather(double[] send, double[] recv, int count, int root) {
        gatherAny(Arrays.copyOf(send, count), recv, count, root);
    }

    @Override
    public void gather(float[] send, float[] recv, int count, int root) {
        gatherAny(Arrays.copyOf(send, count), recv, count, root);
    }

    @Override
    public void broadcast(double[] buf, int count, int root) {
        broadcastAny(buf, count, root);
    }

    @Override
    public void broadcast(float[] buf, int count, int root) {
        broadcastAny(buf, count, root);
    }

    @Override
    public void barrier() {
        gather(new double[0], new double[0], 0, 0);
        broadcast(new double[0], 0, 0);
    }

    @Override
    public long bytesSent() {
        return bytesSent;
    }

    @Override
    public long messagesSent() {
        return messagesSent;
    }

    @Override
    public long waitNanos() {
        return waitNanos;
    }

    @Override
    public void setActivity(String activity) {
        this.activity = activity;
    }

    /** {@code copy} is already this rank's private copy of its contribution. */
    private void gatherAny(Object copy, Object recv, int count, int root) {
        checkRank(root);
        long t0 = System.nanoTime();
        try {
            if (rank != root) {
                world.mailbox(root).deliver(new Mailbox.Channel(rank, GATHER, true), new Mailbox.Message(copy, count));
                return;
            }
            int n = size();
            Mailbox mine = world.mailbox(rank);
            Mailbox.Channel[] channels = new Mailbox.Channel[n - 1];
            long[] seqs = new long[n - 1];
            int k = 0;
            for (int r = 0; r < n; r++) {
                if (r != root) {
                    channels[k] = new Mailbox.Channel(r, GATHER, true);
                    seqs[k] = mine.post(channels[k]);
                    k++;
                }
            }
            Mailbox.Message[] got = receiveAll(channels, seqs, "gather to rank " + root);
            k = 0;
            for (int r = 0; r < n; r++) {
                Mailbox.Message m = r == root ? new Mailbox.Message(copy, count) : got[k++];
                checkShape(m, recv, count, true, "the gather contribution of rank " + r);
                System.arraycopy(m.payload(), 0, recv, r * count, count);
            }
        } finally {
            waitNanos += System.nanoTime() - t0;
        }
    }

    private void broadcastAny(Object buf, int count, int root) {
        checkRank(root);
        long t0 = System.nanoTime();
        try {
            if (rank == root) {
                for (int r = 0; r < size(); r++) {
                    if (r != root) {
                        Object copy = buf instanceof double[] d ? Arrays.copyOf(d, count) : Arrays.copyOf((float[]) buf, count);
                        world.mailbox(r).deliver(new Mailbox.Channel(rank, BROADCAST, true), new Mailbox.Message(copy, count));
                    }
                }
                return;
            }
            Mailbox.Channel channel = new Mailbox.Channel(root, BROADCAST, true);
            long seq = world.mailbox(rank).post(channel);
            Mailbox.Message m = receiveAll(new Mailbox.Channel[] {channel}, new long[] {seq}, "broadcast from rank " + root)[0];
            checkShape(m, buf, count, true, "the broadcast from rank " + root);
            System.arraycopy(m.payload(), 0, buf, 0, count);
        } finally {
            waitNanos += System.nanoTime() - t0;
        }
    }

    /**
     * Takes the numbered message of every channel, all within one timeout. On a timeout the error
     * names every rank whose message is still missing.
     */
    private Mailbox.Message[] receiveAll(Mailbox.Channel[] channels, long[] seqs, String what) {
        Mailbox mine = world.mailbox(rank);
        Mailbox.Message[] got = new Mailbox.Message[channels.length];
        long deadline = System.nanoTime() + world.timeoutNanos();
        try {
            for (int k = 0; k < channels.length; k++) {
                got[k] = mine.take(channels[k], seqs[k], deadline, () -> world.abortedBecause(rank) != null);
                if (got[k] == null) {
                    DetrainException aborted = world.abortedBecause(rank);
                    if (aborted != null) {
                        throw aborted;
                    }
                    throw timeout(channels, seqs, k, what);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw DetrainException.runFailure("rank " + rank + " was interrupted while waiting for " + what
                    + " during " + activity, e);
        }
        return got;
    }

    private DetrainException timeout(Mailbox.Channel[] channels, long[] seqs, int first, String what) {
        Mailbox mine = world.mailbox(rank);
        List<Integer> silent = new ArrayList<>();
        for (int k = first; k < channels.length; k++) {
            if (!mine.arrived(channels[k], seqs[k])) {
                silent.add(channels[k].source());
            }
        }
        return DetrainException.runFailure(String.format(
                "rank %d waited %.1f s for %s during %s, and rank%s %s never sent; a peer is probably dead or"
                        + " stuck. Raise comm.timeout if the peers are only slow.",
                rank, world.timeoutNanos() / 1e9, what, activity, silent.size() == 1 ? "" : "s",
                silent.size() == 1 ? silent.get(0).toString() : silent.toString()), null);
    }

    private void copyInto(Mailbox.Message m, float[] recv, int count, String what) {
        checkShape(m, recv, count, false, what);
        System.arraycopy(m.payload(), 0, recv, 0, m.count());
    }

    /** Same element type, and a count within (point-to-point) or equal to (collectives) the expected one. */
    private void checkShape(Mailbox.Message m, Object buffer, int count, boolean exact, String what) {
        boolean sameType = m.payload().getClass() == buffer.getClass();
        if (!sameType || m.count() > count || exact && m.count() != count) {
            throw DetrainException.runFailure("rank " + rank + " received " + what + " of " + m.count() + " "
                    + m.payload().getClass().getComponentType() + " values but expected " + (exact ? "" : "at most ")
                    + count + " "
                    + buffer.getClass().getComponentType() + " values during " + activity
                    + ": the ranks disagree on what they exchange", null);
        }
    }

    private void checkRank(int peer) {
        if (peer < 0 || peer >= size()) {
            throw new IllegalArgumentException("rank " + peer + " is not in a world of " + size());
        }
    }
}
