package org.detrain.comm;

import java.util.function.Consumer;
import org.detrain.util.DetrainException;

/**
 * Bounds every blocking communication call. MPJ Express's waits cannot be interrupted, so a daemon
 * thread watches the call in progress and, past the timeout, hands a "peer lost" failure to the
 * callback, which records it and stops the process. No polling in the hot path: entering and
 * leaving a guarded call is two volatile writes.
 */
public final class CommWatchdog {
    private final long timeoutNanos;
    private final int rank;
    private final Consumer<DetrainException> onTimeout;
    private volatile long startedAt;
    private volatile String operation;
    /** Ranks the call in progress waits for, appended to {@link #operation} only when it times out. */
    private volatile int[] peers;
    private volatile String activity = "start-up";
    private final Thread thread;

    public CommWatchdog(int rank, double timeoutSeconds, Consumer<DetrainException> onTimeout) {
        this.rank = rank;
        this.timeoutNanos = (long) (timeoutSeconds * 1e9);
        this.onTimeout = onTimeout;
        this.thread = new Thread(this::watch, "detrain-watchdog-" + rank);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    public void setActivity(String activity) {
        this.activity = activity;
    }

    public void enter(String operation) {
        enter(operation, null);
    }

    /**
     * Enters a call that waits for {@code peers} (named in the timeout message as
     * "operation [peers]"); nothing is formatted unless the call times out.
     */
    public void enter(String operation, int[] peers) {
        this.peers = peers;
        this.startedAt = System.nanoTime();
        this.operation = operation;
    }

    public void leave() {
        this.operation = null;
    }

    public void stop() {
        thread.interrupt();
    }

    private void watch() {
        long tick = Math.max(1_000_000L, Math.min(250_000_000L, timeoutNanos / 10));
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(tick / 1_000_000L);
            } catch (InterruptedException e) {
                return;
            }
            String op = operation;
            int[] waitedFor = peers;
            if (op != null && waitedFor != null) {
                op += " " + java.util.Arrays.toString(waitedFor);
            }
            if (op != null && System.nanoTime() - startedAt > timeoutNanos) {
                onTimeout.accept(DetrainException.runFailure(String.format(
                        "rank %d waited %.1f s for %s during %s; a peer is probably dead or stuck (see its log)."
                                + " Raise comm.timeout if the peers are only slow.",
                        rank, timeoutNanos / 1e9, op, activity), null));
                return;
            }
        }
    }
}
