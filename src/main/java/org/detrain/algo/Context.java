package org.detrain.algo;

import org.detrain.comm.Communicator;
import org.detrain.config.RunConfig;
import org.detrain.gossip.AcceleratedGossip;
import org.detrain.gossip.AgPolynomial;
import org.detrain.gossip.NeighbourGossip;
import org.detrain.kernel.VectorOps;
import org.detrain.topology.Graph;
import org.detrain.topology.MixingMatrix;
import org.detrain.topology.Spectrum;

/**
 * What an algorithm may use on its rank: config, arithmetic, transport, mixing row, what was chosen
 * from W for the run ({@link Algorithms#validate}), gradients, schedule.
 */
public record Context(RunConfig config, VectorOps ops, Communicator comm, MixingMatrix mixing, Spectrum spectrum,
                      Algorithms.Choices choices, GradientOracle oracle, int dim, StepSize stepSize) {

    /** A context whose choices are made here, from {@code spectrum} (for a single rank's use, e.g. in tests). */
    public Context(RunConfig config, VectorOps ops, Communicator comm, MixingMatrix mixing, Spectrum spectrum,
                   GradientOracle oracle, int dim, StepSize stepSize) {
        this(config, ops, comm, mixing, spectrum, Algorithms.choices(config, spectrum), oracle, dim, stepSize);
    }

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
     * D-PSGD's η for {@code gossip.rounds} rounds: a number, or auto = the η in [0, η_theory]
     * ({@link AcceleratedGossip#recommendedEta} of this W's λ) whose rounds contract W's
     * non-consensus modes most. (η_theory itself can make a short run of rounds expand a mode with a
     * negative eigenvalue: one round on an even ring with weights 1/3 multiplies it by −1.03.)
     */
    public static double gossipEta(RunConfig config, Spectrum spectrum) {
        String v = config.get("gossip.eta");
        if (!v.equals("auto")) {
            return Double.parseDouble(v);
        }
        return AgPolynomial.fastestEta(DetagSettings.nonConsensus(spectrum), config.getInt("gossip.rounds"),
                AcceleratedGossip.recommendedEta(spectrum.lambda()), 400);
    }
}
