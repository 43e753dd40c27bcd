package org.detrain.runner;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.detrain.comm.local.LocalWorld;
import org.detrain.config.RunConfig;
import org.detrain.model.Batch;
import org.junit.jupiter.api.Test;

/**
 * DeTAG with its defaults (detag.R = auto, detag.eta = auto) at the default lr trains and does not
 * diverge, on the README's own example and on every topology and weight scheme: in-process ranks
 * (comm.local) running the real set-up of a run. The old defaults (R = 1 with the theory's η) blew
 * up on the README example; {@link #theOldDefaultsDivergeWhereTheNewOnesTrain} keeps that visible.
 */
class DetagDefaultsTest {
    private static final Path QUICKSTART = Path.of("jobs/quickstart.properties");

    /** Runs {@code iterations} steps on every rank; returns f(x̄) on 2000 training samples, or +∞ if any loss blew up. */
    private static double train(RunConfig config, int ranks, int iterations) {
        RunPlan plan = RunPlan.build(config, ranks);
        AtomicReference<Double> objective = new AtomicReference<>(Double.NaN);
        LocalWorld.run(ranks, 60, comm -> {
            RankSetup setup = new RankSetup(plan, comm);
            boolean finite = true;
            for (long t = 0; t < iterations && finite; t++) {
                finite = Double.isFinite(setup.algorithm.step(setup.state, t));
            }
            double[] flag = {finite ? 0 : 1};
            comm.allreduceSum(flag); // every rank goes on to the same collectives
            float[] average = new float[setup.dim];
            float[] own = setup.algorithm.model(setup.state);
            Measurements.consensusAndAverage(comm, own, average, setup.dim, true);
            double f = Measurements.meanLossSplit(comm, setup.model, average, plan.train(),
                    Measurements.evenlySpaced(plan.train().size(), 2000), new Batch(500, plan.train().featureCount()));
            if (comm.rank() == 0) {
                objective.set(flag[0] > 0 || !Double.isFinite(f) ? Double.POSITIVE_INFINITY : f);
            }
            setup.close();
        });
        return objective.get();
    }

    private static RunConfig config(Path file, String... sets) {
        return RunConfig.load(file, List.of(sets));
    }

    /** README: bin/detrain train -np 16 --config jobs/quickstart.properties --set algorithm=detag (one epoch). */
    @Test
    void theReadmeExampleTrainsOnSixteenRanks() {
        double f = train(config(QUICKSTART, "algorithm=detag"), 16, 117);
        // measured 0.99 after this epoch (DSGT: 0.73; docs/results/detag-settings.md): trained, far from 2.30
        assertTrue(f < 1.2, "softmax regression starts at f = ln 10 = 2.30; DeTAG's defaults reached " + f);
    }

    @Test
    void theOldDefaultsDivergeWhereTheNewOnesTrain() {
        // R = 1 with the theory's eta (0.52 on this 16-ring): the phase multiplies the eigenvalue -1/3 by -1.03
        double old = train(config(QUICKSTART, "algorithm=detag", "detag.R=1", "detag.eta=0.5215",
                "gossip.allow.unstable=true"), 16, 117);
        assertTrue(old > 10, "the old defaults blew up (or nearly): f = " + old);
    }

    @Test
    void defaultsTrainOnEveryTopologyAndWeightScheme() {
        List<String> failures = new ArrayList<>();
        int runs = 0;
        for (String topology : List.of("ring", "torus", "complete", "star", "path", "hypercube", "exponential",
                "erdos-renyi")) {
            for (String weights : List.of("metropolis", "lazy", "uniform")) {
                boolean regular = !topology.equals("star") && !topology.equals("path") && !topology.equals("erdos-renyi");
                if (weights.equals("uniform") && !regular) {
                    continue; // uniform weights need a regular graph (refused before launch)
                }
                RunConfig c = config(null, "algorithm=detag", "dataset=synthetic-logreg", "model=logistic",
                        "partition=auto", "synthetic.samples=256", "topology=" + topology, "weights=" + weights);
                double start = train(config(null, "algorithm=detag", "dataset=synthetic-logreg", "model=logistic",
                        "partition=auto", "synthetic.samples=256", "topology=" + topology, "weights=" + weights,
                        "iterations=0"), 8, 0);
                double end = train(c, 8, 300);
                runs++;
                if (!(end < start)) {
                    failures.add(topology + "/" + weights + ": f " + start + " -> " + end);
                }
            }
        }
        assertTrue(failures.isEmpty(), failures.toString());
        assertTrue(runs >= 19, "runs " + runs);
    }
}
