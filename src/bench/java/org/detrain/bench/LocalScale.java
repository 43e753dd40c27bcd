package org.detrain.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import org.detrain.comm.local.LocalWorld;
import org.detrain.runner.TrainingRun;

/**
 * What MPJ's multicore device costs at scale, measured by taking it away: runs the ranks of a run
 * directory ({@code config.properties} and {@code run.properties}, as {@code detrain train} wrote
 * them) as threads of this JVM over the in-process communicator ({@code comm.local}), with the
 * same {@link TrainingRun} as under MPJ, and prints the wall time from here to the end. Start-up
 * and loop times are in the run's {@code log/rank-N.log} and {@code metrics.h5}, as for an MPJ run.
 * For docs/scaling.md; not a way to run jobs (no launcher, no supervision).
 *
 * <pre>
 *   java --add-modules=jdk.incubator.vector -cp 'target/detrain.jar:target/detrain-bench.jar:target/lib/*' \
 *       org.detrain.bench.LocalScale RUN_DIR RANKS [TIMEOUT_SECONDS]
 * </pre>
 */
public final class LocalScale {
    private LocalScale() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: LocalScale RUN_DIR RANKS [TIMEOUT_SECONDS]");
            System.exit(2);
        }
        Path runDir = Path.of(args[0]).toAbsolutePath();
        int ranks = Integer.parseInt(args[1]);
        double timeout = args.length > 2 ? Double.parseDouble(args[2]) : 120;
        Files.createDirectories(runDir.resolve("log"));
        Files.createDirectories(runDir.resolve("status"));
        long start = System.nanoTime();
        new LocalWorld(ranks, timeout).run(new TrainingRun(), new String[] {runDir.toString()});
        System.out.printf("%d ranks on comm.local: %.2f s from start to end%n", ranks, (System.nanoTime() - start) / 1e9);
    }
}
