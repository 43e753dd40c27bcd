package org.detrain.model;

import org.detrain.kernel.Loops;
import org.detrain.util.Rng;

/**
 * Multinomial logistic regression: p = softmax(W a + b), loss = −log p_y. Parameters: W
 * (classes x features, row-major) followed by b (classes). Plain-Java reference implementation.
 *
 * <p>The logits of a whole batch are computed at once (the batch transposed, each logit still
 * b_c + Σ_k W_ck·a_k in ascending k) and the gradient rows as axpy loops ({@code kernel.Loops}); every
 * number is the same as in the one-sample-at-a-time original, which the tests keep as a reference.
 */
public final class SoftmaxRegression implements Model {
    private final int features;
    private final int classes;
    private final float[] logits;
    /** Scratch: the batch transposed (features x samples), then the logits (classes x samples). */
    private float[] transposed = new float[0];
    private float[] batchLogits = new float[0];

    public SoftmaxRegression(int features, int classes) {
        this.features = features;
        this.classes = classes;
        this.logits = new float[classes];
    }

    @Override
    public String name() {
        return "softmax";
    }

    @Override
    public int dim() {
        return classes * features + classes;
    }

    @Override
    public void initialize(float[] params, Rng rng) {
        // Small random weights break the symmetry between classes; zero bias.
        int wCount = classes * features;
        for (int k = 0; k < wCount; k++) {
            params[k] = (float) (0.01 * rng.nextGaussian());
        }
        java.util.Arrays.fill(params, wCount, dim(), 0f);
    }

    @Override
    public double lossAndGradient(float[] params, Batch batch, float[] grad) {
        java.util.Arrays.fill(grad, 0, dim(), 0f);
        int n = batch.size();
        float invN = 1f / n;
        int biasOffset = classes * features;
        computeLogits(params, batch);
        double loss = 0;
        for (int s = 0; s < n; s++) {
            int row = s * features;
            int y = batch.labels[s];
            double logSum = logSumExp(s, n);
            loss += logSum - logits[y];
            for (int c = 0; c < classes; c++) {
                // d loss / d logit_c = p_c − [c == y], averaged over the batch
                float delta = ((float) Math.exp(logits[c] - logSum) - (c == y ? 1f : 0f)) * invN;
                Loops.axpy(grad, c * features, delta, batch.features, row, features);
                grad[biasOffset + c] += delta;
            }
        }
        return loss / n;
    }

    @Override
    public void evaluate(float[] params, Batch batch, double[] acc) {
        int n = batch.size();
        computeLogits(params, batch);
        for (int s = 0; s < n; s++) {
            int y = batch.labels[s];
            double logSum = logSumExp(s, n);
            acc[0] += logSum - logits[y];
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (logits[c] > logits[best]) {
                    best = c;
                }
            }
            if (best == y) {
                acc[1] += 1;
            }
        }
    }

    /* z[c][s] = b_c + Σ_k W_ck·a_sk, k ascending: with aᵀ, z[c][:] += W_ck·aᵀ[k][:] for each k in turn */
    private void computeLogits(float[] params, Batch batch) {
        int n = batch.size();
        if (transposed.length < features * n) {
            transposed = new float[features * n];
        }
        if (batchLogits.length < classes * n) {
            batchLogits = new float[classes * n];
        }
        for (int s = 0; s < n; s++) {
            int row = s * features;
            for (int k = 0; k < features; k++) {
                transposed[k * n + s] = batch.features[row + k];
            }
        }
        int biasOffset = classes * features;
        for (int c = 0; c < classes; c++) {
            java.util.Arrays.fill(batchLogits, c * n, (c + 1) * n, params[biasOffset + c]);
            Loops.accumulate(batchLogits, c * n, n, params, c * features, 1, transposed, 0, n, features);
        }
    }

    /** Copies sample s's logits into {@link #logits} and returns log Σ exp(logits), computed stably. */
    private double logSumExp(int s, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            logits[c] = batchLogits[c * n + s];
            max = Math.max(max, logits[c]);
        }
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            sum += Math.exp(logits[c] - max);
        }
        return max + Math.log(sum);
    }
}
