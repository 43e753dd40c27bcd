package org.detrain.comm;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Repairs a bug of MPJ Express 0.44's multicore device that makes start-up grow like n⁴: smpdev
 * files every pending message and receive in a {@code HashMap} under an
 * {@code xdev.smpdev.SMPDeviceImpl$Key} (context, destination, source, tag) whose {@code hashCode()}
 * is the constant -1. Every key lands in one bucket, so each match is a linear search through all
 * pending messages, and {@code MPI.Init} posts n(n−1) of them at once (every rank sends its context
 * number to every other rank): 64 ranks started in 9 s here, 128 in 210 s, 256 never.
 *
 * <p>This rewrites that one method so it hashes the four fields {@code equals} compares (equal keys
 * still hash alike, and MPJ never iterates the maps, so matching order is unchanged). The multicore
 * JVM finds the rewritten class first on its class path ({@link MpjJob}); the rest of MPJ is
 * untouched. With it, start-up grows like n² messages, about 30 ms of CPU per rank (docs/scaling.md).
 */
public final class SmpdevKeyPatch {
    /** The class rewritten, as a class-file path inside smpdev.jar. */
    static final String KEY_CLASS = "xdev/smpdev/SMPDeviceImpl$Key";
    private static final String PROCESS_ID = "xdev/ProcessID";
    private static final String UUID = "java/util/UUID";
    /** Fields of the key, in the order they enter the hash: name and descriptor. */
    private static final String[][] FIELDS = {
        {"context", "I"}, {"tag", "I"}, {"destID", "L" + PROCESS_ID + ";"}, {"srcID", "L" + PROCESS_ID + ";"}};

    private SmpdevKeyPatch() {
    }

    /**
     * Writes the repaired key class below {@code dir} (as {@code dir/xdev/smpdev/SMPDeviceImpl$Key.class})
     * from MPJ's {@code smpdev.jar}, for the front of a multicore JVM's class path.
     *
     * @return {@code dir}, or null when smpdev.jar's key is not the one this repairs (another MPJ
     *         version): then MPJ runs as shipped
     */
    static Path write(Path smpdevJar, Path dir) throws IOException {
        byte[] original;
        try (JarFile jar = new JarFile(smpdevJar.toFile())) {
            ZipEntry entry = jar.getEntry(KEY_CLASS + ".class");
            if (entry == null) {
                return null;
            }
            try (InputStream in = jar.getInputStream(entry)) {
                original = in.readAllBytes();
            }
        }
        byte[] patched = patch(original);
        if (patched == null) {
            return null;
        }
        Path file = dir.resolve(KEY_CLASS + ".class");
        Files.createDirectories(file.getParent());
        Files.write(file, patched);
        return dir;
    }

    /**
     * The key class with {@code hashCode()} computing 31-fold over (context, tag, destID.uuid(),
     * srcID.uuid()); null if the class lacks those fields or a {@code hashCode()} to replace.
     */
    static byte[] patch(byte[] keyClass) {
        ClassReader reader = new ClassReader(keyClass);
        if (!reader.getClassName().equals(KEY_CLASS)) {
            return null;
        }
        Set<String> fields = new HashSet<>();
        boolean[] replaced = {false};
        ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
                fields.add(name + " " + descriptor);
                return super.visitField(access, name, descriptor, signature, value);
            }

            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                if (!name.equals("hashCode") || !descriptor.equals("()I")) {
                    return super.visitMethod(access, name, descriptor, signature, exceptions);
                }
                emitHashCode(super.visitMethod(access, name, descriptor, signature, exceptions));
                replaced[0] = true;
                return null; // MPJ's body (return -1) is dropped
            }
        }, 0);
        for (String[] f : FIELDS) {
            if (!fields.contains(f[0] + " " + f[1])) {
                return null;
            }
        }
        return replaced[0] ? writer.toByteArray() : null;
    }

    /** h = context; h = 31h + tag; h = 31h + destID.uuid().hashCode(); h = 31h + srcID.uuid().hashCode(). */
    private static void emitHashCode(MethodVisitor mv) {
        mv.visitCode();
        for (int k = 0; k < FIELDS.length; k++) {
            if (k > 0) {
                mv.visitIntInsn(Opcodes.BIPUSH, 31);
                mv.visitInsn(Opcodes.IMUL);
            }
            mv.visitVarInsn(Opcodes.ALOAD, 0);
            mv.visitFieldInsn(Opcodes.GETFIELD, KEY_CLASS, FIELDS[k][0], FIELDS[k][1]);
            if (FIELDS[k][1].startsWith("L")) {
                mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, PROCESS_ID, "uuid", "()L" + UUID + ";", false);
                mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, UUID, "hashCode", "()I", false);
            }
            if (k > 0) {
                mv.visitInsn(Opcodes.IADD);
            }
        }
        mv.visitInsn(Opcodes.IRETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }
}
