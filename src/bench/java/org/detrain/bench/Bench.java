package org.detrain.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.detrain.data.FashionMnist;
import org.detrain.data.ImageSamples;
import org.detrain.data.Samples;
import org.detrain.kernel.AparapiVectorOps;
import org.detrain.kernel.ComputeDevice;
import org.detrain.kernel.JavaVectorOps;
import org.detrain.kernel.Loops;
import org.detrain.kernel.VectorOps;
import org.detrain.util.Rng;
import org.detrain.model.Batch;
import org.detrain.model.Model;
import org.detrain.model.Models;

/**
 * The benchmark behind {@code make bench} (never run by the tests): single-rank training
 * throughput of each model at each batch size on each device (loss, gradient and the SGD update
 * x ← x − γg, on Fashion-MNIST batches held in memory), the mixing step's bandwidth for a 1 M-float
 * model with 2 and 4 neighbours, and a memory triad for reference. Medians of repeated timed runs;
 * one JSON document out.
 *
 * <pre>java --add-modules=jdk.incubator.vector -cp target/detrain.jar:target/lib/* org.detrain.bench.Bench \
 *   --out results/bench/detrain.json [--models softmax,mlp,lenet] [--batches 32,128] [--devices java,jtp,cpu]
 *   [--java-threads 1,2] [--mix-devices java,cpu,jtp] [--seconds 1] [--repeats 3] [--data data/fashion-mnist]</pre>
 *
 * <p>{@code java} with 2 threads is labelled {@code java-2t}; softmax regression on {@code java} is
 * {@code SoftmaxRegression}, single-threaded whatever the thread count.
 */
public final class Bench {
    private Bench() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> o = new LinkedHashMap<>(Map.of("models", "softmax,mlp,lenet", "batches", "32,128",
                "devices", "java,jtp,cpu", "seconds", "1", "repeats", "3", "data", "data/fashion-mnist", "hidden", "128",
                "mix-devices", "java,cpu,jtp", "java-threads", "1,2"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        double seconds = Double.parseDouble(o.get("seconds"));
        int repeats = Integer.parseInt(o.get("repeats"));
        Samples data = load(Path.of(o.get("data")));
        List<String> rows = new ArrayList<>();
        List<String[]> devices = new ArrayList<>(); // (label, device, threads)
        for (String device : o.get("devices").split(",")) {
            if (device.equals("java")) {
                for (String t : o.get("java-threads").split(",")) {
                    devices.add(new String[] {t.equals("1") ? "java" : "java-" + t + "t", device, t});
                }
            } else {
                devices.add(new String[] {device, device, "1"});
            }
        }
        for (String[] dev : devices) {
            String device = dev[0];
            ComputeDevice d = ComputeDevice.select(dev[1], Integer.parseInt(dev[2]));
            for (String name : o.get("models").split(",")) {
                for (String b : o.get("batches").split(",")) {
                    int batch = Integer.parseInt(b);
                    double[] rates = throughput(name, o.get("hidden"), batch, d, data, seconds, repeats);
                    double median = median(rates);
                    System.err.printf(Locale.ROOT, "detrain %-8s batch %4d %-8s %12.0f samples/s%n", name, batch, device, median);
                    rows.add(String.format(Locale.ROOT, "{\"kind\": \"train\", \"model\": \"%s\", \"batch\": %d, \"device\": \"%s\","
                                    + " \"threads\": %s, \"device_description\": \"%s\", \"samples_per_s\": %.1f, \"runs\": %s}", name,
                            batch, device, dev[2], d.description(), median, Arrays.toString(rates)));
                }
            }
        }
        int dim = 1 << 20;
        for (String device : o.get("mix-devices").split(",")) {
            if (device.isBlank()) { // --mix-devices "": no mixing rows
                continue;
            }
            ComputeDevice d = ComputeDevice.select(device);
            for (int k : new int[] {2, 4}) {
                double[] rates = mixing(d, dim, k, seconds, repeats);
                double median = median(rates);
                System.err.printf(Locale.ROOT, "detrain mixing %d neighbours %-6s %8.2f GB/s%n", k, device, median);
                rows.add(String.format(Locale.ROOT, "{\"kind\": \"mix\", \"neighbours\": %d, \"floats\": %d, \"device\": \"%s\","
                        + " \"device_description\": \"%s\", \"gb_per_s\": %.3f, \"runs\": %s}", k, dim, device, d.description(),
                        median, Arrays.toString(rates)));
            }
        }
        double[] triad = triad(seconds, repeats);
        System.err.printf(Locale.ROOT, "java triad (1 thread, 3 x 16M floats) %8.2f GB/s%n", median(triad));
        rows.add(String.format(Locale.ROOT, "{\"kind\": \"java-triad\", \"gb_per_s\": %.3f, \"runs\": %s}", median(triad),
                Arrays.toString(triad)));
        String json = "{\"tool\": \"detrain\", \"vector_api\": " + Loops.VECTOR + ", \"java\": \""
                + System.getProperty("java.version") + "\", \"rows\": [\n  " + String.join(",\n  ", rows) + "\n]}\n";
        if (o.containsKey("out")) {
            Path out = Path.of(o.get("out"));
            if (out.getParent() != null) {
                Files.createDirectories(out.getParent());
            }
            Files.writeString(out, json, StandardCharsets.UTF_8);
        } else {
            System.out.print(json);
        }
        System.exit(0); // Aparapi's thread pool is not daemonic
    }

    private static Samples load(Path dir) {
        if (Files.isDirectory(dir)) {
            return new ImageSamples(FashionMnist.load(dir).train());
        }
        System.err.println("bench: no Fashion-MNIST at " + dir + " (make data); using random images");
        Rng rng = new Rng(1);
        float[] x = new float[4096 * 784];
        int[] y = new int[4096];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextDouble();
        }
        for (int i = 0; i < y.length; i++) {
            y[i] = rng.nextInt(10);
        }
        return new Samples() {
            public int size() {
                return y.length;
            }

            public int featureCount() {
                return 784;
            }

            public int classCount() {
                return 10;
            }

            public void copyFeatures(int i, float[] out, int offset) {
                System.arraycopy(x, i * 784, out, offset, 784);
            }

            public int label(int i) {
                return y[i];
            }

            public float target(int i) {
                return y[i];
            }
        };
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** Samples per second of loss + gradient + SGD update; one value per repeat. */
    static double[] throughput(String name, String hidden, int batchSize, ComputeDevice device, Samples data,
                               double seconds, int repeats) {
        Model model = Models.create(name, data.featureCount(), data.classCount(), hidden, device);
        VectorOps ops = device.kind() == ComputeDevice.Kind.JAVA ? JavaVectorOps.INSTANCE : new AparapiVectorOps(device);
        try {
            float[] x = new float[model.dim()];
            float[] g = new float[model.dim()];
            model.initialize(x, new Rng(1));
            Batch[] batches = new Batch[8];
            int[] idx = new int[batchSize];
            for (int b = 0; b < batches.length; b++) {
                batches[b] = new Batch(batchSize, data.featureCount());
                for (int s = 0; s < batchSize; s++) {
                    idx[s] = (b * batchSize + s) % data.size();
                }
                batches[b].fill(data, idx, 0, batchSize);
            }
            long warmEnd = System.nanoTime() + (long) (0.5 * seconds * 1e9);
            int steps = 0;
            while (steps < 5 || System.nanoTime() < warmEnd) {
                model.lossAndGradient(x, batches[steps % batches.length], g);
                ops.linearCombination(x, 1f, x, -0.01f, g, x.length);
                steps++;
            }
            double[] rates = new double[repeats];
            for (int r = 0; r < repeats; r++) {
                long t0 = System.nanoTime();
                long end = t0 + (long) (seconds * 1e9);
                int n = 0;
                while (n < 3 || System.nanoTime() < end) {
                    model.lossAndGradient(x, batches[n % batches.length], g);
                    ops.linearCombination(x, 1f, x, -0.01f, g, x.length);
                    n++;
                }
                rates[r] = (double) n * batchSize / ((System.nanoTime() - t0) / 1e9);
            }
            return rates;
        } finally {
            model.close();
            if (ops instanceof AparapiVectorOps a) {
                a.close();
            }
        }
    }

    /**
     * GB/s of the gossip mixing step as the algorithms run it, out = x + Σ_j w_j·(in_j − x), over dim
     * floats, counting (k + 1) reads and 1 write per element.
     */
    static double[] mixing(ComputeDevice device, int dim, int k, double seconds, int repeats) {
        VectorOps ops = device.kind() == ComputeDevice.Kind.JAVA ? JavaVectorOps.INSTANCE : new AparapiVectorOps(device);
        try {
            Rng rng = new Rng(2);
            float[] self = new float[dim];
            float[] out = new float[dim];
            float[][] in = new float[k][dim];
            float[] w = new float[k];
            Arrays.fill(w, 1f / (k + 1));
            for (int i = 0; i < dim; i++) {
                self[i] = (float) rng.nextDouble();
                for (float[] a : in) {
                    a[i] = (float) rng.nextDouble();
                }
            }
            for (int i = 0; i < 5; i++) {
                ops.mixDifferences(out, self, w, in, dim);
            }
            double bytes = (k + 2) * 4.0 * dim;
            double[] rates = new double[repeats];
            for (int r = 0; r < repeats; r++) {
                long t0 = System.nanoTime();
                long end = t0 + (long) (seconds * 1e9);
                int n = 0;
                while (n < 3 || System.nanoTime() < end) {
                    ops.mixDifferences(out, self, w, in, dim);
                    n++;
                }
                rates[r] = n * bytes / ((System.nanoTime() - t0) / 1e9) / 1e9;
            }
            return rates;
        } finally {
            if (ops instanceof AparapiVectorOps a) {
                a.close();
            }
        }
    }

    /** a = b + s·c over three 16 M-float arrays (bigger than the caches), one thread; GB/s counting 12 bytes per element. */
    static double[] triad(double seconds, int repeats) {
        int n = 16 << 20;
        float[] a = new float[n];
        float[] b = new float[n];
        float[] c = new float[n];
        Arrays.fill(b, 1f);
        Arrays.fill(c, 2f);
        float[] ones = new float[n];
        Arrays.fill(ones, 1f);
        double[] rates = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            long end = t0 + (long) (seconds * 1e9);
            int reps = 0;
            while (reps < 3 || System.nanoTime() < end) {
                Loops.axpby(a, 1f, b, 3f, c, n);
                reps++;
            }
            rates[r] = reps * 12.0 * n / ((System.nanoTime() - t0) / 1e9) / 1e9;
        }
        return rates;
    }
}
