package org.detrain.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.detrain.util.DetrainException;

/**
 * Small files written so that a reader sees either the old content or the whole new one, and
 * directory trees deleted: the one place detrain does either.
 *
 * <p>A write goes to a hidden temporary file beside the target ({@code .<name>.<pid>-<nanos>.tmp},
 * matching the project's {@code *.tmp} ignore rule), which is forced to disk and then renamed over
 * the target atomically; the directory is forced too, where the platform allows, so the rename
 * survives a crash. On failure the temporary file is removed and the target is left as it was.
 *
 * <p>Failures are {@link DetrainException}s that name the file and the fix. Which exit code they
 * carry is the caller's to say: by default a failed write or delete is a failure during a run
 * ({@link DetrainException#runFailure}, exit 3); a caller that writes while still checking its input
 * (before anything ran) passes {@code DetrainException::badInput} (exit 2).
 */
public final class AtomicFiles {
    /** Makes a {@link DetrainException} from a message and its cause; picks the exit code. */
    public interface Failure extends BiFunction<String, Throwable, DetrainException> {
    }

    /** A failure during a run (exit 3): the default. */
    public static final Failure RUN_FAILURE = DetrainException::runFailure;
    /** Bad input found while setting up (exit 2). */
    public static final Failure BAD_INPUT = DetrainException::badInput;

    /** Called between writing the temporary file and renaming it; a test seam for failures. */
    @FunctionalInterface
    interface BeforeRename {
        void run(Path temporary) throws IOException;
    }

    /** Deletes one path of a tree; a test seam for failures. */
    @FunctionalInterface
    interface Deleter {
        void delete(Path path) throws IOException;
    }

    private AtomicFiles() {
    }

    // ---------------------------------------------------------------- writing

    /**
     * Writes {@code text} (UTF-8) to {@code target} atomically, creating missing parent
     * directories; a failure is a run failure (exit 3).
     */
    public static void writeText(Path target, String text) {
        writeText(target, text, RUN_FAILURE);
    }

    /** As {@link #writeText(Path, String)}, with the exit code of a failure chosen by {@code failure}. */
    public static void writeText(Path target, String text, Failure failure) {
        writeText(target, text, failure, temporary -> { });
    }

    static void writeText(Path target, String text, Failure failure, BeforeRename beforeRename) {
        Path absolute = target.toAbsolutePath();
        Path temporary = null;
        try {
            if (Files.isDirectory(absolute, LinkOption.NOFOLLOW_LINKS)) {
                throw failure.apply("cannot write " + target + ": it is a directory; remove it or choose another"
                        + " location", null);
            }
            Files.createDirectories(absolute.getParent());
            temporary = temporaryBeside(absolute);
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
                channel.force(true);
            }
            beforeRename.run(temporary);
            replace(temporary, absolute);
            temporary = null;
        } catch (IOException | RuntimeException e) {
            deleteQuietly(temporary, e);
            if (e instanceof DetrainException d) {
                throw d;
            }
            throw failure.apply("cannot write " + target + ": " + reason(e, absolute.getParent())
                    + "; free space or fix the permissions of " + absolute.getParent(), e);
        }
    }

    /**
     * Creates a new, empty, hidden temporary file beside {@code target}:
     * {@code .<name>.<pid>-<nanos>.tmp}, unique within the process (several ranks of a multicore
     * run are threads of one JVM).
     */
    public static Path temporaryBeside(Path target) throws IOException {
        Path directory = target.toAbsolutePath().getParent();
        String name = target.getFileName().toString();
        long pid = ProcessHandle.current().pid();
        while (true) {
            Path candidate = directory.resolve("." + name + "." + pid + "-" + Long.toHexString(System.nanoTime()) + ".tmp");
            try {
                return Files.createFile(candidate);
            } catch (FileAlreadyExistsException taken) {
                Thread.onSpinWait();
            }
        }
    }

    /**
     * Renames a complete {@code temporary} file over {@code target} in one step (readers see the old
     * file or the new one), then forces the directory so the rename itself is durable.
     */
    public static void replace(Path temporary, Path target) throws IOException {
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceDirectory(target.toAbsolutePath().getParent());
    }

    /** Makes a rename durable (POSIX); some platforms cannot open a directory, which is fine. */
    private static void forceDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // The file itself is already on disk; only the rename's durability is best effort here.
        }
    }

    /** Removes a temporary file after {@code failure}; a failure to remove it is added to {@code failure}. */
    static void deleteQuietly(Path temporary, Exception failure) {
        if (temporary == null) {
            return;
        }
        try {
            Files.deleteIfExists(temporary);
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    // ---------------------------------------------------------------- deleting

    /**
     * Deletes {@code root} and everything below it; nothing to do if it does not exist. Symbolic
     * links are removed, never followed. A failure is a run failure (exit 3).
     */
    public static void deleteTree(Path root) {
        deleteTree(root, RUN_FAILURE);
    }

    /** As {@link #deleteTree(Path)}, with the exit code of a failure chosen by {@code failure}. */
    public static void deleteTree(Path root, Failure failure) {
        deleteTree(root, failure, Files::deleteIfExists);
    }

    static void deleteTree(Path root, Failure failure, Deleter deleter) {
        try {
            delete(root, deleter);
        } catch (IOException | UncheckedIOException e) {
            throw failure.apply("cannot delete " + root + ": " + reason(e, root)
                    + "; fix its permissions or remove it by hand", e);
        }
    }

    /** Deletes what it can of {@code root} and ignores the rest (scratch space whose leftovers are harmless). */
    public static void deleteTreeQuietly(Path root) {
        if (root == null) {
            return;
        }
        try {
            delete(root, path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException skipped) {
                    // best effort: carry on with the rest (a directory that keeps this file stays too)
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // the tree could not be listed (gone already, or unreadable): nothing more to do
        }
    }

    private static void delete(Path root, Deleter deleter) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        List<Path> deepestFirst;
        try (Stream<Path> walk = Files.walk(root)) {
            deepestFirst = walk.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path p : deepestFirst) {
            deleter.delete(p);
        }
    }

    // ---------------------------------------------------------------- messages

    /** A readable reason: the JDK's file exceptions often carry only a path as their message. */
    public static String reason(Exception e, Path directory) {
        Throwable t = e instanceof UncheckedIOException u && u.getCause() != null ? u.getCause() : e;
        if (t instanceof AccessDeniedException a) {
            return "permission denied on " + a.getFile();
        }
        if (t instanceof NoSuchFileException n) {
            return n.getFile() + " does not exist";
        }
        if (t instanceof NotDirectoryException n) {
            return n.getFile() + " is not a directory";
        }
        if (t instanceof FileAlreadyExistsException f) {
            return f.getFile() + " exists and is not a directory";
        }
        if (t instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason() + (f.getFile() == null ? "" : " (" + f.getFile() + ")");
        }
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return text + " (in " + directory + ")";
    }
}
