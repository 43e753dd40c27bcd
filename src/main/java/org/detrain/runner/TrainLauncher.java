package org.detrain.runner;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.detrain.comm.MpjLauncher;
import org.detrain.config.RunConfig;
import org.detrain.io.LaunchInfo;
import org.detrain.io.RunLayout;
import org.detrain.util.DetrainException;

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
        if (placement != null && !"niodev".equals(o.transport())) {
            throw new DetrainException("--machines runs ranks on several hosts and needs --transport niodev");
        }
        RunConfig config = RunConfig.load(o.configFile(), o.overrides());
        Path dataDir = Path.of(config.get("dataset.dir"));
        if (!dataDir.isAbsolute()) {
            // Ranks run in the run directory; pin the data to what the user meant at launch.
            List<String> pinned = new ArrayList<>(o.overrides());
            pinned.add("dataset.dir=" + dataDir.toAbsolutePath().normalize());
            config = RunConfig.load(o.configFile(), pinned);
        }
        if (!o.transport().equals("multicore") && !o.transport().equals("niodev")) {
            throw new DetrainException("unknown transport '" + o.transport() + "': use multicore or niodev");
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
            throw new DetrainException("cannot write the run directory " + runDir + ": " + e.getMessage()
                    + "; check that the results directory is writable and not full", e);
        }
        String[] git = gitCommit(o.home());
        new LaunchInfo(runId, o.ranks(), o.transport(), Version.VERSION, git[0], Boolean.parseBoolean(git[1]),
                java.time.Instant.now().toString(), hostName(), o.commandLine()).write(layout.launch());

        out.printf("detrain %s: %s, %d ranks (%s), %s %s on %s -> %s%n", Version.VERSION, config.get("algorithm"),
                o.ranks(), o.transport(), config.get("model"), config.get("dataset"), config.get("topology"), runDir);
        long start = System.nanoTime();
        RankJobs.run(installation, o.transport(), placement, o.ranks(), TrainingRun.class.getName(),
                config.getDouble("comm.timeout"), o.jvmOptions(), List.of(runDir.toString()), layout,
                new ProgressRenderer(out, System.console() != null), startupMillis(config));
        double wall = (System.nanoTime() - start) / 1e9;
        return new Outcome(runDir, RunSummary.read(layout.metrics(), wall));
    }

    /** How long every rank gets to open its log: JVM start and MPJ's wiring, not data loading. */
    static long startupMillis(RunConfig config) {
        return (long) (1000 * Math.max(120, 2 * config.getDouble("comm.timeout")));
    }

    private static void prepareRunDirectory(Path runDir, boolean overwrite, boolean explicitId) {
        if (Files.exists(runDir)) {
            if (!overwrite) {
                throw new DetrainException("results directory " + runDir + " already exists; pass --overwrite to replace it"
                        + (explicitId ? " or choose another --run-id" : ""));
            }
            deleteTree(runDir);
        }
        try {
            Files.createDirectories(runDir);
        } catch (IOException e) {
            throw new DetrainException("cannot create results directory " + runDir + ": " + e.getMessage()
                    + "; choose a writable --results directory", e);
        }
    }

    static String checkRunId(String id) {
        if (!id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
            throw new DetrainException("run id '" + id + "' must be letters, digits, '.', '_' or '-' (no '/'), starting"
                    + " with a letter or digit");
        }
        return id;
    }

    private static String defaultRunId(Path configFile) {
        String base = configFile == null ? "default" : configFile.getFileName().toString().replaceFirst("\\.[^.]*$", "");
        base = base.replaceAll("[^A-Za-z0-9._-]", "_");
        return base + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new DetrainException("cannot remove " + dir + ": " + e.getMessage(), e);
        }
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
