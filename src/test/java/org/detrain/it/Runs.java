package org.detrain.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.detrain.io.CheckpointStore;
import org.detrain.io.H5Group;
import org.detrain.io.Hdf5Files;

/** Helpers for tests that interrupt, resume and compare runs. */
final class Runs {
    private Runs() {
    }

    static List<String> args(String... parts) {
        return new ArrayList<>(List.of(parts));
    }

    static Cli.Result train(Path results, String runId, List<String> args) {
        List<String> all = args("train", "--results", results.toString(), "--run-id", runId);
        all.addAll(args);
        return Cli.run(all.toArray(String[]::new));
    }

    static Cli.Result resume(Path runDir, String... extra) {
        List<String> all = args("train", "--resume", runDir.toString());
        all.addAll(List.of(extra));
        return Cli.run(all.toArray(String[]::new));
    }

    /**
     * The resumed run equals the uninterrupted one: every dataset of metrics.h5 but measured times,
     * and, byte for byte, every rank's parameters and other state in the final checkpoint.
     */
    static void assertSameRun(Path reference, Path resumed) {
        TrainingIT.assertSameResults(Hdf5Files.read(reference.resolve("metrics.h5")),
                Hdf5Files.read(resumed.resolve("metrics.h5")));
        CheckpointStore a = new CheckpointStore(reference.resolve("ckpt"));
        CheckpointStore b = new CheckpointStore(resumed.resolve("ckpt"));
        long last = a.completeIterations().get(0);
        assertEquals(last, b.completeIterations().get(0), "both end with the final checkpoint");
        int ranks = a.readManifest(last).ranks();
        for (int r = 0; r < ranks; r++) {
            H5Group sa = Hdf5Files.read(a.rankFile(last, r));
            H5Group sb = Hdf5Files.read(b.rankFile(last, r));
            H5Group ba = sa.getGroup("state").getGroup("buffers");
            H5Group bb = sb.getGroup("state").getGroup("buffers");
            assertEquals(ba.datasetNames(), bb.datasetNames());
            assertTrue(ba.datasetNames().contains("x"));
            for (String name : ba.datasetNames()) {
                assertArrayEquals(bytes(ba.getDataset(name, float[].class)), bytes(bb.getDataset(name, float[].class)),
                        "rank " + r + " state buffer " + name + " differs");
            }
            assertEquals(sa.getGroup("state").getGroup("scalars"), sb.getGroup("state").getGroup("scalars"));
            assertEquals(sa.getGroup("sampler"), sb.getGroup("sampler"), "rank " + r + " sampler");
        }
    }

    static byte[] bytes(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return b.array();
    }

    static void copyTree(Path from, Path to) {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every file under {@code dir} with its size and last-modified time, to prove nothing changed. */
    static Map<String, String> snapshot(Path dir) {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.toList()) {
                out.put(dir.relativize(p).toString(), Files.isDirectory(p) ? "dir"
                        : Files.size(p) + " " + Files.getLastModifiedTime(p).toMillis() + " "
                        + CheckpointStore.digest(p).sha256());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Waits for a file to appear; fails the test after {@code timeoutMillis}. */
    static void awaitFile(Path file, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (!Files.exists(file)) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError(file + " did not appear within " + timeoutMillis + " ms");
            }
            Thread.sleep(50);
        }
    }

    /** Processes whose command line names the run directory (rank JVMs, starter, daemon). */
    static List<ProcessHandle> processesOf(Path runDir) {
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine()
                .map(c -> c.contains(runDir.toString())).orElse(false)).toList();
    }
}
