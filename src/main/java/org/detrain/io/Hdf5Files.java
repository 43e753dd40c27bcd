package org.detrain.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.detrain.util.DetrainException;

/**
 * Whole-file HDF5 writes and reads of {@link H5Group} trees. jHDF cannot append, so a results
 * file is rewritten whole each time; {@link #writeAtomically} makes each rewrite all-or-nothing.
 */
public final class Hdf5Files {
    private Hdf5Files() {
    }

    /**
     * Writes {@code root} to {@code target} so that a reader sees either the old file or the whole
     * new one, never a part: the tree goes to a hidden temporary file beside the target
     * ({@code .<name>.<pid>-<nanos>.tmp}), which is forced to disk, read back and compared with
     * {@code root}, then renamed over the target atomically, and the directory is forced to disk
     * where the platform allows. On any failure the temporary file is deleted, the old target is
     * left as it was, and a {@link DetrainException} names the target and the reason: a failure
     * during a run (exit 3), whatever the cause. The target's directory must exist. The temporary
     * file and the rename are {@link AtomicFiles}'s.
     */
    public static void writeAtomically(Path target, H5Group root) {
        writeAtomically(target, root, temporary -> { });
    }

    static void writeAtomically(Path target, H5Group root, AtomicFiles.BeforeRename beforeRename) {
        Path absolute = target.toAbsolutePath();
        Path directory = absolute.getParent();
        Path temporary = null;
        try {
            if (Files.isDirectory(absolute, LinkOption.NOFOLLOW_LINKS)) {
                throw DetrainException.runFailure("cannot write results to " + target + ": it is a directory;"
                        + " remove it or choose another results file", null);
            }
            if (!Files.isDirectory(directory)) {
                throw DetrainException.runFailure("cannot write results to " + absolute + ": "
                        + (Files.exists(directory) ? directory + " is not a directory" : "directory " + directory
                        + " does not exist") + "; create it or choose another results dir", null);
            }
            temporary = AtomicFiles.temporaryBeside(absolute);
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                JhdfWriter.write(root, channel);
            }
            verify(temporary, root, target);
            beforeRename.run(temporary);
            AtomicFiles.replace(temporary, absolute);
            temporary = null;
        } catch (IOException | RuntimeException e) {
            AtomicFiles.deleteQuietly(temporary, e);
            if (e instanceof DetrainException) {
                throw (DetrainException) e;
            }
            throw DetrainException.runFailure("cannot write results to " + target + ": "
                    + AtomicFiles.reason(e, directory) + "; free space, fix the permissions or choose another results dir", e);
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
}
