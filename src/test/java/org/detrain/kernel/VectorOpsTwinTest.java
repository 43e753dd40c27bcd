package org.detrain.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.detrain.util.Rng;
import org.junit.jupiter.api.Test;

/**
 * {@link AparapiVectorOps} against {@link JavaVectorOps} on random sizes and neighbour counts
 * (including more neighbours than one launch takes, and outputs that alias inputs): the results
 * must be identical bit for bit, as the {@link VectorOps} contract says. Plus hand-computed values.
 */
class VectorOpsTwinTest {
    private static float[] random(Rng rng, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) rng.nextGaussian();
        }
        return a;
    }

    private static void twin(ComputeDevice device, long seed) {
        Rng rng = new Rng(seed);
        AparapiVectorOps ops = new AparapiVectorOps(device);
        try {
            for (int round = 0; round < 8; round++) {
                int count = 1 + rng.nextInt(round < 6 ? 5000 : 70_000);
                int neighbours = round == 7 ? 11 : rng.nextInt(6);
                float[] self = random(rng, count + 3);
                float[][] in = new float[neighbours][];
                float[] w = new float[neighbours];
                for (int j = 0; j < neighbours; j++) {
                    in[j] = random(rng, count + 1);
                    w[j] = (float) rng.nextDouble();
                }
                float sw = (float) rng.nextDouble();
                float[] expected = new float[count + 3];
                float[] actual = new float[count + 3];
                JavaVectorOps.INSTANCE.weightedSum(expected, sw, self, w, in, count);
                ops.weightedSum(actual, sw, self, w, in, count);
                assertArrayEquals(expected, actual, "weightedSum, " + neighbours + " neighbours, count " + count + " on " + device);

                float[] diffExpected = new float[count + 3];
                float[] diffActual = new float[count + 3];
                JavaVectorOps.INSTANCE.mixDifferences(diffExpected, self, w, in, count);
                ops.mixDifferences(diffActual, self, w, in, count);
                assertArrayEquals(diffExpected, diffActual, "mixDifferences, " + neighbours + " neighbours, count "
                        + count + " on " + device);
                float[] diffAliasExpected = self.clone();
                float[] diffAliasActual = self.clone();
                JavaVectorOps.INSTANCE.mixDifferences(diffAliasExpected, diffAliasExpected, w, in, count);
                ops.mixDifferences(diffAliasActual, diffAliasActual, w, in, count);
                assertArrayEquals(diffAliasExpected, diffAliasActual, "mixDifferences with out == self");

                float[] aliasExpected = self.clone();
                float[] aliasActual = self.clone();
                JavaVectorOps.INSTANCE.weightedSum(aliasExpected, sw, aliasExpected, w, in, count);
                ops.weightedSum(aliasActual, sw, aliasActual, w, in, count);
                assertArrayEquals(aliasExpected, aliasActual, "weightedSum with out == self");

                float[] a = random(rng, count);
                float[] b = random(rng, count);
                float alpha = (float) rng.nextGaussian();
                float beta = (float) rng.nextGaussian();
                float[] lcExpected = new float[count];
                float[] lcActual = new float[count];
                JavaVectorOps.INSTANCE.linearCombination(lcExpected, alpha, a, beta, b, count);
                ops.linearCombination(lcActual, alpha, a, beta, b, count);
                assertArrayEquals(lcExpected, lcActual, "linearCombination, count " + count);
                float[] a2 = a.clone();
                JavaVectorOps.INSTANCE.linearCombination(a, alpha, a, beta, b, count);
                ops.linearCombination(a2, alpha, a2, beta, b, count);
                assertArrayEquals(a, a2, "linearCombination with out == a");
                float[] a3 = a.clone();
                JavaVectorOps.INSTANCE.linearCombination(a, alpha, a, beta, a, count);
                ops.linearCombination(a3, alpha, a3, beta, a3, count);
                assertArrayEquals(a, a3, "linearCombination with out == a == b");
                if (neighbours > 1) {
                    float[][] repeated = in.clone();
                    repeated[1] = repeated[0];
                    JavaVectorOps.INSTANCE.weightedSum(expected, sw, self, w, repeated, count);
                    ops.weightedSum(actual, sw, self, w, repeated, count);
                    assertArrayEquals(expected, actual, "weightedSum with a repeated input");
                }
            }
        } finally {
            ops.close();
        }
    }

    @Test
    void openClMatchesJavaBitForBit() {
        twin(OpenClAvailable.device(), 7);
    }

    @Test
    void javaThreadPoolMatchesJavaBitForBit() {
        twin(ComputeDevice.select("jtp"), 8);
    }

    @Test
    void handComputedValues() {
        ComputeDevice device = OpenClAvailable.device();
        AparapiVectorOps ops = new AparapiVectorOps(device);
        try {
            float[] out = new float[3];
            // 0.5·(2, 4, 8) + 0.25·(4, 0, −8) + 0.25·(0, 8, 16) = (2, 4, 6)
            ops.weightedSum(out, 0.5f, new float[] {2, 4, 8}, new float[] {0.25f, 0.25f},
                    new float[][] {{4, 0, -8}, {0, 8, 16}}, 3);
            assertArrayEquals(new float[] {2, 4, 6}, out);
            // 1·(1, 2, 3) − 0.5·(2, 2, 2) = (0, 1, 2)
            ops.linearCombination(out, 1f, new float[] {1, 2, 3}, -0.5f, new float[] {2, 2, 2}, 3);
            assertArrayEquals(new float[] {0, 1, 2}, out);
            // only the first count elements are written
            float[] partial = {9, 9};
            ops.linearCombination(partial, 1f, new float[] {1, 1}, 1f, new float[] {1, 1}, 1);
            assertArrayEquals(new float[] {2, 9}, partial);
            assertEquals(device.description(), ops.device());
        } finally {
            ops.close();
        }
    }
}
