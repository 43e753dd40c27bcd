package org.detrain.comm.mpj;

import mpi.Datatype;
import mpi.Intracomm;
import mpi.MPI;
import mpi.Request;
import org.detrain.comm.CommWatchdog;
import org.detrain.comm.Communicator;
import org.detrain.comm.MessageTags;

/**
 * {@link Communicator} on MPJ Express point-to-point calls. Payloads travel as primitive float or
 * double arrays (MPJ's FLOAT/DOUBLE types), never as serialized objects. Each blocking wait is
 * watched by a {@link CommWatchdog}.
 */
final class MpjCommunicator implements Communicator {
    private final Intracomm world;
    private final int rank;
    private final int size;
    private final String transport;
    private final String hostName;
    private final CommWatchdog watchdog;
    private long bytesSent;
    private long messagesSent;
    private long waitNanos;

    MpjCommunicator(Intracomm world, String transport, CommWatchdog watchdog) {
        this.world = world;
        this.rank = world.Rank();
        this.size = world.Size();
        this.transport = transport;
        this.hostName = MPI.Get_processor_name();
        this.watchdog = watchdog;
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public String transport() {
        return transport;
    }

    @Override
    public String hostName() {
        return hostName;
    }

    @Override
    public Exchange startExchange(int[] sendTo, float[][] send, int[] recvFrom, float[][] recv, int count, int tag) {
        Request[] requests = new Request[sendTo.length + recvFrom.length];
        int q = 0;
        for (int k = 0; k < recvFrom.length; k++) {
            requests[q++] = world.Irecv(recv[k], 0, count, MPI.FLOAT, recvFrom[k], tag);
        }
        for (int k = 0; k < sendTo.length; k++) {
            requests[q++] = world.Isend(send[k], 0, count, MPI.FLOAT, sendTo[k], tag);
        }
        messagesSent += sendTo.length;
        bytesSent += 4L * count * sendTo.length;
        return requests.length == 0 ? NOTHING_PENDING : () -> awaitAll(requests, recvFrom);
    }

    private static final Exchange NOTHING_PENDING = () -> { };

    /** The exchange's wait, with no per-call formatting or allocation beyond MPJ's own. */
    private void awaitAll(Request[] requests, int[] peers) {
        long t0 = System.nanoTime();
        watchdog.enter("messages from ranks", peers);
        try {
            Request.Waitall(requests);
        } finally {
            watchdog.leave();
            waitNanos += System.nanoTime() - t0;
        }
    }

    @Override
    public void gather(double[] send, double[] recv, int count, int root) {
        collective("gather to rank " + root, send, recv, count, root, MPI.DOUBLE);
    }

    @Override
    public void gather(float[] send, float[] recv, int count, int root) {
        collective("gather to rank " + root, send, recv, count, root, MPI.FLOAT);
    }

    /**
     * Point to point: every rank sends its {@code count} values to the root, which posts one receive
     * per rank straight into that rank's slot. MPJ's own Gather runs along a tree whose inner ranks
     * collect their subtree in a receive buffer of size × count, so every rank needed one: at 1024
     * ranks and an 8k-float model that is 32 MB per rank, 32 GB in all. Same values, same order.
     */
    private void collective(String what, Object send, Object recv, int count, int root, Datatype type) {
        guarded(what, () -> {
            if (rank != root) {
                world.Send(send, 0, count, type, root, MessageTags.GATHER);
                return;
            }
            Request[] requests = new Request[size - 1];
            int q = 0;
            for (int r = 0; r < size; r++) {
                if (r != root) {
                    requests[q++] = world.Irecv(recv, r * count, count, type, r, MessageTags.GATHER);
                }
            }
            System.arraycopy(send, 0, recv, root * count, count);
            if (requests.length > 0) {
                Request.Waitall(requests);
            }
        });
    }

    @Override
    public void broadcast(double[] buf, int count, int root) {
        guarded("broadcast from rank " + root, () -> world.Bcast(buf, 0, count, MPI.DOUBLE, root));
    }

    @Override
    public void broadcast(float[] buf, int count, int root) {
        guarded("broadcast from rank " + root, () -> world.Bcast(buf, 0, count, MPI.FLOAT, root));
    }

    @Override
    public void barrier() {
        guarded("barrier", world::Barrier);
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
        watchdog.setActivity(activity);
    }

    @Override
    public void started() {
        watchdog.running();
    }

    @Override
    public double transportExchangeSeconds(int[] peers, int floats, int rounds, int tag) {
        float[] send = new float[floats];
        float[][] recv = new float[peers.length][floats];
        long t0 = 0;
        for (int r = -1; r < rounds; r++) { // round -1 warms up
            if (r == 0) {
                barrier();
                t0 = System.nanoTime();
            }
            Request[] requests = new Request[2 * peers.length];
            for (int k = 0; k < peers.length; k++) {
                requests[k] = world.Irecv(recv[k], 0, floats, MPI.FLOAT, peers[k], tag);
            }
            for (int k = 0; k < peers.length; k++) {
                requests[peers.length + k] = world.Isend(send, 0, floats, MPI.FLOAT, peers[k], tag);
            }
            watchdog.enter("the transport's own exchange with ranks", peers);
            Request.Waitall(requests);
            watchdog.leave();
        }
        return (System.nanoTime() - t0) / 1e9 / rounds;
    }

    private void guarded(String operation, Runnable call) {
        long t0 = System.nanoTime();
        watchdog.enter(operation);
        try {
            call.run();
        } finally {
            watchdog.leave();
            waitNanos += System.nanoTime() - t0;
        }
    }
}
