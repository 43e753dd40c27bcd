package org.detrain.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.HashSet;
import java.util.Set;
import org.detrain.comm.JobSpec;
import org.detrain.comm.MpjInstallation;
import org.detrain.comm.MpjJob;
import org.detrain.comm.Placement;
import org.detrain.io.AtomicFiles;
import org.detrain.results.RunLayout;
import org.detrain.util.DetrainException;
import org.detrain.util.IoErrors;

/**
 * Runs one MPJ job to its end and says how it ended: starts it, routes its output
 * ({@link JobOutput}), stops the whole job a few seconds after any rank reports a failure, removes
 * the launcher's scratch files, and turns the per-rank status files into success, a requested stop,
 * or one clear error ({@link RankStatuses}).
 *
 * <p>Lost ranks: MPJ Express itself reports nothing when a peer dies (niodev's selector thread
 * treats the closed socket as the end of the job and shuts its own channels; waits then block
 * forever). Every rank bounds its waits ({@code comm.timeout}); in addition the launcher watches
 * every process of the job from the moment it starts it ({@link MpjJob#exits()}, through
 * {@code detrain daemon} for ranks on other hosts): a rank that ends without a status file was
 * killed or crashed, and the job is stopped at once, naming it.
 */
final class JobSupervisor {
    /** How long the other ranks get to stop by themselves after one reported a failure. */
    private static final long FAILURE_GRACE_MILLIS = 3000;
    /** How long the output gets to drain once the job is over. */
    private static final long OUTPUT_DRAIN_MILLIS = 5000;
    /** How long the processes get to exit once every rank reported done. */
    private static final long EXIT_GRACE_MILLIS = 10_000;

    private JobSupervisor() {
    }

    /**
     * Runs {@code spec} in {@code layout.root()}. With {@code startupMillis > 0} (for programs that
     * open {@code log/rank-N.log} first thing) a rank that has not started by then stops the job: a
     * daemon that never launches its ranks, or a rank that cannot reach the others, must not become
     * a silent hang.
     */
    static RankStatuses.Ending run(MpjInstallation installation, JobSpec spec, RunLayout layout,
                                   ProgressRenderer progress, long startupMillis) {
        JobOutput output;
        try {
            Files.createDirectories(layout.logDir());
            Files.createDirectories(layout.statusDir());
            output = JobOutput.open(layout, progress);
        } catch (IOException e) {
            throw DetrainException.badInput("cannot create " + layout.logDir() + ": " + IoErrors.describe(e)
                    + "; check that the directory is writable and not full", e);
        }
        MpjJob job;
        try {
            job = MpjJob.start(installation, spec, layout.root(), layout.scratch(), output::accept,
                    line -> {
                        LauncherLog.append(layout, line);
                        output.accept("detrain launcher: " + line);
                    });
        } catch (RuntimeException e) {
            output.close();
            AtomicFiles.deleteTreeQuietly(layout.scratch()); // the start failed: that error is the one to report
            throw e;
        }
        Thread cleanup = new Thread(job::destroyAll, "detrain-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup); // Ctrl-C must not leave ranks behind
        RankStatuses statuses = new RankStatuses(layout, spec.ranks());
        List<String> lost = new ArrayList<>();
        List<Integer> notStarted = List.of();
        try {
            notStarted = watch(job, layout, statuses, lost, startupMillis);
            job.awaitOutput(OUTPUT_DRAIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            job.destroyAll();
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running already
            }
            output.close();
            progress.finish();
            statuses.close();
            removeAfterRun(layout.scratch());
        }
        if (!notStarted.isEmpty()) {
            String daemons = spec.deployment().placement() instanceof Placement.OnHosts hosts
                    ? " (are the detrain daemons on " + hosts.machines() + " running and reachable on port "
                            + hosts.daemonPort() + "?)"
                    : "";
            throw DetrainException.runFailure("rank(s) " + RankStatuses.ranges(notStarted) + " did not start within " + startupMillis / 1000
                    + " s, so the job was stopped" + daemons + "; see " + layout.logDir() + statuses.mpjComplaints(), null);
        }
        return statuses.conclude(spec.transport().oneJvmPerRank(), lost, output.rankErrors());
    }

    /**
     * Removes what a job left behind. The job has run by then, so a failure here is a failure of the
     * run (exit 3), not bad input.
     */
    static void removeAfterRun(Path dir) {
        AtomicFiles.deleteTree(dir, AtomicFiles.RUN_FAILURE);
    }


    /** Returns the ranks that had not started when the start-up bound ran out (then the job is stopped). */
    private static List<Integer> watch(MpjJob job, RunLayout layout, RankStatuses statuses, List<String> lost,
                                       long startupMillis) throws InterruptedException {
        long failureSeenAt = 0;
        long startedAt = System.currentTimeMillis();
        boolean allStarted = startupMillis <= 0;
        Set<Integer> reported = new HashSet<>();
        while (true) {
            Thread.sleep(100);
            boolean allGone = job.allGone(); // liveness first, then statuses (written before exit)
            statuses.refresh(); // nothing per rank unless a listing is due
            if (!allStarted) { // as of this tick
                allStarted = statuses.notStarted().isEmpty();
                if (!allStarted && System.currentTimeMillis() - startedAt > startupMillis) {
                    statuses.refreshFully();
                    List<Integer> missing = statuses.notStarted();
                    if (!missing.isEmpty()) {
                        job.destroyAll();
                        return missing;
                    }
                }
            }
            if (statuses.allFinished()) {
                long deadline = System.currentTimeMillis() + EXIT_GRACE_MILLIS;
                while (!job.allGone() && System.currentTimeMillis() < deadline) {
                    Thread.sleep(50);
                }
                return List.of();
            }
            List<MpjJob.Exit> exits = job.exits();
            if (exits.stream().anyMatch(e -> e.rank() >= 0 && !statuses.hasStatus(e.rank()))) {
                statuses.refreshFully(); // a status written just before the exit may not have been reported yet
            }
            for (MpjJob.Exit e : exits) {
                if (e.rank() >= 0 && !statuses.hasStatus(e.rank()) && reported.add(e.rank())) {
                    // detrain's own exit codes: the rank failed and said why (below) but could not write
                    // its status file (a full or read-only results file system), it was not killed
                    boolean ownExit = e.code() == DetrainException.RUN_FAILED || e.code() == DetrainException.BAD_INPUT;
                    String what = ownExit
                            ? e.where() + " failed (exit code " + e.code() + ") without writing its status file"
                                    + "; stopping the other ranks"
                            : e.where() + " is gone without reporting anything (exit code " + e.code() + "):"
                                    + " killed, or its JVM crashed" + (job.unregistered().contains(e.rank())
                                    ? ", before it reached the other ranks" : "") + "; stopping the other ranks";
                    lost.add(what);
                    LauncherLog.append(layout, what);
                }
            }
            if (!lost.isEmpty()) {
                job.destroyAll();
                return List.of();
            }
            if (failureSeenAt == 0 && statuses.anyFailed()) {
                failureSeenAt = System.currentTimeMillis();
            }
            if (failureSeenAt != 0 && System.currentTimeMillis() - failureSeenAt > FAILURE_GRACE_MILLIS) {
                job.destroyAll();
                return List.of();
            }
            if (allGone) {
                return List.of();
            }
        }
    }
}
