package org.detrain.runner;

import java.nio.file.Path;
import org.detrain.algo.Algorithms;
import org.detrain.config.DataSettings;
import org.detrain.config.ModelSettings;
import org.detrain.config.RunConfig;
import org.detrain.config.TopologySettings;
import org.detrain.config.TrainingSettings;
import org.detrain.data.Cifar10Reader;
import org.detrain.data.FashionMnist;
import org.detrain.data.ImageSamples;
import org.detrain.data.Partition;
import org.detrain.data.Partitioner;
import org.detrain.data.PerRankSynthetic;
import org.detrain.data.Samples;
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
 * data, partition, model shape, iteration count. The launcher builds it once before starting any
 * rank (so bad input fails before anything is written) and every rank builds the same plan again.
 */
public record RunPlan(RunConfig config, int ranks, Graph graph, MixingMatrix mixing, Spectrum spectrum,
                      Samples train, Samples test, int[] trainLabels, Partition partition, long iterations,
                      long iterationsPerEpoch, double[] optimum) {

    public static RunPlan build(RunConfig config, int ranks) {
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
        Algorithms.validate(config, spectrum);

        Samples train;
        Samples test;
        int[] labels;
        int samples = data.syntheticSamples();
        int features = data.syntheticFeatures();
        switch (data.dataset()) {
            case "fashion-mnist", "cifar10" -> {
                Split split = data.dataset().equals("cifar10") ? Cifar10Reader.load(datasetDir(config))
                        : FashionMnist.load(datasetDir(config));
                train = new ImageSamples(split.train());
                test = new ImageSamples(split.test());
                labels = split.train().labels();
            }
            case "synthetic-lsq" -> {
                train = SyntheticLeastSquares.generate(samples, features, data.syntheticNoise(), seed, 0);
                test = SyntheticLeastSquares.generate(Math.max(1, samples / 4), features, data.syntheticNoise(), seed, 1);
                labels = new int[samples]; // one pseudo-class: the shuffled partition becomes a plain split
            }
            case "synthetic-hlsq" -> { // samples per rank
                train = PerRankSynthetic.leastSquares(ranks, samples, features, data.syntheticNoise(),
                        data.heterogeneity(), seed, 0);
                test = PerRankSynthetic.leastSquares(ranks, Math.max(1, samples / 4), features, data.syntheticNoise(),
                        data.heterogeneity(), seed, 1);
                labels = new int[train.size()];
            }
            case "synthetic-logreg" -> { // samples per rank
                train = PerRankSynthetic.logistic(ranks, samples, features, data.heterogeneity(), seed, 0);
                test = PerRankSynthetic.logistic(ranks, Math.max(1, samples / 4), features, data.heterogeneity(), seed, 1);
                labels = new int[train.size()];
                for (int i = 0; i < labels.length; i++) {
                    labels[i] = train.label(i);
                }
            }
            default -> throw new IllegalStateException("dataset " + data.dataset());
        }

        Partition partition = switch (data.partitionScheme()) {
            case "by-rank" -> {
                int perRank = train.size() / ranks;
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
                if (train.classCount() == 0) {
                    throw DetrainException.badInput("partition=dirichlet needs class labels but dataset="
                            + data.dataset() + " is a regression problem; use partition=shuffled");
                }
                yield Partitioner.dirichlet(labels, train.classCount(), ranks, data.dirichletAlpha(), training.batch(),
                        Rng.of(seed, "partition", 0));
            }
            default -> throw new IllegalStateException("partition " + data.partitionScheme());
        };

        // model and device fit the data and the machine (an absent device is bad input, before any rank starts)
        Models.check(modelSettings.name(), train.featureCount(), train.classCount(), modelSettings.hidden(),
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
        double[] optimum = null;
        int[][] shards = new int[ranks][];
        for (int r = 0; r < ranks; r++) {
            shards[r] = partition.shard(r);
        }
        switch (modelSettings.name()) {
            case "linear" -> optimum = Optima.leastSquares(train, shards);
            case "logistic" -> optimum = Optima.logistic(train, shards, modelSettings.l2());
            default -> {
            }
        }
        return new RunPlan(config, ranks, graph, mixing, spectrum, train, test, labels, partition, iterations, perEpoch,
                optimum);
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
