package org.detrain.comm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.detrain.util.DetrainException;

/**
 * What a launcher needs on disk: the MPJ Express home that {@code make mpj} assembles and the jars
 * that {@code make build} writes. Debian's {@code mpjrun} is not used (it is broken as packaged):
 * {@link MpjJob} and {@link DaemonService} start the job's JVMs themselves.
 */
public record MpjInstallation(Path mpjHome, Path coreJar, Path rankJar, List<Path> libs) {
    private static final List<String> MPJ_JARS =
            List.of("starter.jar", "daemon.jar", "mpj.jar", "mpi.jar", "mpjdev.jar", "niodev.jar", "smpdev.jar");

    public MpjInstallation {
        libs = List.copyOf(libs);
    }

    /** Finds them under a detrain checkout; a clear error says which `make` target is missing. */
    public static MpjInstallation locate(Path detrainHome) {
        Path mpjHome = detrainHome.resolve("build/mpj");
        for (String jar : MPJ_JARS) {
            if (!Files.isRegularFile(mpjHome.resolve("lib").resolve(jar))) {
                throw DetrainException.badInput("MPJ Express is not set up (" + mpjHome.resolve("lib").resolve(jar)
                        + " is missing): run `make mpj` (as root it installs the Debian package libmpj-java)");
            }
        }
        Path target = detrainHome.resolve("target");
        Path core = target.resolve("detrain.jar");
        Path rank = target.resolve("detrain-rank.jar");
        Path libDir = target.resolve("lib");
        if (!Files.isRegularFile(core) || !Files.isRegularFile(rank) || !Files.isDirectory(libDir)) {
            throw DetrainException.badInput("detrain is not built (" + core + " or " + rank + " missing): run `make build`");
        }
        List<Path> libs;
        try (Stream<Path> s = Files.list(libDir)) {
            libs = s.filter(p -> p.toString().endsWith(".jar")).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw DetrainException.badInput("cannot list " + libDir + ": " + e.getMessage() + "; run `make build`", e);
        }
        return new MpjInstallation(mpjHome, core, rank, libs);
    }

    /** One of MPJ Express's own jars. */
    Path mpjJar(String name) {
        return mpjHome.resolve("lib").resolve(name);
    }

    /**
     * Core jar, libraries, and whatever {@code DETRAIN_CLASSPATH} adds (user plugins: their own
     * RankPrograms or models; the tests' own rank programs).
     */
    String appClassPath() {
        List<String> parts = new ArrayList<>();
        parts.add(coreJar.toString());
        libs.forEach(p -> parts.add(p.toString()));
        String extra = System.getenv("DETRAIN_CLASSPATH");
        if (extra == null) {
            extra = System.getProperty("detrain.classpath");
        }
        if (extra != null && !extra.isBlank()) {
            parts.add(extra);
        }
        return String.join(":", parts);
    }

    /** The java binary of this JVM, for the JVMs the launcher starts (the multicore JVM, ranks). */
    static String javaBinary() {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return Files.isExecutable(java) ? java.toString() : "java";
    }
}
