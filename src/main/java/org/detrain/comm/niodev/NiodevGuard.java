package org.detrain.comm.niodev;

import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Vector;
import org.detrain.comm.JobSecret;

/**
 * What the socket calls of MPJ Express's niodev ({@code xdev.niodev.NIODevice}, rewritten by
 * {@link NiodevRewriter}) go through in a rank JVM started by {@link RankBoot}:
 * <ul>
 *   <li>its two server sockets bind the job's address on this host, not every interface;</li>
 *   <li>its connection to the rendezvous (MPJ's starter) first answers the job secret's challenge
 *       and says which address this rank listens on;</li>
 *   <li>its connections to peer ranks answer the peer's challenge, and its accepts keep only
 *       connections that answer this rank's challenge: anything else is logged and closed before
 *       niodev reads a byte of it, and the job goes on.</li>
 * </ul>
 * Configured once per rank JVM from system properties that {@link RankBoot} sets before the device
 * class loads.
 */
public final class NiodevGuard {
    static final String BIND = "detrain.niodev.bind";
    static final String SECRET = "detrain.niodev.secret";
    static final String RANK = "detrain.niodev.rank";
    /** Purposes of the two handshakes (part of what the proofs sign). */
    static final String RENDEZVOUS = "niodev-rendezvous";
    static final String PEER = "niodev-peer";
    /** How long a connecting peer gets to answer the challenge. */
    static final int HANDSHAKE_MILLIS = 10_000;
    /** niodev's socket buffer sizes (as MPJ sets them). */
    private static final int BUFFER_BYTES = 524_288;

    private static final InetAddress BIND_ADDRESS = address(System.getProperty(BIND, "127.0.0.1"));
    private static final String SECRET_FILE = System.getProperty(SECRET, "");
    private static final String RANK_NAME = System.getProperty(RANK, "?");
    private static volatile JobSecret secret;

    private NiodevGuard() {
    }

    /** The address this rank's server sockets bind (replaces {@code new InetSocketAddress(port)}'s wildcard). */
    public static InetAddress bindAddress() {
        return BIND_ADDRESS;
    }

    /** After niodev connected to the rendezvous: prove the secret, then say where this rank listens. */
    public static void starterConnected(Socket socket) throws IOException {
        int before = socket.getSoTimeout();
        socket.setSoTimeout(HANDSHAKE_MILLIS);
        secret().answer(RENDEZVOUS, socket.getInputStream(), socket.getOutputStream());
        socket.setSoTimeout(before);
        DataOutputStream out = new DataOutputStream(socket.getOutputStream());
        out.writeUTF(BIND_ADDRESS.getHostAddress());
        out.flush();
    }

    /**
     * Replaces niodev's connect to a peer: connects, then answers the peer's challenge. No time limit:
     * the peer answers once its own start-up reaches its accept loop (the launcher watches for dead
     * ranks). A connection that fails is closed, so niodev's retry starts clean.
     */
    public static boolean connect(SocketChannel channel, SocketAddress to) throws IOException {
        try {
            boolean connected = channel.connect(to);
            if (connected) {
                byte[] nonce = channel.socket().getInputStream().readNBytes(JobSecret.BYTES);
                if (nonce.length != JobSecret.BYTES) {
                    throw new IOException("peer " + to + " closed the connection before its challenge");
                }
                ByteBuffer proof = ByteBuffer.wrap(secret().proof(PEER, nonce));
                while (proof.hasRemaining()) {
                    channel.write(proof);
                }
            }
            return connected;
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Replaces niodev's {@code doAccept}: takes every pending connection of {@code server} and
     * challenges each on a thread of its own, so that a silent stranger delays nobody. A connection
     * that proves the secret joins {@code channels} as niodev's own accept would have added it
     * (blocking, or registered with {@code selector} for reads and writes), and once all
     * {@code nprocs - 1} peers are in, niodev's start-up is woken; any other is logged and closed
     * before niodev reads a byte of it. Returns false: niodev ignores the value.
     */
    @SuppressWarnings("rawtypes")
    public static boolean doAccept(SelectableChannel server, Vector channels, boolean blocking, Selector selector,
                                   int nprocs) {
        // niodev closes its server sockets when its start-up is done, possibly while a stranger's
        // connection is being accepted here: nothing may escape to niodev's selector thread, which
        // would die of it (and with it every receive of this rank).
        ServerSocketChannel listener = (ServerSocketChannel) server;
        try {
            int port = listener.socket().getLocalPort();
            SocketChannel s;
            while (listener.isOpen() && (s = listener.accept()) != null) {
                SocketChannel peer = s;
                Thread t = new Thread(() -> admit(peer, port, channels, blocking, selector, nprocs),
                        "detrain-niodev-handshake");
                t.setDaemon(true);
                t.start();
            }
        } catch (IOException | RuntimeException e) {
            // closed meanwhile: the connections left pending are refused by the OS
        }
        return false;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void admit(SocketChannel s, int port, Vector channels, boolean blocking, Selector selector, int nprocs) {
        String from = String.valueOf(s.socket().getRemoteSocketAddress());
        String why;
        try {
            s.configureBlocking(true);
            s.socket().setSoTimeout(HANDSHAKE_MILLIS);
            if (secret().challenge(PEER, s.socket().getInputStream(), s.socket().getOutputStream())) {
                s.socket().setSoTimeout(0);
                synchronized (channels) {
                    channels.add(s);
                    s.configureBlocking(blocking);
                    if (!blocking) {
                        s.register(selector, SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                        selector.wakeup();
                    }
                    s.socket().setTcpNoDelay(true);
                    s.socket().setSendBufferSize(BUFFER_BYTES);
                    s.socket().setReceiveBufferSize(BUFFER_BYTES);
                    if (channels.size() == nprocs - 1) {
                        channels.notify();
                    }
                }
                return;
            }
            why = "it did not prove the job secret";
        } catch (SocketTimeoutException e) {
            why = "it sent nothing within " + HANDSHAKE_MILLIS / 1000 + " s";
        } catch (IOException | RuntimeException e) {
            why = "it failed: " + e.getMessage();
        }
        refused(from, port, why);
        try {
            s.close();
        } catch (IOException ignored) {
            // gone either way
        }
    }

    private static void refused(String from, int port, String why) {
        System.err.println(Instant.now() + " detrain niodev: rank " + RANK_NAME + " ignored a connection from " + from
                + " to its port " + port + ": " + why);
    }

    private static JobSecret secret() {
        JobSecret s = secret;
        if (s == null) {
            s = JobSecret.read(Path.of(SECRET_FILE));
            secret = s;
        }
        return s;
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("bad bind address " + literal, e);
        }
    }
}
