package org.detrain.runner;

import java.util.Arrays;
import org.detrain.data.Samples;
import org.detrain.kernel.VectorOps;
import org.detrain.model.Batch;
import org.detrain.model.Model;

/**
 * Compiles a rank's hot paths during set-up, before the training clock starts. The JIT compiles a
 * method fully only after it has run many times, and until then the Java engine's Vector API loops
 * run boxed, one to two hundred times slower (measured: 4-rank softmax, the first 20 iterations took
 * 2.5 s, the twentieth 20 took 0.02 s; with C1 only every 20 took 4-10 s). Without this the first
 * tens of iterations of every run crawl, which is most of a short run's time to an accuracy.
 *
 * <p>It runs the model's loss and gradient on a scratch copy of x^0 and a batch of the rank's own
 * first training samples, then the gossip's mixing and the algorithms' linear combination on
 * scratch vectors, until a step is within {@value #SETTLED} of the fastest one for {@value #WINDOW}
 * steps in a row (or {@value #MAX_STEPS} steps, or the time allowed: at most {@value #MAX_SECONDS} s
 * and a third of {@code comm.timeout}, since the other ranks may already wait for this one in the
 * next collective). It touches nothing of
 * the run — state, sampler, generators, counters — so a run's results are the same bits with or
 * without it; the time it takes is part of the run's set-up time.
 */
final class WarmUp {
    static final int MIN_STEPS = 10;
    static final int WINDOW = 10;
    static final double SETTLED = 1.5;
    static final int MAX_STEPS = 2000;
    static final double MAX_SECONDS = 60;

    /** What the warm-up did, for the rank's log. */
    record Outcome(int steps, double seconds, double firstStepMillis, double lastStepMillis) {
        String describe() {
            return String.format("warmed the kernels up in %d steps, %.2f s (a step: %.2f ms at first, %.2f ms at the end)",
                    steps, seconds, firstStepMillis, lastStepMillis);
        }
    }

    private WarmUp() {
    }

    /**
     * @param x0      the rank's starting model (only read)
     * @param samples the rank's training samples; the first {@code batchSize} of them (fewer if the
     *                shard is smaller) make the batch
     */
    static Outcome run(Model model, VectorOps ops, float[] x0, Samples data, int[] samples, int batchSize,
                       double commTimeoutSeconds) {
        double allowed = Math.min(MAX_SECONDS, commTimeoutSeconds / 3);
        int dim = model.dim();
        float[] params = x0.clone();
        float[] grad = new float[dim];
        float[] out = new float[dim];
        float[][] inputs = {params.clone(), params.clone()};
        float[] weights = {1f / 3, 1f / 3};
        int size = Math.max(1, Math.min(batchSize, samples.length));
        Batch batch = new Batch(size, data.featureCount());
        batch.fill(data, Arrays.copyOf(samples, size), 0, size);
        long start = System.nanoTime();
        double fastest = Double.MAX_VALUE;
        double first = 0;
        double last = 0;
        int settled = 0;
        int steps = 0;
        while (steps < MAX_STEPS && (System.nanoTime() - start) / 1e9 < allowed) {
            long t0 = System.nanoTime();
            model.lossAndGradient(params, batch, grad);
            ops.mixDifferences(out, params, weights, inputs, dim);
            ops.linearCombination(out, 1f, out, -1e-3f, grad, dim);
            last = (System.nanoTime() - t0) / 1e6;
            first = steps == 0 ? last : first;
            steps++;
            fastest = Math.min(fastest, last);
            settled = last <= SETTLED * fastest ? settled + 1 : 0;
            if (steps >= MIN_STEPS && settled >= WINDOW) {
                break;
            }
        }
        return new Outcome(steps, (System.nanoTime() - start) / 1e9, first, last);
    }
}
