package org.detrain.model;

import org.detrain.util.Rng;

/**
 * Multinomial logistic regression: p = softmax(W a + b), loss = −log p_y. Parameters: W
 * (classes x features, row-major) followed by b (classes). The implementation before the kernels issue,
 * kept verbatim in the tests: the optimised SoftmaxRegression must give the same bits.
 */
final class LegacySoftmaxRegression implements Model {
    private final int features;
    private final int classes;
    private final float[] logits;

    LegacySoftmaxRegression(int features, int classes) {
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
        double loss = 0;
        for (int s = 0; s < n; s++) {
            int row = s * features;
            int y = batch.labels[s];
            double logSum = forward(params, batch.features, row);
            loss += logSum - logits[y];
            for (int c = 0; c < classes; c++) {
                // d loss / d logit_c = p_c − [c == y], averaged over the batch
                float delta = ((float) Math.exp(logits[c] - logSum) - (c == y ? 1f : 0f)) * invN;
                int w = c * features;
                for (int k = 0; k < features; k++) {
                    grad[w + k] += delta * batch.features[row + k];
                }
                grad[biasOffset + c] += delta;
            }
        }
        return loss / n;
    }

    @Override
    public void evaluate(float[] params, Batch batch, double[] acc) {
        for (int s = 0; s < batch.size(); s++) {
            int y = batch.labels[s];
            double logSum = forward(params, batch.features, s * features);
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

    /** Fills {@link #logits} for one sample and returns log Σ exp(logits), computed stably. */
    private double forward(float[] params, float[] x, int row) {
        int biasOffset = classes * features;
        float max = Float.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            int w = c * features;
            float z = params[biasOffset + c];
            for (int k = 0; k < features; k++) {
                z += params[w + k] * x[row + k];
            }
            logits[c] = z;
            max = Math.max(max, z);
        }
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            sum += Math.exp(logits[c] - max);
        }
        return max + Math.log(sum);
    }
}
