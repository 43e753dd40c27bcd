package org.detrain.algo;

import org.detrain.comm.Communicator;
import org.detrain.config.RunConfig;
import org.detrain.gossip.AcceleratedGossip;
import org.detrain.gossip.NeighbourGossip;
import org.detrain.kernel.VectorOps;
import org.detrain.topology.Graph;
import org.detrain.topology.MixingMatrix;
import org.detrain.topology.Spectrum;

/** What an algorithm may use on its rank: config, arithmetic, transport, mixing row, gradients, schedule. */
public record Context(RunConfig config, VectorOps ops, Communicator comm, MixingMatrix mixing, Spectrum spectrum,
                      GradientOracle oracle, int dim, StepSize stepSize) {

    public int rank() {
        return comm.rank();
    }

    public Graph graph() {
        return mixing.graph();
    }

    /** This rank's gossip endpoint with its row of W, for payloads of up to {@code capacity} floats. */
    public NeighbourGossip gossip(int capacity, int tag) {
        int r = comm.rank();
        return new NeighbourGossip(comm, ops, mixing.graph().neighbours(r), mixing.selfWeight(r),
                mixing.neighbourWeights(r), capacity, tag);
    }

    /**
     * A config value that is either "auto" (then {@link AcceleratedGossip#recommendedEta} of this W's λ)
     * or a number.
     */
    public double etaFrom(String key) {
        String v = config.get(key);
        return v.equals("auto") ? AcceleratedGossip.recommendedEta(spectrum.lambda()) : Double.parseDouble(v);
    }
}
