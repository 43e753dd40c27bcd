package org.detrain.launch;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.detrain.comm.Deployment;
import org.detrain.comm.MpjInstallation;
import org.detrain.comm.MpjJob;
import org.detrain.comm.Placement;
import org.detrain.comm.Transport;
import org.detrain.config.RunConfig;
import org.detrain.io.AtomicFiles;
import org.detrain.io.CheckpointStore;
import org.detrain.results.RunLayout;
import org.detrain.results.Version;
import org.detrain.runner.RunPlan;
import org.detrain.topology.Topologies;
import org.detrain.util.DetrainException;
import org.detrain.util.IoErrors;

/**
 * Launches a training run on this machine: validates everything first (config, topology against
 * -np, data files, results directory, MPJ installation, transport and placement), then writes the
 * run directory and hands it to {@link TrainingJob}. Resuming a run is {@link ResumeLauncher}'s.
 */
public final class TrainLauncher {
    private TrainLauncher() {
    }

    /** A fresh run: its config, ranks and where they run, and where its results go. */
    public record Options(Path home, Path configFile, List<String> overrides, int ranks, Transport transport,
                          Placement placement, String runId, Path resultsDir, boolean overwrite,
                          List<String> jvmOptions, String commandLine) {
    }

    /** Starts the run and waits for its end; ranks run on the daemons of several hosts when placed there. */
    public static TrainOutcome run(Options o, PrintStream out) {
        new Deployment(o.transport(), o.placement()).checkSecret(); // transport and placement fit, secret readable
        // Ranks run in the run directory; pin the data to what the user meant at launch.
        RunConfig config = pinned(RunConfig.load(o.configFile(), o.overrides()), o);
        checkInputs(config, o);
        MpjInstallation installation = MpjInstallation.locate(o.home());

        if (o.runId() == null) {
            Claimed claimed = claimDefault(o.resultsDir().toAbsolutePath().normalize(), defaultRunId(o.configFile()));
            try (RunLock lock = claimed.lock()) {
                return start(o, config, installation, claimed.dir().getFileName().toString(), claimed.dir(), out);
            }
        }
        String runId = checkRunId(o.runId());
        Path runDir = o.resultsDir().resolve(runId).toAbsolutePath().normalize();
        try (RunLock lock = RunLock.create(runDir, o.overwrite(), true)) {
            return start(o, config, installation, runId, runDir, out);
        }
    }

    /**
     * Every input check, before anything is written, cheapest first: the rank count, the JVM options
     * (before the memory estimate reads their -Xmx), the memory estimate (before anything is sized by
     * n), then the whole plan (data, graph, W, the algorithm's choices).
     */
    private static void checkInputs(RunConfig config, Options o) {
        Topologies.requireSupportedRanks(o.ranks());
        MpjJob.checkJvmOptions(o.jvmOptions());
        MemoryEstimate.refuseIfTooLarge(config, o.ranks(), o.transport(), o.placement(), o.jvmOptions());
        RunPlan.build(config, o.ranks());
    }

    /** A run directory created for this launch, and the lock that makes it this launch's. */
    record Claimed(Path dir, RunLock lock) {
    }

    /**
     * Creates and locks {@code results/<base>}, or {@code <base>-2}, {@code <base>-3}, … when that is
     * taken: the directory is created atomically under its lock, so launches in the same second (a
     * shell loop of {@code train &}) each get their own, never an "already exists" error.
     */
    static Claimed claimDefault(Path resultsDir, String base) {
        try {
            Files.createDirectories(resultsDir);
        } catch (IOException e) {
            throw DetrainException.badInput("cannot create the results directory " + resultsDir + ": "
                    + IoErrors.describe(e) + "; choose a writable --results directory", e);
        }
        for (int k = 1; ; k++) {
            Path dir = resultsDir.resolve(k == 1 ? base : base + "-" + k);
            if (Files.exists(dir)) {
                continue;
            }
            RunLock lock;
            try {
                lock = RunLock.acquire(dir, e -> DetrainException.badInput("cannot create results directory " + dir + ": "
                        + IoErrors.describe(e) + "; choose a writable --results directory", e));
            } catch (DetrainException inUse) {
                if (Files.exists(RunLock.lockFile(dir))) {
                    continue; // another launch of the same second holds this name: the next suffix
                }
                throw inUse;
            }
            try {
                return new Claimed(Files.createDirectory(dir), lock);
            } catch (FileAlreadyExistsException taken) {
                lock.close();
            } catch (IOException e) {
                lock.close();
                throw DetrainException.badInput("cannot create results directory " + dir + ": " + IoErrors.describe(e)
                        + "; choose a writable --results directory", e);
            }
        }
    }

    /** Writes the freshly created (and locked) run directory and runs the job in it. */
    private static TrainOutcome start(Options o, RunConfig config, MpjInstallation installation, String runId, Path runDir,
                                      PrintStream out) {
        Deployment deployment = new Deployment(o.transport(), o.placement());
        RunLayout layout = new RunLayout(runDir);
        try {
            Files.createDirectories(layout.logDir());
            Files.createDirectories(layout.statusDir());
            Files.writeString(layout.config(), config.toPropertiesText(), StandardCharsets.UTF_8);
            Provenance.launchInfo(o.home(), runId, o.ranks(), o.transport(), o.commandLine()).write(layout.launch());
        } catch (IOException | DetrainException e) {
            // a file system that cannot hold the run directory keeps nothing of it: a retry starts clean
            AtomicFiles.deleteTreeQuietly(runDir);
            throw DetrainException.badInput("cannot write the run directory " + runDir + ": "
                    + (e instanceof IOException io ? IoErrors.describe(io) : e.getMessage())
                    + "; check that the results directory is writable and not full (nothing was kept)", e);
        }

        out.printf("detrain %s: %s, %d ranks (%s), %s %s on %s -> %s%n", Version.VERSION, config.get("algorithm"),
                o.ranks(), o.transport(), config.get("model"), config.get("dataset"), config.get("topology"), runDir);
        return TrainingJob.run(installation, config, deployment, o.ranks(), o.jvmOptions(), List.of(runDir.toString()),
                layout, out);
    }

    /**
     * What a job script that may be requeued wants: resume {@code results/<run-id>} if it holds a
     * complete checkpoint of this same config, else start it afresh (replacing a run directory that
     * has no complete checkpoint, i.e. a run killed before its first one).
     */
    public static TrainOutcome resumeIfPossible(Options o, PrintStream out) {
        if (o.runId() == null) {
            throw DetrainException.badInput("--resume-if-possible needs --run-id, the same on every attempt, so that a"
                    + " requeued job finds its run directory");
        }
        Path runDir = o.resultsDir().resolve(checkRunId(o.runId())).toAbsolutePath().normalize();
        RunLayout layout = new RunLayout(runDir);
        if (!Files.exists(runDir)) {
            return run(o, out); // creating the directory is atomic: a concurrent attempt is refused there
        }
        if (!Files.isRegularFile(layout.launch()) || !Files.isRegularFile(layout.config())) {
            throw DetrainException.badInput(runDir + " exists but is not a detrain run directory; choose another --run-id"
                    + " or --results");
        }
        // From here on this launch owns the run directory: a running attempt refuses us, naming itself.
        try (RunLock lock = RunLock.acquire(runDir, e -> DetrainException.badInput("cannot use " + runDir + ": cannot"
                + " write beside it (" + IoErrors.describe(e) + "); the results file system is read-only or full", e))) {
            if (new CheckpointStore(layout.checkpoints()).completeIterations().isEmpty()) {
                RunConfig config = pinned(RunConfig.load(o.configFile(), o.overrides()), o);
                checkInputs(config, o);
                MpjInstallation installation = MpjInstallation.locate(o.home());
                new Deployment(o.transport(), o.placement()).checkSecret();
                out.println("detrain: " + runDir + " has no complete checkpoint: starting the run afresh");
                AtomicFiles.deleteTree(runDir, AtomicFiles.BAD_INPUT);
                try {
                    Files.createDirectory(runDir);
                } catch (IOException e) {
                    throw DetrainException.badInput("cannot create results directory " + runDir + ": "
                            + IoErrors.describe(e) + "; choose a writable --results directory", e);
                }
                return start(o, config, installation, o.runId(), runDir, out);
            }
            RunConfig wanted = pinned(RunConfig.load(o.configFile(), o.overrides()), o);
            RunConfig existing = RunConfig.fromFile(layout.config());
            if (!wanted.hash().equals(existing.hash())) {
                throw DetrainException.badInput(runDir + " holds checkpoints of a run with another configuration (config"
                        + " hash " + existing.hash() + ", this one " + wanted.hash() + "); use another --run-id, or"
                        + " --overwrite without --resume-if-possible to replace it");
            }
            return ResumeLauncher.resumeLocked(new ResumeLauncher.Resume(o.home(), runDir, o.ranks(), o.transport(),
                    o.placement(), o.jvmOptions(), o.commandLine(), List.of()), out);
        }
    }

    /**
     * The config with its paths resolved against the launch directory and recorded absolute: the
     * ranks run in the run directory (or on other hosts), and the results say what was read.
     */
    private static RunConfig pinned(RunConfig config, Options o) {
        List<String> overrides = new ArrayList<>(o.overrides());
        Path dataDir = RunPlan.datasetDir(config);
        if (!dataDir.isAbsolute() || config.get("dataset.dir").equals("auto")) {
            overrides.add("dataset.dir=" + dataDir.toAbsolutePath().normalize());
        }
        String edges = config.get("topology.file");
        if (!edges.isEmpty() && !Path.of(edges).isAbsolute()) {
            overrides.add("topology.file=" + Path.of(edges).toAbsolutePath().normalize());
        }
        return overrides.size() == o.overrides().size() ? config : RunConfig.load(o.configFile(), overrides);
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
}
