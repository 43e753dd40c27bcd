package org.detrain.kernel;

import java.util.Random;

/**
 * Times each pass of a network program on the Java engine (random inputs and parameters), so that
 * the benchmark tools outside this package can see which pass is slow without reaching into the
 * engine's internals.
 */
public final class PassTiming {
    private static final String[] OP_NAMES = {"", "dense", "xent", "dense-dW", "dense-din", "conv", "pool",
            "pool-back", "conv-dK", "conv-din"};

    private PassTiming() {
    }

    /** Per pass: its op name and mean nanoseconds per step after the first third of the steps (warm-up). */
    public record Pass(String op, double nanos) {
    }

    public static Pass[] measure(NetProgram program, int batch, int threads, int steps, long seed) {
        Random rng = new Random(seed);
        float[] params = new float[program.dim()];
        for (int i = 0; i < params.length; i++) {
            params[i] = (float) (0.1 * rng.nextGaussian());
        }
        try (JavaNet net = new JavaNet(program, batch, threads)) {
            for (int i = 0; i < batch * program.inputSize(); i++) {
                net.buffers.input[i] = rng.nextFloat();
            }
            for (int s = 0; s < batch; s++) {
                net.buffers.labels[s] = rng.nextInt(program.classes());
            }
            int passes = program.passes();
            long[] nanos = new long[passes];
            int warm = steps / 3;
            for (int step = 0; step < steps; step++) {
                for (int k = 0; k < passes; k++) {
                    long t0 = System.nanoTime();
                    net.runRange(params, batch, k, k + 1);
                    if (step >= warm) {
                        nanos[k] += System.nanoTime() - t0;
                    }
                }
            }
            Pass[] out = new Pass[passes];
            for (int k = 0; k < passes; k++) {
                out[k] = new Pass(OP_NAMES[program.code[k * NetProgram.STRIDE]], nanos[k] / (double) (steps - warm));
            }
            return out;
        }
    }
}
