package org.detrain.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.detrain.data.DenseSamples;
import org.detrain.data.Samples;
import org.detrain.util.Rng;
import org.junit.jupiter.api.Test;

/** Gradients of every model against central finite differences (in double, on the float model). */
class GradientCheckTest {
    /** A tiny in-memory dataset: random features, labels or targets. */
    private static Samples samples(int count, int features, int classes, long seed) {
        Rng rng = new Rng(seed);
        float[] x = new float[count * features];
        int[] labels = new int[count];
        float[] targets = new float[count];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        for (int i = 0; i < count; i++) {
            labels[i] = classes > 0 ? rng.nextInt(classes) : -1;
            targets[i] = (float) rng.nextGaussian();
        }
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = classes > 0 ? labels[i] : targets[i];
        }
        return DenseSamples.of(features, classes, x, values);
    }

    private static void check(Model model, Samples data) {
        Batch batch = new Batch(data.size(), data.featureCount());
        batch.fillRange(data, 0, data.size());
        float[] x = new float[model.dim()];
        Rng rng = new Rng(3);
        for (int k = 0; k < x.length; k++) {
            x[k] = (float) (0.3 * rng.nextGaussian());
        }
        float[] grad = new float[model.dim()];
        model.lossAndGradient(x, batch, grad);
        float[] scratch = new float[model.dim()];
        float h = 1e-2f;
        for (int k = 0; k < x.length; k++) {
            float saved = x[k];
            x[k] = saved + h;
            double up = model.lossAndGradient(x, batch, scratch);
            x[k] = saved - h;
            double down = model.lossAndGradient(x, batch, scratch);
            x[k] = saved;
            double numeric = (up - down) / (2 * h);
            assertEquals(numeric, grad[k], 2e-3 * Math.max(1, Math.abs(numeric)), model.name() + " parameter " + k);
        }
    }

    @Test
    void softmaxGradientMatchesFiniteDifferences() {
        check(new SoftmaxRegression(5, 3), samples(7, 5, 3, 11));
    }

    @Test
    void leastSquaresGradientMatchesFiniteDifferences() {
        check(new LinearLeastSquares(6), samples(9, 6, 0, 12));
    }

    @Test
    void softmaxHandComputedCase() {
        // One sample a = (1, 2), two classes, W = [[1, 0], [0, 1]], b = 0: logits (1, 2), label 0.
        SoftmaxRegression m = new SoftmaxRegression(2, 2);
        Samples s = new Samples() {
            public int size() {
                return 1;
            }

            public int featureCount() {
                return 2;
            }

            public int classCount() {
                return 2;
            }

            public void copyFeatures(int i, float[] out, int offset) {
                out[offset] = 1;
                out[offset + 1] = 2;
            }

            public int label(int i) {
                return 0;
            }

            public float target(int i) {
                return 0;
            }
        };
        Batch batch = new Batch(1, 2);
        batch.fillRange(s, 0, 1);
        float[] grad = new float[m.dim()];
        double loss = m.lossAndGradient(new float[] {1, 0, 0, 1, 0, 0}, batch, grad);
        double p0 = 1 / (1 + Math.exp(1)); // softmax(1, 2)[0]
        assertEquals(-Math.log(p0), loss, 1e-6);
        // dL/dW_c = (p_c - [c = 0]) a ; dL/db_c = p_c - [c = 0]
        double d0 = p0 - 1;
        double d1 = 1 - p0;
        float[] expected = {(float) d0, (float) (2 * d0), (float) d1, (float) (2 * d1), (float) d0, (float) d1};
        for (int k = 0; k < expected.length; k++) {
            assertEquals(expected[k], grad[k], 1e-6, "parameter " + k);
        }
        double[] acc = new double[2];
        m.evaluate(new float[] {1, 0, 0, 1, 0, 0}, batch, acc);
        assertEquals(0.0, acc[1], "predicts class 1, label is 0");
        assertTrue(acc[0] > 0);
    }
}
