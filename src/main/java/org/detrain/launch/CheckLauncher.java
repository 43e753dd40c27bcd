package org.detrain.launch;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.detrain.io.AtomicFiles;
import org.detrain.comm.MpjLauncher;
import org.detrain.results.RunLayout;
import org.detrain.util.DetrainException;
import org.detrain.diag.CommCheck;

/** Launches {@link CommCheck} in a scratch directory that is removed when the check passes. */
public final class CheckLauncher {
    private CheckLauncher() {
    }

    public static void run(Path home, int ranks, String transport, int rounds, int largeFloats, double timeout,
                           List<String> jvmOptions, PrintStream out) {
        run(home, ranks, transport, null, rounds, largeFloats, timeout, jvmOptions, out);
    }

    /** As above; a placement runs the check across the daemons of several hosts (niodev). */
    public static void run(Path home, int ranks, String transport, MpjLauncher.Placement placement, int rounds,
                           int largeFloats, double timeout, List<String> jvmOptions, PrintStream out) {
        if (placement != null && !"niodev".equals(transport)) {
            throw DetrainException.badInput("--machines runs ranks on several hosts and needs --transport niodev");
        }
        if (ranks < 1) {
            throw DetrainException.badInput("-np must be at least 1, got " + ranks);
        }
        if (rounds < 1 || largeFloats < 1) {
            throw DetrainException.badInput("--rounds and --floats must be at least 1");
        }
        MpjLauncher.Installation installation = MpjLauncher.Installation.locate(home);
        Path dir;
        try {
            dir = Files.createTempDirectory("detrain-check-");
        } catch (IOException e) {
            throw DetrainException.badInput("cannot create a scratch directory: " + e.getMessage(), e);
        }
        out.printf("detrain check: %d ranks over MPJ Express %s%n", ranks, transport);
        JobSupervisor.run(installation, transport, placement, ranks, CommCheck.class.getName(), timeout, jvmOptions,
                List.of(dir.toString(), Integer.toString(rounds), Integer.toString(largeFloats)), new RunLayout(dir),
                new ProgressRenderer(out, false));
        AtomicFiles.deleteTree(dir); // kept for diagnosis when the check failed (JobSupervisor threw)
        out.println("check passed");
    }
}
