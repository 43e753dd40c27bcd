package org.detrain.runner;

import org.detrain.algo.Algorithm;
import org.detrain.algo.AlgorithmState;
import org.detrain.algo.Algorithms;
import org.detrain.comm.Communicator;
import org.detrain.data.BatchSampler;
import org.detrain.gossip.NeighbourGossip;
import org.detrain.kernel.AparapiVectorOps;
import org.detrain.kernel.ComputeDevice;
import org.detrain.kernel.JavaVectorOps;
import org.detrain.kernel.VectorOps;
import org.detrain.model.Model;
import org.detrain.util.Rng;

/**
 * One rank's share of a run, wired from the plan: its model, sampler and gradient oracle, its row
 * of the mixing matrix as a gossip endpoint, the algorithm, and the algorithm's state at x^0.
 */
final class RankSetup {
    static final int GOSSIP_TAG = 11;

    final RunPlan plan;
    final Model model;
    final int dim;
    final SamplingOracle oracle;
    final VectorOps ops;
    final NeighbourGossip gossip;
    final Algorithm algorithm;
    final AlgorithmState state;
    /** Where this rank's kernels run, as recorded in the results. */
    final String computeDevice;

    RankSetup(RunPlan plan, Communicator comm) {
        this.plan = plan;
        int rank = comm.rank();
        long seed = plan.config().getLong("seed");
        ComputeDevice device = ComputeDevice.select(plan.config().get("device"), plan.config().getInt("threads"));
        this.model = plan.newModel(device);
        this.dim = model.dim();
        this.ops = device.kind() == ComputeDevice.Kind.JAVA ? JavaVectorOps.INSTANCE : new AparapiVectorOps(device);
        // every kernel of this rank runs on one device (ComputeDevice refuses fallbacks); name both if they differ
        this.computeDevice = model.device().equals(ops.device()) ? ops.device()
                : "model=" + model.device() + ";vector=" + ops.device();
        BatchSampler sampler = new BatchSampler(plan.partition().shard(rank), plan.config().getInt("batch"),
                Rng.of(seed, "sampler", rank));
        this.oracle = new SamplingOracle(model, plan.train(), sampler);
        this.gossip = new NeighbourGossip(comm, ops, plan.graph().neighbours(rank), plan.mixing().selfWeight(rank),
                plan.mixing().neighbourWeights(rank), dim, GOSSIP_TAG);
        this.algorithm = Algorithms.create(plan.config(), ops, gossip, oracle, dim);
        this.state = new AlgorithmState();
        model.initialize(state.buffer("x", dim), Rng.of(seed, "model-init", 0)); // the same x^0 on every rank
        algorithm.init(state);
    }

    /** Releases the model's and the vector arithmetic's device resources (OpenCL kernels, threads). */
    void close() {
        model.close();
        if (ops instanceof AparapiVectorOps aparapi) {
            aparapi.close();
        }
    }
}
