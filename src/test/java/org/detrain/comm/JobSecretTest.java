package org.detrain.comm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.detrain.util.DetrainException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobSecretTest {
    @TempDir
    Path dir;

    @Test
    void createdReadableByItsOwnerOnlyAndTheSameForEveryone() throws Exception {
        Path file = dir.resolve("secret");
        List<JobSecret> all = IntStream.range(0, 6).mapToObj(i -> CompletableFuture.supplyAsync(
                () -> JobSecret.createOrRead(file))).toList().stream().map(CompletableFuture::join).toList();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        byte[] nonce = JobSecret.nonce();
        for (JobSecret s : all) {
            assertArrayEquals(all.get(0).proof("p", nonce), s.proof("p", nonce), "one secret, whoever created it");
        }
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file left");
        }
    }

    @Test
    void aSecretOthersCanReadIsRefused() throws Exception {
        Path file = dir.resolve("secret");
        JobSecret.createOrRead(file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        DetrainException e = assertThrows(DetrainException.class, () -> JobSecret.read(file));
        assertTrue(e.getMessage().contains("readable or writable by other users") && e.getMessage().contains("chmod 600"),
                e.getMessage());
    }

    @Test
    void aProofAnswersOneNonceOfOnePurposeOnly() throws Exception {
        JobSecret s = JobSecret.createOrRead(dir.resolve("a"));
        JobSecret other = JobSecret.createOrRead(dir.resolve("b"));
        byte[] nonce = JobSecret.nonce();
        assertTrue(s.verify("peer", nonce, s.proof("peer", nonce)));
        assertFalse(s.verify("peer", nonce, other.proof("peer", nonce)), "another secret");
        assertFalse(s.verify("daemon", nonce, s.proof("peer", nonce)), "another purpose");
        assertFalse(s.verify("peer", JobSecret.nonce(), s.proof("peer", nonce)), "a replayed answer");
        assertFalse(s.verify("peer", nonce, null));

        // the handshake as the two sides run it
        ByteArrayOutputStream challenge = new ByteArrayOutputStream();
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        byte[] sent = JobSecret.nonce();
        s.answer("peer", new ByteArrayInputStream(sent), answer);
        assertTrue(s.verify("peer", sent, answer.toByteArray()));
        assertFalse(s.challenge("peer", new ByteArrayInputStream(new byte[5]), challenge), "a short answer");
    }
}
