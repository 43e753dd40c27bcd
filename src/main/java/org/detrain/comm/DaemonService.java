package org.detrain.comm;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.detrain.io.AtomicFiles;
import org.detrain.util.DetrainException;

/**
 * {@code detrain daemon}: starts the ranks of multi-host niodev jobs ({@link Placement.OnHosts}) on
 * this host for launchers that prove the job's secret, until this JVM is told to stop (SIGTERM, e.g.
 * from Slurm at the end of the step). It replaces MPJ Express's daemon, which runs whatever program
 * anyone who reaches its port names:
 * <ul>
 *   <li>it listens on one address ({@code --bind}, default this host's name), never all interfaces;</li>
 *   <li>it closes, unread, connections from addresses outside {@code --allow} and connections that
 *       do not answer the challenge of the secret in a file only this user can read;</li>
 *   <li>it starts only detrain's rank entry point ({@code RankBoot}) from this installation, with the
 *       launcher's JVM options and program arguments;</li>
 *   <li>when a launcher's connection closes (the launcher ended, or was killed), the ranks it asked
 *       for are killed at once; on SIGTERM every rank it started is.</li>
 * </ul>
 */
public final class DaemonService {
    /** How long a connection gets to answer the challenge and send its request. */
    private static final int HANDSHAKE_MILLIS = 10_000;

    /**
     * What to serve.
     *
     * @param port   the port to listen on
     * @param bind   the one address or host name to listen on; null: this host's name
     * @param allow  a machines file, or comma-separated host names or addresses, whose connections are accepted
     * @param secret the job secret file; null: beside the machines file ({@code <allow>.secret}), created if missing
     * @param ready  written once the daemon accepts; null: none
     * @param log    the daemon's own output; null: this JVM's output
     */
    public record Request(int port, String bind, String allow, Path secret, Path ready, Path log) {
    }

    private final MpjInstallation inst;
    private final InetAddress bindAddress;
    private final Set<InetAddress> allowed;
    private final JobSecret secret;
    private final PrintStream log;
    private final List<Process> ranks = new CopyOnWriteArrayList<>();

    private DaemonService(MpjInstallation inst, InetAddress bindAddress, Set<InetAddress> allowed, JobSecret secret,
                          PrintStream log) {
        this.inst = inst;
        this.bindAddress = bindAddress;
        this.allowed = allowed;
        this.secret = secret;
        this.log = log;
    }

    /**
     * Checks the request (port, addresses that resolve here, the secret file) and the installation
     * under {@code detrainHome}, then serves until this JVM is told to stop.
     */
    public static void serve(Path detrainHome, Request request, PrintStream out) {
        int port = request.port();
        if (port < 1 || port > 65535) {
            throw DetrainException.badInput("--port must be a TCP port between 1 and 65535, got " + port);
        }
        InetAddress bind = resolve(request.bind() != null ? request.bind() : thisHostName());
        Set<InetAddress> allowed = new LinkedHashSet<>();
        allowed.add(bind);
        for (String h : allowedHosts(request.allow())) {
            try {
                allowed.addAll(Arrays.asList(InetAddress.getAllByName(h)));
            } catch (UnknownHostException e) {
                throw DetrainException.badInput("host '" + h + "' does not resolve on this host; fix the machines file or"
                        + " the host names (/etc/hosts or DNS)");
            }
        }
        Path secretFile = request.secret();
        if (secretFile == null) {
            if (!Files.isRegularFile(Path.of(request.allow()))) {
                throw DetrainException.badInput("--allow names hosts, not a machines file: pass --secret FILE (the job"
                        + " secret, readable by you only; the launcher's --secret must name the same file)");
            }
            secretFile = Placement.defaultSecret(Path.of(request.allow()));
        }
        JobSecret secret = JobSecret.createOrRead(secretFile);
        MpjInstallation inst = MpjInstallation.locate(detrainHome);
        PrintStream log = out;
        if (request.log() != null) {
            try {
                log = new PrintStream(Files.newOutputStream(request.log(), java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.APPEND), true, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw DetrainException.badInput("cannot write the daemon log " + request.log() + ": " + e.getMessage(), e);
            }
        }
        new DaemonService(inst, bind, allowed, secret, log).run(port, request.ready(), out);
    }

    /** A machines file's hosts, or the hosts of a comma-separated list. */
    static List<String> allowedHosts(String fileOrHosts) {
        if (Files.isRegularFile(Path.of(fileOrHosts))) {
            return Placement.readMachinesFile(Path.of(fileOrHosts));
        }
        return Arrays.stream(fileOrHosts.split(",")).map(String::trim).filter(h -> !h.isEmpty()).toList();
    }

    private void run(int port, Path ready, PrintStream out) {
        ServerSocket server;
        try {
            server = new ServerSocket(port, 50, bindAddress);
        } catch (BindException e) {
            throw DetrainException.runFailure("cannot listen on " + bindAddress.getHostAddress() + ":" + port + " ("
                    + e.getMessage() + "): the port is taken or the address is not this host's; choose another --port", e);
        } catch (IOException e) {
            throw DetrainException.runFailure("cannot listen on port " + port + ": " + e.getMessage(), e);
        }
        Thread stop = new Thread(() -> { // SIGTERM from Slurm (or Ctrl-C): no rank JVM outlives us
            closeQuietly(server);
            ranks.forEach(p -> {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            });
        }, "detrain-daemon-stop");
        Runtime.getRuntime().addShutdownHook(stop);
        say("detrain daemon: listening on " + bindAddress.getHostAddress() + ":" + port + " for " + describe(allowed)
                + ", secret " + secret.file());
        out.println("detrain daemon: listening on " + bindAddress.getHostAddress() + ":" + port);
        out.flush();
        if (ready != null) {
            writeReady(ready, port);
        }
        while (!server.isClosed()) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                break;
            }
            Thread t = new Thread(() -> serveOne(s), "detrain-daemon-" + s.getPort());
            t.setDaemon(true);
            t.start();
        }
    }

    /** One launcher's connection: check it, start its ranks, relay their output, kill them if it goes. */
    private void serveOne(Socket s) {
        String from = s.getInetAddress().getHostAddress() + ":" + s.getPort();
        if (!allowed.contains(s.getInetAddress())) {
            refuse(s, from, "not an address of this job's hosts " + describe(allowed));
            return;
        }
        DaemonProtocol.Request request;
        DataOutputStream out;
        try {
            s.setSoTimeout(HANDSHAKE_MILLIS);
            DataInputStream in = new DataInputStream(s.getInputStream());
            out = new DataOutputStream(new java.io.BufferedOutputStream(s.getOutputStream()));
            if (!secret.challenge(DaemonProtocol.PURPOSE, in, s.getOutputStream())) {
                refuse(s, from, "it did not prove the job secret");
                return;
            }
            request = DaemonProtocol.Request.read(in);
            s.setSoTimeout(0);
        } catch (SocketTimeoutException e) {
            refuse(s, from, "it sent nothing valid within " + HANDSHAKE_MILLIS / 1000 + " s");
            return;
        } catch (IOException e) {
            refuse(s, from, "it failed: " + e.getMessage());
            return;
        }
        say("starting ranks " + request.ranks() + " of " + request.size() + " for " + from);
        List<Process> mine = new ArrayList<>();
        List<Thread> pumps = new ArrayList<>();
        try {
            for (int rank : request.ranks()) {
                List<String> cmd = MpjJob.rankCommand(inst, request.jvmOptions(), rank, request.size(),
                        request.rendezvousHost(), request.rendezvousPort(), bindAddress.getHostAddress(), secret.file(),
                        request.programArgs());
                Process p;
                try {
                    ProcessBuilder pb = new ProcessBuilder(cmd).directory(Path.of(request.workDir()).toFile())
                            .redirectErrorStream(true);
                    pb.environment().put("MPJ_HOME", inst.mpjHome().toString());
                    p = pb.start();
                } catch (IOException e) {
                    DaemonProtocol.frame(out, DaemonProtocol.FAILED, rank, e.getMessage());
                    continue;
                }
                mine.add(p);
                ranks.add(p);
                DaemonProtocol.frame(out, DaemonProtocol.STARTED, rank, "pid " + p.pid() + " on " + thisHostName());
                pumps.add(relay(p, rank, out));
            }
            // the launcher never writes again: end-of-file (or a reset) means it is gone
            Thread watch = new Thread(() -> {
                try {
                    while (s.getInputStream().read() >= 0) {
                        // ignored
                    }
                } catch (IOException e) {
                    // gone
                }
                for (Process p : mine) {
                    if (p.isAlive()) {
                        say("the launcher at " + from + " is gone: killing rank JVM " + p.pid());
                        p.descendants().forEach(ProcessHandle::destroyForcibly);
                        p.destroyForcibly();
                    }
                }
            }, "detrain-daemon-watch-" + s.getPort());
            watch.setDaemon(true);
            watch.start();
            for (Thread t : pumps) {
                t.join();
            }
        } catch (IOException e) {
            say("lost the launcher at " + from + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            for (Process p : mine) {
                p.destroyForcibly();
                ranks.remove(p);
            }
            closeQuietly(s);
        }
    }

    /** Relays one rank's output, then its exit code. */
    private Thread relay(Process p, int rank, DataOutputStream out) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    DaemonProtocol.frame(out, DaemonProtocol.OUTPUT, rank, line);
                }
            } catch (IOException e) {
                // the launcher is gone; the watch kills the rank
            }
            try {
                int code = p.waitFor();
                DaemonProtocol.frame(out, DaemonProtocol.EXITED, rank, Integer.toString(code));
            } catch (IOException e) {
                // the launcher is gone
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "detrain-daemon-rank-" + rank);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private void refuse(Socket s, String from, String why) {
        say("ignored a connection from " + from + " to port " + s.getLocalPort() + ": " + why);
        closeQuietly(s);
    }

    private synchronized void say(String line) {
        log.println(Instant.now() + " " + line);
        log.flush();
    }

    private void writeReady(Path ready, int port) {
        try {
            AtomicFiles.writeText(ready, "host=" + thisHostName() + "\naddress=" + bindAddress.getHostAddress() + "\nport="
                    + port + "\npid=" + ProcessHandle.current().pid() + "\n");
        } catch (DetrainException e) {
            say("cannot write the ready file " + ready + ": " + e.getMessage());
        }
    }

    private static String describe(Set<InetAddress> addresses) {
        return addresses.stream().map(InetAddress::getHostAddress).toList().toString();
    }

    private static InetAddress resolve(String name) {
        try {
            return InetAddress.getByName(name);
        } catch (UnknownHostException e) {
            throw DetrainException.badInput("the bind address '" + name + "' does not resolve on this host; pass --bind"
                    + " ADDRESS");
        }
    }

    private static String thisHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            throw DetrainException.badInput("this host's name does not resolve (" + e.getMessage() + "); pass --bind ADDRESS");
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closed either way
        }
    }
}
