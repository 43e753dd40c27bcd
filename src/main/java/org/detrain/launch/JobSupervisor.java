package org.detrain.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.detrain.comm.JobSpec;
import org.detrain.comm.MpjInstallation;
import org.detrain.comm.MpjJob;
import org.detrain.comm.Placement;
import org.detrain.io.AtomicFiles;
import org.detrain.results.RunLayout;
import org.detrain.util.DetrainException;

/**
 * Runs one MPJ job to its end and says how it ended: starts it, routes its output
 * ({@link JobOutput}), stops the whole job a few seconds after any rank reports a failure, removes
 * the launcher's scratch files and the niodev daemon, and turns the per-rank status files into
 * success, a requested stop, or one clear error ({@link RankStatuses}).
 *
 * <p>Lost ranks: MPJ Express itself reports nothing when a peer dies (niodev's selector thread
 * treats the closed socket as the end of the job and shuts its own channels; waits then block
 * forever). Every rank bounds its waits ({@code comm.timeout}); in addition each rank records
 * {@code "pid host"} in {@code status/rank-N.pid}, and for ranks on this host the launcher
 * watches the process ({@link RankProcesses}): one that is gone without a status file was killed or
 * crashed, and the job is stopped at once, naming it.
 */
final class JobSupervisor {
    /** How long the other ranks get to stop by themselves after one reported a failure. */
    private static final long FAILURE_GRACE_MILLIS = 3000;
    /** How long rank JVMs that outlive their starter (e.g. it got SIGTERM) get to finish a stop. */
    private static final long ORPHAN_GRACE_MILLIS = 60_000;
    /** How long the output gets to drain once the job is over. */
    private static final long OUTPUT_DRAIN_MILLIS = 5000;

    private JobSupervisor() {
    }

    /**
     * Runs {@code spec} in {@code layout.root()}. With {@code startupMillis > 0} (for programs that
     * open {@code log/rank-N.log} first thing) a rank that has not started by then stops the job: a
     * daemon that never launches its ranks, or a starter that cannot reach one, must not become a
     * silent hang.
     */
    static RankStatuses.Ending run(MpjInstallation installation, JobSpec spec, RunLayout layout,
                                   ProgressRenderer progress, long startupMillis) {
        try {
            Files.createDirectories(layout.logDir());
            Files.createDirectories(layout.statusDir());
        } catch (IOException e) {
            throw DetrainException.badInput("cannot create " + layout.logDir() + ": " + e.getMessage()
                    + "; check that the directory is writable", e);
        }
        MpjJob job = MpjJob.start(installation, spec, layout.root(), layout.scratch(),
                layout.logDir().resolve("mpj-daemon.log"));
        Thread cleanup = new Thread(job::destroyAll, "detrain-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup); // Ctrl-C must not leave ranks or daemons behind
        JobOutput output = JobOutput.start(job, layout, progress);
        RankStatuses statuses = new RankStatuses(layout, spec.ranks());
        List<String> lost = new ArrayList<>();
        RankProcesses processes = new RankProcesses(layout, spec.ranks(), job.starter().pid());
        List<Integer> notStarted = List.of();
        try {
            notStarted = watch(job, layout, statuses, processes, lost, startupMillis);
            output.join(OUTPUT_DRAIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            job.destroyAll();
            job.stopDaemon();
            processes.destroyAll(); // rank JVMs that outlived their daemon are no longer its descendants
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running already
            }
            progress.finish();
            statuses.close();
            removeAfterRun(layout.scratch());
        }
        if (!notStarted.isEmpty()) {
            String daemons = spec.deployment().placement() instanceof Placement.OnHosts hosts
                    ? " (are the MPJ daemons on " + hosts.machines() + " running and reachable on port "
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
    private static List<Integer> watch(MpjJob job, RunLayout layout, RankStatuses statuses, RankProcesses processes,
                                       List<String> lost, long startupMillis) throws InterruptedException {
        long failureSeenAt = 0;
        long starterGoneAt = 0;
        long startedAt = System.currentTimeMillis();
        boolean allStarted = startupMillis <= 0;
        while (true) {
            boolean starterGone = job.starter().waitFor(200, TimeUnit.MILLISECONDS);
            if (!allStarted) { // as of the last tick
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
            List<Integer> vanished = processes.vanished(statuses.pidWritten()); // liveness first, then statuses
            statuses.refresh(); // written before exit; nothing per rank unless a listing is due
            if (statuses.allFinished()) {
                // niodev's starter may linger a little after its ranks are gone; the job is over
                if (!starterGone && !job.starter().waitFor(10, TimeUnit.SECONDS)) {
                    job.destroyAll();
                }
                return List.of();
            }
            if (vanished.stream().anyMatch(r -> !statuses.hasStatus(r))) {
                statuses.refreshFully(); // a status written just before the exit may not have been reported yet
            }
            for (int r : vanished) {
                if (!statuses.hasStatus(r)) {
                    String what = "rank " + r + " (" + processes.describe(r) + ") is gone without reporting anything:"
                            + " killed, or its JVM crashed; stopping the other ranks";
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
            if (starterGone) {
                // Normally the ranks are gone with the starter. Rank JVMs of a niodev job may outlive it
                // (a SIGTERM to every process of a Slurm job ends the starter while the ranks checkpoint).
                starterGoneAt = starterGoneAt == 0 ? System.currentTimeMillis() : starterGoneAt;
                if (!processes.anyAlive() || System.currentTimeMillis() - starterGoneAt > ORPHAN_GRACE_MILLIS) {
                    return List.of();
                }
            }
        }
    }
}
