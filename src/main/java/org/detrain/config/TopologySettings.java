package org.detrain.config;

import java.nio.file.Path;

/**
 * The keys that make the communication graph and its mixing matrix ({@code topology*},
 * {@code weights*}), typed. Built once per {@link RunConfig}: {@link RunConfig#topology()}.
 *
 * @param name            {@code topology}: ring, torus, complete, ..., or file
 * @param rows            {@code topology.rows}: torus rows, 0 to factor the rank count
 * @param cols            {@code topology.cols}: torus columns, 0 to factor the rank count
 * @param edgeProbability {@code topology.p}: Erdős–Rényi edge probability
 * @param edgeFile        {@code topology.file}: the edge list for topology=file, "" when unset
 * @param weights         {@code weights}: metropolis, lazy or uniform
 * @param kappa           {@code weights.kappa}: W ← κW + (1 − κ)I
 */
public record TopologySettings(String name, int rows, int cols, double edgeProbability, String edgeFile, String weights,
                               double kappa) {
    static TopologySettings from(RunConfig c) {
        return new TopologySettings(c.get("topology"), c.getInt("topology.rows"), c.getInt("topology.cols"),
                c.getDouble("topology.p"), c.get("topology.file"), c.get("weights"), c.getDouble("weights.kappa"));
    }

    /** {@code topology.file} as a path, or null when it is unset. */
    public Path edgeFilePath() {
        return edgeFile.isEmpty() ? null : Path.of(edgeFile);
    }
}
