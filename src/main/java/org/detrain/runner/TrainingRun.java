package org.detrain.runner;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Arrays;
import org.detrain.comm.Communicator;
import org.detrain.comm.RankProgram;
import org.detrain.config.LoopSettings;
import org.detrain.config.RunConfig;
import org.detrain.io.AtomicFiles;
import org.detrain.io.CheckpointStore;
import org.detrain.results.LaunchInfo;
import org.detrain.results.MetricsSchema.Status;
import org.detrain.results.RunLayout;
import org.detrain.util.DetrainException;
import org.detrain.util.Formats;
import org.detrain.util.StopSignals;

/**
 * The program every rank runs: builds the run from {@code config.properties}, restores a checkpoint
 * when asked to ({@code <run-dir> --resume-from <iteration>}: every rank's state from that set, then
 * it continues as if never interrupted), runs the {@link TrainingLoop} (step, record, evaluate,
 * control, checkpoint), and ends with {@code metrics.h5} complete (rank 0) and a status file per
 * rank: {@code done}, {@code stopped} (after a complete checkpoint, on request: {@link RunControl})
 * or {@code failed} (with the error). A run whose training loss stopped being finite ends with
 * {@code metrics.h5} as diverged (the series up to that iteration) and every rank failed (exit 3).
 */
public final class TrainingRun implements RankProgram {
    /** Progress lines the launcher renders; everything else a rank prints goes to log/mpj.log. */
    public static final String PROGRESS = "@@progress";
    /** Program argument that makes the ranks resume: {@code <run-dir> --resume-from <iteration>}. */
    public static final String RESUME_ARG = "--resume-from";

    private RunLayout layout;
    private RankLog log;

    @Override
    public void run(Communicator comm, String[] args) throws Exception {
        layout = new RunLayout(Path.of(args[0]));
        long resumeFrom = args.length >= 3 && args[1].equals(RESUME_ARG) ? Long.parseLong(args[2]) : -1;
        int rank = comm.rank();
        log = RankLog.open(layout.rankLog(rank), rank);
        AtomicFiles.writeText(layout.pid(rank), ProcessHandle.current().pid() + " " + localHost() + "\n");
        listenForStopSignals();

        TrainingLoop loop = setUp(comm, resumeFrom);
        TrainingLoop.Ending ending = loop.run();
        if (ending instanceof TrainingLoop.Stopped stopped) {
            comm.setActivity("stopping at iteration " + stopped.at());
            loop.writeStopped();
            log.info(String.format("stopped on request at iteration %d after a complete checkpoint; %s", stopped.at(),
                    loop.describe(loop.first(), stopped.at())));
            AtomicFiles.writeText(layout.stopped(rank), "iteration " + stopped.at() + "\n");
        } else if (ending instanceof TrainingLoop.Diverged diverged) {
            comm.setActivity("writing the metrics of a diverged run");
            throw loop.writeDiverged(diverged.divergence());
        } else {
            comm.setActivity("final write");
            long t0 = System.nanoTime();
            loop.writeComplete();
            double finalWrite = (System.nanoTime() - t0) / 1e9;
            loop.close();
            log.info("done: " + loop.describe(loop.first(), loop.iterations()) + String.format(
                    "; then the final models and results in %.3f s", finalWrite));
            AtomicFiles.writeText(layout.done(rank), "ok\n");
        }
        log.close();
    }

    private void listenForStopSignals() {
        StopSignals signals = StopSignals.install(layout.stopRequest(),
                what -> log.info(what + " received: asking every rank to checkpoint and stop at the next control point"));
        if (!signals.notInstalled().isEmpty()) {
            log.info("cannot listen for " + signals.notInstalled() + "; stop requests still arrive through "
                    + layout.stopRequest());
        }
    }

    /**
     * Builds this rank's share of the run (plan, model, algorithm, metrics, checkpoints) and, when
     * resuming, restores its state from the checkpoint of {@code resumeFrom}.
     */
    private TrainingLoop setUp(Communicator comm, long resumeFrom) {
        long setupStart = System.nanoTime();
        int rank = comm.rank();
        int n = comm.size();
        RunConfig config = RunConfig.fromFile(layout.config());
        LaunchInfo launch = LaunchInfo.read(layout.launch());
        if (launch.ranks() != n) {
            throw DetrainException.badInput("the launch record says " + launch.ranks() + " ranks but MPJ started " + n
                    + "; relaunch with bin/detrain");
        }
        log.info("host " + comm.hostName() + ", transport " + comm.transport() + ", config hash " + config.hash());
        // ranks as threads (multicore, or in-process) share one plan; a niodev rank's JVM holds only its rank's data
        RunPlan plan = comm.transport().equals("niodev") ? RunPlan.forRank(config, n, rank) : SharedPlans.get(config, n);
        RankSetup setup = new RankSetup(plan, comm);
        comm.setActivity("warming the kernels up");
        int[] shard = plan.partition().shard(rank);
        WarmUp.Outcome warm = WarmUp.run(setup.model, setup.ops, setup.algorithm.model(setup.state), plan.train(), shard,
                config.training().exactGradient() ? shard.length : config.training().batch(),
                config.getDouble("comm.timeout"));
        log.info(warm.describe());
        MetricsLog metrics = new MetricsLog(plan, launch, comm.gatherStrings(comm.hostName(), 0),
                comm.gatherStrings(setup.computeDevice, 0), setup.algorithm, rank == 0);
        LoopSettings loop = config.loop();
        CheckpointStore store = new CheckpointStore(layout.checkpoints());
        // stamped without the length keys: a longer run resumes from them (train --resume RUN --set epochs=N)
        Checkpointer checkpoints = new Checkpointer(store, comm, config.resumeHash(), launch, loop.checkpointKeep());
        Checkpointer.Carried carried = Checkpointer.Carried.START;
        long first = 0;
        if (resumeFrom >= 0) {
            comm.setActivity("loading the checkpoint of iteration " + resumeFrom);
            carried = checkpoints.restore(resumeFrom, setup.state, setup.oracle, plan.partition().shard(rank), metrics);
            first = resumeFrom;
            log.info("resumed from " + layout.checkpoints().relativize(store.rankFile(resumeFrom, rank)) + " at iteration "
                    + resumeFrom);
        }
        metrics.launchedAt(first);
        metrics.setupSeconds((System.nanoTime() - setupStart) / 1e9);
        // metrics.h5 (status running; on a resume the file on disk may be ahead of the checkpoint) and
        // metrics.jsonl are in place before the first iteration
        metrics.start(layout.metrics(), layout.metricsLines());
        log.info(String.format("d=%d, %d iterations (%d per epoch), neighbours %s, shard %d samples, device %s,"
                        + " checkpoint every %s", setup.dim, plan.iterations(), plan.iterationsPerEpoch(),
                Arrays.toString(plan.graph().neighbours(rank)), plan.partition().shardSize(rank), setup.computeDevice,
                loop.checkpointByTime() ? Formats.sig(loop.checkpointMinutes(), 6) + " minutes"
                        : loop.checkpointEvery() + " iterations"));
        return new TrainingLoop(comm, plan, setup, metrics, checkpoints, log, layout.stopRequest(), first, carried);
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
}
