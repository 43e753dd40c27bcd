package org.detrain.runner;

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
import org.detrain.comm.MpjLauncher;
import org.detrain.io.RunLayout;
import org.detrain.util.DetrainException;

/**
 * Runs one MPJ job to its end and says how it ended: starts it, routes rank 0's progress lines to
 * the renderer and everything else to {@code log/mpj.log}, stops the whole job a few seconds after
 * any rank reports a failure, removes the launcher's scratch files and the niodev daemon, and turns
 * the per-rank status files into success or one clear error.
 */
final class RankJobs {
    /** How long the other ranks get to stop by themselves after one reported a failure. */
    private static final long FAILURE_GRACE_MILLIS = 3000;

    private RankJobs() {
    }

    static void run(MpjLauncher.Installation installation, String transport, int ranks, String programClass,
                    double commTimeout, List<String> jvmOptions, List<String> programArgs, RunLayout layout,
                    ProgressRenderer progress) {
        run(installation, transport, null, ranks, programClass, commTimeout, jvmOptions, programArgs, layout, progress);
    }

    /** As above; a non-null placement runs the ranks on the daemons of several hosts (niodev). */
    static void run(MpjLauncher.Installation installation, String transport, MpjLauncher.Placement placement,
                    int ranks, String programClass, double commTimeout, List<String> jvmOptions,
                    List<String> programArgs, RunLayout layout, ProgressRenderer progress) {
        run(installation, transport, placement, ranks, programClass, commTimeout, jvmOptions, programArgs, layout,
                progress, 0);
    }

    /**
     * As above; with {@code startupMillis > 0} (for programs that open {@code log/rank-N.log} first
     * thing) a rank that has not started by then stops the job: a daemon that never launches its
     * ranks, or a starter that cannot reach one, must not become a silent hang.
     */
    static void run(MpjLauncher.Installation installation, String transport, MpjLauncher.Placement placement,
                    int ranks, String programClass, double commTimeout, List<String> jvmOptions,
                    List<String> programArgs, RunLayout layout, ProgressRenderer progress, long startupMillis) {
        try {
            Files.createDirectories(layout.logDir());
            Files.createDirectories(layout.statusDir());
        } catch (IOException e) {
            throw new DetrainException("cannot create " + layout.logDir() + ": " + e.getMessage(), e);
        }
        MpjLauncher.Job job = MpjLauncher.start(installation, transport, placement, ranks, programClass, commTimeout,
                jvmOptions, programArgs, layout.root(), layout.scratch(), layout.logDir().resolve("mpj-daemon.log"));
        Thread cleanup = new Thread(job::destroyAll, "detrain-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup); // Ctrl-C must not leave ranks or daemons behind
        Thread pump = pumpOutput(job, layout, progress);
        List<Integer> notStarted = List.of();
        try {
            notStarted = watch(job, layout, ranks, startupMillis);
            pump.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            job.destroyAll();
            job.stopDaemon();
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running already
            }
            progress.finish();
            TrainLauncher.deleteTree(layout.scratch());
        }
        if (!notStarted.isEmpty()) {
            throw DetrainException.runFailure("rank(s) " + notStarted + " did not start within " + startupMillis / 1000
                    + " s, so the job was stopped" + (placement == null ? "" : " (are the MPJ daemons on "
                    + placement.machines() + " running and reachable on port " + placement.daemonPort() + "?)")
                    + "; see " + layout.logDir() + mpjComplaints(layout), null);
        }
        checkStatuses(layout, ranks, transport.equals("niodev"));
    }

    /** Returns the ranks that had not started when the start-up bound ran out (then the job is stopped). */
    private static List<Integer> watch(MpjLauncher.Job job, RunLayout layout, int ranks, long startupMillis)
            throws InterruptedException {
        long failureSeenAt = 0;
        long startedAt = System.currentTimeMillis();
        boolean allStarted = startupMillis <= 0;
        while (!job.starter().waitFor(200, TimeUnit.MILLISECONDS)) {
            if (!allStarted) {
                List<Integer> missing = notStarted(layout, ranks);
                allStarted = missing.isEmpty();
                if (!allStarted && System.currentTimeMillis() - startedAt > startupMillis) {
                    job.destroyAll();
                    return missing;
                }
            }
            if (failureSeenAt == 0 && anyFailed(layout, ranks)) {
                failureSeenAt = System.currentTimeMillis();
            }
            if (failureSeenAt != 0 && System.currentTimeMillis() - failureSeenAt > FAILURE_GRACE_MILLIS) {
                job.destroyAll();
                return List.of();
            }
            if (allDone(layout, ranks)) {
                // niodev's starter may linger a little after its ranks are gone; the job is over
                if (!job.starter().waitFor(10, TimeUnit.SECONDS)) {
                    job.destroyAll();
                }
                return List.of();
            }
        }
        return List.of();
    }

    private static List<Integer> notStarted(RunLayout layout, int ranks) {
        List<Integer> missing = new ArrayList<>();
        for (int r = 0; r < ranks; r++) {
            if (!Files.exists(layout.rankLog(r)) && !Files.exists(layout.done(r)) && !Files.exists(layout.failed(r))) {
                missing.add(r);
            }
        }
        return missing;
    }

    private static boolean anyFailed(RunLayout layout, int ranks) {
        for (int r = 0; r < ranks; r++) {
            if (Files.exists(layout.failed(r))) {
                return true;
            }
        }
        return false;
    }

    private static boolean allDone(RunLayout layout, int ranks) {
        for (int r = 0; r < ranks; r++) {
            if (!Files.exists(layout.done(r))) {
                return false;
            }
        }
        return true;
    }

    /**
     * @param ranksAreProcesses under niodev a rank without any status most likely died first; under
     *                          multicore the first failure stops the shared JVM, so silence means nothing
     */
    private static void checkStatuses(RunLayout layout, int ranks, boolean ranksAreProcesses) {
        List<String> failures = new ArrayList<>();
        List<Integer> silent = new ArrayList<>();
        for (int r = 0; r < ranks; r++) {
            if (Files.exists(layout.failed(r))) {
                try {
                    failures.add(Files.readAllLines(layout.failed(r), StandardCharsets.UTF_8).get(0));
                } catch (IOException | IndexOutOfBoundsException e) {
                    failures.add("rank " + r + " failed (unreadable status: " + e + ")");
                }
            } else if (!Files.exists(layout.done(r))) {
                silent.add(r);
            }
        }
        if (!failures.isEmpty()) {
            String vanished = silent.isEmpty() || !ranksAreProcesses ? "" : "\nrank(s) " + silent + " stopped without reporting anything"
                    + " (killed, or the JVM crashed): the likely first failure";
            throw DetrainException.runFailure(String.join("\n", failures) + vanished + "\nlogs: " + layout.logDir(), null);
        }
        if (!silent.isEmpty()) {
            throw DetrainException.runFailure("rank(s) " + silent + " stopped without reporting (killed, or the JVM"
                    + " crashed); see " + layout.logDir() + " (mpj.log holds MPJ's own output)" + mpjComplaints(layout), null);
        }
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

    private static Thread pumpOutput(MpjLauncher.Job job, RunLayout layout, ProgressRenderer progress) {
        Thread t = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(job.starter().getInputStream(),
                    StandardCharsets.UTF_8));
                 PrintWriter mpjLog = new PrintWriter(Files.newBufferedWriter(layout.mpjLog(), StandardCharsets.UTF_8,
                         StandardOpenOption.CREATE, StandardOpenOption.APPEND), true)) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith(TrainingRun.PROGRESS)) {
                        progress.update(line);
                    } else if (line.startsWith(CommCheck.SAY)) {
                        progress.say(line.substring(CommCheck.SAY.length()));
                    } else {
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
