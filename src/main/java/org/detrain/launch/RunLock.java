package org.detrain.launch;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import org.detrain.io.AtomicFiles;
import org.detrain.util.DetrainException;
import org.detrain.util.IoErrors;

/**
 * One owner per run directory: an OS lock ({@code fcntl}, through {@link FileChannel#tryLock()}) on
 * {@code .<run-id>.lock} beside the run directory, held by the launcher for the run's whole life and
 * released by the OS when the launcher ends, however it ends. A fresh launch, {@code --overwrite},
 * {@code --resume} and {@code --resume-if-possible} all take it before they look at the directory, so
 * two commands on one run are serialised: the second is refused, naming the holder's pid and host.
 *
 * <p>The lock file lives beside the run directory, not in it, so that a refused command changes
 * nothing inside the run and {@code --overwrite} can replace the directory while holding the lock.
 * It holds "pid P on host H since T" of the current holder (for the refusal message only).
 */
final class RunLock implements AutoCloseable {
    /** How long a refused command waits for the holder's line (written just after it took the lock). */
    private static final long HOLDER_WAIT_MILLIS = 3_000;
    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** The lock file of {@code runDir}: {@code <parent>/.<name>.lock}. */
    static Path lockFile(Path runDir) {
        return runDir.resolveSibling("." + runDir.getFileName() + ".lock");
    }

    /**
     * Takes the lock of {@code runDir} (whose parent must exist), or refuses (exit 2) naming the
     * process that holds it. {@code cannotWrite} turns a file system that cannot hold the lock file
     * (read-only, full) into the caller's message.
     */
    static RunLock acquire(Path runDir, java.util.function.Function<IOException, DetrainException> cannotWrite) {
        Path file = lockFile(runDir);
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw cannotWrite.apply(e);
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by this very JVM (tests run several launches in one)
        } catch (IOException e) {
            closeQuietly(channel);
            throw cannotWrite.apply(e);
        }
        if (lock == null) {
            String holder = holder(file);
            closeQuietly(channel);
            throw DetrainException.badInput(runDir + " is in use: another detrain command holds it (" + holder
                    + "); wait for that run to end, or stop it first (SIGUSR1 or SIGTERM to that launcher checkpoints"
                    + " and stops it; then --resume)");
        }
        try {
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + " on host " + hostName() + " since "
                    + Instant.now() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
        } catch (IOException e) {
            // a full file system: the lock holds all the same, only the refusal message is vaguer
        }
        return new RunLock(channel, lock);
    }

    /**
     * Creates {@code runDir} for a fresh run under its lock: exactly one of several simultaneous
     * launches creates it. An existing directory is refused, or with {@code overwrite} emptied (the
     * lock keeps everyone else out meanwhile).
     */
    static RunLock create(Path runDir, boolean overwrite, boolean explicitId) {
        try {
            Files.createDirectories(runDir.getParent());
        } catch (IOException e) {
            throw cannotCreate(runDir, e);
        }
        RunLock lock = acquire(runDir, e -> cannotCreate(runDir, e));
        try {
            if (Files.exists(runDir)) {
                if (!overwrite) {
                    throw DetrainException.badInput("results directory " + runDir + " already exists; pass --overwrite to"
                            + " replace it" + (explicitId ? " or choose another --run-id" : ""));
                }
                AtomicFiles.deleteTree(runDir, AtomicFiles.BAD_INPUT);
            }
            try {
                Files.createDirectory(runDir);
            } catch (FileAlreadyExistsException e) {
                throw DetrainException.badInput("results directory " + runDir + " appeared while this launch prepared it"
                        + " (not made by detrain); choose another --run-id");
            } catch (IOException e) {
                throw cannotCreate(runDir, e);
            }
            return lock;
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** Releases the lock (the OS does so too when this JVM ends). */
    @Override
    public void close() {
        try {
            if (lock.isValid()) {
                lock.release();
            }
        } catch (IOException e) {
            // the channel closes below, which releases it
        }
        closeQuietly(channel);
    }

    private static DetrainException cannotCreate(Path runDir, IOException e) {
        return DetrainException.badInput("cannot create results directory " + runDir + ": " + IoErrors.describe(e)
                + "; choose a writable --results directory", e);
    }

    /**
     * The holder's line; a launch that took the lock an instant ago may not have written it yet (two
     * launches at once), so an empty or partial line is read again for up to {@link #HOLDER_WAIT_MILLIS}.
     */
    private static String holder(Path file) {
        long deadline = System.currentTimeMillis() + HOLDER_WAIT_MILLIS;
        try {
            while (true) {
                String text = Files.readString(file, StandardCharsets.UTF_8);
                if (text.endsWith("\n")) {
                    return "the launcher with " + text.trim();
                }
                if (System.currentTimeMillis() > deadline) {
                    return text.isBlank() ? "a process that has not written its pid and host into " + file
                            : "the launcher with " + text.trim();
                }
                Thread.sleep(20);
            }
        } catch (IOException e) {
            return "its holder could not be read: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "its holder was not read (interrupted)";
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing held any more
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
