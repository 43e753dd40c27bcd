package org.detrain.runner;

import java.nio.file.Path;
import org.detrain.algo.Algorithms;
import org.detrain.config.DataSettings;
import org.detrain.config.ModelSettings;
import org.detrain.config.RunConfig;
import org.detrain.config.TopologySettings;
import org.detrain.config.TrainingSettings;
import org.detrain.data.Cifar10Reader;
import org.detrain.data.DenseSamples;
import org.detrain.data.FashionMnist;
import org.detrain.data.ImageSamples;
import org.detrain.data.Partition;
import org.detrain.data.Partitioner;
import org.detrain.data.PerRankSynthetic;
import org.detrain.data.Samples;
import org.detrain.data.ShardImages;
import org.detrain.data.Split;
import org.detrain.data.SyntheticLeastSquares;
import org.detrain.kernel.ComputeDevice;
import org.detrain.model.Model;
import org.detrain.model.Models;
import org.detrain.model.Optima;
import org.detrain.topology.Graph;
import org.detrain.topology.MixingMatrix;
import org.detrain.topology.Spectrum;
import org.detrain.topology.Topologies;
import org.detrain.util.DetrainException;
import org.detrain.util.Rng;

/**
 * Everything a run is made of, derived from its config and rank count alone: graph, mixing matrix,
 * spectrum, what the algorithm chooses from it, data, partition, model shape, iteration count. The
 * launcher builds it once before starting any rank (so bad input fails before anything is written).
 * Under the multicore device the ranks of a JVM share one plan ({@link SharedPlans}); a rank that has
 * its JVM to itself (niodev) builds {@link #forRank its own}, which holds only its shard's images.
 * Nothing in a plan is written after it is built.
 */
public record RunPlan(RunConfig config, int ranks, Graph graph, MixingMatrix mixing, Spectrum spectrum,
                      Algorithms.Choices choices, Samples train, Samples test, int[] trainLabels, Partition partition,
                      long iterations, long iterationsPerEpoch, double[] optimum) {

    /** The whole plan: every rank's data. */
    public static RunPlan build(RunConfig config, int ranks) {
        return build(config, ranks, -1);
    }

    /**
     * The plan as rank {@code rank} needs it when its JVM runs it alone: the same values, but of the
     * training images only those the rank reads are kept in memory ({@link ShardImages}): its own
     * shard and its share of the samples every evaluation measures the training objective on.
     */
    public static RunPlan forRank(RunConfig config, int ranks, int rank) {
        if (rank < 0 || rank >= ranks) {
            throw new IllegalArgumentException("rank " + rank + " of " + ranks);
        }
        return build(config, ranks, rank);
    }

    /** Where the training set comes from: labels and shape first, then the samples a partition asks for. */
    private record DataSource(int[] labels, int classCount, int featureCount, Samples test, TrainLoader train) {
    }

    /** The training samples for a partition: all of them (onlyRank < 0), or at least rank onlyRank's shard. */
    @FunctionalInterface
    private interface TrainLoader {
        Samples load(Partition partition, int onlyRank);
    }

    private static RunPlan build(RunConfig config, int ranks, int onlyRank) {
        if (ranks < 1) {
            throw DetrainException.badInput("-np must be at least 1, got " + ranks);
        }
        TopologySettings topology = config.topology();
        DataSettings data = config.data();
        ModelSettings modelSettings = config.model();
        TrainingSettings training = config.training();
        long seed = training.seed();

        Graph graph = Topologies.build(new Topologies.Spec(topology.name(), ranks, topology.rows(), topology.cols(),
                topology.edgeProbability(), seed, topology.edgeFilePath()));
        MixingMatrix mixing = MixingMatrix.build(graph, topology.weights(), topology.kappa());
        mixing.validate(true);
        Spectrum spectrum = mixing.spectrum();
        Algorithms.Choices choices = Algorithms.validate(config, spectrum);

        DataSource source = dataSource(config, ranks);
        int[] labels = source.labels();
        Partition partition = switch (data.partitionScheme()) {
            case "by-rank" -> {
                int perRank = labels.length / ranks;
                int[][] shards = new int[ranks][perRank];
                for (int r = 0; r < ranks; r++) {
                    for (int s = 0; s < perRank; s++) {
                        shards[r][s] = r * perRank + s;
                    }
                }
                yield Partition.of("by rank: " + perRank + " generated samples each", shards);
            }
            case "shuffled" -> Partitioner.shuffledFraction(labels, ranks, data.shuffledPercent(),
                    Rng.of(seed, "partition", 0));
            case "dirichlet" -> {
                if (source.classCount() == 0) {
                    throw DetrainException.badInput("partition=dirichlet needs class labels but dataset="
                            + data.dataset() + " is a regression problem; use partition=shuffled");
                }
                yield Partitioner.dirichlet(labels, source.classCount(), ranks, data.dirichletAlpha(), training.batch(),
                        Rng.of(seed, "partition", 0));
            }
            default -> throw new IllegalStateException("partition " + data.partitionScheme());
        };

        // model and device fit the data and the machine (an absent device is bad input, before any rank starts)
        Models.check(modelSettings.name(), source.featureCount(), source.classCount(), modelSettings.hidden(),
                ComputeDevice.select(modelSettings.device()));

        int batch = training.samplesPerStep(); // exact gradients: one iteration = one pass over the shard
        for (int r = 0; r < ranks; r++) {
            if (partition.shardSize(r) < batch) {
                throw DetrainException.badInput("rank " + r + " holds " + partition.shardSize(r) + " training samples, fewer than"
                        + " batch=" + batch + "; lower batch or -np");
            }
        }
        long perEpoch = training.exactGradient() ? 1 : partition.assigned() / ((long) ranks * batch);
        if (perEpoch < 1) {
            throw DetrainException.badInput("one epoch is shorter than one iteration (" + partition.assigned() + " samples, "
                    + ranks + " ranks x batch " + batch + "); lower batch or -np");
        }
        long iterations = training.iterations() > 0 ? training.iterations()
                : Math.max(1, Math.round(training.epochs() * perEpoch));
        Samples train = source.train().load(partition, onlyRank);
        double[] optimum = null;
        switch (modelSettings.name()) {
            case "linear" -> optimum = Optima.leastSquares(train, shards(partition));
            case "logistic" -> optimum = Optima.logistic(train, shards(partition), modelSettings.l2());
            default -> {
            }
        }
        return new RunPlan(config, ranks, graph, mixing, spectrum, choices, train, source.test(), labels, partition,
                iterations, perEpoch, optimum);
    }

    private static int[][] shards(Partition partition) {
        int[][] shards = new int[partition.ranks()][];
        for (int r = 0; r < shards.length; r++) {
            shards[r] = partition.shard(r);
        }
        return shards;
    }

    /**
     * The configured dataset. Image sets read their labels (and test set) first and the training
     * images once the partition says which are needed; synthetic sets are generated whole, from the
     * seed (their exact optimum needs every sample).
     */
    private static DataSource dataSource(RunConfig config, int ranks) {
        DataSettings data = config.data();
        long seed = config.training().seed();
        int samples = data.syntheticSamples();
        int features = data.syntheticFeatures();
        switch (data.dataset()) {
            case "fashion-mnist" -> {
                Path dir = datasetDir(config);
                int[] labels = FashionMnist.trainLabels(dir);
                ImageSamples test = new ImageSamples(FashionMnist.loadTest(dir));
                return new DataSource(labels, FashionMnist.CLASSES, test.featureCount(), test, (partition, rank) -> {
                    if (rank < 0) {
                        return new ImageSamples(FashionMnist.loadTrain(dir, null));
                    }
                    int[] held = heldByRank(config, partition, labels.length, rank);
                    return new ShardImages(held, FashionMnist.loadTrain(dir, held), labels);
                });
            }
            case "cifar10" -> {
                Split split = Cifar10Reader.load(datasetDir(config)); // one record file: read whole, keep the shard
                ImageSamples test = new ImageSamples(split.test());
                return new DataSource(split.train().labels(), split.train().classCount(), test.featureCount(), test,
                        (partition, rank) -> rank < 0 ? new ImageSamples(split.train())
                                : ShardImages.of(split.train(), heldByRank(config, partition, split.train().count(), rank)));
            }
            case "synthetic-lsq" -> {
                checkSyntheticSize(samples, features, 1);
                Samples train = SyntheticLeastSquares.generate(samples, features, data.syntheticNoise(), seed, 0);
                Samples test = SyntheticLeastSquares.generate(Math.max(1, samples / 4), features, data.syntheticNoise(), seed, 1);
                // one pseudo-class: the shuffled partition becomes a plain split
                return generated(train, test, new int[samples]);
            }
            case "synthetic-hlsq" -> { // samples per rank
                checkSyntheticSize(samples, features, ranks);
                Samples train = PerRankSynthetic.leastSquares(ranks, samples, features, data.syntheticNoise(),
                        data.heterogeneity(), seed, 0);
                Samples test = PerRankSynthetic.leastSquares(ranks, Math.max(1, samples / 4), features, data.syntheticNoise(),
                        data.heterogeneity(), seed, 1);
                return generated(train, test, new int[train.size()]);
            }
            case "synthetic-logreg" -> { // samples per rank
                checkSyntheticSize(samples, features, ranks);
                Samples train = PerRankSynthetic.logistic(ranks, samples, features, data.heterogeneity(), seed, 0);
                Samples test = PerRankSynthetic.logistic(ranks, Math.max(1, samples / 4), features, data.heterogeneity(), seed, 1);
                int[] labels = new int[train.size()];
                for (int i = 0; i < labels.length; i++) {
                    labels[i] = train.label(i);
                }
                return generated(train, test, labels);
            }
            default -> throw new IllegalStateException("dataset " + data.dataset());
        }
    }

    /** The training samples rank {@code rank} ever reads, ascending: its shard and its objective slice. */
    private static int[] heldByRank(RunConfig config, Partition partition, int trainSize, int rank) {
        int[] objective = Measurements.objectiveSlice(trainSize, config.loop().evalTrainSamples(), partition.ranks(), rank);
        return java.util.stream.IntStream.concat(java.util.Arrays.stream(partition.shard(rank)),
                java.util.Arrays.stream(objective)).sorted().distinct().toArray();
    }

    private static DataSource generated(Samples train, Samples test, int[] labels) {
        return new DataSource(labels, train.classCount(), train.featureCount(), test, (partition, rank) -> train);
    }

    /** Refuses a synthetic training set of {@code config} on {@code ranks} ranks that does not fit one Java array. */
    public static void checkDataSize(RunConfig config, int ranks) {
        DataSettings data = config.data();
        if (!data.images()) {
            checkSyntheticSize(data.syntheticSamples(), data.syntheticFeatures(), data.generatedPerRank() ? ranks : 1);
        }
    }

    /** A synthetic training set of {@code copies} × samples × features values must fit one Java array. */
    private static void checkSyntheticSize(int samples, int features, int copies) {
        DenseSamples.requireCapacity((long) copies * samples, features, copies > 1
                ? copies + " ranks x " + samples + " each; or lower -np" : "synthetic.samples");
    }

    /** The configured model with the plain-Java reference kernels. */
    public Model newModel() {
        return newModel(ComputeDevice.JAVA);
    }

    /** The configured model with its kernels on {@code device}. */
    public Model newModel(ComputeDevice device) {
        ModelSettings m = config.model();
        return Models.create(m.name(), train.featureCount(), train.classCount(), m.hidden(), m.l2(), device);
    }

    /** Epochs completed after {@code iteration} iterations. */
    public double epochAt(long iteration) {
        return (double) iteration / iterationsPerEpoch;
    }

    /** The directory a run reads its images from: {@code dataset.dir}, or for auto the dataset's own under data/. */
    public static Path datasetDir(RunConfig config) {
        DataSettings data = config.data();
        if (!data.dir().equals("auto")) {
            return Path.of(data.dir());
        }
        return data.dataset().equals("cifar10") ? Cifar10Reader.defaultDir() : FashionMnist.defaultDir();
    }
}
