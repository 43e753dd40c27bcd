package org.detrain.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.detrain.util.Rng;
import org.junit.jupiter.api.Test;

/** The Vector API loops against plain loops, bit for bit, on lengths around the vector width. */
class LoopsTest {
    private static float[] random(Rng rng, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) rng.nextGaussian();
        }
        return a;
    }

    @Test
    void testsRunWithTheVectorApi() {
        assertTrue(Loops.VECTOR, "surefire must pass --add-modules=jdk.incubator.vector (pom.xml argLine)");
    }

    @Test
    void vectorLoopsMatchPlainLoopsBitForBit() {
        Rng rng = new Rng(17);
        for (int n : new int[] {0, 1, 7, 15, 16, 17, 25, 31, 32, 33, 96, 150, 1000, 4099}) {
            float a = (float) rng.nextGaussian();
            float b = (float) rng.nextGaussian();
            float[] x = random(rng, n + 5);
            float[] y = random(rng, n + 3);
            float[] expected = y.clone();
            for (int i = 0; i < n; i++) {
                expected[i + 3] += a * x[i + 5];
            }
            float[] actual = y.clone();
            VectorLoops.axpy(actual, 3, a, x, 5, n);
            assertArrayEquals(expected, actual, "axpy n=" + n);

            float[] scaled = y.clone();
            float[] scaledExpected = y.clone();
            for (int i = 0; i < n; i++) {
                scaledExpected[i + 1] = a * x[i + 2];
            }
            VectorLoops.scale(scaled, 1, a, x, 2, n);
            assertArrayEquals(scaledExpected, scaled, "scale n=" + n);

            float[] c = random(rng, n);
            float[] d = random(rng, n);
            float[] out = new float[n];
            float[] outExpected = new float[n];
            for (int i = 0; i < n; i++) {
                outExpected[i] = a * c[i] + b * d[i];
            }
            VectorLoops.axpby(out, a, c, b, d, n);
            assertArrayEquals(outExpected, out, "axpby n=" + n);

            for (int k = 0; k <= 5; k++) {
                float[][] in = new float[k][];
                float[] w = new float[k];
                for (int j = 0; j < k; j++) {
                    in[j] = random(rng, n);
                    w[j] = (float) rng.nextDouble();
                }
                float[] mixed = new float[n];
                float[] mixedExpected = new float[n];
                for (int i = 0; i < n; i++) {
                    float acc = a * c[i];
                    for (int j = 0; j < k; j++) {
                        acc += w[j] * in[j][i];
                    }
                    mixedExpected[i] = acc;
                }
                VectorLoops.weightedSum(mixed, a, c, w, in, 0, n);
                assertArrayEquals(mixedExpected, mixed, "weightedSum n=" + n + " k=" + k);

                float[] diffExpected = new float[n];
                for (int i = 0; i < n; i++) {
                    float own = c[i];
                    float acc = own;
                    for (int j = 0; j < k; j++) {
                        acc += w[j] * (in[j][i] - own);
                    }
                    diffExpected[i] = acc;
                }
                float[] diff = new float[n];
                VectorLoops.mixDifferences(diff, c, w, in, 0, n);
                assertArrayEquals(diffExpected, diff, "mixDifferences n=" + n + " k=" + k);
                float[] inPlace = c.clone();
                VectorLoops.mixDifferences(inPlace, inPlace, w, in, 0, n);
                assertArrayEquals(diffExpected, inPlace, "mixDifferences in place n=" + n + " k=" + k);
            }
        }
    }

    @Test
    void rowAccumulationsMatchPlainLoopsBitForBit() {
        Rng rng = new Rng(18);
        for (int n : new int[] {1, 15, 16, 17, 32, 48, 64, 100, 150, 257}) {
            int count = 1 + rng.nextInt(40);
            int stride = n + rng.nextInt(3);
            float[] rows = random(rng, count * stride + n + 8);
            float[] coef = random(rng, 4 * count + 8);
            float[] out = random(rng, 4 * (n + 2));
            float[] expected = out.clone();
            for (int k = 0; k < 4; k++) {
                for (int i = 0; i < n; i++) {
                    float a = expected[k * (n + 2) + i];
                    for (int r = 0; r < count; r++) {
                        a += coef[k * count + r] * rows[2 + r * stride + i];
                    }
                    expected[k * (n + 2) + i] = a;
                }
            }
            float[] four = out.clone();
            VectorLoops.accumulate4(four, 0, n + 2, n, coef, 0, count, 2 * count, 3 * count, rows, 2, stride, count);
            assertArrayEquals(expected, four, "accumulate4 n=" + n);
            float[] one = out.clone();
            int[] at = new int[count];
            for (int r = 0; r < count; r++) {
                at[r] = r * stride;
            }
            for (int k = 0; k < 4; k++) {
                float[] viaAt = out.clone();
                VectorLoops.accumulate(one, k * (n + 2), n, coef, k * count, 1, rows, 2, stride, count);
                VectorLoops.accumulateAt(viaAt, k * (n + 2), n, coef, k * count, 1, rows, 2, at, count);
                for (int i = 0; i < n; i++) {
                    org.junit.jupiter.api.Assertions.assertEquals(expected[k * (n + 2) + i], viaAt[k * (n + 2) + i], 0f,
                            "accumulateAt n=" + n);
                }
            }
            assertArrayEquals(expected, one, "accumulate n=" + n);
        }
    }

    @Test
    void handComputedValues() {
        float[] y = {1, 2, 3};
        VectorLoops.axpy(y, 0, 2f, new float[] {1, 1, 1}, 0, 3);
        assertArrayEquals(new float[] {3, 4, 5}, y);
    }
}
