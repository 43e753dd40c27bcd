package org.detrain.comm.niodev;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.detrain.comm.JobSecret;

/**
 * The part of MPJ's starter that niodev ranks need, in the launcher JVM: every rank connects here
 * once at start-up ({@code MPI.Init}), says which two ports it listens on, and gets back the table of
 * every rank's address and ports, from which the ranks wire themselves to each other. The port is
 * bound to one address (the job's), taken by the OS (port 0: no race for a free port), and closed as
 * soon as the table is out.
 *
 * <p>Every connection must first prove the job secret ({@link JobSecret}, answered by
 * {@link NiodevGuard#starterConnected}); anything else — an empty connection, garbage, a second
 * registration of a rank — is logged and closed, and the job goes on.
 */
public final class Rendezvous implements AutoCloseable {
    /** How long a connection gets to prove itself and register. */
    static final int REGISTER_MILLIS = 10_000;
    /** Connections handled at once; more are closed unread (a flood must not exhaust the launcher). */
    private static final int MAX_PENDING = 64;

    private final ServerSocket server;
    private final int ranks;
    private final JobSecret secret;
    private final Consumer<String> log;
    private final String[] table;
    private final Socket[] registered;
    private final AtomicInteger pending = new AtomicInteger();
    private int arrived;

    private Rendezvous(ServerSocket server, int ranks, JobSecret secret, Consumer<String> log) {
        this.server = server;
        this.ranks = ranks;
        this.secret = secret;
        this.log = log;
        this.table = new String[ranks];
        this.registered = new Socket[ranks];
    }

    /** Listens on {@code bind} (a port the OS picks) for the {@code ranks} ranks of a job. */
    public static Rendezvous open(InetAddress bind, int ranks, JobSecret secret, Consumer<String> log) throws IOException {
        Rendezvous r = new Rendezvous(new ServerSocket(0, 50, bind), ranks, secret, log);
        Thread t = new Thread(r::acceptAll, "detrain-rendezvous");
        t.setDaemon(true);
        t.start();
        return r;
    }

    /** The address the ranks connect to. */
    public String host() {
        return server.getInetAddress().getHostAddress();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Whether every rank registered and got the table (the port is closed then). */
    public synchronized boolean complete() {
        return arrived == ranks;
    }

    /** Ranks that have not registered yet. */
    public synchronized java.util.List<Integer> missing() {
        java.util.List<Integer> out = new java.util.ArrayList<>();
        for (int r = 0; r < ranks; r++) {
            if (table[r] == null) {
                out.add(r);
            }
        }
        return out;
    }

    @Override
    public synchronized void close() {
        closeQuietly(server);
        for (Socket s : registered) {
            if (s != null) {
                closeQuietly(s);
            }
        }
    }

    private void acceptAll() {
        while (!server.isClosed()) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (pending.incrementAndGet() > MAX_PENDING) {
                pending.decrementAndGet();
                ignore(s, "too many connections at once");
                continue;
            }
            Thread t = new Thread(() -> {
                try {
                    register(s);
                } finally {
                    pending.decrementAndGet();
                }
            }, "detrain-rendezvous-" + s.getPort());
            t.setDaemon(true);
            t.start();
        }
    }

    private void register(Socket s) {
        String why;
        try {
            s.setSoTimeout(REGISTER_MILLIS);
            DataInputStream in = new DataInputStream(s.getInputStream());
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            if (!secret.challenge(NiodevGuard.RENDEZVOUS, in, out)) {
                ignore(s, "it did not prove the job secret");
                return;
            }
            String address = in.readUTF();
            String hello = in.readUTF();
            int writePort = in.readInt();
            int readPort = in.readInt();
            int rank = in.readInt();
            if (!hello.startsWith("Sending Info") || rank < 0 || rank >= ranks || !isPort(writePort) || !isPort(readPort)
                    || !isAddressLiteral(address)) {
                ignore(s, "it sent no valid registration (rank " + rank + ")");
                return;
            }
            s.setSoTimeout(0);
            synchronized (this) {
                if (table[rank] != null) {
                    ignore(s, "rank " + rank + " is registered already");
                    return;
                }
                table[rank] = address + "@" + readPort + "@" + writePort + "@" + rank + "@0";
                registered[rank] = s;
                arrived++;
                if (arrived == ranks) {
                    sendTable();
                }
            }
            return;
        } catch (SocketTimeoutException e) {
            why = "it did not register within " + REGISTER_MILLIS / 1000 + " s";
        } catch (EOFException e) {
            why = "it closed the connection before registering";
        } catch (IOException e) {
            why = "it failed: " + e.getMessage();
        }
        ignore(s, why);
    }

    /** niodev's peer table: "#Peer Information;address@readPort@writePort@rank@0;..." in rank order. */
    private void sendTable() {
        StringBuilder info = new StringBuilder("#Peer Information");
        for (String entry : table) {
            info.append(';').append(entry);
        }
        for (int r = 0; r < ranks; r++) {
            try {
                DataOutputStream out = new DataOutputStream(registered[r].getOutputStream());
                out.writeUTF(info.toString());
                out.flush();
            } catch (IOException e) {
                log.accept("the rendezvous could not send the rank table to rank " + r + ": " + e.getMessage());
            }
            closeQuietly(registered[r]);
            registered[r] = null;
        }
        closeQuietly(server); // nothing more to hand out: the port goes away
    }

    private void ignore(Socket s, String why) {
        log.accept("ignored a connection from " + s.getRemoteSocketAddress() + " to the rendezvous port " + port() + ": "
                + why);
        closeQuietly(s);
    }

    private static boolean isPort(int p) {
        return p > 0 && p < 65536;
    }

    private static boolean isAddressLiteral(String a) {
        return a.matches("[0-9A-Fa-f:.]{2,45}");
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // gone either way
        }
    }
}
