package org.detrain.launch;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.detrain.io.AtomicFiles;
import org.detrain.comm.MpjLauncher;
import org.detrain.results.RunLayout;
import org.detrain.util.DetrainException;
import org.detrain.diag.CommCheck;
import org.detrain.runner.TrainingRun;

/**
 * Runs one MPJ job to its end and says how it ended: starts it, routes rank 0's progress lines to
 * the renderer and everything else to {@code log/mpj.log}, stops the whole job a few seconds after
 * any rank reports a failure, removes the launcher's scratch files and the niodev daemon, and turns
 * the per-rank status files into success, a requested stop, or one clear error.
 *
 * <p>Lost ranks: MPJ Express itself reports nothing when a peer dies (niodev's selector thread
 * treats the closed socket as the end of the job and shuts its own channels; waits then block
 * forever). Every rank bounds its waits ({@code comm.timeout}); in addition each rank records
 * {@code "pid host"} in {@code status/rank-N.pid}, and for ranks on this host the launcher
 * watches the process: one that is gone without a status file was killed or crashed, and the
 * job is stopped at once, naming it.
 */
final class JobSupervisor {
    /** How long the other ranks get to stop by themselves after one reported a failure. */
    private static final long FAILURE_GRACE_MILLIS = 3000;
    /** How long rank JVMs that outlive their starter (e.g. it got SIGTERM) get to finish a stop. */
    private static final long ORPHAN_GRACE_MILLIS = 60_000;

    /** How a job that did not fail ended. */
    enum Ending { DONE, STOPPED }

    private JobSupervisor() {
    }

    static Ending run(MpjLauncher.Installation installation, String transport, int ranks, String programClass,
                    double commTimeout, List<String> jvmOptions, List<String> programArgs, RunLayout layout,
                    ProgressRenderer progress) {
        return run(installation, transport, null, ranks, programClass, commTimeout, jvmOptions, programArgs, layout,
                progress);
    }

    /** As above; a non-null placement runs the ranks on the daemons of several hosts (niodev). */
    static Ending run(MpjLauncher.Installation installation, String transport, MpjLauncher.Placement placement,
                      int ranks, String programClass, double commTimeout, List<String> jvmOptions,
                      List<String> programArgs, RunLayout layout, ProgressRenderer progress) {
        return run(installation, transport, placement, ranks, programClass, commTimeout, jvmOptions, programArgs,
                layout, progress, 0);
    }

    /**
     * As above; with {@code startupMillis > 0} (for programs that open {@code log/rank-N.log} first
     * thing) a rank that has not started by then stops the job: a daemon that never launches its
     * ranks, or a starter that cannot reach one, must not become a silent hang.
     */
    static Ending run(MpjLauncher.Installation installation, String transport, MpjLauncher.Placement placement,
                      int ranks, String programClass, double commTimeout, List<String> jvmOptions,
                      List<String> programArgs, RunLayout layout, ProgressRenderer progress, long startupMillis) {
        try {
            Files.createDirectories(layout.logDir());
            Files.createDirectories(layout.statusDir());
        } catch (IOException e) {
            throw DetrainException.badInput("cannot create " + layout.logDir() + ": " + e.getMessage(), e);
        }
        MpjLauncher.Job job = MpjLauncher.start(installation, transport, placement, ranks, programClass, commTimeout,
                jvmOptions, programArgs, layout.root(), layout.scratch(), layout.logDir().resolve("mpj-daemon.log"));
        Thread cleanup = new Thread(job::destroyAll, "detrain-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup); // Ctrl-C must not leave ranks or daemons behind
        List<String> rankErrors = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread pump = pumpOutput(job, layout, progress, rankErrors);
        List<String> lost = new ArrayList<>();
        RankProcesses processes = new RankProcesses(layout, ranks, job.starter().pid());
        List<Integer> notStarted = List.of();
        try {
            notStarted = watch(job, layout, ranks, processes, lost, startupMillis);
            pump.join(5000);
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
            AtomicFiles.deleteTree(layout.scratch());
        }
        if (!notStarted.isEmpty()) {
            throw DetrainException.runFailure("rank(s) " + notStarted + " did not start within " + startupMillis / 1000
                    + " s, so the job was stopped" + (placement == null ? "" : " (are the MPJ daemons on "
                    + placement.machines() + " running and reachable on port " + placement.daemonPort() + "?)")
                    + "; see " + layout.logDir() + mpjComplaints(layout), null);
        }
        return checkStatuses(layout, ranks, transport.equals("niodev"), lost, List.copyOf(rankErrors));
    }

    /** Returns the ranks that had not started when the start-up bound ran out (then the job is stopped). */
    private static List<Integer> watch(MpjLauncher.Job job, RunLayout layout, int ranks, RankProcesses processes,
                                       List<String> lost, long startupMillis) throws InterruptedException {
        long failureSeenAt = 0;
        long starterGoneAt = 0;
        long startedAt = System.currentTimeMillis();
        boolean allStarted = startupMillis <= 0;
        while (true) {
            boolean starterGone = job.starter().waitFor(200, TimeUnit.MILLISECONDS);
            if (!allStarted) {
                List<Integer> missing = notStarted(layout, ranks);
                allStarted = missing.isEmpty();
                if (!allStarted && System.currentTimeMillis() - startedAt > startupMillis) {
                    job.destroyAll();
                    return missing;
                }
            }
            List<Integer> vanished = processes.vanished(); // liveness first, then statuses (written before exit)
            if (allFinished(layout, ranks)) {
                // niodev's starter may linger a little after its ranks are gone; the job is over
                if (!starterGone && !job.starter().waitFor(10, TimeUnit.SECONDS)) {
                    job.destroyAll();
                }
                return List.of();
            }
            for (int r : vanished) {
                if (!hasStatus(layout, r)) {
                    String what = "rank " + r + " (" + processes.describe(r) + ") is gone without reporting anything:"
                            + " killed, or its JVM crashed; stopping the other ranks";
                    lost.add(what);
                    launcherLog(layout, what);
                }
            }
            if (!lost.isEmpty()) {
                job.destroyAll();
                return List.of();
            }
            if (failureSeenAt == 0 && anyFailed(layout, ranks)) {
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

    private static List<Integer> notStarted(RunLayout layout, int ranks) {
        List<Integer> missing = new ArrayList<>();
        for (int r = 0; r < ranks; r++) {
            if (!Files.exists(layout.rankLog(r)) && !hasStatus(layout, r)) {
                missing.add(r);
            }
        }
        return missing;
    }

    /** MPJ's own words when the starter could not reach a daemon (the usual multi-host mistake). */
    private static String mpjComplaints(RunLayout layout) {
        try {
            List<String> lines = Files.readAllLines(layout.mpjLog(), StandardCharsets.UTF_8).stream()
                    .filter(l -> l.contains("Cannot connect to the daemon") || l.contains("UnknownHost")).limit(3).toList();
            return lines.isEmpty() ? "" : "\nMPJ Express said: " + String.join("\n  ", lines)
                    + "\n(are the daemons running? start them with `detrain daemon` on every host, same --port)";
        } catch (IOException e) {
            return "";
        }
    }

    /** Appends a time-stamped line to {@code log/launcher.log}; best effort. */
    static void launcherLog(RunLayout layout, String line) {
        try {
            Files.writeString(layout.logDir().resolve("launcher.log"), java.time.Instant.now() + " " + line + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            // the message also reaches the user through the run's error
        }
    }

    private static boolean hasStatus(RunLayout layout, int r) {
        return Files.exists(layout.done(r)) || Files.exists(layout.failed(r)) || Files.exists(layout.stopped(r));
    }

    /** Every rank reported done or stopped. */
    private static boolean allFinished(RunLayout layout, int ranks) {
        for (int r = 0; r < ranks; r++) {
            if (!Files.exists(layout.done(r)) && !Files.exists(layout.stopped(r))) {
                return false;
            }
        }
        return true;
    }

    private static boolean anyFailed(RunLayout layout, int ranks) {
        for (int r = 0; r < ranks; r++) {
            if (Files.exists(layout.failed(r))) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param ranksAreProcesses under niodev a rank without any status most likely died first; under
     *                          multicore the first failure stops the shared JVM, so silence means nothing
     * @param rankErrors what failing ranks printed ("detrain rank N: ..."), which reaches the launcher
     *                   even when they could not write their status file (a full file system)
     */
    private static Ending checkStatuses(RunLayout layout, int ranks, boolean ranksAreProcesses, List<String> lost,
                                        List<String> rankErrors) {
        List<String> failures = new ArrayList<>();
        List<Integer> silent = new ArrayList<>();
        int stopped = 0;
        for (int r = 0; r < ranks; r++) {
            if (Files.exists(layout.stopped(r))) {
                stopped++;
            } else if (Files.exists(layout.failed(r))) {
                try {
                    failures.add(Files.readAllLines(layout.failed(r), StandardCharsets.UTF_8).get(0));
                } catch (IOException | IndexOutOfBoundsException e) {
                    failures.add("rank " + r + " failed (unreadable status: " + e + ")");
                }
            } else if (!Files.exists(layout.done(r))) {
                silent.add(r);
            }
        }
        if (!lost.isEmpty()) {
            List<String> all = new ArrayList<>(lost);
            all.addAll(failures);
            throw DetrainException.runFailure(String.join("\n", all) + "\nlogs: " + layout.logDir(), null);
        }
        if (!failures.isEmpty()) {
            String vanished = silent.isEmpty() || !ranksAreProcesses ? "" : "\nrank(s) " + silent + " stopped without reporting anything"
                    + " (killed, or the JVM crashed): the likely first failure";
            throw DetrainException.runFailure(String.join("\n", failures) + vanished + "\nlogs: " + layout.logDir(), null);
        }
        if (!silent.isEmpty()) {
            // ranks that agreed on a failure print the same text: show it once
            java.util.Map<String, String> distinct = new java.util.LinkedHashMap<>();
            for (String line : rankErrors) {
                distinct.putIfAbsent(line.replaceFirst("^detrain rank \\d+: ", "").replaceFirst(" \\(and could not record it: .*$", ""),
                        line);
            }
            String printed = distinct.isEmpty() ? "" : String.join("\n", distinct.values()) + "\n";
            throw DetrainException.runFailure(printed + "rank(s) " + silent + " stopped without reporting (killed, or"
                    + " the JVM crashed" + (printed.isEmpty() ? "" : ", or the status file could not be written")
                    + "); see " + layout.logDir() + " (mpj.log holds MPJ's own output)" + mpjComplaints(layout), null);
        }
        if (stopped == ranks) {
            return Ending.STOPPED;
        }
        if (stopped > 0) {
            throw DetrainException.runFailure(stopped + " of " + ranks + " ranks stopped on request but the others"
                    + " finished; see " + layout.logDir(), null);
        }
        return Ending.DONE;
    }

    private static Thread pumpOutput(MpjLauncher.Job job, RunLayout layout, ProgressRenderer progress,
                                     List<String> rankErrors) {
        Thread t = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(job.starter().getInputStream(),
                    StandardCharsets.UTF_8));
                 PrintWriter mpjLog = new PrintWriter(Files.newBufferedWriter(layout.mpjLog(), StandardCharsets.UTF_8,
                         StandardOpenOption.CREATE, StandardOpenOption.APPEND), true)) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith(TrainingRun.PROGRESS) && progress.update(line)) {
                        continue;
                    }
                    if (line.startsWith(CommCheck.SAY)) {
                        progress.say(line.substring(CommCheck.SAY.length()));
                    } else {
                        if (line.startsWith("detrain rank ") && rankErrors.size() < 16) {
                            rankErrors.add(line);
                        }
                        mpjLog.println(line);
                    }
                }
            } catch (IOException e) {
                // the job was stopped; what it printed so far is in mpj.log
            }
        }, "detrain-output");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
