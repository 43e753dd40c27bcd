package org.detrain.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
            float[] one = out.clone();
            for (int k = 0; k < 4; k++) {
                VectorLoops.accumulate(one, k * (n + 2), n, coef, k * count, 1, rows, 2, stride, count);
            }
            float[] four = out.clone();
            VectorLoops.accumulate4(four, 0, n + 2, 2 * (n + 2), 3 * (n + 2), n, coef, 0, count, 2 * count, 3 * count, 1,
                    rows, 2, stride, count);
            assertArrayEquals(expected, four, "accumulate4 n=" + n);
            // coefficients with a stride (a column of a row-major matrix), outputs in another order
            float[] strided = new float[4 * count + 8];
            for (int k = 0; k < 4; k++) {
                for (int r = 0; r < count; r++) {
                    strided[k + 4 * r] = coef[k * count + r];
                }
            }
            float[] fourStrided = out.clone();
            VectorLoops.accumulate4(fourStrided, 3 * (n + 2), 0, (n + 2), 2 * (n + 2), n, strided, 3, 0, 1, 2, 4, rows, 2,
                    stride, count);
            assertArrayEquals(expected, fourStrided, "accumulate4 strided n=" + n);
            assertArrayEquals(expected, one, "accumulate n=" + n);
        }
    }

    /** The lane loops against their plain variants, lane for lane, on random offsets and sizes. */
    @Test
    void laneLoopsMatchTheirPlainVariantsBitForBit() {
        Rng rng = new Rng(19);
        int lanes = VectorLoops.length();
        for (int round = 0; round < 20; round++) {
            int np = lanes * (1 + rng.nextInt(3));
            int rows = 1 + rng.nextInt(9);
            int cols = 1 + rng.nextInt(9);
            int span = (rows * cols + 20) * np;
            float[] a = random(rng, span);
            float[] b = random(rng, span);
            int[] as = new int[4];
            int[] bs = new int[4];
            for (int k = 0; k < 4; k++) {
                as[k] = rng.nextInt(20) * np;
                bs[k] = rng.nextInt(20) * np;
            }
            float[] expected = new float[16 * np];
            float[] actual = new float[16 * np];
            int v = rng.nextInt(np / lanes) * lanes;
            Loops.laneDots4x4Plain(expected, v, np, a, new int[] {as[0] + v, as[1] + v, as[2] + v, as[3] + v}, cols * np, b,
                    new int[] {bs[0] + v, bs[1] + v, bs[2] + v, bs[3] + v}, cols * np, rows, cols, np, lanes);
            VectorLoops.laneDots4x4(actual, v, np, a, as[0] + v, as[1] + v, as[2] + v, as[3] + v, cols * np, b, bs[0] + v,
                    bs[1] + v, bs[2] + v, bs[3] + v, cols * np, rows, cols, np);
            assertArrayEquals(expected, actual, "laneDots4x4 round " + round);

            Loops.laneSumPlain(expected, v, a, as[1] + v, rows * cols, np, lanes);
            VectorLoops.laneSum(actual, v, a, as[1] + v, rows * cols, np);
            assertArrayEquals(expected, actual, "laneSum round " + round);

            int terms = 1 + rng.nextInt(60);
            int[] rowOff = new int[terms + 3];
            int[] coefIdx = new int[terms + 3];
            for (int r = 0; r < rowOff.length; r++) {
                rowOff[r] = rng.nextInt(rows * cols + 10) * np;
                coefIdx[r] = rng.nextInt(50);
            }
            float[] coef = random(rng, 60);
            int[] os = {0, np, 2 * np, 2 * np}; // a repeated output, as in a short block
            int[] ks = {0, 1 + rng.nextInt(5), 3, 3};
            float[] inits = {(float) rng.nextGaussian(), 0f, -1f, -1f};
            for (boolean relu : new boolean[] {false, true}) {
                float[] te = new float[3 * np];
                float[] ta = new float[3 * np];
                int from = rng.nextInt(3);
                Loops.laneTerms4Plain(te, new int[] {os[0] + v, os[1] + v, os[2] + v, os[3] + v}, a, rowOff, from, terms, v,
                        coef, coefIdx, ks, inits, relu, lanes);
                VectorLoops.laneTerms4(ta, os[0] + v, os[1] + v, os[2] + v, os[3] + v, a, rowOff, from, terms, v, coef,
                        coefIdx, ks[0], ks[1], ks[2], ks[3], inits[0], inits[1], inits[2], inits[3], relu);
                assertArrayEquals(te, ta, "laneTerms4 round " + round + " relu " + relu);
            }

            // pooling with ties, zeros of both signs and a NaN among the candidates
            float[] act = random(rng, 4 * np);
            for (int i = 0; i < act.length; i++) {
                int pick = rng.nextInt(8);
                act[i] = pick == 0 ? 0f : pick == 1 ? -0f : pick == 2 ? act[(i + np) % act.length] : act[i];
            }
            act[rng.nextInt(act.length)] = Float.NaN;
            float[] dOut = random(rng, np);
            float[] pe = new float[np];
            float[] pa = new float[np];
            Loops.poolMaxLanesPlain(pe, 0, act, 0, np, 2 * np, 3 * np, np);
            VectorLoops.poolMaxLanes(pa, 0, act, 0, np, 2 * np, 3 * np, np);
            assertArrayEquals(pe, pa, "poolMaxLanes round " + round);
            for (boolean relu : new boolean[] {false, true}) {
                float[] ge = random(rng, 4 * np);
                float[] ga = ge.clone();
                Loops.poolGradLanesPlain(ge, act, 0, np, 2 * np, 3 * np, dOut, 0, relu, np);
                VectorLoops.poolGradLanes(ga, act, 0, np, 2 * np, 3 * np, dOut, 0, relu, np);
                assertArrayEquals(ge, ga, "poolGradLanes round " + round + " relu " + relu);
            }

            int n = 1 + rng.nextInt(3 * lanes);
            float[] r1 = random(rng, n + 2);
            r1[0] = -0f;
            float[] r2 = r1.clone();
            Loops.reluPlain(r1, 1, n);
            VectorLoops.relu(r2, 1, n);
            assertArrayEquals(r1, r2, "relu n=" + n);
            Loops.zeroWhereNotPositivePlain(r1, 0, act, 1, Math.min(n, act.length - 1));
            VectorLoops.zeroWhereNotPositive(r2, 0, act, 1, Math.min(n, act.length - 1));
            assertArrayEquals(r1, r2, "zeroWhereNotPositive n=" + n);
        }
    }

    @Test
    void poolingPicksTheFirstMaximumAndRoutesTheGradientThere() {
        int np = VectorLoops.length();
        float[] act = new float[4 * np];
        // lane 0: b and d tie for the maximum → b; lane 1: all equal → a; lane 2: maximum 0 with relu → no gradient
        float[][] windows = {{1f, 3f, 2f, 3f}, {5f, 5f, 5f, 5f}, {-1f, 0f, -2f, -3f}};
        for (int l = 0; l < windows.length; l++) {
            for (int k = 0; k < 4; k++) {
                act[k * np + l] = windows[l][k];
            }
        }
        float[] max = new float[np];
        Loops.poolMaxLanes(max, 0, act, 0, np, 2 * np, 3 * np, np);
        assertEquals(3f, max[0]);
        assertEquals(5f, max[1]);
        assertEquals(0f, max[2]);
        float[] dOut = new float[np];
        java.util.Arrays.fill(dOut, 7f);
        float[] dIn = new float[4 * np];
        Loops.poolGradLanes(dIn, act, 0, np, 2 * np, 3 * np, dOut, 0, true, np);
        assertArrayEquals(new float[] {0f, 7f, 0f, 0f}, new float[] {dIn[0], dIn[np], dIn[2 * np], dIn[3 * np]});
        assertArrayEquals(new float[] {7f, 0f, 0f, 0f}, new float[] {dIn[1], dIn[np + 1], dIn[2 * np + 1], dIn[3 * np + 1]});
        assertArrayEquals(new float[] {0f, 0f, 0f, 0f}, new float[] {dIn[2], dIn[np + 2], dIn[2 * np + 2], dIn[3 * np + 2]});
    }

    @Test
    void handComputedValues() {
        float[] y = {1, 2, 3};
        VectorLoops.axpy(y, 0, 2f, new float[] {1, 1, 1}, 0, 3);
        assertArrayEquals(new float[] {3, 4, 5}, y);
    }
}
