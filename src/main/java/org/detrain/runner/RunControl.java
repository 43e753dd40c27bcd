package org.detrain.runner;

import java.nio.file.Files;
import java.nio.file.Path;
import org.detrain.comm.Communicator;

/**
 * Where the ranks agree, without a collective in every iteration, to stop (Slurm's SIGUSR1 or
 * SIGTERM before a preemption or the time limit), to write a time-based checkpoint, or that the run
 * diverged (a rank's training loss was not finite: every rank then stops, and rank 0 writes what
 * was measured before).
 *
 * <p>A stop request is a file, {@code status/stop-request}, written by the launcher's signal
 * handler or by any rank JVM's (see {@link StopSignals}); a file reaches every rank whatever the
 * transport, threads of one multicore JVM as well as JVMs started by an MPJ daemon. The ranks look
 * at <em>control points</em> only, iteration boundaries they all know in advance, and there agree
 * with one deterministic all-reduce of three numbers: how many ranks saw a stop request (any → all
 * stop here, after a checkpoint), whether rank 0 wants a checkpoint (it keeps the clock for
 * {@code checkpoint.minutes}), and the next control point. Rank 0 alone contributes the last two
 * (the others add 0), so they reach every rank unchanged. It spaces control points about
 * {@value #TARGET_SECONDS} s apart from the measured iteration time (the spacing grows at most
 * fourfold per point), so fast iterations do not each pay an all-reduce and a slow model still
 * reacts within about that time. The all-reduce carries no model data: where control points
 * fall never changes the results.
 */
final class RunControl {
    /** Aimed-for time between two control points. */
    static final double TARGET_SECONDS = 0.5;
    /** Upper bound on the spacing, in iterations. */
    static final long MAX_SPACING = 1_000_000;

    /** What the ranks agreed at a control point; {@code divergence} is null unless the run diverged. */
    record Decision(boolean stop, boolean checkpoint, Divergence divergence) {
        static final Decision CARRY_ON = new Decision(false, false, null);
    }

    /** The first non-finite training loss over all ranks: its iteration (0-based step), rank and value. */
    record Divergence(long iteration, int rank, double loss) {
    }

    private final Path request;
    private long nextPoint;
    private long lastIteration;
    private long lastNanos;
    private long points;
    private long pointNanos;

    /** @param start the iteration the loop starts at; the first control point is one iteration later */
    RunControl(Path request, long start) {
        this.request = request;
        this.nextPoint = start + 1;
        this.lastIteration = start;
        this.lastNanos = System.nanoTime();
    }

    /** Whether the boundary after {@code done} iterations is a control point (the same answer on every rank). */
    boolean due(long done) {
        return done >= nextPoint;
    }

    /**
     * Collective at a control point. {@code wantCheckpoint} counts on rank 0 only: the clock for
     * time-based checkpoints is rank 0's. {@code divergedAt} is the iteration (0-based step) at which
     * this rank's loss was first not finite, with that loss, or -1.
     */
    Decision agree(Communicator comm, long done, boolean wantCheckpoint, long divergedAt, double divergedLoss) {
        long t0 = System.nanoTime();
        int n = comm.size();
        int rank = comm.rank();
        boolean root = rank == 0;
        double[] v = new double[3 + 2 * n];
        v[0] = Files.exists(request) ? 1 : 0;
        v[1] = root && wantCheckpoint ? 1 : 0;
        v[2] = root ? done + spacing(done - lastIteration, t0 - lastNanos) : 0;
        if (divergedAt >= 0) {
            v[3 + rank] = divergedAt + 1;
            v[3 + n + rank] = Double.isNaN(divergedLoss) ? 1 : divergedLoss > 0 ? 2 : 3;
        }
        comm.allreduceSum(v);
        Divergence divergence = null;
        for (int r = 0; r < n; r++) {
            long at = (long) v[3 + r] - 1;
            if (at >= 0 && (divergence == null || at < divergence.iteration())) {
                int code = (int) v[3 + n + r];
                divergence = new Divergence(at, r, code == 1 ? Double.NaN
                        : code == 2 ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY);
            }
        }
        nextPoint = (long) v[2];
        lastIteration = done;
        long t1 = System.nanoTime();
        lastNanos = t1;
        points++;
        pointNanos += t1 - t0;
        return new Decision(v[0] > 0, v[1] > 0, divergence);
    }

    /**
     * Iterations until the next control point, given how long the last {@code iterations} took; it
     * grows at most fourfold per point, so one unrepresentative measurement (the first iteration,
     * a coarse clock) cannot push the next point far away.
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

    /** Control points so far and the time they took in all (for the log: the cost of listening). */
    String describe() {
        return String.format("%d control points, %.3f ms in all", points, pointNanos / 1e6);
    }
}
