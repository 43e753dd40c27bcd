package org.detrain.util;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Turns SIGUSR1 and SIGTERM into a stop request: the handler writes {@code status/stop-request}
 * (see {@link RunControl}) instead of ending the JVM, so the ranks checkpoint at the next agreed
 * iteration boundary and exit with {@link org.detrain.util.DetrainException#PREEMPTED}. Installed
 * by the launcher (what {@code sbatch --signal} and the job script signal) and by every rank JVM
 * (what {@code scancel} and Slurm's preemption signal, to every process of the job). SIGINT
 * (Ctrl-C) keeps its usual meaning: stop now.
 *
 * <p>Java offers no public API for signals; {@code sun.misc.Signal} (module jdk.unsupported) is
 * the supported-in-practice one. A JVM has one handler per signal: under the multicore device every
 * rank thread installs the same action (write the same file), so whichever is last is right.
 */
public final class StopSignals implements AutoCloseable {
    static final List<String> NAMES = List.of("USR1", "TERM");

    private final Map<Signal, SignalHandler> previous = new LinkedHashMap<>();
    private final List<String> notInstalled = new ArrayList<>();

    private StopSignals() {
    }

    /**
     * Installs the handlers. {@code onSignal} is told the signal's name after the request file is
     * written (or, if it could not be, with the reason appended).
     */
    public static StopSignals install(Path requestFile, Consumer<String> onSignal) {
        StopSignals s = new StopSignals();
        for (String name : NAMES) {
            try {
                Signal signal = new Signal(name);
                SignalHandler before = Signal.handle(signal, sig -> {
                    String text = "SIG" + sig.getName();
                    try {
                        request(requestFile, text);
                    } catch (IOException e) {
                        text += " (could not write " + requestFile + ": " + e + ")";
                    }
                    onSignal.accept(text);
                });
                s.previous.put(signal, before != null ? before : SignalHandler.SIG_DFL);
            } catch (IllegalArgumentException e) {
                s.notInstalled.add("SIG" + name + " (" + e.getMessage() + ")");
            }
        }
        return s;
    }

    /** Writes the stop request; harmless if it exists already. */
    public static void request(Path requestFile, String why) throws IOException {
        Files.createDirectories(requestFile.getParent());
        Files.writeString(requestFile, why + " at " + Instant.now() + "\n", StandardCharsets.UTF_8);
    }

    /** Signals whose handler the JVM refused (e.g. under -Xrs), for the log. */
    public List<String> notInstalled() {
        return List.copyOf(notInstalled);
    }

    /** Puts the previous handlers back. */
    @Override
    public void close() {
        previous.forEach((signal, handler) -> {
            try {
                Signal.handle(signal, handler);
            } catch (IllegalArgumentException e) {
                // cannot happen for a signal we could handle before
            } catch (NullPointerException e) {
                // The JDK handed back a wrapper around no handler (its table lost the entry, seen in a
                // JVM that had loaded an OpenCL runtime): the default action is the honest restore.
                Signal.handle(signal, SignalHandler.SIG_DFL);
            }
        });
        previous.clear();
    }
}
