package org.detrain.kernel;

import java.util.Locale;
import java.util.Random;
import org.detrain.model.Models;

/**
 * Times each pass of a network on the Java engine, for work on the kernels (which pass is slow):
 * {@code java --add-modules=jdk.incubator.vector -cp 'target/detrain.jar:target/lib/*'
 * org.detrain.kernel.PassProfile [lenet|mlp|lenet-rgb] [batch 32] [steps 2000] [threads 1]}. Random
 * inputs and parameters; the first third of the steps is warm-up. Prints µs per pass and samples/s.
 */
public final class PassProfile {
    private PassProfile() {
    }

    public static void main(String[] args) {
        String model = args.length > 0 ? args[0] : "lenet";
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        NetProgram program = switch (model) {
            case "lenet" -> Models.lenetProgram(new int[] {1, 28, 28}, 10);
            case "lenet-rgb" -> Models.lenetProgram(new int[] {3, 32, 32}, 10);
            case "mlp" -> Models.mlpProgram(784, new int[] {128}, 10);
            default -> throw new IllegalArgumentException("model " + model + ": use lenet, lenet-rgb or mlp");
        };
        Random rng = new Random(1);
        float[] params = new float[program.dim()];
        for (int i = 0; i < params.length; i++) {
            params[i] = (float) (0.1 * rng.nextGaussian());
        }
        try (JavaNet net = new JavaNet(program, batch, threads)) {
            for (int i = 0; i < batch * program.inputSize(); i++) {
                net.x[i] = rng.nextFloat();
            }
            for (int s = 0; s < batch; s++) {
                net.lab[s] = rng.nextInt(program.classes());
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
            String[] names = {"", "dense", "xent", "dense-dW", "dense-din", "conv", "pool", "pool-back", "conv-dK",
                    "conv-din"};
            double total = 0;
            int timed = steps - warm;
            for (int k = 0; k < passes; k++) {
                double us = nanos[k] / 1e3 / timed;
                total += us;
                System.out.printf(Locale.ROOT, "pass %2d %-10s %9.1f us%n", k, names[program.code[k * NetProgram.STRIDE]], us);
            }
            System.out.printf(Locale.ROOT, "step %.1f us -> %.0f samples/s (%s, batch %d, %d thread(s))%n", total,
                    batch / (total / 1e6), model, batch, threads);
        }
    }
}
