package org.detrain.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.detrain.it.programs.Evil;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nobody else's code in our job, nothing left running (issue 17): strangers' connections to every
 * port a niodev job opens are logged and ignored, ranks listen on the loopback address only, a
 * second user cannot start code through a job's daemon, and no process of a job outlives its
 * launcher, whether the launcher or a rank is killed.
 */
class SecurityIT {
    private static final Pattern LISTEN = Pattern.compile("LISTEN\\s+\\d+\\s+\\d+\\s+(\\S+):(\\d+)\\s.*pid=(\\d+),");
    @TempDir
    Path tmp;

    private static Path home() {
        return Cli.home().toAbsolutePath();
    }

    private Process launch(Path out, String runId, String... extra) {
        List<String> cmd = new ArrayList<>(List.of("bin/detrain", "train", "--results", tmp.resolve("results").toString(),
                "--run-id", runId, "--set", "dataset=synthetic-lsq", "--set", "model=linear", "--set", "synthetic.samples=256",
                "--set", "batch=4"));
        cmd.addAll(List.of(extra));
        return Shell.start(home(), out, cmd.toArray(String[]::new));
    }

    /** Listening TCP sockets of {@code pids}: "address:port" to the pid that listens. */
    private static Map<String, Long> listening(Set<Long> pids) {
        Map<String, Long> out = new LinkedHashMap<>();
        String ss;
        try { // quietly: this runs every few milliseconds
            Process p = new ProcessBuilder("ss", "-ltnpH").redirectErrorStream(true).start();
            ss = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("ss failed: " + e, e);
        }
        for (String line : ss.lines().toList()) {
            Matcher m = LISTEN.matcher(line);
            if (m.find() && pids.contains(Long.parseLong(m.group(3)))) {
                out.put(m.group(1) + ":" + m.group(2), Long.parseLong(m.group(3)));
            }
        }
        return out;
    }

    private static Set<Long> family(Process p) {
        Set<Long> pids = p.descendants().map(ProcessHandle::pid).collect(Collectors.toSet());
        pids.add(p.pid());
        return pids;
    }

    @Test
    void strangersOnEveryPortOfANiodevJobAreIgnoredAndItEndsWell() throws Exception {
        Assumptions.assumeTrue(Shell.onPath("ss"), "needs ss (iproute2)");
        Path out = tmp.resolve("poked.out");
        Process launcher = launch(out, "poked", "-np", "3", "--transport", "niodev", "--set", "iterations=300");
        Map<String, Long> poked = new LinkedHashMap<>();
        List<Socket> held = new ArrayList<>();
        long deadline = System.currentTimeMillis() + 120_000;
        while (launcher.isAlive() && System.currentTimeMillis() < deadline) {
            for (Map.Entry<String, Long> e : listening(family(launcher)).entrySet()) {
                if (poked.putIfAbsent(e.getKey(), e.getValue()) != null) {
                    continue;
                }
                String address = e.getKey().substring(0, e.getKey().lastIndexOf(':')).replaceAll("[\\[\\]]", "")
                        .replace("::ffff:", "");
                int port = Integer.parseInt(e.getKey().substring(e.getKey().lastIndexOf(':') + 1));
                try {
                    held.add(new Socket(address, port)); // says nothing, stays open
                    Socket garbage = new Socket(address, port);
                    OutputStream o = garbage.getOutputStream();
                    o.write("\u0000\u000cSending InfoGET / HTTP/1.0\r\n\r\n0123456789abcdef0123456789abcdef".getBytes(
                            StandardCharsets.ISO_8859_1));
                    o.flush();
                    held.add(garbage);
                } catch (IOException gone) {
                    // closed meanwhile (start-up is over): nothing to poke
                }
            }
            Thread.sleep(5);
        }
        assertTrue(launcher.waitFor(60, TimeUnit.SECONDS), "the run ends");
        for (Socket s : held) {
            s.close();
        }
        String said = Files.readString(out);
        assertEquals(0, launcher.exitValue(), said);
        System.out.println("poked " + poked);
        assertTrue(poked.containsValue(launcher.pid()), "the launcher's rendezvous port was poked: " + poked);
        assertTrue(poked.values().stream().anyMatch(pid -> pid != launcher.pid()), "a rank's port was poked: " + poked);
        for (String where : poked.keySet()) {
            assertTrue(where.contains("127.0.0.1"), "the job listens on the loopback address only: " + poked);
        }
        Path log = tmp.resolve("results/poked/log");
        String logs = Files.readString(log.resolve("mpj.log")) + Files.readString(log.resolve("launcher.log"));
        assertTrue(logs.contains("ignored a connection from"), logs);
    }

    @Test
    void killingTheLauncherStopsEveryProcessOfTheJobWithinSeconds() throws Exception {
        for (String transport : List.of("multicore", "niodev")) {
            Path runDir = tmp.resolve("results/k9-" + transport);
            Process launcher = launch(tmp.resolve(transport + ".out"), "k9-" + transport, "-np", "3", "--transport",
                    transport, "--set", "iterations=100000000", "--set", "log.every=1000");
            Shell.await("the ranks of " + transport + " to start", 90, () -> Files.exists(runDir.resolve("log/rank-2.log")));
            assertFalse(Shell.processesMentioning(runDir.toString()).isEmpty());
            launcher.destroyForcibly(); // kill -9: no shutdown hook runs
            long killedAt = System.nanoTime();
            Shell.await("every process of the " + transport + " job to notice its launcher is gone", 30,
                    () -> Shell.processesMentioning(runDir.toString()).isEmpty());
            double seconds = (System.nanoTime() - killedAt) / 1e9;
            System.out.printf("%s: every process gone %.1f s after kill -9 of the launcher%n", transport, seconds);
            assertTrue(seconds < 10, transport + " took " + seconds + " s");
        }
    }

    @Test
    void aRankKilledBeforeItStartedIsNamedWithinSeconds() throws Exception {
        Path runDir = tmp.resolve("results/early");
        Path out = tmp.resolve("early.out");
        Process launcher = launch(out, "early", "-np", "4", "--transport", "niodev", "--set", "iterations=1000");
        ProcessHandle victim = null;
        long deadline = System.currentTimeMillis() + 60_000;
        while (victim == null && System.currentTimeMillis() < deadline) {
            victim = ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("")
                    .matches(".*RankBoot 2 4 .*" + Pattern.quote(runDir.toString()) + ".*")).findFirst().orElse(null);
            Thread.sleep(5);
        }
        assertTrue(victim != null, "rank 2's JVM appeared");
        victim.destroyForcibly();
        long killedAt = System.nanoTime();
        assertTrue(launcher.waitFor(60, TimeUnit.SECONDS));
        double seconds = (System.nanoTime() - killedAt) / 1e9;
        String said = Files.readString(out);
        assertEquals(3, launcher.exitValue(), said);
        assertTrue(said.contains("rank 2 (pid " + victim.pid() + " on this host) is gone without reporting anything"), said);
        assertTrue(seconds < 15, "named within seconds, took " + seconds);
        Shell.await("no rank left", 10, () -> Shell.processesMentioning(runDir.toString()).isEmpty());
    }

    /**
     * The attack of issue 17, against `detrain daemon`: another user on the host points MPJ's own
     * starter at the daemon's port to run a program of theirs as the daemon's user. The daemon
     * closes the connection unread; the stranger cannot read the job secret; nothing runs.
     */
    @Test
    void anotherUserCannotStartCodeThroughTheJobsDaemon() throws Exception {
        Assumptions.assumeTrue(Shell.isRoot() && Shell.onPath("runuser"), "needs root and runuser (CI runs as root)");
        Path shared = Files.createTempDirectory(Path.of("/tmp"), "detrain-stranger-");
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
        try {
            Files.deleteIfExists(Evil.marker("root"));
            Files.deleteIfExists(Evil.marker("nobody"));
            Path machines = tmp.resolve("machines");
            Files.writeString(machines, "localhost\n");
            int port = 17_000 + (int) (ProcessHandle.current().pid() % 1000);
            Path ready = tmp.resolve("ready");
            Path daemonLog = tmp.resolve("daemon.log");
            Process daemon = Shell.start(home(), tmp.resolve("daemon.out"), "bin/detrain", "daemon", "--port",
                    Integer.toString(port), "--bind", "127.0.0.1", "--allow", machines.toString(), "--ready",
                    ready.toString(), "--log", daemonLog.toString());
            try {
                Shell.await("the daemon", 60, () -> Files.exists(ready));
                // the stranger's own MPJ home, naming the daemon's port (as in the issue's reproduction)
                Path mpj = shared.resolve("mpj");
                Files.createDirectories(mpj.resolve("conf"));
                // a copy, not a link: the stranger has an MPJ of their own, and may not be able to enter
                // this checkout at all (a clone in a `mktemp -d` directory is rwx------)
                Shell.run(shared, Map.of(), 60, "cp", "-r", home().resolve("build/mpj/lib").toString(),
                        mpj.resolve("lib").toString()).ok();
                String conf = Files.readString(home().resolve("build/mpj/conf/mpjexpress.conf"))
                        .replaceAll("(?m)^mpjexpress\\.mpjdaemon\\.port\\.1=.*$", "mpjexpress.mpjdaemon.port.1=" + port);
                Files.writeString(mpj.resolve("conf/mpjexpress.conf"), conf);
                Files.writeString(shared.resolve("m"), "localhost\n");
                Shell.run(shared, Map.of(), 30, "chmod", "-R", "a+rwX", shared.toString()).ok();
                String classes = home().resolve("target/test-classes").toString();
                Shell.Result attack = Shell.run(shared, Map.of("MPJ_HOME", mpj.toString()), 60, "runuser", "-u", "nobody",
                        "--", "timeout", "20", "java", "-jar", mpj.resolve("lib/starter.jar").toString(), "-np", "1", "-dev",
                        "niodev", "-machinesfile", shared.resolve("m").toString(), "-dport", Integer.toString(port),
                        "-wdir", shared.toString(), "-cp", classes, Evil.class.getName());
                Shell.Result peek = Shell.run(shared, Map.of(), 30, "runuser", "-u", "nobody", "--", "cat",
                        machines.resolveSibling("machines.secret").toString());
                assertTrue(peek.exitCode() != 0, "the stranger cannot read the job secret: " + peek.output());
                Thread.sleep(1000);
                assertFalse(Files.exists(Evil.marker("root")), "the stranger's program ran as root: " + attack.output());
                assertFalse(Files.exists(Evil.marker("nobody")), "the stranger's program ran: " + attack.output());
                String log = Files.readString(daemonLog);
                assertTrue(log.contains("ignored a connection from 127.0.0.1") && log.contains("did not prove the job secret")
                        || log.contains("it sent nothing valid") || log.contains("it failed"), log);
                assertFalse(log.contains("starting ranks"), log);
                assertTrue(daemon.isAlive(), "the daemon serves on");
            } finally {
                daemon.destroy();
                daemon.waitFor(20, TimeUnit.SECONDS);
            }
        } finally {
            Shell.run(Path.of("/"), Map.of(), 30, "rm", "-rf", shared.toString());
        }
    }
}
