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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The element-wise loops of {@link Loops} (the Vector API where the JVM has it): {@code axpy} and
 * {@code axpby} (the SGD update, the algorithms' linear combinations, the memory triad) at a
 * cache-resident and a memory-bound size. Scores are µs per call; {@code make bench-jmh} runs them
 * briefly. {@link DenseBench} has the matrix-product loops, {@link MixBench} the gossip kernels.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@State(Scope.Thread)
public class LoopsBench {
    /** Floats per array: 4 K (16 KB) stays in the caches, 4 M (16 MB) does not. */
    @Param({"4096", "4194304"})
    public int n;

    private float[] x;
    private float[] y;
    private float[] out;

    @Setup
    public void setUp() {
        Random rng = new Random(1);
        x = random(rng, n);
        y = random(rng, n);
        out = new float[n];
    }

    static float[] random(Random rng, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = rng.nextFloat() - 0.5f;
        }
        return a;
    }

    /** y += a·x */
    @Benchmark
    public float[] axpy() {
        Loops.axpy(y, 0, 1e-3f, x, 0, n);
        return y;
    }

    /** out = α·x + β·y (the memory triad; the algorithms' linear combination) */
    @Benchmark
    public float[] axpby() {
        Loops.axpby(out, 0.5f, x, -0.25f, y, n);
        return out;
    }
}
