package org.detrain.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.detrain.config.RunConfig;
import org.detrain.data.BatchSampler;
import org.detrain.io.H5Group;
import org.detrain.io.Hdf5Files;
import org.detrain.it.programs.AcceleratedGossipProbe;
import org.detrain.it.programs.TrackerProbe;
import org.detrain.model.Batch;
import org.detrain.model.Model;
import org.detrain.comm.Transport;
import org.detrain.launch.ProgramLauncher;
import org.detrain.runner.RunPlan;
import org.detrain.util.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The algorithms of docs/algorithms.md on real MPJ ranks (multicore), checked against closed forms
 * and independent reference computations.
 */
class AlgorithmsIT {
    @TempDir
    Path results;

    /** Heterogeneous least squares, exact (full-batch) gradients, constant step. */
    private static final String[] HLSQ = {"--set", "dataset=synthetic-hlsq", "--set", "model=linear", "--set",
            "gradient.exact=true", "--set", "synthetic.samples=64", "--set", "synthetic.features=16", "--set", "lr=0.05"};

    private H5Group train(String runId, int ranks, String... args) {
        List<String> all = new ArrayList<>(List.of("train", "-np", Integer.toString(ranks), "--results",
                results.toString(), "--run-id", runId));
        all.addAll(List.of(args));
        Cli.Result r = Cli.run(all.toArray(String[]::new));
        assertEquals(0, r.exitCode(), r.all());
        return Hdf5Files.read(results.resolve(runId).resolve("metrics.h5"));
    }

    private static double lastOptimumDistance(H5Group h) {
        double[] d = h.getGroup("metrics").getDataset("optimum_distance", double[].class);
        return d[d.length - 1];
    }

    private static String[] with(String[] base, String... more) {
        String[] out = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, out, base.length, more.length);
        return out;
    }

    @ParameterizedTest(name = "{0} on {1} of {2}")
    @CsvSource({"dsgt, ring, 8, 1500", "dsgt, torus, 9, 1500", "d2, ring, 8, 1500", "d2, torus, 9, 1500",
            "detag, ring, 8, 1500", "detag, torus, 9, 1500", "defacto, ring, 8, 8000", "defacto, torus, 9, 4000"})
    void trackingAndExactAveragingReachTheOptimumOnHeterogeneousData(String algorithm, String topology, int ranks,
                                                                      int iterations) {
        // Lazy weights: D² needs lambda_min(W) > -1/3, which Metropolis weights on an even ring miss.
        H5Group h = train(algorithm + "-" + topology, ranks, with(HLSQ, "--set", "algorithm=" + algorithm, "--set",
                "topology=" + topology, "--set", "weights=lazy", "--set", "iterations=" + iterations,
                "--set", "log.every=100", "--set", "eval.every=" + iterations, "--set", "eval.local=false",
                "--set", "detag.R=2"));
        double distance = lastOptimumDistance(h);
        assertTrue(distance < 1e-5, algorithm + " on " + topology + ": ||x̄ − x*||/||x*|| = " + distance);
    }

    @Test
    void gradientTrackingReachesTheNewtonOptimumOfRegularisedLogisticRegression() {
        H5Group h = train("logreg", 6, "--set", "dataset=synthetic-logreg", "--set", "model=logistic", "--set",
                "model.l2=0.05", "--set", "gradient.exact=true", "--set", "synthetic.samples=64", "--set",
                "synthetic.features=8", "--set", "synthetic.heterogeneity=1", "--set", "algorithm=dsgt", "--set",
                "lr=0.5", "--set", "iterations=1500", "--set", "log.every=100", "--set", "eval.every=1500",
                "--set", "eval.local=false");
        double distance = lastOptimumDistance(h);
        assertTrue(distance < 1e-5, "||x̄ − x*||/||x*|| = " + distance);
        double accuracy = h.getGroup("metrics").getDataset("test_accuracy", double[].class)[0];
        assertTrue(accuracy > 0.6 && accuracy < 1, "a classifier, better than chance: " + accuracy);
    }

    @Test
    void moreGossipRoundsPerIterationTightenConsensusAndAccelerationTightensItMore() {
        double[] consensus = new double[3];
        String[][] variants = {{"--set", "gossip.rounds=1"}, {"--set", "gossip.rounds=3", "--set", "gossip.eta=0"},
                {"--set", "gossip.rounds=3", "--set", "gossip.eta=auto"}};
        for (int v = 0; v < 3; v++) {
            H5Group h = train("rounds" + v, 8, with(with(HLSQ, "--set", "iterations=400", "--set", "log.every=100",
                    "--set", "eval.every=400", "--set", "eval.local=false", "--set", "weights=lazy"), variants[v]));
            double[] c = h.getGroup("metrics").getDataset("consensus_distance", double[].class);
            consensus[v] = c[c.length - 1];
        }
        assertTrue(consensus[1] < 0.5 * consensus[0] && consensus[2] < consensus[1],
                "consensus distance for 1 round, 3 plain, 3 accelerated: " + java.util.Arrays.toString(consensus));
    }

    @Test
    void dpsgdStallsAtAFloorThatGrowsWithHeterogeneity() {
        double[] floors = new double[3];
        double[] heterogeneity = {0.25, 1, 4};
        for (int k = 0; k < 3; k++) {
            H5Group h = train("dpsgd-het" + k, 8, with(HLSQ, "--set", "weights=lazy", "--set", "iterations=1500",
                    "--set", "log.every=100", "--set", "eval.every=1500", "--set", "eval.local=false",
                    "--set", "synthetic.heterogeneity=" + heterogeneity[k]));
            double[] d = h.getGroup("metrics").getDataset("optimum_distance", double[].class);
            floors[k] = d[d.length - 1];
            assertEquals(floors[k], d[d.length - 5], 1e-3 * floors[k], "stalled: no longer moving");
        }
        assertTrue(floors[0] > 1e-4, "a floor, not convergence: " + floors[0]);
        assertTrue(floors[1] > 2 * floors[0] && floors[2] > 2 * floors[1],
                "the floor grows with heterogeneity: " + java.util.Arrays.toString(floors));
    }

    @ParameterizedTest(name = "{0} lazy ring of 16")
    @CsvSource({"ring, lazy, 1", "torus, metropolis, 1", "ring, lazy, 0.1"})
    void acceleratedGossipKeepsTheMeanAndContractsLikeTheAcceleratedRate(String topology, String weights,
                                                                           String kappa) throws Exception {
        Path dir = results.resolve("ag");
        runProbe(16, AcceleratedGossipProbe.class.getName(), dir, topology, weights, kappa, "40");
        List<String> lines = Files.readAllLines(dir.resolve("ag.txt"));
        double lambda = Double.parseDouble(lines.get(0).split(" ")[1]);
        double accelerated = 1 - Math.sqrt(1 - lambda);
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(" ");
            int rounds = Integer.parseInt(f[0]);
            double plain = Double.parseDouble(f[1]);
            double ag = Double.parseDouble(f[2]);
            double drift = Double.parseDouble(f[3]);
            assertTrue(drift < 1e-5, "the average moved by " + drift + " after " + rounds + " rounds");
            assertTrue(plain <= Math.pow(lambda, rounds) * (1 + 1e-4) + 1e-6,
                    "plain gossip contracts at most like lambda^R: R=" + rounds + " ratio " + plain);
            assertTrue(ag <= 2.5 * Math.pow(accelerated, rounds) + 1e-6,
                    "AG within a small constant of (1 - sqrt(1 - lambda))^R: R=" + rounds + " ratio " + ag);
        }
        // Compare where plain gossip is still far above float noise: the first R with lambda^R < 1e-3.
        int compareAt = Math.min(40, (int) Math.ceil(Math.log(1e-3) / Math.log(lambda)));
        String[] at = lines.get(compareAt).split(" ");
        assertTrue(Double.parseDouble(at[2]) < 0.5 * Double.parseDouble(at[1]),
                "AG is well ahead of plain gossip at R=" + compareAt + ": " + lines.get(compareAt));
    }

    @Test
    void detagTrackerAverageEqualsTheAverageOfTheLatestPhaseGradients() throws Exception {
        Path dir = results.resolve("tracker");
        runProbe(6, TrackerProbe.class.getName(), dir, "30", "dataset=synthetic-hlsq", "model=linear",
                "algorithm=detag", "detag.R=3", "detag.eta=auto", "batch=8", "synthetic.samples=64", "lr=0.02",
                "momentum=0.5");
        List<String> lines = Files.readAllLines(dir.resolve("tracker.txt"));
        assertEquals(30, lines.size());
        int phaseEnds = 0;
        for (String line : lines) {
            String[] f = line.split(" ");
            if (Boolean.parseBoolean(f[1])) {
                phaseEnds++;
            }
            if (Integer.parseInt(f[0]) >= 2) { // from the first phase end on
                assertTrue(Double.parseDouble(f[2]) < 1e-5, "tracker average off at t=" + line);
            }
        }
        assertEquals(10, phaseEnds, "R = 3: a phase ends every third iteration");
    }

    @Test
    void detagWithOnePhaseStepAndNoAccelerationIsGradientTrackingWithAOnePhaseLag() {
        int n = 4;
        int iterations = 25;
        String[] args = with(HLSQ, "--set", "algorithm=detag", "--set", "detag.R=1", "--set", "detag.eta=0",
                "--set", "iterations=" + iterations, "--set", "eval.local=false");
        float[][] run = train("detag-r1", n, args).getGroup("models").getDataset("local", float[][].class);

        RunConfig config = config(n, args);
        RunPlan plan = RunPlan.build(config, n);
        Model model = plan.newModel();
        int d = model.dim();
        float alpha = (float) config.getDouble("lr");
        float[][] x = new float[n][d];
        float[][] y = new float[n][d];
        float[][] gPrev = new float[n][d];
        for (int t = 0; t < iterations; t++) {
            // x^{t+1} = W x^t − α W y^t ;  y^{t+1} = W y^t + g(x^t) − g(x^{t−1})   (g(x^{−1}) = 0, y^0 = 0)
            float[][] wx = mix(plan, x);
            float[][] wy = mix(plan, y);
            for (int i = 0; i < n; i++) {
                float[] g = exactGradient(plan, model, i, x[i]);
                for (int k = 0; k < d; k++) {
                    x[i][k] = wx[i][k] + -alpha * wy[i][k];
                    y[i][k] = (wy[i][k] + g[k]) + -1f * gPrev[i][k];
                }
                gPrev[i] = g;
            }
        }
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < d; k++) {
                assertEquals(x[i][k], run[i][k], 1e-6 * Math.max(1, Math.abs(x[i][k])), "rank " + i + " coordinate " + k);
            }
        }
    }

    @Test
    void defactoIteratesAreCentralizedMiniBatchSgdOnTheSameSamples() {
        int n = 6;
        int batch = 8;
        String[] args = {"--set", "dataset=synthetic-hlsq", "--set", "model=linear", "--set", "synthetic.samples=64",
                "--set", "algorithm=defacto", "--set", "lr=0.05", "--set", "batch=" + batch, "--set", "topology=torus",
                "--set", "eval.local=false"};
        RunConfig config = config(n, with(args, "--set", "iterations=1"));
        RunPlan plan = RunPlan.build(config, n);
        int factors = 2 * new org.detrain.gossip.TreeAverage(plan.graph()).height();
        int cycles = 6;
        float[][] run = train("defacto", n, with(args, "--set", "iterations=" + 2 * factors * cycles))
                .getGroup("models").getDataset("local", float[][].class);

        Model model = plan.newModel();
        int d = model.dim();
        BatchSampler[] samplers = new BatchSampler[n];
        for (int i = 0; i < n; i++) {
            samplers[i] = new BatchSampler(plan.partition().shard(i), batch, Rng.of(config.getLong("seed"), "sampler", i));
        }
        double[] x = new double[d];
        Batch b = new Batch(batch, d);
        int[] idx = new int[batch];
        float[] g = new float[d];
        for (int c = 0; c < cycles; c++) {
            // x ← x − α·(1/(n·R)) Σ_i Σ_r g_i(x; the batch rank i drew at compute step r)
            float[] xf = new float[d];
            for (int k = 0; k < d; k++) {
                xf[k] = (float) x[k];
            }
            double[] sum = new double[d];
            for (int i = 0; i < n; i++) {
                for (int r = 0; r < factors; r++) {
                    samplers[i].next(idx);
                    b.fill(plan.train(), idx, 0, batch);
                    model.lossAndGradient(xf, b, g);
                    for (int k = 0; k < d; k++) {
                        sum[k] += g[k];
                    }
                }
            }
            for (int k = 0; k < d; k++) {
                x[k] -= 0.05 * sum[k] / (n * factors);
            }
        }
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < d; k++) {
                assertEquals(x[k], run[i][k], 1e-5 * Math.max(1, Math.abs(x[k])), "rank " + i + " coordinate " + k);
            }
        }
    }

    @Test
    void sgpMatchesDpsgdOnASymmetricGraphAndReachesConsensusOnADirectedOne() {
        String[] homogeneous = with(HLSQ, "--set", "synthetic.heterogeneity=0", "--set", "iterations=1500",
                "--set", "log.every=100", "--set", "eval.every=1500", "--set", "eval.local=false");
        double dpsgd = lastOptimumDistance(train("dpsgd-sym", 6, with(homogeneous, "--set", "algorithm=dpsgd")));
        double sgpSym = lastOptimumDistance(train("sgp-sym", 6, with(homogeneous, "--set", "algorithm=sgp",
                "--set", "sgp.graph=topology", "--set", "weights=uniform")));
        assertTrue(dpsgd < 1e-5 && sgpSym < 1e-5, "both reach x*: dpsgd " + dpsgd + ", sgp " + sgpSym);

        // 6 ranks: not a power of two; the one-peer exponential graph is directed and time-varying.
        H5Group directed = train("sgp-exp", 6, with(homogeneous, "--set", "algorithm=sgp", "--set",
                "sgp.graph=exponential"));
        double[] consensus = directed.getGroup("metrics").getDataset("consensus_distance", double[].class);
        assertTrue(consensus[consensus.length - 1] < 1e-10 && consensus[0] > 1e3 * consensus[consensus.length - 1],
                "de-biased models reach consensus: " + consensus[0] + " -> " + consensus[consensus.length - 1]);
        assertTrue(lastOptimumDistance(directed) < 1e-5, "and the optimum: " + lastOptimumDistance(directed));
    }

    @Test
    void d2RefusesAMixingMatrixWithEigenvaluesAtOrBelowMinusOneThird() throws Exception {
        Cli.Result r = Cli.run("train", "-np", "16", "--results", results.toString(), "--set", "algorithm=d2",
                "--set", "topology=torus", "--set", "dataset=synthetic-hlsq", "--set", "model=linear");
        assertEquals(2, r.exitCode(), r.all());
        assertTrue(r.err().contains("-1/3") && r.err().contains("weights=lazy"), r.err());
        try (var s = Files.list(results)) {
            assertEquals(0, s.count(), "nothing written");
        }
    }

    private static RunConfig config(int n, String[] args) {
        List<String> overrides = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--set")) {
                overrides.add(args[++i]);
            }
        }
        return RunConfig.load(null, overrides);
    }

    /** out_i = v_i + Σ_j w_ij·(v_j − v_i) in float, neighbours ascending (as the ranks do). */
    private static float[][] mix(RunPlan plan, float[][] v) {
        int n = v.length;
        int d = v[0].length;
        float[][] out = new float[n][d];
        for (int i = 0; i < n; i++) {
            int[] peers = plan.graph().neighbours(i);
            double[] w = plan.mixing().neighbourWeights(i);
            for (int k = 0; k < d; k++) {
                float s = v[i][k];
                for (int j = 0; j < peers.length; j++) {
                    s += (float) w[j] * (v[peers[j]][k] - v[i][k]);
                }
                out[i][k] = s;
            }
        }
        return out;
    }

    private static float[] exactGradient(RunPlan plan, Model model, int rank, float[] at) {
        int[] shard = plan.partition().shard(rank);
        Batch b = new Batch(shard.length, model.dim());
        b.fill(plan.train(), shard, 0, shard.length);
        float[] g = new float[model.dim()];
        model.lossAndGradient(at, b, g);
        return g;
    }

    private static void runProbe(int ranks, String program, Path dir, String... args) throws Exception {
        Files.createDirectories(dir);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ProgramLauncher.run(Cli.home(), ranks, Transport.MULTICORE, program, 60, List.of(args), dir, new PrintStream(out, true));
    }
}
