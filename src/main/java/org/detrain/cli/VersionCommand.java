package org.detrain.cli;

import java.io.PrintStream;
import org.detrain.results.Version;

/** {@code detrain version}. */
final class VersionCommand {
    private VersionCommand() {
    }

    static int run(PrintStream out) {
        out.println("detrain " + Version.VERSION);
        return 0;
    }
}
