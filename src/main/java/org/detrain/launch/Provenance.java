package org.detrain.launch;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import org.detrain.comm.Transport;
import org.detrain.results.LaunchInfo;
import org.detrain.results.Version;

/** What the launcher records about a launch ({@code run.properties}): code version, commit, host, time. */
final class Provenance {
    private static final GitState UNKNOWN = new GitState("unknown", false);

    /** The commit a checkout is at and whether tracked files differ from it. */
    record GitState(String commit, boolean dirty) {
    }

    private Provenance() {
    }

    /** The launch record of a launch from the checkout {@code home}, now, on this host. */
    static LaunchInfo launchInfo(Path home, String runId, int ranks, Transport transport, String commandLine) {
        GitState git = git(home);
        return new LaunchInfo(runId, ranks, transport.mpjName(), Version.VERSION, git.commit(), git.dirty(),
                Instant.now().toString(), hostName(), commandLine);
    }

    static GitState git(Path home) {
        try {
            Process p = new ProcessBuilder("git", "-C", home.toString(), "rev-parse", "HEAD").redirectErrorStream(true).start();
            String commit = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor() != 0) {
                return UNKNOWN;
            }
            Process d = new ProcessBuilder("git", "-C", home.toString(), "status", "--porcelain", "--untracked-files=no")
                    .redirectErrorStream(true).start();
            String dirty = new String(d.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            d.waitFor();
            return new GitState(commit, !dirty.isEmpty());
        } catch (IOException e) {
            return UNKNOWN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return UNKNOWN;
        }
    }

    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
