package org.detrain.bench.jmh;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.detrain.kernel.Loops;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The dense layers' inner loop, {@link Loops#accumulate} (out[:] += Σ_k coef_k·row_k[:], the block
 * of a matrix product that stays in registers while the rows stream past): one sample through the
 * MLP's 784 → 128 layer (100 K multiply-adds a call), and {@code accumulate4}, four samples sharing
 * each load of W. This is the engines' dot product: they never reduce across a vector (that would
 * tie a sum's order to the vector width), so Loops has no horizontal dot. µs per call.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@State(Scope.Thread)
public class DenseBench {
    private float[] weights;
    private float[] inputs;
    private float[] rows;

    @Setup
    public void setUp() {
        Random rng = new Random(3);
        weights = LoopsBench.random(rng, 784 * 128);
        inputs = LoopsBench.random(rng, 4 * 784);
        rows = new float[4 * 128];
    }

    /** One sample: rows[0, 128) += Σ_k in[k]·W[k, :] */
    @Benchmark
    public float[] denseRow() {
        Loops.accumulate(rows, 0, 128, inputs, 0, 1, weights, 0, 128, 784);
        return rows;
    }

    /** Four samples at once, sharing each load of W. */
    @Benchmark
    public float[] denseRows4() {
        Loops.accumulate4(rows, 0, 128, 256, 384, 128, inputs, 0, 784, 1568, 2352, 1, weights, 0, 128, 784);
        return rows;
    }
}
