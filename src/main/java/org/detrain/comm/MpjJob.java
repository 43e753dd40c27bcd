package org.detrain.comm;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.detrain.comm.niodev.RankBoot;
import org.detrain.comm.niodev.Rendezvous;
import org.detrain.util.DetrainException;

/**
 * A started MPJ Express job, and how one is started for each {@link Deployment}, without Debian's
 * broken {@code mpjrun} and without MPJ's daemon (which runs whatever program anyone who reaches its
 * port names).
 *
 * <p>multicore: one JVM running MPJ's {@code MulticoreStarter} directly. The detrain core jar and
 * its libraries (Aparapi among them) sit on that JVM's own class path, so they load once and a JNI
 * library is shared by all ranks; only the small rank jar (MPJ-facing code) and MPJ's {@code mpi.jar}
 * are loaded per rank, which gives every rank its own MPI statics.
 *
 * <p>niodev on this host: the launcher starts one JVM per rank itself ({@link RankBoot}) and plays
 * MPJ's starter in its own JVM ({@link Rendezvous}, on 127.0.0.1); ranks bind 127.0.0.1 only, and
 * every connection between them, and to the rendezvous, proves the job's secret (a file in the run's
 * private scratch directory).
 *
 * <p>niodev on several hosts ({@link Placement.OnHosts}): {@code detrain daemon} runs on every host
 * (e.g. an {@code srun} step of a Slurm job); the launcher proves the job secret to each daemon and
 * asks it to start that host's ranks in blocks (rank 0 on the first host), and relays their output.
 *
 * <p>Every process gets a pipe as standard input that only the launcher (or the daemon serving it)
 * holds ({@link LauncherWatch}): nothing outlives its launcher. The launcher sees each process end
 * the moment it ends ({@link #exits()}).
 */
public final class MpjJob {
    /** MPJ's jars that MulticoreStarter itself needs on the JVM class path. */
    private static final List<String> MULTICORE_SYSTEM_JARS =
            List.of("smpdev.jar", "xdev.jar", "mpjbuf.jar", "loader2.jar", "starter.jar", "mpiExp.jar");
    private static final String RANK_MAIN = "org.detrain.comm.mpj.RankMain";
    /** Options every rank JVM gets: the Vector API for the Java kernels' inner loops (kernel.Loops). */
    static final List<String> RANK_JVM_OPTIONS = List.of("--add-modules=jdk.incubator.vector");
    /** How long a daemon gets to accept and answer. */
    private static final int DAEMON_CONNECT_MILLIS = 10_000;

    /**
     * A process of the job that ended: the rank it held ({@code -1}: the one JVM of every rank,
     * multicore), where it ran, and its exit code ({@code -1}: unknown, its daemon connection broke).
     */
    public record Exit(int rank, String where, int code) {
    }

    private final Consumer<String> output;
    private final List<Process> processes = new CopyOnWriteArrayList<>();
    private final List<Socket> daemons = new CopyOnWriteArrayList<>();
    private final List<Thread> pumps = new CopyOnWriteArrayList<>();
    private final List<Exit> exits = new CopyOnWriteArrayList<>();
    private final AtomicInteger running = new AtomicInteger();
    private volatile Rendezvous rendezvous;

    private MpjJob(Consumer<String> output) {
        this.output = output;
    }

    /**
     * Starts the job: the ranks run in {@code workDir}; {@code scratch} (created private to this
     * user) holds the job's secret; every line the job's processes print goes to {@code output},
     * what the launcher's side notices (ignored connections) to {@code log}. Both are called from
     * several threads.
     */
    public static MpjJob start(MpjInstallation inst, JobSpec spec, Path workDir, Path scratch, Consumer<String> output,
                               Consumer<String> log) {
        MpjJob job = new MpjJob(output);
        try {
            Files.createDirectories(scratch);
            Files.setPosixFilePermissions(scratch, PosixFilePermissions.fromString("rwx------"));
            switch (spec.transport()) {
                case MULTICORE -> job.startMulticore(inst, spec, workDir);
                case NIODEV -> {
                    if (spec.deployment().placement() instanceof Placement.OnHosts hosts) {
                        job.startOnHosts(inst, spec, hosts, workDir, log);
                    } else {
                        job.startNiodevHere(inst, spec, workDir, JobSecret.createOrRead(scratch.resolve("secret")), log);
                    }
                }
            }
            return job;
        } catch (IOException e) {
            job.destroyAll();
            throw DetrainException.runFailure("cannot start the job's processes: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            job.destroyAll();
            throw e;
        }
    }

    /**
     * Refuses (bad input) JVM options that do not start a JVM ({@code -Xmx1k}, a misspelt
     * {@code -XX:} flag): one {@code java OPTIONS -version} before anything is written, so the
     * reason is the JVM's own words, not a job that "stopped without reporting".
     */
    public static void checkJvmOptions(List<String> jvmOptions) {
        if (jvmOptions.isEmpty()) {
            return;
        }
        List<String> cmd = new ArrayList<>(List.of(MpjInstallation.javaBinary()));
        cmd.addAll(RANK_JVM_OPTIONS);
        cmd.addAll(jvmOptions);
        cmd.add("-version");
        String said;
        int code;
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readNBytes(64 * 1024);
            if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw DetrainException.badInput("a JVM with --jvm options " + jvmOptions + " did not start within 60 s;"
                        + " check the options");
            }
            code = p.exitValue();
            said = new String(out, StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.startsWith("WARNING: Using incubator modules")).limit(3)
                    .reduce((a, b) -> a + " / " + b).orElse("");
        } catch (IOException e) {
            throw DetrainException.badInput("cannot start java to check the --jvm options: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw DetrainException.badInput("interrupted while checking the --jvm options", e);
        }
        if (code != 0) {
            throw DetrainException.badInput("the --jvm options " + jvmOptions + " do not start a JVM (exit " + code + "): "
                    + said + "; fix or drop them");
        }
    }

    /** The processes that have ended so far, in the order they ended. */
    public List<Exit> exits() {
        return List.copyOf(exits);
    }

    /** Whether every process of the job has ended. */
    public boolean allGone() {
        return running.get() == 0;
    }

    /** niodev: the ranks that have not registered with the rendezvous yet (empty otherwise). */
    public List<Integer> unregistered() {
        Rendezvous r = rendezvous;
        return r == null ? List.of() : r.missing();
    }

    /** Stops everything the job started (the daemons kill their ranks when the connection closes). */
    public void destroyAll() {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (Socket s : daemons) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closed either way
            }
        }
        Rendezvous r = rendezvous;
        if (r != null) {
            r.close();
        }
    }

    /** Waits up to {@code millis} for the job's output to end. */
    public void awaitOutput(long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        for (Thread t : pumps) {
            t.join(Math.max(1, deadline - System.currentTimeMillis()));
        }
    }

    private void startMulticore(MpjInstallation inst, JobSpec spec, Path workDir) throws IOException {
        List<String> cp = new ArrayList<>();
        MULTICORE_SYSTEM_JARS.forEach(j -> cp.add(inst.mpjJar(j).toString()));
        cp.add(inst.appClassPath());
        List<String> cmd = new ArrayList<>(List.of(MpjInstallation.javaBinary()));
        cmd.addAll(RANK_JVM_OPTIONS);
        cmd.addAll(spec.jvmOptions());
        cmd.addAll(List.of("-cp", String.join(":", cp), LauncherWatch.class.getName(), "runtime.starter.MulticoreStarter",
                workDir.toString(), Integer.toString(spec.ranks()), "smpdev", "useLocalLoader",
                inst.rankJar().toString(), RANK_MAIN, spec.programClass(), Double.toString(spec.commTimeout())));
        cmd.addAll(spec.programArgs());
        startProcess(cmd, workDir, inst.mpjHome(), -1, "the multicore JVM of all ranks");
    }

    private void startNiodevHere(MpjInstallation inst, JobSpec spec, Path workDir, JobSecret secret,
                                 Consumer<String> log) throws IOException {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        rendezvous = Rendezvous.open(loopback, spec.ranks(), secret, log);
        for (int r = 0; r < spec.ranks(); r++) {
            List<String> cmd = rankCommand(inst, spec.jvmOptions(), r, spec.ranks(), rendezvous.host(), rendezvous.port(),
                    loopback.getHostAddress(), secret.file(), programArgs(spec));
            startProcess(cmd, workDir, inst.mpjHome(), r, "rank " + r);
        }
    }

    /** The command line of a niodev rank JVM (also what {@code detrain daemon} runs). */
    static List<String> rankCommand(MpjInstallation inst, List<String> jvmOptions, int rank, int size, String host, int port,
                                    String bind, Path secret, List<String> programArgs) {
        List<String> cmd = new ArrayList<>(List.of(MpjInstallation.javaBinary()));
        cmd.addAll(RANK_JVM_OPTIONS);
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", inst.appClassPath(), RankBoot.class.getName(), Integer.toString(rank),
                Integer.toString(size), host, Integer.toString(port), bind, secret.toString(), inst.rankJar().toString()));
        cmd.addAll(programArgs);
        return cmd;
    }

    private static List<String> programArgs(JobSpec spec) {
        List<String> args = new ArrayList<>(List.of(spec.programClass(), Double.toString(spec.commTimeout())));
        args.addAll(spec.programArgs());
        return args;
    }

    private void startProcess(List<String> cmd, Path workDir, Path mpjHome, int rank, String what) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true);
        pb.environment().put("MPJ_HOME", mpjHome.toString());
        Process p = pb.start(); // its stdin stays an open pipe that only this JVM holds (LauncherWatch)
        processes.add(p);
        running.incrementAndGet();
        String where = what + " (pid " + p.pid() + " on this host)";
        pump(p.getInputStream(), what);
        p.onExit().thenAccept(done -> {
            exits.add(new Exit(rank, where, done.exitValue()));
            running.decrementAndGet();
        });
    }

    private void pump(InputStream in, String what) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.accept(line);
                }
            } catch (IOException e) {
                // the process is gone; what it printed so far was routed
            }
        }, "detrain-output-" + what);
        t.setDaemon(true);
        t.start();
        pumps.add(t);
    }

    /** Block placement over the hosts, as MPJ did: the first n mod m hosts get one rank more. */
    static List<List<Integer>> blocks(int ranks, int hosts) {
        List<List<Integer>> out = new ArrayList<>();
        int next = 0;
        for (int h = 0; h < hosts; h++) {
            int count = ranks / hosts + (h < ranks % hosts ? 1 : 0);
            List<Integer> mine = new ArrayList<>();
            for (int k = 0; k < count; k++) {
                mine.add(next++);
            }
            out.add(mine);
        }
        return out;
    }

    private void startOnHosts(MpjInstallation inst, JobSpec spec, Placement.OnHosts hosts, Path workDir,
                              Consumer<String> log) throws IOException {
        JobSecret secret = JobSecret.read(hosts.secretFile());
        List<List<Integer>> blocks = blocks(spec.ranks(), hosts.machines().size());
        List<DataOutputStream> requests = new ArrayList<>();
        List<Integer> used = new ArrayList<>();
        for (int h = 0; h < hosts.machines().size(); h++) {
            if (blocks.get(h).isEmpty()) {
                continue;
            }
            String host = hosts.machines().get(h);
            Socket s = new Socket();
            daemons.add(s);
            try {
                s.connect(new InetSocketAddress(host, hosts.daemonPort()), DAEMON_CONNECT_MILLIS);
                s.setSoTimeout(DAEMON_CONNECT_MILLIS);
                secret.answer(DaemonProtocol.PURPOSE, s.getInputStream(), s.getOutputStream());
            } catch (IOException e) {
                throw DetrainException.runFailure("cannot reach `detrain daemon` on " + host + " port "
                        + hosts.daemonPort() + " (" + e.getMessage() + "); is it running there with the same --port and"
                        + " the job's secret (" + hosts.secretFile() + ")?", e);
            }
            requests.add(new DataOutputStream(s.getOutputStream()));
            used.add(h);
        }
        // the rendezvous listens on the address this host reaches the first daemon from
        rendezvous = Rendezvous.open(daemons.get(0).getLocalAddress(), spec.ranks(), secret, log);
        for (int i = 0; i < used.size(); i++) {
            int h = used.get(i);
            Socket s = daemons.get(i);
            List<Integer> ranks = blocks.get(h);
            new DaemonProtocol.Request(spec.ranks(), ranks, rendezvous.host(), rendezvous.port(), workDir.toString(),
                    spec.jvmOptions(), programArgs(spec)).write(requests.get(i));
            s.setSoTimeout(0);
            running.addAndGet(ranks.size());
            relay(s, hosts.machines().get(h), ranks);
        }
    }

    /** Reads one daemon's frames: output lines, starts and exits of its ranks. */
    private void relay(Socket s, String host, List<Integer> ranks) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(s.getInputStream()));
        Thread t = new Thread(() -> {
            java.util.Map<Integer, String> where = new java.util.HashMap<>();
            java.util.Set<Integer> open = new java.util.HashSet<>(ranks);
            try {
                while (!open.isEmpty()) {
                    byte kind = in.readByte();
                    int rank = in.readInt();
                    String text = in.readUTF();
                    switch (kind) {
                        case DaemonProtocol.OUTPUT -> output.accept(text);
                        case DaemonProtocol.STARTED -> where.put(rank, "rank " + rank + " (" + text + ")");
                        case DaemonProtocol.EXITED, DaemonProtocol.FAILED -> {
                            if (kind == DaemonProtocol.FAILED) {
                                output.accept("detrain rank " + rank + ": could not be started on " + host + ": " + text);
                            }
                            if (open.remove(rank)) {
                                exits.add(new Exit(rank, where.getOrDefault(rank, "rank " + rank + " (on " + host + ")"),
                                        kind == DaemonProtocol.EXITED ? parse(text) : -1));
                                running.decrementAndGet();
                            }
                        }
                        default -> throw new IOException("unknown frame " + kind);
                    }
                }
            } catch (EOFException e) {
                // the daemon closed the connection
            } catch (IOException e) {
                // the connection broke (or was closed by destroyAll)
            }
            for (int rank : open) { // the daemon is gone: so are its ranks, whatever they were doing
                exits.add(new Exit(rank, where.getOrDefault(rank, "rank " + rank + " (on " + host + ")")
                        + ", whose daemon connection broke", -1));
                running.decrementAndGet();
            }
        }, "detrain-daemon-" + host);
        t.setDaemon(true);
        t.start();
        pumps.add(t);
    }

    private static int parse(String code) {
        try {
            return Integer.parseInt(code.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
