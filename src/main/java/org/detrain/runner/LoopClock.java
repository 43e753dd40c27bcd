package org.detrain.runner;

import java.util.function.LongSupplier;

/**
 * One rank's account of where the training loop's time goes: the loop as a whole, and the parts
 * that are not training — evaluations, records, handing records to the metrics writer, and
 * checkpoints. Training time is what is left: the steps themselves, control points and the progress
 * line. The communication wait inside those parts is kept apart too, so that a rank's
 * {@code comm_wait_time} is the waiting of its iterations only. Every figure is cumulative over all
 * launches of the run (the checkpoint carries them), and the summary, {@code detrain report}, the
 * rank logs and {@code metrics.h5} all read them from here under the names of
 * {@link org.detrain.results.MetricsSchema#RECORD_TIMES}.
 */
final class LoopClock {
    /** The parts of the loop that are not training. */
    enum Phase { EVALUATION, RECORD, METRICS_IO, CHECKPOINT }

    /**
     * Cumulative seconds at one moment: the loop and its parts; {@code training} is the rest
     * (wall − evaluation − record − metricsIo − checkpoint).
     */
    record Times(double wall, double evaluation, double record, double metricsIo, double checkpoint) {
        static final Times ZERO = new Times(0, 0, 0, 0, 0);

        double training() {
            return wall - evaluation - record - metricsIo - checkpoint;
        }

        /** For the logs: the same names as the series. */
        String describe() {
            return String.format("%.3f s of training; loop %.3f s: training %.3f s, evaluation %.3f s, records %.3f s,"
                    + " metrics I/O %.3f s, checkpoints %.3f s", training(), wall, training(), evaluation, record, metricsIo,
                    checkpoint);
        }
    }

    private final LongSupplier waitNanos;
    private final Times carried;
    private final double carriedWait;
    private final long[] phaseNanos = new long[Phase.values().length];
    private final long[] phaseWaitNanos = new long[Phase.values().length];
    private long start;
    private long stoppedAt = -1;
    private Phase current;
    private long enteredAt;
    private long waitAtEnter;

    /**
     * @param waitNanos   this rank's communication wait so far ({@code Communicator::waitNanos})
     * @param carried     the loop's times of the launches before this one
     * @param carriedWait the iterations' communication wait before this launch, seconds
     */
    LoopClock(LongSupplier waitNanos, Times carried, double carriedWait) {
        this.waitNanos = waitNanos;
        this.carried = carried;
        this.carriedWait = carriedWait;
    }

    void start() {
        start = System.nanoTime();
    }

    /** Freezes the loop's time (its end): later calls report the times at this moment. */
    void stop() {
        if (current != null) {
            leave();
        }
        stoppedAt = System.nanoTime();
    }

    void enter(Phase phase) {
        if (current != null) {
            throw new IllegalStateException("entering " + phase + " inside " + current);
        }
        current = phase;
        enteredAt = System.nanoTime();
        waitAtEnter = waitNanos.getAsLong();
    }

    void leave() {
        int p = current.ordinal();
        phaseNanos[p] += System.nanoTime() - enteredAt;
        phaseWaitNanos[p] += waitNanos.getAsLong() - waitAtEnter;
        current = null;
    }

    /** The times now (the phase in progress counted up to now), or at {@link #stop()}. */
    Times times() {
        long now = stoppedAt >= 0 ? stoppedAt : System.nanoTime();
        double[] s = new double[phaseNanos.length];
        for (int p = 0; p < s.length; p++) {
            long nanos = phaseNanos[p] + (current != null && current.ordinal() == p ? now - enteredAt : 0);
            s[p] = nanos / 1e9;
        }
        return new Times(carried.wall() + (now - start) / 1e9, carried.evaluation() + s[Phase.EVALUATION.ordinal()],
                carried.record() + s[Phase.RECORD.ordinal()], carried.metricsIo() + s[Phase.METRICS_IO.ordinal()],
                carried.checkpoint() + s[Phase.CHECKPOINT.ordinal()]);
    }

    /** Seconds this rank's iterations spent blocked on communication (waits inside the phases left out). */
    double iterationWaitSeconds() {
        long inPhases = current != null ? waitNanos.getAsLong() - waitAtEnter : 0;
        for (long w : phaseWaitNanos) {
            inPhases += w;
        }
        return carriedWait + (waitNanos.getAsLong() - inPhases) / 1e9;
    }
}
