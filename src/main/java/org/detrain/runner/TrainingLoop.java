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
 * One rank's iteration loop, phase by phase: <b>step</b> (the algorithm's update), <b>record</b>
 * (metrics every {@code log.every} iterations), <b>evaluate</b> (test set, every {@code eval.every}
 * iterations or epoch), <b>progress</b> (rank 0's progress line), <b>control</b> (agree on stops and
 * time-based checkpoints at control points) and <b>checkpoint</b>. Every rank runs the same phases
 * at the same iterations, so their collectives match.
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
    private final Path metricsFile;
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
    private final int[] objectiveSamples;
    private final int[] shardSamples;

    /** What the launches before this one had counted (zero on a fresh start). */
    private final Checkpointer.Carried carried;
    private double windowLoss;
    private long windowSteps;
    private double smoothedLoss;

    private RunControl control;
    private long start;
    private long lastProgress;
    private long lastCheckpointNanos;

    /**
     * @param first   the iteration to start at: 0, or the checkpoint's when resuming
     * @param carried the loop's values saved with that checkpoint ({@link Checkpointer.Carried#START} when fresh)
     */
    TrainingLoop(Communicator comm, RunPlan plan, RankSetup setup, MetricsLog metrics, Checkpointer checkpoints,
                 RankLog log, Path metricsFile, Path stopRequest, long first, Checkpointer.Carried carried) {
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
        this.metricsFile = metricsFile;
        this.stopRequest = stopRequest;
        this.first = first;
        this.carried = carried;
        this.iterations = plan.iterations();
        this.settings = plan.config().loop();
        this.logEvery = settings.logEvery();
        this.evalEvery = settings.evalEvery() > 0 ? settings.evalEvery() : plan.iterationsPerEpoch();
        this.checkpointIntervalNanos = (long) (settings.checkpointMinutes() * 60e9);
        this.classification = plan.test().classCount() > 0; // regression has no accuracy: NaN
        this.evalBatch = new Batch(EVAL_BATCH, plan.train().featureCount());
        this.average = new float[setup.dim];
        int samples = settings.evalTrainSamples();
        this.objectiveSamples = Measurements.evenlySpaced(plan.train().size(), samples);
        int[] shard = plan.partition().shard(rank);
        int[] picks = Measurements.evenlySpaced(shard.length,
                samples == 0 ? 0 : (int) Math.max(1, ((long) samples + plan.ranks() - 1) / plan.ranks()));
        this.shardSamples = new int[picks.length];
        for (int k = 0; k < picks.length; k++) {
            shardSamples[k] = shard[picks[k]];
        }
        this.windowLoss = carried.windowLoss();
        this.windowSteps = carried.windowSteps();
        this.smoothedLoss = carried.smoothedLoss();
    }

    /**
     * Runs the iterations from {@code first} to the end, or until the ranks agree to stop.
     *
     * @return the iteration after which it stopped on request (a complete checkpoint of it is on
     *         disk), or -1 when it ran to the end
     */
    long run() {
        comm.barrier(); // start the clock together
        start = System.nanoTime();
        lastCheckpointNanos = start;
        control = new RunControl(stopRequest, first);
        for (long t = first; t < iterations; t++) {
            step(t);
            long done = t + 1;
            boolean last = done == iterations;
            if (done % logEvery == 0 || last) {
                record(done);
            }
            if (done % evalEvery == 0 || last) {
                evaluate(done);
            }
            if (rank == 0) {
                progress(done, last);
            }
            RunControl.Decision decision = control(done, last);
            if (decision.checkpoint() || decision.stop()) {
                checkpoint(done, last ? "final" : decision.stop() ? "stop" : "periodic");
            }
            if (decision.stop()) {
                return done;
            }
        }
        return -1;
    }

    // ---------------------------------------------------------------- the phases

    /** One update of the algorithm; a loss that is not finite ends the run (the state diverged). */
    private void step(long t) {
        comm.setActivity("iteration " + t);
        double loss = algorithm.step(state, t);
        if (!Double.isFinite(loss)) {
            throw DetrainException.runFailure("rank " + rank + ": the training loss is " + loss + " at iteration " + t
                    + "; " + algorithm.divergenceAdvice(plan.config().training().lr()) + lastCheckpointNote(), null);
        }
        state.setIteration(t + 1);
        windowLoss += loss;
        windowSteps++;
        smoothedLoss = t == 0 ? loss : 0.9 * smoothedLoss + 0.1 * loss; // for the progress line only
    }

    /** Collective: the consensus distance and every rank's values since the last record, to rank 0's log. */
    private void record(long done) {
        double consensus = Measurements.consensusAndAverage(comm, algorithm.model(state), average, setup.dim, false);
        MetricsLog.RankRecord mine = new MetricsLog.RankRecord(windowLoss / windowSteps, oracle.lastGradNorm(),
                carried.bytesSent() + comm.bytesSent(), carried.messagesSent() + comm.messagesSent(),
                carried.computeSeconds() + oracle.computeNanos() / 1e9, carried.waitSeconds() + comm.waitNanos() / 1e9);
        double[] all = Measurements.gatherRows(comm, mine.row());
        metrics.recordStep(done, plan.epochAt(done), wallSeconds(), consensus,
                rank == 0 ? Measurements.optimumDistance(average, plan.optimum()) : Double.NaN, all);
        windowLoss = 0;
        windowSteps = 0;
    }

    /**
     * Collective: the averaged model on the whole test set (each rank takes a slice) and on the
     * training samples of {@code eval.train.samples} (the training objective f(x̄)); each rank's own
     * model on its own shard's samples (f_i(x_i)) and, with {@code eval.local}, on the test set; rank
     * 0 then rewrites {@code metrics.h5}.
     */
    private void evaluate(long done) {
        comm.setActivity("evaluation after iteration " + (done - 1));
        Samples test = plan.test();
        float[] own = algorithm.model(state);
        Measurements.consensusAndAverage(comm, own, average, setup.dim, true);
        double[] global = Measurements.evaluateSlice(comm, setup.model, average, test, evalBatch);
        double objective = Measurements.meanLossSplit(comm, setup.model, average, plan.train(), objectiveSamples,
                evalBatch);
        double ownObjective = Measurements.lossOver(setup.model, own, plan.train(), shardSamples, 0,
                shardSamples.length, evalBatch) / shardSamples.length;
        double[] local = settings.evalLocal() ? Measurements.evaluateRange(setup.model, own, test, 0,
                test.size(), evalBatch) : new double[] {Double.NaN, Double.NaN};
        double[] allLocal = Measurements.gatherRows(comm, new MetricsLog.RankEvaluation(local[0] / test.size(),
                classification ? local[1] / test.size() : Double.NaN, ownObjective).row());
        metrics.recordEval(done, plan.epochAt(done), wallSeconds(), global[0] / test.size(),
                classification ? global[1] / test.size() : Double.NaN, objective, allLocal);
        if (rank == 0) {
            metrics.write(metricsFile, Status.RUNNING);
        }
    }

    /** Rank 0: a progress line for the launcher, at most every half second and after the last iteration. */
    private void progress(long done, boolean last) {
        if (System.nanoTime() - lastProgress > PROGRESS_INTERVAL_NANOS || last) {
            lastProgress = System.nanoTime();
            System.out.printf("%s %d %d %.4f %.6g %.3f %s%n", TrainingRun.PROGRESS, done, iterations, plan.epochAt(done),
                    smoothedLoss, carried.wallSeconds() + (lastProgress - start) / 1e9, metrics.lastAccuracyText());
        }
    }

    /**
     * Whether to checkpoint and whether to stop after {@code done} iterations: after the last
     * iteration, every {@code checkpoint.every} iterations, when rank 0's clock says
     * {@code checkpoint.minutes} have passed (agreed at a control point), and before a requested stop.
     */
    private RunControl.Decision control(long done, boolean last) {
        boolean checkpoint = last || !settings.checkpointByTime() && done % settings.checkpointEvery() == 0;
        if (last || !control.due(done)) {
            return new RunControl.Decision(false, checkpoint);
        }
        comm.setActivity("control point after iteration " + (done - 1));
        RunControl.Decision agreed = control.agree(comm, done,
                settings.checkpointByTime() && System.nanoTime() - lastCheckpointNanos >= checkpointIntervalNanos);
        return new RunControl.Decision(agreed.stop(), checkpoint || agreed.checkpoint());
    }

    /** Collective: a complete checkpoint set of iteration {@code done}, or the same failure on every rank. */
    private void checkpoint(long done, String reason) {
        comm.setActivity("checkpoint of iteration " + done);
        long t0 = System.nanoTime();
        checkpoints.save(done, reason, state, oracle.sampler(), carriedNow(), metrics);
        lastCheckpointNanos = System.nanoTime();
        log.info(String.format("checkpoint of iteration %d (%s) complete in %.1f ms", done, reason,
                (lastCheckpointNanos - t0) / 1e6));
    }

    // ---------------------------------------------------------------- the end

    /** Collective, after a stop on request: rank 0 writes {@code metrics.h5} as stopped before anyone reports. */
    void writeStopped() {
        if (rank == 0) {
            metrics.write(metricsFile, Status.STOPPED);
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
            metrics.write(metricsFile, Status.COMPLETE);
        }
        comm.barrier(); // nobody reports success before the results are in place
    }

    /** Releases the model's and the vector arithmetic's device resources (OpenCL kernels, threads). */
    void close() {
        setup.close();
    }

    /** For the log: iterations, time, compute, waiting, bytes and control points of this launch. */
    String describe() {
        return String.format("%d iterations in %.3f s (compute %.3f s, comm wait %.3f s, %d bytes sent; %s)",
                iterations - first, (System.nanoTime() - start) / 1e9, oracle.computeNanos() / 1e9,
                comm.waitNanos() / 1e9, comm.bytesSent(), control.describe());
    }

    /** Control points and their cost, for the log. */
    String describeControl() {
        return control.describe();
    }

    // ---------------------------------------------------------------- helpers

    /** Seconds in the training loop, over every launch of the run. */
    private double wallSeconds() {
        return carried.wallSeconds() + (System.nanoTime() - start) / 1e9;
    }

    /** The values a restart from a checkpoint written now must carry on with. */
    private Checkpointer.Carried carriedNow() {
        return new Checkpointer.Carried(windowLoss, windowSteps, smoothedLoss, carried.bytesSent() + comm.bytesSent(),
                carried.messagesSent() + comm.messagesSent(), carried.computeSeconds() + oracle.computeNanos() / 1e9,
                carried.waitSeconds() + comm.waitNanos() / 1e9, wallSeconds());
    }

    private String lastCheckpointNote() {
        return checkpoints.lastComplete() >= 0 ? "; the last complete checkpoint (iteration " + checkpoints.lastComplete()
                + ") is kept" : "";
    }
}
