package org.detrain.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.detrain.comm.Transport;
import org.detrain.config.RunConfig;
import org.detrain.util.DetrainException;
import org.junit.jupiter.api.Test;

/** The estimate refuses what cannot fit (bad input, with the numbers and the fix) and lets the rest through. */
class MemoryEstimateTest {
    private static final long GB = 1L << 30;
    /** The development machine: 24 GB. */
    private static final long MACHINE = 24 * GB;
    private static final RunConfig QUICKSTART = RunConfig.load(null, List.of("algorithm=dpsgd", "model=softmax",
            "dataset=fashion-mnist", "topology=ring", "batch=32", "eval.local=false"));

    private static DetrainException refused(RunConfig config, int ranks, Transport transport, List<String> jvm) {
        MemoryEstimate.Estimate e = MemoryEstimate.of(config, ranks, transport, 1);
        DetrainException x = assertThrows(DetrainException.class,
                () -> MemoryEstimate.check(e, ranks, transport, jvm, MACHINE));
        assertEquals(DetrainException.BAD_INPUT, x.exitCode());
        return x;
    }

    private static void fits(RunConfig config, int ranks, Transport transport, List<String> jvm) {
        MemoryEstimate.check(MemoryEstimate.of(config, ranks, transport, 1), ranks, transport, jvm, MACHINE);
    }

    @Test
    void aThousandSoftmaxRanksFitOneWorkstationAndAHundredThousandDoNot() {
        fits(QUICKSTART, 8, Transport.MULTICORE, List.of());
        fits(QUICKSTART, 1024, Transport.MULTICORE, List.of());
        MemoryEstimate.Estimate e = MemoryEstimate.of(QUICKSTART, 1024, Transport.MULTICORE, 1);
        assertTrue(e.heapPerJvm() < 2 * GB && e.residentTotal() < 5 * GB, e.toString());
        // every rank evaluating its own model on the whole test set needs a batch of 500 test images
        RunConfig evalLocal = RunConfig.load(null, List.of("eval.local=true"));
        assertTrue(MemoryEstimate.of(evalLocal, 1024, Transport.MULTICORE, 1).heapPerJvm() > e.heapPerJvm() + GB);

        DetrainException x = refused(QUICKSTART, 100_000, Transport.MULTICORE, List.of());
        // W alone is 8 n^2 bytes: 80 GB, more than the machine
        assertTrue(x.getMessage().startsWith("-np 100000 needs about"), x.getMessage());
        assertTrue(x.getMessage().contains("this machine has " + org.detrain.util.Formats.bytes(MACHINE)), x.getMessage());
        assertTrue(x.getMessage().contains("lower -np"), x.getMessage());
    }

    @Test
    void aSmallMaximumHeapIsNamedWithTheSizeThatWouldDo() {
        DetrainException x = refused(QUICKSTART, 1024, Transport.MULTICORE, List.of("-Xmx512m"));
        assertTrue(x.getMessage().contains("of heap in the rank JVM"), x.getMessage());
        assertTrue(x.getMessage().contains("at most " + org.detrain.util.Formats.bytes(512L << 20) + " (its -Xmx)"),
                x.getMessage());
        assertTrue(x.getMessage().matches("(?s).*pass --jvm=-Xmx\\dg.*"), x.getMessage());
        fits(QUICKSTART, 1024, Transport.MULTICORE, List.of("-Xmx512m", "-Xmx8g")); // the last one counts
    }

    @Test
    void niodevOnOneHostCountsOneJvmPerRank() {
        fits(QUICKSTART, 8, Transport.NIODEV, List.of());
        DetrainException x = refused(QUICKSTART, 1024, Transport.NIODEV, List.of());
        assertTrue(x.getMessage().contains("1024 rank JVMs"), x.getMessage());
        assertTrue(x.getMessage().contains("more hosts"), x.getMessage());
    }

    @Test
    void largeModelsAndDenseGraphsCostPerRank() {
        RunConfig complete = RunConfig.load(null, List.of("topology=complete"));
        fits(complete, 64, Transport.MULTICORE, List.of());
        refused(complete, 1024, Transport.MULTICORE, List.of()); // 1023 receive buffers of 2d floats per rank
        RunConfig lenet = RunConfig.load(null, List.of("model=lenet", "eval.local=true"));
        fits(lenet, 16, Transport.MULTICORE, List.of());
        assertTrue(MemoryEstimate.of(lenet, 16, Transport.MULTICORE, 1).heapPerJvm()
                > MemoryEstimate.of(QUICKSTART, 16, Transport.MULTICORE, 1).heapPerJvm());
    }

    @Test
    void aSyntheticProblemTooLargeSaysWhichSizesToLower() {
        RunConfig overflow = RunConfig.load(null, List.of("dataset=synthetic-lsq", "model=linear",
                "synthetic.samples=2000000", "synthetic.features=2048"));
        DetrainException x = assertThrows(DetrainException.class, () -> MemoryEstimate.refuseIfTooLarge(overflow, 4,
                Transport.MULTICORE, new org.detrain.comm.Placement.Local(), List.of()));
        assertTrue(x.getMessage().contains("more than one array holds"), x.getMessage());
        RunConfig large = RunConfig.load(null, List.of("dataset=synthetic-lsq", "model=linear",
                "synthetic.samples=100000000", "synthetic.features=20"));
        x = refused(large, 4, Transport.MULTICORE, List.of());
        assertTrue(x.getMessage().contains("lower synthetic.samples or synthetic.features (or -np)"), x.getMessage());
    }

    @Test
    void jvmSizesAreReadAsTheJvmReadsThem() {
        assertEquals(8 * GB, MemoryEstimate.maxHeap(List.of("-Xmx8g"), MACHINE));
        assertEquals(4096L << 20, MemoryEstimate.maxHeap(List.of("-Xms1g", "-Xmx4096M"), MACHINE));
        assertEquals(512L << 20, MemoryEstimate.maxHeap(List.of("-XX:MaxHeapSize=524288k"), MACHINE));
        assertEquals(12 * GB, MemoryEstimate.maxHeap(List.of("-XX:MaxRAMPercentage=50"), MACHINE));
        assertEquals(0, MemoryEstimate.maxHeap(List.of("-XX:+UseParallelGC"), MACHINE));
        DetrainException x = assertThrows(DetrainException.class, () -> MemoryEstimate.maxHeap(List.of("-Xmx8gb"), MACHINE));
        assertTrue(x.getMessage().contains("-Xmx8g"), x.getMessage());
    }
}
