package org.detrain.model;

import org.detrain.util.Rng;

/**
 * Binary logistic regression with L2 regularisation: for a label y ∈ {0, 1} and s = 2y − 1,
 * loss = log(1 + exp(−s·a·x)) + (μ/2)‖x‖². Parameters: x (features), no bias.
 */
public final class LogisticRegression implements Model {
    private final int features;
    private final float l2;

    public LogisticRegression(int features, double l2) {
        this.features = features;
        this.l2 = (float) l2;
    }

    @Override
    public String name() {
        return "logistic";
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
        int n = batch.size();
        float invN = 1f / n;
        for (int k = 0; k < features; k++) {
            grad[k] = l2 * params[k];
        }
        double loss = 0;
        for (int s = 0; s < n; s++) {
            float sign = 2f * batch.labels[s] - 1f;
            float margin = sign * dot(params, batch, s);
            loss += softplus(-margin);
            // d/dx log(1 + exp(-m)) = -sigmoid(-m) * sign * a
            float scale = (float) (-sign / (1 + Math.exp(margin))) * invN;
            int row = s * features;
            for (int k = 0; k < features; k++) {
                grad[k] += scale * batch.features[row + k];
            }
        }
        return loss / n + 0.5 * l2 * squaredNorm(params);
    }

    @Override
    public void evaluate(float[] params, Batch batch, double[] acc) {
        double reg = 0.5 * l2 * squaredNorm(params);
        for (int s = 0; s < batch.size(); s++) {
            float z = dot(params, batch, s);
            int y = batch.labels[s];
            acc[0] += softplus(-(2f * y - 1f) * z) + reg;
            if ((z > 0 ? 1 : 0) == y) {
                acc[1] += 1;
            }
        }
    }

    private float dot(float[] params, Batch batch, int s) {
        int row = s * features;
        float z = 0f;
        for (int k = 0; k < features; k++) {
            z += params[k] * batch.features[row + k];
        }
        return z;
    }

    private double squaredNorm(float[] params) {
        double s = 0;
        for (int k = 0; k < features; k++) {
            s += (double) params[k] * params[k];
        }
        return s;
    }

    /** log(1 + exp(v)) without overflow. */
    static double softplus(double v) {
        return v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v));
    }
}
