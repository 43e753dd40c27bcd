package org.detrain.runner;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.detrain.algo.Algorithm;
import org.detrain.algo.AlgorithmState;
import org.detrain.comm.Communicator;
import org.detrain.comm.RankProgram;
import org.detrain.config.RunConfig;
import org.detrain.data.Samples;
import org.detrain.io.AtomicFiles;
import org.detrain.io.CheckpointStore;
import org.detrain.results.LaunchInfo;
import org.detrain.results.MetricsSchema.Status;
import org.detrain.results.RunLayout;
import org.detrain.model.Batch;
import org.detrain.model.Model;
import org.detrain.util.DetrainException;
import org.detrain.util.StopSignals;

/**
 * The program every rank runs: builds the run from {@code config.properties}, owns the iteration
 * loop, records metrics at the logging cadence, evaluates at the evaluation cadence, and has rank 0
 * write {@code metrics.h5}. It writes checkpoint sets ({@link Checkpointer}) every
 * {@code checkpoint.every} iterations or {@code checkpoint.minutes}, at the end, and before a
 * requested stop ({@link RunControl}); with {@code <run-dir> --resume-from <iteration>} it first
 * restores every rank's state from that set and continues as if never interrupted.
 */
public final class TrainingRun implements RankProgram {
    private static final int EVAL_BATCH = 500;
    /** Progress lines the launcher renders; everything else a rank prints goes to log/mpj.log. */
    public static final String PROGRESS = "@@progress";
    private static final long PROGRESS_INTERVAL_NANOS = 500_000_000L;
    /** Program argument that makes the ranks resume: {@code <run-dir> --resume-from <iteration>}. */
    public static final String RESUME_ARG = "--resume-from";

    private RunLayout layout;
    private RankLog log;

    @Override
    public void run(Communicator comm, String[] args) throws Exception {
        layout = new RunLayout(Path.of(args[0]));
        long resumeFrom = args.length >= 3 && args[1].equals(RESUME_ARG) ? Long.parseLong(args[2]) : -1;
        int rank = comm.rank();
        int n = comm.size();
        log = RankLog.open(layout.rankLog(rank), rank);
        AtomicFiles.writeText(layout.pid(rank), ProcessHandle.current().pid() + " " + localHost() + "\n");
        StopSignals signals = StopSignals.install(layout.stopRequest(),
                what -> log.info(what + " received: asking every rank to checkpoint and stop at the next control point"));
        if (!signals.notInstalled().isEmpty()) {
            log.info("cannot listen for " + signals.notInstalled() + "; stop requests still arrive through "
                    + layout.stopRequest());
        }
        long setupStart = System.nanoTime();
        RunConfig config = RunConfig.fromFile(layout.config());
        LaunchInfo launch = LaunchInfo.read(layout.launch());
        if (launch.ranks() != n) {
            throw DetrainException.badInput("the launch record says " + launch.ranks() + " ranks but MPJ started " + n
                    + "; relaunch with bin/detrain");
        }
        log.info("host " + comm.hostName() + ", transport " + comm.transport() + ", config hash " + config.hash());
        RunPlan plan = RunPlan.build(config, n);
        RankSetup setup = new RankSetup(plan, comm);
        Model model = setup.model;
        int dim = setup.dim;
        Algorithm algorithm = setup.algorithm;
        AlgorithmState state = setup.state;
        SamplingOracle oracle = setup.oracle;
        Samples train = plan.train();

        MetricsLog metrics = new MetricsLog(plan, launch, comm.gatherStrings(comm.hostName(), 0),
                comm.gatherStrings(setup.computeDevice, 0), algorithm, rank == 0);
        long iterations = plan.iterations();
        int logEvery = config.getInt("log.every");
        long evalEvery = config.getInt("eval.every") > 0 ? config.getInt("eval.every") : plan.iterationsPerEpoch();
        long checkpointEvery = config.getInt("checkpoint.every"); // 0: by time
        long checkpointIntervalNanos = (long) (config.getDouble("checkpoint.minutes") * 60e9);
        boolean evalLocal = config.getBoolean("eval.local");
        Batch evalBatch = new Batch(EVAL_BATCH, train.featureCount());
        float[] average = new float[dim];
        Checkpointer checkpoints = new Checkpointer(new CheckpointStore(layout.checkpoints()), comm, config.hash(),
                launch, config.getInt("checkpoint.keep"));
        Checkpointer.Carried carried = Checkpointer.Carried.START;
        long first = 0;
        if (resumeFrom >= 0) {
            comm.setActivity("loading the checkpoint of iteration " + resumeFrom);
            carried = checkpoints.restore(resumeFrom, state, oracle, plan.partition().shard(rank), metrics);
            first = resumeFrom;
            log.info("resumed from " + layout.checkpoints().relativize(new CheckpointStore(layout.checkpoints())
                    .rankFile(resumeFrom, rank)) + " at iteration " + resumeFrom);
        }
        metrics.launchedAt(first);
        metrics.setupSeconds((System.nanoTime() - setupStart) / 1e9);
        log.info(String.format("d=%d, %d iterations (%d per epoch), neighbours %s, shard %d samples, device %s,"
                        + " checkpoint every %s", dim, iterations, plan.iterationsPerEpoch(),
                java.util.Arrays.toString(plan.graph().neighbours(rank)), plan.partition().shardSize(rank),
                setup.computeDevice,
                checkpointEvery > 0 ? checkpointEvery + " iterations" : config.get("checkpoint.minutes") + " minutes"));
        if (resumeFrom >= 0 && rank == 0) {
            metrics.write(layout.metrics(), Status.RUNNING); // the file on disk may be ahead of the checkpoint
        }

        comm.barrier(); // start the clock together
        long start = System.nanoTime();
        long lastProgress = 0;
        double windowLoss = carried.windowLoss();
        long windowSteps = carried.windowSteps();
        double smoothedLoss = carried.smoothedLoss();
        RunControl control = new RunControl(layout.stopRequest(), first);
        long lastCheckpointNanos = start;
        long stoppedAt = -1;
        for (long t = first; t < iterations; t++) {
            comm.setActivity("iteration " + t);
            double loss = algorithm.step(state, t);
            if (!Double.isFinite(loss)) {
                throw DetrainException.runFailure("rank " + rank + ": the training loss is " + loss + " at iteration " + t
                        + "; lower lr (now " + config.get("lr") + ")" + lastCheckpointNote(checkpoints), null);
            }
            state.setIteration(t + 1);
            windowLoss += loss;
            windowSteps++;
            smoothedLoss = t == 0 ? loss : 0.9 * smoothedLoss + 0.1 * loss; // for the progress line only
            long done = t + 1;
            boolean last = done == iterations;
            if (done % logEvery == 0 || last) {
                double consensus = consensusAndAverage(comm, algorithm.model(state), average, dim, false);
                double[] mine = new MetricsLog.RankRecord(windowLoss / windowSteps, oracle.lastGradNorm(),
                        carried.bytesSent() + comm.bytesSent(), carried.messagesSent() + comm.messagesSent(),
                        carried.computeSeconds() + oracle.computeNanos() / 1e9,
                        carried.waitSeconds() + comm.waitNanos() / 1e9).row();
                double[] all = gatherRows(comm, mine);
                metrics.recordStep(done, plan.epochAt(done), carried.wallSeconds() + (System.nanoTime() - start) / 1e9,
                        consensus, rank == 0 ? optimumDistance(average, plan.optimum()) : Double.NaN, all);
                windowLoss = 0;
                windowSteps = 0;
            }
            if (done % evalEvery == 0 || last) {
                comm.setActivity("evaluation after iteration " + t);
                consensusAndAverage(comm, algorithm.model(state), average, dim, true);
                double[] global = evaluateSlice(comm, model, average, plan.test(), evalBatch);
                double[] local = evalLocal ? evaluateRange(model, algorithm.model(state), plan.test(), 0,
                        plan.test().size(), evalBatch) : new double[] {Double.NaN, Double.NaN};
                double[] allLocal = gatherRows(comm, new MetricsLog.RankEvaluation(local[0] / plan.test().size(),
                        plan.test().classCount() > 0 ? local[1] / plan.test().size() : Double.NaN).row());
                boolean classification = plan.test().classCount() > 0; // regression has no accuracy: NaN
                metrics.recordEval(done, plan.epochAt(done), carried.wallSeconds() + (System.nanoTime() - start) / 1e9,
                        global[0] / plan.test().size(), classification ? global[1] / plan.test().size() : Double.NaN,
                        allLocal);
                if (rank == 0) {
                    metrics.write(layout.metrics(), Status.RUNNING);
                }
            }
            if (rank == 0 && (System.nanoTime() - lastProgress > PROGRESS_INTERVAL_NANOS || last)) {
                lastProgress = System.nanoTime();
                System.out.printf("%s %d %d %.4f %.6g %.3f %s%n", PROGRESS, done, iterations, plan.epochAt(done),
                        smoothedLoss, carried.wallSeconds() + (lastProgress - start) / 1e9, metrics.lastAccuracyText());
            }
            // Checkpoint after the last iteration, every checkpoint.every iterations, when rank 0's clock
            // says checkpoint.minutes have passed (agreed at a control point), and before a requested stop.
            boolean checkpointNow = last || checkpointEvery > 0 && done % checkpointEvery == 0;
            boolean stopNow = false;
            if (!last && control.due(done)) {
                comm.setActivity("control point after iteration " + t);
                RunControl.Decision d = control.agree(comm, done,
                        checkpointEvery == 0 && System.nanoTime() - lastCheckpointNanos >= checkpointIntervalNanos);
                checkpointNow |= d.checkpoint();
                stopNow = d.stop();
            }
            if (checkpointNow || stopNow) {
                comm.setActivity("checkpoint of iteration " + done);
                long t0 = System.nanoTime();
                String reason = last ? "final" : stopNow ? "stop" : "periodic";
                checkpoints.save(done, reason, state, oracle.sampler(),
                        carriedNow(carried, windowLoss, windowSteps, smoothedLoss, comm, oracle, start), metrics);
                lastCheckpointNanos = System.nanoTime();
                log.info(String.format("checkpoint of iteration %d (%s) complete in %.1f ms", done, reason,
                        (lastCheckpointNanos - t0) / 1e6));
            }
            if (stopNow) {
                stoppedAt = done;
                break;
            }
        }
        if (stoppedAt >= 0) {
            comm.setActivity("stopping at iteration " + stoppedAt);
            if (rank == 0) {
                metrics.write(layout.metrics(), Status.STOPPED);
            }
            comm.barrier(); // the checkpoint and metrics are in place before anyone reports
            log.info(String.format("stopped on request at iteration %d after a complete checkpoint (%s)", stoppedAt,
                    control.describe()));
            AtomicFiles.writeText(layout.stopped(rank), "iteration " + stoppedAt + "\n");
            log.close();
            return;
        }
        comm.setActivity("final write");
        if (config.getBoolean("save.models")) {
            float[] models = new float[rank == 0 ? n * dim : 0];
            comm.gather(algorithm.model(state), models, dim, 0);
            metrics.recordModels(models, dim);
        }
        if (rank == 0) {
            metrics.write(layout.metrics(), Status.COMPLETE);
        }
        comm.barrier(); // nobody reports success before the results are in place
        setup.close();
        log.info(String.format("done: %d iterations in %.3f s (compute %.3f s, comm wait %.3f s, %d bytes sent; %s)",
                iterations - first, (System.nanoTime() - start) / 1e9, oracle.computeNanos() / 1e9,
                comm.waitNanos() / 1e9, comm.bytesSent(), control.describe()));
        AtomicFiles.writeText(layout.done(rank), "ok\n");
        log.close();
    }

    private static Checkpointer.Carried carriedNow(Checkpointer.Carried before, double windowLoss, long windowSteps,
                                                   double smoothedLoss, Communicator comm, SamplingOracle oracle,
                                                   long start) {
        return new Checkpointer.Carried(windowLoss, windowSteps, smoothedLoss, before.bytesSent() + comm.bytesSent(),
                before.messagesSent() + comm.messagesSent(), before.computeSeconds() + oracle.computeNanos() / 1e9,
                before.waitSeconds() + comm.waitNanos() / 1e9, before.wallSeconds() + (System.nanoTime() - start) / 1e9);
    }

    private String lastCheckpointNote(Checkpointer checkpoints) {
        return checkpoints.lastComplete() >= 0 ? "; the last complete checkpoint (iteration " + checkpoints.lastComplete()
                + ") is kept" : "";
    }

    private static String localHost() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    @Override
    public void reportFailure(int rank, Throwable failure) {
        String message = failure instanceof DetrainException ? failure.getMessage()
                : "rank " + rank + " failed: " + failure;
        try {
            if (log != null) {
                log.error(message, failure);
            }
            if (layout != null) {
                StringWriter trace = new StringWriter();
                failure.printStackTrace(new PrintWriter(trace));
                AtomicFiles.writeText(layout.failed(rank), message + "\n" + trace);
            } else {
                System.err.println("detrain rank " + rank + ": " + message);
            }
        } catch (RuntimeException e) {
            // one line: the launcher picks it out of the ranks' output when no status file could be written
            System.err.println("detrain rank " + rank + ": " + message.replace("\n", " | ") + " (and could not record it: "
                    + e + ")");
        }
    }

    /**
     * Gathers every rank's model to rank 0, which averages in rank order (double accumulators) and
     * returns the consensus distance (1/n) Σ_i ‖x_i − x̄‖². With {@code share}, x̄ is broadcast
     * into {@code average} on every rank. Other ranks return NaN.
     */
    static double consensusAndAverage(Communicator comm, float[] x, float[] average, int dim, boolean share) {
        int n = comm.size();
        float[] all = comm.rank() == 0 ? new float[n * dim] : new float[0];
        comm.gather(x, all, dim, 0);
        double consensus = Double.NaN;
        if (comm.rank() == 0) {
            double[] mean = new double[dim];
            for (int r = 0; r < n; r++) {
                for (int k = 0; k < dim; k++) {
                    mean[k] += all[r * dim + k];
                }
            }
            for (int k = 0; k < dim; k++) {
                average[k] = (float) (mean[k] / n);
            }
            double total = 0;
            for (int r = 0; r < n; r++) {
                for (int k = 0; k < dim; k++) {
                    double diff = all[r * dim + k] - mean[k] / n;
                    total += diff * diff;
                }
            }
            consensus = total / n;
        }
        if (share) {
            comm.broadcast(average, dim, 0);
        }
        return consensus;
    }

    /** ‖x̄ − x*‖ / ‖x*‖ in double, or NaN when the problem has no known optimum. */
    static double optimumDistance(float[] average, double[] optimum) {
        if (optimum == null) {
            return Double.NaN;
        }
        double diff = 0;
        double norm = 0;
        for (int k = 0; k < optimum.length; k++) {
            double d = average[k] - optimum[k];
            diff += d * d;
            norm += optimum[k] * optimum[k];
        }
        return Math.sqrt(diff) / Math.max(Math.sqrt(norm), Double.MIN_NORMAL);
    }

    /** Each rank evaluates {@code params} on its n-th of the data; sums (loss, correct) in rank order. */
    private static double[] evaluateSlice(Communicator comm, Model model, float[] params, Samples data, Batch batch) {
        int n = comm.size();
        int r = comm.rank();
        int from = (int) ((long) data.size() * r / n);
        int to = (int) ((long) data.size() * (r + 1) / n);
        double[] mine = evaluateRange(model, params, data, from, to, batch);
        double[] all = gatherRows(comm, mine);
        double[] total = new double[2];
        if (r == 0) {
            for (int q = 0; q < n; q++) {
                total[0] += all[2 * q];
                total[1] += all[2 * q + 1];
            }
        }
        return total;
    }

    private static double[] evaluateRange(Model model, float[] params, Samples data, int from, int to, Batch batch) {
        double[] acc = new double[2];
        int capacity = batch.capacity();
        for (int i = from; i < to; i += capacity) {
            int count = Math.min(capacity, to - i);
            batch.fillRange(data, i, count);
            model.evaluate(params, batch, acc);
        }
        return acc;
    }

    /** Rank 0 gets every rank's row (rank-major); others get an empty array. */
    private static double[] gatherRows(Communicator comm, double[] row) {
        double[] all = comm.rank() == 0 ? new double[comm.size() * row.length] : new double[0];
        comm.gather(row, all, row.length, 0);
        return all;
    }
}
