package org.detrain.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Runs external commands for the Slurm and multi-host tests, with bounded waits. */
final class Shell {
    record Result(int exitCode, String output) {
        Result ok() {
            if (exitCode != 0) {
                fail("command failed (exit " + exitCode + "):\n" + output);
            }
            return this;
        }
    }

    private Shell() {
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (java.nio.file.Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return java.nio.file.Files.isExecutable(Path.of("/usr/sbin", tool));
    }

    /** Runs to completion (at most {@code timeoutSeconds}); output is stdout and stderr merged. */
    static Result run(Path dir, Map<String, String> env, long timeoutSeconds, String... cmd) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
            pb.environment().putAll(env);
            Process p = pb.start();
            p.getOutputStream().close();
            byte[][] out = new byte[1][];
            Thread reader = new Thread(() -> {
                try {
                    out[0] = p.getInputStream().readAllBytes();
                } catch (IOException e) {
                    out[0] = new byte[0];
                }
            });
            reader.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                reader.join(5000);
                fail("timed out after " + timeoutSeconds + " s: " + String.join(" ", cmd) + "\n"
                        + (out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8)));
            }
            reader.join(5000);
            String text = out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8);
            System.out.println("$ " + String.join(" ", cmd) + "\n" + text + "[exit " + p.exitValue() + "]");
            return new Result(p.exitValue(), text);
        } catch (IOException e) {
            throw new AssertionError("cannot run " + List.of(cmd) + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Starts a long-lived process whose output goes to {@code log}. */
    static Process start(Path dir, Path log, String... cmd) {
        try {
            return new ProcessBuilder(new ArrayList<>(List.of(cmd))).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new AssertionError("cannot start " + List.of(cmd) + ": " + e, e);
        }
    }

    /** Polls {@code condition} every 200 ms; fails with {@code what} after {@code seconds}. */
    static void await(String what, long seconds, BooleanSupplier condition) {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("gave up after " + seconds + " s waiting for: " + what);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** Processes whose command line mentions {@code text} (e.g. a test's temporary directory). */
    static List<String> processesMentioning(String text) {
        long self = ProcessHandle.current().pid();
        return ProcessHandle.allProcesses().filter(p -> p.pid() != self)
                .filter(p -> p.info().commandLine().map(c -> c.contains(text)).orElse(false))
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("")).toList();
    }
}
