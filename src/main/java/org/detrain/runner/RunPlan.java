package org.detrain.runner;

import java.nio.file.Path;
import org.detrain.config.RunConfig;
import org.detrain.data.FashionMnist;
import org.detrain.data.ImageSamples;
import org.detrain.data.Partition;
import org.detrain.data.Partitioner;
import org.detrain.data.Samples;
import org.detrain.data.Split;
import org.detrain.data.SyntheticLeastSquares;
import org.detrain.kernel.ComputeDevice;
import org.detrain.model.Model;
import org.detrain.model.Models;
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
                      long iterationsPerEpoch) {

    public static RunPlan build(RunConfig config, int ranks) {
        if (ranks < 1) {
            throw new DetrainException("-np must be at least 1, got " + ranks);
        }
        Graph graph = Topologies.build(config.get("topology"), ranks, config.getInt("topology.rows"),
                config.getInt("topology.cols"));
        MixingMatrix mixing = MixingMatrix.build(graph, config.get("weights"), config.getDouble("weights.kappa"));
        mixing.validate(true);
        Spectrum spectrum = mixing.spectrum();

        Samples train;
        Samples test;
        int[] labels;
        long seed = config.getLong("seed");
        switch (config.get("dataset")) {
            case "fashion-mnist" -> {
                Split split = FashionMnist.load(Path.of(config.get("dataset.dir")));
                train = new ImageSamples(split.train());
                test = new ImageSamples(split.test());
                labels = split.train().labels();
            }
            case "synthetic-lsq" -> {
                int samples = config.getInt("synthetic.samples");
                int features = config.getInt("synthetic.features");
                double noise = config.getDouble("synthetic.noise");
                train = SyntheticLeastSquares.generate(samples, features, noise, seed, 0);
                test = SyntheticLeastSquares.generate(Math.max(1, samples / 4), features, noise, seed, 1);
                labels = new int[samples]; // one pseudo-class: the shuffled partition becomes a plain split
            }
            default -> throw new IllegalStateException("dataset " + config.get("dataset"));
        }

        Partition partition = switch (config.get("partition")) {
            case "shuffled" -> Partitioner.shuffledFraction(labels, ranks, config.getDouble("partition.shuffled"),
                    Rng.of(seed, "partition", 0));
            case "dirichlet" -> {
                if (train.classCount() == 0) {
                    throw new DetrainException("partition=dirichlet needs class labels but dataset="
                            + config.get("dataset") + " is a regression problem; use partition=shuffled");
                }
                yield Partitioner.dirichlet(labels, train.classCount(), ranks, config.getDouble("partition.alpha"),
                        config.getInt("batch"), Rng.of(seed, "partition", 0));
            }
            default -> throw new IllegalStateException("partition " + config.get("partition"));
        };

        // model and device fit the data and the machine (an absent device is bad input, before any rank starts)
        Models.check(config.get("model"), train.featureCount(), train.classCount(), config.get("model.hidden"),
                ComputeDevice.select(config.get("device")));

        int batch = config.getInt("batch");
        for (int r = 0; r < ranks; r++) {
            if (partition.shardSize(r) < batch) {
                throw new DetrainException("rank " + r + " holds " + partition.shardSize(r) + " training samples, fewer than"
                        + " batch=" + batch + "; lower batch or -np");
            }
        }
        long perEpoch = partition.assigned() / ((long) ranks * batch);
        if (perEpoch < 1) {
            throw new DetrainException("one epoch is shorter than one iteration (" + partition.assigned() + " samples, "
                    + ranks + " ranks x batch " + batch + "); lower batch or -np");
        }
        long iterations = config.getInt("iterations") > 0 ? config.getInt("iterations")
                : Math.max(1, Math.round(config.getDouble("epochs") * perEpoch));
        return new RunPlan(config, ranks, graph, mixing, spectrum, train, test, labels, partition, iterations, perEpoch);
    }

    /** The configured model with the plain-Java reference kernels. */
    public Model newModel() {
        return newModel(ComputeDevice.JAVA);
    }

    /** The configured model with its kernels on {@code device}. */
    public Model newModel(ComputeDevice device) {
        return Models.create(config.get("model"), train.featureCount(), train.classCount(), config.get("model.hidden"),
                device);
    }

    /** Epochs completed after {@code iteration} iterations. */
    public double epochAt(long iteration) {
        return (double) iteration / iterationsPerEpoch;
    }
}
