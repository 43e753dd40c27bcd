package org.detrain.launch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import org.detrain.results.RunLayout;

/** {@code log/launcher.log}: what the launcher did and saw (resumes, stop requests, lost ranks). */
final class LauncherLog {
    private LauncherLog() {
    }

    /** Appends a time-stamped line; best effort. */
    static void append(RunLayout layout, String line) {
        try {
            Files.writeString(layout.logDir().resolve("launcher.log"), Instant.now() + " " + line + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            // the message also reaches the user through the run's error
        }
    }
}
