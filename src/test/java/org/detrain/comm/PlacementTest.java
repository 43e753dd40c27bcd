package org.detrain.comm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.detrain.util.DetrainException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlacementTest {
    @TempDir
    Path dir;

    private Path machines(String text) throws IOException {
        Path f = dir.resolve("machines");
        Files.writeString(f, text);
        return f;
    }

    private static String refusal(Runnable r) {
        DetrainException e = assertThrows(DetrainException.class, r::run);
        assertEquals(DetrainException.BAD_INPUT, e.exitCode(), e.getMessage());
        return e.getMessage();
    }

    @Test
    void machinesFileHostsInOrderWithoutCommentsOrBlankLines() throws IOException {
        Placement.OnHosts p = Placement.onHosts(machines("# the job's hosts\nnode-1\n\n  node-2   # rank 1\n10.0.0.3\n"),
                40055, null);
        assertEquals(List.of("node-1", "node-2", "10.0.0.3"), p.machines());
        assertEquals(40055, p.daemonPort());
    }

    @Test
    void badMachinesFilesAndPortsAreRefused() throws IOException {
        assertTrue(refusal(() -> Placement.onHosts(dir.resolve("absent"), 40055, null)).contains("cannot read the machines file"));
        Path empty = machines("# nobody\n\n");
        assertTrue(refusal(() -> Placement.onHosts(empty, 40055, null)).contains("names no host"));
        Path slash = machines("node-1\nnode/2\n");
        assertTrue(refusal(() -> Placement.onHosts(slash, 40055, null)).contains("'node/2' is not a host name"));
        Path good = machines("node-1\n");
        for (int port : new int[] {0, -1, 65536}) {
            assertTrue(refusal(() -> Placement.onHosts(good, port, null)).contains("--daemon-port must be a TCP port"));
        }
    }

    @Test
    void severalHostsNeedNiodevAndLocalFitsEitherTransport() throws IOException {
        Placement hosts = Placement.onHosts(machines("node-1\nnode-2\n"), 40055, null);
        assertEquals(Transport.NIODEV, new Deployment(Transport.NIODEV, hosts).transport());
        String m = refusal(() -> new Deployment(Transport.MULTICORE, hosts));
        assertTrue(m.contains("--machines") && m.contains("--transport niodev"), m);
        for (Transport t : Transport.values()) {
            assertSame(Placement.local(), Deployment.local(t).placement());
        }
    }

    @Test
    void ranksGoInBlocksOverTheHostsRankZeroFirst() {
        assertEquals(List.of(List.of(0, 1), List.of(2, 3), List.of(4, 5)), MpjJob.blocks(6, 3));
        assertEquals(List.of(List.of(0, 1, 2), List.of(3, 4), List.of(5, 6)), MpjJob.blocks(7, 3));
        assertEquals(List.of(List.of(0), List.of(), List.of()), MpjJob.blocks(1, 3));
    }

    @Test
    void theSecretDefaultsToAFileBesideTheMachinesFile() throws IOException {
        Path m = machines("node-1\n");
        assertEquals(m.toAbsolutePath().resolveSibling(m.getFileName() + ".secret"),
                Placement.onHosts(m, 40055, null).secretFile());
    }
}
