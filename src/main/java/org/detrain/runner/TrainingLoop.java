package org.detrain.runner;

import java.nio.file.Path;
import org.detrain.algo.Algorithm;
import org.detrain.algo.AlgorithmState;
import org.detrain.comm.Communicator;
import org.detrain.config.LoopSettings;
import org.detrain.data.Samples;
import org.detrain.model.Batch;
import org.detrain.results.MetricsSchema.Status;
import org.detrain.util.DetrainException;

/**
 * One rank's iteration loop, phase by phase: <b>step</b> (the algorithm's update), <b>evaluate</b>
 * (test set, every {@code eval.every} iterations or epoch), <b>record</b> (metrics every
 * {@code log.every} iterations, handed to rank 0's metrics writer), <b>progress</b> (rank 0's
 * progress line), <b>control</b> (agree on stops, time-based checkpoints and divergence at control
 * points) and <b>checkpoint</b>. Every rank runs the same phases at the same iterations, so their
 * collectives match. A {@link LoopClock} times the phases that are not training.
 */
final class TrainingLoop {
    private static final int EVAL_BATCH = 500;
    private static final long PROGRESS_INTERVAL_NANOS = 500_000_000L;

    private final Communicator comm;
    private final int rank;
    private final RunPlan plan;
    private final RankSetup setup;
    private final Algorithm algorithm;
    private final AlgorithmState state;
    private final SamplingOracle oracle;
    private final MetricsLog metrics;
    private final Checkpointer checkpoints;
    private final RankLog log;
    private final Path stopRequest;

    private final long first;
    private final long iterations;
    private final int logEvery;
    private final long evalEvery;
    private final LoopSettings settings;
    private final long checkpointIntervalNanos;
    private final boolean classification;
    private final Batch evalBatch;
    private final float[] average;
    /** The training samples f(x̄) is measured on, and those of this rank's shard f_i(x_i) is measured on. */
    /** This rank's share of the training samples f(x̄) is measured on, and how many there are in all. */
    private final int[] objectiveSlice;
    private final int objectiveCount;
    private final int[] shardSamples;

    /** What the launches before this one had counted (zero on a fresh start). */
    private final Checkpointer.Carried carried;
    private final LoopClock clock;
    private double windowLoss;
    private long windowSteps;
    /** The first iteration at which this rank's loss was not finite, and that loss; -1 while finite. */
    private long divergedAt = -1;
    private double divergedLoss;

    private RunControl control;
    private long start;
    private long lastProgress;
    private long lastCheckpointNanos;

    /**
     * @param first   the iteration to start at: 0, or the checkpoint's when resuming
     * @param carried the loop's values saved with that checkpoint ({@link Checkpointer.Carried#START} when fresh)
     */
    TrainingLoop(Communicator comm, RunPlan plan, RankSetup setup, MetricsLog metrics, Checkpointer checkpoints,
                 RankLog log, Path stopRequest, long first, Checkpointer.Carried carried) {
        this.comm = comm;
        this.rank = comm.rank();
        this.plan = plan;
        this.setup = setup;
        this.algorithm = setup.algorithm;
        this.state = setup.state;
        this.oracle = setup.oracle;
        this.metrics = metrics;
        this.checkpoints = checkpoints;
        this.log = log;
        this.stopRequest = stopRequest;
        this.first = first;
        this.carried = carried;
        this.iterations = plan.iterations();
        this.settings = plan.config().loop();
        this.logEvery = settings.logEvery();
        this.evalEvery = settings.evalEvery() > 0 ? settings.evalEvery() : plan.iterationsPerEpoch();
        this.checkpointIntervalNanos = (long) (settings.checkpointMinutes() * 60e9);
        this.classification = plan.test().classCount() > 0; // regression has no accuracy: NaN
        this.average = new float[setup.dim];
        int samples = settings.evalTrainSamples();
        this.objectiveSlice = Measurements.objectiveSlice(plan.train().size(), samples, plan.ranks(), rank);
        this.objectiveCount = Measurements.evenlySpacedCount(plan.train().size(), samples);
        int[] shard = plan.partition().shard(rank);
        int[] picks = Measurements.evenlySpaced(shard.length,
                samples == 0 ? 0 : (int) Math.max(1, ((long) samples + plan.ranks() - 1) / plan.ranks()));
        this.shardSamples = new int[picks.length];
        for (int k = 0; k < picks.length; k++) {
            shardSamples[k] = shard[picks[k]];
        }
        this.evalBatch = new Batch(evalBatchCapacity(), plan.train().featureCount());
        this.windowLoss = carried.windowLoss();
        this.windowSteps = carried.windowSteps();
        this.clock = new LoopClock(comm::waitNanos, carried.times(), carried.waitSeconds());
    }

    /**
     * {@value #EVAL_BATCH} samples, or fewer when no evaluation of this rank reads that many at once
     * (at 1024 ranks each reads about ten test samples: 1.5 MB a rank saved). The evaluations go
     * through their samples in chunks of this size, so a batch that holds a whole range reads it in
     * the same single chunk as the full-size batch did: the same sums, the same bits.
     */
    private int evalBatchCapacity() {
        int n = plan.ranks();
        long largest = Math.max(ceilDiv(plan.test().size(), n), objectiveSlice.length);
        largest = Math.max(largest, shardSamples.length);
        if (settings.evalLocal()) {
            largest = Math.max(largest, plan.test().size());
        }
        return (int) Math.max(1, Math.min(EVAL_BATCH, largest));
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    /** How the loop ended. */
    sealed interface Ending permits Completed, Stopped, Diverged {
    }

    /** After the last iteration. */
    record Completed() implements Ending {
    }

    /** On request, after iteration {@code at}, with a complete checkpoint of it on disk. */
    record Stopped(long at) implements Ending {
    }

    /** The ranks agreed that a loss was not finite; no checkpoint was written after it. */
    record Diverged(RunControl.Divergence divergence) implements Ending {
    }

    /** Runs the iterations from {@code first} to the end, or until the ranks agree to stop or that the run diverged. */
    Ending run() {
        comm.barrier(); // start the clock together
        comm.started(); // every rank has set up: waits are bounded by comm.timeout from here
        start = System.nanoTime();
        clock.start();
        lastCheckpointNanos = start;
        control = new RunControl(stopRequest, first);
        for (long t = first; t < iterations; t++) {
            step(t);
            long done = t + 1;
            boolean last = done == iterations;
            if (done % evalEvery == 0 || last) {
                evaluate(done);
            }
            if (done % logEvery == 0 || last) {
                record(done);
            }
            if (rank == 0) {
                progress(done, last);
            }
            RunControl.Decision decision = control(done, last);
            if (decision.divergence() != null) {
                clock.stop();
                return new Diverged(decision.divergence());
            }
            if (decision.checkpoint() || decision.stop()) {
                checkpoint(done, last ? "final" : decision.stop() ? "stop" : "periodic");
            }
            if (decision.stop()) {
                clock.stop();
                return new Stopped(done);
            }
        }
        clock.stop();
        metrics.endTimes(iterations, clock.times());
        return new Completed();
    }

    // ---------------------------------------------------------------- the phases

    /**
     * One update of the algorithm. A loss that is not finite means the state diverged: the rank
     * notes it and carries on (with NaN) until the ranks agree on it at the next control point.
     */
    private void step(long t) {
        comm.setActivity("iteration " + t);
        double loss = algorithm.step(state, t);
        if (!Double.isFinite(loss) && divergedAt < 0) {
            divergedAt = t;
            divergedLoss = loss;
            log.info("the training loss is " + loss + " at iteration " + t + "; stopping at the next control point");
        }
        state.setIteration(t + 1);
        windowLoss += loss;
        windowSteps++;
    }

    /** Collective: the consensus distance and every rank's values since the last record, to rank 0's log. */
    private void record(long done) {
        clock.enter(LoopClock.Phase.RECORD);
        MetricsLog.RankRecord mine = new MetricsLog.RankRecord(windowLoss / windowSteps, oracle.lastGradNorm(),
                carried.bytesSent() + comm.bytesSent(), carried.messagesSent() + comm.messagesSent(),
                carried.computeSeconds() + oracle.computeNanos() / 1e9, clock.iterationWaitSeconds());
        double consensus = Measurements.consensusAndAverage(comm, algorithm.model(state), average, setup.dim, false);
        double[] all = Measurements.gatherRows(comm, mine.row());
        LoopClock.Times times = clock.times();
        clock.leave();
        clock.enter(LoopClock.Phase.METRICS_IO);
        metrics.recordStep(done, plan.epochAt(done), times, consensus,
                rank == 0 ? Measurements.optimumDistance(average, plan.optimum()) : Double.NaN, all);
        metrics.rewriteIfDue();
        clock.leave();
        windowLoss = 0;
        windowSteps = 0;
    }

    /**
     * Collective: the averaged model on the whole test set (each rank takes a slice) and on the
     * training samples of {@code eval.train.samples} (the training objective f(x̄)); each rank's own
     * model on its own shard's samples (f_i(x_i)) and, with {@code eval.local}, on the test set; rank
     * 0 hands the results to its metrics writer.
     */
    private void evaluate(long done) {
        comm.setActivity("evaluation after iteration " + (done - 1));
        clock.enter(LoopClock.Phase.EVALUATION);
        Samples test = plan.test();
        float[] own = algorithm.model(state);
        Measurements.consensusAndAverage(comm, own, average, setup.dim, true);
        double[] global = Measurements.evaluateSlice(comm, setup.model, average, test, evalBatch);
        double objective = Measurements.meanLossSplit(comm, setup.model, average, plan.train(), objectiveSlice, objectiveCount,
                evalBatch);
        double ownObjective = Measurements.lossOver(setup.model, own, plan.train(), shardSamples, 0,
                shardSamples.length, evalBatch) / shardSamples.length;
        double[] local = settings.evalLocal() ? Measurements.evaluateRange(setup.model, own, test, 0,
                test.size(), evalBatch) : new double[] {Double.NaN, Double.NaN};
        double[] allLocal = Measurements.gatherRows(comm, new MetricsLog.RankEvaluation(local[0] / test.size(),
                classification ? local[1] / test.size() : Double.NaN, ownObjective).row());
        double wall = clock.times().wall();
        clock.leave();
        clock.enter(LoopClock.Phase.METRICS_IO);
        metrics.recordEval(done, plan.epochAt(done), wall, global[0] / test.size(),
                classification ? global[1] / test.size() : Double.NaN, objective, allLocal);
        clock.leave();
    }

    /**
     * Rank 0: a progress line for the launcher, at most every half second and after the last
     * iteration: the latest record's training loss (the mean over ranks) and test accuracy.
     */
    private void progress(long done, boolean last) {
        if (System.nanoTime() - lastProgress > PROGRESS_INTERVAL_NANOS || last) {
            lastProgress = System.nanoTime();
            System.out.printf("%s %d %d %.4f %s %.3f %s%n", TrainingRun.PROGRESS, done, iterations, plan.epochAt(done),
                    metrics.lastTrainLossText(), clock.times().wall(), metrics.lastAccuracyText());
        }
    }

    /**
     * Whether to checkpoint, to stop, or that the run diverged, after {@code done} iterations. The
     * ranks agree at control points, before every checkpoint and after the last iteration (so that no
     * checkpoint and no complete file follows a loss that was not finite). A checkpoint is due after
     * the last iteration, every {@code checkpoint.every} iterations, when rank 0's clock says
     * {@code checkpoint.minutes} have passed (agreed at a control point), and before a requested stop.
     */
    private RunControl.Decision control(long done, boolean last) {
        boolean checkpoint = last || !settings.checkpointByTime() && done % settings.checkpointEvery() == 0;
        if (!checkpoint && !control.due(done)) {
            return RunControl.Decision.CARRY_ON;
        }
        comm.setActivity("control point after iteration " + (done - 1));
        RunControl.Decision agreed = control.agree(comm, done,
                settings.checkpointByTime() && System.nanoTime() - lastCheckpointNanos >= checkpointIntervalNanos,
                divergedAt, divergedLoss);
        return new RunControl.Decision(agreed.stop() && !last, checkpoint || agreed.checkpoint(), agreed.divergence());
    }

    /** Collective: a complete checkpoint set of iteration {@code done}, or the same failure on every rank. */
    private void checkpoint(long done, String reason) {
        comm.setActivity("checkpoint of iteration " + done);
        clock.enter(LoopClock.Phase.CHECKPOINT);
        long t0 = System.nanoTime();
        checkpoints.save(done, reason, state, oracle.sampler(), carriedNow(), metrics);
        clock.leave();
        lastCheckpointNanos = System.nanoTime();
        log.info(String.format("checkpoint of iteration %d (%s) complete in %.1f ms", done, reason,
                (lastCheckpointNanos - t0) / 1e6));
    }

    // ---------------------------------------------------------------- the end

    /** Collective, after a stop on request: rank 0 writes {@code metrics.h5} as stopped before anyone reports. */
    void writeStopped() {
        if (rank == 0) {
            metrics.finish(Status.STOPPED);
        }
        comm.barrier(); // the checkpoint and metrics are in place before anyone reports
    }

    /** Collective, after the last iteration: the final models (with {@code save.models}) and the complete file. */
    void writeComplete() {
        if (settings.saveModels()) {
            float[] models = new float[rank == 0 ? comm.size() * setup.dim : 0];
            comm.gather(algorithm.model(state), models, setup.dim, 0);
            metrics.recordModels(models, setup.dim);
        }
        if (rank == 0) {
            metrics.finish(Status.COMPLETE);
        }
        comm.barrier(); // nobody reports success before the results are in place
    }

    /**
     * Collective, once the ranks agreed that the run diverged: rank 0 writes {@code metrics.h5} with
     * status diverged and the series up to the blow-up; returns the failure every rank then reports
     * (the same text on every rank, naming the first rank and iteration).
     */
    DetrainException writeDiverged(RunControl.Divergence d) {
        if (rank == 0) {
            metrics.finishDiverged(d.iteration());
        }
        comm.barrier(); // the file is in place before any rank fails (a failing rank ends a multicore job)
        return DetrainException.runFailure("rank " + d.rank() + ": the training loss is " + d.loss() + " at iteration "
                + d.iteration() + "; " + algorithm.divergenceAdvice(plan.config().training().lr()) + lastCheckpointNote()
                + "; metrics.h5 keeps the series up to that iteration (status diverged)", null);
    }

    /** Releases the model's and the vector arithmetic's device resources (OpenCL kernels, threads). */
    void close() {
        setup.close();
    }

    /**
     * For the log: iterations and where the loop's time went (rank 0's figures are those of the last
     * record in metrics.h5), this rank's compute and communication wait, bytes and control points.
     */
    String describe(long from, long to) {
        return String.format("%d iterations: %s (compute %.3f s, comm wait %.3f s, %d bytes sent; %s)", to - from,
                clock.times().describe(), carried.computeSeconds() + oracle.computeNanos() / 1e9,
                clock.iterationWaitSeconds(), carried.bytesSent() + comm.bytesSent(), control.describe());
    }

    /** The first iteration of this launch. */
    long first() {
        return first;
    }

    /** The run's planned iterations. */
    long iterations() {
        return iterations;
    }

    // ---------------------------------------------------------------- helpers

    /** The values a restart from a checkpoint written now must carry on with. */
    private Checkpointer.Carried carriedNow() {
        return new Checkpointer.Carried(windowLoss, windowSteps, carried.bytesSent() + comm.bytesSent(),
                carried.messagesSent() + comm.messagesSent(), carried.computeSeconds() + oracle.computeNanos() / 1e9,
                clock.iterationWaitSeconds(), clock.times());
    }

    private String lastCheckpointNote() {
        return checkpoints.lastComplete() >= 0 ? "; the last complete checkpoint (iteration " + checkpoints.lastComplete()
                + ") is kept" : "";
    }
}
