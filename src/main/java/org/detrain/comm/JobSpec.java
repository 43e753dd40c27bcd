package org.detrain.comm;

import java.util.List;
import java.util.Objects;

/**
 * A job to start: {@code ranks} MPJ ranks deployed as {@code deployment}, each running
 * {@code programClass} (a {@link RankProgram}) with {@code programArgs}, every wait for a peer
 * bounded by {@code commTimeout} seconds; {@code jvmOptions} go to the JVM(s) that hold the ranks.
 */
public record JobSpec(Deployment deployment, int ranks, String programClass, double commTimeout,
                      List<String> jvmOptions, List<String> programArgs) {
    public JobSpec {
        Objects.requireNonNull(deployment, "deployment");
        Objects.requireNonNull(programClass, "programClass");
        jvmOptions = List.copyOf(jvmOptions);
        programArgs = List.copyOf(programArgs);
    }

    public Transport transport() {
        return deployment.transport();
    }
}
