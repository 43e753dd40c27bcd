package org.detrain.kernel;

/**
 * The innermost loops of the Java engines: each element gets one float32 multiply and one add (never
 * a fused multiply-add), so every variant gives the same bits. When the JVM runs with
 * {@code --add-modules jdk.incubator.vector} (the rank JVMs, the tests and the benchmark do), the
 * loops use the Vector API, which the JIT turns into AVX/AVX-512 code; without it, plain loops
 * (JDK 17's auto-vectoriser leaves these ones scalar — measured 2 vs 8-12 GMAC/s here).
 */
public final class Loops {
    /** Whether the Vector API module is in the boot layer; a constant, fixed at class initialisation. */
    public static final boolean VECTOR = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    /**
     * Floats the "lane" loops below handle per call: the vector length with the Vector API, 1 without.
     * Arrays laid out [element][sample] pad the samples to a multiple of it.
     */
    public static final int LANES = VECTOR ? VectorLoops.length() : 1;

    private Loops() {
    }

    /** y[yOff + i] += a · x[xOff + i] for i in [0, n). */
    public static void axpy(float[] y, int yOff, float a, float[] x, int xOff, int n) {
        if (VECTOR) {
            VectorLoops.axpy(y, yOff, a, x, xOff, n);
            return;
        }
        for (int i = 0; i < n; i++) {
            y[yOff + i] += a * x[xOff + i];
        }
    }

    /**
     * out[outOff + i] += Σ_{r < count} coef[coefOff + r·coefStride] · rows[rowsOff + r·rowStride + i] for
     * i in [0, n), adding the rows in ascending r (a block of a matrix product: the output block stays
     * in registers while the rows stream past).
     */
    public static void accumulate(float[] out, int outOff, int n, float[] coef, int coefOff, int coefStride,
                                  float[] rows, int rowsOff, int rowStride, int count) {
        if (VECTOR) {
            VectorLoops.accumulate(out, outOff, n, coef, coefOff, coefStride, rows, rowsOff, rowStride, count);
            return;
        }
        for (int r = 0; r < count; r++) {
            axpy(out, outOff, coef[coefOff + r * coefStride], rows, rowsOff + r * rowStride, n);
        }
    }

    /**
     * Four {@link #accumulate}s that share their rows: out[o_q + i] += Σ_{r < count} coef[c_q + r·coefStride]
     * · rows[rowsOff + r·rowStride + i] for q in 0..3 and i in [0, n), rows in ascending r (four
     * samples through one weight matrix, or four weight rows from one batch).
     */
    public static void accumulate4(float[] out, int o0, int o1, int o2, int o3, int n, float[] coef, int c0, int c1,
                                   int c2, int c3, int coefStride, float[] rows, int rowsOff, int rowStride, int count) {
        if (VECTOR) {
            VectorLoops.accumulate4(out, o0, o1, o2, o3, n, coef, c0, c1, c2, c3, coefStride, rows, rowsOff, rowStride,
                    count);
            return;
        }
        accumulate(out, o0, n, coef, c0, coefStride, rows, rowsOff, rowStride, count);
        accumulate(out, o1, n, coef, c1, coefStride, rows, rowsOff, rowStride, count);
        accumulate(out, o2, n, coef, c2, coefStride, rows, rowsOff, rowStride, count);
        accumulate(out, o3, n, coef, c3, coefStride, rows, rowsOff, rowStride, count);
    }

    /*
     * The lane loops: arrays laid out [element][sample] (the samples as vector lanes), each call
     * covering LANES consecutive samples. The plain variants take the lane count so that tests can
     * hold them against the vector ones lane for lane.
     */

    /**
     * Sixteen dot products over a grid: for k, j in 0..3, part[partOff + (4k + j)·partStride + l] =
     * Σ_{y < rows, x < cols} a[a_k + y·aRow + x·col + l] · b[b_j + y·bRow + x·col + l], (y, x) ascending.
     */
    public static void laneDots4x4(float[] part, int partOff, int partStride, float[] a, int a0, int a1, int a2, int a3,
                                   int aRow, float[] b, int b0, int b1, int b2, int b3, int bRow, int rows, int cols,
                                   int col) {
        if (VECTOR) {
            VectorLoops.laneDots4x4(part, partOff, partStride, a, a0, a1, a2, a3, aRow, b, b0, b1, b2, b3, bRow, rows, cols,
                    col);
        } else {
            laneDots4x4Plain(part, partOff, partStride, a, new int[] {a0, a1, a2, a3}, aRow, b, new int[] {b0, b1, b2, b3},
                    bRow, rows, cols, col, 1);
        }
    }

    static void laneDots4x4Plain(float[] part, int partOff, int partStride, float[] a, int[] as, int aRow, float[] b,
                                 int[] bs, int bRow, int rows, int cols, int col, int lanes) {
        for (int l = 0; l < lanes; l++) {
            for (int k = 0; k < 4; k++) {
                for (int j = 0; j < 4; j++) {
                    float acc = 0f;
                    for (int y = 0; y < rows; y++) {
                        for (int x = 0; x < cols; x++) {
                            acc += a[as[k] + y * aRow + x * col + l] * b[bs[j] + y * bRow + x * col + l];
                        }
                    }
                    part[partOff + (4 * k + j) * partStride + l] = acc;
                }
            }
        }
    }

    /** part[partOff + l] = Σ_{t < count} a[a0 + t·stride + l], t ascending. */
    public static void laneSum(float[] part, int partOff, float[] a, int a0, int count, int stride) {
        if (VECTOR) {
            VectorLoops.laneSum(part, partOff, a, a0, count, stride);
        } else {
            laneSumPlain(part, partOff, a, a0, count, stride, 1);
        }
    }

    static void laneSumPlain(float[] part, int partOff, float[] a, int a0, int count, int stride, int lanes) {
        for (int l = 0; l < lanes; l++) {
            float acc = 0f;
            for (int t = 0; t < count; t++) {
                acc += a[a0 + t * stride + l];
            }
            part[partOff + l] = acc;
        }
    }

    /**
     * Four sums over a list of terms: for q in 0..3, out[o_q + l] = act(init_q + Σ_r rows[rowOff[r] +
     * rowBase + l] · coef[coefIdx[r] + k_q]) over r in [from, from + count) ascending, act = ReLU or
     * the identity.
     */
    public static void laneTerms4(float[] out, int o0, int o1, int o2, int o3, float[] rows, int[] rowOff, int from,
                                  int count, int rowBase, float[] coef, int[] coefIdx, int k0, int k1, int k2, int k3,
                                  float i0, float i1, float i2, float i3, boolean relu) {
        if (VECTOR) {
            VectorLoops.laneTerms4(out, o0, o1, o2, o3, rows, rowOff, from, count, rowBase, coef, coefIdx, k0, k1, k2, k3,
                    i0, i1, i2, i3, relu);
        } else {
            laneTerms4Plain(out, new int[] {o0, o1, o2, o3}, rows, rowOff, from, count, rowBase, coef, coefIdx,
                    new int[] {k0, k1, k2, k3}, new float[] {i0, i1, i2, i3}, relu, 1);
        }
    }

    static void laneTerms4Plain(float[] out, int[] os, float[] rows, int[] rowOff, int from, int count, int rowBase,
                                float[] coef, int[] coefIdx, int[] ks, float[] inits, boolean relu, int lanes) {
        for (int l = 0; l < lanes; l++) {
            for (int q = 0; q < 4; q++) {
                float acc = inits[q];
                for (int r = from; r < from + count; r++) {
                    acc += rows[rowOff[r] + rowBase + l] * coef[coefIdx[r] + ks[q]];
                }
                out[os[q] + l] = relu && acc < 0f ? 0f : acc;
            }
        }
    }

    /**
     * 2x2 max-pooling: out[o + l] = the first maximum (strict comparison, in the order a, b, c, d) of
     * in[a + l], in[b + l], in[c + l], in[d + l], for l in [0, count), count a multiple of {@link #LANES}.
     */
    public static void poolMaxLanes(float[] out, int o, float[] in, int a, int b, int c, int d, int count) {
        if (VECTOR) {
            VectorLoops.poolMaxLanes(out, o, in, a, b, c, d, count);
        } else {
            poolMaxLanesPlain(out, o, in, a, b, c, d, count);
        }
    }

    static void poolMaxLanesPlain(float[] out, int o, float[] in, int a, int b, int c, int d, int count) {
        for (int l = 0; l < count; l++) {
            float v = in[a + l];
            v = in[b + l] > v ? in[b + l] : v;
            v = in[c + l] > v ? in[c + l] : v;
            out[o + l] = in[d + l] > v ? in[d + l] : v;
        }
    }

    /**
     * The backward pass of {@link #poolMaxLanes}: din at the window's first maximum (in act) gets
     * dOut[o + l], the three others 0; with {@code relu}, all four 0 where that maximum is not > 0; count as
     * in {@link #poolMaxLanes}.
     */
    public static void poolGradLanes(float[] dIn, float[] act, int a, int b, int c, int d, float[] dOut, int o,
                                     boolean relu, int count) {
        if (VECTOR) {
            VectorLoops.poolGradLanes(dIn, act, a, b, c, d, dOut, o, relu, count);
        } else {
            poolGradLanesPlain(dIn, act, a, b, c, d, dOut, o, relu, count);
        }
    }

    static void poolGradLanesPlain(float[] dIn, float[] act, int a, int b, int c, int d, float[] dOut, int o,
                                   boolean relu, int count) {
        for (int l = 0; l < count; l++) {
            float va = act[a + l];
            float vb = act[b + l];
            float vc = act[c + l];
            float vd = act[d + l];
            boolean takeB = vb > va;
            float v = takeB ? vb : va;
            boolean takeC = vc > v;
            v = takeC ? vc : v;
            boolean takeD = vd > v;
            v = takeD ? vd : v;
            float g = relu && !(v > 0f) ? 0f : dOut[o + l];
            dIn[d + l] = takeD ? g : 0f;
            dIn[c + l] = takeC && !takeD ? g : 0f;
            dIn[b + l] = takeB && !takeC && !takeD ? g : 0f;
            dIn[a + l] = !takeB && !takeC && !takeD ? g : 0f;
        }
    }

    /**
     * out[i] = w0·self[i] + Σ_j w[j]·inputs[j][i] for i in [0, n), j ascending; {@code out} may be
     * {@code self} but no input (each element is read before it is written, the inputs are not).
     */
    public static void weightedSum(float[] out, float w0, float[] self, float[] w, float[][] inputs, int n) {
        if (VECTOR) {
            VectorLoops.weightedSum(out, w0, self, w, inputs, 0, n);
            return;
        }
        for (int i = 0; i < n; i++) {
            float acc = w0 * self[i];
            for (int j = 0; j < inputs.length; j++) {
                acc += w[j] * inputs[j][i];
            }
            out[i] = acc;
        }
    }

    /**
     * out[i] = self[i] + Σ_j w[j]·(inputs[j][i] − self[i]) for i in [0, n), j ascending; {@code out}
     * may be {@code self} but no input.
     */
    public static void mixDifferences(float[] out, float[] self, float[] w, float[][] inputs, int n) {
        if (VECTOR) {
            VectorLoops.mixDifferences(out, self, w, inputs, 0, n);
            return;
        }
        for (int i = 0; i < n; i++) {
            float own = self[i];
            float acc = own;
            for (int j = 0; j < inputs.length; j++) {
                acc += w[j] * (inputs[j][i] - own);
            }
            out[i] = acc;
        }
    }

    /** y[i] = a · x[i] for i in [0, n). */
    public static void scale(float[] y, int yOff, float a, float[] x, int xOff, int n) {
        if (VECTOR) {
            VectorLoops.scale(y, yOff, a, x, xOff, n);
            return;
        }
        for (int i = 0; i < n; i++) {
            y[yOff + i] = a * x[xOff + i];
        }
    }

    /** out[i] = α·a[i] + β·b[i] for i in [0, n). */
    public static void axpby(float[] out, float alpha, float[] a, float beta, float[] b, int n) {
        if (VECTOR) {
            VectorLoops.axpby(out, alpha, a, beta, b, n);
            return;
        }
        for (int i = 0; i < n; i++) {
            out[i] = alpha * a[i] + beta * b[i];
        }
    }

    /** a[i] = max(a[i], 0) as {@code a[i] < 0 ? 0 : a[i]} (keeps −0 and NaN) for i in [off, off + n). */
    public static void relu(float[] a, int off, int n) {
        if (VECTOR) {
            VectorLoops.relu(a, off, n);
        } else {
            reluPlain(a, off, n);
        }
    }

    static void reluPlain(float[] a, int off, int n) {
        for (int i = off; i < off + n; i++) {
            if (a[i] < 0f) {
                a[i] = 0f;
            }
        }
    }

    /** out[outOff + i] = 0 where act[actOff + i] ≤ 0 (the ReLU derivative), for i in [0, n). */
    public static void zeroWhereNotPositive(float[] out, int outOff, float[] act, int actOff, int n) {
        if (VECTOR) {
            VectorLoops.zeroWhereNotPositive(out, outOff, act, actOff, n);
        } else {
            zeroWhereNotPositivePlain(out, outOff, act, actOff, n);
        }
    }

    static void zeroWhereNotPositivePlain(float[] out, int outOff, float[] act, int actOff, int n) {
        for (int i = 0; i < n; i++) {
            if (act[actOff + i] <= 0f) {
                out[outOff + i] = 0f;
            }
        }
    }

}
