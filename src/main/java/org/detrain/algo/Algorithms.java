package org.detrain.algo;

import org.detrain.config.RunConfig;
import org.detrain.gossip.NeighbourGossip;
import org.detrain.kernel.VectorOps;

/** Builds the configured algorithm. */
public final class Algorithms {
    private Algorithms() {
    }

    public static Algorithm create(RunConfig config, VectorOps ops, NeighbourGossip gossip, GradientOracle oracle, int dim) {
        return switch (config.get("algorithm")) {
            case "dpsgd" -> new DPsgd(ops, gossip, oracle, config.getDouble("lr"), dim);
            default -> throw new IllegalStateException("algorithm " + config.get("algorithm"));
        };
    }
}
