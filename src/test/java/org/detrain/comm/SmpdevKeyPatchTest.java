package org.detrain.comm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repaired smpdev message key: equal keys hash alike, different keys (almost always) differ,
 * where MPJ 0.44's own key hashes every key to -1 (which made 128 multicore ranks take minutes to start).
 */
class SmpdevKeyPatchTest {
    /** Debian's libmpj-java, which `make deps` installs. */
    private static final Path MPJ_LIB = Path.of("/usr/share/mpj/lib");

    @Test
    void theRepairedKeyHashesWhatEqualsCompares(@TempDir Path dir) throws Exception {
        Path written = SmpdevKeyPatch.write(MPJ_LIB.resolve("smpdev.jar"), dir);
        assertNotNull(written, "smpdev.jar's key was not recognised");
        byte[] patched = Files.readAllBytes(dir.resolve(SmpdevKeyPatch.KEY_CLASS + ".class"));
        Constructor<?> key = keyConstructor(patched);
        Constructor<?> processId = key.getDeclaringClass().getClassLoader().loadClass("xdev.ProcessID")
                .getConstructor(UUID.class);
        Object a = processId.newInstance(new UUID(1, 2));
        Object aAgain = processId.newInstance(new UUID(1, 2)); // another object, same process
        Object b = processId.newInstance(new UUID(3, 4));

        Object k1 = key.newInstance(7, a, b, 11);
        Object k2 = key.newInstance(7, aAgain, b, 11);
        assertEquals(k1, k2);
        assertEquals(k1.hashCode(), k2.hashCode(), "equal keys must hash alike");

        Set<Integer> hashes = new HashSet<>();
        for (int tag = 0; tag < 100; tag++) {
            hashes.add(key.newInstance(7, a, b, tag).hashCode());
            hashes.add(key.newInstance(7, b, a, tag).hashCode());
        }
        assertEquals(200, hashes.size(), "keys of other tags and directions must spread over the buckets");
    }

    @Test
    void mpjsOwnKeyIsTheBrokenOneThisRepairs() throws Exception {
        byte[] original;
        try (JarFile jar = new JarFile(MPJ_LIB.resolve("smpdev.jar").toFile());
             InputStream in = jar.getInputStream(jar.getEntry(SmpdevKeyPatch.KEY_CLASS + ".class"))) {
            original = in.readAllBytes();
        }
        Constructor<?> key = keyConstructor(original);
        Constructor<?> processId = key.getDeclaringClass().getClassLoader().loadClass("xdev.ProcessID")
                .getConstructor(UUID.class);
        Object a = processId.newInstance(new UUID(1, 2));
        Object b = processId.newInstance(new UUID(3, 4));
        assertEquals(-1, key.newInstance(1, a, b, 1).hashCode());
        assertEquals(-1, key.newInstance(2, b, a, 9).hashCode());
        assertTrue(SmpdevKeyPatch.patch(original) != null);
    }

    @Test
    void anyOtherClassIsLeftAlone() throws Exception {
        byte[] other;
        try (JarFile jar = new JarFile(MPJ_LIB.resolve("smpdev.jar").toFile());
             InputStream in = jar.getInputStream(jar.getEntry("xdev/smpdev/SMPDeviceImpl.class"))) {
            other = in.readAllBytes();
        }
        assertNull(SmpdevKeyPatch.patch(other));
    }

    @Test
    void theMulticoreJvmFindsTheRepairedKeyFirst(@TempDir Path scratch) throws Exception {
        MpjInstallation mpj = new MpjInstallation(MPJ_LIB.getParent(), Path.of("detrain.jar"), Path.of("detrain-rank.jar"),
                List.of());
        List<String> cp = MpjJob.multicoreClassPath(mpj, scratch);
        Path first = Path.of(cp.get(0));
        assertTrue(Files.isRegularFile(first.resolve(SmpdevKeyPatch.KEY_CLASS + ".class")), "class path " + cp);
        assertTrue(cp.indexOf(MPJ_LIB.resolve("smpdev.jar").toString()) > 0, "MPJ's own smpdev.jar comes after it: " + cp);
    }

    /** The key's constructor from {@code keyClass}, with MPJ's xdev.jar behind it. */
    private static Constructor<?> keyConstructor(byte[] keyClass) throws Exception {
        URLClassLoader mpj = new URLClassLoader(new URL[] {MPJ_LIB.resolve("xdev.jar").toUri().toURL()}, null);
        ClassLoader withKey = new ClassLoader(mpj) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                synchronized (getClassLoadingLock(name)) {
                    if (name.equals(SmpdevKeyPatch.KEY_CLASS.replace('/', '.'))) {
                        Class<?> c = findLoadedClass(name);
                        return c != null ? c : defineClass(name, keyClass, 0, keyClass.length);
                    }
                    return super.loadClass(name, resolve);
                }
            }
        };
        Class<?> keyType = withKey.loadClass(SmpdevKeyPatch.KEY_CLASS.replace('/', '.'));
        Class<?> processIdType = withKey.loadClass("xdev.ProcessID");
        Constructor<?> c = keyType.getDeclaredConstructor(int.class, processIdType, processIdType, int.class);
        c.setAccessible(true);
        return c;
    }
}
