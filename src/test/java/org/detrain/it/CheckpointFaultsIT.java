package org.detrain.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.detrain.config.RunConfig;
import org.detrain.io.CheckpointStore;
import org.detrain.io.H5Group;
import org.detrain.io.Hdf5Files;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults that must never cost data: a full or read-only results file system, and a diverging run.
 * The file-system tests mount a small tmpfs (root only; skipped with the reason otherwise) and
 * unmount it again whatever happens.
 */
class CheckpointFaultsIT {
    private static final List<String> JOB = List.of("-np", "3", "--set", "dataset=synthetic-lsq", "--set", "model=linear",
            "--set", "synthetic.samples=256", "--set", "batch=4", "--set", "lr=0.01", "--set", "iterations=20000",
            "--set", "log.every=500", "--set", "eval.every=3000", "--set", "checkpoint.every=1000");

    @TempDir
    Path results;

    @Test
    void aFullFileSystemStopsTheRunKeepsTheLastCheckpointAndTheResumeCompletesIt() throws Exception {
        Path mount = results.resolve("small");
        try (Tmpfs fs = Tmpfs.mount(mount, "8m")) {
            CompletableFuture<Cli.Result> run = CompletableFuture.supplyAsync(() -> Runs.train(mount, "full", JOB));
            Path runDir = mount.resolve("full");
            CheckpointStore store = new CheckpointStore(runDir.resolve("ckpt"));
            Runs.awaitFile(store.manifest(1000), 60_000);
            Path filler = mount.resolve("filler");
            fill(filler);
            Cli.Result r = run.get(120, TimeUnit.SECONDS);
            assertEquals(3, r.exitCode(), r.all());
            assertTrue(r.err().contains("No space left on device"), r.err());
            assertTrue(r.err().matches("(?s).*rank \\d: [^\\n]*" + Pattern.quote(runDir.toString()) + "[^\\n]*No space left.*"),
                    "names the rank and the file: " + r.err());
            assertTrue(r.err().contains("the last complete checkpoint is iteration"), r.err());
            String hash = RunConfig.fromFile(runDir.resolve("config.properties")).resumeHash();
            long kept = store.select(hash, 3).iteration();
            assertTrue(kept >= 1000, "the last complete set is sound: " + kept);

            // still full: a resume refuses up front and changes nothing
            Map<String, String> before = Runs.snapshot(runDir);
            Cli.Result refused = Runs.resume(runDir);
            assertEquals(2, refused.exitCode(), refused.all());
            assertTrue(refused.err().contains("read-only or full") || refused.err().contains("MB free"), refused.err());
            assertEquals(before, Runs.snapshot(runDir));

            Files.delete(filler);
            Cli.Result resumed = Runs.resume(runDir);
            assertEquals(0, resumed.exitCode(), resumed.all());
            assertTrue(resumed.out().contains("from iteration " + kept + " of 20000"), resumed.out());
            Cli.Result ref = Runs.train(results, "ref", JOB);
            assertEquals(0, ref.exitCode(), ref.all());
            Runs.assertSameRun(results.resolve("ref"), runDir);
        }
    }

    /**
     * Under niodev each rank is a JVM of its own that, on a full disk, cannot write its status file
     * either: it exits 3 having printed why, and the launcher must pass that on rather than call the
     * rank killed or crashed (issue 17's re-run: "rank 0 ... is gone without reporting anything
     * (exit code 3): killed, or its JVM crashed" above the rank's own "No space left on device").
     */
    @Test
    void aFullFileSystemUnderNiodevNamesTheRankAndTheFileAndCallsNoRankCrashed() throws Exception {
        Path mount = results.resolve("small-niodev");
        try (Tmpfs fs = Tmpfs.mount(mount, "8m")) {
            List<String> job = Runs.args(JOB.toArray(String[]::new));
            job.addAll(List.of("--transport", "niodev"));
            CompletableFuture<Cli.Result> run = CompletableFuture.supplyAsync(() -> Runs.train(mount, "full", job));
            Path runDir = mount.resolve("full");
            Runs.awaitFile(new CheckpointStore(runDir.resolve("ckpt")).manifest(1000), 60_000);
            Path filler = mount.resolve("filler");
            fill(filler);
            Cli.Result r = run.get(120, TimeUnit.SECONDS);
            assertEquals(3, r.exitCode(), r.all());
            assertTrue(r.err().matches("(?s).*rank \\d: [^\\n]*" + Pattern.quote(runDir.toString()) + "[^\\n]*No space left.*"),
                    "names the rank and the file: " + r.err());
            assertTrue(!r.err().contains("killed, or its JVM crashed"), "a rank that failed is not called crashed: " + r.err());
            Files.delete(filler);
        }
    }

    @Test
    void aReadOnlyResultsFileSystemIsRefusedBeforeAnythingIsWritten() throws Exception {
        Path mount = results.resolve("ro");
        try (Tmpfs fs = Tmpfs.mount(mount, "8m")) {
            List<String> shortJob = Runs.args(JOB.toArray(String[]::new));
            shortJob.addAll(List.of("--set", "iterations=2000"));
            Cli.Result first = Runs.train(mount, "run", shortJob);
            assertEquals(0, first.exitCode(), first.all());
            fs.remount("ro");
            Path runDir = mount.resolve("run");
            Map<String, String> before = Runs.snapshot(runDir);
            Cli.Result r = Runs.resume(runDir);
            assertEquals(2, r.exitCode(), r.all());
            assertTrue(r.err().contains("Read-only file system") && r.err().contains("read-only or full"), r.err());
            assertEquals(before, Runs.snapshot(runDir));
            Cli.Result fresh = Runs.train(mount, "other", shortJob);
            assertEquals(2, fresh.exitCode(), fresh.all());
            assertTrue(fresh.err().contains("cannot create results directory"), fresh.err());
            fs.remount("rw");
        }
    }

    @Test
    void aResultsFileSystemThatCannotHoldTheRunDirectoryKeepsNothingOfIt() throws Exception {
        Path mount = results.resolve("cramped");
        try (Tmpfs fs = Tmpfs.mount(mount, "2m")) {
            List<String> shortJob = Runs.args(JOB.toArray(String[]::new));
            shortJob.addAll(List.of("--set", "iterations=200"));
            Path filler = mount.resolve("filler");
            fill(filler);
            Cli.Result r = Runs.train(mount, "run", shortJob);
            assertEquals(2, r.exitCode(), r.all());
            assertTrue(r.err().contains("No space left on device") && r.err().contains("nothing was kept"), r.err());
            assertTrue(!Files.exists(mount.resolve("run")), "no run directory left behind");
            Files.delete(filler);
            Cli.Result retry = Runs.train(mount, "run", shortJob);
            assertEquals(0, retry.exitCode(), "the retry is not refused as 'already exists': " + retry.all());
        }
    }

    @Test
    void aDivergingRunStopsNamingRankAndIterationAndKeepsASoundFiniteCheckpoint() {
        Cli.Result r = Runs.train(results, "nan", List.of("-np", "3", "--set", "dataset=synthetic-lsq", "--set",
                "model=linear", "--set", "synthetic.samples=256", "--set", "batch=4", "--set", "lr=0.8",
                "--set", "iterations=5000", "--set", "checkpoint.every=50", "--set", "log.every=50"));
        assertEquals(3, r.exitCode(), r.all());
        assertTrue(r.err().matches("(?s).*rank \\d: the training loss is (NaN|-?Infinity) at iteration \\d+; lower lr.*"),
                r.err());
        assertTrue(r.err().contains("is kept"), r.err());
        Path runDir = results.resolve("nan");
        CheckpointStore store = new CheckpointStore(runDir.resolve("ckpt"));
        String hash = RunConfig.fromFile(runDir.resolve("config.properties")).resumeHash();
        long kept = store.select(hash, 3).iteration();
        assertTrue(kept >= 50, "a sound set is kept: " + kept);
        for (int rank = 0; rank < 3; rank++) {
            H5Group g = Hdf5Files.read(store.rankFile(kept, rank));
            for (float v : g.getGroup("state").getGroup("buffers").getDataset("x", float[].class)) {
                assertTrue(Float.isFinite(v), "checkpoints never hold NaN or infinity");
            }
        }
    }

    /** Writes zeros until the file system is full. */
    private static void fill(Path file) throws IOException {
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(file)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException full) {
            if (!String.valueOf(full.getMessage()).contains("No space left")) {
                throw full;
            }
        }
    }

    /** A small tmpfs mounted for one test (needs root and mount rights). */
    static final class Tmpfs implements AutoCloseable {
        private final Path dir;

        private Tmpfs(Path dir) {
            this.dir = dir;
        }

        static Tmpfs mount(Path dir, String size) throws Exception {
            Files.createDirectories(dir);
            Exec r = Exec.run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString());
            Assumptions.assumeTrue(r.code == 0, "skipped: cannot mount a tmpfs here (needs root): " + r.output);
            return new Tmpfs(dir);
        }

        void remount(String mode) throws Exception {
            Exec r = Exec.run("mount", "-o", "remount," + mode, dir.toString());
            assertEquals(0, r.code, r.output);
        }

        @Override
        public void close() throws Exception {
            Exec r = Exec.run("umount", dir.toString());
            if (r.code != 0) {
                Thread.sleep(1000); // a rank JVM may still be closing its files
                r = Exec.run("umount", "-l", dir.toString());
            }
            assertEquals(0, r.code, "umount " + dir + ": " + r.output);
        }
    }

    record Exec(int code, String output) {
        static Exec run(String... command) throws Exception {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            return new Exec(p.waitFor(), out);
        }
    }
}
