package org.detrain.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
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
import org.detrain.util.DetrainException;

/**
 * Whole-file HDF5 writes and reads of {@link H5Group} trees. jHDF cannot append, so a results
 * file is rewritten whole each time; {@link #writeAtomically} makes each rewrite all-or-nothing.
 */
public final class Hdf5Files {
    private Hdf5Files() {
    }

    /** Called between writing the temporary file and renaming it; a test seam for failures. */
    @FunctionalInterface
    interface BeforeRename {
        void run(Path temporary) throws IOException;
    }

    /**
     * Writes {@code root} to {@code target} so that a reader sees either the old file or the whole
     * new one, never a part: the tree goes to a hidden temporary file beside the target
     * ({@code .<name>.<pid>-<nanos>.tmp}), which is forced to disk, read back and compared with
     * {@code root}, then renamed over the target atomically, and the directory is forced to disk
     * where the platform allows. On any failure the temporary file is deleted, the old target is
     * left as it was, and a {@link DetrainException} names the target and the reason. The target's
     * directory must exist.
     */
    public static void writeAtomically(Path target, H5Group root) {
        writeAtomically(target, root, temporary -> { });
    }

    static void writeAtomically(Path target, H5Group root, BeforeRename beforeRename) {
        Path absolute = target.toAbsolutePath();
        Path directory = absolute.getParent();
        Path temporary = null;
        try {
            if (Files.isDirectory(absolute, LinkOption.NOFOLLOW_LINKS)) {
                throw DetrainException.badInput("cannot write results to " + target + ": it is a directory;"
                        + " remove it or choose another results file");
            }
            temporary = createTemporary(directory, absolute.getFileName().toString());
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                JhdfWriter.write(root, channel);
            }
            verify(temporary, root, target);
            beforeRename.run(temporary);
            Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            temporary = null;
            forceDirectory(directory);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(temporary, e);
            if (e instanceof DetrainException) {
                throw (DetrainException) e;
            }
            throw DetrainException.runFailure("cannot write results to " + target + ": " + reason(e, directory)
                    + "; free space, fix the permissions or choose another results dir", e);
        }
    }

    /**
     * Reads a whole HDF5 file into a tree with the same Java types that were written (see
     * {@link H5Group} for the mapping). A missing, truncated, corrupt or non-HDF5 file, or one with
     * content H5Group cannot hold, gives a {@link DetrainException} that names the file.
     */
    public static H5Group read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw DetrainException.badInput("cannot read HDF5 file " + file + ": "
                    + (Files.exists(file) ? "it is not a regular file" : "it does not exist")
                    + "; check the path (results are in results/<run-id>/metrics.h5)");
        }
        try {
            return JhdfReader.read(file);
        } catch (DetrainException e) {
            throw JhdfReader.failure(file, e);
        } catch (IOException | RuntimeException | StackOverflowError | OutOfMemoryError e) {
            // jHDF trusts the addresses and sizes it finds: a damaged header can make it recurse deeply
            // or ask for one huge buffer (that allocation fails alone, so carrying on is safe).
            throw JhdfReader.failure(file, e);
        }
    }

    private static Path createTemporary(Path directory, String name) throws IOException {
        if (!Files.isDirectory(directory)) {
            throw DetrainException.badInput("cannot write results to " + directory.resolve(name) + ": "
                    + (Files.exists(directory) ? directory + " is not a directory" : "directory " + directory
                    + " does not exist") + "; create it or choose another results dir");
        }
        long pid = ProcessHandle.current().pid();
        while (true) {
            // Hidden, and matching the project's *.tmp ignore rule; unique per process and moment.
            Path candidate = directory.resolve("." + name + "." + pid + "-" + Long.toHexString(System.nanoTime()) + ".tmp");
            try {
                return Files.createFile(candidate);
            } catch (FileAlreadyExistsException taken) {
                Thread.onSpinWait();
            }
        }
    }

    /** Reads the temporary file back: catches a writer bug before it replaces a good file. */
    private static void verify(Path temporary, H5Group expected, Path target) {
        H5Group actual;
        try {
            actual = JhdfReader.read(temporary);
        } catch (IOException | RuntimeException e) {
            throw DetrainException.runFailure("cannot write results to " + target + ": the HDF5 file jHDF wrote"
                    + " does not read back (" + e + "); this is a bug in detrain's io package, please report it", e);
        }
        if (!actual.equals(expected)) {
            throw DetrainException.runFailure("cannot write results to " + target + ": the HDF5 file jHDF wrote"
                    + " reads back different values; this is a bug in detrain's io package, please report it", null);
        }
    }

    /** Makes the rename itself durable (POSIX); some platforms cannot open a directory, which is fine. */
    private static void forceDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // The file itself is already on disk; only the rename's durability is best effort here.
        }
    }

    private static void deleteQuietly(Path temporary, Exception failure) {
        if (temporary == null) {
            return;
        }
        try {
            Files.deleteIfExists(temporary);
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    /** A readable reason: the JDK's file exceptions often carry only a path as their message. */
    private static String reason(Exception e, Path directory) {
        if (e instanceof AccessDeniedException) {
            return "permission denied on " + ((AccessDeniedException) e).getFile();
        }
        if (e instanceof NoSuchFileException) {
            return ((NoSuchFileException) e).getFile() + " does not exist";
        }
        if (e instanceof NotDirectoryException) {
            return ((NotDirectoryException) e).getFile() + " is not a directory";
        }
        if (e instanceof FileSystemException && ((FileSystemException) e).getReason() != null) {
            FileSystemException f = (FileSystemException) e;
            return f.getReason() + (f.getFile() == null ? "" : " (" + f.getFile() + ")");
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return text + " (in " + directory + ")";
    }
}
