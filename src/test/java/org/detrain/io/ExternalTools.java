package org.detrain.io;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs h5dump and python3 (with h5py) on files that tests write, so every test can check that
 * real HDF5 tools read them. A missing tool fails the test with the install command: the build
 * installs these tools, and a silently skipped check would hide unreadable files.
 *
 * <p>The python3 used is the first of: {@code $DETRAIN_PYTHON}, {@code python3} on the PATH,
 * {@code /usr/bin/python3}, that can import h5py and numpy. (A pyenv or venv python3 first on the
 * PATH often lacks Debian's python3-h5py, which lives in /usr/bin/python3's site-packages.)
 */
public final class ExternalTools {
    /** Default limit for one tool run. */
    public static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String INSTALL = "install the HDF5 tools: apt-get install hdf5-tools python3-h5py";

    private ExternalTools() {
    }

    /** What a finished process printed, and its exit code. */
    public record Result(List<String> command, int exitCode, String stdout, String stderr) {
        /** Fails the test unless the exit code is 0, showing the output. */
        public Result assertSuccess() {
            if (exitCode != 0) {
                fail(this.toString());
            }
            return this;
        }

        @Override
        public String toString() {
            return String.join(" ", command) + " exited " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    /** Runs {@code command} with a timeout; fails the test if it cannot start or does not finish. */
    public static Result run(Duration timeout, List<String> command) {
        Path out = null;
        Path err = null;
        try {
            // Files, not pipes: a chatty tool can never block on a full pipe buffer.
            out = Files.createTempFile("detrain-tool", ".out");
            err = Files.createTempFile("detrain-tool", ".err");
            Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
                fail(String.join(" ", command) + " did not finish within " + timeout + "\n" + Files.readString(err));
            }
            return new Result(List.copyOf(command), process.exitValue(),
                    Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return fail("cannot run " + command.get(0) + " (" + e.getMessage() + "): " + INSTALL, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted while running " + command, e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    /** {@code h5dump args...}; fails the test if h5dump is not installed. */
    public static Result h5dump(String... args) {
        List<String> command = new ArrayList<>();
        command.add("h5dump");
        command.addAll(Arrays.asList(args));
        return run(TIMEOUT, command);
    }

    /** {@code python3 -c code args...} with a python3 that has h5py and numpy. */
    public static Result python(String code, String... args) {
        List<String> command = new ArrayList<>(List.of(pythonExecutable(), "-c", code));
        command.addAll(Arrays.asList(args));
        return run(TIMEOUT, command);
    }

    /** {@code python3 script args...} with a python3 that has h5py and numpy. */
    public static Result pythonScript(Path script, String... args) {
        List<String> command = new ArrayList<>(List.of(pythonExecutable(), script.toString()));
        command.addAll(Arrays.asList(args));
        return run(TIMEOUT, command);
    }

    /** The python3 that can import h5py and numpy; fails the test with the install command if none can. */
    public static String pythonExecutable() {
        String found = PythonHolder.PYTHON;
        if (found == null) {
            fail("no python3 with h5py and numpy found (tried $DETRAIN_PYTHON, python3 on the PATH,"
                    + " /usr/bin/python3): " + INSTALL);
        }
        return found;
    }

    /** Found once per JVM on first use, then constant (class initialisation is thread-safe). */
    private static final class PythonHolder {
        static final String PYTHON = findPython();

        private static String findPython() {
            List<String> candidates = new ArrayList<>();
            String configured = System.getenv("DETRAIN_PYTHON");
            if (configured != null && !configured.isBlank()) {
                candidates.add(configured);
            }
            candidates.add("python3");
            candidates.add("/usr/bin/python3");
            for (String candidate : candidates) {
                try {
                    Process p = new ProcessBuilder(candidate, "-c", "import h5py, numpy")
                            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                    if (p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS) && p.exitValue() == 0) {
                        return candidate;
                    }
                    p.destroyForcibly();
                } catch (IOException e) {
                    // not installed under this name: try the next
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
            return null;
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a leftover temp file is harmless
            }
        }
    }
}
