package org.detrain.it.programs;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.detrain.comm.Communicator;
import org.detrain.comm.RankProgram;
import org.detrain.gossip.AcceleratedGossip;
import org.detrain.gossip.NeighbourGossip;
import org.detrain.kernel.JavaVectorOps;
import org.detrain.topology.Graph;
import org.detrain.topology.MixingMatrix;
import org.detrain.topology.Topologies;
import org.detrain.util.Rng;

/**
 * Args: dir, topology, weights, kappa, maxRounds. For R = 1..maxRounds runs R steps of plain (η = 0)
 * and of accelerated gossip (η from λ) from the same rank-seeded start, and has rank 0 write
 * "R plainRatio agRatio meanDrift" lines to dir/ag.txt, where ratio = ‖z − z̄‖/‖z⁰ − z̄⁰‖ over all
 * ranks and meanDrift = max_k |z̄_k − z̄⁰_k| / max_k |z⁰_k|.
 */
public final class AcceleratedGossipProbe implements RankProgram {
    private Path dir;

    @Override
    public void run(Communicator comm, String[] args) throws Exception {
        dir = Path.of(args[0]);
        int n = comm.size();
        int rank = comm.rank();
        Graph g = Topologies.build(args[1], n, 0, 0);
        MixingMatrix w = MixingMatrix.build(g, args[2], Double.parseDouble(args[3]));
        int maxRounds = Integer.parseInt(args[4]);
        double lambda = w.spectrum().lambda();
        double s = Math.sqrt(1 - lambda * lambda);
        double eta = (1 - s) / (1 + s);
        int dim = 64;
        float[] start = new float[dim];
        Rng rng = Rng.of(7, "ag-probe", rank);
        for (int k = 0; k < dim; k++) {
            start[k] = (float) rng.nextGaussian();
        }
        NeighbourGossip gossip = new NeighbourGossip(comm, JavaVectorOps.INSTANCE, g.neighbours(rank),
                w.selfWeight(rank), w.neighbourWeights(rank), dim, 21);
        double[] startStats = deviation(comm, start, null);
        StringBuilder out = new StringBuilder();
        for (int rounds = 1; rounds <= maxRounds; rounds++) {
            double[] ratios = new double[2];
            double drift = 0;
            for (int variant = 0; variant < 2; variant++) {
                float[] z = start.clone();
                new AcceleratedGossip(gossip, JavaVectorOps.INSTANCE, variant == 0 ? 0 : eta)
                        .run(z, dim, rounds, new float[dim], new float[dim]);
                double[] stats = deviation(comm, z, startStats);
                ratios[variant] = Math.sqrt(stats[0] / startStats[0]);
                drift = Math.max(drift, stats[1]);
            }
            out.append(rounds).append(' ').append(ratios[0]).append(' ').append(ratios[1]).append(' ')
                    .append(drift).append('\n');
        }
        if (rank == 0) {
            Files.writeString(dir.resolve("ag.txt"), "lambda " + lambda + " eta " + eta + "\n" + out, StandardCharsets.UTF_8);
        }
        comm.barrier();
        ProbeSupport.done(dir, rank);
    }

    /**
     * {Σ_i ‖z_i − z̄‖², max_k |z̄_k − reference mean_k| / max |z⁰|} (every rank gets it), with the
     * mean kept in slots [2, 2 + dim) for the next call.
     */
    private static double[] deviation(Communicator comm, float[] z, double[] reference) {
        int dim = z.length;
        int n = comm.size();
        double[] sums = new double[dim];
        for (int k = 0; k < dim; k++) {
            sums[k] = z[k];
        }
        comm.allreduceSum(sums);
        double[] local = {0};
        for (int k = 0; k < dim; k++) {
            double d = z[k] - sums[k] / n;
            local[0] += d * d;
        }
        comm.allreduceSum(local);
        double[] result = new double[2 + dim + 1];
        result[0] = local[0];
        double maxAbs = 0;
        for (int k = 0; k < dim; k++) {
            result[2 + k] = sums[k] / n;
            maxAbs = Math.max(maxAbs, Math.abs(z[k]));
        }
        double[] scale = {maxAbs};
        comm.allreduceSum(scale); // a scale, not a max: only used to normalise the drift
        result[2 + dim] = reference == null ? scale[0] : reference[2 + dim];
        if (reference != null) {
            double drift = 0;
            for (int k = 0; k < dim; k++) {
                drift = Math.max(drift, Math.abs(result[2 + k] - reference[2 + k]));
            }
            result[1] = drift / (reference[2 + dim] / n);
        }
        return result;
    }

    @Override
    public void reportFailure(int rank, Throwable failure) {
        ProbeSupport.failed(dir, rank, failure);
    }
}
