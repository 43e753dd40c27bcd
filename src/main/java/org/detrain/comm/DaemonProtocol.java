package org.detrain.comm;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a launcher and {@code detrain daemon} say to each other over one TCP connection, after the
 * launcher proved the job secret ({@link JobSecret}, purpose {@link #PURPOSE}):
 * <ol>
 *   <li>launcher → daemon: a {@link Request}: the ranks to start on the daemon's host, the job's
 *       size, the rendezvous to register with, the working directory, JVM options and the rank
 *       program's arguments;</li>
 *   <li>daemon → launcher: frames (kind, rank, text) — {@link #STARTED} ("pid P on host H"),
 *       {@link #OUTPUT} (a line the rank printed), {@link #EXITED} (its exit code),
 *       {@link #FAILED} (it could not be started) — until every rank has exited.</li>
 * </ol>
 * When the connection closes early (the launcher is gone), the daemon kills the ranks it started
 * for it.
 */
final class DaemonProtocol {
    static final String PURPOSE = "detrain-daemon";
    static final int VERSION = 1;
    static final byte STARTED = 'S';
    static final byte OUTPUT = 'O';
    static final byte EXITED = 'X';
    static final byte FAILED = 'F';
    /** Longest output line relayed (writeUTF holds at most 64 KiB). */
    static final int MAX_LINE = 16_000;

    private DaemonProtocol() {
    }

    /** What the launcher asks one daemon to start. */
    record Request(int size, List<Integer> ranks, String rendezvousHost, int rendezvousPort, String workDir,
                   List<String> jvmOptions, List<String> programArgs) {
        void write(DataOutputStream out) throws IOException {
            out.writeInt(VERSION);
            out.writeInt(size);
            out.writeInt(ranks.size());
            for (int r : ranks) {
                out.writeInt(r);
            }
            out.writeUTF(rendezvousHost);
            out.writeInt(rendezvousPort);
            out.writeUTF(workDir);
            writeList(out, jvmOptions);
            writeList(out, programArgs);
            out.flush();
        }

        static Request read(DataInputStream in) throws IOException {
            int version = in.readInt();
            if (version != VERSION) {
                throw new IOException("protocol version " + version + ", this daemon speaks " + VERSION
                        + " (launcher and daemon from different detrain versions)");
            }
            int size = in.readInt();
            int count = in.readInt();
            if (size < 1 || count < 1 || count > size) {
                throw new IOException("bad rank count " + count + " of " + size);
            }
            List<Integer> ranks = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int r = in.readInt();
                if (r < 0 || r >= size) {
                    throw new IOException("bad rank " + r);
                }
                ranks.add(r);
            }
            String host = in.readUTF();
            int port = in.readInt();
            String workDir = in.readUTF();
            return new Request(size, ranks, host, port, workDir, readList(in), readList(in));
        }
    }

    static void frame(DataOutputStream out, byte kind, int rank, String text) throws IOException {
        synchronized (out) {
            out.writeByte(kind);
            out.writeInt(rank);
            out.writeUTF(text.length() > MAX_LINE ? text.substring(0, MAX_LINE) + " [cut]" : text);
            out.flush();
        }
    }

    private static void writeList(DataOutputStream out, List<String> items) throws IOException {
        out.writeInt(items.size());
        for (String s : items) {
            out.writeUTF(s);
        }
    }

    private static List<String> readList(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > 10_000) {
            throw new IOException("bad list length " + n);
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(in.readUTF());
        }
        return out;
    }
}
