package org.detrain.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.detrain.config.RunConfig;
import org.detrain.data.FashionMnist;
import org.detrain.data.Partition;
import org.detrain.data.Partitioner;
import org.detrain.io.H5Group;
import org.detrain.io.ExternalTools;
import org.detrain.io.Hdf5Files;
import org.detrain.util.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End-to-end training runs on real MPJ ranks, checked through the metrics.h5 they write. */
class TrainingIT {
    /** Datasets that hold measured times, which differ from run to run by nature. */
    /** The measured times: every one of the loop's (MetricsSchema.RECORD_TIMES), the evaluations' and each rank's. */
    private static final Set<String> TIMINGS = timings();

    private static Set<String> timings() {
        Set<String> names = new java.util.TreeSet<>(List.of("eval_wall_time", "compute_time", "comm_wait_time"));
        for (org.detrain.results.MetricsSchema t : org.detrain.results.MetricsSchema.RECORD_TIMES) {
            names.add(t.key());
        }
        return names;
    }

    @TempDir
    Path results;

    private H5Group train(String runId, String... args) {
        List<String> all = new ArrayList<>(List.of("train", "--results", results.toString(), "--run-id", runId));
        all.addAll(List.of(args));
        Cli.Result r = Cli.run(all.toArray(String[]::new));
        assertEquals(0, r.exitCode(), r.all());
        return Hdf5Files.read(results.resolve(runId).resolve("metrics.h5"));
    }

    @Test
    void dpsgdReachesTheKnownOptimumOfANoiselessLeastSquaresProblem() {
        // b = A x* exactly, so the optimal loss is 0 and SGD's noise vanishes at x*.
        H5Group h = train("lsq", "-np", "4", "--set", "dataset=synthetic-lsq", "--set", "model=linear",
                "--set", "synthetic.features=16", "--set", "synthetic.samples=2048", "--set", "batch=16",
                "--set", "lr=0.05", "--set", "iterations=600", "--set", "log.every=50", "--set", "eval.every=10");
        double[] testLoss = h.getGroup("metrics").getDataset("test_loss", double[].class);
        assertEquals(60, testLoss.length);
        assertTrue(testLoss[0] > 1e-1, "starts far from the optimum: " + testLoss[0]);
        assertTrue(testLoss[59] < 1e-9, "reaches the optimum: " + testLoss[59]);
        double[] consensus = h.getGroup("metrics").getDataset("consensus_distance", double[].class);
        assertTrue(consensus[consensus.length - 1] < 1e-9, "models agree: " + consensus[consensus.length - 1]);
    }

    /**
     * The training objective is the averaged model's mean loss over the training samples it names:
     * recomputed here from the final models the run saved, on the whole training set
     * (eval.train.samples=0) for f(x̄), and on each rank's own shard for f_i(x_i).
     */
    @Test
    void theTrainingObjectiveIsTheAveragedModelsLossOnTheTrainingSet() {
        String[] sets = {"--set", "dataset=synthetic-hlsq", "--set", "partition=auto", "--set", "model=linear",
                "--set", "synthetic.samples=200", "--set", "synthetic.features=8", "--set", "lr=0.02",
                "--set", "iterations=40", "--set", "eval.every=20", "--set", "eval.train.samples=0"};
        H5Group h = train("objective", concat(new String[] {"-np", "4"}, sets));
        H5Group m = h.getGroup("metrics");
        double[] objective = m.getDataset("train_objective", double[].class);
        double[][] local = m.getDataset("local_train_objective", double[][].class);
        double[] localMean = m.getDataset("local_train_objective_mean", double[].class);
        assertEquals(2, objective.length);

        List<String> overrides = new ArrayList<>();
        for (int k = 1; k < sets.length; k += 2) {
            overrides.add(sets[k]);
        }
        org.detrain.runner.RunPlan plan = org.detrain.runner.RunPlan.build(RunConfig.load(null, overrides), 4);
        org.detrain.model.Model model = plan.newModel();
        float[] averaged = h.getGroup("models").getDataset("averaged", float[].class);
        float[][] models = h.getGroup("models").getDataset("local", float[][].class);
        org.detrain.data.Samples train = plan.train();
        assertEquals(meanLoss(model, averaged, train, allOf(train.size())), objective[1], 1e-12 * objective[1]);
        double sum = 0;
        for (int r = 0; r < 4; r++) {
            double own = meanLoss(model, models[r], train, plan.partition().shard(r));
            assertEquals(own, local[1][r], 1e-12 * own, "rank " + r);
            sum += own;
        }
        assertEquals(sum / 4, localMean[1], 1e-12 * localMean[1]);
        assertTrue(objective[1] < objective[0], "the objective falls: " + objective[0] + " -> " + objective[1]);
    }

    private static int[] allOf(int size) {
        int[] all = new int[size];
        for (int i = 0; i < size; i++) {
            all[i] = i;
        }
        return all;
    }

    private static double meanLoss(org.detrain.model.Model model, float[] params, org.detrain.data.Samples data,
                                   int[] indices) {
        org.detrain.model.Batch batch = new org.detrain.model.Batch(indices.length, data.featureCount());
        batch.fill(data, indices, 0, indices.length);
        double[] acc = new double[2];
        model.evaluate(params, batch, acc);
        return acc[0] / indices.length;
    }

    @Test
    void multicoreAndNiodevGiveBitIdenticalResults() {
        String[] common = {"-np", "4", "--set", "topology=torus", "--set", "iterations=30", "--set", "log.every=5",
                "--set", "eval.every=15", "--set", "partition.shuffled=25", "--set", "batch=16"};
        H5Group multicore = train("mc", concat(common, "--transport", "multicore"));
        H5Group niodev = train("nio", concat(common, "--transport", "niodev"));
        assertEquals("multicore", multicore.getAttribute("mpj_device", String.class));
        assertEquals("niodev", niodev.getAttribute("mpj_device", String.class));
        assertSameResults(multicore, niodev);
    }

    @Test
    void sameConfigAndSeedGiveBitIdenticalResultsAndAnotherSeedDoesNot() {
        String[] common = {"-np", "3", "--set", "dataset=synthetic-lsq", "--set", "model=linear", "--set",
                "iterations=40", "--set", "log.every=10", "--set", "partition.shuffled=50"};
        H5Group a = train("a", common);
        H5Group b = train("b", common);
        assertSameResults(a, b);
        H5Group c = train("c", concat(common, "--set", "seed=2"));
        assertTrue(!java.util.Arrays.deepEquals(a.getGroup("metrics").getDataset("train_loss", double[][].class),
                c.getGroup("metrics").getDataset("train_loss", double[][].class)), "another seed, another run");
    }

    /**
     * One time accounting: the summary, the rank 0 log and {@code detrain report} print the training
     * time the file's last record holds, and the loop's parts add up to its wall time.
     */
    @Test
    void theSummaryTheLogAndTheReportShowTheSameTrainingTime() throws Exception {
        Cli.Result r = Cli.run("train", "--results", results.toString(), "--run-id", "times", "-np", "2",
                "--set", "iterations=30", "--set", "log.every=10", "--set", "eval.every=10", "--set", "checkpoint.every=15");
        assertEquals(0, r.exitCode(), r.all());
        H5Group m = Hdf5Files.read(results.resolve("times/metrics.h5")).getGroup("metrics");
        double[] training = m.getDataset("training_time", double[].class);
        double seconds = training[training.length - 1];
        String text = String.format("%.3f s of training", seconds);
        assertTrue(r.out().contains("in " + text), text + " in the summary: " + r.out());
        String log = Files.readString(results.resolve("times/log/rank-0.log"));
        assertTrue(log.contains("done: 30 iterations: " + text), text + " in the log: " + log);
        assertEquals(seconds, org.detrain.report.RunResult.read(results.resolve("times/metrics.h5")).time());
        int last = training.length - 1;
        double parts = seconds;
        for (String part : List.of("eval_time", "record_time", "metrics_io_time", "checkpoint_time")) {
            double v = m.getDataset(part, double[].class)[last];
            assertTrue(v > 0 || part.equals("metrics_io_time"), part + " = " + v);
            parts += v;
        }
        assertEquals(m.getDataset("wall_time", double[].class)[last], parts, 1e-9);
    }

    @Test
    void resultsRecordProvenanceTopologyAndPartition() {
        H5Group h = train("prov", "-np", "8", "--set", "iterations=12", "--set", "partition.shuffled=0",
                "--set", "log.every=4", "--set", "eval.every=12", "--set", "eval.local=false");
        assertEquals("complete", h.getAttribute("status", String.class));
        assertEquals(8L, h.getAttribute("ranks", Long.class));
        assertEquals(8, h.getAttribute("hosts", String[].class).length);
        assertArrayEquals(new String[] {"java", "java", "java", "java", "java", "java", "java", "java"},
                h.getAttribute("compute_devices", String[].class));
        assertTrue(h.getAttribute("git_commit", String.class).matches("[0-9a-f]{40}|unknown"));
        H5Group topo = h.getGroup("topology");
        assertEquals("ring(8)", topo.getAttribute("name", String.class));
        // Metropolis on a ring is uniform 1/3: lambda2 = (1 + 2 cos(2 pi / 8)) / 3
        double lambda2 = (1 + 2 * Math.cos(2 * Math.PI / 8)) / 3;
        assertEquals(lambda2, topo.getAttribute("lambda2", Double.class), 1e-12);
        assertEquals(1 - Math.max(lambda2, Math.abs((1 + 2 * Math.cos(Math.PI)) / 3)),
                topo.getAttribute("spectral_gap", Double.class), 1e-12);
        // The recorded class counts are those of the paper's partition with X = 0.
        int[] labels = FashionMnist.load(Cli.home().resolve("data/fashion-mnist")).train().labels();
        Partition expected = Partitioner.shuffledFraction(labels, 8, 0, Rng.of(1, "partition", 0));
        int[][] counts = expected.classCounts(labels, 10);
        long[][] recorded = h.getGroup("partition").getDataset("class_counts", long[][].class);
        for (int r = 0; r < 8; r++) {
            for (int c = 0; c < 10; c++) {
                assertEquals(counts[r][c], recorded[r][c], "rank " + r + " class " + c);
            }
            long classes = java.util.Arrays.stream(recorded[r]).filter(v -> v > 0).count();
            assertTrue(classes == 1 || classes == 2, "X = 0 leaves each rank one or two classes");
        }
        RunConfig config = RunConfig.fromFile(results.resolve("prov/config.properties"));
        assertEquals(config.hash(), h.getAttribute("config_hash", String.class));
        assertEquals(Boolean.FALSE, h.getGroup("config").getAttribute("eval.local", Boolean.class));
        assertEquals(4L, h.getGroup("config").getAttribute("log.every", Long.class), "config values keep their types");
    }

    @Test
    void resultsReadWithH5dumpTheReadmeExampleAndTheH5pyScript() throws Exception {
        train("ext", "-np", "2", "--set", "iterations=20", "--set", "log.every=5", "--set", "eval.every=10");
        Path file = results.resolve("ext/metrics.h5");
        ExternalTools.Result dump = ExternalTools.h5dump(file.toString()).assertSuccess();
        assertTrue(dump.stdout().contains("DATASET \"train_loss\""), dump.stdout());
        // The README's h5py example, cut out of README.md so the docs cannot drift from the files.
        String readme = Files.readString(Cli.home().resolve("README.md"));
        int from = readme.indexOf("<!-- h5py-example -->");
        assertTrue(from >= 0, "README.md lacks the <!-- h5py-example --> block");
        int start = readme.indexOf("```python", from) + "```python".length();
        String code = readme.substring(start, readme.indexOf("```", start));
        ExternalTools.Result example = ExternalTools.python(code, file.toString()).assertSuccess();
        assertTrue(example.stdout().contains("ring(2)"), example.stdout());
        assertTrue(example.stdout().contains("test accuracy"), example.stdout());
        ExternalTools.Result script = ExternalTools.pythonScript(Cli.home().resolve("docs/examples/read_metrics.py"),
                file.toString()).assertSuccess();
        assertTrue(script.stdout().contains("spectral_gap") || script.stdout().contains("gap"), script.stdout());
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Every dataset of /metrics (but measured times), /topology and /partition equal bit for bit. */
    static void assertSameResults(H5Group a, H5Group b) {
        for (String group : List.of("metrics", "topology", "partition")) {
            H5Group ga = a.getGroup(group);
            H5Group gb = b.getGroup(group);
            assertEquals(ga.datasetNames(), gb.datasetNames());
            for (String name : ga.datasetNames()) {
                if (TIMINGS.contains(name)) {
                    continue;
                }
                assertTrue(java.util.Objects.deepEquals(ga.getDataset(name), gb.getDataset(name)),
                        "/" + group + "/" + name + " differs");
            }
        }
        assertEquals(a.getAttribute("config_hash", String.class), b.getAttribute("config_hash", String.class));
    }
}
