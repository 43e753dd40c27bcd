package org.detrain.comm;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.detrain.io.AtomicFiles;
import org.detrain.util.DetrainException;

/**
 * {@code detrain daemon}: one guarded MPJ daemon on this host for a job whose ranks run on several
 * hosts ({@link Placement.OnHosts}), kept running until this JVM is told to stop.
 */
public final class DaemonService {
    /** How long the daemon gets to start accepting. */
    private static final long START_MILLIS = 30_000;

    /**
     * What to serve.
     *
     * @param port  the daemon's port; {@code port + 1} is its port manager's
     * @param bind  the one address or host name to listen on; null: this host's name
     * @param allow a machines file, or comma-separated host names or addresses, whose connections are accepted
     * @param ready written once the daemon accepts; null: none
     * @param log   the daemon's output; null: this JVM's output
     * @param work  a new directory for the daemon's private MPJ home; null: a new temporary one
     */
    public record Request(int port, String bind, String allow, Path ready, Path log, Path work) {
    }

    private DaemonService() {
    }

    /**
     * Checks the request (port, addresses that resolve here) and the installation under
     * {@code detrainHome}, then runs the daemon until this JVM is told to stop (SIGTERM, e.g. from
     * Slurm at the end of the step) or the daemon dies: a private MPJ home (ports {@code port} and
     * {@code port + 1}), the daemon and every rank JVM it started are removed on the way out. A
     * daemon that exits by itself is a run failure.
     */
    public static void serve(Path detrainHome, Request request, PrintStream out) {
        int port = request.port();
        if (port < 1 || port > 65534) {
            throw DetrainException.badInput("--port must be a TCP port between 1 and 65534 (the next one is used too), got "
                    + port);
        }
        String bind = request.bind() != null ? request.bind() : thisHostName();
        List<String> allow = allowedHosts(request.allow());
        List<String> all = new ArrayList<>(List.of(bind));
        all.addAll(allow);
        checkResolvable(all);
        MpjInstallation inst = MpjInstallation.locate(detrainHome);
        run(inst, port, bind, allow, request.ready(), request.log(), request.work(), out);
    }

    /** A machines file's hosts, or the hosts of a comma-separated list. */
    static List<String> allowedHosts(String fileOrHosts) {
        if (Files.isRegularFile(Path.of(fileOrHosts))) {
            return Placement.readMachinesFile(Path.of(fileOrHosts));
        }
        return Arrays.stream(fileOrHosts.split(",")).map(String::trim).filter(h -> !h.isEmpty()).toList();
    }

    private static String thisHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            throw DetrainException.badInput("this host's name does not resolve (" + e.getMessage() + "); pass --bind ADDRESS");
        }
    }

    private static void checkResolvable(List<String> hosts) {
        for (String h : hosts) {
            try {
                InetAddress.getAllByName(h);
            } catch (UnknownHostException e) {
                throw DetrainException.badInput("host '" + h + "' does not resolve on this host; fix the machines file or the"
                        + " host names (/etc/hosts or DNS)");
            }
        }
    }

    private static void run(MpjInstallation inst, int port, String bind, List<String> allow, Path ready, Path log,
                            Path work, PrintStream out) {
        Path home = createHome(port, work);
        DaemonProcess daemon = null;
        Thread cleanup = null;
        try {
            inst.prepareHome(home, port, port + 1, 0);
            daemon = DaemonProcess.start(inst, home, port, bind, allow, ready != null ? ready : home.resolve("ready"), log,
                    home);
            DaemonProcess d = daemon;
            cleanup = new Thread(() -> { // SIGTERM from Slurm (or Ctrl-C): no daemon or rank JVM outlives us
                d.stop();
                AtomicFiles.deleteTreeQuietly(home);
            }, "detrain-daemon-stop");
            Runtime.getRuntime().addShutdownHook(cleanup);
            daemon.awaitReady(START_MILLIS);
            out.println("detrain daemon: listening on " + bind + ":" + port + " for " + allow);
            out.flush();
            int code = daemon.waitFor();
            throw DetrainException.runFailure("the MPJ daemon on port " + port + " exited with code " + code
                    + (log == null ? "" : "; " + daemon.whereToLook()), null);
        } catch (IOException e) {
            throw DetrainException.runFailure("cannot start the MPJ daemon: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw DetrainException.runFailure("interrupted", e);
        } finally {
            if (daemon != null) {
                daemon.stop();
            }
            if (cleanup != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(cleanup);
                } catch (IllegalStateException shuttingDown) {
                    // the hook runs already
                }
            }
            AtomicFiles.deleteTreeQuietly(home);
        }
    }

    private static Path createHome(int port, Path work) {
        try {
            if (work == null) {
                return Files.createTempDirectory("detrain-daemon-" + port + "-");
            }
            if (Files.exists(work)) {
                throw DetrainException.badInput("--work " + work + " exists already; name a new directory (it is removed"
                        + " when the daemon stops)");
            }
            return Files.createDirectories(work);
        } catch (IOException e) {
            throw DetrainException.badInput("cannot create a temporary MPJ home: " + e.getMessage() + "; check TMPDIR", e);
        }
    }
}
