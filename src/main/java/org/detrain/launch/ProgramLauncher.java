package org.detrain.launch;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.detrain.comm.Deployment;
import org.detrain.comm.JobSpec;
import org.detrain.comm.MpjInstallation;
import org.detrain.comm.RankProgram;
import org.detrain.comm.Transport;
import org.detrain.results.RunLayout;

/**
 * Runs any {@link RankProgram} on real MPJ ranks on this host with the launcher's machinery (status
 * files, fail-fast, cleanup): what tests and plugins use for their own rank programs (put them on
 * {@code DETRAIN_CLASSPATH} or {@code -Ddetrain.classpath}). The program gets {@code dir} as its
 * first argument; it must write {@code status/rank-N.done} (see {@link RunLayout}) when it succeeds.
 */
public final class ProgramLauncher {
    private ProgramLauncher() {
    }

    public static void run(Path home, int ranks, Transport transport, String programClass, double timeout,
                           List<String> args, Path dir, PrintStream out) {
        MpjInstallation installation = MpjInstallation.locate(home);
        List<String> all = new ArrayList<>();
        all.add(dir.toString());
        all.addAll(args);
        JobSpec spec = new JobSpec(Deployment.local(transport), ranks, programClass, timeout, List.of(), all);
        JobSupervisor.run(installation, spec, new RunLayout(dir), new ProgressRenderer(out, false), 0);
    }
}
