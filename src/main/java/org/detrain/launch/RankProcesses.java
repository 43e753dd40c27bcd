package org.detrain.launch;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.detrain.results.RunLayout;

/**
 * The launcher's view of the rank JVMs that run on its own host, from the {@code "pid host"} lines
 * the ranks write to {@code status/rank-N.pid}: which of them are gone. Ranks on other hosts and
 * ranks inside the starter's own JVM (the multicore device) are not watched here; the first are
 * bounded by {@code comm.timeout}, the second end with the starter.
 * Only a live process whose command line names the run directory is watched.
 */
final class RankProcesses {
    private final RunLayout layout;
    private final int ranks;
    private final long starterPid;
    private final String host;
    private final Map<Integer, ProcessHandle> watched = new HashMap<>();
    private final Map<Integer, String> described = new HashMap<>();
    private final boolean[] settled;

    RankProcesses(RunLayout layout, int ranks, long starterPid) {
        this.layout = layout;
        this.ranks = ranks;
        this.starterPid = starterPid;
        this.host = localHost();
        this.settled = new boolean[ranks];
    }

    /** Ranks on this host whose JVM has exited (whatever they reported); reads every new pid file first. */
    List<Integer> vanished() {
        BitSet all = new BitSet(ranks);
        all.set(0, ranks);
        return vanished(all);
    }

    /**
     * As {@link #vanished()}, reading only the pid files in {@code written} (those a listing of the
     * status directory showed): a pid file is read once, and only the rank JVMs on this host are
     * polled, so a tick costs nothing per rank under the multicore device.
     */
    List<Integer> vanished(BitSet written) {
        for (int r = written.nextSetBit(0); r >= 0 && r < ranks; r = written.nextSetBit(r + 1)) {
            if (!settled[r]) {
                discover(r);
            }
        }
        List<Integer> gone = new ArrayList<>();
        watched.forEach((r, p) -> {
            if (!p.isAlive()) {
                gone.add(r);
            }
        });
        gone.sort(null);
        return gone;
    }

    /** Whether any watched rank JVM still runs. */
    boolean anyAlive() {
        return watched.values().stream().anyMatch(ProcessHandle::isAlive);
    }

    /**
     * A rank JVM of this run that still runs on this host ("rank 2, pid 1234"), if any: a resume
     * must not start a second job in the same run directory.
     */
    static Optional<String> stillRunning(RunLayout layout) {
        if (!Files.isDirectory(layout.statusDir())) {
            return Optional.empty();
        }
        for (int r = 0; ; r++) {
            if (!Files.exists(layout.pid(r))) {
                return Optional.empty();
            }
            RankProcesses one = new RankProcesses(layout, r + 1, -1);
            one.discover(r);
            if (one.anyAlive()) {
                return Optional.of("rank " + r + ", " + one.describe(r));
            }
        }
    }

    /** Kills the watched rank JVMs that still run. */
    void destroyAll() {
        watched.values().forEach(ProcessHandle::destroyForcibly);
    }

    String describe(int rank) {
        return described.getOrDefault(rank, "process unknown");
    }

    private void discover(int r) {
        String line;
        try {
            line = Files.readString(layout.pid(r), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return; // not written yet
        }
        String[] parts = line.split(" ", 2);
        if (parts.length < 2) {
            return; // being written
        }
        settled[r] = true;
        long pid;
        try {
            pid = Long.parseLong(parts[0]);
        } catch (NumberFormatException e) {
            return;
        }
        described.put(r, "pid " + pid + " on " + parts[1]);
        if (pid == starterPid || !parts[1].equals(host)) {
            return;
        }
        // Watch only a live process that is visibly this run's rank: a pid that is not there may
        // belong to another PID namespace (a container) with the same host name, and a wrong
        // "lost" would stop a healthy job. A rank that dies before it is seen here is still
        // caught by its peers' comm.timeout.
        Optional<ProcessHandle> p = ProcessHandle.of(pid);
        String runDir = layout.root().toString();
        if (p.isPresent() && p.get().info().commandLine().map(c -> c.contains(runDir)).orElse(false)) {
            watched.put(r, p.get());
        }
    }

    private static String localHost() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
