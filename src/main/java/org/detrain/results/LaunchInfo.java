package org.detrain.results;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.detrain.io.AtomicFiles;
import org.detrain.util.DetrainException;
import org.detrain.util.IoErrors;

/**
 * How a run was launched, written by the launcher to {@code run.properties} and read by every
 * rank, so that the results can say exactly what ran.
 */
public record LaunchInfo(String runId, int ranks, String transport, String detrainVersion, String gitCommit,
                         boolean gitDirty, String launchedAt, String launcherHost, String command) {

    /** Writes the record atomically; a failure is bad input (exit 2): it happens while the run is set up. */
    public void write(Path file) {
        Properties p = new Properties();
        p.setProperty("run_id", runId);
        p.setProperty("ranks", Integer.toString(ranks));
        p.setProperty("transport", transport);
        p.setProperty("detrain_version", detrainVersion);
        p.setProperty("git_commit", gitCommit);
        p.setProperty("git_dirty", Boolean.toString(gitDirty));
        p.setProperty("launched_at", launchedAt);
        p.setProperty("launcher_host", launcherHost);
        p.setProperty("command", command);
        StringWriter text = new StringWriter();
        try {
            p.store(text, "detrain launch record");
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        AtomicFiles.writeText(file, text.toString(), AtomicFiles.BAD_INPUT); // written while the run is set up
    }

    public static LaunchInfo read(Path file) {
        Properties p = new Properties();
        String text = String.join("\n", IoErrors.readUtf8Lines(file, "launch record"));
        try (Reader r = new java.io.StringReader(text)) {
            p.load(r);
        } catch (IOException | IllegalArgumentException e) {
            throw DetrainException.badInput("cannot read launch record " + file + ": " + e.getMessage(), e);
        }
        try {
            return new LaunchInfo(p.getProperty("run_id"), Integer.parseInt(p.getProperty("ranks")),
                    p.getProperty("transport"), p.getProperty("detrain_version"), p.getProperty("git_commit"),
                    Boolean.parseBoolean(p.getProperty("git_dirty")), p.getProperty("launched_at"),
                    p.getProperty("launcher_host"), p.getProperty("command"));
        } catch (RuntimeException e) {
            throw DetrainException.badInput("launch record " + file + " is incomplete (" + e + "); relaunch the run", e);
        }
    }
}
