package org.detrain.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.detrain.io.H5Group;
import org.detrain.io.Hdf5Files;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A failing or vanished rank ends the whole run quickly with a clear error; nothing hangs or lingers. */
class FailFastIT {
    @TempDir
    Path results;

    @Test
    void divergingLossStopsTheRunNamingRankAndIteration() {
        Cli.Result r = Cli.run("train", "-np", "3", "--results", results.toString(), "--run-id", "nan",
                "--set", "dataset=synthetic-lsq", "--set", "model=linear", "--set", "lr=1000",
                "--set", "iterations=2000");
        assertEquals(3, r.exitCode(), r.all());
        assertTrue(r.err().contains("the training loss is") && r.err().contains("at iteration")
                && r.err().contains("lower lr"), r.err());
        assertTrue(Files.isDirectory(results.resolve("nan/log")), "logs stay for diagnosis");
        // the data stays too: metrics.h5 as diverged, with the series up to the blow-up
        H5Group root = Hdf5Files.read(results.resolve("nan/metrics.h5"));
        assertEquals("diverged", root.getAttribute("status"));
        long at = root.getAttribute("diverged_at", Long.class);
        assertTrue(r.err().contains("at iteration " + at + ";"), "the message and the file agree: " + r.err());
        long[] iterations = root.getGroup("metrics").getDataset("iteration", long[].class);
        assertTrue(iterations.length > 0 && iterations[iterations.length - 1] <= at, java.util.Arrays.toString(iterations));
        assertEquals(1, r.err().split("the training loss is", -1).length - 1, "said once, not once per rank: " + r.err());
        // the live stream ends where the file does: no records of the iterations run after the blow-up
        List<String> lines;
        try {
            lines = Files.readAllLines(results.resolve("nan/metrics.jsonl"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        for (String line : lines) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"iteration\":(\\d+)").matcher(line);
            if (m.find() && !line.contains("\"kind\":\"status\"")) {
                assertTrue(Long.parseLong(m.group(1)) <= at, "a line past the blow-up: " + line);
            }
        }
    }

    @Test
    void killedNiodevRankIsNoticedWithinTheTimeout() throws Exception {
        Path runDir = results.resolve("killed");
        CompletableFuture<Cli.Result> run = CompletableFuture.supplyAsync(() -> Cli.run("train", "-np", "3",
                "--transport", "niodev", "--results", results.toString(), "--run-id", "killed",
                "--set", "dataset=synthetic-lsq", "--set", "model=linear", "--set", "synthetic.samples=256",
                "--set", "batch=4", "--set", "lr=0.01", "--set", "iterations=100000000", "--set", "log.every=1000",
                "--set", "eval.every=100000000", "--set", "comm.timeout=5"));
        ProcessHandle victim = awaitRank(runDir, 60_000);
        Thread.sleep(1000); // let it train a little
        long killedAt = System.nanoTime();
        victim.destroyForcibly();
        Cli.Result r = run.get(120, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - killedAt) / 1e9;
        System.out.printf("run ended %.1f s after a rank was killed%n", seconds);
        assertEquals(3, r.exitCode(), r.all());
        assertTrue(seconds < 30, "noticed within the 5 s timeout plus the launcher's grace, took " + seconds);
        assertTrue(r.err().matches("(?s).*rank \\d \\(pid " + victim.pid() + " on .*\\) is gone without reporting.*"),
                "names the lost rank: " + r.err());
        Thread.sleep(500);
        assertEquals(List.of(), rankProcesses(runDir).toList(), "no rank, daemon or starter may outlive the run");
    }

    /**
     * A rank that stops answering without dying (SIGSTOP: what a host that vanished from the network
     * looks like to its peers, no connection is closed) is caught by the others' bounded waits.
     */
    @Test
    void frozenNiodevRankIsDeclaredLostByItsPeersAfterTheTimeout() throws Exception {
        Path runDir = results.resolve("frozen");
        CompletableFuture<Cli.Result> run = CompletableFuture.supplyAsync(() -> Cli.run("train", "-np", "3",
                "--transport", "niodev", "--results", results.toString(), "--run-id", "frozen",
                "--set", "dataset=synthetic-lsq", "--set", "model=linear", "--set", "synthetic.samples=256",
                "--set", "batch=4", "--set", "lr=0.01", "--set", "iterations=100000000", "--set", "log.every=1000",
                "--set", "eval.every=100000000", "--set", "comm.timeout=3"));
        Runs.awaitFile(runDir.resolve("status/rank-2.pid"), 60_000);
        Thread.sleep(1000); // let it train a little
        long pid = Long.parseLong(Files.readString(runDir.resolve("status/rank-2.pid")).split(" ")[0]);
        Process stop = new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start();
        assertEquals(0, stop.waitFor());
        long frozenAt = System.nanoTime();
        Cli.Result r = run.get(120, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - frozenAt) / 1e9;
        System.out.printf("run ended %.1f s after a rank was frozen (comm.timeout 3 s)%n", seconds);
        assertEquals(3, r.exitCode(), r.all());
        assertTrue(seconds >= 3 && seconds < 30, "bounded by the timeout plus the launcher's grace, took " + seconds);
        assertTrue(r.err().contains("waited 3.0 s for") && r.err().contains("a peer is probably dead or stuck"), r.err());
        assertTrue(r.err().contains("rank(s) [2] stopped without reporting anything"), "names the lost peer: " + r.err());
        Thread.sleep(500);
        assertEquals(List.of(), rankProcesses(runDir).toList(), "the frozen rank is killed with the rest");
    }

    private static java.util.stream.Stream<ProcessHandle> rankProcesses(Path runDir) {
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine()
                .map(c -> c.contains(runDir.toString()) || c.contains(runDir.resolve(".launch").toString()))
                .orElse(false));
    }

    private static ProcessHandle awaitRank(Path runDir, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            Optional<ProcessHandle> rank = rankProcesses(runDir)
                    .filter(p -> p.info().commandLine().orElse("").contains("org.detrain.comm.niodev.RankBoot")).findFirst();
            if (rank.isPresent() && Files.exists(runDir.resolve("log/rank-0.log"))) {
                return rank.get();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no niodev rank process appeared for " + runDir);
    }
}
