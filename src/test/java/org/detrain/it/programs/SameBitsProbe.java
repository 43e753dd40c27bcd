package org.detrain.it.programs;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.detrain.comm.Communicator;
import org.detrain.comm.RankProgram;
import org.detrain.config.RunConfig;
import org.detrain.runner.RankSetup;
import org.detrain.runner.RunPlan;

/**
 * Args: dir, iterations, algorithms (comma-separated), then config overrides (key=value). For each
 * algorithm, builds the rank as the runner does (RankSetup: sampler, oracle, Algorithms.create) and
 * runs the iterations; each rank writes dir/&lt;algorithm&gt;-&lt;rank&gt;.bits: one line per iteration
 * with the raw bits of its x (and its mini-batch loss), so runs on two transports compare bit for bit.
 */
public final class SameBitsProbe implements RankProgram {
    private Path dir;

    @Override
    public void run(Communicator comm, String[] args) throws Exception {
        dir = Path.of(args[0]);
        int iterations = Integer.parseInt(args[1]);
        for (String algorithm : args[2].split(",")) {
            List<String> overrides = new ArrayList<>(List.of(args).subList(3, args.length));
            overrides.add("algorithm=" + algorithm);
            RunConfig config = RunConfig.load(null, overrides);
            RankSetup setup = new RankSetup(RunPlan.build(config, comm.size()), comm);
            StringBuilder out = new StringBuilder();
            for (long t = 0; t < iterations; t++) {
                double loss = setup.algorithm.step(setup.state, t);
                out.append(Long.toHexString(Double.doubleToRawLongBits(loss)));
                for (float v : setup.algorithm.model(setup.state)) {
                    out.append(' ').append(Integer.toHexString(Float.floatToRawIntBits(v)));
                }
                out.append('\n');
            }
            Files.writeString(dir.resolve(algorithm + "-" + comm.rank() + ".bits"), out, StandardCharsets.UTF_8);
            comm.barrier();
        }
        ProbeSupport.done(dir, comm.rank());
    }

    @Override
    public void reportFailure(int rank, Throwable failure) {
        ProbeSupport.failed(dir, rank, failure);
    }
}
