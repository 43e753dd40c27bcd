package org.detrain.comm.niodev;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.detrain.comm.LauncherWatch;

/**
 * Main class of a niodev rank JVM, started by the launcher itself (ranks on its host) or by
 * {@code detrain daemon} (ranks on other hosts) — never by MPJ's daemon:
 * <pre>
 *   MPJ_HOME=... java -cp detrain.jar:libs org.detrain.comm.niodev.RankBoot \
 *       RANK SIZE RENDEZVOUS_HOST RENDEZVOUS_PORT BIND_ADDRESS SECRET_FILE RANK_JAR PROGRAM_ARGS...
 * </pre>
 * It watches its standard input (the launcher's pipe, {@link LauncherWatch}), loads MPJ Express
 * (mpj.jar) and the rank jar in a class loader of their own that rewrites niodev's device class
 * ({@link NiodevRewriter}), and calls {@code org.detrain.comm.mpj.RankMain} with the arguments
 * MPJ's own Wrapper would pass: the rank, the job description niodev parses (process count,
 * protocol switch limit, the rendezvous' host and port) and the device name.
 */
public final class RankBoot {
    /** niodev's protocol switch limit (MPJ's default, 128 KiB). */
    static final int PROTOCOL_SWITCH_LIMIT = 128 * 1024;
    private static final String RANK_MAIN = "org.detrain.comm.mpj.RankMain";
    /** Loaded from the rank's own loader first: MPJ Express and detrain's MPJ-facing code. */
    private static final List<String> RANK_PACKAGES = List.of("mpi.", "mpjdev.", "xdev.", "mpjbuf.", "org.detrain.comm.mpj.");
    static final int FIXED_ARGS = 7;

    private RankBoot() {
    }

    public static void main(String[] args) throws Throwable {
        if (args.length < FIXED_ARGS) {
            System.err.println("usage: RankBoot RANK SIZE RENDEZVOUS_HOST RENDEZVOUS_PORT BIND_ADDRESS SECRET_FILE RANK_JAR ARGS...");
            System.exit(2);
        }
        String rank = args[0];
        LauncherWatch.start("detrain niodev rank " + rank);
        System.setProperty(NiodevGuard.BIND, args[4]);
        System.setProperty(NiodevGuard.SECRET, args[5]);
        System.setProperty(NiodevGuard.RANK, rank);
        String home = System.getenv("MPJ_HOME");
        URL[] urls = {Path.of(args[6]).toUri().toURL(), Path.of(home, "lib", "mpj.jar").toUri().toURL()};
        RankLoader loader = new RankLoader(urls, RankBoot.class.getClassLoader());
        Class.forName(NiodevRewriter.DEVICE, false, loader);
        NiodevRewriter.Result sites = loader.rewritten;
        if (sites == null || !sites.sameSites(NiodevRewriter.EXPECTED)) {
            System.err.println("detrain rank " + rank + ": the niodev classes in " + home + "/lib/mpj.jar are not those of"
                    + " MPJ Express 0.44 (found " + (sites == null ? "none" : sites.sites()) + ", expected "
                    + NiodevRewriter.EXPECTED.sites() + "); install libmpj-java 0.44 and run `make mpj`");
            System.exit(3);
        }
        String job = "#temp line;#Number of Processes;" + args[1] + ";#Protocol Switch Limit;" + PROTOCOL_SWITCH_LIMIT
                + ";#Server Name;" + args[2] + ";#Server Port;" + args[3];
        List<String> mpjArgs = new ArrayList<>(List.of(rank, job, "niodev"));
        mpjArgs.addAll(Arrays.asList(args).subList(FIXED_ARGS, args.length));
        Thread.currentThread().setContextClassLoader(loader);
        try {
            Class.forName(RANK_MAIN, true, loader).getMethod("main", String[].class)
                    .invoke(null, (Object) mpjArgs.toArray(String[]::new));
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
        System.out.flush();
        System.exit(0); // niodev may leave threads behind after Finalize
    }

    /** Child-first for MPJ and the rank jar; rewrites niodev's device class as it loads it. */
    static final class RankLoader extends URLClassLoader {
        volatile NiodevRewriter.Result rewritten;

        RankLoader(URL[] urls, ClassLoader parent) {
            super(urls, parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (RANK_PACKAGES.stream().noneMatch(name::startsWith)) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    c = findClass(name);
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            if (!name.equals(NiodevRewriter.DEVICE)) {
                return super.findClass(name);
            }
            URL url = findResource(name.replace('.', '/') + ".class");
            if (url == null) {
                throw new ClassNotFoundException(name);
            }
            byte[] bytes;
            try (InputStream in = url.openStream()) {
                bytes = in.readAllBytes();
            } catch (IOException e) {
                throw new ClassNotFoundException(name, e);
            }
            NiodevRewriter.Result r = NiodevRewriter.rewrite(bytes);
            rewritten = r;
            return defineClass(name, r.bytes(), 0, r.bytes().length);
        }
    }
}
