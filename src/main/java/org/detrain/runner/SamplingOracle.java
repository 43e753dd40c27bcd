package org.detrain.runner;

import org.detrain.algo.GradientOracle;
import org.detrain.data.BatchSampler;
import org.detrain.data.Samples;
import org.detrain.model.Batch;
import org.detrain.model.Model;

/**
 * A rank's stochastic gradient: draws the next mini-batch of its shard from its sampler and asks
 * the model for loss and gradient. Keeps the compute time and the last gradient's norm for the
 * metrics.
 */
final class SamplingOracle implements GradientOracle {
    private final Model model;
    private final Samples train;
    private BatchSampler sampler;
    private final Batch batch;
    private final int[] indices;
    private long computeNanos;
    private double lastGradNormSq;

    private final boolean exact;

    /**
     * @param exactShard when not null, every call uses this whole shard in this fixed order (exact,
     *                   full-batch gradients; the sampler is not used)
     */
    SamplingOracle(Model model, Samples train, BatchSampler sampler, int[] exactShard) {
        this.model = model;
        this.train = train;
        this.sampler = sampler;
        this.exact = exactShard != null;
        int size = exact ? exactShard.length : sampler.batch();
        this.batch = new Batch(size, train.featureCount());
        this.indices = exact ? exactShard.clone() : new int[size];
        if (exact) {
            batch.fill(train, indices, 0, size);
        }
    }

    @Override
    public double gradient(float[] at, float[] grad) {
        long t0 = System.nanoTime();
        if (!exact) {
            sampler.next(indices);
            batch.fill(train, indices, 0, indices.length);
        }
        double loss = model.lossAndGradient(at, batch, grad);
        double s = 0;
        for (int k = 0; k < model.dim(); k++) {
            s += (double) grad[k] * grad[k];
        }
        lastGradNormSq = s;
        computeNanos += System.nanoTime() - t0;
        return loss;
    }

    BatchSampler sampler() {
        return sampler;
    }

    /** Continues from a sampler restored from a checkpoint (same batch size). */
    void restoreSampler(BatchSampler restored) {
        if (restored.batch() != sampler.batch()) {
            throw new IllegalArgumentException("restored sampler has batch " + restored.batch() + ", not " + sampler.batch());
        }
        this.sampler = restored;
    }

    long computeNanos() {
        return computeNanos;
    }

    double lastGradNorm() {
        return Math.sqrt(lastGradNormSq);
    }
}
