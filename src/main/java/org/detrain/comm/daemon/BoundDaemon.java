package org.detrain.comm.daemon;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Main class of a guarded MPJ Express daemon JVM: MPJ's own {@code runtime.daemon.MPJDaemon}, loaded
 * through a class loader that rewrites its socket calls ({@link DaemonRewriter}), so it listens on
 * one address only and refuses connections from outside the job's hosts.
 *
 * <pre>
 *   MPJ_HOME=... java -cp detrain.jar:asm.jar org.detrain.comm.daemon.BoundDaemon \
 *       --bind ADDRESS --allow ADDR,ADDR,... [--ready FILE] PORT
 * </pre>
 * Names given to --bind and --allow are resolved here, once, to addresses. Exits 2 on bad arguments
 * and 3 when the daemon's code is not what the rewriter expects (another MPJ version).
 */
public final class BoundDaemon {
    /** Daemon classes that must contain the rewritten calls: (server sockets, accepts) at least. */
    private static final List<String> CHECKED = List.of("runtime.daemon.MPJDaemon", "runtime.daemon.PortManagerThread",
            "runtime.daemon.PortManager");

    private BoundDaemon() {
    }

    public static void main(String[] args) throws Exception {
        String bind = null;
        String allow = "";
        String ready = "";
        String port = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--bind" -> bind = args[++i];
                case "--allow" -> allow = args[++i];
                case "--ready" -> ready = args[++i];
                default -> port = args[i];
            }
        }
        if (bind == null || port == null || !port.matches("\\d{1,5}")) {
            System.err.println("usage: BoundDaemon --bind ADDRESS --allow ADDR,... [--ready FILE] PORT");
            System.exit(2);
        }
        String home = System.getenv("MPJ_HOME");
        if (home == null || !Files.isRegularFile(Path.of(home, "lib", "daemon.jar"))) {
            System.err.println("detrain daemon: MPJ_HOME (" + home + ") does not hold lib/daemon.jar; run `make mpj`");
            System.exit(2);
        }
        InetAddress bindAddress = resolve(bind);
        Set<String> allowed = new LinkedHashSet<>();
        allowed.add(bindAddress.getHostAddress());
        for (String a : allow.split(",")) {
            if (!a.isBlank()) {
                for (InetAddress each : InetAddress.getAllByName(a.trim())) {
                    allowed.add(each.getHostAddress());
                }
            }
        }
        System.setProperty(DaemonGuard.BIND, bindAddress.getHostAddress());
        System.setProperty(DaemonGuard.ALLOW, String.join(",", allowed));
        System.setProperty(DaemonGuard.READY, ready);
        System.setProperty(DaemonGuard.PORT, port);
        System.out.println("detrain daemon: MPJ daemon on " + bindAddress.getHostAddress() + ":" + port
                + ", accepting connections from " + allowed);

        RewritingLoader loader = new RewritingLoader(new URL[] {Path.of(home, "lib", "daemon.jar").toUri().toURL()},
                BoundDaemon.class.getClassLoader());
        for (String name : CHECKED) {
            Class.forName(name, false, loader);
        }
        if (loader.serverSockets < 3 || loader.accepts < 2) {
            System.err.println("detrain daemon: the MPJ daemon classes in " + home + "/lib/daemon.jar are not those of"
                    + " MPJ Express 0.44 (rewrote " + loader.serverSockets + " server sockets and " + loader.accepts
                    + " accepts, expected 3 and 2); install libmpj-java 0.44 and run `make mpj`");
            System.exit(3);
        }
        Method main = Class.forName("runtime.daemon.MPJDaemon", true, loader).getMethod("main", String[].class);
        main.invoke(null, (Object) new String[] {port});
    }

    private static InetAddress resolve(String name) {
        try {
            return InetAddress.getByName(name);
        } catch (UnknownHostException e) {
            System.err.println("detrain daemon: cannot resolve the bind address '" + name + "': " + e.getMessage());
            System.exit(2);
            return null;
        }
    }

    /** Loads MPJ's daemon jar (and its Class-Path), rewriting {@code runtime.daemon.*} as it goes. */
    static final class RewritingLoader extends URLClassLoader {
        int serverSockets;
        int accepts;
        private final List<String> rewritten = new ArrayList<>();

        RewritingLoader(URL[] urls, ClassLoader parent) {
            super(urls, parent);
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            if (!name.startsWith("runtime.daemon.")) {
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
            DaemonRewriter.Result r = DaemonRewriter.rewrite(bytes);
            synchronized (this) {
                serverSockets += r.serverSockets();
                accepts += r.accepts();
                rewritten.add(name);
            }
            return defineClass(name, r.bytes(), 0, r.bytes().length);
        }
    }
}
