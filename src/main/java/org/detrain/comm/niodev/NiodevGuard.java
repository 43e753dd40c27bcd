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

    /** Replaces niodev's connect to a peer: connects, then answers the peer's challenge. */
    public static boolean connect(SocketChannel channel, SocketAddress to) throws IOException {
        boolean connected = channel.connect(to);
        if (connected) {
            Socket s = channel.socket();
            s.setSoTimeout(HANDSHAKE_MILLIS);
            byte[] nonce = s.getInputStream().readNBytes(JobSecret.BYTES);
            if (nonce.length != JobSecret.BYTES) {
                throw new IOException("peer " + to + " closed the connection before its challenge");
            }
            ByteBuffer proof = ByteBuffer.wrap(secret().proof(PEER, nonce));
            while (proof.hasRemaining()) {
                channel.write(proof);
            }
            s.setSoTimeout(0);
        }
        return connected;
    }

    /**
     * Replaces niodev's {@code doAccept}: takes the pending connections of {@code server}, keeps the
     * first that proves the secret and adds it to {@code channels} as niodev would (blocking, or
     * registered for reads and writes), closing every other one unread. Returns true when
     * {@code channels} is complete (all {@code nprocs - 1} peers), as niodev's method does.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static boolean doAccept(SelectableChannel server, Vector channels, boolean blocking, Selector selector,
                                   int nprocs) throws IOException {
        synchronized (channels) {
            if (!server.isOpen()) {
                return false;
            }
            SocketChannel peer = acceptProven((ServerSocketChannel) server);
            if (peer == null) {
                return false;
            }
            channels.add(peer);
            peer.configureBlocking(blocking);
            if (!blocking) {
                peer.register(selector, SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            }
            peer.socket().setTcpNoDelay(true);
            peer.socket().setSendBufferSize(BUFFER_BYTES);
            peer.socket().setReceiveBufferSize(BUFFER_BYTES);
            if (channels.size() == nprocs - 1) {
                channels.notify();
                return true;
            }
            return false;
        }
    }

    /** The first pending connection that answers the challenge, or null when none is pending. */
    private static SocketChannel acceptProven(ServerSocketChannel server) throws IOException {
        while (true) {
            SocketChannel s = server.accept();
            if (s == null) {
                return null;
            }
            String from = String.valueOf(s.socket().getRemoteSocketAddress());
            String why;
            try {
                s.configureBlocking(true);
                s.socket().setSoTimeout(HANDSHAKE_MILLIS);
                if (secret().challenge(PEER, s.socket().getInputStream(), s.socket().getOutputStream())) {
                    s.socket().setSoTimeout(0);
                    return s;
                }
                why = "it did not prove the job secret";
            } catch (SocketTimeoutException e) {
                why = "it sent nothing within " + HANDSHAKE_MILLIS / 1000 + " s";
            } catch (IOException e) {
                why = "it failed: " + e.getMessage();
            }
            refused(from, server.socket().getLocalPort(), why);
            try {
                s.close();
            } catch (IOException ignored) {
                // gone either way
            }
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
