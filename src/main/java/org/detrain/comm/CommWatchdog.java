package org.detrain.comm;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.detrain.util.DetrainException;

/**
 * Bounds every blocking communication call. MPJ Express's waits cannot be interrupted, so a daemon
 * thread watches the call in progress and, past the timeout, hands a "peer lost" failure to the
 * callback, which records it and stops the process. No polling in the hot path: entering and
 * leaving a guarded call is two volatile writes.
 *
 * <p>One thread watches every rank of the JVM (under the multicore device, all of them: 1024 ranks
 * are not 1024 more threads waking four times a second). Until the rank's program says its start-up
 * is over ({@link #running}), the bound is {@link #startupSeconds}: set-up ends with collectives that
 * wait for the slowest rank's set-up, and a thousand ranks set up one after another on a few cores.
 */
public final class CommWatchdog {
    /** What start-up may take per rank of the job, beyond comm.timeout, when ranks share a few cores. */
    public static final double STARTUP_SECONDS_PER_RANK = 0.1;

    private static final Set<CommWatchdog> WATCHED = ConcurrentHashMap.newKeySet();
    private static Thread watcher;

    private final long timeoutNanos;
    private final long startupNanos;
    private final int rank;
    private final Consumer<DetrainException> onTimeout;
    private volatile long startedAt;
    private volatile String operation;
    /** Ranks the call in progress waits for, appended to {@link #operation} only when it times out. */
    private volatile int[] peers;
    private volatile String activity = "start-up";
    private volatile boolean starting = true;

    /**
     * @param rank           the rank watched, for the message
     * @param ranks          the job's rank count, which sets the start-up bound
     * @param timeoutSeconds comm.timeout
     */
    public CommWatchdog(int rank, int ranks, double timeoutSeconds, Consumer<DetrainException> onTimeout) {
        this.rank = rank;
        this.timeoutNanos = (long) (timeoutSeconds * 1e9);
        this.startupNanos = (long) (startupSeconds(timeoutSeconds, ranks) * 1e9);
        this.onTimeout = onTimeout;
        WATCHED.add(this);
        startWatcher();
    }

    /**
     * How long a rank may wait for a peer while the ranks start: comm.timeout, or 0.1 s per rank of
     * the job where that is longer (102 s at 1024 ranks; small jobs keep comm.timeout).
     */
    public static double startupSeconds(double timeoutSeconds, int ranks) {
        return Math.max(timeoutSeconds, STARTUP_SECONDS_PER_RANK * ranks);
    }

    public void setActivity(String activity) {
        this.activity = activity;
    }

    /** Start-up is over: from now on every wait is bounded by comm.timeout. */
    public void running() {
        this.starting = false;
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
        WATCHED.remove(this);
    }

    private static synchronized void startWatcher() {
        if (watcher == null) {
            watcher = new Thread(CommWatchdog::watchAll, "detrain-watchdog");
            watcher.setDaemon(true);
            watcher.start();
        }
    }

    private static void watchAll() {
        while (true) {
            long tick = 250_000_000L;
            for (CommWatchdog w : WATCHED) {
                tick = Math.min(tick, Math.max(1_000_000L, w.timeoutNanos / 10));
                w.check();
            }
            try {
                Thread.sleep(tick / 1_000_000L);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void check() {
        String op = operation;
        long bound = starting ? startupNanos : timeoutNanos;
        if (op != null && System.nanoTime() - startedAt > bound) {
            int[] waitedFor = peers;
            if (waitedFor != null) {
                op += " " + java.util.Arrays.toString(waitedFor);
            }
            WATCHED.remove(this);
            onTimeout.accept(DetrainException.runFailure(String.format(
                    "rank %d waited %.1f s for %s during %s; a peer is probably dead or stuck (see its log)."
                            + " Raise comm.timeout if the peers are only slow.",
                    rank, bound / 1e9, op, activity), null));
        }
    }
}
