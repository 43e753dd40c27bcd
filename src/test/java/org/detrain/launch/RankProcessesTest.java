package org.detrain.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.detrain.results.RunLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RankProcessesTest {
    @TempDir
    Path dir;

    @Test
    void aLocalRankProcessThatExitsIsSeenGoneAndRemoteOrUnknownOnesAreNotWatched() throws Exception {
        RunLayout layout = new RunLayout(dir);
        Files.createDirectories(layout.statusDir());
        String host = InetAddress.getLocalHost().getHostName();
        // a stand-in for a rank JVM: its command line names the run directory, as niodev ranks' do
        Process rank0 = new ProcessBuilder("bash", "-c", "sleep 60; true", dir.toString()).start();
        try {
            Files.writeString(layout.pid(0), rank0.pid() + " " + host + "\n");
            Files.writeString(layout.pid(1), "12345 some-other-host\n");
            // rank 2 has not written its pid file yet
            RankProcesses p = new RankProcesses(layout, 3, -1);
            assertEquals(java.util.Optional.of("rank 0, pid " + rank0.pid() + " on " + host), RankProcesses.stillRunning(layout),
                    "a resume refuses to start beside a live rank");
            assertEquals(List.of(), p.vanished());
            assertTrue(p.anyAlive());
            assertEquals("pid 12345 on some-other-host", p.describe(1));
            assertEquals("process unknown", p.describe(2));

            rank0.descendants().forEach(ProcessHandle::destroyForcibly);
            rank0.destroyForcibly();
            assertTrue(rank0.waitFor(10, TimeUnit.SECONDS));
            assertEquals(List.of(0), p.vanished());
            assertFalse(p.anyAlive());
            assertEquals(java.util.Optional.empty(), RankProcesses.stillRunning(layout));

            Files.writeString(layout.pid(2), ProcessHandle.current().pid() + " " + host + "\n");
            assertEquals(List.of(0), p.vanished(), "a process whose command line does not name the run is not a rank");
        } finally {
            rank0.descendants().forEach(ProcessHandle::destroyForcibly);
            rank0.destroyForcibly();
        }
    }

    @Test
    void aPidThatIsNotThereWhenFirstReadOrIsTheStarterIsNotWatched() throws Exception {
        RunLayout layout = new RunLayout(dir);
        Files.createDirectories(layout.statusDir());
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        // perhaps another PID namespace with the same host name: never declare it lost
        Files.writeString(layout.pid(0), p.pid() + " " + InetAddress.getLocalHost().getHostName() + "\n");
        RankProcesses processes = new RankProcesses(layout, 1, -1);
        assertEquals(List.of(), processes.vanished());
        assertFalse(processes.anyAlive());
        Process rank = new ProcessBuilder("bash", "-c", "sleep 60; true", dir.toString()).start();
        try {
            Files.writeString(layout.pid(0), rank.pid() + " " + InetAddress.getLocalHost().getHostName() + "\n");
            RankProcesses starterIsRank = new RankProcesses(layout, 1, rank.pid());
            assertEquals(List.of(), starterIsRank.vanished());
            assertFalse(starterIsRank.anyAlive(), "the starter's own JVM (multicore ranks) is not watched");
        } finally {
            rank.descendants().forEach(ProcessHandle::destroyForcibly);
            rank.destroyForcibly();
        }
    }
}
