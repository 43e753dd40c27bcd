package org.detrain.runner;

import org.detrain.algo.Algorithm;
import org.detrain.algo.AlgorithmState;
import org.detrain.algo.Algorithms;
import org.detrain.algo.GradientOracle;
import org.detrain.algo.Context;
import org.detrain.algo.StepSize;
import org.detrain.comm.Communicator;
import org.detrain.config.RunConfig;
import org.detrain.config.TrainingSettings;
import org.detrain.data.BatchSampler;
import org.detrain.kernel.AparapiVectorOps;
import org.detrain.kernel.ComputeDevice;
import org.detrain.kernel.JavaVectorOps;
import org.detrain.kernel.VectorOps;
import org.detrain.model.Model;
import org.detrain.util.Rng;

/**
 * One rank's share of a run, wired from the plan: its model, sampler and gradient oracle, the
 * algorithm (which builds its own gossip endpoints from the rank's row of W), and the algorithm's
 * state at x^0.
 */
public final class RankSetup {
    public final RunPlan plan;
    public final Model model;
    public final int dim;
    final SamplingOracle oracle;
    public final VectorOps ops;
    public final Algorithm algorithm;
    public final AlgorithmState state;
    /** Where this rank's kernels run, as recorded in the results. */
    public final String computeDevice;

    public RankSetup(RunPlan plan, Communicator comm) {
        this.plan = plan;
        int rank = comm.rank();
        RunConfig config = plan.config();
        TrainingSettings training = config.training();
        long seed = training.seed();
        ComputeDevice device = ComputeDevice.select(config.model().device(), config.model().threads());
        this.model = plan.newModel(device);
        this.dim = model.dim();
        this.ops = device.kind() == ComputeDevice.Kind.JAVA ? JavaVectorOps.INSTANCE : new AparapiVectorOps(device);
        // every kernel of this rank runs on one device (ComputeDevice refuses fallbacks); name both if they differ
        this.computeDevice = model.device().equals(ops.device()) ? ops.device()
                : "model=" + model.device() + ";vector=" + ops.device();
        int[] shard = plan.partition().shard(rank);
        boolean exact = training.exactGradient();
        BatchSampler sampler = new BatchSampler(shard, exact ? shard.length : training.batch(),
                Rng.of(seed, "sampler", rank));
        this.oracle = new SamplingOracle(model, plan.train(), sampler, exact ? shard : null);
        this.state = new AlgorithmState();
        model.initialize(state.buffer("x", dim), Rng.of(seed, "model-init", 0)); // the same x^0 on every rank
        Context context = new Context(config, ops, comm, plan.mixing(), plan.spectrum(), plan.choices(), oracle, dim,
                StepSize.from(config, plan.iterationsPerEpoch()));
        this.algorithm = Algorithms.create(context, state);
        algorithm.init(state);
    }

    /** The rank's stochastic gradient (draws its next mini-batch on each call). */
    public GradientOracle gradientOracle() {
        return oracle;
    }

    /** Releases the model's and the vector arithmetic's device resources (OpenCL kernels, threads). */
    void close() {
        model.close();
        if (ops instanceof AparapiVectorOps aparapi) {
            aparapi.close();
        }
    }
}
