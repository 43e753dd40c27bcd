package org.detrain.comm;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.detrain.comm.daemon.BoundDaemon;
import org.detrain.util.DetrainException;

/**
 * A started MPJ Express job, and how one is started for each {@link Deployment}, without Debian's
 * broken {@code mpjrun}.
 *
 * <p>multicore: one JVM running MPJ's {@code MulticoreStarter} directly. The detrain core jar and
 * its libraries (Aparapi among them) sit on that JVM's own class path, so they load once and a JNI
 * library is shared by all ranks; only the small rank jar (MPJ-facing code) and MPJ's {@code mpi.jar}
 * are loaded per rank, which gives every rank its own MPI statics. (mpjrun puts the whole
 * application on the per-rank path, which is what makes Aparapi fall back to Java threads in all
 * ranks but one.) MPJ's message key class is repaired first ({@link SmpdevKeyPatch}).
 *
 * <p>niodev on this host: a per-job MPJ home (its own ports, so concurrent jobs do not clash), one
 * daemon started for the job and stopped after it, a machines file, and MPJ's starter. The daemon
 * is MPJ's own, guarded ({@link BoundDaemon}): it listens on the loopback address only and refuses
 * connections from anywhere else.
 *
 * <p>niodev on several hosts ({@link Placement.OnHosts}): the daemons are already running, one per
 * host on a given port (started by {@code detrain daemon}, e.g. with {@code srun} inside a Slurm
 * allocation); this writes the machines file and runs MPJ's starter against them.
 */
public final class MpjJob {
    /** MPJ's jars that MulticoreStarter itself needs on the JVM class path. */
    private static final List<String> MULTICORE_SYSTEM_JARS =
            List.of("smpdev.jar", "xdev.jar", "mpjbuf.jar", "loader2.jar", "starter.jar", "mpiExp.jar");
    private static final String RANK_MAIN = "org.detrain.comm.mpj.RankMain";
    /** Options every rank JVM gets: the Vector API for the Java kernels' inner loops (kernel.Loops). */
    private static final List<String> RANK_JVM_OPTIONS = List.of("--add-modules=jdk.incubator.vector");
    /** How long the daemon of a niodev job on this host gets to start accepting. */
    private static final long DAEMON_START_MILLIS = 20_000;

    private final Process starter;
    /** The daemon this job started (niodev on this host), else null. */
    private final DaemonProcess daemon;

    private MpjJob(Process starter, DaemonProcess daemon) {
        this.starter = starter;
        this.daemon = daemon;
    }

    /**
     * Starts the job. Output of MPJ and the ranks goes to the starter's stdout (merged); the ranks run
     * in {@code workDir}; {@code scratch} receives the job's MPJ home and machines file; the daemon a
     * niodev job starts on this host writes to {@code daemonLog}.
     */
    public static MpjJob start(MpjInstallation inst, JobSpec spec, Path workDir, Path scratch, Path daemonLog) {
        try {
            Files.createDirectories(scratch);
            return switch (spec.transport()) {
                case MULTICORE -> startMulticore(inst, spec, workDir, scratch);
                case NIODEV -> spec.deployment().placement() instanceof Placement.OnHosts hosts
                        ? startOnHosts(inst, spec, hosts, workDir, scratch)
                        : startNiodevHere(inst, spec, workDir, scratch, daemonLog);
            };
        } catch (IOException e) {
            throw DetrainException.runFailure("cannot start MPJ Express: " + e.getMessage(), e);
        }
    }

    /** Lines the ranks print (through MPJ) arrive here. */
    public Process starter() {
        return starter;
    }

    /** Stops everything the job started: starter, daemon and the rank JVMs they spawned. */
    public void destroyAll() {
        starter.descendants().forEach(ProcessHandle::destroyForcibly);
        starter.destroyForcibly();
        if (daemon != null) {
            daemon.stop();
        }
    }

    /** Stops the daemon (niodev) after a finished job, with the rank JVMs it may still hold. */
    public void stopDaemon() {
        if (daemon != null) {
            daemon.stopAndWait();
        }
    }

    /**
     * The multicore JVM's own class path: first smpdev's message key with a working hashCode (else
     * start-up grows like n⁴; written below {@code scratch}), then MPJ's system jars, then detrain's.
     */
    static List<String> multicoreClassPath(MpjInstallation inst, Path scratch) throws IOException {
        List<String> cp = new ArrayList<>();
        Path keyPatch = SmpdevKeyPatch.write(inst.mpjJar("smpdev.jar"), scratch.resolve("smpdev-patch"));
        if (keyPatch != null) {
            cp.add(keyPatch.toString());
        }
        MULTICORE_SYSTEM_JARS.forEach(j -> cp.add(inst.mpjJar(j).toString()));
        cp.add(inst.appClassPath());
        return cp;
    }

    private static MpjJob startMulticore(MpjInstallation inst, JobSpec spec, Path workDir, Path scratch)
            throws IOException {
        List<String> cp = multicoreClassPath(inst, scratch);
        List<String> cmd = new ArrayList<>(List.of(MpjInstallation.javaBinary()));
        cmd.addAll(RANK_JVM_OPTIONS);
        cmd.addAll(spec.jvmOptions());
        cmd.addAll(List.of("-cp", String.join(":", cp), "runtime.starter.MulticoreStarter",
                workDir.toString(), Integer.toString(spec.ranks()), "smpdev", "useLocalLoader",
                inst.rankJar().toString(), RANK_MAIN, spec.programClass(), Double.toString(spec.commTimeout())));
        cmd.addAll(spec.programArgs());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true);
        pb.environment().put("MPJ_HOME", inst.mpjHome().toString());
        return new MpjJob(pb.start(), null);
    }

    private static MpjJob startNiodevHere(MpjInstallation inst, JobSpec spec, Path workDir, Path scratch,
                                          Path daemonLog) throws IOException {
        int[] ports = freePorts(3);
        Path home = inst.prepareHome(scratch.resolve("mpj-home"), ports[0], ports[1], ports[2]);
        Path machines = scratch.resolve("machines");
        Files.writeString(machines, "localhost\n", StandardCharsets.UTF_8);
        DaemonProcess daemon = DaemonProcess.start(inst, home, ports[0], "127.0.0.1", List.of("127.0.0.1"),
                scratch.resolve("daemon.ready"), daemonLog, scratch);
        try {
            daemon.awaitReady(DAEMON_START_MILLIS);
            return new MpjJob(startStarter(inst, spec, home, machines, ports[0], workDir), daemon);
        } catch (IOException | RuntimeException e) {
            daemon.stop();
            throw e;
        }
    }

    private static MpjJob startOnHosts(MpjInstallation inst, JobSpec spec, Placement.OnHosts hosts, Path workDir,
                                       Path scratch) throws IOException {
        // Only the starter's own port is used on this host; the daemons have their MPJ homes.
        int[] ports = freePorts(1);
        Path home = inst.prepareHome(scratch.resolve("mpj-home"), hosts.daemonPort(), hosts.daemonPort() + 1, ports[0]);
        Path machines = scratch.resolve("machines");
        Files.writeString(machines, String.join("\n", hosts.machines()) + "\n", StandardCharsets.UTF_8);
        return new MpjJob(startStarter(inst, spec, home, machines, hosts.daemonPort(), workDir), null);
    }

    private static Process startStarter(MpjInstallation inst, JobSpec spec, Path home, Path machines, int daemonPort,
                                        Path workDir) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(MpjInstallation.javaBinary(), "-jar",
                home.resolve("lib/starter.jar").toString(), "-np", Integer.toString(spec.ranks()), "-dev", "niodev",
                "-machinesfile", machines.toString(), "-dport", Integer.toString(daemonPort), "-wdir", workDir.toString()));
        cmd.addAll(RANK_JVM_OPTIONS);
        cmd.addAll(spec.jvmOptions());
        cmd.addAll(List.of("-cp", inst.appClassPath() + ":" + inst.rankJar(), RANK_MAIN, spec.programClass(),
                Double.toString(spec.commTimeout())));
        cmd.addAll(spec.programArgs());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true);
        pb.environment().put("MPJ_HOME", home.toString());
        return pb.start();
    }

    /** Distinct ports the OS reports free now (a small race remains; MPJ gives no way to pass port 0). */
    private static int[] freePorts(int count) throws IOException {
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
}
