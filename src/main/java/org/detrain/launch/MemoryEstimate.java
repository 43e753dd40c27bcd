package org.detrain.launch;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;
import org.detrain.comm.Placement;
import org.detrain.comm.Transport;
import org.detrain.config.DataSettings;
import org.detrain.config.ModelSettings;
import org.detrain.config.RunConfig;
import org.detrain.config.TrainingSettings;
import org.detrain.data.Cifar10Reader;
import org.detrain.data.FashionMnist;
import org.detrain.kernel.NetProgram;
import org.detrain.model.Models;
import org.detrain.runner.RunPlan;
import org.detrain.util.DetrainException;
import org.detrain.util.Formats;

/**
 * What a run will need in memory, estimated from its config and rank count before anything is
 * built, and the refusal of a run that cannot fit (exit 2, with the numbers and the fix) instead
 * of an OutOfMemoryError after minutes. Two limits:
 * <ul>
 *   <li>the heap of each rank JVM against its maximum (the {@code --jvm} -Xmx, else the JVM's
 *       default, a quarter of the machine's memory): under multicore one JVM holds the dataset once,
 *       W, and every rank's state; under niodev each JVM holds one rank;</li>
 *   <li>the resident memory of every JVM on this host together against the machine's memory.</li>
 * </ul>
 * The constants were measured on this machine (docs/scaling.md, "Memory"); the estimate rounds up,
 * so it refuses only runs that clearly do not fit.
 */
final class MemoryEstimate {
    private static final long MB = 1 << 20;
    /** Resident memory of a JVM running detrain before any data: code, JIT, GC structures (launcher or rank JVM). */
    static final long JVM_BASE = 160 * MB;
    /**
     * Off-heap memory of one rank under the multicore device: its class loader's own copy of MPJ's
     * classes (metaspace and their JIT-compiled code), its thread's stack and MPJ's message buffers;
     * measured 1.9 MB a rank at 128 to 1024 ranks.
     */
    static final long MPJ_RANK_NATIVE = 2 * MB;
    /** Off-heap memory of a niodev rank JVM beyond {@link #JVM_BASE}: MPJ's selector threads and socket buffers. */
    static final long NIODEV_RANK_NATIVE = 40 * MB;
    /** Heap a JVM needs beyond what the estimate counts (GC headroom): the counted part may fill this share of -Xmx. */
    static final double HEAP_FILL = 0.8;
    /** The JVM's default maximum heap when no -Xmx is given: MaxRAMPercentage = 25. */
    static final double DEFAULT_HEAP_SHARE = 0.25;

    /**
     * @param heapPerJvm    heap each rank JVM needs (the largest, under niodev)
     * @param residentTotal resident memory of every JVM this run starts on this host, the launcher's included
     * @param rankJvms      rank JVMs on this host
     * @param breakdown     what makes up the heap, for the message
     * @param shrink        what to lower first: "-np", or the synthetic sizes when the data dominates
     */
    record Estimate(long heapPerJvm, long residentTotal, int rankJvms, String breakdown, String shrink) {
    }

    private MemoryEstimate() {
    }

    /**
     * The estimate for {@code ranks} ranks of {@code config}, with {@code hosts} hosts sharing them
     * (1 on a workstation).
     */
    static Estimate of(RunConfig config, int ranks, Transport transport, int hosts) {
        DataSettings data = config.data();
        ModelSettings model = config.model();
        TrainingSettings training = config.training();
        int features;
        int classes;
        long trainSamples;
        long testSamples;
        long bytesPerValue;
        switch (data.dataset()) {
            case "fashion-mnist" -> {
                features = FashionMnist.SIDE * FashionMnist.SIDE;
                classes = FashionMnist.CLASSES;
                trainSamples = FashionMnist.TRAIN_COUNT;
                testSamples = FashionMnist.TEST_COUNT;
                bytesPerValue = 1;
            }
            case "cifar10" -> {
                features = Cifar10Reader.RECORD_BYTES - 1;
                classes = Cifar10Reader.CLASSES;
                trainSamples = 50_000;
                testSamples = 10_000;
                bytesPerValue = 1;
            }
            default -> {
                features = data.syntheticFeatures();
                classes = data.dataset().equals("synthetic-logreg") ? 2 : 0;
                long copies = data.generatedPerRank() ? ranks : 1;
                trainSamples = copies * data.syntheticSamples();
                testSamples = copies * Math.max(1, data.syntheticSamples() / 4);
                bytesPerValue = 4;
            }
        }
        long n = ranks;
        long shard = trainSamples / n;
        // the dataset: once per multicore JVM; a niodev JVM keeps its shard of the images (generated data whole)
        long trainBytes = (trainSamples * features + trainSamples) * bytesPerValue + 4 * trainSamples;
        long perRankTrain = data.images() ? (shard * features + 4 * trainSamples) : trainBytes;
        long testBytes = (testSamples * features + testSamples) * bytesPerValue;
        // W (n x n doubles) and what rank 0 writes of it to metrics.h5: W, the adjacency and their copies
        long mixing = 24 * n * n;

        int dim = modelDim(model, features, classes);
        long workPerSample = workPerSample(model, features, classes);
        int degree = degree(config, ranks);
        long batch = training.exactGradient() ? shard : training.batch();
        long evalBatch = Math.min(500, config.loop().evalLocal() ? testSamples : Math.max(testSamples / n, shard));
        long floats = (long) dim * (10 + 2L * (degree + 1)) // state, gradients, momentum; packed gossip send + receives
                + (batch + evalBatch) * (features + workPerSample); // training and evaluation batches
        long perRank = 4 * floats + 8 * shard + 64 * 1024; // sampler: shard and permutation; objects
        long rankZero = 12L * n * dim + 64 * n * 1024; // gathered models (+ their copy for /models), metric rows

        long heap;
        long resident;
        int jvms;
        String breakdown;
        if (transport == Transport.MULTICORE) {
            heap = trainBytes + testBytes + mixing + n * perRank + rankZero;
            resident = JVM_BASE + heap + n * MPJ_RANK_NATIVE;
            jvms = 1;
            breakdown = String.format(Locale.ROOT, "dataset %s, W %s, %d ranks x %s", Formats.bytes(trainBytes + testBytes),
                    Formats.bytes(mixing), ranks, Formats.bytes(perRank));
        } else {
            jvms = (int) Math.min(n, (n + hosts - 1) / hosts);
            heap = perRankTrain + testBytes + mixing + perRank + rankZero;
            resident = (long) jvms * (JVM_BASE + NIODEV_RANK_NATIVE + heap);
            breakdown = String.format(Locale.ROOT, "data %s, W %s, the rank's state %s", Formats.bytes(perRankTrain + testBytes),
                    Formats.bytes(mixing), Formats.bytes(perRank));
        }
        long launcher = JVM_BASE + trainBytes + testBytes + mixing; // it builds the whole plan to check it
        String shrink = !data.images() && trainBytes + testBytes > n * perRank + mixing
                ? "synthetic.samples or synthetic.features (or -np)" : "-np";
        return new Estimate(heap, resident + launcher, jvms, breakdown, shrink);
    }

    /**
     * Refuses (bad input) a run of {@code ranks} ranks that cannot fit this machine or the rank JVMs'
     * heap; called before the launcher builds anything.
     */
    static void refuseIfTooLarge(RunConfig config, int ranks, Transport transport, Placement placement,
                                 List<String> jvmOptions) {
        if (ranks < 1) {
            return; // the plan says what is wrong with it
        }
        RunPlan.checkDataSize(config, ranks); // a synthetic set larger than a Java array: the exact reason first
        int hosts = placement instanceof Placement.OnHosts on ? Math.max(1, on.machines().size()) : 1;
        check(of(config, ranks, transport, hosts), ranks, transport, jvmOptions, machineBytes());
    }

    /**
     * Refuses a run that cannot fit: heap beyond the rank JVM's maximum, or resident memory beyond
     * {@code machineBytes}.
     */
    static void check(Estimate e, int ranks, Transport transport, List<String> jvmOptions, long machineBytes) {
        long explicit = maxHeap(jvmOptions, machineBytes);
        long maxHeap = explicit > 0 ? explicit : (long) (DEFAULT_HEAP_SHARE * machineBytes);
        String where = transport == Transport.MULTICORE ? "the rank JVM" : "each rank JVM";
        if (e.residentTotal() > machineBytes) {
            throw DetrainException.badInput(String.format(Locale.ROOT, "-np %d needs about %s of memory on this host (%s"
                            + " JVM%s; heap of %s: %s) but this machine has %s: lower %s%s", ranks,
                    Formats.bytes(e.residentTotal()), e.rankJvms() == 1 ? "one rank" : e.rankJvms() + " rank",
                    e.rankJvms() == 1 ? "" : "s", where, e.breakdown(), Formats.bytes(machineBytes), e.shrink(),
                    transport == Transport.MULTICORE ? ", or run on several hosts (--transport niodev --machines FILE;"
                            + " docs/slurm.md)" : ", or spread the ranks over more hosts (--machines FILE; docs/slurm.md)"));
        }
        if (e.heapPerJvm() > HEAP_FILL * maxHeap) {
            long needed = (long) Math.ceil(e.heapPerJvm() / HEAP_FILL / (1L << 30));
            throw DetrainException.badInput(String.format(Locale.ROOT, "-np %d needs about %s of heap in %s (%s) but"
                            + " it may use at most %s (%s): pass --jvm=-Xmx%dg%s, or lower %s", ranks,
                    Formats.bytes(e.heapPerJvm()), where, e.breakdown(), Formats.bytes(maxHeap),
                    explicit > 0 ? "its -Xmx" : "the JVM's default, a quarter of this machine's " + Formats.bytes(machineBytes),
                    Math.max(1, needed), needed * (1L << 30) > machineBytes ? " (more than this machine has)" : "",
                    e.shrink()));
        }
    }

    /** The -Xmx / -XX:MaxHeapSize / -XX:MaxRAMPercentage among the rank JVM's options, in bytes; 0 if none (the last wins). */
    static long maxHeap(List<String> jvmOptions, long machineBytes) {
        long heap = 0;
        for (String o : jvmOptions) {
            if (o.startsWith("-Xmx")) {
                heap = parseSize(o.substring(4), o);
            } else if (o.startsWith("-XX:MaxHeapSize=")) {
                heap = parseSize(o.substring("-XX:MaxHeapSize=".length()), o);
            } else if (o.startsWith("-XX:MaxRAMPercentage=")) {
                try {
                    heap = (long) (Double.parseDouble(o.substring("-XX:MaxRAMPercentage=".length())) / 100 * machineBytes);
                } catch (NumberFormatException ex) {
                    throw DetrainException.badInput("--jvm " + o + ": not a percentage; write e.g. -XX:MaxRAMPercentage=50");
                }
            }
        }
        return heap;
    }

    /** A JVM size: digits with an optional k, m, g or t (either case), as -Xmx takes it. */
    static long parseSize(String text, String option) {
        if (!text.matches("\\d{1,15}[kKmMgGtT]?")) {
            throw DetrainException.badInput("--jvm " + option + ": '" + text + "' is not a size; write e.g. -Xmx8g or -Xmx4096m");
        }
        char unit = Character.toLowerCase(text.charAt(text.length() - 1));
        int shift = switch (unit) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            case 't' -> 40;
            default -> 0;
        };
        String digits = shift == 0 ? text : text.substring(0, text.length() - 1);
        return Long.parseLong(digits) << shift;
    }

    /** This machine's memory (the container's limit where there is one). */
    static long machineBytes() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
    }

    private static int modelDim(ModelSettings model, int features, int classes) {
        NetProgram p = program(model, features, classes);
        return p == null ? features + 1 : p.dim();
    }

    private static long workPerSample(ModelSettings model, int features, int classes) {
        NetProgram p = program(model, features, classes);
        return p == null ? 4 : p.workPerSample();
    }

    /** The network program of softmax, mlp and lenet (null for the others and for shapes lenet refuses). */
    private static NetProgram program(ModelSettings model, int features, int classes) {
        int c = Math.max(1, classes);
        return switch (model.name()) {
            case "softmax" -> Models.softmaxProgram(features, c);
            case "mlp" -> Models.mlpProgram(features, Models.parseHidden(model.hidden()), c);
            case "lenet" -> features == 28 * 28 || features == 3 * 32 * 32
                    ? Models.lenetProgram(Models.imageShape(features), c) : null;
            default -> null;
        };
    }

    /** The degree of a typical rank of the configured graph (the expected one for the random graph). */
    private static int degree(RunConfig config, int n) {
        int log2 = 32 - Integer.numberOfLeadingZeros(Math.max(1, n - 1));
        return switch (config.topology().name()) {
            case "ring", "path", "star" -> 2;
            case "hypercube" -> log2;
            case "exponential" -> 2 * log2;
            case "complete" -> Math.max(0, n - 1);
            case "erdos-renyi" -> (int) Math.ceil(config.topology().edgeProbability() * Math.max(0, n - 1));
            default -> 4; // torus, and an edge-list file as if it were one
        };
    }
}
