package org.detrain.runner;

import org.detrain.comm.Communicator;

/** A world of one rank, for unit tests of code that runs collectives: gathers copy, broadcasts keep. */
final class SoloComm implements Communicator {
    int collectives;

    @Override
    public int rank() {
        return 0;
    }

    @Override
    public int size() {
        return 1;
    }

    @Override
    public String transport() {
        return "solo";
    }

    @Override
    public String hostName() {
        return "localhost";
    }

    @Override
    public Exchange startExchange(int[] sendTo, float[][] send, int[] recvFrom, float[][] recv, int count, int tag) {
        return () -> { };
    }

    @Override
    public void gather(double[] send, double[] recv, int count, int root) {
        collectives++;
        System.arraycopy(send, 0, recv, 0, count);
    }

    @Override
    public void gather(float[] send, float[] recv, int count, int root) {
        collectives++;
        System.arraycopy(send, 0, recv, 0, count);
    }

    @Override
    public void broadcast(double[] buf, int count, int root) {
        collectives++;
    }

    @Override
    public void broadcast(float[] buf, int count, int root) {
        collectives++;
    }

    @Override
    public void barrier() {
        collectives++;
    }

    @Override
    public long bytesSent() {
        return 0;
    }

    @Override
    public long messagesSent() {
        return 0;
    }

    @Override
    public long waitNanos() {
        return 0;
    }

    @Override
    public void setActivity(String activity) {
    }
}
