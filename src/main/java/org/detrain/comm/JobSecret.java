package org.detrain.comm;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.detrain.util.DetrainException;
import org.detrain.util.IoErrors;

/**
 * The per-job secret that every connection to a job's port must prove it knows: 32 random bytes,
 * kept (as hex) in a file that only the job's user can read. Proofs are challenge-response: the side
 * that accepts sends a fresh random nonce, the side that connects answers HMAC-SHA256(secret,
 * purpose | nonce); the secret itself never crosses the network and an answer cannot be replayed.
 */
public final class JobSecret {
    /** Bytes of the secret, of a nonce and of a proof. */
    public static final int BYTES = 32;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] key;
    private final Path file;

    private JobSecret(byte[] key, Path file) {
        this.key = key.clone();
        this.file = file;
    }

    /** The file the secret is kept in (passed to the processes of the job, never the secret itself). */
    public Path file() {
        return file;
    }

    /**
     * The secret in {@code file}, created (readable by this user only) when it does not exist yet.
     * Several processes may call this at once on a shared file system: exactly one creates it.
     */
    public static JobSecret createOrRead(Path file) {
        if (!Files.exists(file)) {
            byte[] key = new byte[BYTES];
            RANDOM.nextBytes(key);
            try {
                // a name of its own per call: threads of one JVM may race as well as processes
                Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName() + ".", ".tmp",
                        PosixFilePermissions.asFileAttribute(OWNER_ONLY));
                try {
                    Files.writeString(tmp, HexFormat.of().formatHex(key) + "\n", StandardCharsets.US_ASCII);
                    Files.createLink(file, tmp); // atomic and refuses to replace: one creator wins
                } catch (FileAlreadyExistsException lost) {
                    // another process created it first: read theirs
                } finally {
                    Files.deleteIfExists(tmp);
                }
            } catch (IOException e) {
                throw DetrainException.badInput("cannot create the job secret " + file + ": " + IoErrors.describe(e)
                        + "; choose a writable directory", e);
            }
        }
        return read(file);
    }

    /**
     * Reads the secret from {@code file}; a file that other users could read, or that another user
     * owns, is refused (anyone who reads it can start code through the job).
     */
    public static JobSecret read(Path file) {
        try {
            PosixFileAttributes attrs = Files.readAttributes(file, PosixFileAttributes.class);
            Set<PosixFilePermission> perms = attrs.permissions();
            if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)
                    || perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
                throw DetrainException.badInput("the job secret " + file + " is readable or writable by other users ("
                        + PosixFilePermissions.toString(perms) + "); run `chmod 600 " + file + "` or let detrain create it");
            }
            String me = System.getProperty("user.name");
            if (!attrs.owner().getName().equals(me)) {
                throw DetrainException.badInput("the job secret " + file + " belongs to " + attrs.owner().getName()
                        + ", not to " + me + "; use a secret file of your own");
            }
            String hex = Files.readString(file, StandardCharsets.US_ASCII).strip();
            byte[] key = HexFormat.of().parseHex(hex);
            if (key.length < 16) {
                throw new IllegalArgumentException("too short");
            }
            return new JobSecret(key, file.toAbsolutePath());
        } catch (NoSuchFileException e) {
            throw DetrainException.badInput("the job secret " + file + " does not exist", e);
        } catch (IOException e) {
            throw DetrainException.badInput("cannot read the job secret " + file + ": " + IoErrors.describe(e), e);
        } catch (IllegalArgumentException e) {
            throw DetrainException.badInput("the job secret " + file + " is not 32 to 64 hexadecimal bytes; delete it and"
                    + " let detrain create a new one", e);
        }
    }

    /** A fresh random challenge. */
    public static byte[] nonce() {
        byte[] n = new byte[BYTES];
        RANDOM.nextBytes(n);
        return n;
    }

    /** The answer to {@code nonce} for a connection of kind {@code purpose}. */
    public byte[] proof(String purpose, byte[] nonce) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(purpose.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            return mac.doFinal(nonce);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java 17", e);
        }
    }

    /** Whether {@code answer} proves knowledge of the secret for {@code nonce} (constant time). */
    public boolean verify(String purpose, byte[] nonce, byte[] answer) {
        return answer != null && MessageDigest.isEqual(proof(purpose, nonce), answer);
    }

    /**
     * The accepting side of a handshake: sends a nonce, reads the answer; true when it proves the
     * secret. The caller bounds the read (a socket timeout) and closes the connection otherwise.
     */
    public boolean challenge(String purpose, InputStream in, OutputStream out) throws IOException {
        byte[] nonce = nonce();
        out.write(nonce);
        out.flush();
        byte[] answer = in.readNBytes(BYTES);
        return answer.length == BYTES && verify(purpose, nonce, answer);
    }

    /** The connecting side of a handshake: reads the nonce and answers it. */
    public void answer(String purpose, InputStream in, OutputStream out) throws IOException {
        byte[] nonce = in.readNBytes(BYTES);
        if (nonce.length != BYTES) {
            throw new IOException("the peer closed the connection before its challenge");
        }
        out.write(proof(purpose, nonce));
        out.flush();
    }
}
