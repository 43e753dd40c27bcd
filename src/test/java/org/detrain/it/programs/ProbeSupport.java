package org.detrain.it.programs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.detrain.results.RunLayout;

/** Status and output files for the tests' own rank programs. */
final class ProbeSupport {
    private ProbeSupport() {
    }

    static void done(Path dir, int rank) throws IOException {
        RunLayout layout = new RunLayout(dir);
        Files.createDirectories(layout.statusDir());
        Files.writeString(layout.done(rank), "ok\n", StandardCharsets.UTF_8);
    }

    static void failed(Path dir, int rank, Throwable failure) {
        try {
            RunLayout layout = new RunLayout(dir);
            Files.createDirectories(layout.statusDir());
            Files.writeString(layout.failed(rank), "rank " + rank + ": " + failure + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            System.err.println("probe rank " + rank + ": " + failure + " / " + e);
        }
    }
}
