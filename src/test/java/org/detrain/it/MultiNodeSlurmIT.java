package org.detrain.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.detrain.io.ExternalTools;
import org.detrain.io.H5Group;
import org.detrain.io.Hdf5Files;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * slurm/*.sbatch on a real four-node Slurm on this machine (scripts/slurm-cluster.sh: one slurmd per
 * network-namespace host with its own name and address, slurmctld and munged here): a niodev run
 * across three nodes gives the multicore results value for value; a sweep array spreads its tasks
 * over the nodes; a node whose cable is pulled mid-run makes the job fail within the comm timeout,
 * name the lost node and rank, and requeue, and the requeued job resumes from the last checkpoint on
 * the remaining nodes and ends with the uninterrupted run's results. The cluster, its namespaces and
 * everything its jobs started are removed afterwards. Needs root (CI runs as root).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // the cable is pulled last: that node stays down
class MultiNodeSlurmIT {
    private static final int NODES = 4;
    @TempDir
    static Path tmp;
    private static Path clusterDir;
    private static String prefix;
    private static Map<String, String> env;
    private static boolean started;

    @BeforeAll
    static void startCluster() throws IOException {
        Assumptions.assumeTrue(Shell.isRoot(), "the cluster runs munged and slurmd as root in network namespaces; run as root (CI does)");
        for (String tool : List.of("munged", "slurmctld", "slurmd", "sbatch", "ip", "unshare", "nsenter")) {
            assertTrue(Shell.onPath(tool), tool + " is missing: run scripts/deps.sh (installs slurm-wlm, munge, iproute2, util-linux)");
        }
        clusterDir = tmp.resolve("cluster");
        prefix = "mns" + ProcessHandle.current().pid() % 100_000;
        started = true; // from here on, whatever `up` managed to start is taken down after the tests
        Shell.run(home(), Map.of("DETRAIN_CLUSTER_PREFIX", prefix), 120, "scripts/slurm-cluster.sh", "up",
                clusterDir.toString(), Integer.toString(NODES)).ok();
        env = Map.of("SLURM_CONF", clusterDir.resolve("slurm.conf").toString(), "DETRAIN_RESULTS", results().toString());
        Files.createDirectories(results());
    }

    @AfterAll
    static void stopCluster() {
        if (!started) {
            return;
        }
        Shell.run(home(), Map.of(), 120, "scripts/slurm-cluster.sh", "down", clusterDir.toString()).ok();
        assertFalse(Files.exists(clusterDir), "the cluster's directory (state, spool, munge key, logs) is removed");
        String namespaces = Shell.run(home(), Map.of(), 30, "ip", "netns", "list").output();
        assertFalse(namespaces.contains(prefix + "-"), "namespaces left: " + namespaces);
        assertFalse(Shell.run(home(), Map.of(), 30, "ip", "link", "show").output().contains(prefix + "-up"), "uplink left");
        for (int k = 1; k <= NODES; k++) {
            assertFalse(Files.exists(Path.of("/etc/netns", host(k))), "hosts file left for " + host(k));
        }
        Shell.await("no Slurm daemon, MPJ daemon or rank left", 30,
                () -> Shell.processesMentioning(tmp.toString()).isEmpty());
    }

    private static Path home() {
        return Cli.home().toAbsolutePath();
    }

    private static Path results() {
        return tmp.resolve("results");
    }

    private static String host(int k) {
        return prefix + "-h" + k;
    }

    private static Path writeFile(String name, String... lines) throws IOException {
        Path f = tmp.resolve(name);
        Files.writeString(f, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return f;
    }

    /** sbatch from the checkout, as a user types it; Slurm's output goes to tmp/slurm-JOB.out. */
    private static String sbatch(String... args) {
        List<String> cmd = new ArrayList<>(List.of("sbatch", "--parsable", "--output=" + tmp.resolve("slurm-%j.out")));
        cmd.addAll(List.of(args));
        return Shell.run(home(), env, 30, cmd.toArray(String[]::new)).ok().output().trim();
    }

    private static String slurmOutput(String job) {
        try {
            Path out = tmp.resolve("slurm-" + job + ".out");
            return Files.exists(out) ? Files.readString(out) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** Shell.await, failing with the job's Slurm output and the cluster's recent log lines. */
    private static void await(String job, String what, long seconds, java.util.function.BooleanSupplier condition) {
        try {
            Shell.await(what, seconds, condition);
        } catch (AssertionError e) {
            String logs = Shell.run(home(), Map.of(), 30, "bash", "-c", "tail -n 15 " + clusterDir + "/log/*.log "
                    + results().resolve("detrain-" + job) + "/log/*.log").output();
            throw new AssertionError(e.getMessage() + "\n--- Slurm output of job " + job + ":\n" + slurmOutput(job)
                    + "\n--- squeue / sinfo:\n" + Shell.run(home(), env, 30, "bash", "-c", "squeue; sinfo -N").output()
                    + "\n--- cluster logs:\n" + logs, e);
        }
    }

    /** Waits until the job has ended (completed, failed, cancelled, ...) and returns its state. */
    private static String awaitEnd(String job, long seconds) {
        await(job, "job " + job + " to end", seconds,
                () -> SlurmJobs.field(env, job, "JobState").matches("COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY"));
        return SlurmJobs.field(env, job, "JobState");
    }

    private static Path multicoreRun(String runId, Path config, int ranks) {
        Cli.Result mc = Cli.run("train", "-np", Integer.toString(ranks), "--config", config.toString(), "--results",
                tmp.resolve("mc").toString(), "--run-id", runId);
        assertEquals(0, mc.exitCode(), mc.all());
        return tmp.resolve("mc").resolve(runId);
    }

    @Test
    @Order(1)
    void sbatchOnThreeNodesRunsNiodevAcrossThemWithTheMulticoreResults() throws IOException {
        Path config = writeFile("ring.properties", "dataset = synthetic-lsq", "model = linear", "iterations = 40",
                "log.every = 5", "eval.every = 20", "partition.shuffled = 25", "topology = ring");
        String job = sbatch("--nodes=3", "--ntasks-per-node=2", "slurm/detrain.sbatch", config.toString());
        String state = awaitEnd(job, 180);
        String log = slurmOutput(job);
        assertEquals("COMPLETED", state, log);
        assertEquals("0:0", SlurmJobs.field(env, job, "ExitCode"), log);
        assertTrue(log.contains("MPJ daemons up on 3 node(s)") && log.contains("MPJ daemons stopped"), log);

        List<String> nodes = SlurmJobs.hostnames(env, SlurmJobs.field(env, job, "NodeList"));
        assertEquals(3, nodes.size(), "three nodes: " + nodes);
        H5Group slurm = Hdf5Files.read(results().resolve("detrain-" + job).resolve("metrics.h5"));
        assertEquals("niodev", slurm.getAttribute("mpj_device", String.class));
        // MPJ places 6 ranks on 3 nodes in blocks of two, in the allocation's order: Slurm's block layout.
        assertEquals(List.of(nodes.get(0), nodes.get(0), nodes.get(1), nodes.get(1), nodes.get(2), nodes.get(2)),
                List.of(slurm.getAttribute("hosts", String[].class)));
        for (String node : nodes) {
            assertTrue(Files.isRegularFile(results().resolve("detrain-" + job).resolve("log/daemon-" + node + ".log")),
                    "daemon log of " + node);
        }

        Path mc = multicoreRun("detrain-" + job, config, 6); // the same run id: compare-runs.py compares it too
        TrainingIT.assertSameResults(Hdf5Files.read(mc.resolve("metrics.h5")), slurm);
        // scripts/compare-runs.py, every dataset and attribute but times and places: only the device differs.
        Path a = Files.createDirectories(tmp.resolve("compare/multicore/run"));
        Path b = Files.createDirectories(tmp.resolve("compare/slurm/run"));
        Files.copy(mc.resolve("metrics.h5"), a.resolve("metrics.h5"));
        Files.copy(results().resolve("detrain-" + job).resolve("metrics.h5"), b.resolve("metrics.h5"));
        ExternalTools.Result compared = ExternalTools.pythonScript(home().resolve("scripts/compare-runs.py"),
                a.getParent().toString(), b.getParent().toString());
        assertEquals("run: A:/@mpj_device differs", compared.stdout().lines().findFirst().orElse(""), compared.toString());
        SlurmJobs.assertNothingLeft(env, results(), "after a three-node job");
    }

    @Test
    @Order(2)
    void aSweepArraySpreadsItsTasksOverTheNodesAndAllComplete() throws IOException {
        Path config = writeFile("sweep-base.properties", "dataset = synthetic-lsq", "model = linear", "log.every = 5");
        Path sweep = writeFile("three.sweep", "config = " + config, "ranks = 2", "set.iterations = 30",
                "axis.seed = seed : 1 | 2 | 3");
        // One node per task, two ranks on it: each task fills a node (two CPUs), so the array spreads out.
        // Submitted from elsewhere than the checkout (DETRAIN_HOME), where the tasks' Slurm output lands.
        Path cwd = Files.createDirectories(tmp.resolve("submit"));
        Map<String, String> sweepEnv = new HashMap<>(env);
        sweepEnv.put("DETRAIN_HOME", home().toString());
        String driver = Shell.run(cwd, sweepEnv, 30, "sbatch", "--parsable", "--nodes=1",
                home().resolve("slurm/sweep.sbatch").toString(), sweep.toString()).ok().output().trim();
        Shell.await("the sweep (driver, 3 tasks, collect) to finish", 240, () -> SlurmJobs.queueEmpty(env));
        String driverLog = Files.readString(cwd.resolve("slurm-detrain-sweep-" + driver + ".out"));
        Matcher m = Pattern.compile("array job (\\d+) \\(3 run\\(s\\) of 2 ranks\\), collect job (\\d+)").matcher(driverLog);
        assertTrue(m.find(), driverLog);
        String array = m.group(1);
        assertEquals("COMPLETED", SlurmJobs.field(env, m.group(2), "JobState"), "collect job");

        Set<String> taskNodes = new HashSet<>();
        for (int task = 0; task < 3; task++) {
            // results/<sweep name>-<array job id>/task-NNN (docs/slurm.md)
            H5Group h = Hdf5Files.read(results().resolve("three-" + array).resolve(String.format("task-%03d", task))
                    .resolve("metrics.h5"));
            assertEquals("complete", h.getAttribute("status", String.class), "task " + task);
            assertEquals(task + 1L, h.getGroup("config").getAttribute("seed", Long.class)); // typed since detrain-metrics/2
            Set<String> hosts = new HashSet<>(List.of(h.getAttribute("hosts", String[].class)));
            assertEquals(1, hosts.size(), "task " + task + " ran on one node: " + hosts);
            taskNodes.addAll(hosts);
        }
        assertEquals(3, taskNodes.size(), "the three tasks ran on three different nodes: " + taskNodes);
        List<String> csv = Files.readAllLines(results().resolve("three-" + array).resolve("summary.csv"));
        assertEquals(4, csv.size(), String.join("\n", csv));
        for (String row : csv.subList(1, 4)) {
            assertEquals("complete", row.split(",")[2], row);
        }
        SlurmJobs.assertNothingLeft(env, results(), "after a sweep");
    }

    @Test
    @Order(3)
    void aNodeCutMidRunFailsTheJobFastAndTheRequeuedJobResumesOnTheOtherNodes() throws Exception {
        Path config = writeFile("cut.properties", "dataset = synthetic-lsq", "model = linear", "iterations = 20000",
                "log.every = 500", "eval.every = 5000", "checkpoint.every = 1000", "comm.timeout = 5");
        String job = sbatch("--nodes=3", "--ntasks-per-node=1", "slurm/detrain.sbatch", config.toString());
        Path run = results().resolve("detrain-" + job);
        await(job, "the first checkpoint", 180, () -> Files.exists(run.resolve("ckpt/it-0000001000/manifest.properties")));
        String lostHost = Files.readString(run.resolve("status/rank-2.pid")).trim().split(" ")[1];
        int lost = Integer.parseInt(lostHost.substring((prefix + "-h").length()));
        long cutAt = System.nanoTime();
        Shell.run(home(), Map.of(), 30, "scripts/netns-hosts.sh", "cut", prefix, Integer.toString(lost)).ok();
        try {
            await(job, "the run to fail", 120, () -> slurmOutput(job).contains("training finished with exit code 3"));
            double seconds = (System.nanoTime() - cutAt) / 1e9;
            System.out.printf("the run failed %.1f s after %s's cable was pulled (comm.timeout 5 s)%n", seconds, lostHost);
            assertTrue(seconds < 40, "noticed within the 5 s timeout plus the launcher's grace, took " + seconds + "\n"
                    + slurmOutput(job));
            // Slurm's side: every node is asked to answer (srun gives up on the lost one after its 10 s MessageTimeout).
            await(job, "the requeue", 120, () -> slurmOutput(job).contains("requeueing job " + job)
                    || SlurmJobs.field(env, job, "JobState").matches("FAILED|COMPLETED|CANCELLED"));
            String log = slurmOutput(job);
            assertTrue(log.contains("waited 5.0 s for"), log);
            assertTrue(log.contains("node " + lostHost + " is lost (it does not answer Slurm): rank(s) 2 ran there"), log);
            assertTrue(log.contains("requeueing job " + job + " (restart 1 of at most 3)"), log);

            // Slurm holds the requeued job until the lost node is marked down, then places it on the others.
            String state = awaitEnd(job, 300);
            log = slurmOutput(job);
            assertEquals("COMPLETED", state, log);
            assertTrue(Integer.parseInt(SlurmJobs.field(env, job, "Restarts")) >= 1, log);
            List<String> nodes = SlurmJobs.hostnames(env, SlurmJobs.field(env, job, "NodeList"));
            assertFalse(nodes.contains(lostHost), "the requeued job avoided the lost node: " + nodes);
            Matcher resumed = Pattern.compile("resuming detrain-" + job + " from iteration (\\d+) of 20000").matcher(log);
            assertTrue(resumed.find() && Integer.parseInt(resumed.group(1)) >= 1000, log);
            assertTrue(Files.isDirectory(results().resolve(".attempt-1-detrain-" + job + "-log")), "the first attempt's logs are kept");
        } finally {
            Shell.run(home(), Map.of(), 30, "scripts/netns-hosts.sh", "uncut", prefix, Integer.toString(lost));
        }
        H5Group h = Hdf5Files.read(run.resolve("metrics.h5"));
        assertEquals("complete", h.getAttribute("status", String.class));
        assertEquals(2, h.getAttribute("launches", String[].class).length, "launched, then resumed once");
        TrainingIT.assertSameResults(Hdf5Files.read(multicoreRun("detrain-" + job, config, 3).resolve("metrics.h5")), h);
        // The lost node's daemon and rank cannot be reached to be stopped: Slurm ends them when the node
        // returns, `slurm-cluster.sh down` in any case (checked after all tests).
        Shell.await("an empty queue", 60, () -> SlurmJobs.queueEmpty(env));
        SlurmJobs.assertNoScratch(results());
    }
}
