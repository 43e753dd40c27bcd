package org.detrain.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One owner per run directory (issue 17): while a run is running, a second launch with its id,
 * --overwrite, --resume and --resume-if-possible are refused with exit 2 naming the running pid and
 * host, and the run's files stay; of two launches at once exactly one gets the directory.
 */
class RunOwnershipIT {
    private static final List<String> SHORT = List.of("-np", "2", "--set", "dataset=synthetic-lsq", "--set", "model=linear",
            "--set", "synthetic.samples=256", "--set", "batch=4", "--set", "iterations=50");
    @TempDir
    Path tmp;

    private Shell.Result train(String runId, List<String> extra) {
        List<String> cmd = new ArrayList<>(List.of("bin/detrain", "train", "--results", tmp.resolve("results").toString(),
                "--run-id", runId));
        cmd.addAll(extra);
        return Shell.run(Cli.home().toAbsolutePath(), Map.of(), 180, cmd.toArray(String[]::new));
    }

    @Test
    void aRunningRunIsRefusedToEveryOtherCommandNamingItsLauncher() throws Exception {
        Path runDir = tmp.resolve("results/busy");
        List<String> longRun = new ArrayList<>(SHORT);
        longRun.addAll(List.of("--set", "iterations=100000000", "--set", "log.every=1000", "--set", "checkpoint.every=0"));
        List<String> cmd = new ArrayList<>(List.of("bin/detrain", "train", "--results", tmp.resolve("results").toString(),
                "--run-id", "busy"));
        cmd.addAll(longRun);
        Process running = Shell.start(Cli.home().toAbsolutePath(), tmp.resolve("busy.out"), cmd.toArray(String[]::new));
        try {
            Shell.await("the run to start", 90, () -> Files.exists(runDir.resolve("log/rank-1.log")));
            String holder = "pid " + running.pid() + " on host ";
            List<List<String>> attempts = List.of(
                    SHORT,                                              // the same id again
                    append(SHORT, "--overwrite"),                       // replace it
                    append(SHORT, "--resume-if-possible"));             // a requeued job script
            for (List<String> attempt : attempts) {
                Shell.Result r = train("busy", attempt);
                assertEquals(2, r.exitCode(), r.output());
                assertTrue(r.output().contains("is in use") && r.output().contains(holder), r.output());
            }
            Shell.Result resume = Shell.run(Cli.home().toAbsolutePath(), Map.of(), 60, "bin/detrain", "train", "--resume",
                    runDir.toString());
            assertEquals(2, resume.exitCode(), resume.output());
            assertTrue(resume.output().contains("is in use") && resume.output().contains(holder), resume.output());
            assertTrue(Files.isRegularFile(runDir.resolve("config.properties")) && Files.isRegularFile(
                    runDir.resolve("run.properties")) && Files.isDirectory(runDir.resolve("log")), "the run's files stay");
            assertTrue(running.isAlive(), "the run goes on");
        } finally {
            running.destroyForcibly();
            running.waitFor(30, TimeUnit.SECONDS);
        }
        Shell.await("the ranks to follow their launcher", 30, () -> Shell.processesMentioning(runDir.toString()).isEmpty());
        Shell.Result after = train("busy", append(SHORT, "--overwrite"));
        assertEquals(0, after.exitCode(), "the lock went with its launcher: " + after.output());
    }

    @Test
    void ofTwoLaunchesAtOnceExactlyOneGetsTheDirectory() throws Exception {
        for (int pair = 0; pair < 3; pair++) {
            String id = "twin-" + pair;
            CompletableFuture<Shell.Result> a = CompletableFuture.supplyAsync(() -> train(id, SHORT));
            CompletableFuture<Shell.Result> b = CompletableFuture.supplyAsync(() -> train(id, SHORT));
            List<Shell.Result> both = List.of(a.get(200, TimeUnit.SECONDS), b.get(200, TimeUnit.SECONDS));
            long won = both.stream().filter(r -> r.exitCode() == 0).count();
            assertEquals(1, won, "exactly one wins: " + both);
            Shell.Result lost = both.stream().filter(r -> r.exitCode() != 0).findFirst().orElseThrow();
            assertEquals(2, lost.exitCode(), lost.output());
            assertTrue(lost.output().contains("is in use") || lost.output().contains("already exists"), lost.output());
            String log = Files.readString(tmp.resolve("results").resolve(id).resolve("log/rank-0.log"));
            assertEquals(1, log.lines().filter(l -> l.contains("config hash")).count(), "one run in the directory: " + log);
        }
    }

    private static List<String> append(List<String> base, String... more) {
        List<String> out = new ArrayList<>(base);
        out.addAll(List.of(more));
        return out;
    }
}
