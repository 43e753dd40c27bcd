package org.detrain.comm;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
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
 * this host started for the job and stopped after it, a machines file, and MPJ's starter.
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
                    throw new DetrainException("MPJ Express is not set up (" + mpjHome.resolve("lib").resolve(jar)
                            + " is missing): run `make mpj` (as root it installs the Debian package libmpj-java)");
                }
            }
            Path target = detrainHome.resolve("target");
            Path core = target.resolve("detrain.jar");
            Path rank = target.resolve("detrain-rank.jar");
            Path libDir = target.resolve("lib");
            if (!Files.isRegularFile(core) || !Files.isRegularFile(rank) || !Files.isDirectory(libDir)) {
                throw new DetrainException("detrain is not built (" + core + " or " + rank + " missing): run `make build`");
            }
            List<Path> libs;
            try (Stream<Path> s = Files.list(libDir)) {
                libs = s.filter(p -> p.toString().endsWith(".jar")).sorted().collect(Collectors.toList());
            } catch (IOException e) {
                throw new DetrainException("cannot list " + libDir + ": " + e.getMessage() + "; run `make build`", e);
            }
            return new Installation(mpjHome, core, rank, libs);
        }

        String appClassPath() {
            List<String> parts = new ArrayList<>();
            parts.add(coreJar.toString());
            libs.forEach(p -> parts.add(p.toString()));
            return String.join(":", parts);
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
        try {
            Files.createDirectories(scratch);
            return switch (transport) {
                case "multicore" -> startMulticore(inst, np, programClass, commTimeout, jvmOptions, programArgs, workDir);
                case "niodev" -> startNiodev(inst, np, programClass, commTimeout, jvmOptions, programArgs, workDir, scratch, daemonLog);
                default -> throw new DetrainException("unknown transport '" + transport + "': use multicore or niodev");
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
        Path home = scratch.resolve("mpj-home");
        Files.createDirectories(home.resolve("conf"));
        Path lib = home.resolve("lib");
        if (!Files.exists(lib)) {
            Files.createSymbolicLink(lib, inst.mpjHome.resolve("lib").toAbsolutePath());
        }
        String conf = Files.readString(inst.mpjHome.resolve("conf/mpjexpress.conf"), StandardCharsets.UTF_8)
                .replaceAll("(?m)^mpjexpress\\.mpjdaemon\\.port\\.1=.*$", "mpjexpress.mpjdaemon.port.1=" + ports[0])
                .replaceAll("(?m)^mpjexpress\\.mpjdaemon\\.port\\.2=.*$", "mpjexpress.mpjdaemon.port.2=" + ports[1])
                .replaceAll("(?m)^mpjexpress\\.mpjrun\\.port\\.1=.*$", "mpjexpress.mpjrun.port.1=" + ports[2]);
        Files.writeString(home.resolve("conf/mpjexpress.conf"), conf, StandardCharsets.UTF_8);
        Path machines = scratch.resolve("machines");
        Files.writeString(machines, "localhost\n", StandardCharsets.UTF_8);

        ProcessBuilder daemonPb = new ProcessBuilder(javaBinary(), "-jar", lib.resolve("daemon.jar").toString(),
                Integer.toString(ports[0])).directory(scratch.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(daemonLog.toFile()));
        daemonPb.environment().put("MPJ_HOME", home.toString());
        Process daemon = daemonPb.start();
        try {
            awaitListening(daemon, ports[0], 20_000);
            List<String> cmd = new ArrayList<>(List.of(javaBinary(), "-jar", lib.resolve("starter.jar").toString(),
                    "-np", Integer.toString(np), "-dev", "niodev", "-machinesfile", machines.toString(),
                    "-dport", Integer.toString(ports[0]), "-wdir", workDir.toString()));
            cmd.addAll(RANK_JVM_OPTIONS);
            cmd.addAll(jvmOptions);
            cmd.addAll(List.of("-cp", inst.appClassPath() + ":" + inst.rankJar, RANK_MAIN, programClass,
                    Double.toString(commTimeout)));
            cmd.addAll(programArgs);
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true);
            pb.environment().put("MPJ_HOME", home.toString());
            return new Job(pb.start(), daemon);
        } catch (IOException | RuntimeException e) {
            daemon.descendants().forEach(ProcessHandle::destroyForcibly);
            daemon.destroyForcibly();
            throw e;
        }
    }

    private static void awaitListening(Process daemon, int port, long timeoutMillis) {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            if (!daemon.isAlive()) {
                throw DetrainException.runFailure("the MPJ daemon exited at start-up (code " + daemon.exitValue()
                        + "); see log/mpj-daemon.log", null);
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("localhost", port), 200);
                return;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        throw DetrainException.runFailure("the MPJ daemon did not listen on port " + port + " within "
                + timeoutMillis / 1000 + " s; see log/mpj-daemon.log", null);
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
