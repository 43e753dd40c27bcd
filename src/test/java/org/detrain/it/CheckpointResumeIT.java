package org.detrain.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.detrain.config.ConfigSchema;
import org.detrain.io.CheckpointStore;
import org.detrain.io.ExternalTools;
import org.detrain.io.Hdf5Files;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checkpoints and bit-exact resume on real MPJ ranks: for every algorithm, after a real kill -9
 * of a niodev rank, and from damaged checkpoint sets (fall back to the previous sound set).
 */
class CheckpointResumeIT {
    /**
     * A small least-squares job: 400 iterations, a checkpoint set every 100 (all kept). Lazy weights
     * keep W's eigenvalues non-negative, which every algorithm accepts (D² needs λ_min ≥ −1/3).
     */
    private static final List<String> SHORT = List.of("-np", "4", "--set", "weights=lazy", "--set", "dataset=synthetic-lsq",
            "--set", "model=linear", "--set", "synthetic.samples=512", "--set", "synthetic.features=8", "--set", "batch=8", "--set", "lr=0.02",
            "--set", "partition.shuffled=30", "--set", "iterations=400", "--set", "log.every=25",
            "--set", "eval.every=60", "--set", "checkpoint.every=100", "--set", "checkpoint.keep=10");

    @TempDir
    Path results;

    static List<String> algorithms() {
        return ConfigSchema.find("algorithm").choices();
    }

    private Path reference(String runId, String... extra) {
        List<String> args = Runs.args(extra);
        args.addAll(0, SHORT);
        Cli.Result r = Runs.train(results, runId, args);
        assertEquals(0, r.exitCode(), r.all());
        return results.resolve(runId);
    }

    /** A copy of a finished run as a crash right after the set of {@code iteration} would leave it. */
    private Path crashedCopy(Path finished, String name, long iteration) throws Exception {
        Path copy = results.resolve(name);
        Runs.copyTree(finished, copy);
        CheckpointStore store = new CheckpointStore(copy.resolve("ckpt"));
        for (long it : store.completeIterations()) {
            if (it > iteration) {
                Runs.deleteTree(store.setDir(it));
            }
        }
        // the crash: statuses of a run that never finished, a half-written next set, a temporary metrics file
        for (int r = 0; r < 4; r++) {
            Files.deleteIfExists(copy.resolve("status/rank-" + r + ".done"));
        }
        Files.createDirectories(store.setDir(iteration + 50));
        Files.write(store.setDir(iteration + 50).resolve(".rank-2.h5.123-abc.tmp"), new byte[100]);
        Files.write(copy.resolve(".metrics.h5.123-abc.tmp"), new byte[100]);
        return copy;
    }

    @ParameterizedTest
    @MethodSource("algorithms")
    void everyAlgorithmResumesBitIdenticallyUnderMulticoreAndNiodev(String algorithm) throws Exception {
        Path ref = reference("ref-" + algorithm, "--set", "algorithm=" + algorithm);

        Path early = crashedCopy(ref, "early-" + algorithm, 100);
        Cli.Result multicore = Runs.resume(early);
        assertEquals(0, multicore.exitCode(), multicore.all());
        assertTrue(multicore.out().contains("from iteration 100 of 400") && multicore.out().contains("(multicore)"),
                multicore.out());
        Runs.assertSameRun(ref, early);

        Path crashed = crashedCopy(ref, "crashed-" + algorithm, 200);
        // metrics.h5 of the copy still holds all 400 iterations: the resume must cut it back to 200
        Cli.Result r = Runs.resume(crashed, "--transport", "niodev");
        assertEquals(0, r.exitCode(), r.all());
        assertTrue(r.out().contains("resuming crashed-" + algorithm + " from iteration 200 of 400"), r.out());
        Runs.assertSameRun(ref, crashed);
        String[] launches = Hdf5Files.read(crashed.resolve("metrics.h5")).getAttribute("launches", String[].class);
        assertEquals(2, launches.length);
        assertTrue(launches[0].startsWith("from iteration 0:") && launches[0].contains("multicore"), launches[0]);
        assertTrue(launches[1].startsWith("from iteration 200:") && launches[1].contains("niodev"), launches[1]);
        CheckpointStore store = new CheckpointStore(crashed.resolve("ckpt"));
        assertEquals(List.of(), store.incompleteIterations(), "the half-written set is gone");
        assertFalse(Files.exists(crashed.resolve(".metrics.h5.123-abc.tmp")));
    }

    @Test
    void aKilledNiodevRankIsNoticedAndTheRunResumesBitIdentically() throws Exception {
        List<String> args = Runs.args("-np", "3", "--set", "dataset=synthetic-lsq", "--set", "model=linear",
                "--set", "synthetic.samples=256", "--set", "batch=4", "--set", "lr=0.01", "--set", "iterations=8000",
                "--set", "log.every=500", "--set", "eval.every=2000", "--set", "checkpoint.every=1000",
                "--set", "comm.timeout=20");
        Path runDir = results.resolve("killed");
        List<String> niodev = Runs.args("--transport", "niodev");
        niodev.addAll(args);
        CompletableFuture<Cli.Result> run = CompletableFuture.supplyAsync(() -> Runs.train(results, "killed", niodev));
        CheckpointStore store = new CheckpointStore(runDir.resolve("ckpt"));
        Runs.awaitFile(store.manifest(1000), 90_000);
        long pid = Long.parseLong(Files.readString(runDir.resolve("status/rank-1.pid")).split(" ")[0]);
        ProcessHandle victim = ProcessHandle.of(pid).orElseThrow();
        long killedAt = System.nanoTime();
        victim.destroyForcibly(); // SIGKILL, mid-iteration
        Cli.Result killed = run.get(120, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - killedAt) / 1e9;
        System.out.printf("kill -9 of niodev rank 1: the run ended %.2f s later (comm.timeout 20 s)%n", seconds);
        assertEquals(3, killed.exitCode(), killed.all());
        assertTrue(killed.err().contains("rank 1 (pid " + pid) && killed.err().contains("gone without reporting"),
                killed.err());
        assertTrue(killed.err().contains("the last complete checkpoint is iteration"), killed.err());
        assertTrue(seconds < 15, "a local rank's death is seen by the launcher at once, took " + seconds + " s");
        Thread.sleep(300);
        assertEquals(List.of(), Runs.processesOf(runDir), "no rank, daemon or starter may outlive the run");
        long kept = store.select(configHash(runDir), 3).iteration();
        assertTrue(kept >= 1000 && kept < 8000, "a complete set survives the kill: " + kept);

        Cli.Result resumed = Runs.resume(runDir);
        assertEquals(0, resumed.exitCode(), resumed.all());
        assertTrue(resumed.out().contains("(niodev)"), "resumes on the transport it was launched with: " + resumed.out());
        Cli.Result ref = Runs.train(results, "uninterrupted", args);
        assertEquals(0, ref.exitCode(), ref.all());
        Runs.assertSameRun(results.resolve("uninterrupted"), runDir);
    }

    @Test
    void aCorruptedByteInTheNewestSetMakesTheResumeFallBackToThePreviousSet() throws Exception {
        Path ref = reference("ref");
        Path copy = crashedCopy(ref, "corrupt", 300);
        CheckpointStore store = new CheckpointStore(copy.resolve("ckpt"));
        Path victim = store.rankFile(300, 2);
        byte[] bytes = Files.readAllBytes(victim);
        bytes[bytes.length / 2] ^= 0x10; // one bit of one byte
        Files.write(victim, bytes);
        Cli.Result r = Runs.resume(copy);
        assertEquals(0, r.exitCode(), r.all());
        assertTrue(r.out().contains("warning: skipping the checkpoint of iteration 300") && r.out().contains("rank-2.h5")
                && r.out().contains("SHA-256"), r.out());
        assertTrue(r.out().contains("from iteration 200 of 400"), r.out());
        try (var s = Files.list(copy.resolve("ckpt"))) {
            assertEquals(1, s.filter(p -> p.getFileName().toString().startsWith("it-0000000300.damaged-")).count(),
                    "the damaged set is kept aside for inspection");
        }
        Runs.assertSameRun(ref, copy);

        // the h5py example of docs/checkpoints.md reads a real checkpoint
        String doc = Files.readString(Cli.home().resolve("docs/checkpoints.md"));
        int from = doc.indexOf("```python", doc.indexOf("<!-- checkpoint-h5py-example -->")) + "```python".length();
        String example = doc.substring(from, doc.indexOf("```", from))
                .replace("results/run/ckpt/it-0000001200/rank-3.h5", store.rankFile(400, 3).toString());
        ExternalTools.Result read = ExternalTools.python(example).assertSuccess();
        assertTrue(read.stdout().startsWith("400 " + configHash(copy) + " (8,)"), read.stdout());
    }

    @Test
    void resumeRefusesBadInputAndChangesNothing() throws Exception {
        Path ref = reference("ref");
        Path copy = crashedCopy(ref, "bad", 200);
        CheckpointStore store = new CheckpointStore(copy.resolve("ckpt"));

        // every set damaged: the newest truncated, the older one missing a rank's file
        Path truncated = store.rankFile(200, 0);
        Files.write(truncated, java.util.Arrays.copyOf(Files.readAllBytes(truncated), 1000));
        Files.delete(store.rankFile(100, 3));
        Map<String, String> before = Runs.snapshot(copy);
        assertRefused(Runs.resume(copy), before, copy, "no complete checkpoint to resume from", "truncated",
                "rank-3.h5 of", "is missing");

        // another config
        Path config = copy.resolve("config.properties");
        String original = Files.readString(config);
        Files.writeString(config, original.replace("lr = 0.02", "lr = 0.03"));
        before = Runs.snapshot(copy);
        assertRefused(Runs.resume(copy), before, copy, "config hash", "start a new run without --resume");
        Files.writeString(config, original);

        // another rank count, options a resume cannot take, a directory that is not a run
        before = Runs.snapshot(copy);
        assertRefused(Runs.resume(copy, "-np", "3"), before, copy, "launched with 4 ranks", "resume with -np 4");
        assertRefused(Runs.resume(copy, "--set", "lr=0.5"), before, copy, "--set lr=0.5 cannot be combined with --resume",
                "except its length (epochs, iterations)");
        assertRefused(Runs.resume(results.resolve("nothing-here")), before, copy, "not a detrain run directory");

        // a run stopped before its first checkpoint
        Runs.deleteTree(copy.resolve("ckpt"));
        before = Runs.snapshot(copy);
        assertRefused(Runs.resume(copy), before, copy, "no complete checkpoint to resume from", "before its first checkpoint");
    }

    private static void assertRefused(Cli.Result r, Map<String, String> before, Path runDir, String... fragments) {
        assertEquals(2, r.exitCode(), r.all());
        for (String f : fragments) {
            assertTrue(r.err().contains(f), "message should contain '" + f + "': " + r.err());
        }
        assertEquals(before, Runs.snapshot(runDir), "bad input must not change the run directory");
    }

    @Test
    void resumeIfPossibleStartsThenResumesAndRefusesAnotherConfig() throws Exception {
        List<String> args = Runs.args("--resume-if-possible");
        args.addAll(SHORT);
        Cli.Result first = Runs.train(results, "job", args);
        assertEquals(0, first.exitCode(), first.all());
        assertFalse(first.out().contains("resuming"), first.out());
        Path runDir = results.resolve("job");
        var metricsBefore = Hdf5Files.read(runDir.resolve("metrics.h5"));

        // the requeued job script runs the same command: the finished run has nothing to do, and no file changes
        // (not even the provenance: launched_at, command)
        Map<String, String> finished = Runs.snapshot(runDir);
        Cli.Result again = Runs.train(results, "job", args);
        assertEquals(0, again.exitCode(), again.all());
        assertTrue(again.out().contains("job is complete (iteration 400 of 400): nothing to do"), again.out());
        assertEquals(finished, Runs.snapshot(runDir), "a no-op resume changes nothing");
        TrainingIT.assertSameResults(metricsBefore, Hdf5Files.read(runDir.resolve("metrics.h5")));

        List<String> other = Runs.args(args.toArray(String[]::new));
        other.addAll(List.of("--set", "lr=0.03"));
        Map<String, String> before = Runs.snapshot(runDir);
        assertRefused(Runs.train(results, "job", other), before, runDir, "another configuration");
        assertRefused(Cli.run("train", "--resume-if-possible", "--results", results.toString()), before, runDir,
                "--resume-if-possible needs --run-id");
    }

    @Test
    void aFinishedRunIsExtendedByItsLengthAndEqualsTheLongerRun() throws Exception {
        // evaluations every 80 iterations, so the old end (400) is on both cadences: nothing extra is recorded there
        Path longer = reference("long", "--set", "eval.every=80", "--set", "iterations=600");
        Path run = reference("short", "--set", "eval.every=80");
        Cli.Result extended = Runs.resume(run, "--set", "iterations=600");
        assertEquals(0, extended.exitCode(), extended.all());
        assertTrue(extended.out().contains("extending short from 400 iterations to 600 iterations"), extended.out());
        assertTrue(extended.out().contains("resuming short from iteration 400 of 600"), extended.out());
        Runs.assertSameRun(longer, run);
        assertTrue(Files.readString(run.resolve("config.properties")).contains("iterations = 600"));

        // now it is complete at 600: resuming it again is a no-op that changes no file
        Map<String, String> before = Runs.snapshot(run);
        Cli.Result noop = Runs.resume(run);
        assertEquals(0, noop.exitCode(), noop.all());
        assertTrue(noop.out().contains("short is complete (iteration 600 of 600): nothing to do"), noop.out());
        assertEquals(before, Runs.snapshot(run), "a no-op resume changes nothing, provenance included");
        assertRefused(Runs.resume(run, "--set", "iterations=500"), before, run, "has done 600 iterations already",
                "cannot be shortened");
    }

    private static String configHash(Path runDir) {
        return org.detrain.config.RunConfig.fromFile(runDir.resolve("config.properties")).resumeHash();
    }
}
