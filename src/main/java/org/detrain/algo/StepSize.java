package org.detrain.algo;

import org.detrain.config.RunConfig;

/**
 * The step-size schedule shared by every algorithm: a constant warm-up step for the first
 * {@code warmup.epochs}, then {@code lr}, multiplied by {@code lr.decay} at each epoch listed in
 * {@code lr.decay.epochs}.
 */
public final class StepSize {
    private final double lr;
    private final double warmupEpochs;
    private final double warmupLr;
    private final double[] decayEpochs;
    private final double decay;
    private final long iterationsPerEpoch;

    public StepSize(double lr, double warmupEpochs, double warmupLr, double[] decayEpochs, double decay,
                    long iterationsPerEpoch) {
        this.lr = lr;
        this.warmupEpochs = warmupEpochs;
        this.warmupLr = warmupLr;
        this.decayEpochs = decayEpochs.clone();
        this.decay = decay;
        this.iterationsPerEpoch = Math.max(1, iterationsPerEpoch);
    }

    public static StepSize from(RunConfig config, long iterationsPerEpoch) {
        return new StepSize(config.getDouble("lr"), config.getDouble("warmup.epochs"), config.getDouble("warmup.lr"),
                config.decayEpochs(), config.getDouble("lr.decay"), iterationsPerEpoch);
    }

    public static StepSize constant(double lr) {
        return new StepSize(lr, 0, lr, new double[0], 1, 1);
    }

    /** The step size for iteration t (0-based). */
    public double at(long t) {
        double epoch = (double) t / iterationsPerEpoch;
        if (epoch < warmupEpochs) {
            return warmupLr;
        }
        double value = lr;
        for (double e : decayEpochs) {
            if (epoch >= e) {
                value *= decay;
            }
        }
        return value;
    }

    /** The epoch iteration t falls in, as a real number. */
    public double epoch(long t) {
        return (double) t / iterationsPerEpoch;
    }
}
