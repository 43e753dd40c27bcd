package org.detrain.comm.niodev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.detrain.comm.JobSecret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's rendezvous: ranks that prove the secret get the table of every rank; a stranger's
 * connection (empty, garbage, a wrong proof, a second registration of a rank) is logged and closed,
 * and the ranks still get their table.
 */
class RendezvousTest {
    @TempDir
    Path dir;

    /** What niodev does through NiodevGuard.starterConnected: prove, say the address, register, read the table. */
    private static String register(Rendezvous r, JobSecret secret, int rank, int writePort, int readPort) throws IOException {
        try (Socket s = new Socket(r.host(), r.port())) {
            secret.answer(NiodevGuard.RENDEZVOUS, s.getInputStream(), s.getOutputStream());
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeUTF("127.0.0.1");
            out.writeUTF("Sending Info");
            out.writeInt(writePort);
            out.writeInt(readPort);
            out.writeInt(rank);
            out.flush();
            return new DataInputStream(s.getInputStream()).readUTF();
        }
    }

    @Test
    void strangersAreIgnoredAndTheRanksGetTheirTable() throws Exception {
        JobSecret secret = JobSecret.createOrRead(dir.resolve("secret"));
        JobSecret other = JobSecret.createOrRead(dir.resolve("other"));
        List<String> log = new CopyOnWriteArrayList<>();
        try (Rendezvous r = Rendezvous.open(InetAddress.getByName("127.0.0.1"), 2, secret, log::add)) {
            Socket silent = new Socket(r.host(), r.port()); // connects and says nothing
            try (Socket garbage = new Socket(r.host(), r.port())) {
                garbage.getOutputStream().write("GET / HTTP/1.0\r\n\r\n and then some more bytes".getBytes());
            }
            CompletableFuture<String> impostor = CompletableFuture.supplyAsync(() -> {
                try {
                    return register(r, other, 0, 1111, 2222);
                } catch (IOException e) {
                    return "refused";
                }
            });
            assertEquals("refused", impostor.get(20, TimeUnit.SECONDS), "a wrong secret gets nothing");
            CompletableFuture<String> rank1 = CompletableFuture.supplyAsync(() -> {
                try {
                    return register(r, secret, 1, 31001, 31002);
                } catch (IOException e) {
                    return e.toString();
                }
            });
            String table0 = register(r, secret, 0, 30001, 30002);
            String expected = "#Peer Information;127.0.0.1@30002@30001@0@0;127.0.0.1@31002@31001@1@0";
            assertEquals(expected, table0);
            assertEquals(expected, rank1.get(20, TimeUnit.SECONDS));
            assertTrue(r.complete());
            silent.close();
        }
        assertTrue(log.stream().anyMatch(l -> l.contains("did not prove the job secret")), log.toString());
        assertTrue(log.stream().allMatch(l -> l.startsWith("ignored a connection from ")), log.toString());
    }

    @Test
    void aRankRegisteredTwiceIsIgnoredTheSecondTime() throws Exception {
        JobSecret secret = JobSecret.createOrRead(dir.resolve("secret"));
        List<String> log = new CopyOnWriteArrayList<>();
        try (Rendezvous r = Rendezvous.open(InetAddress.getByName("127.0.0.1"), 2, secret, log::add)) {
            CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> {
                try {
                    return register(r, secret, 0, 30001, 30002);
                } catch (IOException e) {
                    return e.toString();
                }
            });
            long deadline = System.currentTimeMillis() + 10_000;
            while (r.missing().contains(0) && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(List.of(1), r.missing());
            try {
                register(r, secret, 0, 40001, 40002);
            } catch (IOException expected) {
                // closed on it
            }
            assertTrue(log.stream().anyMatch(l -> l.contains("rank 0 is registered already")), log.toString());
            assertEquals("#Peer Information;127.0.0.1@30002@30001@0@0;127.0.0.1@31002@31001@1@0",
                    register(r, secret, 1, 31001, 31002));
            assertTrue(first.get(10, TimeUnit.SECONDS).startsWith("#Peer Information;127.0.0.1@30002"));
        }
    }
}
