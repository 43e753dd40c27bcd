package org.detrain.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.detrain.data.Samples;
import org.detrain.util.Rng;
import org.junit.jupiter.api.Test;

/** The batched SoftmaxRegression gives exactly the numbers of the original, sample-at-a-time one. */
class SoftmaxSameBitsTest {
    @Test
    void sameLossGradientAndEvaluationAsTheOriginal() {
        Rng rng = new Rng(31);
        for (int round = 0; round < 6; round++) {
            int features = 1 + rng.nextInt(800);
            int classes = 2 + rng.nextInt(11);
            int n = 1 + rng.nextInt(70);
            Samples data = NetModelTest.samples(n, features, classes, 100 + round);
            Batch batch = new Batch(n + rng.nextInt(5), features);
            batch.fillRange(data, 0, n);
            SoftmaxRegression now = new SoftmaxRegression(features, classes);
            LegacySoftmaxRegression before = new LegacySoftmaxRegression(features, classes);
            float[] x = new float[now.dim()];
            now.initialize(x, new Rng(round));
            for (int k = 0; k < x.length; k++) {
                x[k] += (float) (0.05 * rng.nextGaussian());
            }
            float[] g1 = new float[now.dim()];
            float[] g2 = new float[now.dim()];
            assertEquals(before.lossAndGradient(x, batch, g2), now.lossAndGradient(x, batch, g1), 0.0, "loss");
            assertArrayEquals(g2, g1, "gradient");
            double[] a1 = new double[2];
            double[] a2 = new double[2];
            now.evaluate(x, batch, a1);
            before.evaluate(x, batch, a2);
            assertArrayEquals(a2, a1, 0.0, "evaluation");
        }
    }
}
