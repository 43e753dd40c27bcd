package org.detrain.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.detrain.io.H5Group;
import org.detrain.io.Hdf5Files;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * niodev across three "hosts": Linux network namespaces on a bridge (scripts/netns-hosts.sh), each
 * with its own host name and a `detrain daemon` bound to its own address (the job secret beside the
 * machines file, created by the first daemon). A run spanning
 * them gives the multicore results bit for bit; a pulled cable ends a run with a clear error
 * within the comm timeout; a fourth host outside the machines file cannot talk to the daemons.
 * Namespaces, hosts files and daemons are removed afterwards. Needs root (CI runs as root).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // the link cut comes last: it takes host 3 away
class MultiHostIT {
    private static final int HOSTS = 3;
    private static final int PORT = 17310;
    @TempDir
    static Path tmp;
    private static String prefix;
    private static final List<Process> DAEMONS = new ArrayList<>();
    private static boolean up;

    @BeforeAll
    static void startHosts() throws IOException {
        Assumptions.assumeTrue(Shell.isRoot(), "network namespaces need root; run as root (CI does)");
        assertTrue(Shell.onPath("ip") && Shell.onPath("unshare"), "ip or unshare missing: run scripts/deps.sh");
        prefix = "dtr" + ProcessHandle.current().pid() % 100_000;
        // Host 4 exists but is not in the machines file: it stands for anyone else on the network.
        Shell.run(home(), Map.of(), 60, "scripts/netns-hosts.sh", "up", prefix, Integer.toString(HOSTS + 1)).ok();
        up = true;
        StringBuilder machines = new StringBuilder();
        for (int k = 1; k <= HOSTS; k++) {
            machines.append(host(k)).append('\n');
        }
        Files.writeString(machinesFile(), machines, StandardCharsets.UTF_8);
        for (int k = 1; k <= HOSTS; k++) {
            DAEMONS.add(Shell.start(home(), tmp.resolve("daemon-" + k + ".out"), "scripts/netns-hosts.sh", "exec", prefix,
                    Integer.toString(k), "bin/detrain", "daemon", "--port", Integer.toString(PORT), "--allow",
                    machinesFile().toString(), "--ready", tmp.resolve("ready-" + k).toString(), "--log",
                    tmp.resolve("daemon-" + k + ".log").toString()));
        }
        for (int k = 1; k <= HOSTS; k++) {
            Path ready = tmp.resolve("ready-" + k);
            Shell.await("the daemon of " + host(k), 60, () -> Files.exists(ready));
        }
    }

    @AfterAll
    static void stopHosts() throws InterruptedException {
        for (Process d : DAEMONS) {
            d.destroy(); // SIGTERM: the daemon stops its rank JVMs
            if (!d.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                d.descendants().forEach(ProcessHandle::destroyForcibly);
                d.destroyForcibly();
            }
        }
        if (up) {
            Shell.run(home(), Map.of(), 60, "scripts/netns-hosts.sh", "down", prefix, Integer.toString(HOSTS + 1)).ok();
            String namespaces = Shell.run(home(), Map.of(), 30, "ip", "netns", "list").output();
            assertTrue(!namespaces.contains(prefix), "namespaces left: " + namespaces);
            for (int k = 1; k <= HOSTS + 1; k++) {
                assertTrue(!Files.exists(Path.of("/etc/netns", prefix + "-h" + k)), "hosts file left for host " + k);
            }
            Shell.await("no daemon or rank left", 30, () -> Shell.processesMentioning(tmp.toString()).isEmpty());
        }
    }

    private static Path home() {
        return Cli.home().toAbsolutePath();
    }

    private static String host(int k) {
        return prefix + "-h" + k;
    }

    private static Path machinesFile() {
        return tmp.resolve("machines");
    }

    /** `detrain train` as host 1 (the job's first host, where a batch script would run it). */
    private static Shell.Result trainOnHosts(String runId, long timeoutSeconds, String... sets) {
        List<String> cmd = new ArrayList<>(List.of("scripts/netns-hosts.sh", "exec", prefix, "1", "bin/detrain", "train",
                "-np", "6", "--transport", "niodev", "--machines", machinesFile().toString(), "--daemon-port",
                Integer.toString(PORT), "--results", tmp.resolve("results").toString(), "--run-id", runId));
        for (String s : sets) {
            cmd.add("--set");
            cmd.add(s);
        }
        return Shell.run(home(), Map.of(), timeoutSeconds, cmd.toArray(String[]::new));
    }

    @Test
    @Order(1)
    void runAcrossThreeHostsEqualsTheMulticoreRunBitForBit() {
        String[] sets = {"dataset=synthetic-lsq", "model=linear", "iterations=40", "log.every=5", "eval.every=20",
                "partition.shuffled=25", "topology=ring"};
        trainOnHosts("hosts", 120, sets).ok();
        H5Group hosts = Hdf5Files.read(tmp.resolve("results/hosts/metrics.h5"));
        // MPJ places 6 ranks on 3 hosts in blocks of two, in machines-file order.
        assertArrayEquals(new String[] {host(1), host(1), host(2), host(2), host(3), host(3)},
                hosts.getAttribute("hosts", String[].class));
        assertEquals("niodev", hosts.getAttribute("mpj_device", String.class));
        List<String> args = new ArrayList<>(List.of("train", "-np", "6", "--results", tmp.resolve("mc").toString(),
                "--run-id", "mc"));
        for (String s : sets) {
            args.add("--set");
            args.add(s);
        }
        Cli.Result mc = Cli.run(args.toArray(String[]::new));
        assertEquals(0, mc.exitCode(), mc.all());
        TrainingIT.assertSameResults(Hdf5Files.read(tmp.resolve("mc/mc/metrics.h5")), hosts);
    }

    @Test
    @Order(3)
    void cuttingOneHostsLinkEndsTheRunWithinTheTimeoutAndLeavesNoRank() throws Exception {
        Path runDir = tmp.resolve("results/cut");
        java.util.concurrent.CompletableFuture<Shell.Result> run = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> trainOnHosts("cut", 180, "dataset=synthetic-lsq", "model=linear", "iterations=100000000",
                        "log.every=1000", "eval.every=100000000", "comm.timeout=5"));
        Shell.await("the run to start on all hosts", 90, () -> Files.exists(runDir.resolve("log/rank-5.log")));
        Thread.sleep(2000); // let it train
        long cutAt = System.nanoTime();
        Shell.run(home(), Map.of(), 30, "scripts/netns-hosts.sh", "cut", prefix, "3").ok();
        Shell.Result r = run.get(120, java.util.concurrent.TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - cutAt) / 1e9;
        System.out.printf("run ended %.1f s after host 3's link was cut%n", seconds);
        assertEquals(3, r.exitCode(), r.output());
        assertTrue(seconds < 40, "noticed within the 5 s timeout plus the launcher's grace, took " + seconds);
        // what a rank waited for depends on where the cut finds it (gossip, a control point, start-up)
        assertTrue(r.output().contains("waited 5.0 s for"), r.output());
        Shell.await("every rank JVM of the cut run to be gone", 30,
                () -> Shell.processesMentioning(runDir.toString()).isEmpty());
    }

    @Test
    @Order(2)
    void daemonsListenOnTheirOwnAddressOnlyAndRefuseHostsOutsideTheJob() throws Exception {
        // A daemon of its own on host 3, so that the probes below stay out of the run daemons' logs.
        int port = PORT + 2;
        Path ready = tmp.resolve("ready-guard");
        Path log = tmp.resolve("daemon-guard.log");
        Process daemon = Shell.start(home(), tmp.resolve("daemon-guard.out"), "scripts/netns-hosts.sh", "exec", prefix,
                "3", "bin/detrain", "daemon", "--port", Integer.toString(port), "--allow", machinesFile().toString(),
                "--ready", ready.toString(), "--log", log.toString());
        try {
            Shell.await("the guard test's daemon", 60, () -> Files.exists(ready));
            // From host 4 (not in the machines file): the connection is closed before a byte is read.
            Shell.Result stranger = Shell.run(home(), Map.of(), 30, "scripts/netns-hosts.sh", "exec", prefix,
                    Integer.toString(HOSTS + 1), "bash", "-c", "exec 3<>/dev/tcp/" + host(3) + "/" + port
                            + " && timeout 5 cat <&3; echo closed=$?");
            assertTrue(stranger.output().contains("closed=0"), "the daemon hung up at once: " + stranger.output());
            String text = Files.readString(log);
            assertTrue(text.contains("ignored a connection from") && text.contains("not an address of this job's hosts"),
                    text);
            // On host 3 itself, the loopback address is not listened on (bound to the host's own address).
            Shell.Result loopback = Shell.run(home(), Map.of(), 30, "scripts/netns-hosts.sh", "exec", prefix, "3",
                    "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + port + " && echo connected || echo refused");
            assertTrue(loopback.output().contains("refused"), loopback.output());
            // From host 1 (in the machines file) the daemon sends its challenge and waits for the answer.
            Shell.Result member = Shell.run(home(), Map.of(), 30, "scripts/netns-hosts.sh", "exec", prefix, "1",
                    "bash", "-c", "exec 3<>/dev/tcp/" + host(3) + "/" + port + " && timeout 2 cat <&3; echo status=$?");
            assertTrue(member.output().contains("status=124"), "still open after 2 s: " + member.output());
        } finally {
            daemon.destroy();
            if (!daemon.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                daemon.descendants().forEach(ProcessHandle::destroyForcibly);
                daemon.destroyForcibly();
            }
        }
    }
}
