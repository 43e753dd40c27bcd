package org.detrain.bench;

import java.util.Locale;
import org.detrain.model.Models;
import org.detrain.kernel.PassTiming;
import org.detrain.kernel.NetProgram;

/**
 * Times each pass of a network on the Java engine, for work on the kernels (which pass is slow):
 * {@code java --add-modules=jdk.incubator.vector -cp 'target/detrain.jar:target/lib/*'
 * org.detrain.bench.PassProfile [lenet|mlp|lenet-rgb] [batch 32] [steps 2000] [threads 1]}. Random
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
        double total = 0;
        int k = 0;
        for (PassTiming.Pass pass : PassTiming.measure(program, batch, threads, steps, 1)) {
            double us = pass.nanos() / 1e3;
            total += us;
            System.out.printf(Locale.ROOT, "pass %2d %-10s %9.1f us%n", k++, pass.op(), us);
        }
        System.out.printf(Locale.ROOT, "step %.1f us -> %.0f samples/s (%s, batch %d, %d thread(s))%n", total,
                batch / (total / 1e6), model, batch, threads);
    }
}
