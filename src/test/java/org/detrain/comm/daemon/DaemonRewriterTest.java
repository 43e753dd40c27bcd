package org.detrain.comm.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/** The rewrite of MPJ Express 0.44's daemon classes, checked on the real jar (Debian's libmpj-java). */
class DaemonRewriterTest {
    private static final Path JAR = Path.of("/usr/share/mpj/lib/daemon.jar");

    private static byte[] classBytes(String name) throws IOException {
        assertTrue(Files.isRegularFile(JAR), JAR + " is missing: apt-get install libmpj-java (scripts/deps.sh)");
        try (JarFile jar = new JarFile(JAR.toFile());
             InputStream in = jar.getInputStream(jar.getEntry(name.replace('.', '/') + ".class"))) {
            return in.readAllBytes();
        }
    }

    /** Every method call in the class, as owner.name+descriptor. */
    private static List<String> calls(byte[] bytes) {
        List<String> out = new ArrayList<>();
        new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String sig, String[] ex) {
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMethodInsn(int op, String owner, String method, String d, boolean itf) {
                        out.add(owner + "." + method + d);
                    }
                };
            }
        }, 0);
        return out;
    }

    private static long count(List<String> calls, String call) {
        return calls.stream().filter(call::equals).count();
    }

    @Test
    void daemonMainSocketIsBoundToTheGuardsAddressAndItsAcceptsGoThroughTheGuard() throws IOException {
        byte[] original = classBytes("runtime.daemon.MPJDaemon");
        List<String> before = calls(original);
        assertEquals(1, count(before, "java/net/ServerSocket.<init>(I)V"), "MPJ 0.44 binds all interfaces once");
        assertEquals(1, count(before, "java/net/ServerSocket.accept()Ljava/net/Socket;"));

        DaemonRewriter.Result r = DaemonRewriter.rewrite(original);
        assertEquals(1, r.serverSockets());
        assertEquals(1, r.accepts());
        List<String> after = calls(r.bytes());
        assertEquals(0, count(after, "java/net/ServerSocket.<init>(I)V"));
        assertEquals(0, count(after, "java/net/ServerSocket.accept()Ljava/net/Socket;"));
        assertEquals(1, count(after, "java/net/ServerSocket.<init>(IILjava/net/InetAddress;)V"));
        assertEquals(1, count(after, "org/detrain/comm/daemon/DaemonGuard.bindAddress()Ljava/net/InetAddress;"));
        assertEquals(1, count(after, "org/detrain/comm/daemon/DaemonGuard.accept(Ljava/net/ServerSocket;)Ljava/net/Socket;"));
        // Nothing else changed: the same calls, less the two rewritten, plus their replacements.
        List<String> expected = new ArrayList<>(before);
        expected.replaceAll(c -> c.equals("java/net/ServerSocket.<init>(I)V")
                ? "java/net/ServerSocket.<init>(IILjava/net/InetAddress;)V" : c);
        expected.replaceAll(c -> c.equals("java/net/ServerSocket.accept()Ljava/net/Socket;")
                ? "org/detrain/comm/daemon/DaemonGuard.accept(Ljava/net/ServerSocket;)Ljava/net/Socket;" : c);
        List<String> withoutBindAddress = new ArrayList<>(after);
        withoutBindAddress.remove("org/detrain/comm/daemon/DaemonGuard.bindAddress()Ljava/net/InetAddress;");
        assertEquals(expected, withoutBindAddress);
    }

    @Test
    void portManagerSocketsAreRewrittenToo() throws IOException {
        DaemonRewriter.Result thread = DaemonRewriter.rewrite(classBytes("runtime.daemon.PortManagerThread"));
        assertEquals(1, thread.serverSockets());
        assertEquals(1, thread.accepts());
        DaemonRewriter.Result probe = DaemonRewriter.rewrite(classBytes("runtime.daemon.PortManager"));
        assertEquals(1, probe.serverSockets());
        assertEquals(0, probe.accepts());
    }

    @Test
    void classesWithoutServerSocketsAreLeftAlone() throws IOException {
        byte[] original = classBytes("runtime.daemon.OutputHandler");
        DaemonRewriter.Result r = DaemonRewriter.rewrite(original);
        assertEquals(0, r.serverSockets() + r.accepts());
        assertEquals(calls(original), calls(r.bytes()));
    }
}
