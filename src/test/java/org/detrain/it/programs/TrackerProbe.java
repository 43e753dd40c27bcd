package org.detrain.it.programs;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.detrain.algo.AlgorithmState;
import org.detrain.comm.Communicator;
import org.detrain.comm.RankProgram;
import org.detrain.config.RunConfig;
import org.detrain.runner.RankSetup;
import org.detrain.runner.RunPlan;

/**
 * Args: dir, iterations, then config overrides (key=value). Runs the configured DeTAG on real ranks
 * and, after every iteration, has rank 0 write "t phaseEnded relativeGap" to dir/tracker.txt, where
 * relativeGap = ‖Σ_i y_i − Σ_i g_prev_i‖ / ‖Σ_i g_prev_i‖ (the tracker's average against the average
 * of the latest buffered phase gradients).
 */
public final class TrackerProbe implements RankProgram {
    private Path dir;

    @Override
    public void run(Communicator comm, String[] args) throws Exception {
        dir = Path.of(args[0]);
        int iterations = Integer.parseInt(args[1]);
        List<String> overrides = new ArrayList<>(List.of(args).subList(2, args.length));
        RunConfig config = RunConfig.load(null, overrides);
        RankSetup setup = new RankSetup(RunPlan.build(config, comm.size()), comm);
        AlgorithmState state = setup.state;
        int dim = setup.dim;
        StringBuilder out = new StringBuilder();
        for (long t = 0; t < iterations; t++) {
            long phaseStart = (long) state.scalar("phase_start");
            setup.algorithm.step(state, t);
            boolean ended = (long) state.scalar("phase_start") != phaseStart;
            double[] sums = new double[2 * dim];
            float[] y = state.buffer("y");
            float[] g = state.buffer("g_prev");
            for (int k = 0; k < dim; k++) {
                sums[k] = y[k];
                sums[dim + k] = g[k];
            }
            comm.allreduceSum(sums);
            double diff = 0;
            double norm = 0;
            for (int k = 0; k < dim; k++) {
                diff += (sums[k] - sums[dim + k]) * (sums[k] - sums[dim + k]);
                norm += sums[dim + k] * sums[dim + k];
            }
            out.append(t).append(' ').append(ended).append(' ').append(Math.sqrt(diff / Math.max(norm, 1e-300)))
                    .append('\n');
        }
        if (comm.rank() == 0) {
            Files.writeString(dir.resolve("tracker.txt"), out, StandardCharsets.UTF_8);
        }
        comm.barrier();
        ProbeSupport.done(dir, comm.rank());
    }

    @Override
    public void reportFailure(int rank, Throwable failure) {
        ProbeSupport.failed(dir, rank, failure);
    }
}
