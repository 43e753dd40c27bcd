package org.detrain.comm.daemon;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Rewrites the bytecode of MPJ Express's daemon classes ({@code runtime.daemon.*}) so that
 * <ul>
 *   <li>{@code new ServerSocket(port)} (all interfaces) becomes
 *       {@code new ServerSocket(port, 50, DaemonGuard.bindAddress())}, and</li>
 *   <li>{@code serverSocket.accept()} becomes {@code DaemonGuard.accept(serverSocket)}, which drops
 *       connections from addresses outside the job.</li>
 * </ul>
 * MPJ 0.44's daemon offers no option for either; its code is otherwise untouched.
 */
public final class DaemonRewriter {
    private static final String SERVER_SOCKET = "java/net/ServerSocket";
    private static final String GUARD = DaemonGuard.class.getName().replace('.', '/');

    /** The rewritten class and how many call sites of each kind were changed. */
    public record Result(byte[] bytes, int serverSockets, int accepts) {
    }

    private DaemonRewriter() {
    }

    public static Result rewrite(byte[] classBytes) {
        ClassReader reader = new ClassReader(classBytes);
        ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
        int[] counts = new int[2];
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
                return new MethodVisitor(Opcodes.ASM9, mv) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String method, String desc, boolean itf) {
                        if (opcode == Opcodes.INVOKESPECIAL && owner.equals(SERVER_SOCKET) && method.equals("<init>")
                                && desc.equals("(I)V")) {
                            // stack: ServerSocket(uninit), ServerSocket(uninit), port -> add backlog and address
                            super.visitIntInsn(Opcodes.BIPUSH, DaemonGuard.BACKLOG);
                            super.visitMethodInsn(Opcodes.INVOKESTATIC, GUARD, "bindAddress",
                                    "()Ljava/net/InetAddress;", false);
                            super.visitMethodInsn(Opcodes.INVOKESPECIAL, SERVER_SOCKET, "<init>",
                                    "(IILjava/net/InetAddress;)V", false);
                            counts[0]++;
                        } else if (opcode == Opcodes.INVOKEVIRTUAL && owner.equals(SERVER_SOCKET)
                                && method.equals("accept") && desc.equals("()Ljava/net/Socket;")) {
                            super.visitMethodInsn(Opcodes.INVOKESTATIC, GUARD, "accept",
                                    "(Ljava/net/ServerSocket;)Ljava/net/Socket;", false);
                            counts[1]++;
                        } else {
                            super.visitMethodInsn(opcode, owner, method, desc, itf);
                        }
                    }
                };
            }
        }, 0);
        return new Result(writer.toByteArray(), counts[0], counts[1]);
    }
}
