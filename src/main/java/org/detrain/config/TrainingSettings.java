package org.detrain.config;

/**
 * The keys that set a run's length and its samples per step, typed. Built once per
 * {@link RunConfig}: {@link RunConfig#training()}.
 *
 * @param seed          {@code seed}: for the initial model, the partition, the samplers and random graphs
 * @param batch         {@code batch}: mini-batch size per rank (ignored with exactGradient)
 * @param exactGradient {@code gradient.exact}: full-batch gradients of the rank's whole shard
 * @param iterations    {@code iterations}: training length, 0 to take it from epochs
 * @param epochs        {@code epochs}: training length in epochs
 * @param lr            {@code lr}: the step size γ (the schedule is algo.StepSize's)
 */
public record TrainingSettings(long seed, int batch, boolean exactGradient, int iterations, double epochs, double lr) {
    static TrainingSettings from(RunConfig c) {
        return new TrainingSettings(c.getLong("seed"), c.getInt("batch"), c.getBoolean("gradient.exact"),
                c.getInt("iterations"), c.getDouble("epochs"), c.getDouble("lr"));
    }

    /** Samples in one gradient: the batch, or 1 for exact gradients (one iteration is one pass over the shard). */
    public int samplesPerStep() {
        return exactGradient ? 1 : batch;
    }
}
