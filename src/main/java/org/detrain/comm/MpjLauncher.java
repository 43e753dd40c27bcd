package org.detrain.comm;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.detrain.util.DetrainException;

/**
 * Starts the ranks of a job with MPJ Express, without Debian's broken {@code mpjrun}.
 *
 * <p>multicore: one JVM running MPJ's {@code MulticoreStarter} directly. The detrain core jar and
 * its libraries (Aparapi among them) sit on that JVM's own class path, so they load once and a JNI
 * library is shared by all ranks; only the small rank jar (MPJ-facing code) and MPJ's {@code mpi.jar}
 * are loaded per rank, which gives every rank its own MPI statics. (mpjrun puts the whole
 * application on the per-rank path, which is what makes Aparapi fall back to Java threads in all
 * ranks but one.)
 *
 * <p>niodev: a per-job MPJ home (its own ports, so concurrent jobs do not clash), one daemon on
 * this host started for the job and stopped after it, a machines file, and MPJ's starter. The daemon
 * is MPJ's own, guarded ({@link org.detrain.comm.daemon.BoundDaemon}): it listens on the loopback
 * address only and refuses connections from anywhere else.
 *
 * <p>niodev on several hosts ({@link Placement}): the daemons are already running, one per host on a
 * given port (started by {@code detrain daemon}, e.g. with {@code srun} inside a Slurm allocation);
 * this launcher writes the machines file and runs MPJ's starter against them.
 */
public final class MpjLauncher {
    /** MPJ's jars that MulticoreStarter itself needs on the JVM class path. */
    private static final List<String> MULTICORE_SYSTEM_JARS =
            List.of("smpdev.jar", "xdev.jar", "mpjbuf.jar", "loader2.jar", "starter.jar", "mpiExp.jar");
    private static final String RANK_MAIN = "org.detrain.comm.mpj.RankMain";
    /** Options every rank JVM gets: the Vector API for the Java kernels' inner loops (kernel.Loops). */
    static final List<String> RANK_JVM_OPTIONS = List.of("--add-modules=jdk.incubator.vector");

    private MpjLauncher() {
    }

    /** The built detrain jars and the assembled MPJ Express home. */
    public record Installation(Path mpjHome, Path coreJar, Path rankJar, List<Path> libs) {
        /** Finds them under a detrain checkout; a clear error says which `make` target is missing. */
        public static Installation locate(Path detrainHome) {
            Path mpjHome = detrainHome.resolve("build/mpj");
            for (String jar : List.of("starter.jar", "daemon.jar", "mpj.jar", "mpi.jar", "mpjdev.jar", "niodev.jar", "smpdev.jar")) {
                if (!Files.isRegularFile(mpjHome.resolve("lib").resolve(jar))) {
                    throw DetrainException.badInput("MPJ Express is not set up (" + mpjHome.resolve("lib").resolve(jar)
                            + " is missing): run `make mpj` (as root it installs the Debian package libmpj-java)");
                }
            }
            Path target = detrainHome.resolve("target");
            Path core = target.resolve("detrain.jar");
            Path rank = target.resolve("detrain-rank.jar");
            Path libDir = target.resolve("lib");
            if (!Files.isRegularFile(core) || !Files.isRegularFile(rank) || !Files.isDirectory(libDir)) {
                throw DetrainException.badInput("detrain is not built (" + core + " or " + rank + " missing): run `make build`");
            }
            List<Path> libs;
            try (Stream<Path> s = Files.list(libDir)) {
                libs = s.filter(p -> p.toString().endsWith(".jar")).sorted().collect(Collectors.toList());
            } catch (IOException e) {
                throw DetrainException.badInput("cannot list " + libDir + ": " + e.getMessage() + "; run `make build`", e);
            }
            return new Installation(mpjHome, core, rank, libs);
        }

        /**
         * Core jar, libraries, and whatever {@code DETRAIN_CLASSPATH} adds (user plugins: their own
         * RankPrograms or models; the tests' own rank programs).
         */
        String appClassPath() {
            List<String> parts = new ArrayList<>();
            parts.add(coreJar.toString());
            libs.forEach(p -> parts.add(p.toString()));
            String extra = System.getenv("DETRAIN_CLASSPATH");
            if (extra == null) {
                extra = System.getProperty("detrain.classpath");
            }
            if (extra != null && !extra.isBlank()) {
                parts.add(extra);
            }
            return String.join(":", parts);
        }
    }

    /**
     * Hosts whose MPJ daemons are already running, all on {@code daemonPort}. MPJ places ranks in
     * blocks in this order: with n ranks on m hosts, the first n mod m hosts get ⌈n/m⌉ ranks and the
     * others ⌊n/m⌋ (rank 0 on the first host).
     */
    public record Placement(List<String> machines, int daemonPort) {
        public Placement {
            machines = List.copyOf(machines);
            if (machines.isEmpty()) {
                throw DetrainException.badInput("the machines file names no host; list one host name per line");
            }
            if (daemonPort < 1 || daemonPort > 65535) {
                throw DetrainException.badInput("--daemon-port must be a TCP port (1-65535), got " + daemonPort);
            }
        }

        /** Reads a machines file: one host per line; blank lines and {@code #} comments are skipped. */
        public static Placement read(Path machinesFile, int daemonPort) {
            List<String> hosts = new ArrayList<>();
            try {
                for (String line : Files.readAllLines(machinesFile, StandardCharsets.UTF_8)) {
                    String h = line.replaceFirst("#.*", "").trim();
                    if (h.isEmpty()) {
                        continue;
                    }
                    if (!h.matches("[A-Za-z0-9][A-Za-z0-9._:-]*")) {
                        throw DetrainException.badInput("machines file " + machinesFile + ": '" + h + "' is not a host name"
                                + " or address; write one host per line");
                    }
                    hosts.add(h);
                }
            } catch (IOException e) {
                throw DetrainException.badInput("cannot read the machines file " + machinesFile + ": " + e.getMessage()
                        + "; pass an existing file to --machines", e);
            }
            if (hosts.isEmpty()) {
                throw DetrainException.badInput("the machines file " + machinesFile + " names no host; list one host name"
                        + " per line");
            }
            return new Placement(hosts, daemonPort);
        }
    }

    /** A started job: the starter process and, for niodev, the daemon it talks to. */
    public static final class Job {
        private final Process starter;
        private final Process daemon;

        Job(Process starter, Process daemon) {
            this.starter = starter;
            this.daemon = daemon;
        }

        /** Lines the ranks print (through MPJ) arrive here. */
        public Process starter() {
            return starter;
        }

        /** Stops everything the job started: starter, daemon and the rank JVMs they spawned. */
        public void destroyAll() {
            for (Process p : daemon == null ? List.of(starter) : List.of(starter, daemon)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }

        /** Stops the daemon (niodev) after a finished job, with the rank JVMs it may still hold. */
        public void stopDaemon() {
            if (daemon != null) {
                daemon.descendants().forEach(ProcessHandle::destroyForcibly);
                daemon.destroyForcibly();
                try {
                    daemon.waitFor();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /**
     * Starts {@code np} ranks running {@code programClass} (a {@link RankProgram}) with
     * {@code programArgs}. Output of MPJ and the ranks goes to the starter's stdout (merged).
     */
    public static Job start(Installation inst, String transport, int np, String programClass, double commTimeout,
                            List<String> jvmOptions, List<String> programArgs, Path workDir, Path scratch, Path daemonLog) {
        return start(inst, transport, null, np, programClass, commTimeout, jvmOptions, programArgs, workDir, scratch,
                daemonLog);
    }

    /** As above; with a {@link Placement} (niodev only) the ranks run on its hosts' running daemons. */
    public static Job start(Installation inst, String transport, Placement placement, int np, String programClass,
                            double commTimeout, List<String> jvmOptions, List<String> programArgs, Path workDir,
                            Path scratch, Path daemonLog) {
        if (placement != null && !transport.equals("niodev")) {
            throw DetrainException.badInput("--machines needs --transport niodev (multicore runs on this host only)");
        }
        try {
            Files.createDirectories(scratch);
            return switch (transport) {
                case "multicore" -> startMulticore(inst, np, programClass, commTimeout, jvmOptions, programArgs, workDir);
                case "niodev" -> placement == null
                        ? startNiodev(inst, np, programClass, commTimeout, jvmOptions, programArgs, workDir, scratch, daemonLog)
                        : startOnHosts(inst, placement, np, programClass, commTimeout, jvmOptions, programArgs, workDir,
                                scratch);
                default -> throw DetrainException.badInput("unknown transport '" + transport + "': use multicore or niodev");
            };
        } catch (IOException e) {
            throw DetrainException.runFailure("cannot start MPJ Express: " + e.getMessage(), e);
        }
    }

    private static Job startMulticore(Installation inst, int np, String programClass, double commTimeout,
                                      List<String> jvmOptions, List<String> programArgs, Path workDir) throws IOException {
        List<String> cp = new ArrayList<>();
        MULTICORE_SYSTEM_JARS.forEach(j -> cp.add(inst.mpjHome.resolve("lib").resolve(j).toString()));
        cp.add(inst.appClassPath());
        List<String> cmd = new ArrayList<>(List.of(javaBinary()));
        cmd.addAll(RANK_JVM_OPTIONS);
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", String.join(":", cp), "runtime.starter.MulticoreStarter",
                workDir.toString(), Integer.toString(np), "smpdev", "useLocalLoader",
                inst.rankJar.toString(), RANK_MAIN, programClass, Double.toString(commTimeout)));
        cmd.addAll(programArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true);
        pb.environment().put("MPJ_HOME", inst.mpjHome.toString());
        return new Job(pb.start(), null);
    }

    private static Job startNiodev(Installation inst, int np, String programClass, double commTimeout,
                                   List<String> jvmOptions, List<String> programArgs, Path workDir, Path scratch,
                                   Path daemonLog) throws IOException {
        int[] ports = freePorts(3);
        Path home = prepareHome(inst, scratch.resolve("mpj-home"), ports[0], ports[1], ports[2]);
        Path machines = scratch.resolve("machines");
        Files.writeString(machines, "localhost\n", StandardCharsets.UTF_8);
        Path ready = scratch.resolve("daemon.ready");
        Process daemon = startDaemon(inst, home, ports[0], "127.0.0.1", List.of("127.0.0.1"), ready, daemonLog,
                scratch);
        try {
            awaitReady(daemon, ready, ports[0], 20_000, daemonLog);
            return new Job(startStarter(inst, home, machines, ports[0], np, programClass, commTimeout, jvmOptions,
                    programArgs, workDir), daemon);
        } catch (IOException | RuntimeException e) {
            daemon.descendants().forEach(ProcessHandle::destroyForcibly);
            daemon.destroyForcibly();
            throw e;
        }
    }

    private static Job startOnHosts(Installation inst, Placement placement, int np, String programClass,
                                    double commTimeout, List<String> jvmOptions, List<String> programArgs,
                                    Path workDir, Path scratch) throws IOException {
        // Only the starter's own port is used on this host; the daemons have their MPJ homes.
        int[] ports = freePorts(1);
        Path home = prepareHome(inst, scratch.resolve("mpj-home"), placement.daemonPort(), placement.daemonPort() + 1,
                ports[0]);
        Path machines = scratch.resolve("machines");
        Files.writeString(machines, String.join("\n", placement.machines()) + "\n", StandardCharsets.UTF_8);
        return new Job(startStarter(inst, home, machines, placement.daemonPort(), np, programClass, commTimeout,
                jvmOptions, programArgs, workDir), null);
    }

    private static Process startStarter(Installation inst, Path home, Path machines, int daemonPort, int np,
                                        String programClass, double commTimeout, List<String> jvmOptions,
                                        List<String> programArgs, Path workDir) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(javaBinary(), "-jar", home.resolve("lib/starter.jar").toString(),
                "-np", Integer.toString(np), "-dev", "niodev", "-machinesfile", machines.toString(),
                "-dport", Integer.toString(daemonPort), "-wdir", workDir.toString()));
        cmd.addAll(RANK_JVM_OPTIONS);
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", inst.appClassPath() + ":" + inst.rankJar, RANK_MAIN, programClass,
                Double.toString(commTimeout)));
        cmd.addAll(programArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true);
        pb.environment().put("MPJ_HOME", home.toString());
        return pb.start();
    }

    /**
     * A per-job MPJ home in {@code home}: {@code lib} links to the installation's jars, {@code conf}
     * names this job's ports (daemon, the daemon's port manager, the starter), so jobs never share one.
     */
    public static Path prepareHome(Installation inst, Path home, int daemonPort, int portManagerPort, int starterPort)
            throws IOException {
        Files.createDirectories(home.resolve("conf"));
        Path lib = home.resolve("lib");
        if (!Files.exists(lib, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.createSymbolicLink(lib, inst.mpjHome.resolve("lib").toAbsolutePath());
        }
        String conf = Files.readString(inst.mpjHome.resolve("conf/mpjexpress.conf"), StandardCharsets.UTF_8)
                .replaceAll("(?m)^mpjexpress\\.mpjdaemon\\.port\\.1=.*$", "mpjexpress.mpjdaemon.port.1=" + daemonPort)
                .replaceAll("(?m)^mpjexpress\\.mpjdaemon\\.port\\.2=.*$", "mpjexpress.mpjdaemon.port.2=" + portManagerPort)
                .replaceAll("(?m)^mpjexpress\\.mpjrun\\.port\\.1=.*$", "mpjexpress.mpjrun.port.1=" + starterPort);
        Files.writeString(home.resolve("conf/mpjexpress.conf"), conf, StandardCharsets.UTF_8);
        return home;
    }

    /**
     * Starts a guarded MPJ daemon ({@link org.detrain.comm.daemon.BoundDaemon}) with MPJ home
     * {@code home}: it listens on {@code bind} only, port {@code port} (its port manager on the
     * home's second port), accepts connections only from {@code allow} (names or addresses) and its
     * own address, and writes {@code ready} once it accepts. Output is appended to {@code log}.
     */
    public static Process startDaemon(Installation inst, Path home, int port, String bind, List<String> allow,
                                      Path ready, Path log, Path workDir) throws IOException {
        Files.deleteIfExists(ready);
        List<String> cmd = new ArrayList<>(List.of(javaBinary(), "-cp", inst.appClassPath(),
                "org.detrain.comm.daemon.BoundDaemon", "--bind", bind, "--allow", String.join(",", allow),
                "--ready", ready.toString(), Integer.toString(port)));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log == null ? ProcessBuilder.Redirect.INHERIT : ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("MPJ_HOME", home.toString());
        return pb.start();
    }

    /**
     * Runs one guarded MPJ daemon for a multi-host job until this JVM is told to stop (SIGTERM, e.g.
     * from Slurm at the end of the step) or the daemon dies: a private MPJ home in a temporary
     * directory (ports {@code port} and {@code port + 1}), the daemon and every rank JVM it started
     * are removed on the way out. Returns when the daemon has exited.
     */
    public static void serveDaemon(Installation inst, int port, String bind, List<String> allow, Path ready, Path log,
                                   Path work, java.io.PrintStream out) {
        if (port < 1 || port > 65534) {
            throw DetrainException.badInput("--port must be a TCP port between 1 and 65534 (the next one is used too), got " + port);
        }
        Path home;
        try {
            if (work == null) {
                home = Files.createTempDirectory("detrain-daemon-" + port + "-");
            } else {
                if (Files.exists(work)) {
                    throw DetrainException.badInput("--work " + work + " exists already; name a new directory (it is removed"
                            + " when the daemon stops)");
                }
                home = Files.createDirectories(work);
            }
        } catch (IOException e) {
            throw DetrainException.badInput("cannot create a temporary MPJ home: " + e.getMessage() + "; check TMPDIR", e);
        }
        Process daemon = null;
        Thread cleanup = null;
        try {
            prepareHome(inst, home, port, port + 1, 0);
            Path readyFile = ready != null ? ready : home.resolve("ready");
            daemon = startDaemon(inst, home, port, bind, allow, readyFile, log, home);
            Process d = daemon;
            Path h = home;
            cleanup = new Thread(() -> { // SIGTERM from Slurm (or Ctrl-C): no daemon or rank JVM outlives us
                d.descendants().forEach(ProcessHandle::destroyForcibly);
                d.destroyForcibly();
                deleteQuietly(h);
            }, "detrain-daemon-stop");
            Runtime.getRuntime().addShutdownHook(cleanup);
            awaitReady(daemon, readyFile, port, 30_000, log == null ? home.resolve("no-log") : log);
            out.println("detrain daemon: listening on " + bind + ":" + port + " for " + allow);
            out.flush();
            int code = daemon.waitFor();
            throw DetrainException.runFailure("the MPJ daemon on port " + port + " exited with code " + code
                    + (log == null ? "" : "; see " + log + tail(log)), null);
        } catch (IOException e) {
            throw DetrainException.runFailure("cannot start the MPJ daemon: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw DetrainException.runFailure("interrupted", e);
        } finally {
            if (daemon != null) {
                daemon.descendants().forEach(ProcessHandle::destroyForcibly);
                daemon.destroyForcibly();
            }
            if (cleanup != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(cleanup);
                } catch (IllegalStateException shuttingDown) {
                    // the hook runs already
                }
            }
            deleteQuietly(home);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a temporary directory
                }
            });
        } catch (IOException ignored) {
            // already gone
        }
    }

    /** Waits until the daemon wrote its ready file; a daemon that exits or stays silent is an error. */
    public static void awaitReady(Process daemon, Path ready, int port, long timeoutMillis, Path log) {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            if (Files.exists(ready)) {
                return;
            }
            if (!daemon.isAlive()) {
                throw DetrainException.runFailure("the MPJ daemon exited at start-up (code " + daemon.exitValue()
                        + "; port " + port + " or " + (port + 1) + " may be taken): see " + log + tail(log), null);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw DetrainException.runFailure("interrupted while waiting for the MPJ daemon", e);
            }
        }
        throw DetrainException.runFailure("the MPJ daemon did not accept on port " + port + " within "
                + timeoutMillis / 1000 + " s; see " + log + tail(log), null);
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            List<String> last = lines.subList(Math.max(0, lines.size() - 5), lines.size());
            return last.isEmpty() ? "" : "\n  " + String.join("\n  ", last);
        } catch (IOException e) {
            return "";
        }
    }

    /** Distinct ports the OS reports free now (a small race remains; MPJ gives no way to pass port 0). */
    static int[] freePorts(int count) throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket s = new ServerSocket(0);
                held.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
    }

    static String javaBinary() {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return Files.isExecutable(java) ? java.toString() : "java";
    }

    /** Environment for tools that want to see what ran. */
    public static Map<String, String> describe(Installation inst) {
        return Map.of("mpj_home", inst.mpjHome.toString(), "mpj_version", "0.44");
    }
}
