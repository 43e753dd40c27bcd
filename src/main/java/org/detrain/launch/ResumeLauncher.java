package org.detrain.launch;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.detrain.comm.Deployment;
import org.detrain.comm.MpjInstallation;
import org.detrain.comm.MpjJob;
import org.detrain.comm.Placement;
import org.detrain.comm.Transport;
import org.detrain.config.RunConfig;
import org.detrain.io.AtomicFiles;
import org.detrain.io.CheckpointStore;
import org.detrain.results.LaunchInfo;
import org.detrain.results.RunSummary;
import org.detrain.results.RunLayout;
import org.detrain.results.Version;
import org.detrain.runner.RunPlan;
import org.detrain.runner.TrainingRun;
import org.detrain.util.DetrainException;
import org.detrain.util.IoErrors;

/**
 * Resumes a run from its newest complete checkpoint set that verifies byte for byte (see
 * {@link CheckpointStore#select}); newer sets that do not are set aside as damaged, with a warning.
 * Everything is checked before anything in the run directory changes: a missing or foreign run
 * directory, another rank count, no usable checkpoint, or a results file system that is read-only
 * or too full is a bad-input error with nothing modified.
 */
public final class ResumeLauncher {
    private ResumeLauncher() {
    }

    /**
     * How to resume: the run directory, and optionally the rank count and transport (null: as
     * launched); the placement is this launch's (local unless --machines is given again);
     * {@code lengths}: {@code --set} overrides of {@link RunConfig#LENGTH_KEYS} only, to extend the run.
     */
    public record Resume(Path home, Path runDir, Integer ranks, Transport transport, Placement placement,
                         List<String> jvmOptions, String commandLine, List<String> lengths) {
        public Resume {
            lengths = List.copyOf(lengths);
        }
    }

    /** Takes the run's lock (refused while another command holds it), then resumes it. */
    public static TrainOutcome resume(Resume r, PrintStream out) {
        Path runDir = r.runDir().toAbsolutePath().normalize();
        checkRunDirectory(runDir);
        try (RunLock lock = RunLock.acquire(runDir, e -> DetrainException.badInput("cannot resume " + runDir
                + ": cannot write beside it (" + IoErrors.describe(e) + "); the results file system is read-only or"
                + " full: make it writable or free space, then resume", e))) {
            return resumeLocked(r, out);
        }
    }

    /** Resumes a run whose lock this launcher holds already. */
    static TrainOutcome resumeLocked(Resume r, PrintStream out) {
        Path runDir = r.runDir().toAbsolutePath().normalize();
        RunLayout layout = new RunLayout(runDir);
        checkRunDirectory(runDir);
        RunConfig recorded = RunConfig.fromFile(layout.config());
        RunConfig config = extended(recorded, r.lengths(), layout);
        LaunchInfo before = LaunchInfo.read(layout.launch());
        int ranks = r.ranks() != null ? r.ranks() : before.ranks();
        if (ranks != before.ranks()) {
            throw DetrainException.badInput("cannot resume " + runDir + " with -np " + ranks + ": it was launched with "
                    + before.ranks() + " ranks and every rank's state is in its own checkpoint file; resume with -np "
                    + before.ranks() + " (or leave -np out)");
        }
        Transport transport = r.transport() != null ? r.transport() : Transport.parse(before.transport());
        Deployment deployment = new Deployment(transport, r.placement());
        MpjJob.checkJvmOptions(r.jvmOptions()); // before the estimate reads their -Xmx
        MemoryEstimate.refuseIfTooLarge(config, ranks, transport, r.placement(), r.jvmOptions());
        deployment.checkSecret();
        RunPlan plan = RunPlan.build(config, ranks); // the data and config still check out
        MpjInstallation installation = MpjInstallation.locate(r.home());
        CheckpointStore store = new CheckpointStore(layout.checkpoints());
        CheckpointStore.Selection chosen = store.select(config.resumeHash(), ranks);
        if (!chosen.found()) {
            throw DetrainException.badInput("cannot resume " + runDir + ": no complete checkpoint to resume from"
                    + (chosen.damaged().isEmpty() ? " in " + layout.checkpoints() + " (the run stopped before its"
                    + " first checkpoint)" : ": " + String.join("; ", chosen.reasons()))
                    + "; start the run afresh (without --resume, or with --resume-if-possible)");
        }
        if (chosen.iteration() > plan.iterations()) {
            throw DetrainException.badInput("cannot resume " + runDir + " with " + String.join(" ", r.lengths()) + ": it has"
                    + " done " + chosen.iteration() + " iterations already and a run cannot be shortened; extend it"
                    + " (more epochs or iterations) or leave --set out");
        }
        if (chosen.iteration() == plan.iterations() && chosen.damaged().isEmpty()) {
            // Nothing to run: leave every file as it is, provenance included.
            out.printf("detrain %s: %s is complete (iteration %d of %d): nothing to do; to train it longer, resume it"
                    + " with --set epochs=N (or iterations=N) beyond its %s%n", Version.VERSION, runDir.getFileName(),
                    chosen.iteration(), plan.iterations(), lengthText(recorded));
            return new TrainOutcome(runDir, RunSummary.read(layout.metrics(), 0));
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
        if (!config.equals(recorded)) {
            AtomicFiles.writeText(layout.config(), config.toPropertiesText(), AtomicFiles.BAD_INPUT); // the ranks read it
            LauncherLog.append(layout, "extended from " + lengthText(recorded) + " to " + lengthText(config));
            out.printf("detrain: extending %s from %s to %s%n", runDir.getFileName(), lengthText(recorded),
                    lengthText(config));
        }
        LaunchInfo now = Provenance.launchInfo(r.home(), before.runId(), ranks, transport, r.commandLine());
        if (!now.gitCommit().equals(before.gitCommit())) {
            out.println("detrain: warning: the run was launched from commit " + before.gitCommit() + " and resumes from "
                    + now.gitCommit() + "; results are bit-identical to an uninterrupted run only with the same code");
        }
        now.write(layout.launch());
        LauncherLog.append(layout, "resuming from iteration " + chosen.iteration() + " (" + r.commandLine() + ")");
        out.printf("detrain %s: resuming %s from iteration %d of %d (%s), %d ranks (%s)%n", Version.VERSION,
                runDir.getFileName(), chosen.iteration(), plan.iterations(),
                runDir.relativize(store.setDir(chosen.iteration())), ranks, transport);
        return TrainingJob.run(installation, config, deployment, ranks, r.jvmOptions(),
                List.of(runDir.toString(), TrainingRun.RESUME_ARG, Long.toString(chosen.iteration())), layout, out);
    }

    private static void checkRunDirectory(Path runDir) {
        RunLayout layout = new RunLayout(runDir);
        if (!Files.isRegularFile(layout.config()) || !Files.isRegularFile(layout.launch())) {
            throw DetrainException.badInput("cannot resume " + runDir + ": it is not a detrain run directory (no "
                    + (Files.isRegularFile(layout.config()) ? "run.properties" : "config.properties")
                    + "); pass the directory that `detrain train` printed (results/<run-id>)");
        }
    }

    /**
     * The run's config with {@code lengths} applied: only {@link RunConfig#LENGTH_KEYS} may change (the
     * checkpoints belong to the same run at any length); anything else is refused, nothing changed.
     */
    static RunConfig extended(RunConfig recorded, List<String> lengths, RunLayout layout) {
        for (String override : lengths) {
            int eq = override.indexOf('=');
            String key = eq < 0 ? override : override.substring(0, eq).strip();
            if (!RunConfig.LENGTH_KEYS.contains(key)) {
                throw DetrainException.badInput("--set " + override + " cannot be combined with --resume: a resumed run"
                        + " keeps the config it was launched with (" + layout.config() + "), except its length ("
                        + String.join(", ", RunConfig.LENGTH_KEYS) + "), which --set may raise to extend it");
            }
        }
        return lengths.isEmpty() ? recorded : RunConfig.load(layout.config(), lengths);
    }

    private static String lengthText(RunConfig c) {
        return c.getLong("iterations") > 0 ? c.get("iterations") + " iterations" : c.get("epochs") + " epochs";
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
}
