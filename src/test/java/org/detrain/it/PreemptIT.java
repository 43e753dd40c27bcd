package org.detrain.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.detrain.io.CheckpointStore;
import org.detrain.io.Hdf5Files;
import org.detrain.util.DetrainException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slurm-style preemption on real processes: {@code bin/detrain} runs as its own JVM, gets SIGUSR1
 * (what {@code sbatch --signal} delivers to the job script and the script forwards) or its ranks
 * get SIGTERM (what {@code scancel} and preemption send to every process of the job); the ranks
 * checkpoint at one agreed iteration, the launcher exits 75, and a resume finishes the run bit for
 * bit like an uninterrupted one.
 */
class PreemptIT {
    private static final List<String> JOB = List.of("-np", "3", "--set", "dataset=synthetic-lsq", "--set", "model=linear",
            "--set", "synthetic.samples=256", "--set", "batch=4", "--set", "lr=0.01", "--set", "iterations=10000",
            "--set", "log.every=500", "--set", "eval.every=4000", "--set", "checkpoint.every=1000");
    /** A longer job (multicore iterations are faster) with time-based checkpoints, every 0.3 s. */
    private static final List<String> TIMED = List.of("-np", "3", "--set", "dataset=synthetic-lsq", "--set", "model=linear",
            "--set", "synthetic.samples=256", "--set", "batch=4", "--set", "lr=0.01", "--set", "iterations=40000",
            "--set", "log.every=500", "--set", "eval.every=10000", "--set", "checkpoint.minutes=0.005");

    @TempDir
    Path results;

    @Test
    void sigusr1ToTheLauncherStopsANiodevRunAtACheckpointAndTheResumeMatches() throws Exception {
        List<String> niodev = Runs.args("--transport", "niodev");
        niodev.addAll(JOB);
        Path runDir = results.resolve("usr1");
        Process launcher = startLauncher("usr1", niodev);
        try {
            Runs.awaitFile(new CheckpointStore(runDir.resolve("ckpt")).manifest(1000), 90_000);
            long signalledAt = System.nanoTime();
            signal("USR1", launcher.pid());
            assertTrue(launcher.waitFor(60, TimeUnit.SECONDS), "the launcher exits after the stop");
            System.out.printf("SIGUSR1 to the launcher: stopped and exited %.2f s later%n",
                    (System.nanoTime() - signalledAt) / 1e9);
            checkStopped(launcher, runDir, "SIGUSR1", 1000, 10000);
        } finally {
            launcher.descendants().forEach(ProcessHandle::destroyForcibly);
            launcher.destroyForcibly();
        }
        resumeAndCompare(runDir, JOB);
    }

    @Test
    void sigtermToTheRankJvmStopsAMulticoreRunWithTimedCheckpointsAndTheResumeMatches() throws Exception {
        Path runDir = results.resolve("term");
        Process launcher = startLauncher("term", TIMED);
        CheckpointStore store = new CheckpointStore(runDir.resolve("ckpt"));
        try {
            long deadline = System.currentTimeMillis() + 90_000;
            while (store.completeIterations().isEmpty() && System.currentTimeMillis() < deadline) {
                Thread.sleep(20); // the first time-based checkpoint, about 0.3 s into training
            }
            long first = store.completeIterations().get(0);
            long ranksJvm = Long.parseLong(Files.readString(runDir.resolve("status/rank-0.pid")).split(" ")[0]);
            assertTrue(ranksJvm != launcher.pid(), "multicore ranks run in the starter's JVM, a child of the launcher");
            long signalledAt = System.nanoTime();
            signal("TERM", ranksJvm);
            assertTrue(launcher.waitFor(60, TimeUnit.SECONDS), "the launcher exits after the stop");
            System.out.printf("SIGTERM to the ranks' JVM: stopped and exited %.2f s later%n",
                    (System.nanoTime() - signalledAt) / 1e9);
            checkStopped(launcher, runDir, "SIGTERM", first, 40000);
        } finally {
            launcher.descendants().forEach(ProcessHandle::destroyForcibly);
            launcher.destroyForcibly();
        }
        resumeAndCompare(runDir, TIMED);
    }

    private void checkStopped(Process launcher, Path runDir, String signal, long after, long total) throws Exception {
        String output = Files.readString(results.resolve(runDir.getFileName() + ".out"));
        assertEquals(DetrainException.STOPPED, launcher.exitValue(), output);
        assertTrue(output.contains("stopped on request (" + signal) && output.contains("--resume " + runDir), output);
        CheckpointStore store = new CheckpointStore(runDir.resolve("ckpt"));
        long at = store.completeIterations().get(0);
        assertTrue(at > after && at < total, "stopped mid-run at " + at + ", after the checkpoint of " + after);
        assertTrue(output.contains("at iteration " + at + " after writing a complete checkpoint"), output);
        assertEquals(at, store.select(org.detrain.config.RunConfig.fromFile(runDir.resolve("config.properties")).resumeHash(), 3)
                .iteration());
        for (int r = 0; r < 3; r++) {
            assertEquals("iteration " + at, Files.readString(runDir.resolve("status/rank-" + r + ".stopped")).trim());
        }
        assertEquals("stopped", Hdf5Files.read(runDir.resolve("metrics.h5")).getAttribute("status", String.class));
        Thread.sleep(300);
        assertEquals(List.of(), Runs.processesOf(runDir), "nothing of the job outlives the stop");
    }

    private void resumeAndCompare(Path runDir, List<String> job) {
        Cli.Result resumed = Runs.resume(runDir);
        assertEquals(0, resumed.exitCode(), resumed.all());
        Cli.Result ref = Runs.train(results, "ref", job);
        assertEquals(0, ref.exitCode(), ref.all());
        Runs.assertSameRun(results.resolve("ref"), runDir);
    }

    /** bin/detrain in its own JVM (exec'd by the script, so the process is the launcher JVM itself). */
    private Process startLauncher(String runId, List<String> args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Cli.home().resolve("bin/detrain").toString(), "train",
                "--results", results.toString(), "--run-id", runId));
        command.addAll(args);
        return new ProcessBuilder(command).directory(Cli.home().toFile()).redirectErrorStream(true)
                .redirectOutput(results.resolve(runId + ".out").toFile()).start();
    }

    private static void signal(String name, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
        assertEquals(0, kill.waitFor());
    }
}
