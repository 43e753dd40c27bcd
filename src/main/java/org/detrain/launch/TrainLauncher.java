package org.detrain.launch;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.detrain.comm.MpjLauncher;
import org.detrain.config.RunConfig;
import org.detrain.io.AtomicFiles;
import org.detrain.io.CheckpointStore;
import org.detrain.results.LaunchInfo;
import org.detrain.results.RunLayout;
import org.detrain.util.DetrainException;
import org.detrain.runner.RunPlan;
import org.detrain.results.RunSummary;
import org.detrain.util.StopSignals;
import org.detrain.runner.TrainingRun;
import org.detrain.results.Version;

/**
 * Launches a training run on this machine: validates everything first (config, topology against
 * -np, data files, results directory, MPJ installation), then writes the run directory, starts the
 * ranks through {@link MpjLauncher}, renders rank 0's progress, watches for failed ranks (a failure
 * stops the whole job within seconds), and finally reports from {@code metrics.h5}.
 */
public final class TrainLauncher {
    private TrainLauncher() {
    }

    public record Options(Path home, Path configFile, List<String> overrides, int ranks, String transport,
                          String runId, Path resultsDir, boolean overwrite, List<String> jvmOptions,
                          String commandLine) {
    }

    public record Outcome(Path runDir, RunSummary summary) {
    }

    public static Outcome run(Options o, PrintStream out) {
        return run(o, null, out);
    }

    /**
     * As {@link #run(Options, PrintStream)}; with a placement (niodev only) the ranks run on the MPJ
     * daemons already running on its hosts (`detrain train --machines FILE --daemon-port P`).
     */
    public static Outcome run(Options o, MpjLauncher.Placement placement, PrintStream out) {
        checkPlacement(placement, o.transport());
        // Ranks run in the run directory; pin the data to what the user meant at launch.
        RunConfig config = pinned(RunConfig.load(o.configFile(), o.overrides()), o);
        if (!o.transport().equals("multicore") && !o.transport().equals("niodev")) {
            throw DetrainException.badInput("unknown transport '" + o.transport() + "': use multicore or niodev");
        }
        RunPlan.build(config, o.ranks()); // every input check, before anything is written
        MpjLauncher.Installation installation = MpjLauncher.Installation.locate(o.home());

        String runId = o.runId() != null ? checkRunId(o.runId()) : defaultRunId(o.configFile());
        Path runDir = o.resultsDir().resolve(runId).toAbsolutePath().normalize();
        prepareRunDirectory(runDir, o.overwrite(), o.runId() != null);
        RunLayout layout = new RunLayout(runDir);
        try {
            Files.createDirectories(layout.logDir());
            Files.createDirectories(layout.statusDir());
            Files.writeString(layout.config(), config.toPropertiesText(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw DetrainException.badInput("cannot write the run directory " + runDir + ": " + e.getMessage()
                    + "; check that the results directory is writable and not full", e);
        }
        String[] git = gitCommit(o.home());
        new LaunchInfo(runId, o.ranks(), o.transport(), Version.VERSION, git[0], Boolean.parseBoolean(git[1]),
                java.time.Instant.now().toString(), hostName(), o.commandLine()).write(layout.launch());

        out.printf("detrain %s: %s, %d ranks (%s), %s %s on %s -> %s%n", Version.VERSION, config.get("algorithm"),
                o.ranks(), o.transport(), config.get("model"), config.get("dataset"), config.get("topology"), runDir);
        return execute(installation, config, o.ranks(), o.transport(), placement, o.jvmOptions(),
                List.of(runDir.toString()), layout, out);
    }

    private static void checkPlacement(MpjLauncher.Placement placement, String transport) {
        if (placement != null && !"niodev".equals(transport)) {
            throw DetrainException.badInput("--machines runs ranks on several hosts and needs --transport niodev");
        }
    }

    /** How to resume: the run directory, and optionally the rank count and transport (default: as launched). */
    public record Resume(Path home, Path runDir, Integer ranks, String transport, List<String> jvmOptions,
                         String commandLine) {
    }

    /**
     * Resumes the run in {@code r.runDir()} from its newest complete checkpoint set that verifies
     * byte for byte (see {@link CheckpointStore#select}); newer sets that do not are set aside as
     * damaged, with a warning. Everything is checked before anything in the run directory changes:
     * a missing or foreign run directory, another rank count, no usable checkpoint, or a results
     * file system that is read-only or too full is a bad-input error with nothing modified.
     */
    public static Outcome resume(Resume r, PrintStream out) {
        return resume(r, null, out);
    }

    /** As {@link #resume(Resume, PrintStream)}, on pre-started daemons when a placement is given (niodev). */
    public static Outcome resume(Resume r, MpjLauncher.Placement placement, PrintStream out) {
        Path runDir = r.runDir().toAbsolutePath().normalize();
        RunLayout layout = new RunLayout(runDir);
        if (!Files.isRegularFile(layout.config()) || !Files.isRegularFile(layout.launch())) {
            throw DetrainException.badInput("cannot resume " + runDir + ": it is not a detrain run directory (no "
                    + (Files.isRegularFile(layout.config()) ? "run.properties" : "config.properties")
                    + "); pass the directory that `detrain train` printed (results/<run-id>)");
        }
        RunConfig config = RunConfig.fromFile(layout.config());
        LaunchInfo before = LaunchInfo.read(layout.launch());
        RankProcesses.stillRunning(layout).ifPresent(rank -> {
            throw DetrainException.badInput("cannot resume " + runDir + ": the run is still running (" + rank
                    + "); wait for it to end or stop it (SIGUSR1 to its launcher checkpoints it first)");
        });
        int ranks = r.ranks() != null ? r.ranks() : before.ranks();
        if (ranks != before.ranks()) {
            throw DetrainException.badInput("cannot resume " + runDir + " with -np " + ranks + ": it was launched with "
                    + before.ranks() + " ranks and every rank's state is in its own checkpoint file; resume with -np "
                    + before.ranks() + " (or leave -np out)");
        }
        String transport = r.transport() != null ? r.transport() : before.transport();
        if (!transport.equals("multicore") && !transport.equals("niodev")) {
            throw DetrainException.badInput("unknown transport '" + transport + "': use multicore or niodev");
        }
        checkPlacement(placement, transport);
        RunPlan plan = RunPlan.build(config, ranks); // the data and config still check out
        MpjLauncher.Installation installation = MpjLauncher.Installation.locate(r.home());
        CheckpointStore store = new CheckpointStore(layout.checkpoints());
        CheckpointStore.Selection chosen = store.select(config.hash(), ranks);
        if (!chosen.found()) {
            throw DetrainException.badInput("cannot resume " + runDir + ": no complete checkpoint to resume from"
                    + (chosen.damaged().isEmpty() ? " in " + layout.checkpoints() + " (the run stopped before its"
                    + " first checkpoint)" : ": " + String.join("; ", chosen.reasons()))
                    + "; start the run afresh (without --resume, or with --resume-if-possible)");
        }
        checkWritable(runDir, store, chosen.iteration(), ranks);

        // Checks passed: from here on the run directory changes.
        for (int i = 0; i < chosen.damaged().size(); i++) {
            Path aside = store.quarantine(chosen.damaged().get(i));
            out.println("detrain: warning: skipping the checkpoint of iteration " + chosen.damaged().get(i) + ": "
                    + chosen.reasons().get(i) + "; set aside as " + aside);
        }
        store.removeIncomplete();
        clearForResume(layout);
        String[] git = gitCommit(r.home());
        if (!git[0].equals(before.gitCommit())) {
            out.println("detrain: warning: the run was launched from commit " + before.gitCommit() + " and resumes from "
                    + git[0] + "; results are bit-identical to an uninterrupted run only with the same code");
        }
        new LaunchInfo(before.runId(), ranks, transport, Version.VERSION, git[0], Boolean.parseBoolean(git[1]),
                java.time.Instant.now().toString(), hostName(), r.commandLine()).write(layout.launch());
        JobSupervisor.launcherLog(layout, "resuming from iteration " + chosen.iteration() + " (" + r.commandLine() + ")");
        out.printf("detrain %s: resuming %s from iteration %d of %d (%s), %d ranks (%s)%n", Version.VERSION,
                runDir.getFileName(), chosen.iteration(), plan.iterations(),
                runDir.relativize(store.setDir(chosen.iteration())), ranks, transport);
        return execute(installation, config, ranks, transport, placement, r.jvmOptions(),
                List.of(runDir.toString(), TrainingRun.RESUME_ARG, Long.toString(chosen.iteration())), layout, out);
    }

    /**
     * What a job script that may be requeued wants: resume {@code results/<run-id>} if it holds a
     * complete checkpoint of this same config, else start it afresh (replacing a run directory that
     * has no complete checkpoint, i.e. a run killed before its first one).
     */
    public static Outcome resumeIfPossible(Options o, PrintStream out) {
        return resumeIfPossible(o, null, out);
    }

    /** As {@link #resumeIfPossible(Options, PrintStream)}, on pre-started daemons when a placement is given. */
    public static Outcome resumeIfPossible(Options o, MpjLauncher.Placement placement, PrintStream out) {
        if (o.runId() == null) {
            throw DetrainException.badInput("--resume-if-possible needs --run-id, the same on every attempt, so that a"
                    + " requeued job finds its run directory");
        }
        Path runDir = o.resultsDir().resolve(checkRunId(o.runId())).toAbsolutePath().normalize();
        RunLayout layout = new RunLayout(runDir);
        if (!Files.exists(runDir)) {
            return run(o, placement, out);
        }
        if (!Files.isRegularFile(layout.launch()) || !Files.isRegularFile(layout.config())) {
            throw DetrainException.badInput(runDir + " exists but is not a detrain run directory; choose another --run-id"
                    + " or --results");
        }
        if (new CheckpointStore(layout.checkpoints()).completeIterations().isEmpty()) {
            RunPlan.build(pinned(RunConfig.load(o.configFile(), o.overrides()), o), o.ranks()); // bad input costs nothing
            out.println("detrain: " + runDir + " has no complete checkpoint: starting the run afresh");
            AtomicFiles.deleteTree(runDir, AtomicFiles.BAD_INPUT);
            return run(o, placement, out);
        }
        RunConfig wanted = pinned(RunConfig.load(o.configFile(), o.overrides()), o);
        RunConfig existing = RunConfig.fromFile(layout.config());
        if (!wanted.hash().equals(existing.hash())) {
            throw DetrainException.badInput(runDir + " holds checkpoints of a run with another configuration (config hash "
                    + existing.hash() + ", this one " + wanted.hash() + "); use another --run-id, or --overwrite without"
                    + " --resume-if-possible to replace it");
        }
        return resume(new Resume(o.home(), runDir, o.ranks(), o.transport(), o.jvmOptions(), o.commandLine()), placement, out);
    }

    /** Runs the job, turning SIGUSR1/SIGTERM into a stop request while it runs. */
    private static Outcome execute(MpjLauncher.Installation installation, RunConfig config, int ranks, String transport,
                                   MpjLauncher.Placement placement, List<String> jvmOptions, List<String> programArgs,
                                   RunLayout layout, PrintStream out) {
        long start = System.nanoTime();
        JobSupervisor.Ending ending;
        try (StopSignals signals = StopSignals.install(layout.stopRequest(), what -> {
            out.println("\ndetrain: " + what + " received: the ranks checkpoint at the next control point and stop"
                    + " (exit " + DetrainException.STOPPED + ")");
            JobSupervisor.launcherLog(layout, what + " received: stop requested");
        })) {
            ending = JobSupervisor.run(installation, transport, placement, ranks, TrainingRun.class.getName(),
                    config.getDouble("comm.timeout"), jvmOptions, programArgs, layout,
                    new ProgressRenderer(out, System.console() != null), startupMillis(config));
        } catch (DetrainException e) {
            if (e.exitCode() == DetrainException.RUN_FAILED) {
                throw DetrainException.runFailure(e.getMessage() + checkpointHint(layout), e);
            }
            throw e;
        }
        if (ending == JobSupervisor.Ending.STOPPED) {
            String why = "";
            try {
                why = Files.readString(layout.stopRequest(), StandardCharsets.UTF_8).trim();
            } catch (IOException e) {
                why = "a stop request";
            }
            long at = new CheckpointStore(layout.checkpoints()).completeIterations().stream().findFirst().orElse(-1L);
            throw DetrainException.stopped("stopped on request (" + why + ") at iteration " + at + " after writing a"
                    + " complete checkpoint (" + new CheckpointStore(layout.checkpoints()).setDir(at) + "); continue with:"
                    + " bin/detrain train --resume " + layout.root());
        }
        double wall = (System.nanoTime() - start) / 1e9;
        return new Outcome(layout.root(), RunSummary.read(layout.metrics(), wall));
    }

    /** How long every rank gets to open its log: JVM start and MPJ's wiring, not data loading. */
    static long startupMillis(RunConfig config) {
        return (long) (1000 * Math.max(120, 2 * config.getDouble("comm.timeout")));
    }

    /** For a failed run: where its last complete checkpoint is and how to continue from it. */
    private static String checkpointHint(RunLayout layout) {
        try {
            List<Long> complete = new CheckpointStore(layout.checkpoints()).completeIterations();
            if (complete.isEmpty()) {
                return "\nno checkpoint was completed before the failure";
            }
            return "\nthe last complete checkpoint is iteration " + complete.get(0) + " ("
                    + new CheckpointStore(layout.checkpoints()).setDir(complete.get(0)) + "); `bin/detrain train --resume "
                    + layout.root() + "` continues from it";
        } catch (DetrainException e) {
            return "";
        }
    }

    /**
     * Refuses (bad input, nothing changed) a run directory where the next checkpoints cannot be
     * written: read-only, or with less free space than two sets and the metrics file need.
     */
    private static void checkWritable(Path runDir, CheckpointStore store, long iteration, int ranks) {
        Path probe = store.dir().resolve(".write-probe-" + ProcessHandle.current().pid() + ".tmp");
        try {
            Files.write(probe, new byte[4096]);
            Files.delete(probe);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(probe);
            } catch (IOException ignored) {
                // reported below
            }
            throw DetrainException.badInput("cannot resume " + runDir + ": cannot write in " + store.dir() + " (" + e
                    + "); the results file system is read-only or full: make it writable or free space, then resume", e);
        }
        long setBytes = 0;
        for (int rank = 0; rank < ranks; rank++) {
            try {
                setBytes += Files.size(store.rankFile(iteration, rank));
            } catch (IOException e) {
                // verified a moment ago; a vanished file shows up when the ranks load it
            }
        }
        long needed = 2 * setBytes;
        try {
            long metricsBytes = Files.exists(runDir.resolve("metrics.h5")) ? Files.size(runDir.resolve("metrics.h5")) : 0;
            needed += 2 * metricsBytes;
            long usable = Files.getFileStore(store.dir()).getUsableSpace();
            if (usable < needed) {
                throw DetrainException.badInput(String.format("cannot resume %s: its file system has %.1f MB free but the"
                        + " run needs about %.1f MB for its next checkpoint and metrics; free space, then resume",
                        runDir, usable / 1e6, needed / 1e6));
            }
        } catch (IOException e) {
            // no free-space figure on this file system: the write itself will tell
        }
    }

    /** Removes what the interrupted attempt left: statuses (stop request included) and temporary files. */
    private static void clearForResume(RunLayout layout) {
        AtomicFiles.deleteTree(layout.statusDir(), AtomicFiles.BAD_INPUT);
        AtomicFiles.deleteTree(layout.scratch(), AtomicFiles.BAD_INPUT);
        try (Stream<Path> files = Files.list(layout.root())) {
            for (Path p : files.filter(p -> p.getFileName().toString().startsWith(".")
                    && p.getFileName().toString().endsWith(".tmp")).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw DetrainException.badInput("cannot clean " + layout.root() + " for the resume: " + e
                    + "; fix the permissions of the results directory", e);
        }
    }

    private static RunConfig pinned(RunConfig config, Options o) {
        Path dataDir = RunPlan.datasetDir(config); // recorded resolved and absolute: the results say what was read
        if (dataDir.isAbsolute() && !config.get("dataset.dir").equals("auto")) {
            return config;
        }
        List<String> overrides = new ArrayList<>(o.overrides());
        overrides.add("dataset.dir=" + dataDir.toAbsolutePath().normalize());
        return RunConfig.load(o.configFile(), overrides);
    }

    private static void prepareRunDirectory(Path runDir, boolean overwrite, boolean explicitId) {
        if (Files.exists(runDir)) {
            if (!overwrite) {
                throw DetrainException.badInput("results directory " + runDir + " already exists; pass --overwrite to replace it"
                        + (explicitId ? " or choose another --run-id" : ""));
            }
            AtomicFiles.deleteTree(runDir, AtomicFiles.BAD_INPUT);
        }
        try {
            Files.createDirectories(runDir);
        } catch (IOException e) {
            throw DetrainException.badInput("cannot create results directory " + runDir + ": " + e.getMessage()
                    + "; choose a writable --results directory", e);
        }
    }

    static String checkRunId(String id) {
        if (!id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
            throw DetrainException.badInput("run id '" + id + "' must be letters, digits, '.', '_' or '-' (no '/'), starting"
                    + " with a letter or digit");
        }
        return id;
    }

    private static String defaultRunId(Path configFile) {
        String base = configFile == null ? "default" : configFile.getFileName().toString().replaceFirst("\\.[^.]*$", "");
        base = base.replaceAll("[^A-Za-z0-9._-]", "_");
        return base + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    }

    private static String[] gitCommit(Path home) {
        try {
            Process p = new ProcessBuilder("git", "-C", home.toString(), "rev-parse", "HEAD").redirectErrorStream(true).start();
            String commit = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor() != 0) {
                return new String[] {"unknown", "false"};
            }
            Process d = new ProcessBuilder("git", "-C", home.toString(), "status", "--porcelain", "--untracked-files=no")
                    .redirectErrorStream(true).start();
            String dirty = new String(d.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            d.waitFor();
            return new String[] {commit, Boolean.toString(!dirty.isEmpty())};
        } catch (IOException e) {
            return new String[] {"unknown", "false"};
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new String[] {"unknown", "false"};
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
