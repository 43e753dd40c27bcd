package org.detrain.runner;

import java.nio.file.Files;
import java.nio.file.Path;
import org.detrain.comm.Communicator;

/**
 * How the ranks agree to stop at one iteration boundary when asked to (Slurm's SIGUSR1 or SIGTERM
 * before a preemption or the time limit).
 *
 * <p>The request is a file, {@code status/stop-request}, written by the launcher's signal handler
 * or by any rank JVM's (see {@link StopSignals}); a file reaches every rank whatever the
 * transport, and threads of one multicore JVM as well as JVMs started by an MPJ daemon. The ranks
 * look for it only at <em>check points</em>, iteration boundaries they all know in advance, and
 * there they agree with one deterministic all-reduce of two numbers: how many ranks saw a request
 * (any → all stop here), and the next check point, which rank 0 contributes (the other ranks add
 * 0) so that it arrives at every rank unchanged. Rank 0 spaces the check points about
 * {@value #TARGET_SECONDS} s apart from the measured iteration time, so a tiny model's fast
 * iterations do not pay an all-reduce each, and a slow model still reacts within about that time.
 * The check carries no model data, so where the check points fall never changes the results.
 */
final class StopControl {
    /** Aimed-for time between two check points. */
    static final double TARGET_SECONDS = 0.5;
    /** Upper bound on the spacing, in iterations. */
    static final long MAX_SPACING = 1_000_000;

    private final Path request;
    private long nextCheck;
    private long lastCheckIteration;
    private long lastCheckNanos;
    private long checks;
    private long checkNanos;

    /** @param start the iteration the loop starts at; the first check point is one iteration later */
    StopControl(Path request, long start) {
        this.request = request;
        this.nextCheck = start + 1;
        this.lastCheckIteration = start;
        this.lastCheckNanos = System.nanoTime();
    }

    /** Whether the boundary after {@code done} iterations is a check point (the same answer on every rank). */
    boolean due(long done) {
        return done >= nextCheck;
    }

    /** Collective at a check point: true on every rank if any rank saw a stop request. */
    boolean agree(Communicator comm, long done) {
        long t0 = System.nanoTime();
        double[] v = {Files.exists(request) ? 1 : 0,
                comm.rank() == 0 ? done + spacing(done - lastCheckIteration, t0 - lastCheckNanos) : 0};
        comm.allreduceSum(v);
        nextCheck = (long) v[1];
        lastCheckIteration = done;
        long t1 = System.nanoTime();
        lastCheckNanos = t1;
        checks++;
        checkNanos += t1 - t0;
        return v[0] > 0;
    }

    /**
     * Iterations until the next check point, given how long the last {@code iterations} took; it
     * grows at most fourfold per check, so one unrepresentative measurement (the first iteration,
     * a coarse clock) cannot push the next check far away.
     */
    static long spacing(long iterations, long nanos) {
        long measured = Math.max(1, iterations);
        if (nanos <= 0) {
            return 1;
        }
        double perIteration = nanos / 1e9 / measured;
        long wanted = Math.round(TARGET_SECONDS / perIteration);
        return Math.max(1, Math.min(Math.min(MAX_SPACING, 4 * measured), wanted));
    }

    /** Check points so far, and the time they took in all (for the log: the cost of listening). */
    String describe() {
        return String.format("%d stop checks, %.3f ms in all", checks, checkNanos / 1e6);
    }
}
