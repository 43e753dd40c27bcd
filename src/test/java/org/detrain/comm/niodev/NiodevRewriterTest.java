package org.detrain.comm.niodev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/** The rewrite of MPJ Express 0.44's niodev device, checked on the real jar (Debian's libmpj-java). */
class NiodevRewriterTest {
    private static final Path JAR = Path.of("/usr/share/mpj/lib/mpj-0.44.jar");

    private static byte[] device() throws IOException {
        try (JarFile jar = new JarFile(JAR.toFile());
             InputStream in = jar.getInputStream(jar.getEntry("xdev/niodev/NIODevice.class"))) {
            return in.readAllBytes();
        }
    }

    @Test
    void everySocketOfNiodevGoesThroughTheGuard() throws IOException {
        NiodevRewriter.Result r = NiodevRewriter.rewrite(device());
        assertTrue(r.sameSites(NiodevRewriter.EXPECTED), r.sites());
        String text = new String(r.bytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(text.contains("org/detrain/comm/niodev/NiodevGuard"), "calls the guard");
    }

    @Test
    void theRankLoaderRewritesTheDeviceAndItVerifies() throws Exception {
        // as in a rank JVM: MPJ in a loader of its own (the verifier checks the new code against MPJ's fields)
        try (RankBoot.RankLoader loader = new RankBoot.RankLoader(new java.net.URL[] {JAR.toUri().toURL()},
                NiodevRewriterTest.class.getClassLoader())) {
            Class<?> device = Class.forName(NiodevRewriter.DEVICE, true, loader);
            assertEquals(loader, device.getClassLoader());
            assertTrue(loader.rewritten.sameSites(NiodevRewriter.EXPECTED), loader.rewritten.sites());
            device.getDeclaredConstructor().newInstance();
        }
    }

    @Test
    void anotherClassIsNotMistakenForNiodev() throws IOException {
        byte[] other;
        try (JarFile jar = new JarFile(JAR.toFile());
             InputStream in = jar.getInputStream(jar.getEntry("xdev/niodev/NIORequest.class"))) {
            other = in.readAllBytes();
        }
        assertTrue(!NiodevRewriter.rewrite(other).sameSites(NiodevRewriter.EXPECTED));
    }
}
