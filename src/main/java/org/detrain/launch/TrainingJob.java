package org.detrain.launch;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.detrain.comm.Deployment;
import org.detrain.comm.JobSpec;
import org.detrain.comm.MpjInstallation;
import org.detrain.config.RunConfig;
import org.detrain.io.CheckpointStore;
import org.detrain.results.RunLayout;
import org.detrain.results.RunSummary;
import org.detrain.runner.TrainingRun;
import org.detrain.util.DetrainException;
import org.detrain.util.StopSignals;

/**
 * The training job of a prepared run directory (fresh or resumed): runs {@link TrainingRun} on the
 * ranks under {@link JobSupervisor}, turns SIGUSR1/SIGTERM into a stop request while it runs, and
 * says how it ended: the run's summary, a stop after a complete checkpoint, or a failure with the
 * checkpoint to continue from.
 */
final class TrainingJob {
    private TrainingJob() {
    }

    static TrainOutcome run(MpjInstallation installation, RunConfig config, Deployment deployment, int ranks,
                            List<String> jvmOptions, List<String> programArgs, RunLayout layout, PrintStream out) {
        long start = System.nanoTime();
        JobSpec spec = new JobSpec(deployment, ranks, TrainingRun.class.getName(), config.getDouble("comm.timeout"),
                jvmOptions, programArgs);
        RankStatuses.Ending ending;
        try (StopSignals signals = StopSignals.install(layout.stopRequest(), what -> {
            out.println("\ndetrain: " + what + " received: the ranks checkpoint at the next control point and stop"
                    + " (exit " + DetrainException.STOPPED + ")");
            LauncherLog.append(layout, what + " received: stop requested");
        })) {
            ending = JobSupervisor.run(installation, spec, layout, new ProgressRenderer(out, System.console() != null),
                    startupMillis(config, ranks));
        } catch (DetrainException e) {
            if (e.exitCode() == DetrainException.RUN_FAILED) {
                throw DetrainException.runFailure(e.getMessage() + checkpointHint(layout), e);
            }
            throw e;
        }
        if (ending == RankStatuses.Ending.STOPPED) {
            throw stopped(layout);
        }
        double wall = (System.nanoTime() - start) / 1e9;
        try {
            return new TrainOutcome(layout.root(), RunSummary.read(layout.metrics(), wall));
        } catch (DetrainException e) {
            // every rank reported done, so a missing or unreadable metrics file is the run's failure
            throw DetrainException.runFailure(e.getMessage(), e);
        }
    }

    /**
     * How long every rank gets to open its log: JVM start and MPJ's wiring, not data loading. MPJ's
     * start sends n(n − 1) messages and loads MPJ once per multicore rank (about 30 ms of CPU a rank
     * here), so large jobs get 0.2 s per rank where that is more than 120 s.
     */
    static long startupMillis(RunConfig config, int ranks) {
        return (long) (1000 * Math.max(Math.max(120, 2 * config.getDouble("comm.timeout")), STARTUP_SECONDS_PER_RANK * ranks));
    }

    /** The start-up allowance per rank of a large job (see {@link #startupMillis}). */
    static final double STARTUP_SECONDS_PER_RANK = 0.2;

    private static DetrainException stopped(RunLayout layout) {
        String why;
        try {
            why = Files.readString(layout.stopRequest(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            why = "a stop request";
        }
        CheckpointStore store = new CheckpointStore(layout.checkpoints());
        long at = store.completeIterations().stream().findFirst().orElse(-1L);
        return DetrainException.stopped("stopped on request (" + why + ") at iteration " + at + " after writing a"
                + " complete checkpoint (" + store.setDir(at) + "); continue with: bin/detrain train --resume "
                + layout.root());
    }

    /** For a failed run: where its last complete checkpoint is and how to continue from it. */
    private static String checkpointHint(RunLayout layout) {
        try {
            CheckpointStore store = new CheckpointStore(layout.checkpoints());
            List<Long> complete = store.completeIterations();
            if (complete.isEmpty()) {
                return "\nno checkpoint was completed before the failure";
            }
            return "\nthe last complete checkpoint is iteration " + complete.get(0) + " ("
                    + store.setDir(complete.get(0)) + "); `bin/detrain train --resume " + layout.root()
                    + "` continues from it";
        } catch (DetrainException e) {
            return "";
        }
    }
}
