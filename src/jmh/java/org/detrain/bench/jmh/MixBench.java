package org.detrain.bench.jmh;

import java.util.Arrays;
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
 * The gossip kernels: {@code mixDifferences} (x + Σ_j w_j·(in_j − x), what D-PSGD and the
 * trackers run every step) and {@code weightedSum} (w₀·x + Σ_j w_j·in_j), for a LeNet-sized
 * (44 K floats) and a 1 M-float model with 2 and 4 neighbours ({@code JavaVectorOps}, which the
 * algorithms call, runs these unless an output is also an input).
 * Scores are µs per call; bytes moved per call are (neighbours + 2)·4·dim.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@State(Scope.Thread)
public class MixBench {
    @Param({"44426", "1048576"})
    public int dim;

    @Param({"2", "4"})
    public int neighbours;

    private float[] self;
    private float[] out;
    private float[][] inputs;
    private float[] weights;

    @Setup
    public void setUp() {
        Random rng = new Random(2);
        self = LoopsBench.random(rng, dim);
        out = new float[dim];
        inputs = new float[neighbours][];
        for (int j = 0; j < neighbours; j++) {
            inputs[j] = LoopsBench.random(rng, dim);
        }
        weights = new float[neighbours];
        Arrays.fill(weights, 1f / (neighbours + 1));
    }

    @Benchmark
    public float[] mixDifferences() {
        Loops.mixDifferences(out, self, weights, inputs, dim);
        return out;
    }

    @Benchmark
    public float[] weightedSum() {
        Loops.weightedSum(out, 1f / (neighbours + 1), self, weights, inputs, dim);
        return out;
    }
}
