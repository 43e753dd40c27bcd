package org.detrain.algo;

import org.detrain.config.RunConfig;
import org.detrain.gossip.NeighbourGossip;

/** Builds the configured algorithm. */
public final class Algorithms {
    private Algorithms() {
    }

    public static Algorithm create(RunConfig config, NeighbourGossip gossip, GradientOracle oracle, int dim) {
        return switch (config.get("algorithm")) {
            case "dpsgd" -> new DPsgd(gossip, oracle, config.getDouble("lr"), dim);
            default -> throw new IllegalStateException("algorithm " + config.get("algorithm"));
        };
    }
}
