package org.detrain.runner;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/** One rank's log file: timestamped lines, flushed at once so a crash loses nothing. */
final class RankLog implements AutoCloseable {
    private final PrintWriter out;
    private final int rank;

    private RankLog(PrintWriter out, int rank) {
        this.out = out;
        this.rank = rank;
    }

    static RankLog open(Path file, int rank) throws IOException {
        Files.createDirectories(file.getParent());
        return new RankLog(new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND), true), rank);
    }

    synchronized void info(String message) {
        out.println(Instant.now() + " rank " + rank + " " + message);
    }

    synchronized void error(String message, Throwable t) {
        out.println(Instant.now() + " rank " + rank + " ERROR " + message);
        if (t != null) {
            StringWriter sw = new StringWriter();
            t.printStackTrace(new PrintWriter(sw));
            out.print(sw);
        }
        out.flush();
    }

    @Override
    public void close() {
        out.close();
    }
}
