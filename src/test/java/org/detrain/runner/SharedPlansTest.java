package org.detrain.runner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.detrain.config.RunConfig;
import org.detrain.data.Samples;
import org.detrain.util.DetrainException;
import org.junit.jupiter.api.Test;

/**
 * The per-JVM plan cache the multicore ranks share: built once however many ranks ask at the same
 * time, and the same values, bit for bit, as the plan a rank used to build for itself; and the
 * per-rank plan of a niodev rank, which holds only its own shard's images.
 */
class SharedPlansTest {
    private static RunConfig config(String... settings) {
        return RunConfig.load(null, List.of(settings));
    }

    private static final RunConfig LOGREG = config("dataset=synthetic-logreg", "partition=auto", "model=logistic",
            "synthetic.samples=64", "synthetic.features=5", "batch=4", "algorithm=detag");

    @Test
    void ranksAskingAtOnceGetOnePlanBuiltOnce() throws Exception {
        int ranks = 32;
        AtomicInteger builds = new AtomicInteger();
        SharedPlans.Key key = new SharedPlans.Key("built-once-probe", 4, Path.of("/probe")); // no other test's plan
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(ranks);
        try {
            List<Future<RunPlan>> asked = new ArrayList<>();
            for (int r = 0; r < ranks; r++) {
                asked.add(pool.submit(() -> {
                    start.await();
                    return SharedPlans.get(key, () -> {
                        builds.incrementAndGet();
                        sleep(200); // long enough for every other rank to arrive while it builds
                        return RunPlan.build(LOGREG, 4);
                    });
                }));
            }
            start.countDown();
            RunPlan first = asked.get(0).get(60, TimeUnit.SECONDS);
            for (Future<RunPlan> f : asked) {
                assertSame(first, f.get(60, TimeUnit.SECONDS));
            }
            assertEquals(1, builds.get());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theSharedPlanHasTheBitsOfAPlanBuiltAlone() {
        RunPlan shared = SharedPlans.get(LOGREG, 4);
        assertSame(shared, SharedPlans.get(LOGREG, 4));
        assertNotSame(shared, SharedPlans.get(LOGREG, 8)); // another rank count is another plan
        assertSamePlan(RunPlan.build(LOGREG, 4), shared, true);
        RunConfig dpsgd = config("dataset=synthetic-hlsq", "partition=auto", "model=linear", "synthetic.samples=32",
                "gossip.rounds=3", "gossip.eta=auto");
        assertSamePlan(RunPlan.build(dpsgd, 6), SharedPlans.get(dpsgd, 6), true);
    }

    @Test
    void aFailedBuildFailsItsWaitersButNotTheNextRun() {
        SharedPlans.Key key = new SharedPlans.Key("probe", 3, Path.of("/nowhere"));
        DetrainException bad = DetrainException.badInput("no data");
        assertSame(bad, assertThrows(DetrainException.class, () -> SharedPlans.get(key, () -> {
            throw bad;
        })));
        RunPlan plan = RunPlan.build(LOGREG, 3);
        assertSame(plan, SharedPlans.get(key, () -> plan));
    }

    @Test
    void aNiodevRankHoldsOnlyItsShardsImagesWithTheSameValues() {
        Path dir = Files.isDirectory(Path.of("data/fashion-mnist")) ? Path.of("data/fashion-mnist")
                : Path.of("/usr/share/datasets/fashion-mnist");
        assumeTrue(Files.isDirectory(dir), "no Fashion-MNIST: run make data");
        RunConfig config = config("dataset.dir=" + dir.toAbsolutePath(), "partition.shuffled=25", "batch=16");
        int ranks = 8;
        int rank = 5;
        RunPlan full = RunPlan.build(config, ranks);
        RunPlan mine = RunPlan.forRank(config, ranks, rank);
        assertSamePlan(full, mine, false);
        // what the rank reads: its shard and its share of the samples the training objective is measured on
        java.util.Set<Integer> held = new java.util.TreeSet<>();
        for (int i : mine.partition().shard(rank)) {
            held.add(i);
        }
        for (int i : Measurements.objectiveSlice(full.train().size(), config.loop().evalTrainSamples(), ranks, rank)) {
            held.add(i);
        }
        float[] a = new float[full.train().featureCount()];
        float[] b = new float[a.length];
        for (int i : held) {
            full.train().copyFeatures(i, a, 0);
            mine.train().copyFeatures(i, b, 0);
            assertArrayEquals(a, b, "sample " + i);
        }
        int other = 0;
        while (held.contains(other)) {
            other++;
        }
        int notHeld = other;
        assertThrows(IllegalStateException.class, () -> mine.train().copyFeatures(notHeld, b, 0));
        for (int i = 0; i < full.train().size(); i++) {
            assertEquals(full.train().label(i), mine.train().label(i));
        }
    }

    /** Everything but the training features (compared whole when {@code features}). */
    private static void assertSamePlan(RunPlan expected, RunPlan actual, boolean features) {
        assertEquals(expected.graph(), actual.graph());
        assertEquals(expected.mixing(), actual.mixing());
        assertArrayEquals(expected.spectrum().eigenvalues(), actual.spectrum().eigenvalues(), 0.0);
        assertEquals(expected.choices(), actual.choices());
        assertEquals(expected.partition(), actual.partition());
        assertArrayEquals(expected.trainLabels(), actual.trainLabels());
        assertArrayEquals(expected.optimum(), actual.optimum(), 0.0);
        assertEquals(expected.iterations(), actual.iterations());
        assertEquals(expected.iterationsPerEpoch(), actual.iterationsPerEpoch());
        assertSameSamples(expected.test(), actual.test());
        assertEquals(expected.train().size(), actual.train().size());
        if (features) {
            assertSameSamples(expected.train(), actual.train());
        }
    }

    private static void assertSameSamples(Samples expected, Samples actual) {
        assertEquals(expected.size(), actual.size());
        assertEquals(expected.featureCount(), actual.featureCount());
        assertEquals(expected.classCount(), actual.classCount());
        float[] a = new float[expected.featureCount()];
        float[] b = new float[a.length];
        for (int i = 0; i < expected.size(); i++) {
            expected.copyFeatures(i, a, 0);
            actual.copyFeatures(i, b, 0);
            assertArrayEquals(a, b);
            assertEquals(expected.target(i), actual.target(i));
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
