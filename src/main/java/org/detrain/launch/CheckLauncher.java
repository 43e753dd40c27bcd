package org.detrain.launch;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.detrain.comm.Deployment;
import org.detrain.comm.JobSpec;
import org.detrain.comm.MpjInstallation;
import org.detrain.comm.MpjJob;
import org.detrain.diag.CommCheck;
import org.detrain.results.RunLayout;
import org.detrain.topology.Topologies;
import org.detrain.util.DetrainException;

/** Launches {@link CommCheck} in a scratch directory that is removed when the check passes. */
public final class CheckLauncher {
    private CheckLauncher() {
    }

    public static void run(Path home, int ranks, Deployment deployment, int rounds, int largeFloats, double timeout,
                           List<String> jvmOptions, PrintStream out) {
        if (ranks < 1) {
            throw DetrainException.badInput("-np must be at least 1, got " + ranks);
        }
        Topologies.requireSupportedRanks(ranks);
        if (rounds < 1 || largeFloats < 1) {
            throw DetrainException.badInput("--rounds and --floats must be at least 1");
        }
        if (!(timeout > 0)) {
            throw DetrainException.badInput("--timeout must be a positive number of seconds, got " + timeout);
        }
        MpjInstallation installation = MpjInstallation.locate(home);
        MpjJob.checkJvmOptions(jvmOptions);
        deployment.checkSecret();
        Path dir;
        try {
            dir = Files.createTempDirectory("detrain-check-");
        } catch (IOException e) {
            throw DetrainException.badInput("cannot create a scratch directory: " + e.getMessage() + "; check TMPDIR", e);
        }
        out.printf("detrain check: %d ranks over MPJ Express %s%n", ranks, deployment.transport());
        JobSpec spec = new JobSpec(deployment, ranks, CommCheck.class.getName(), timeout, jvmOptions,
                List.of(dir.toString(), Integer.toString(rounds), Integer.toString(largeFloats)));
        JobSupervisor.run(installation, spec, new RunLayout(dir), new ProgressRenderer(out, false), 0);
        JobSupervisor.removeAfterRun(dir); // kept for diagnosis when the check failed (JobSupervisor threw)
        out.println("check passed");
    }
}
