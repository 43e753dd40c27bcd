package org.detrain.comm.daemon;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the MPJ daemon's rewritten socket calls go through (see {@link DaemonRewriter}): every server
 * socket of the daemon binds {@link #bindAddress()} instead of all interfaces, and every accepted
 * connection whose peer is not one of the allowed addresses is closed before the daemon reads a
 * byte of it (the daemon runs whatever job description a connection sends).
 *
 * <p>Configured once per daemon JVM from system properties that {@link BoundDaemon} sets before the
 * daemon's classes load; the values are immutable afterwards.
 */
public final class DaemonGuard {
    static final String BIND = "detrain.daemon.bind";
    static final String ALLOW = "detrain.daemon.allow";
    static final String READY = "detrain.daemon.ready";
    static final String PORT = "detrain.daemon.port";
    static final int BACKLOG = 50;

    private static final InetAddress BIND_ADDRESS = address(System.getProperty(BIND, "127.0.0.1"));
    private static final Set<InetAddress> ALLOWED = allowed(System.getProperty(ALLOW, ""));
    private static final String READY_FILE = System.getProperty(READY, "");
    private static final int DAEMON_PORT = Integer.getInteger(PORT, -1);

    private DaemonGuard() {
    }

    /** The one address the daemon listens on (its host's address in the allocation, or loopback). */
    public static InetAddress bindAddress() {
        return BIND_ADDRESS;
    }

    /** Replaces {@code ServerSocket.accept()}: returns only connections from allowed addresses. */
    public static Socket accept(ServerSocket server) throws IOException {
        signalReady(server);
        while (true) {
            Socket s = server.accept();
            InetAddress peer = s.getInetAddress();
            if (isAllowed(peer)) {
                return s;
            }
            System.err.println(Instant.now() + " detrain daemon: refused a connection from " + peer.getHostAddress()
                    + " to port " + server.getLocalPort() + ": not an address of this job's hosts " + describeAllowed());
            try {
                s.close();
            } catch (IOException ignored) {
                // it is gone either way
            }
        }
    }

    static boolean isAllowed(InetAddress peer) {
        return ALLOWED.contains(peer) || peer.equals(BIND_ADDRESS);
    }

    static String describeAllowed() {
        List<String> out = new ArrayList<>();
        ALLOWED.forEach(a -> out.add(a.getHostAddress()));
        return out.toString();
    }

    /** The daemon's main port is bound and about to accept: tell whoever waits (a file, written once). */
    private static void signalReady(ServerSocket server) {
        if (READY_FILE.isEmpty() || server.getLocalPort() != DAEMON_PORT) {
            return;
        }
        Path ready = Path.of(READY_FILE);
        if (Files.exists(ready)) {
            return;
        }
        // Its own temp + rename rather than io.AtomicFiles: this class is called from MPJ's daemon code
        // (rewritten by DaemonRewriter) inside the daemon JVM and depends on the JDK alone, and the ready
        // file is a one-off signal to a waiting launcher, which needs no fsync.
        try {
            Path tmp = ready.resolveSibling(ready.getFileName() + ".tmp");
            Files.writeString(tmp, "host=" + InetAddress.getLocalHost().getHostName() + "\naddress="
                    + BIND_ADDRESS.getHostAddress() + "\nport=" + DAEMON_PORT + "\npid=" + ProcessHandle.current().pid()
                    + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, ready, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            System.err.println("detrain daemon: cannot write the ready file " + ready + ": " + e);
        }
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("bad bind address " + literal, e);
        }
    }

    private static Set<InetAddress> allowed(String list) {
        Set<InetAddress> out = new LinkedHashSet<>();
        for (String a : list.split(",")) {
            if (!a.isBlank()) {
                out.add(address(a.trim()));
            }
        }
        return Collections.unmodifiableSet(out);
    }
}
