package org.detrain.model;

import org.detrain.util.Rng;

/** Linear least squares: loss = ½ (a·x − b)², gradient (a·x − b)·a. Parameters: x (features). */
public final class LinearLeastSquares implements Model {
    private final int features;

    public LinearLeastSquares(int features) {
        this.features = features;
    }

    @Override
    public String name() {
        return "linear";
    }

    @Override
    public int dim() {
        return features;
    }

    @Override
    public void initialize(float[] params, Rng rng) {
        java.util.Arrays.fill(params, 0, features, 0f);
    }

    @Override
    public double lossAndGradient(float[] params, Batch batch, float[] grad) {
        java.util.Arrays.fill(grad, 0, features, 0f);
        int n = batch.size();
        float invN = 1f / n;
        double loss = 0;
        for (int s = 0; s < n; s++) {
            float r = residual(params, batch, s);
            loss += 0.5 * (double) r * r;
            float scale = r * invN;
            int row = s * features;
            for (int k = 0; k < features; k++) {
                grad[k] += scale * batch.features[row + k];
            }
        }
        return loss / n;
    }

    @Override
    public void evaluate(float[] params, Batch batch, double[] acc) {
        for (int s = 0; s < batch.size(); s++) {
            float r = residual(params, batch, s);
            acc[0] += 0.5 * (double) r * r;
        }
    }

    private float residual(float[] params, Batch batch, int s) {
        int row = s * features;
        float dot = 0f;
        for (int k = 0; k < features; k++) {
            dot += params[k] * batch.features[row + k];
        }
        return dot - batch.targets[s];
    }
}
