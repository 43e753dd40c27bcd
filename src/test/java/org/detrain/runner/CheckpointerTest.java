package org.detrain.runner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.detrain.algo.AlgorithmState;
import org.detrain.config.RunConfig;
import org.detrain.data.BatchSampler;
import org.detrain.io.CheckpointStore;
import org.detrain.io.H5Group;
import org.detrain.results.LaunchInfo;
import org.detrain.util.DetrainException;
import org.detrain.util.Rng;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One rank's save and restore through a real store, on a world of one rank. */
class CheckpointerTest {
    @TempDir
    Path dir;

    private RunPlan plan;
    private LaunchInfo launch;
    private CheckpointStore store;
    private int[] shard;

    @BeforeEach
    void setUp() {
        RunConfig config = RunConfig.load(null, List.of("dataset=synthetic-lsq", "model=linear", "synthetic.samples=64",
                "synthetic.features=4", "batch=4"));
        plan = RunPlan.build(config, 1);
        launch = new LaunchInfo("run", 1, "multicore", "0", "abc", false, "then", "host", "cmd");
        store = new CheckpointStore(dir.resolve("ckpt"));
        shard = plan.partition().shard(0);
    }

    private Checkpointer checkpointer(int keep) {
        return new Checkpointer(store, new SoloComm(), plan.config().hash(), launch, keep);
    }

    private SamplingOracle oracle() {
        return new SamplingOracle(plan.newModel(), plan.train(), new BatchSampler(shard, 4, Rng.of(1, "sampler", 0)), null);
    }

    private MetricsLog metrics() {
        return new MetricsLog(plan, launch, new String[] {"h"}, new String[] {"java"}, new org.detrain.algo.Algorithm() {
            public String name() {
                return "probe";
            }

            public void init(AlgorithmState state) {
            }

            public double step(AlgorithmState state, long t) {
                return 0;
            }
        }, true);
    }

    /** A state with values derived from their index, and an oracle that has drawn 5 batches. */
    private static AlgorithmState state(long iteration) {
        AlgorithmState s = new AlgorithmState();
        float[] x = s.buffer("x", 4);
        float[] y = s.buffer("y", 3);
        for (int k = 0; k < 4; k++) {
            x[k] = 0.1f * k - 1;
        }
        y[2] = Float.MIN_VALUE;
        s.setScalar("w", 0.125);
        s.setIteration(iteration);
        return s;
    }

    @Test
    void restoreGivesBackStateSamplerCarriedValuesAndMetrics() {
        SamplingOracle oracle = oracle();
        float[] grad = new float[4];
        for (int i = 0; i < 5; i++) {
            oracle.gradient(new float[4], grad);
        }
        MetricsLog metrics = metrics();
        metrics.launchedAt(0);
        metrics.recordStep(5, 0.3, new LoopClock.Times(1.5, 0.25, 0.125, 0.0625, 0.5), 0.25, 0.125,
                new double[] {1, 2, 3, 4, 5, 6});
        metrics.recordEval(5, 0.3, 1.6, 0.5, Double.NaN, 0.45, new double[] {0.7, Double.NaN, 0.4});
        Checkpointer.Carried carried = new Checkpointer.Carried(0.75, 3, 1024, 8, 0.1, 0.2,
                new LoopClock.Times(2.5, 0.5, 0.25, 0.125, 0.375));
        checkpointer(2).save(5, "periodic", state(5), oracle.sampler(), carried, metrics);
        assertEquals(List.of(5L), store.completeIterations());

        AlgorithmState fresh = new AlgorithmState();
        fresh.buffer("x", 4); // what init creates; "y" and "w" come from the file
        SamplingOracle restoredOracle = oracle();
        MetricsLog restoredMetrics = metrics();
        restoredMetrics.launchedAt(5);
        Checkpointer.Carried back = checkpointer(2).restore(5, fresh, restoredOracle, shard, restoredMetrics);

        assertEquals(carried, back);
        assertEquals(5, fresh.iteration());
        assertArrayEquals(state(5).buffer("x"), fresh.buffer("x"));
        assertArrayEquals(state(5).buffer("y"), fresh.buffer("y"));
        assertEquals(0.125, fresh.scalar("w"));
        int[] a = new int[4];
        int[] b = new int[4];
        for (int i = 0; i < 40; i++) { // the samplers go on identically, across pass boundaries
            oracle.sampler().next(a);
            restoredOracle.sampler().next(b);
            assertArrayEquals(a, b, "batch " + i);
        }
        H5Group before = metrics.toH5(org.detrain.results.MetricsSchema.Status.RUNNING).getGroup("metrics");
        H5Group after = restoredMetrics.toH5(org.detrain.results.MetricsSchema.Status.RUNNING).getGroup("metrics");
        assertEquals(before, after);
        String[] launches = restoredMetrics.toH5(org.detrain.results.MetricsSchema.Status.RUNNING).getAttribute("launches", String[].class);
        assertEquals(2, launches.length);
        assertTrue(launches[0].startsWith("from iteration 0:") && launches[1].startsWith("from iteration 5:"));
    }

    @Test
    void aDivergedStateIsNeverCheckpointedAndTheLastSetStays() {
        SamplingOracle oracle = oracle();
        Checkpointer c = checkpointer(2);
        c.save(5, "periodic", state(5), oracle.sampler(), Checkpointer.Carried.START, metrics());
        AlgorithmState bad = state(10);
        bad.buffer("y")[1] = Float.NaN;
        DetrainException e = assertThrows(DetrainException.class,
                () -> c.save(10, "periodic", bad, oracle.sampler(), Checkpointer.Carried.START, metrics()));
        assertEquals(DetrainException.RUN_FAILED, e.exitCode());
        assertTrue(e.getMessage().contains("'y' holds NaN or infinity at iteration 10") && e.getMessage().contains("lower lr")
                && e.getMessage().contains("last complete checkpoint (iteration 5"), e.getMessage());
        assertEquals(List.of(5L), store.completeIterations());
        assertFalse(Files.exists(store.manifest(10)));
    }

    @Test
    void aFailedWriteLeavesThePreviousSetAndSaysSo() throws Exception {
        SamplingOracle oracle = oracle();
        Checkpointer c = checkpointer(2);
        c.save(5, "periodic", state(5), oracle.sampler(), Checkpointer.Carried.START, metrics());
        Files.createFile(store.setDir(10)); // a file where the set's directory must go
        DetrainException e = assertThrows(DetrainException.class,
                () -> c.save(10, "periodic", state(10), oracle.sampler(), Checkpointer.Carried.START, metrics()));
        assertTrue(e.getMessage().startsWith("could not write the checkpoint for iteration 10:\nrank 0: "), e.getMessage());
        assertTrue(e.getMessage().contains("iteration 5") && e.getMessage().contains("is intact"), e.getMessage());
        assertEquals(List.of(5L), store.completeIterations());
    }

    @Test
    void restoreRefusesStateThatDoesNotFitTheAlgorithm() {
        checkpointer(2).save(5, "periodic", state(5), oracle().sampler(), Checkpointer.Carried.START, metrics());
        AlgorithmState other = new AlgorithmState();
        other.buffer("x", 4);
        other.buffer("tracker", 4); // this algorithm has a buffer the checkpoint lacks
        DetrainException missing = assertThrows(DetrainException.class,
                () -> checkpointer(2).restore(5, other, oracle(), shard, metrics()));
        assertTrue(missing.getMessage().contains("lacks the algorithm's state buffer 'tracker'"), missing.getMessage());

        AlgorithmState longer = new AlgorithmState();
        longer.buffer("x", 5);
        DetrainException length = assertThrows(DetrainException.class,
                () -> checkpointer(2).restore(5, longer, oracle(), shard, metrics()));
        assertTrue(length.getMessage().contains("has 4 values but this run's model needs 5"), length.getMessage());
    }

    @Test
    void keepLimitsTheSetsOnDisk() {
        Checkpointer c = checkpointer(2);
        SamplingOracle oracle = oracle();
        for (long it = 1; it <= 4; it++) {
            c.save(it, "periodic", state(it), oracle.sampler(), Checkpointer.Carried.START, metrics());
        }
        assertEquals(List.of(4L, 3L), store.completeIterations());
        assertEquals(4, c.lastComplete());
    }

    @Test
    void longTextsTravelWholeThroughTheTextCollectives() {
        String text = "é".repeat(1000);
        assertEquals(text, new SoloComm().gatherStrings(text, 0)[0]);
        assertEquals(text, new SoloComm().broadcastString(text, 0));
        String tooLong = "é".repeat(3000); // 6000 bytes: cut to whole characters within the limit
        assertEquals("é".repeat(org.detrain.comm.Communicator.TEXT_BYTES / 2), new SoloComm().gatherStrings(tooLong, 0)[0]);
        assertEquals("a" + "é".repeat(2047), new SoloComm().broadcastString("a" + "é".repeat(2100), 0));
    }
}
