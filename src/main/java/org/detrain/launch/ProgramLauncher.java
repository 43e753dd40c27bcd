package org.detrain.launch;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.detrain.comm.MpjLauncher;
import org.detrain.results.RunLayout;

/**
 * Runs any {@link org.detrain.comm.RankProgram} on real MPJ ranks with the launcher's machinery
 * (status files, fail-fast, cleanup): what `detrain check` uses, and what tests and plugins use for
 * their own rank programs (put them on {@code DETRAIN_CLASSPATH} or {@code -Ddetrain.classpath}).
 * The program gets {@code dir} as its first argument; it must write {@code status/rank-N.done}
 * (see {@link RunLayout}) when it succeeds.
 */
public final class ProgramLauncher {
    private ProgramLauncher() {
    }

    public static void run(Path home, int ranks, String transport, String programClass, double timeout,
                           List<String> args, Path dir, PrintStream out) {
        MpjLauncher.Installation installation = MpjLauncher.Installation.locate(home);
        List<String> all = new java.util.ArrayList<>();
        all.add(dir.toString());
        all.addAll(args);
        JobSupervisor.run(installation, transport, ranks, programClass, timeout, List.of(), all, new RunLayout(dir),
                new ProgressRenderer(out, false));
    }
}
