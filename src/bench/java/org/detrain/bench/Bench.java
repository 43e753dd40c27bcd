package org.detrain.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;
import org.detrain.data.FashionMnist;
import org.detrain.data.ImageSamples;
import org.detrain.data.Samples;
import org.detrain.kernel.AparapiVectorOps;
import org.detrain.kernel.ComputeDevice;
import org.detrain.kernel.JavaVectorOps;
import org.detrain.kernel.Loops;
import org.detrain.kernel.VectorOps;
import org.detrain.util.DetrainException;
import org.detrain.util.Rng;
import org.detrain.model.Batch;
import org.detrain.model.Model;
import org.detrain.model.Models;

/**
 * The benchmark behind {@code make bench} (never run by the tests): single-rank training
 * throughput of each model at each batch size on each device (loss, gradient and the SGD update
 * x ← x − γg, on Fashion-MNIST batches held in memory), the mixing step's bandwidth for a 1 M-float
 * model with 2 and 4 neighbours, and a memory triad for reference. Medians of repeated timed runs;
 * one JSON document out. {@code --help} lists the options:
 *
 * <pre>java --add-modules=jdk.incubator.vector -cp 'target/detrain.jar:target/detrain-bench.jar:target/lib/*' \
 *   org.detrain.bench.Bench --out results/bench/detrain.json --models mlp,lenet --batches 32,128 --devices java,cpu</pre>
 *
 * <p>{@code java} with 2 threads is labelled {@code java-2t}; softmax regression on {@code java} is
 * {@code SoftmaxRegression}, single-threaded whatever the thread count.
 */
public final class Bench {
    private static final List<String> MODELS = List.of("softmax", "mlp", "lenet");

    private Bench() {
    }

    /** What to measure, from the command line. */
    record Settings(List<String> models, List<Integer> batches, List<String> devices, List<Integer> javaThreads,
                    List<String> mixDevices, double seconds, int repeats, Path data, String hidden, Path out) {
    }

    /** A command line that cannot be run: the message names the option and what to do. */
    static final class BadArguments extends Exception {
        private static final long serialVersionUID = 1L;

        BadArguments(String message) {
            super(message);
        }
    }

    static Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("out").hasArg().argName("FILE")
                .desc("write the JSON here (written whole or not at all); default: standard output").get());
        o.addOption(Option.builder().longOpt("models").hasArg().argName("LIST")
                .desc("models to train, of " + String.join(",", MODELS) + " (default: all)").get());
        o.addOption(Option.builder().longOpt("batches").hasArg().argName("LIST").desc("batch sizes (default: 32,128)").get());
        o.addOption(Option.builder().longOpt("devices").hasArg().argName("LIST")
                .desc("devices for the training rows, of " + String.join(",", ComputeDevice.CHOICES)
                        + " (default: java,jtp,cpu)").get());
        o.addOption(Option.builder().longOpt("java-threads").hasArg().argName("LIST")
                .desc("thread counts of the java device (default: 1,2)").get());
        o.addOption(Option.builder().longOpt("mix-devices").hasArg().argName("LIST")
                .desc("devices for the mixing rows; \"\" for none (default: java,cpu,jtp)").get());
        o.addOption(Option.builder().longOpt("seconds").hasArg().argName("S").desc("length of one timed run (default: 1)").get());
        o.addOption(Option.builder().longOpt("repeats").hasArg().argName("N").desc("timed runs per row (default: 3)").get());
        o.addOption(Option.builder().longOpt("data").hasArg().argName("DIR")
                .desc("Fashion-MNIST directory; random images when absent (default: data/fashion-mnist)").get());
        o.addOption(Option.builder().longOpt("hidden").hasArg().argName("LIST").desc("the MLP's hidden widths (default: 128)").get());
        o.addOption(Option.builder("h").longOpt("help").desc("print this help").get());
        return o;
    }

    /** The settings of a command line, or {@code null} for --help. */
    static Settings parse(String[] args) throws BadArguments {
        CommandLine line;
        try {
            line = new DefaultParser().parse(options(), args);
        } catch (ParseException e) {
            throw new BadArguments(e.getMessage());
        }
        if (line.hasOption("help")) {
            return null;
        }
        if (!line.getArgList().isEmpty()) {
            throw new BadArguments("unexpected argument " + line.getArgList().get(0) + " (options start with --)");
        }
        List<String> models = names(line.getOptionValue("models", String.join(",", MODELS)), "models", MODELS);
        List<String> devices = names(line.getOptionValue("devices", "java,jtp,cpu"), "devices", ComputeDevice.CHOICES);
        String mix = line.getOptionValue("mix-devices", "java,cpu,jtp");
        List<String> mixDevices = mix.isBlank() ? List.of() : names(mix, "mix-devices", ComputeDevice.CHOICES);
        String hidden = line.getOptionValue("hidden", "128");
        try {
            Models.parseHidden(hidden);
        } catch (RuntimeException e) {
            throw new BadArguments("--hidden " + hidden + ": " + e.getMessage());
        }
        double seconds = positiveNumber(line.getOptionValue("seconds", "1"), "seconds");
        String out = line.getOptionValue("out");
        return new Settings(models, positiveInts(line.getOptionValue("batches", "32,128"), "batches"), devices,
                positiveInts(line.getOptionValue("java-threads", "1,2"), "java-threads"), mixDevices, seconds,
                positiveInts(line.getOptionValue("repeats", "3"), "repeats").get(0),
                Path.of(line.getOptionValue("data", "data/fashion-mnist")), hidden, out == null ? null : Path.of(out));
    }

    private static List<String> names(String list, String option, List<String> allowed) throws BadArguments {
        List<String> out = new ArrayList<>();
        for (String name : list.split(",", -1)) {
            if (!allowed.contains(name.trim())) {
                throw new BadArguments("--" + option + ": '" + name + "' is not one of " + String.join(", ", allowed));
            }
            out.add(name.trim());
        }
        return out;
    }

    private static List<Integer> positiveInts(String list, String option) throws BadArguments {
        List<Integer> out = new ArrayList<>();
        for (String v : list.split(",", -1)) {
            try {
                int n = Integer.parseInt(v.trim());
                if (n >= 1) {
                    out.add(n);
                    continue;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new BadArguments("--" + option + ": '" + v + "' is not a positive whole number");
        }
        return out;
    }

    private static double positiveNumber(String v, String option) throws BadArguments {
        try {
            double x = Double.parseDouble(v);
            if (x > 0 && Double.isFinite(x)) {
                return x;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new BadArguments("--" + option + ": '" + v + "' is not a positive number");
    }

    static void printHelp(PrintStream out) {
        PrintWriter w = new PrintWriter(out, true, StandardCharsets.UTF_8);
        HelpFormatter help = HelpFormatter.builder().setPrintWriter(w).get();
        help.printHelp(w, 100, "Bench [options]", "Training throughput, mixing bandwidth and a memory triad; JSON out.",
                options(), 2, 4, "Exit codes: 0 done, 2 bad arguments, 3 a failure while measuring.");
        w.flush();
    }

    public static void main(String[] args) {
        int code;
        try {
            Settings settings = parse(args);
            if (settings == null) {
                printHelp(System.out);
                code = 0;
            } else {
                run(settings);
                code = 0;
            }
        } catch (BadArguments e) {
            System.err.println("bench: " + e.getMessage() + " (see --help)");
            code = 2;
        } catch (DetrainException e) {
            System.err.println("bench: " + e.getMessage());
            code = e.exitCode();
        } catch (IOException | RuntimeException e) {
            System.err.println("bench: " + e);
            code = 3;
        }
        System.exit(code); // Aparapi's thread pool is not daemonic
    }

    /** Measures everything the settings ask for and writes the JSON document. */
    static void run(Settings o) throws IOException {
        Samples data = load(o.data());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String device : o.devices()) {
            List<Integer> threadCounts = device.equals("java") ? o.javaThreads() : List.of(1);
            for (int threads : threadCounts) {
                String label = device.equals("java") && threads != 1 ? "java-" + threads + "t" : device;
                ComputeDevice d = ComputeDevice.select(device, threads);
                for (String name : o.models()) {
                    for (int batch : o.batches()) {
                        double[] rates = throughput(name, o.hidden(), batch, d, data, o.seconds(), o.repeats());
                        double median = median(rates);
                        System.err.printf(Locale.ROOT, "detrain %-8s batch %4d %-8s %12.0f samples/s%n", name, batch, label,
                                median);
                        Map<String, Object> row = new LinkedHashMap<>();
                        row.put("kind", "train");
                        row.put("model", name);
                        row.put("batch", batch);
                        row.put("device", label);
                        row.put("threads", threads);
                        row.put("device_description", d.description());
                        row.put("samples_per_s", round(median, 1));
                        row.put("runs", rates);
                        rows.add(row);
                    }
                }
            }
        }
        int dim = 1 << 20;
        for (String device : o.mixDevices()) {
            ComputeDevice d = ComputeDevice.select(device);
            for (int k : new int[] {2, 4}) {
                double[] rates = mixing(d, dim, k, o.seconds(), o.repeats());
                double median = median(rates);
                System.err.printf(Locale.ROOT, "detrain mixing %d neighbours %-6s %8.2f GB/s%n", k, device, median);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("kind", "mix");
                row.put("neighbours", k);
                row.put("floats", dim);
                row.put("device", device);
                row.put("device_description", d.description());
                row.put("gb_per_s", round(median, 3));
                row.put("runs", rates);
                rows.add(row);
            }
        }
        double[] triad = triad(o.seconds(), o.repeats());
        System.err.printf(Locale.ROOT, "java triad (1 thread, 3 x 16M floats) %8.2f GB/s%n", median(triad));
        Map<String, Object> triadRow = new LinkedHashMap<>();
        triadRow.put("kind", "java-triad");
        triadRow.put("gb_per_s", round(median(triad), 3));
        triadRow.put("runs", triad);
        rows.add(triadRow);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("tool", "detrain");
        doc.put("vector_api", Loops.VECTOR);
        doc.put("java", System.getProperty("java.version"));
        doc.put("rows", rows);
        if (o.out() != null) {
            Json.writeFile(o.out(), doc);
        } else {
            System.out.println(Json.write(doc));
        }
    }

    static double round(double v, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(v * scale) / scale;
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
