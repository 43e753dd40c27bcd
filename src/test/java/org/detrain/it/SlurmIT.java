package org.detrain.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.detrain.io.H5Group;
import org.detrain.io.Hdf5Files;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * slurm/*.sbatch on a real one-node Slurm (munged, slurmctld and slurmd started by
 * scripts/slurm-local.sh for this class and stopped after it): a training run across the
 * allocation's daemons, a two-task sweep with its collect job, and SIGUSR1 → requeue → restart,
 * each ending with no job, daemon or rank left behind. Needs root (CI runs as root).
 */
class SlurmIT {
    @TempDir
    static Path tmp;
    private static Path slurmDir;
    private static Map<String, String> env;
    private static boolean started;

    @BeforeAll
    static void startSlurm() {
        Assumptions.assumeTrue(Shell.isRoot(), "Slurm tests start munged and slurmd as root; run as root (CI does)");
        for (String tool : List.of("munged", "slurmctld", "slurmd", "sbatch")) {
            assertTrue(Shell.onPath(tool), tool + " is missing: run scripts/deps.sh (installs slurm-wlm and munge)");
        }
        slurmDir = tmp.resolve("slurm");
        env = Map.of("SLURM_CONF", slurmDir.resolve("slurm.conf").toString(),
                "DETRAIN_RESULTS", tmp.resolve("results").toString());
        Shell.run(home(), Map.of(), 60, "scripts/slurm-local.sh", "start", slurmDir.toString()).ok();
        started = true;
    }

    @AfterAll
    static void stopSlurm() {
        if (started) {
            Shell.run(home(), Map.of(), 60, "scripts/slurm-local.sh", "stop", slurmDir.toString()).ok();
            assertEquals(List.of(), Shell.processesMentioning(slurmDir.toString()), "Slurm daemons left behind");
        }
    }

    private static Path home() {
        return Cli.home().toAbsolutePath();
    }

    private static Path results() {
        return tmp.resolve("results");
    }

    private static Path writeConfig(String name, String... lines) throws IOException {
        Path f = tmp.resolve(name);
        Files.writeString(f, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return f;
    }

    private static String jobField(String job, String field) {
        return SlurmJobs.field(env, job, field);
    }

    private static boolean queueEmpty() {
        return SlurmJobs.queueEmpty(env);
    }

    private static void assertNothingLeft(String why) {
        SlurmJobs.assertNothingLeft(env, results(), why);
    }

    @Test
    void sbatchTemplateRunsNiodevAcrossTheAllocationWithTheMulticoreResults() throws IOException {
        Path config = writeConfig("lsq.properties", "dataset = synthetic-lsq", "model = linear", "iterations = 40",
                "log.every = 5", "eval.every = 20", "partition.shuffled = 50");
        // Exactly what a user types, from the checkout; only the output file is moved out of it.
        String job = Shell.run(home(), env, 30, "sbatch", "--parsable", "--nodes=1", "--ntasks-per-node=2",
                "--output=" + tmp.resolve("slurm-%j.out"), "slurm/detrain.sbatch", config.toString()).ok().output().trim();
        Shell.await("job " + job + " to finish", 120, () -> jobField(job, "JobState").matches("COMPLETED|FAILED|CANCELLED|TIMEOUT"));
        String log = Files.readString(tmp.resolve("slurm-" + job + ".out"));
        assertEquals("COMPLETED", jobField(job, "JobState"), log);
        assertEquals("0:0", jobField(job, "ExitCode"), log);
        assertTrue(log.contains("MPJ daemons up on 1 node(s)") && log.contains("MPJ daemons stopped"), log);

        Path run = results().resolve("detrain-" + job); // <job-name>-<job-id>
        H5Group slurm = Hdf5Files.read(run.resolve("metrics.h5"));
        assertEquals("complete", slurm.getAttribute("status", String.class));
        assertEquals("niodev", slurm.getAttribute("mpj_device", String.class));
        assertTrue(Files.isRegularFile(run.resolve("log/daemon-" + jobField(job, "NodeList") + ".log")), "daemon log kept");
        Cli.Result mc = Cli.run("train", "-np", "2", "--config", config.toString(), "--results", tmp.resolve("mc").toString(),
                "--run-id", "mc");
        assertEquals(0, mc.exitCode(), mc.all());
        TrainingIT.assertSameResults(Hdf5Files.read(tmp.resolve("mc/mc/metrics.h5")), slurm);
        assertNothingLeft("after a finished job");
    }

    @Test
    void sweepRunsAsAJobArrayAndTheCollectJobSummarisesIt() throws IOException {
        Path config = writeConfig("sweep-base.properties", "dataset = synthetic-lsq", "model = linear", "log.every = 5");
        Path sweep = writeConfig("two.sweep", "config = " + config, "ranks = 2", "set.iterations = 30",
                "axis.seed = seed : 1 | 2");
        // From elsewhere than the checkout, through DETRAIN_HOME: the Slurm output files land here.
        Path cwd = Files.createDirectories(tmp.resolve("submit"));
        Map<String, String> sweepEnv = new java.util.HashMap<>(env);
        sweepEnv.put("DETRAIN_HOME", home().toString());
        String driver = Shell.run(cwd, sweepEnv, 30, "sbatch", "--parsable", "--nodes=1",
                home().resolve("slurm/sweep.sbatch").toString(), sweep.toString()).ok().output().trim();
        Shell.await("the sweep (driver, 2 tasks, collect) to finish", 150, SlurmIT::queueEmpty);
        String driverLog = Files.readString(cwd.resolve("slurm-detrain-sweep-" + driver + ".out"));
        Matcher m = Pattern.compile("array job (\\d+) \\(2 run\\(s\\) of 2 ranks\\), collect job (\\d+)").matcher(driverLog);
        assertTrue(m.find(), driverLog);
        String array = m.group(1);
        assertEquals("COMPLETED", jobField(m.group(2), "JobState"), "collect job");
        for (int task = 0; task < 2; task++) {
            assertTrue(Files.isRegularFile(cwd.resolve("slurm-two-" + array + "_" + task + ".out")), "%x-%A_%a output");
        }

        Path dir = results().resolve("two-" + array); // results/<sweep name>-<array job id>/task-NNN
        List<String> csv = Files.readAllLines(dir.resolve("summary.csv"));
        assertEquals(3, csv.size(), String.join("\n", csv));
        List<String> header = List.of(csv.get(0).split(","));
        assertEquals(List.of("task", "run_id", "status", "seed"), header.subList(0, 4));
        int lossColumn = header.indexOf("train_loss");
        for (int task = 0; task < 2; task++) {
            String[] row = csv.get(task + 1).split(",", -1);
            assertEquals(List.of(Integer.toString(task), "task-00" + task, "complete", Integer.toString(task + 1)),
                    List.of(row).subList(0, 4));
            H5Group h = Hdf5Files.read(dir.resolve("task-00" + task).resolve("metrics.h5"));
            assertEquals(task + 1L, h.getGroup("config").getAttribute("seed", Long.class)); // typed since detrain-metrics/2
            double[][] loss = h.getGroup("metrics").getDataset("train_loss", double[][].class);
            double mean = (loss[loss.length - 1][0] + loss[loss.length - 1][1]) / 2;
            assertEquals(mean, Double.parseDouble(row[lossColumn]), 0.0, "summary = the run's last mean train loss");
        }
        H5Group summary = Hdf5Files.read(dir.resolve("summary.h5"));
        assertEquals(List.of("1", "2"), List.of(summary.getGroup("varied").getDataset("seed", String[].class)));
        assertNothingLeft("after a sweep");

        // task 1 lost: re-running the sweep directory submits an array of that task alone, into the same directory
        Runs.deleteTree(dir.resolve("task-001"));
        String rerun = Shell.run(cwd, sweepEnv, 30, "sbatch", "--parsable", "--nodes=1",
                home().resolve("slurm/sweep.sbatch").toString(), dir.toString()).ok().output().trim();
        Shell.await("the re-run (driver, 1 task, collect) to finish", 150, SlurmIT::queueEmpty);
        String rerunLog = Files.readString(cwd.resolve("slurm-detrain-sweep-" + rerun + ".out"));
        m = Pattern.compile("array job (\\d+) \\(1 run\\(s\\) of 2 ranks\\), collect job (\\d+)").matcher(rerunLog);
        assertTrue(m.find(), rerunLog);
        assertTrue(Files.isRegularFile(cwd.resolve("slurm-two-" + m.group(1) + "_1.out")), "task 1 ran again");
        assertTrue(!Files.exists(cwd.resolve("slurm-two-" + m.group(1) + "_0.out")), "task 0 (complete) did not");
        assertEquals("complete", Hdf5Files.read(dir.resolve("task-001/metrics.h5")).getAttribute("status", String.class));
        csv = Files.readAllLines(dir.resolve("summary.csv"));
        assertTrue(csv.get(1).startsWith("0,task-000,complete") && csv.get(2).startsWith("1,task-001,complete"),
                String.join("\n", csv));
        String nothing = Shell.run(cwd, sweepEnv, 30, home().resolve("slurm/sweep.sbatch").toString(), dir.toString()).ok()
                .output();
        assertTrue(nothing.contains("nothing to re-run"), nothing);
        assertNothingLeft("after a re-run");
    }

    @Test
    void usr1CheckpointsTheRunAndRequeuesTheJobWhichResumesIt() throws IOException {
        Path config = writeConfig("long.properties", "dataset = synthetic-lsq", "model = linear", "iterations = 100000000",
                "log.every = 1000", "eval.every = 100000000", "comm.timeout = 10");
        String job = Shell.run(home(), env, 30, "sbatch", "--parsable", "--nodes=1", "--ntasks-per-node=2",
                "--output=" + tmp.resolve("slurm-%j.out"), "slurm/detrain.sbatch", config.toString()).ok().output().trim();
        Path run = results().resolve("detrain-" + job);
        Shell.await("the first attempt to train", 90, () -> Files.exists(run.resolve("log/rank-1.log")));
        // What Slurm sends before preemption or the time limit with --signal=B:USR1@T.
        Shell.run(home(), env, 30, "scancel", "--signal=USR1", "--batch", job).ok();
        Shell.await("the job to be requeued", 60, () -> jobField(job, "Restarts").equals("1")
                && jobField(job, "JobState").equals("PENDING"));
        // Slurm holds a requeued job back for cred_expire seconds (10 in scripts/slurm-local.sh).
        Path firstAttempt = results().resolve(".attempt-1-detrain-" + job + "-log");
        Path launcherLog = run.resolve("log/launcher.log");
        try {
            Shell.await("the requeued job to run again", 120, () -> {
                String state = jobField(job, "JobState");
                if (state.equals("PENDING")) {
                    return false;
                }
                if (!state.equals("RUNNING")) {
                    throw new AssertionError("the requeued job ended: " + state);
                }
                return jobField(job, "Restarts").equals("1");
            });
            Shell.await("the second attempt to resume", 120, () -> Files.isDirectory(firstAttempt)
                    && readQuietly(launcherLog).contains("resuming from iteration"));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nSlurm output of job " + job + ":\n"
                    + Files.readString(tmp.resolve("slurm-" + job + ".out")), e);
        }
        String log = Files.readString(tmp.resolve("slurm-" + job + ".out"));
        assertTrue(log.contains("SIGUSR1: stopping the run for requeue"), log);
        assertTrue(log.contains("requeueing job " + job), log);
        assertTrue(log.contains("resuming if it holds a complete checkpoint"), log);
        assertTrue(Files.isRegularFile(firstAttempt.resolve("rank-0.log")), "the first attempt's logs are kept");
        String launches = Files.readString(launcherLog);
        assertTrue(launches.contains("stop requested") && launches.contains("resuming from iteration"), launches);
        Shell.run(home(), env, 30, "scancel", job).ok();
        assertNothingLeft("after scancel");
    }

    private static String readQuietly(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
