package org.detrain.comm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.detrain.comm.daemon.BoundDaemon;
import org.detrain.util.DetrainException;

/**
 * A guarded MPJ daemon JVM ({@link BoundDaemon}) started by this JVM: for a niodev job on this
 * host ({@link MpjJob}) or for {@code detrain daemon} ({@link DaemonService}). Stopping it stops the
 * rank JVMs it started too.
 */
final class DaemonProcess {
    private final Process process;
    private final int port;
    private final Path ready;
    private final Path log;

    private DaemonProcess(Process process, int port, Path ready, Path log) {
        this.process = process;
        this.port = port;
        this.ready = ready;
        this.log = log;
    }

    /**
     * Starts a daemon with MPJ home {@code home}: it listens on {@code bind} only, port {@code port}
     * (its port manager on the home's second port), accepts connections only from {@code allow}
     * (names or addresses) and its own address, and writes {@code ready} once it accepts. Output is
     * appended to {@code log} (null: this JVM's output).
     */
    static DaemonProcess start(MpjInstallation inst, Path home, int port, String bind, List<String> allow, Path ready,
                               Path log, Path workDir) throws IOException {
        Files.deleteIfExists(ready);
        List<String> cmd = new ArrayList<>(List.of(MpjInstallation.javaBinary(), "-cp", inst.appClassPath(),
                BoundDaemon.class.getName(), "--bind", bind, "--allow", String.join(",", allow),
                "--ready", ready.toString(), Integer.toString(port)));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log == null ? ProcessBuilder.Redirect.INHERIT : ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("MPJ_HOME", home.toString());
        return new DaemonProcess(pb.start(), port, ready, log);
    }

    /** Waits until the daemon wrote its ready file; a daemon that exits or stays silent is an error. */
    void awaitReady(long timeoutMillis) {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            if (Files.exists(ready)) {
                return;
            }
            if (!process.isAlive()) {
                throw DetrainException.runFailure("the MPJ daemon exited at start-up (code " + process.exitValue()
                        + "; port " + port + " or " + (port + 1) + " may be taken): " + whereToLook(), null);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw DetrainException.runFailure("interrupted while waiting for the MPJ daemon", e);
            }
        }
        throw DetrainException.runFailure("the MPJ daemon did not accept on port " + port + " within "
                + timeoutMillis / 1000 + " s; " + whereToLook(), null);
    }

    /** Waits for the daemon to exit and returns its exit code. */
    int waitFor() throws InterruptedException {
        return process.waitFor();
    }

    /** Kills the daemon and the rank JVMs it started; does not wait. */
    void stop() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** As {@link #stop()}, then waits until the daemon is gone. */
    void stopAndWait() {
        stop();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** "see LOG" with the log's last lines, for an error message. */
    String whereToLook() {
        if (log == null) {
            return "see its output above";
        }
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            List<String> last = lines.subList(Math.max(0, lines.size() - 5), lines.size());
            return "see " + log + (last.isEmpty() ? "" : "\n  " + String.join("\n  ", last));
        } catch (IOException e) {
            return "see " + log;
        }
    }
}
