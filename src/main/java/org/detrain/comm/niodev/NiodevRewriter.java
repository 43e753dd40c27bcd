package org.detrain.comm.niodev;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Rewrites the bytecode of MPJ Express 0.44's niodev device ({@code xdev.niodev.NIODevice}) so that
 * its sockets go through {@link NiodevGuard}:
 * <ul>
 *   <li>{@code new InetSocketAddress(port)} (the wildcard address, in {@code bindPort}) becomes
 *       {@code new InetSocketAddress(NiodevGuard.bindAddress(), port)};</li>
 *   <li>after {@code new Socket(serverName, serverPort)} (the rendezvous with the starter) comes
 *       {@code NiodevGuard.starterConnected(socket)};</li>
 *   <li>{@code socketChannel.connect(peer)} becomes {@code NiodevGuard.connect(socketChannel, peer)};</li>
 *   <li>the body of {@code doAccept} becomes a call to {@link NiodevGuard#doAccept}.</li>
 * </ul>
 * niodev offers no option for any of this; the rest of its code is untouched. The counts say whether
 * the class is the one this was written for ({@link #EXPECTED}).
 */
public final class NiodevRewriter {
    /** The class rewritten. */
    public static final String DEVICE = "xdev.niodev.NIODevice";
    /** What MPJ Express 0.44's NIODevice contains: one bind, one rendezvous, two peer connects, one doAccept. */
    public static final Result EXPECTED = new Result(null, 1, 1, 2, 1);

    private static final String GUARD = NiodevGuard.class.getName().replace('.', '/');
    private static final String ADDRESS = "java/net/InetSocketAddress";
    private static final String SOCKET = "java/net/Socket";
    private static final String CHANNEL = "java/nio/channels/SocketChannel";
    private static final String DO_ACCEPT = "(Ljava/nio/channels/SelectableChannel;Ljava/util/Vector;Z)Z";

    /** The rewritten class and how many sites of each kind were changed. */
    public record Result(byte[] bytes, int binds, int rendezvous, int connects, int accepts) {
        /** Whether the counts are those of {@code other}. */
        public boolean sameSites(Result other) {
            return binds == other.binds && rendezvous == other.rendezvous && connects == other.connects
                    && accepts == other.accepts;
        }

        public String sites() {
            return binds + " bind(s), " + rendezvous + " rendezvous, " + connects + " connect(s), " + accepts + " doAccept";
        }
    }

    private NiodevRewriter() {
    }

    public static Result rewrite(byte[] classBytes) {
        ClassReader reader = new ClassReader(classBytes);
        String owner = reader.getClassName();
        ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
        int[] counts = new int[4];
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
                if (name.equals("doAccept") && descriptor.equals(DO_ACCEPT)) {
                    // return NiodevGuard.doAccept(server, channels, blocking, this.selector, this.nprocs);
                    mv.visitCode();
                    mv.visitVarInsn(Opcodes.ALOAD, 1);
                    mv.visitVarInsn(Opcodes.ALOAD, 2);
                    mv.visitVarInsn(Opcodes.ILOAD, 3);
                    mv.visitVarInsn(Opcodes.ALOAD, 0);
                    mv.visitFieldInsn(Opcodes.GETFIELD, owner, "selector", "Ljava/nio/channels/Selector;");
                    mv.visitVarInsn(Opcodes.ALOAD, 0);
                    mv.visitFieldInsn(Opcodes.GETFIELD, owner, "nprocs", "I");
                    mv.visitMethodInsn(Opcodes.INVOKESTATIC, GUARD, "doAccept",
                            "(Ljava/nio/channels/SelectableChannel;Ljava/util/Vector;ZLjava/nio/channels/Selector;I)Z", false);
                    mv.visitInsn(Opcodes.IRETURN);
                    mv.visitMaxs(0, 0);
                    mv.visitEnd();
                    counts[3]++;
                    return null; // the original body is dropped
                }
                return new MethodVisitor(Opcodes.ASM9, mv) {
                    @Override
                    public void visitMethodInsn(int opcode, String insnOwner, String method, String desc, boolean itf) {
                        if (opcode == Opcodes.INVOKESPECIAL && insnOwner.equals(ADDRESS) && method.equals("<init>")
                                && desc.equals("(I)V")) {
                            // stack: addr(uninit), addr(uninit), port -> ..., bindAddress, port
                            super.visitMethodInsn(Opcodes.INVOKESTATIC, GUARD, "bindAddress", "()Ljava/net/InetAddress;", false);
                            super.visitInsn(Opcodes.SWAP);
                            super.visitMethodInsn(Opcodes.INVOKESPECIAL, ADDRESS, "<init>", "(Ljava/net/InetAddress;I)V", false);
                            counts[0]++;
                        } else if (opcode == Opcodes.INVOKESPECIAL && insnOwner.equals(SOCKET) && method.equals("<init>")
                                && desc.equals("(Ljava/lang/String;I)V")) {
                            super.visitMethodInsn(opcode, insnOwner, method, desc, itf);
                            super.visitInsn(Opcodes.DUP); // the new, now connected socket
                            super.visitMethodInsn(Opcodes.INVOKESTATIC, GUARD, "starterConnected", "(Ljava/net/Socket;)V", false);
                            counts[1]++;
                        } else if (opcode == Opcodes.INVOKEVIRTUAL && insnOwner.equals(CHANNEL) && method.equals("connect")
                                && desc.equals("(Ljava/net/SocketAddress;)Z")) {
                            super.visitMethodInsn(Opcodes.INVOKESTATIC, GUARD, "connect",
                                    "(Ljava/nio/channels/SocketChannel;Ljava/net/SocketAddress;)Z", false);
                            counts[2]++;
                        } else {
                            super.visitMethodInsn(opcode, insnOwner, method, desc, itf);
                        }
                    }
                };
            }
        }, 0);
        return new Result(writer.toByteArray(), counts[0], counts[1], counts[2], counts[3]);
    }
}
