package org.detrain.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** {@link Loops} with the Vector API; loaded only when the module is present. Same bits as the plain loops. */
final class VectorLoops {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private VectorLoops() {
    }

    static int length() {
        return S.length();
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

    /**
     * See {@link Loops#accumulate4}: 4 outputs x 2 vectors (8 sums) in registers, 6 loads per 8 products.
     * (16 sums, 4 x 4 vectors, measured faster alone but C2 sometimes left its vectors boxed: 20 GB/s of
     * garbage and half the speed in a two-rank run.)
     */
    static void accumulate4(float[] out, int o0, int o1, int o2, int o3, int n, float[] coef, int c0, int c1, int c2,
                            int c3, int coefStride, float[] rows, int rowsOff, int rowStride, int count) {
        int len = S.length();
        int i = 0;
        for (; i + 2 * len <= n; i += 2 * len) {
            FloatVector s00 = FloatVector.fromArray(S, out, o0 + i);
            FloatVector s01 = FloatVector.fromArray(S, out, o0 + i + len);
            FloatVector s10 = FloatVector.fromArray(S, out, o1 + i);
            FloatVector s11 = FloatVector.fromArray(S, out, o1 + i + len);
            FloatVector s20 = FloatVector.fromArray(S, out, o2 + i);
            FloatVector s21 = FloatVector.fromArray(S, out, o2 + i + len);
            FloatVector s30 = FloatVector.fromArray(S, out, o3 + i);
            FloatVector s31 = FloatVector.fromArray(S, out, o3 + i + len);
            int row = rowsOff + i;
            int c = 0;
            for (int r = 0; r < count; r++, row += rowStride, c += coefStride) {
                FloatVector v0 = FloatVector.fromArray(S, rows, row);
                FloatVector v1 = FloatVector.fromArray(S, rows, row + len);
                float w0 = coef[c0 + c];
                float w1 = coef[c1 + c];
                float w2 = coef[c2 + c];
                float w3 = coef[c3 + c];
                s00 = s00.add(v0.mul(w0));
                s01 = s01.add(v1.mul(w0));
                s10 = s10.add(v0.mul(w1));
                s11 = s11.add(v1.mul(w1));
                s20 = s20.add(v0.mul(w2));
                s21 = s21.add(v1.mul(w2));
                s30 = s30.add(v0.mul(w3));
                s31 = s31.add(v1.mul(w3));
            }
            s00.intoArray(out, o0 + i);
            s01.intoArray(out, o0 + i + len);
            s10.intoArray(out, o1 + i);
            s11.intoArray(out, o1 + i + len);
            s20.intoArray(out, o2 + i);
            s21.intoArray(out, o2 + i + len);
            s30.intoArray(out, o3 + i);
            s31.intoArray(out, o3 + i + len);
        }
        if (i < n) { // the rest output by output, in the same order
            accumulateRest4(out, o0, o1, o2, o3, i, n, coef, c0, c1, c2, c3, coefStride, rows, rowsOff, rowStride, count);
        }
    }

    private static void accumulateRest4(float[] out, int o0, int o1, int o2, int o3, int i, int n, float[] coef, int c0,
                                        int c1, int c2, int c3, int coefStride, float[] rows, int rowsOff, int rowStride,
                                        int count) {
        accumulate(out, o0 + i, n - i, coef, c0, coefStride, rows, rowsOff + i, rowStride, count);
        accumulate(out, o1 + i, n - i, coef, c1, coefStride, rows, rowsOff + i, rowStride, count);
        accumulate(out, o2 + i, n - i, coef, c2, coefStride, rows, rowsOff + i, rowStride, count);
        accumulate(out, o3 + i, n - i, coef, c3, coefStride, rows, rowsOff + i, rowStride, count);
    }

    /** See {@link Loops#laneDots4x4}: 16 sums in registers, 8 loads per 16 products. */
    static void laneDots4x4(float[] part, int partOff, int partStride, float[] a, int a0, int a1, int a2, int a3, int aRow,
                            float[] b, int b0, int b1, int b2, int b3, int bRow, int rows, int cols, int col) {
        for (int k = 0; k < 16; k++) {
            FloatVector.zero(S).intoArray(part, partOff + k * partStride);
        }
        // a row per call: the sums go through memory between rows (C2 keeps vectors unboxed only in the innermost loop)
        for (int y = 0; y < rows; y++) {
            int ya = y * aRow;
            int yb = y * bRow;
            laneDotsRow(part, partOff, partStride, a, a0 + ya, a1 + ya, a2 + ya, a3 + ya, b, b0 + yb, b1 + yb, b2 + yb,
                    b3 + yb, cols, col);
        }
    }

    private static void laneDotsRow(float[] part, int p, int ps, float[] a, int a0, int a1, int a2, int a3, float[] b,
                                    int b0, int b1, int b2, int b3, int cols, int col) {
        FloatVector s00 = FloatVector.fromArray(S, part, p + 0 * ps);
        FloatVector s01 = FloatVector.fromArray(S, part, p + 1 * ps);
        FloatVector s02 = FloatVector.fromArray(S, part, p + 2 * ps);
        FloatVector s03 = FloatVector.fromArray(S, part, p + 3 * ps);
        FloatVector s10 = FloatVector.fromArray(S, part, p + 4 * ps);
        FloatVector s11 = FloatVector.fromArray(S, part, p + 5 * ps);
        FloatVector s12 = FloatVector.fromArray(S, part, p + 6 * ps);
        FloatVector s13 = FloatVector.fromArray(S, part, p + 7 * ps);
        FloatVector s20 = FloatVector.fromArray(S, part, p + 8 * ps);
        FloatVector s21 = FloatVector.fromArray(S, part, p + 9 * ps);
        FloatVector s22 = FloatVector.fromArray(S, part, p + 10 * ps);
        FloatVector s23 = FloatVector.fromArray(S, part, p + 11 * ps);
        FloatVector s30 = FloatVector.fromArray(S, part, p + 12 * ps);
        FloatVector s31 = FloatVector.fromArray(S, part, p + 13 * ps);
        FloatVector s32 = FloatVector.fromArray(S, part, p + 14 * ps);
        FloatVector s33 = FloatVector.fromArray(S, part, p + 15 * ps);
        for (int x = 0, i = 0; x < cols; x++, i += col) {
            FloatVector u0 = FloatVector.fromArray(S, a, a0 + i);
            FloatVector u1 = FloatVector.fromArray(S, a, a1 + i);
            FloatVector u2 = FloatVector.fromArray(S, a, a2 + i);
            FloatVector u3 = FloatVector.fromArray(S, a, a3 + i);
            FloatVector v0 = FloatVector.fromArray(S, b, b0 + i);
            FloatVector v1 = FloatVector.fromArray(S, b, b1 + i);
            FloatVector v2 = FloatVector.fromArray(S, b, b2 + i);
            FloatVector v3 = FloatVector.fromArray(S, b, b3 + i);
            s00 = s00.add(u0.mul(v0));
            s01 = s01.add(u0.mul(v1));
            s02 = s02.add(u0.mul(v2));
            s03 = s03.add(u0.mul(v3));
            s10 = s10.add(u1.mul(v0));
            s11 = s11.add(u1.mul(v1));
            s12 = s12.add(u1.mul(v2));
            s13 = s13.add(u1.mul(v3));
            s20 = s20.add(u2.mul(v0));
            s21 = s21.add(u2.mul(v1));
            s22 = s22.add(u2.mul(v2));
            s23 = s23.add(u2.mul(v3));
            s30 = s30.add(u3.mul(v0));
            s31 = s31.add(u3.mul(v1));
            s32 = s32.add(u3.mul(v2));
            s33 = s33.add(u3.mul(v3));
        }
        s00.intoArray(part, p + 0 * ps);
        s01.intoArray(part, p + 1 * ps);
        s02.intoArray(part, p + 2 * ps);
        s03.intoArray(part, p + 3 * ps);
        s10.intoArray(part, p + 4 * ps);
        s11.intoArray(part, p + 5 * ps);
        s12.intoArray(part, p + 6 * ps);
        s13.intoArray(part, p + 7 * ps);
        s20.intoArray(part, p + 8 * ps);
        s21.intoArray(part, p + 9 * ps);
        s22.intoArray(part, p + 10 * ps);
        s23.intoArray(part, p + 11 * ps);
        s30.intoArray(part, p + 12 * ps);
        s31.intoArray(part, p + 13 * ps);
        s32.intoArray(part, p + 14 * ps);
        s33.intoArray(part, p + 15 * ps);
    }

    static void laneSum(float[] part, int partOff, float[] a, int a0, int count, int stride) {
        FloatVector acc = FloatVector.zero(S);
        for (int t = 0, i = a0; t < count; t++, i += stride) {
            acc = acc.add(FloatVector.fromArray(S, a, i));
        }
        acc.intoArray(part, partOff);
    }

    /** See {@link Loops#laneTerms4}: each row vector is loaded once for the four sums. */
    static void laneTerms4(float[] out, int o0, int o1, int o2, int o3, float[] rows, int[] rowOff, int from, int count,
                           int rowBase, float[] coef, int[] coefIdx, int k0, int k1, int k2, int k3, float i0, float i1,
                           float i2, float i3, boolean relu) {
        FloatVector a0 = FloatVector.broadcast(S, i0);
        FloatVector a1 = FloatVector.broadcast(S, i1);
        FloatVector a2 = FloatVector.broadcast(S, i2);
        FloatVector a3 = FloatVector.broadcast(S, i3);
        for (int r = from; r < from + count; r++) {
            FloatVector v = FloatVector.fromArray(S, rows, rowOff[r] + rowBase);
            int c = coefIdx[r];
            a0 = a0.add(v.mul(coef[c + k0]));
            a1 = a1.add(v.mul(coef[c + k1]));
            a2 = a2.add(v.mul(coef[c + k2]));
            a3 = a3.add(v.mul(coef[c + k3]));
        }
        if (relu) {
            a0 = a0.blend(0f, a0.compare(VectorOperators.LT, 0f));
            a1 = a1.blend(0f, a1.compare(VectorOperators.LT, 0f));
            a2 = a2.blend(0f, a2.compare(VectorOperators.LT, 0f));
            a3 = a3.blend(0f, a3.compare(VectorOperators.LT, 0f));
        }
        a0.intoArray(out, o0);
        a1.intoArray(out, o1);
        a2.intoArray(out, o2);
        a3.intoArray(out, o3);
    }

    static void poolMaxLanes(float[] out, int o, float[] in, int a, int b, int c, int d, int count) {
        for (int l = 0; l < count; l += S.length()) {
            FloatVector va = FloatVector.fromArray(S, in, a + l);
            FloatVector vb = FloatVector.fromArray(S, in, b + l);
            FloatVector vc = FloatVector.fromArray(S, in, c + l);
            FloatVector vd = FloatVector.fromArray(S, in, d + l);
            FloatVector v = va.blend(vb, vb.compare(VectorOperators.GT, va));
            v = v.blend(vc, vc.compare(VectorOperators.GT, v));
            v = v.blend(vd, vd.compare(VectorOperators.GT, v));
            v.intoArray(out, o + l);
        }
    }

    static void poolGradLanes(float[] dIn, float[] act, int a, int b, int c, int d, float[] dOut, int o, boolean relu,
                              int count) {
        FloatVector zero = FloatVector.zero(S);
        for (int l = 0; l < count; l += S.length()) {
            FloatVector va = FloatVector.fromArray(S, act, a + l);
            FloatVector vb = FloatVector.fromArray(S, act, b + l);
            FloatVector vc = FloatVector.fromArray(S, act, c + l);
            FloatVector vd = FloatVector.fromArray(S, act, d + l);
            VectorMask<Float> takeB = vb.compare(VectorOperators.GT, va);
            FloatVector v = va.blend(vb, takeB);
            VectorMask<Float> takeC = vc.compare(VectorOperators.GT, v);
            v = v.blend(vc, takeC);
            VectorMask<Float> takeD = vd.compare(VectorOperators.GT, v);
            v = v.blend(vd, takeD);
            FloatVector g = FloatVector.fromArray(S, dOut, o + l);
            if (relu) {
                g = g.blend(0f, v.compare(VectorOperators.GT, 0f).not());
            }
            VectorMask<Float> notD = takeD.not();
            VectorMask<Float> onC = takeC.and(notD);
            VectorMask<Float> onB = takeB.and(takeC.not()).and(notD);
            VectorMask<Float> onA = takeB.not().and(takeC.not()).and(notD);
            zero.blend(g, takeD).intoArray(dIn, d + l);
            zero.blend(g, onC).intoArray(dIn, c + l);
            zero.blend(g, onB).intoArray(dIn, b + l);
            zero.blend(g, onA).intoArray(dIn, a + l);
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

    static void relu(float[] a, int off, int n) {
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, a, off + i);
            v.blend(0f, v.compare(VectorOperators.LT, 0f)).intoArray(a, off + i);
        }
        for (; i < n; i++) {
            if (a[off + i] < 0f) {
                a[off + i] = 0f;
            }
        }
    }

    static void zeroWhereNotPositive(float[] out, int outOff, float[] act, int actOff, int n) {
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += S.length()) {
            VectorMask<Float> dead = FloatVector.fromArray(S, act, actOff + i).compare(VectorOperators.LE, 0f);
            FloatVector.fromArray(S, out, outOff + i).blend(0f, dead).intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            if (act[actOff + i] <= 0f) {
                out[outOff + i] = 0f;
            }
        }
    }

}
