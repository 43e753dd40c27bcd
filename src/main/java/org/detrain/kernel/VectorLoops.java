package org.detrain.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** {@link Loops} with the Vector API; loaded only when the module is present. Same bits as the plain loops. */
final class VectorLoops {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private VectorLoops() {
    }

    static void axpy(float[] y, int yOff, float a, float[] x, int xOff, int n) {
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += S.length()) {
            FloatVector p = FloatVector.fromArray(S, x, xOff + i).mul(a);
            FloatVector.fromArray(S, y, yOff + i).add(p).intoArray(y, yOff + i);
        }
        for (; i < n; i++) { // (masked tail vectors measured slower on JDK 17)
            y[yOff + i] += a * x[xOff + i];
        }
    }

    /** See {@link Loops#accumulate}: blocks of four vectors held in registers over all rows. */
    static void accumulate(float[] out, int outOff, int n, float[] coef, int coefOff, int coefStride,
                           float[] rows, int rowsOff, int rowStride, int count) {
        int len = S.length();
        int i = 0;
        for (; i + 4 * len <= n; i += 4 * len) {
            FloatVector a0 = FloatVector.fromArray(S, out, outOff + i);
            FloatVector a1 = FloatVector.fromArray(S, out, outOff + i + len);
            FloatVector a2 = FloatVector.fromArray(S, out, outOff + i + 2 * len);
            FloatVector a3 = FloatVector.fromArray(S, out, outOff + i + 3 * len);
            int row = rowsOff + i;
            int c = coefOff;
            for (int r = 0; r < count; r++, row += rowStride, c += coefStride) {
                float w = coef[c];
                a0 = a0.add(FloatVector.fromArray(S, rows, row).mul(w));
                a1 = a1.add(FloatVector.fromArray(S, rows, row + len).mul(w));
                a2 = a2.add(FloatVector.fromArray(S, rows, row + 2 * len).mul(w));
                a3 = a3.add(FloatVector.fromArray(S, rows, row + 3 * len).mul(w));
            }
            a0.intoArray(out, outOff + i);
            a1.intoArray(out, outOff + i + len);
            a2.intoArray(out, outOff + i + 2 * len);
            a3.intoArray(out, outOff + i + 3 * len);
        }
        if (i + 2 * len <= n) {
            FloatVector a0 = FloatVector.fromArray(S, out, outOff + i);
            FloatVector a1 = FloatVector.fromArray(S, out, outOff + i + len);
            int row = rowsOff + i;
            int c = coefOff;
            for (int r = 0; r < count; r++, row += rowStride, c += coefStride) {
                float w = coef[c];
                a0 = a0.add(FloatVector.fromArray(S, rows, row).mul(w));
                a1 = a1.add(FloatVector.fromArray(S, rows, row + len).mul(w));
            }
            a0.intoArray(out, outOff + i);
            a1.intoArray(out, outOff + i + len);
            i += 2 * len;
        }
        for (; i + len <= n; i += len) {
            FloatVector a0 = FloatVector.fromArray(S, out, outOff + i);
            int row = rowsOff + i;
            int c = coefOff;
            for (int r = 0; r < count; r++, row += rowStride, c += coefStride) {
                a0 = a0.add(FloatVector.fromArray(S, rows, row).mul(coef[c]));
            }
            a0.intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            float a = out[outOff + i];
            int row = rowsOff + i;
            int c = coefOff;
            for (int r = 0; r < count; r++, row += rowStride, c += coefStride) {
                a += coef[c] * rows[row];
            }
            out[outOff + i] = a;
        }
    }

    /** See {@link Loops#accumulate4}: four outputs, four independent chains sharing each row load. */
    static void accumulate4(float[] out, int outOff, int outStride, int n, float[] coef, int c0, int c1, int c2, int c3,
                            float[] rows, int rowsOff, int rowStride, int count) {
        int len = S.length();
        int i = 0;
        for (; i + len <= n; i += len) {
            FloatVector a0 = FloatVector.fromArray(S, out, outOff + i);
            FloatVector a1 = FloatVector.fromArray(S, out, outOff + outStride + i);
            FloatVector a2 = FloatVector.fromArray(S, out, outOff + 2 * outStride + i);
            FloatVector a3 = FloatVector.fromArray(S, out, outOff + 3 * outStride + i);
            int row = rowsOff + i;
            for (int r = 0; r < count; r++, row += rowStride) {
                FloatVector v = FloatVector.fromArray(S, rows, row);
                a0 = a0.add(v.mul(coef[c0 + r]));
                a1 = a1.add(v.mul(coef[c1 + r]));
                a2 = a2.add(v.mul(coef[c2 + r]));
                a3 = a3.add(v.mul(coef[c3 + r]));
            }
            a0.intoArray(out, outOff + i);
            a1.intoArray(out, outOff + outStride + i);
            a2.intoArray(out, outOff + 2 * outStride + i);
            a3.intoArray(out, outOff + 3 * outStride + i);
        }
        for (; i < n; i++) {
            int[] cs = {c0, c1, c2, c3};
            for (int k = 0; k < 4; k++) {
                float a = out[outOff + k * outStride + i];
                int row = rowsOff + i;
                for (int r = 0; r < count; r++, row += rowStride) {
                    a += coef[cs[k] + r] * rows[row];
                }
                out[outOff + k * outStride + i] = a;
            }
        }
    }

    /** See {@link Loops#accumulateAt}. */
    static void accumulateAt(float[] out, int outOff, int n, float[] coef, int coefOff, int coefStride,
                             float[] rows, int rowsOff, int[] rowOffsets, int count) {
        int len = S.length();
        int i = 0;
        for (; i + 4 * len <= n; i += 4 * len) {
            FloatVector a0 = FloatVector.fromArray(S, out, outOff + i);
            FloatVector a1 = FloatVector.fromArray(S, out, outOff + i + len);
            FloatVector a2 = FloatVector.fromArray(S, out, outOff + i + 2 * len);
            FloatVector a3 = FloatVector.fromArray(S, out, outOff + i + 3 * len);
            int c = coefOff;
            for (int r = 0; r < count; r++, c += coefStride) {
                float w = coef[c];
                int row = rowsOff + rowOffsets[r] + i;
                a0 = a0.add(FloatVector.fromArray(S, rows, row).mul(w));
                a1 = a1.add(FloatVector.fromArray(S, rows, row + len).mul(w));
                a2 = a2.add(FloatVector.fromArray(S, rows, row + 2 * len).mul(w));
                a3 = a3.add(FloatVector.fromArray(S, rows, row + 3 * len).mul(w));
            }
            a0.intoArray(out, outOff + i);
            a1.intoArray(out, outOff + i + len);
            a2.intoArray(out, outOff + i + 2 * len);
            a3.intoArray(out, outOff + i + 3 * len);
        }
        if (i + 2 * len <= n) {
            FloatVector a0 = FloatVector.fromArray(S, out, outOff + i);
            FloatVector a1 = FloatVector.fromArray(S, out, outOff + i + len);
            int c = coefOff;
            for (int r = 0; r < count; r++, c += coefStride) {
                float w = coef[c];
                int row = rowsOff + rowOffsets[r] + i;
                a0 = a0.add(FloatVector.fromArray(S, rows, row).mul(w));
                a1 = a1.add(FloatVector.fromArray(S, rows, row + len).mul(w));
            }
            a0.intoArray(out, outOff + i);
            a1.intoArray(out, outOff + i + len);
            i += 2 * len;
        }
        for (; i + len <= n; i += len) {
            FloatVector a0 = FloatVector.fromArray(S, out, outOff + i);
            int c = coefOff;
            for (int r = 0; r < count; r++, c += coefStride) {
                a0 = a0.add(FloatVector.fromArray(S, rows, rowsOff + rowOffsets[r] + i).mul(coef[c]));
            }
            a0.intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            float a = out[outOff + i];
            int c = coefOff;
            for (int r = 0; r < count; r++, c += coefStride) {
                a += coef[c] * rows[rowsOff + rowOffsets[r] + i];
            }
            out[outOff + i] = a;
        }
    }

    /** out[i] = w0·self[i] + Σ_j w[j]·in_j[i] for i in [from, to), j ascending, four vectors at a time in registers. */
    static void weightedSum(float[] out, float w0, float[] self, float[] w, float[][] inputs, int from, int to) {
        int len = S.length();
        int i = from;
        int k = inputs.length;
        for (; i + 4 * len <= to; i += 4 * len) {
            FloatVector a0 = FloatVector.fromArray(S, self, i).mul(w0);
            FloatVector a1 = FloatVector.fromArray(S, self, i + len).mul(w0);
            FloatVector a2 = FloatVector.fromArray(S, self, i + 2 * len).mul(w0);
            FloatVector a3 = FloatVector.fromArray(S, self, i + 3 * len).mul(w0);
            for (int j = 0; j < k; j++) {
                float[] in = inputs[j];
                float wj = w[j];
                a0 = a0.add(FloatVector.fromArray(S, in, i).mul(wj));
                a1 = a1.add(FloatVector.fromArray(S, in, i + len).mul(wj));
                a2 = a2.add(FloatVector.fromArray(S, in, i + 2 * len).mul(wj));
                a3 = a3.add(FloatVector.fromArray(S, in, i + 3 * len).mul(wj));
            }
            a0.intoArray(out, i);
            a1.intoArray(out, i + len);
            a2.intoArray(out, i + 2 * len);
            a3.intoArray(out, i + 3 * len);
        }
        for (; i < to; i++) {
            float acc = w0 * self[i];
            for (int j = 0; j < k; j++) {
                acc += w[j] * inputs[j][i];
            }
            out[i] = acc;
        }
    }

    /** See {@link Loops#mixDifferences}; each lane sees the scalar loop's operations in its order. */
    static void mixDifferences(float[] out, float[] self, float[] w, float[][] inputs, int from, int to) {
        int len = S.length();
        int i = from;
        int k = inputs.length;
        for (; i + 2 * len <= to; i += 2 * len) {
            FloatVector own0 = FloatVector.fromArray(S, self, i);
            FloatVector own1 = FloatVector.fromArray(S, self, i + len);
            FloatVector a0 = own0;
            FloatVector a1 = own1;
            for (int j = 0; j < k; j++) {
                float[] in = inputs[j];
                float wj = w[j];
                a0 = a0.add(FloatVector.fromArray(S, in, i).sub(own0).mul(wj));
                a1 = a1.add(FloatVector.fromArray(S, in, i + len).sub(own1).mul(wj));
            }
            a0.intoArray(out, i);
            a1.intoArray(out, i + len);
        }
        for (; i < to; i++) {
            float own = self[i];
            float acc = own;
            for (int j = 0; j < k; j++) {
                acc += w[j] * (inputs[j][i] - own);
            }
            out[i] = acc;
        }
    }

    static void scale(float[] y, int yOff, float a, float[] x, int xOff, int n) {
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += S.length()) {
            FloatVector.fromArray(S, x, xOff + i).mul(a).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = a * x[xOff + i];
        }
    }

    static void axpby(float[] out, float alpha, float[] a, float beta, float[] b, int n) {
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += S.length()) {
            FloatVector p = FloatVector.fromArray(S, a, i).mul(alpha);
            FloatVector q = FloatVector.fromArray(S, b, i).mul(beta);
            p.add(q).intoArray(out, i);
        }
        for (; i < n; i++) {
            out[i] = alpha * a[i] + beta * b[i];
        }
    }
}
