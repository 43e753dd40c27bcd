package org.detrain.comm;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.util.Arrays;

/**
 * Nothing a launcher starts outlives it: every JVM the launcher starts (the multicore JVM, each
 * niodev rank, directly or through {@code detrain daemon}) gets a pipe as its standard input whose
 * other end only the launcher (or the daemon serving it) holds. When that process ends, however it
 * ends (kill -9 included), the pipe reads end-of-file and this watch stops the JVM at once.
 */
public final class LauncherWatch {
    /** Exit code of a JVM stopped because its launcher is gone (nobody reads it: the launcher is gone). */
    static final int LAUNCHER_GONE = 3;

    private LauncherWatch() {
    }

    /** Starts the watch on this JVM's standard input; {@code who} names this JVM in the last line it prints. */
    public static void start(String who) {
        Thread t = new Thread(() -> {
            InputStream in = System.in;
            byte[] buf = new byte[256];
            try {
                while (in.read(buf) >= 0) {
                    // the launcher never writes; anything that arrives is ignored
                }
            } catch (IOException e) {
                // a broken pipe ends the watch the same way
            }
            System.err.println(who + ": the launcher that started this process is gone; stopping");
            System.err.flush();
            Runtime.getRuntime().halt(LAUNCHER_GONE);
        }, "detrain-launcher-watch");
        t.setDaemon(true);
        t.start();
    }

    /**
     * {@code java ... LauncherWatch MAIN_CLASS ARGS...}: runs {@code MAIN_CLASS.main(ARGS)} under the
     * watch (the multicore JVM runs MPJ's MulticoreStarter this way).
     */
    public static void main(String[] args) throws Throwable {
        start("detrain (" + args[0] + ")");
        try {
            Class.forName(args[0]).getMethod("main", String[].class)
                    .invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
